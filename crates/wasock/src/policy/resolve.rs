//! `--allow-resolve`: which names `sock_addr_resolve` may look up.

use super::PolicyError;

/// One pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// `*`: every name.
    Any,
    /// `*.suffix`: names strictly below `suffix` (stored lower-case, without the `*.`).
    Below(String),
    /// An exact name (lower-case, no trailing dot).
    Exact(String),
}

/// The resolve allow-list; empty denies every name.
#[derive(Debug, Clone, Default)]
pub struct ResolveAllowList {
    patterns: Vec<Pattern>,
}

/// Lower-cases and drops one trailing dot, so `Example.COM.` matches `example.com`.
fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

impl ResolveAllowList {
    /// An empty list (deny all).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one `--allow-resolve` value (comma-separated patterns).
    pub fn add_flag(&mut self, value: &str) -> Result<(), PolicyError> {
        for raw in value.split(',') {
            let raw = raw.trim();
            let bad = |reason: &str| PolicyError::AllowResolve {
                pattern: raw.to_string(),
                reason: reason.to_string(),
            };
            let p = if raw == "*" {
                Pattern::Any
            } else if let Some(suffix) = raw.strip_prefix("*.") {
                let suffix = normalize(suffix);
                if suffix.is_empty() || suffix.contains('*') || suffix.starts_with('.') {
                    return Err(bad(
                        "expected *.suffix with a non-empty suffix, e.g. *.example.com",
                    ));
                }
                Pattern::Below(suffix)
            } else if raw.contains('*') {
                return Err(bad("a wildcard is only allowed as a whole leading label: use *.suffix (e.g. *.example.com) or *"));
            } else if normalize(raw).is_empty() {
                return Err(bad("empty pattern"));
            } else {
                Pattern::Exact(normalize(raw))
            };
            self.patterns.push(p);
        }
        Ok(())
    }

    /// Whether `host` may be resolved (case-insensitive, one trailing dot ignored).
    pub fn allows(&self, host: &str) -> bool {
        let host = normalize(host);
        self.patterns.iter().any(|p| match p {
            Pattern::Any => true,
            Pattern::Exact(n) => *n == host,
            Pattern::Below(s) => {
                host.len() > s.len() + 1
                    && host.ends_with(s.as_str())
                    && host.as_bytes()[host.len() - s.len() - 1] == b'.'
            }
        })
    }

    /// Whether `host` is an IP address literal: it needs no grant and causes no DNS traffic.
    pub fn is_literal(host: &str) -> bool {
        host.parse::<std::net::IpAddr>().is_ok()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &str) -> ResolveAllowList {
        let mut l = ResolveAllowList::new();
        l.add_flag(v).unwrap();
        l
    }

    #[test]
    fn suffix_patterns_respect_label_boundaries() {
        let l = list("*.example.com");
        assert!(l.allows("a.example.com"));
        assert!(l.allows("a.b.example.com"));
        assert!(!l.allows("example.com"));
        assert!(!l.allows("badexample.com"));
        assert!(!l.allows("example.com.evil.org"));
        assert!(!l.allows(".example.com"));
    }

    #[test]
    fn exact_any_case_and_trailing_dot() {
        let l = list("localhost,Example.ORG.");
        assert!(l.allows("localhost") && l.allows("LOCALHOST") && l.allows("localhost."));
        assert!(l.allows("example.org") && l.allows("EXAMPLE.org."));
        assert!(!l.allows("localhost.localdomain") && !l.allows("www.example.org"));
        assert!(list("*").allows("anything.at.all"));
        assert!(!ResolveAllowList::new().allows("localhost"));
    }

    #[test]
    fn refuses_other_wildcards() {
        for bad in ["*host", "a*.com", "*.", "*.*.com", "", "ex*ample.com", "**"] {
            assert!(ResolveAllowList::new().add_flag(bad).is_err(), "{bad}");
        }
        let err = ResolveAllowList::new()
            .add_flag("*host")
            .unwrap_err()
            .to_string();
        assert!(err.contains("*.suffix"), "{err}");
    }

    #[test]
    fn literals() {
        assert!(ResolveAllowList::is_literal("127.0.0.1"));
        assert!(ResolveAllowList::is_literal("::1"));
        assert!(!ResolveAllowList::is_literal("localhost"));
        assert!(!ResolveAllowList::is_literal("127.0.0.1.example.com"));
    }
}

//! `--allow-resolve`: which names `sock_addr_resolve` may look up.
//!
//! Patterns: `*` (every name), `*.suffix` (names strictly below `suffix`, on a label boundary)
//! or an exact name. Matching is ASCII case-insensitive and ignores one trailing dot on both
//! sides. Any other use of `*` is refused at start-up: iwasm's `*host` is a plain byte suffix
//! that also matches `evilhost`, which is never what a capability should mean.

use super::PolicyError;
use std::fmt;

/// One name pattern: `*`, `*.suffix` or an exact name (stored normalised).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostPattern {
    /// `*`: every name.
    Any,
    /// `*.suffix`: names strictly below `suffix` (normalised, without the `*.`).
    Below(String),
    /// An exact name (normalised).
    Exact(String),
}

impl HostPattern {
    /// Parses one trimmed pattern, with the same rules and messages as `--allow-resolve`.
    pub fn parse(raw: &str) -> Result<HostPattern, PolicyError> {
        parse_pattern(raw)
    }

    /// Whether `host` matches (ASCII case-insensitive, one trailing dot ignored).
    pub fn matches(&self, host: &str) -> bool {
        self.matches_normalized(&normalize(host))
    }

    /// As [`HostPattern::matches`], for a name already passed through [`normalize`].
    pub(crate) fn matches_normalized(&self, host: &str) -> bool {
        match self {
            HostPattern::Any => true,
            HostPattern::Exact(n) => n == host,
            // `host` must be `<something>.<suffix>`: the dot is the label boundary that keeps
            // `badexample.com` out of `*.example.com`.
            HostPattern::Below(s) => host
                .strip_suffix(s.as_str())
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty()),
        }
    }

    /// Whether the pattern is a wildcard whose suffix has no dot (`*`, `*.com`): it grants a
    /// whole top-level domain or everything, which is rarely what was meant.
    pub fn is_broad(&self) -> bool {
        match self {
            HostPattern::Any => true,
            HostPattern::Below(s) => !s.contains('.'),
            HostPattern::Exact(_) => false,
        }
    }
}

/// Prints the pattern in flag syntax (normalised); it parses back to the same pattern.
impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostPattern::Any => f.write_str("*"),
            HostPattern::Below(s) => write!(f, "*.{s}"),
            HostPattern::Exact(n) => f.write_str(n),
        }
    }
}

/// The resolve allow-list; empty (the default) denies every name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolveAllowList {
    patterns: Vec<HostPattern>,
}

/// Lower-cases and drops one trailing dot, so `Example.COM.` matches `example.com`.
pub(crate) fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

impl ResolveAllowList {
    /// An empty list: denies every name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses one `--allow-resolve` value (comma-separated patterns), all or nothing.
    pub fn parse_flag(value: &str) -> Result<Vec<HostPattern>, PolicyError> {
        value
            .split(',')
            .map(|raw| parse_pattern(raw.trim()))
            .collect()
    }

    /// Adds one `--allow-resolve` value (comma-separated patterns).
    ///
    /// All patterns are parsed before any is added, so an error leaves the list unchanged.
    pub fn add_flag(&mut self, value: &str) -> Result<(), PolicyError> {
        self.patterns.extend(Self::parse_flag(value)?);
        Ok(())
    }

    /// Whether `host` may be resolved (case-insensitive, one trailing dot ignored).
    ///
    /// Literals are not special here; [`super::Policy::check_resolve`] lets them through.
    pub fn allows(&self, host: &str) -> bool {
        let host = normalize(host);
        self.patterns.iter().any(|p| p.matches_normalized(&host))
    }

    /// Whether `host` is an IP address literal: it is answered without DNS, so it needs no
    /// permission (docs/socket-abi.md). Strict syntax only, so anything else is checked as a name.
    pub fn is_literal(host: &str) -> bool {
        host.parse::<std::net::IpAddr>().is_ok()
    }

    /// Whether the list is empty (denies every name).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

fn bad(pattern: &str, reason: impl Into<String>) -> PolicyError {
    PolicyError::AllowResolve {
        pattern: pattern.to_string(),
        reason: reason.into(),
    }
}

/// Parses one trimmed pattern.
fn parse_pattern(raw: &str) -> Result<HostPattern, PolicyError> {
    if raw == "*" {
        return Ok(HostPattern::Any);
    }
    if let Some(suffix) = raw.strip_prefix("*.") {
        if suffix.is_empty() || suffix == "." {
            return Err(bad(
                raw,
                "`*.` needs a suffix: write *.suffix (e.g. *.example.com), or * for every name",
            ));
        }
        return check_name(raw, suffix).map(HostPattern::Below);
    }
    if let Some(rest) = raw.strip_prefix('*') {
        // iwasm's `*host` form: a byte suffix without a label boundary.
        let rest = rest.trim_start_matches('*');
        let hint = if rest.is_empty() || rest.contains('*') {
            "*.example.com".to_string()
        } else {
            format!("*.{rest}")
        };
        return Err(bad(
            raw,
            format!(
                "a wildcard must be a whole leading label: write *.suffix (e.g. {hint}) for the \
                 names below a domain, list other names exactly, or write * for every name"
            ),
        ));
    }
    check_name(raw, raw).map(HostPattern::Exact)
}

/// Validates a name (or the suffix of `*.suffix`) and returns it normalised.
fn check_name(raw: &str, name: &str) -> Result<String, PolicyError> {
    let norm = normalize(name);
    if norm.is_empty() {
        return Err(bad(
            raw,
            "empty pattern (expected a name, *.suffix or *; check for a stray comma)",
        ));
    }
    if norm.contains('*') {
        return Err(bad(
            raw,
            "a wildcard is only allowed as the whole first label: write *.suffix \
             (e.g. *.example.com), or * for every name",
        ));
    }
    if norm.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(
            raw,
            "a name cannot contain spaces or control characters",
        ));
    }
    // Literals never need a pattern, but iwasm required one: accept them so iwasm command
    // lines keep working.
    if ResolveAllowList::is_literal(&norm) {
        return Ok(norm);
    }
    if norm.contains([':', '/', '@', ',']) {
        return Err(bad(
            raw,
            "not a host name: write the name alone, without scheme, port or path",
        ));
    }
    if norm.split('.').any(str::is_empty) {
        let mut reason = "a name cannot have an empty label (`..` or a leading dot)".to_string();
        if let Some(rest) = norm.strip_prefix('.') {
            reason.push_str(&format!("; for the names below {rest} write *.{rest}"));
        }
        return Err(bad(raw, reason));
    }
    Ok(norm)
}

/// The pattern to suggest in a denial of `host`: its normalised form if that is a valid exact
/// pattern matching it, else `None` (only `*` would allow it).
pub(super) fn suggestion(host: &str) -> Option<String> {
    // Longer than a DNS name can be: suggesting it would only copy a guest's flood.
    if host.len() > 254 {
        return None;
    }
    match parse_pattern(host) {
        Ok(HostPattern::Exact(name)) => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(values: &[&str]) -> ResolveAllowList {
        let mut l = ResolveAllowList::new();
        for v in values {
            l.add_flag(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        }
        l
    }

    #[test]
    fn matching() {
        // (patterns, host, allowed)
        let cases: &[(&str, &str, bool)] = &[
            ("*.example.com", "a.example.com", true),
            ("*.example.com", "a.b.example.com", true),
            ("*.example.com", "A.Example.COM", true),
            ("*.example.com", "a.example.com.", true),
            ("*.example.com", "example.com", false),
            ("*.example.com", "example.com.", false),
            ("*.example.com", "badexample.com", false),
            ("*.example.com", "a.badexample.com", false),
            ("*.example.com", "example.com.evil.org", false),
            ("*.example.com", ".example.com", false),
            ("*.example.com", "a.example.com..", false),
            ("*.example.com", "a.example.co", false),
            ("*.Example.COM.", "www.example.com", true),
            ("*.com", "example.com", true),
            ("*.com", "com", false),
            ("localhost", "localhost", true),
            ("localhost", "LOCALHOST", true),
            ("localhost", "localhost.", true),
            ("localhost", "localhost..", false),
            ("localhost", "localhost.localdomain", false),
            ("localhost", "evillocalhost", false),
            ("localhost", "", false),
            ("Example.ORG.", "example.org", true),
            ("Example.ORG.", "EXAMPLE.org.", true),
            ("Example.ORG.", "www.example.org", false),
            ("a.com,b.com", "b.com", true),
            ("a.com, b.com", "b.com", true),
            ("a.com,b.com", "c.com", false),
            ("*", "anything.at.all", true),
            ("*", "", true),
            ("*", "UPPER.case.", true),
            ("127.0.0.1", "127.0.0.1", true),
        ];
        for (patterns, host, ok) in cases {
            assert_eq!(
                list(&[patterns]).allows(host),
                *ok,
                "{patterns} vs {host:?}"
            );
        }
    }

    #[test]
    fn flags_accumulate_without_a_limit() {
        let mut l = ResolveAllowList::new();
        for i in 0..20 {
            l.add_flag(&format!("host{i}.example")).unwrap();
        }
        l.add_flag("*.internal").unwrap();
        assert!(l.allows("host0.example") && l.allows("host19.example"));
        assert!(l.allows("db.internal") && !l.allows("host20.example"));
    }

    #[test]
    fn empty_list_denies_every_name() {
        let l = ResolveAllowList::new();
        assert!(l.is_empty());
        for h in ["localhost", "", ".", "*", "127.0.0.1"] {
            assert!(!l.allows(h), "{h:?}");
        }
    }

    #[test]
    fn refuses_other_wildcards_and_bad_names() {
        // (pattern, text the reason must contain)
        let cases: &[(&str, &str)] = &[
            ("*host", "write *.suffix (e.g. *.host)"),
            ("*example.com", "(e.g. *.example.com)"),
            ("a*.com", "write *.suffix"),
            ("ex*ample.com", "write *.suffix"),
            ("*.", "needs a suffix"),
            ("*..", "needs a suffix"),
            ("**", "write *.suffix"),
            ("*.*.com", "write *.suffix"),
            ("*.a*.com", "write *.suffix"),
            ("*.*", "write *.suffix"),
            ("", "empty pattern"),
            (" ", "empty pattern"),
            (".", "empty pattern"),
            ("*..com", "empty label"),
            ("a..com", "empty label"),
            (".example.com", "write *.example.com"),
            ("example.com:443", "not a host name"),
            ("http://example.com", "not a host name"),
            ("user@example.com", "not a host name"),
            ("exa mple.com", "spaces"),
            ("exa\tmple.com", "spaces"),
        ];
        for (input, want) in cases {
            let err = ResolveAllowList::new()
                .add_flag(input)
                .expect_err(input)
                .to_string();
            let named = format!("invalid --allow-resolve pattern `{}`: ", input.trim());
            assert!(err.starts_with(&named), "{input:?}: {err}");
            assert!(err.contains(want), "{input:?}: {err}");
        }
    }

    #[test]
    fn an_error_leaves_the_list_unchanged() {
        let mut l = list(&["a.com"]);
        for v in ["b.com,*host", "b.com,", ",b.com"] {
            assert!(l.add_flag(v).is_err(), "{v}");
        }
        assert!(!l.allows("b.com") && l.allows("a.com"));
    }

    #[test]
    fn literals_need_no_pattern_but_are_accepted_as_one() {
        let cases: &[(&str, bool)] = &[
            ("127.0.0.1", true),
            ("0.0.0.0", true),
            ("::1", true),
            ("::", true),
            ("::ffff:10.0.0.1", true),
            ("2001:DB8::1", true),
            ("localhost", false),
            ("127.0.0.1.example.com", false),
            // Only strict forms: anything the resolver might read differently is a name.
            ("127.1", false),
            ("0x7f.0.0.1", false),
            ("[::1]", false),
            ("fe80::1%eth0", false),
            (" 127.0.0.1", false),
            ("", false),
        ];
        for (host, literal) in cases {
            assert_eq!(ResolveAllowList::is_literal(host), *literal, "{host:?}");
        }
        // iwasm needed literals listed; such command lines still parse.
        assert!(list(&["127.0.0.1,::1"]).allows("::1"));
    }

    #[test]
    fn suggestions_are_valid_patterns() {
        let cases: &[(&str, Option<&str>)] = &[
            ("example.org", Some("example.org")),
            ("Example.ORG.", Some("example.org")),
            ("_srv._tcp.example", Some("_srv._tcp.example")),
            ("", None),
            ("*", None),
            ("*.example.com", None),
            ("a*b", None),
            ("a b", None),
            ("a..b", None),
            ("example.com:80", None),
            ("x,y", None),
            (&format!("{}.example", "a".repeat(300)), None),
        ];
        for (host, want) in cases {
            assert_eq!(suggestion(host).as_deref(), *want, "{host:?}");
        }
    }
}

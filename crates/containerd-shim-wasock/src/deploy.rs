//! A container's network policy as its deployment gives it: the `wasock.net/*` annotations.
//!
//! Pure: parsing, checking and the env form that carries the policy into the container.

use std::collections::BTreeMap;
use wasock::Policy;

/// The annotation prefix wasock reads; any other key under it is a mistake.
pub const PREFIX: &str = "wasock.net/";
/// `--net` rules, one per line (blank lines and `#` comments allowed).
pub const RULES: &str = "wasock.net/rules";
/// Cap on the sockets open at once, as `--max-sockets`.
pub const MAX_SOCKETS: &str = "wasock.net/max-sockets";
/// A TOML policy file inside the image, as `--net-policy`.
pub const POLICY_FILE: &str = "wasock.net/policy";
/// `true` logs every socket operation to stderr, as `--trace-net`.
pub const TRACE: &str = "wasock.net/trace";

/// The environment variable that carries a [`Deployment`] from the shim's `start` into the
/// container; never shown to the guest.
pub const ENV: &str = "WASOCK_SHIM_DEPLOYMENT";

/// What the deployment asks of wasock for one container.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The `wasock.net/rules` text as given.
    pub rules: String,
    /// `wasock.net/max-sockets`.
    pub max_sockets: Option<usize>,
    /// `wasock.net/policy`: a path inside the container's file system.
    pub policy_file: Option<String>,
    /// `wasock.net/trace`.
    pub trace: bool,
}

/// A mistake in the annotations, named as the CLI names a policy file's (`FILE:LINE:COL:
/// message`), with the annotation key in place of the file.
pub type AnnotationError = wasock::policy::FileError;

impl Deployment {
    /// Reads the `wasock.net/*` annotations (others are ignored) and checks them: every rule
    /// parses, the numbers are numbers, no unknown key hides a typo.
    pub fn from_annotations<'a>(
        annotations: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, AnnotationError> {
        let mut d = Deployment::default();
        for (key, value) in annotations {
            let Some(name) = key.strip_prefix(PREFIX) else {
                continue;
            };
            let err = |message: String| AnnotationError {
                path: key.to_string(),
                line: 1,
                col: 1,
                message,
            };
            match name {
                "rules" => d.rules = value.to_string(),
                "max-sockets" => match value.trim().parse::<usize>() {
                    Ok(n) if n > 0 => d.max_sockets = Some(n),
                    _ => {
                        return Err(err(format!(
                            "expected a number of sockets above 0, got `{}`",
                            value.trim()
                        )))
                    }
                },
                "policy" if value.trim().starts_with('/') => {
                    d.policy_file = Some(value.trim().to_string())
                }
                "policy" => {
                    return Err(err(format!(
                        "expected an absolute path inside the image, got `{}`",
                        value.trim()
                    )))
                }
                "trace" => match value.trim() {
                    "true" => d.trace = true,
                    "false" => d.trace = false,
                    v => return Err(err(format!("expected true or false, got `{v}`"))),
                },
                _ => {
                    return Err(err(format!(
                        "unknown annotation (wasock reads {RULES}, {MAX_SOCKETS}, {POLICY_FILE} \
                         and {TRACE})"
                    )))
                }
            }
        }
        // Checked now, so that a bad rule fails the container's creation, not its start.
        d.rules_policy()?;
        Ok(d)
    }

    /// The policy of the rules and quota (the policy file, inside the image, is added by the
    /// caller): deny by default, as the CLI without flags.
    pub fn rules_policy(&self) -> Result<Policy, AnnotationError> {
        let mut policy = Policy::default();
        for (i, line) in self.rules.lines().enumerate() {
            let text = line.trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            let origin = format!("{RULES}:{}", i + 1);
            policy
                .add_net_rule(text, &origin)
                .map_err(|e| AnnotationError {
                    path: RULES.to_string(),
                    line: i + 1,
                    col: line.len() - line.trim_start().len() + 1,
                    message: e.to_string(),
                })?;
        }
        policy.set_max_sockets(self.max_sockets);
        Ok(policy)
    }

    /// The value of [`ENV`]: one line of JSON.
    pub fn to_env(&self) -> String {
        let mut map = BTreeMap::new();
        map.insert("rules", serde_json::Value::from(self.rules.as_str()));
        if let Some(n) = self.max_sockets {
            map.insert("max_sockets", n.into());
        }
        if let Some(p) = &self.policy_file {
            map.insert("policy_file", p.as_str().into());
        }
        map.insert("trace", self.trace.into());
        serde_json::to_string(&map).unwrap_or_default()
    }

    /// Reads [`ENV`]'s value back; `None` for anything [`Deployment::to_env`] did not write.
    pub fn from_env(value: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(value).ok()?;
        let rules = v.get("rules")?.as_str()?.to_string();
        let max_sockets = match v.get("max_sockets") {
            None => None,
            Some(n) => Some(usize::try_from(n.as_u64()?).ok()?),
        };
        let policy_file = match v.get("policy_file") {
            None => None,
            Some(p) => Some(p.as_str()?.to_string()),
        };
        let trace = v.get("trace")?.as_bool()?;
        Some(Deployment {
            rules,
            max_sockets,
            policy_file,
            trace,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Deployment, AnnotationError> {
        Deployment::from_annotations(pairs.iter().copied())
    }

    #[test]
    fn no_annotations_is_deny_by_default() {
        let d = parse(&[("io.kubernetes.cri.sandbox-id", "x")]).unwrap();
        assert_eq!(d, Deployment::default());
        let p = d.rules_policy().unwrap();
        assert_eq!(p.rules().count(), 0);
        assert_eq!(p.max_sockets(), None);
    }

    #[test]
    fn rules_and_quota_are_read() {
        let d = parse(&[
            (
                RULES,
                "# the server\nallow bind tcp 0.0.0.0:8080\n\n  allow accept tcp *\n",
            ),
            (MAX_SOCKETS, " 64 "),
            (POLICY_FILE, "/etc/wasock.toml"),
            (TRACE, "true"),
        ])
        .unwrap();
        let p = d.rules_policy().unwrap();
        let origins: Vec<&str> = p.rules().map(|(_, o)| o).collect();
        assert_eq!(origins, ["wasock.net/rules:2", "wasock.net/rules:4"]);
        assert_eq!(p.max_sockets(), Some(64));
        assert_eq!(d.policy_file.as_deref(), Some("/etc/wasock.toml"));
        assert!(d.trace);
    }

    #[test]
    fn a_bad_rule_is_named_by_annotation_line_and_column() {
        let e = parse(&[(RULES, "allow bind tcp 0.0.0.0:8080\n   allow fly tcp *")]).unwrap_err();
        assert_eq!((e.path.as_str(), e.line, e.col), (RULES, 2, 4));
        let shown = e.to_string();
        assert!(
            shown.starts_with("wasock.net/rules:2:4: invalid --net rule `allow fly tcp *`"),
            "{shown}"
        );
    }

    #[test]
    fn bad_values_and_unknown_keys_are_refused() {
        for (key, value, says) in [
            (MAX_SOCKETS, "0", "above 0"),
            (MAX_SOCKETS, "many", "`many`"),
            (POLICY_FILE, "policy.toml", "absolute path"),
            (TRACE, "yes", "true or false"),
            ("wasock.net/rule", "allow bind tcp *", "unknown annotation"),
        ] {
            let e = parse(&[(key, value)]).unwrap_err();
            assert_eq!(e.path, key);
            assert!(e.to_string().contains(says), "{e}");
        }
    }

    #[test]
    fn the_env_form_round_trips_and_rejects_anything_else() {
        let d = parse(&[
            (RULES, "allow bind tcp 127.0.0.1:80"),
            (MAX_SOCKETS, "3"),
            (POLICY_FILE, "/p.toml"),
        ])
        .unwrap();
        assert_eq!(Deployment::from_env(&d.to_env()), Some(d));
        let empty = Deployment::default();
        assert_eq!(Deployment::from_env(&empty.to_env()), Some(empty));
        for bad in ["", "{}", "allow bind tcp *", r#"{"rules":1,"trace":false}"#] {
            assert_eq!(Deployment::from_env(bad), None, "{bad}");
        }
    }
}

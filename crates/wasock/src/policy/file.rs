//! `--net-policy=FILE`: rules and quotas from a TOML file, with errors that name the line.
//!
//! ```toml
//! rules = ["allow bind tcp 127.0.0.1:8080",
//!          { action = "allow", roles = ["accept"], protocol = "tcp", target = "127.0.0.0/8" }]
//! max-sockets = 256
//! addr-pool = ["127.0.0.1/32"]
//! allow-resolve = ["localhost"]
//! ```

use super::Policy;
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// One problem in a policy file, located by line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file as named by the user.
    pub path: String,
    /// Line of the offending value.
    pub line: usize,
    /// Column of the offending value.
    pub col: usize,
    /// What is wrong, and what to write instead.
    pub message: String,
}

/// `FILE:LINE:COL: message`, the form editors and compilers use.
impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for FileError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Spec {
    #[serde(default)]
    rules: Vec<Spanned<toml::Value>>,
    max_sockets: Option<Spanned<i64>>,
    #[serde(default)]
    addr_pool: Vec<Spanned<String>>,
    #[serde(default)]
    allow_resolve: Vec<Spanned<String>>,
}

/// Where each line of a file starts, so that locating a value costs a binary search instead
/// of a scan from the top: once per rule, a scan made loading N rules quadratic (issue 17).
struct Lines {
    /// Byte offset of the first byte of each line; `starts[0]` is 0.
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    /// Indexes `text` in one pass.
    fn new(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines {
            starts,
            len: text.len(),
        }
    }

    /// Line and column (from 1, the column in bytes) of byte `offset`, clamped to the end.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        // The number of lines starting at or before `offset` is the line's number.
        let line = self.starts.partition_point(|&s| s <= offset);
        (line, offset - self.starts[line - 1] + 1)
    }
}

/// A rule given as a table, turned into `--net` syntax.
fn table_rule(table: &toml::Table) -> Result<String, String> {
    let string = |key: &str| match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` must be a string")),
    };
    if let Some(key) = table
        .keys()
        .find(|k| !["action", "roles", "protocol", "target"].contains(&k.as_str()))
    {
        return Err(format!(
            "unknown key `{key}` in a rule table (expected action, roles, protocol, target)"
        ));
    }
    let action = string("action")?.ok_or("a rule table needs `action` (allow or deny)")?;
    let target = string("target")?.ok_or("a rule table needs `target`")?;
    let roles = match table.get("roles") {
        Some(toml::Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or("`roles` must be an array of strings")?
            .join(","),
        Some(toml::Value::String(s)) => s.clone(),
        Some(_) => return Err("`roles` must be a non-empty array of strings".to_string()),
        None => return Err("a rule table needs `roles`, e.g. roles = [\"connect\"]".to_string()),
    };
    let proto = string("protocol")?.unwrap_or_else(|| "any".to_string());
    // Words with spaces would change the rule's shape: refuse rather than misparse.
    for (key, v) in [
        ("action", &action),
        ("protocol", &proto),
        ("target", &target),
    ] {
        if v.split_whitespace().count() != 1 {
            return Err(format!("`{key}` must be one word, got `{v}`"));
        }
    }
    Ok(format!("{action} {roles} {proto} {target}"))
}

impl Policy {
    /// Adds the rules and quota of the policy file at `path`, all or nothing; returns how many
    /// rules it held. Every error is returned, each with its line.
    pub fn add_file(&mut self, path: &Path) -> Result<usize, Vec<FileError>> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![FileError {
                path: name.clone(),
                line: 1,
                col: 1,
                message: format!("cannot read the policy file: {e}"),
            }]
        })?;
        self.add_toml(&text, &name)
    }

    /// As [`Policy::add_file`], from text; `name` stands for the file in messages and origins.
    pub fn add_toml(&mut self, text: &str, name: &str) -> Result<usize, Vec<FileError>> {
        let lines = Lines::new(text);
        let at = |span: Range<usize>, message: String| {
            let (line, col) = lines.line_col(span.start);
            FileError {
                path: name.to_string(),
                line,
                col,
                message,
            }
        };
        let spec: Spec = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            // toml's message can span lines (it quotes the source): keep the first.
            let msg = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            vec![at(span, msg)]
        })?;
        let mut next = self.clone();
        let mut errors = Vec::new();
        for item in &spec.rules {
            let span = item.span();
            let rule_text = match item.get_ref() {
                toml::Value::String(s) => Ok(s.clone()),
                toml::Value::Table(t) => table_rule(t),
                _ => Err("a rule is a string in --net syntax or a table".to_string()),
            };
            let (line, _) = lines.line_col(span.start);
            let origin = format!("{name}:{line}");
            match rule_text
                .and_then(|rule| next.add_net_rule(&rule, &origin).map_err(|e| e.to_string()))
            {
                Ok(()) => {}
                Err(msg) => errors.push(at(span, msg)),
            }
        }
        for v in &spec.addr_pool {
            if let Err(e) = next.add_addr_pool(v.get_ref()) {
                errors.push(at(v.span(), e.to_string()));
            }
        }
        for v in &spec.allow_resolve {
            if let Err(e) = next.add_allow_resolve(v.get_ref()) {
                errors.push(at(v.span(), e.to_string()));
            }
        }
        if let Some(n) = &spec.max_sockets {
            match usize::try_from(*n.get_ref()) {
                Ok(v) if v > 0 => {
                    next.set_max_sockets(Some(v));
                }
                _ => errors.push(at(
                    n.span(),
                    format!(
                        "max-sockets must be a whole number from 1 up, got {}",
                        n.get_ref()
                    ),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        *self = next;
        Ok(spec.rules.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DnsPins, Op, Proto};
    use super::*;

    const GOOD: &str = r#"# a policy
rules = [
  "allow bind tcp 127.0.0.1:8080",
  { action = "allow", roles = ["accept"], protocol = "tcp", target = "127.0.0.0/8" },
  { action = "deny", roles = "accept", target = "127.0.0.66" },
]
max-sockets = 64
addr-pool = ["10.0.0.1/32"]
allow-resolve = ["localhost"]
"#;

    #[test]
    fn a_good_file_adds_rules_with_their_lines() {
        let mut p = Policy::new();
        assert_eq!(p.add_toml(GOOD, "p.toml"), Ok(3));
        let listed: Vec<String> = p.rules().map(|(r, o)| format!("{o}: {r}")).collect();
        assert_eq!(
            listed,
            [
                "p.toml:3: allow bind tcp 127.0.0.1:8080",
                "p.toml:4: allow accept tcp 127.0.0.0/8",
                "p.toml:5: deny accept any 127.0.0.66",
                "--addr-pool: allow bind,connect,send any 10.0.0.1",
                "implied by --addr-pool: iwasm never checks inbound peers: allow accept,recv any *",
                "--allow-resolve: allow resolve localhost",
            ]
        );
        assert_eq!(p.max_sockets(), Some(64));
        let pins = DnsPins::default();
        let accept = |a: &str| p.check_addr(Op::Accept, Proto::Tcp, a.parse().unwrap(), &pins);
        assert!(accept("127.0.0.2:5").is_ok());
        assert!(accept("127.0.0.66:5").is_err());
        assert_eq!(Policy::new().add_toml("", "empty.toml"), Ok(0));
    }

    /// A file's text and the errors it must give: `FILE:LINE:COL:` and a word of the message.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)]);

    #[test]
    fn every_error_names_its_line_and_column() {
        let cases: &[Case] = &[
            (
                "rules = [\n  \"allow connect tcp 1.2.3.4\",\n  \"allow conect 1.2.3.4\",\n]\n",
                &[("f:3:3:", "unknown role `conect`")],
            ),
            (
                "rules = [\"permit connect 1.2.3.4\", \"allow bind a.test\"]\n",
                &[
                    ("f:1:10:", "unknown action `permit`"),
                    ("f:1:36:", "bind takes an address"),
                ],
            ),
            (
                "rules = [{ action = \"allow\", roles = [\"connect\"], target = \"1.2.3.4\", port = 1 }]\n",
                &[("f:1:10:", "unknown key `port`")],
            ),
            (
                "rules = [{ action = \"allow\", target = \"1.2.3.4\" }]\n",
                &[("f:1:10:", "needs `roles`")],
            ),
            (
                "rules = [{ roles = [\"bind\"], target = \"1.2.3.4\" }]\n",
                &[("f:1:10:", "needs `action`")],
            ),
            (
                "rules = [{ action = \"allow now\", roles = [\"bind\"], target = \"1.2.3.4\" }]\n",
                &[("f:1:10:", "must be one word")],
            ),
            ("rules = [42]\n", &[("f:1:10:", "a rule is a string")]),
            (
                "\nmax-sockets = 0\n",
                &[("f:2:15:", "max-sockets must be a whole number")],
            ),
            ("max-sockets = -3\n", &[("f:1:15:", "got -3")]),
            (
                "addr-pool = [\"10.0.0.0/33\"]\n",
                &[("f:1:14:", "invalid --addr-pool entry")],
            ),
            (
                "allow-resolve = [\"*host\"]\n",
                &[("f:1:18:", "invalid --allow-resolve pattern")],
            ),
            ("rule = []\n", &[("f:1:1:", "unknown field `rule`")]),
            ("rules = [\n\"allow connect 1.2.3.4\"\n", &[("f:", "")]),
            ("max-sockets = \"many\"\n", &[("f:1:15:", "")]),
        ];
        for (text, want) in cases {
            let mut p = Policy::new();
            p.add_addr_pool("127.0.0.1").unwrap();
            let before = p.rules().count();
            let errs = p.add_toml(text, "f").expect_err(text);
            let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
            assert_eq!(got.len(), want.len(), "{text:?}: {got:?}");
            for (g, (prefix, word)) in got.iter().zip(want.iter()) {
                assert!(g.starts_with(prefix) && g.contains(word), "{text:?}: {g}");
                assert!(!g.contains('\n'), "one line: {g:?}");
            }
            // All or nothing: the policy is as it was.
            assert_eq!(p.rules().count(), before, "{text:?}");
            assert_eq!(p.max_sockets(), None, "{text:?}");
        }
    }

    #[test]
    fn line_col_counts_from_one() {
        let t = Lines::new("ab\ncd\n\nx");
        assert_eq!(t.line_col(0), (1, 1));
        assert_eq!(t.line_col(1), (1, 2));
        assert_eq!(t.line_col(2), (1, 3), "the newline ends its line");
        assert_eq!(t.line_col(3), (2, 1));
        assert_eq!(t.line_col(6), (3, 1));
        assert_eq!(t.line_col(7), (4, 1));
        assert_eq!(t.line_col(99), (4, 2));
        assert_eq!(Lines::new("").line_col(0), (1, 1));
    }

    /// The index answers as a scan from the top of the text would, at every offset; it is
    /// built once per file, so locating N rules is N binary searches (40,000 rules took 8.6 s
    /// of scanning before, see issue 17).
    #[test]
    fn line_index_agrees_with_a_scan() {
        let text = "rules = [\n  \"allow connect tcp 1.2.3.4\",\n\n\n  \"é€\"\r\n]\nx";
        let lines = Lines::new(text);
        assert_eq!(lines.starts.len(), text.matches('\n').count() + 1);
        for offset in 0..=text.len() + 2 {
            let before = &text.as_bytes()[..offset.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = before.len()
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            assert_eq!(lines.line_col(offset), (line, col), "offset {offset}");
        }
    }

    #[test]
    fn an_unreadable_file_is_one_error() {
        let errs = Policy::new()
            .add_file(Path::new("/nonexistent/wasock-policy.toml"))
            .unwrap_err();
        assert_eq!(errs.len(), 1);
        let msg = errs[0].to_string();
        assert!(
            msg.starts_with("/nonexistent/wasock-policy.toml:1:1: cannot read"),
            "{msg}"
        );
    }
}

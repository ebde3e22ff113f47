//! `--hosts-file`: an `/etc/hosts`-style file (`ADDRESS NAME [NAME…]` per line, `#` comments)
//! that answers `getaddrinfo` before the system resolver. Read on every lookup, so it can
//! change while the guest runs.

use std::net::IpAddr;
use std::path::Path;

/// The addresses `host` has in the file, in file order; `None` when the file does not name it.
pub fn lookup(path: &Path, host: &str) -> std::io::Result<Option<Vec<IpAddr>>> {
    Ok(lookup_in(&std::fs::read_to_string(path)?, host))
}

/// Reads the file once, as every lookup will: an error names why it cannot be read (missing,
/// a directory, not permitted, not UTF-8), for a caller to report before the guest starts.
pub fn check(path: &Path) -> std::io::Result<()> {
    std::fs::read_to_string(path).map(drop)
}

/// As [`lookup`], over the file's text. Names match ASCII case-insensitively, one trailing
/// dot ignored; lines whose first word is not an address are skipped, as the C library does.
pub fn lookup_in(text: &str, host: &str) -> Option<Vec<IpAddr>> {
    let norm = |s: &str| s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase();
    let want = norm(host);
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let Some(Ok(ip)) = words.next().map(str::parse::<IpAddr>) else {
            continue;
        };
        if words.any(|n| norm(n) == want) && !found.contains(&ip) {
            found.push(ip);
        }
    }
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_etc_hosts() {
        let text = "# test stub\n\
                    127.0.0.1  api.test  alias.test # trailing comment\n\
                    ::1        api.test\n\
                    not-an-ip  bad.test\n\
                    \n\
                    127.0.0.3\tOther.Test.\n\
                    127.0.0.1  api.test\n";
        let ips = |l: &[&str]| {
            l.iter()
                .map(|s| s.parse().unwrap())
                .collect::<Vec<IpAddr>>()
        };
        assert_eq!(
            lookup_in(text, "api.test"),
            Some(ips(&["127.0.0.1", "::1"]))
        );
        assert_eq!(
            lookup_in(text, "API.test."),
            Some(ips(&["127.0.0.1", "::1"]))
        );
        assert_eq!(lookup_in(text, "alias.test"), Some(ips(&["127.0.0.1"])));
        assert_eq!(lookup_in(text, "other.test"), Some(ips(&["127.0.0.3"])));
        assert_eq!(lookup_in(text, "bad.test"), None);
        assert_eq!(lookup_in(text, "comment"), None);
        assert_eq!(lookup_in(text, "missing.test"), None);
    }
}

//! The network capability policy: pure decisions, no I/O, deny by default.
//!
//! `--addr-pool` ([`AddrPool`]) governs `bind`, `connect`, `sendto` (and any `sendmsg`-style
//! destination) and the auto-bind of `listen`; `--allow-resolve` ([`ResolveAllowList`]) governs
//! name resolution. The rules (spec §14.1, §14.2), and where they differ from iwasm:
//!
//! * Targets are canonicalised first ([`canonicalize`]): an IPv4-mapped IPv6 address
//!   `::ffff:a.b.c.d` *is* the IPv4 address `a.b.c.d`, so only IPv4 entries can allow it. This
//!   closes the bypass where a dual-stack socket reaches an IPv4 host the pool never granted.
//!   Consequently `::/0` means "every IPv6 address" and does **not** allow mapped targets; grant
//!   IPv4 with an IPv4 entry (`0.0.0.0/0`).
//! * An entry written in IPv4-mapped form (`::ffff:10.0.0.0/104`, prefix ≥ 96) is stored as the
//!   IPv4 entry it denotes (`10.0.0.0/8`), with a start-up warning because iwasm matched it
//!   only for IPv6 sockets. A mapped entry with a prefix below 96 stays an IPv6 entry and, like
//!   `::/0`, never matches a mapped target.
//! * Matching is strict CIDR (`0.0.0.0/15` is 0.0.0.0–0.1.255.255), families never cross, the
//!   unspecified address is an ordinary target, and the IPv6 scope id is not part of a match.
//! * Names are matched case-insensitively with one trailing dot ignored; IP literals need no
//!   permission (they cause no DNS traffic, and the pool still governs their use).

mod addr_pool;
mod resolve;

pub use addr_pool::{AddrPool, PoolEntry};
pub use resolve::ResolveAllowList;

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// A socket operation the address pool governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `bind`: checked against the local address.
    Bind,
    /// `connect`: checked against the remote address.
    Connect,
    /// `sendto` / `sendmsg`: checked against the destination.
    SendTo,
    /// `listen` on a never-bound socket: the caller checks the wildcard address with port 0,
    /// because the kernel would auto-bind it there. Allowing that needs a wildcard entry
    /// (`0.0.0.0/32`, `::/128`, or a `/0`) whose ports, if restricted, include 0.
    Listen,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Bind => "bind",
            Op::Connect => "connect",
            Op::SendTo => "sendto",
            Op::Listen => "listen",
        })
    }
}

/// A start-up error in a policy flag, naming the bad entry and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A bad `--addr-pool` entry.
    #[error("invalid --addr-pool entry `{entry}`: {reason}")]
    AddrPool {
        /// The entry as given (trimmed).
        entry: String,
        /// What is wrong with it and what to write instead.
        reason: String,
    },
    /// A bad `--allow-resolve` pattern.
    #[error("invalid --allow-resolve pattern `{pattern}`: {reason}")]
    AllowResolve {
        /// The pattern as given (trimmed).
        pattern: String,
        /// What is wrong with it and what to write instead.
        reason: String,
    },
}

/// A refused operation; `Display` is the one-line diagnostic (without the `wasock: ` prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Denial {
    /// An address the pool does not allow.
    Addr {
        /// The operation.
        op: Op,
        /// The target, canonicalised (a mapped IPv6 target appears as IPv4).
        addr: SocketAddr,
        /// Some entry covers the address but none allows this port.
        port_only: bool,
    },
    /// A name the allow-list does not allow.
    Resolve {
        /// The name as the guest gave it.
        host: String,
    },
}

impl Denial {
    /// The identity under which a denial is reported once: operation and address, or the name.
    pub fn key(&self) -> String {
        match self {
            Denial::Addr { op, addr, .. } => format!("{op} {addr}"),
            Denial::Resolve { host } => format!("resolve {host}"),
        }
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::Addr {
                op,
                addr,
                port_only,
            } => {
                // The suggestion is the narrowest entry that would allow exactly this target,
                // written in flag syntax so it can be pasted as is.
                let max = if addr.is_ipv4() { 32 } else { 128 };
                let fix = PoolEntry {
                    net: addr.ip(),
                    prefix: max,
                    ports: port_only.then_some((addr.port(), addr.port())),
                };
                write!(f, "denied {op} to {addr}: ")?;
                if *port_only {
                    write!(f, "port {} ", addr.port())?;
                }
                write!(f, "not in --addr-pool (allow it with --addr-pool={fix}")?;
                if *op == Op::Listen {
                    // The guest never named this address: say where it came from.
                    f.write_str(", or bind the socket to an allowed address before listen")?;
                }
                f.write_str(")")
            }
            Denial::Resolve { host } => {
                write!(
                    f,
                    "denied resolve of {}: not in --allow-resolve ",
                    printable(host)
                )?;
                // The guest chooses the name: suggest it only if it is a pattern that the flag
                // accepts and that matches it, never something that would fail at start-up.
                match resolve::suggestion(host) {
                    Some(p) => write!(f, "(allow it with --allow-resolve={p})"),
                    None => f.write_str("(only --allow-resolve=* would allow it)"),
                }
            }
        }
    }
}

/// The whole network policy of one instance; the default denies everything.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// `--addr-pool`: addresses that may be bound, connected and sent to.
    pub addr_pool: AddrPool,
    /// `--allow-resolve`: names that may be resolved.
    pub resolve: ResolveAllowList,
}

impl Policy {
    /// A policy that denies everything (same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Decides whether `op` may use `addr` (canonicalised first).
    pub fn check_addr(&self, op: Op, addr: SocketAddr) -> Result<(), Denial> {
        let addr = canonicalize(addr);
        if self.addr_pool.allows(addr) {
            return Ok(());
        }
        Err(Denial::Addr {
            op,
            addr,
            port_only: self.addr_pool.allows_ip(addr.ip()),
        })
    }

    /// Decides whether `host` may be resolved; IP literals always may.
    pub fn check_resolve(&self, host: &str) -> Result<(), Denial> {
        if ResolveAllowList::is_literal(host) || self.resolve.allows(host) {
            Ok(())
        } else {
            Err(Denial::Resolve {
                host: host.to_string(),
            })
        }
    }
}

/// The form used for matching: `::ffff:a.b.c.d` becomes `a.b.c.d` (port kept), all else as is.
pub fn canonicalize(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(a) => match a.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), a.port()),
            None => addr,
        },
        SocketAddr::V4(_) => addr,
    }
}

/// Escapes control characters and line-breaking whitespace (and `\` itself, to stay
/// unambiguous) so a guest-chosen string cannot forge or split a diagnostic line on stderr.
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() || (c.is_whitespace() && c != ' ') || c == '\\';
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPS: [Op; 4] = [Op::Bind, Op::Connect, Op::SendTo, Op::Listen];

    fn policy(pools: &[&str], resolves: &[&str]) -> Policy {
        let mut p = Policy::new();
        for v in pools {
            p.addr_pool.add_flag(v).unwrap();
        }
        for v in resolves {
            p.resolve.add_flag(v).unwrap();
        }
        p
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn op_display() {
        let names: Vec<String> = OPS.iter().map(Op::to_string).collect();
        assert_eq!(names, ["bind", "connect", "sendto", "listen"]);
    }

    #[test]
    fn deny_by_default() {
        let p = Policy::default();
        for op in OPS {
            for a in [
                "127.0.0.1:80",
                "0.0.0.0:0",
                "[::1]:80",
                "[::]:0",
                "[::ffff:1.2.3.4]:1",
            ] {
                assert!(p.check_addr(op, sa(a)).is_err(), "{op} {a}");
            }
        }
        for h in ["localhost", "example.org", "", "*", "."] {
            assert!(p.check_resolve(h).is_err(), "{h:?}");
        }
        // Literals cause no DNS traffic: they need no permission even from an empty policy.
        for h in ["127.0.0.1", "::1", "0.0.0.0", "::ffff:10.0.0.1"] {
            assert!(p.check_resolve(h).is_ok(), "{h}");
        }
    }

    #[test]
    fn every_op_obeys_the_pool() {
        let p = policy(&["127.0.0.1/32,::1/128"], &["localhost"]);
        let cases = [
            ("127.0.0.1:1", true),
            ("[::1]:1", true),
            ("[::ffff:127.0.0.1]:1", true),
            ("0.0.0.0:0", false),
            ("[::]:0", false),
            ("127.0.0.2:1", false),
            ("[::2]:1", false),
        ];
        for op in OPS {
            for (a, ok) in cases {
                assert_eq!(p.check_addr(op, sa(a)).is_ok(), ok, "{op} {a}");
            }
        }
    }

    #[test]
    fn listen_auto_bind_needs_a_wildcard_entry_with_port_0() {
        let cases: &[(&str, &str, bool)] = &[
            ("127.0.0.1/32", "0.0.0.0:0", false),
            ("0.0.0.0/32", "0.0.0.0:0", true),
            ("0.0.0.0/0", "0.0.0.0:0", true),
            ("0.0.0.0/0:8000-8100", "0.0.0.0:0", false),
            ("0.0.0.0/0:0-8100", "0.0.0.0:0", true),
            ("0.0.0.0/32:0", "0.0.0.0:0", true),
            ("::/128", "[::]:0", true),
            ("::/0", "[::]:0", true),
            ("::1/128", "[::]:0", false),
            ("0.0.0.0/0", "[::]:0", false),
            ("::/0", "0.0.0.0:0", false),
        ];
        for (pool, target, ok) in cases {
            let p = policy(&[pool], &[]);
            assert_eq!(
                p.check_addr(Op::Listen, sa(target)).is_ok(),
                *ok,
                "{pool} {target}"
            );
        }
    }

    #[test]
    fn denial_messages_exact() {
        let p = policy(&["127.0.0.1/32:8000-8100", "[::1]/128:443"], &["localhost"]);
        let cases: &[(Op, &str, &str)] = &[
            (
                Op::Connect,
                "10.1.2.3:80",
                "denied connect to 10.1.2.3:80: not in --addr-pool (allow it with --addr-pool=10.1.2.3/32)",
            ),
            (
                Op::Connect,
                "[::2]:80",
                "denied connect to [::2]:80: not in --addr-pool (allow it with --addr-pool=::2/128)",
            ),
            (
                Op::Bind,
                "127.0.0.1:9000",
                "denied bind to 127.0.0.1:9000: port 9000 not in --addr-pool (allow it with --addr-pool=127.0.0.1/32:9000)",
            ),
            (
                Op::SendTo,
                "[::1]:53",
                "denied sendto to [::1]:53: port 53 not in --addr-pool (allow it with --addr-pool=[::1]/128:53)",
            ),
            (
                // A mapped target is reported, and fixed, as the IPv4 address it is.
                Op::Connect,
                "[::ffff:127.0.0.2]:80",
                "denied connect to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)",
            ),
            (
                Op::Connect,
                "[::ffff:127.0.0.1]:80",
                "denied connect to 127.0.0.1:80: port 80 not in --addr-pool (allow it with --addr-pool=127.0.0.1/32:80)",
            ),
            (
                Op::Bind,
                "0.0.0.0:0",
                "denied bind to 0.0.0.0:0: not in --addr-pool (allow it with --addr-pool=0.0.0.0/32)",
            ),
            (
                Op::Listen,
                "0.0.0.0:0",
                "denied listen to 0.0.0.0:0: not in --addr-pool (allow it with --addr-pool=0.0.0.0/32, or bind the socket to an allowed address before listen)",
            ),
            (
                Op::Listen,
                "[::]:0",
                "denied listen to [::]:0: not in --addr-pool (allow it with --addr-pool=::/128, or bind the socket to an allowed address before listen)",
            ),
        ];
        for (op, target, msg) in cases {
            let d = p.check_addr(*op, sa(target)).unwrap_err();
            assert_eq!(d.to_string(), *msg, "{op} {target}");
        }
    }

    #[test]
    fn listen_port_only_message() {
        let p = policy(&["0.0.0.0/0:8000"], &[]);
        let d = p.check_addr(Op::Listen, sa("0.0.0.0:0")).unwrap_err();
        assert_eq!(
            d.to_string(),
            "denied listen to 0.0.0.0:0: port 0 not in --addr-pool (allow it with --addr-pool=0.0.0.0/32:0, or bind the socket to an allowed address before listen)"
        );
    }

    #[test]
    fn suggested_entry_really_allows_the_target() {
        let p = policy(&["10.0.0.0/8:1-100", "[fe80::]/10:7"], &[]);
        for target in [
            "10.1.1.1:200",
            "11.0.0.1:5",
            "[fe80::1]:8",
            "[2001:db8::1]:9",
            "[::ffff:10.0.0.1]:101",
        ] {
            for op in OPS {
                let d = p.check_addr(op, sa(target)).unwrap_err();
                let msg = d.to_string();
                let fix = msg
                    .split("--addr-pool=")
                    .nth(1)
                    .and_then(|s| s.split([')', ',']).next())
                    .unwrap();
                let mut fixed = p.clone();
                fixed.addr_pool.add_flag(fix).unwrap();
                assert!(fixed.check_addr(op, sa(target)).is_ok(), "{msg}");
            }
        }
    }

    #[test]
    fn resolve_denial_messages_exact() {
        let p = Policy::new();
        let cases = [
            (
                "example.org",
                "denied resolve of example.org: not in --allow-resolve (allow it with --allow-resolve=example.org)",
            ),
            (
                "Example.ORG.",
                "denied resolve of Example.ORG.: not in --allow-resolve (allow it with --allow-resolve=example.org)",
            ),
            (
                "",
                "denied resolve of : not in --allow-resolve (only --allow-resolve=* would allow it)",
            ),
            (
                "a*b.com",
                "denied resolve of a*b.com: not in --allow-resolve (only --allow-resolve=* would allow it)",
            ),
            (
                "evil\nwasock: forged",
                "denied resolve of evil\\nwasock: forged: not in --allow-resolve (only --allow-resolve=* would allow it)",
            ),
        ];
        for (host, msg) in cases {
            let d = p.check_resolve(host).unwrap_err();
            assert_eq!(d.to_string(), msg, "{host:?}");
            assert!(!d.to_string().contains('\n'));
        }
    }

    #[test]
    fn suggested_pattern_really_allows_the_name() {
        for host in [
            "example.org",
            "LOCALHOST.",
            "a.b-c.d_e.example",
            "xn--bcher-kva.example",
        ] {
            let d = Policy::new().check_resolve(host).unwrap_err();
            let msg = d.to_string();
            let fix = msg
                .split("--allow-resolve=")
                .nth(1)
                .unwrap()
                .trim_end_matches(')');
            let p = policy(&[], &[fix]);
            assert!(p.check_resolve(host).is_ok(), "{msg}");
        }
    }

    #[test]
    fn denial_keys_separate_op_address_and_name() {
        let p = Policy::new();
        let k = |op, a: &str| p.check_addr(op, sa(a)).unwrap_err().key();
        assert_eq!(k(Op::Connect, "10.0.0.1:80"), "connect 10.0.0.1:80");
        assert_eq!(
            k(Op::Connect, "[::ffff:10.0.0.1]:80"),
            "connect 10.0.0.1:80"
        );
        assert_ne!(k(Op::Connect, "10.0.0.1:80"), k(Op::Bind, "10.0.0.1:80"));
        assert_ne!(k(Op::Connect, "10.0.0.1:80"), k(Op::Connect, "10.0.0.1:81"));
        assert_eq!(p.check_resolve("a.org").unwrap_err().key(), "resolve a.org");
    }

    #[test]
    fn canonicalize_only_touches_mapped() {
        let cases = [
            ("[::ffff:10.0.0.1]:5", "10.0.0.1:5"),
            ("[::ffff:0.0.0.0]:0", "0.0.0.0:0"),
            ("[::ffff:255.255.255.255]:65535", "255.255.255.255:65535"),
            ("[::1]:5", "[::1]:5"),
            // IPv4-compatible (deprecated) addresses are not mapped: they stay IPv6.
            ("[::10.0.0.1]:5", "[::a00:1]:5"),
            ("[::]:5", "[::]:5"),
            ("[64:ff9b::10.0.0.1]:5", "[64:ff9b::a00:1]:5"),
            ("10.0.0.1:5", "10.0.0.1:5"),
            ("[fe80::1%3]:5", "[fe80::1%3]:5"),
        ];
        for (input, want) in cases {
            assert_eq!(canonicalize(sa(input)).to_string(), want, "{input}");
        }
    }

    #[test]
    fn printable_escapes_only_what_could_forge_a_line() {
        assert!(matches!(printable("a.example.com"), Cow::Borrowed(_)));
        assert_eq!(printable("a\r\nb"), "a\\r\\nb");
        assert_eq!(printable("a\\b"), "a\\\\b");
        assert_eq!(printable("tab\there"), "tab\\there");
        assert_eq!(printable("bücher"), "bücher");
        assert_eq!(printable("a b"), "a b");
        assert_eq!(printable("a\u{2028}b"), "a\\u{2028}b");
    }
}

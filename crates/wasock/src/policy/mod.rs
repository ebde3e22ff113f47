//! The network capability policy: pure decisions, no I/O, deny by default.
//!
//! `--addr-pool` ([`AddrPool`]) governs bind, connect, sendto and the auto-bind of `listen`;
//! `--allow-resolve` ([`ResolveAllowList`]) governs name resolution. Targets are canonicalised
//! first (IPv4-mapped IPv6 is matched as IPv4).

mod addr_pool;
mod resolve;

pub use addr_pool::{AddrPool, PoolEntry};
pub use resolve::ResolveAllowList;

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// A socket operation the pool governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `bind` (the local address).
    Bind,
    /// `connect` (the remote address).
    Connect,
    /// `sendto` (the destination).
    SendTo,
    /// `listen` on a never-bound socket: checked as a bind to the wildcard address, port 0.
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

/// A start-up error in a policy flag, naming the bad value and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A bad `--addr-pool` entry.
    #[error("invalid --addr-pool entry `{entry}`: {reason}")]
    AddrPool {
        /// The entry as given.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A bad `--allow-resolve` pattern.
    #[error("invalid --allow-resolve pattern `{pattern}`: {reason}")]
    AllowResolve {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A refused operation; `Display` is the one-line diagnostic (without the `wasock: ` prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Denial {
    /// An address outside the pool.
    Addr {
        /// The operation.
        op: Op,
        /// The (canonical) address.
        addr: SocketAddr,
        /// The pool covers the address but not this port.
        port_only: bool,
    },
    /// A name outside the allow-list.
    Resolve {
        /// The name.
        host: String,
    },
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::Addr { op, addr, port_only } => {
                let host = match addr.ip() {
                    IpAddr::V4(a) => format!("{a}/32"),
                    IpAddr::V6(a) => format!("{a}/128"),
                };
                if *port_only {
                    let entry = match addr.ip() {
                        IpAddr::V4(_) => format!("{host}:{}", addr.port()),
                        IpAddr::V6(_) => format!("[{}]/128:{}", addr.ip(), addr.port()),
                    };
                    write!(f, "denied {op} to {addr}: port {} not in --addr-pool (allow it with --addr-pool={entry})", addr.port())
                } else {
                    write!(f, "denied {op} to {addr}: not in --addr-pool (allow it with --addr-pool={host})")
                }
            }
            Denial::Resolve { host } => write!(f, "denied resolve of {host}: not in --allow-resolve (allow it with --allow-resolve={host})"),
        }
    }
}

/// The whole policy of one instance; the default denies everything.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// `--addr-pool`.
    pub addr_pool: AddrPool,
    /// `--allow-resolve`.
    pub resolve: ResolveAllowList,
}

impl Policy {
    /// Decides whether `op` may use `addr`.
    pub fn check_addr(&self, op: Op, addr: SocketAddr) -> Result<(), Denial> {
        let addr = canonicalize(addr);
        if self.addr_pool.allows(addr) {
            return Ok(());
        }
        Err(Denial::Addr {
            op,
            addr,
            port_only: self.addr_pool.allows_ip_only(addr),
        })
    }

    /// Decides whether `host` may be resolved (IP literals always may).
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

/// Canonical form for matching: `::ffff:a.b.c.d` becomes `a.b.c.d` (port kept).
pub fn canonicalize(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(a) => match a.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), a.port()),
            None => addr,
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(pool: &str, resolve: &str) -> Policy {
        let mut p = Policy::default();
        if !pool.is_empty() {
            p.addr_pool.add_flag(pool).unwrap();
        }
        if !resolve.is_empty() {
            p.resolve.add_flag(resolve).unwrap();
        }
        p
    }

    #[test]
    fn deny_by_default() {
        let p = Policy::default();
        for op in [Op::Bind, Op::Connect, Op::SendTo, Op::Listen] {
            assert!(p.check_addr(op, "127.0.0.1:80".parse().unwrap()).is_err());
        }
        assert!(p.check_resolve("localhost").is_err());
        assert!(p.check_resolve("127.0.0.1").is_ok());
    }

    #[test]
    fn denial_messages_name_the_fix() {
        let p = policy("127.0.0.1/32:8000-8100", "");
        let d = p
            .check_addr(Op::Connect, "127.0.0.2:80".parse().unwrap())
            .unwrap_err();
        assert_eq!(d.to_string(), "denied connect to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)");
        let d = p
            .check_addr(Op::Bind, "127.0.0.1:9000".parse().unwrap())
            .unwrap_err();
        assert_eq!(d.to_string(), "denied bind to 127.0.0.1:9000: port 9000 not in --addr-pool (allow it with --addr-pool=127.0.0.1/32:9000)");
        let d = p
            .check_addr(Op::SendTo, "[::1]:53".parse().unwrap())
            .unwrap_err();
        assert_eq!(
            d.to_string(),
            "denied sendto to [::1]:53: not in --addr-pool (allow it with --addr-pool=::1/128)"
        );
        let d = p
            .check_addr(Op::Connect, "[::ffff:127.0.0.2]:80".parse().unwrap())
            .unwrap_err();
        assert_eq!(d.to_string(), "denied connect to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)");
        let d = p.check_resolve("example.org").unwrap_err();
        assert_eq!(d.to_string(), "denied resolve of example.org: not in --allow-resolve (allow it with --allow-resolve=example.org)");
    }

    #[test]
    fn every_op_obeys_the_pool() {
        let p = policy("127.0.0.1/32,::1/128", "localhost");
        for op in [Op::Bind, Op::Connect, Op::SendTo, Op::Listen] {
            assert!(p.check_addr(op, "127.0.0.1:1".parse().unwrap()).is_ok());
            assert!(p.check_addr(op, "[::1]:1".parse().unwrap()).is_ok());
            assert!(p
                .check_addr(op, "[::ffff:127.0.0.1]:1".parse().unwrap())
                .is_ok());
            assert!(p.check_addr(op, "0.0.0.0:0".parse().unwrap()).is_err());
            assert!(p.check_addr(op, "[::]:0".parse().unwrap()).is_err());
            assert!(p.check_addr(op, "127.0.0.2:1".parse().unwrap()).is_err());
        }
        assert!(p.check_resolve("LocalHost.").is_ok());
        assert!(p.check_resolve("localhost.example.com").is_err());
    }

    #[test]
    fn canonicalize_only_touches_mapped() {
        let c = |s: &str| canonicalize(s.parse().unwrap()).to_string();
        assert_eq!(c("[::ffff:10.0.0.1]:5"), "10.0.0.1:5");
        assert_eq!(c("[::1]:5"), "[::1]:5");
        assert_eq!(c("[::10.0.0.1]:5"), "[::a00:1]:5");
        assert_eq!(c("10.0.0.1:5"), "10.0.0.1:5");
    }
}

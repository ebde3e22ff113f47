//! `--addr-pool`: the CIDR (+ optional port range) entries a guest may bind, connect and send to.

use super::{canonicalize, PolicyError};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// One pool entry: a network and an optional inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolEntry {
    /// The network address (canonical: IPv4-mapped entries are stored as IPv4).
    pub net: IpAddr,
    /// Prefix length in bits (0–32 or 0–128).
    pub prefix: u8,
    /// Allowed ports, inclusive; `None` means every port.
    pub ports: Option<(u16, u16)>,
}

impl PoolEntry {
    /// Whether this entry allows `addr` (already canonical).
    pub fn allows(&self, addr: &SocketAddr) -> bool {
        let port_ok = self
            .ports
            .is_none_or(|(lo, hi)| (lo..=hi).contains(&addr.port()));
        port_ok && self.contains(&addr.ip())
    }

    /// Whether `ip` is inside the network (same family, equal first `prefix` bits).
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(
                u128::from(u32::from(n)) << 96,
                u128::from(u32::from(*a)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(u128::from(n), u128::from(*a), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, prefix: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - u32::from(prefix));
    a & mask == b & mask
}

impl fmt::Display for PoolEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports = |f: &mut fmt::Formatter<'_>| match self.ports {
            None => Ok(()),
            Some((lo, hi)) if lo == hi => write!(f, ":{lo}"),
            Some((lo, hi)) => write!(f, ":{lo}-{hi}"),
        };
        match (self.net, self.ports) {
            (IpAddr::V6(a), Some(_)) => write!(f, "[{a}]/{}", self.prefix)?,
            (a, _) => write!(f, "{a}/{}", self.prefix)?,
        }
        ports(f)
    }
}

/// The address pool; empty denies everything.
#[derive(Debug, Clone, Default)]
pub struct AddrPool {
    entries: Vec<PoolEntry>,
}

impl AddrPool {
    /// An empty pool (deny all).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one `--addr-pool` value (comma-separated entries); returns warnings to print.
    pub fn add_flag(&mut self, value: &str) -> Result<Vec<String>, PolicyError> {
        let mut warnings = Vec::new();
        for raw in value.split(',') {
            let entry = parse_entry(raw.trim())?;
            let zero = match entry.net {
                IpAddr::V4(a) => a.is_unspecified(),
                IpAddr::V6(a) => a.is_unspecified(),
            };
            if zero && entry.prefix > 0 {
                let all = if entry.net.is_ipv4() {
                    "0.0.0.0/0"
                } else {
                    "::/0"
                };
                warnings.push(format!(
                    "--addr-pool entry {raw} covers only {entry}: iwasm treats an all-zero entry as \"every address\", wasock does not (use {all} to grant every address)"
                ));
            }
            self.entries.push(entry);
        }
        Ok(warnings)
    }

    /// Adds a parsed entry.
    pub fn push(&mut self, entry: PoolEntry) {
        self.entries.push(entry);
    }

    /// Whether any entry allows `addr` (IPv4-mapped IPv6 is matched as IPv4).
    pub fn allows(&self, addr: SocketAddr) -> bool {
        let addr = canonicalize(addr);
        self.entries.iter().any(|e| e.allows(&addr))
    }

    /// Whether some entry covers the address but not the port (for a precise diagnostic).
    pub fn allows_ip_only(&self, addr: SocketAddr) -> bool {
        let addr = canonicalize(addr);
        self.entries.iter().any(|e| e.contains(&addr.ip()))
    }

    /// The entries, in the order given.
    pub fn entries(&self) -> &[PoolEntry] {
        &self.entries
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn bad(entry: &str, why: impl Into<String>) -> PolicyError {
    PolicyError::AddrPool {
        entry: entry.to_string(),
        reason: why.into(),
    }
}

/// Parses `ADDR[/MASK][:PORT[-PORT]]`, with IPv6 in brackets when a port follows.
fn parse_entry(raw: &str) -> Result<PoolEntry, PolicyError> {
    if raw.is_empty() {
        return Err(bad(
            raw,
            "empty entry (expected ADDRESS/MASK, e.g. 127.0.0.1/32)",
        ));
    }
    // Split off the port part: after "]" for bracketed IPv6, else after the ':' of an IPv4
    // entry (exactly one colon; a bare IPv6 address has several and cannot carry a port).
    let (addr_mask, ports) = if let Some(rest) = raw.strip_prefix('[') {
        let close = rest
            .find(']')
            .ok_or_else(|| bad(raw, "missing ']' after a bracketed IPv6 address"))?;
        let (inside, after) = (&rest[..close], &rest[close + 1..]);
        let (mask, ports) = match after.split_once(':') {
            Some((m, p)) => (m, Some(p)),
            None => (after, None),
        };
        (format!("{inside}{mask}"), ports)
    } else if raw.matches(':').count() == 1 {
        match raw.split_once(':') {
            Some((a, p)) => (a.to_string(), Some(p)),
            None => (raw.to_string(), None),
        }
    } else {
        (raw.to_string(), None)
    };
    let (addr, mask) = match addr_mask.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (addr_mask.as_str(), None),
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| bad(raw, format!("`{addr}` is not an IPv4 or IPv6 address")))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match mask {
        None => max,
        Some(m) => {
            let n: u32 = m
                .parse()
                .map_err(|_| bad(raw, format!("mask `{m}` must be a number from 0 to {max}")))?;
            if n > u32::from(max) {
                return Err(bad(raw, format!("mask /{n} is larger than /{max}")));
            }
            n as u8
        }
    };
    let ports = match ports {
        None => None,
        Some(p) => Some(parse_ports(raw, p)?),
    };
    // An IPv4-mapped IPv6 entry means the IPv4 network (targets are canonicalised the same way).
    let (ip, prefix) = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) if prefix >= 96 => (IpAddr::V4(v4), prefix - 96),
            _ => (ip, prefix),
        },
        v4 => (v4, prefix),
    };
    Ok(PoolEntry {
        net: mask_net(ip, prefix),
        prefix,
        ports,
    })
}

fn parse_ports(raw: &str, p: &str) -> Result<(u16, u16), PolicyError> {
    let port = |s: &str| {
        s.parse::<u16>()
            .map_err(|_| bad(raw, format!("port `{s}` must be a number from 0 to 65535")))
    };
    let (lo, hi) = match p.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => (port(p)?, port(p)?),
    };
    if lo > hi {
        return Err(bad(raw, format!("port range {lo}-{hi} is empty")));
    }
    Ok((lo, hi))
}

/// Clears the host bits so the entry prints as the network it denotes.
fn mask_net(ip: IpAddr, prefix: u8) -> IpAddr {
    let keep = |bits: u32, width: u32| {
        if bits == 0 {
            0u128
        } else {
            u128::MAX << (width - bits)
        }
    };
    match ip {
        IpAddr::V4(a) => {
            let m = keep(u32::from(prefix), 32) as u32;
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & m))
        }
        IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & keep(u32::from(prefix), 128))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(v: &str) -> AddrPool {
        let mut p = AddrPool::new();
        p.add_flag(v).unwrap();
        p
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_wamr_and_extended_syntax() {
        let cases: &[(&str, &str)] = &[
            ("127.0.0.1/32", "127.0.0.1/32"),
            ("127.0.0.1", "127.0.0.1/32"),
            ("10.1.2.3/8", "10.0.0.0/8"),
            ("::1", "::1/128"),
            ("fe80::/10", "fe80::/10"),
            ("0:0:0:0:0:0:0:1/128", "::1/128"),
            ("127.0.0.1/32:8000-8100", "127.0.0.1/32:8000-8100"),
            ("127.0.0.1:80", "127.0.0.1/32:80"),
            ("[::1]/128:443", "[::1]/128:443"),
            ("[::1]:443", "[::1]/128:443"),
            ("::ffff:127.0.0.1/128", "127.0.0.1/32"),
            ("0.0.0.0/0", "0.0.0.0/0"),
        ];
        for (input, shown) in cases {
            let p = pool(input);
            assert_eq!(p.entries()[0].to_string(), *shown, "{input}");
        }
        assert_eq!(pool("127.0.0.1/32, ::1/128").entries().len(), 2);
    }

    #[test]
    fn rejects_bad_entries_naming_them() {
        for bad in [
            "",
            "/32",
            "127.0.0.1/33",
            "127.0.0.1/256",
            "127.0.0.1/288",
            "127.0.0.1/-1",
            "127.0.0.1/x",
            "::1/129",
            "1.2.3/8",
            "localhost/32",
            "127.0.0.1/32:70000",
            "127.0.0.1/32:90-80",
            "127.0.0.1/32:",
            "[::1/128:80",
        ] {
            let err = AddrPool::new().add_flag(bad).unwrap_err().to_string();
            assert!(
                err.contains(&format!("`{bad}`")) || bad.is_empty(),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn strict_cidr_edges() {
        let p = pool("0.0.0.0/15");
        assert!(p.allows(sa("0.1.255.255:1")));
        assert!(!p.allows(sa("0.2.0.0:1")));
        assert!(!p.allows(sa("127.0.0.1:1")));
        let p = pool("10.0.0.0/8");
        assert!(p.allows(sa("10.0.0.0:1")) && p.allows(sa("10.255.255.255:1")));
        assert!(!p.allows(sa("9.255.255.255:1")) && !p.allows(sa("11.0.0.0:1")));
        let p = pool("127.0.0.1/31");
        assert!(
            p.allows(sa("127.0.0.0:1"))
                && p.allows(sa("127.0.0.1:1"))
                && !p.allows(sa("127.0.0.2:1"))
        );
        assert!(pool("0.0.0.0/0").allows(sa("203.0.113.9:1")));
        assert!(!pool("0.0.0.0/0").allows(sa("[::1]:1")));
        assert!(pool("::/0").allows(sa("[2001:db8::1]:1")));
        let p = pool("fe80::/10");
        assert!(p.allows(sa("[febf:ffff::1]:1")) && !p.allows(sa("[fec0::1]:1")));
        assert!(
            pool("1.2.3.4/32").allows(sa("1.2.3.4:9"))
                && !pool("1.2.3.4/32").allows(sa("1.2.3.5:9"))
        );
    }

    #[test]
    fn zero_base_warns_and_means_what_it_says() {
        let w = AddrPool::new().add_flag("0.0.0.0/15").unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("0.0.0.0/0"), "{}", w[0]);
        assert_eq!(AddrPool::new().add_flag("::/64").unwrap().len(), 1);
        assert!(AddrPool::new().add_flag("0.0.0.0/0").unwrap().is_empty());
        assert!(AddrPool::new().add_flag("0.0.0.0/32").unwrap().len() == 1);
    }

    #[test]
    fn ports_and_ranges() {
        let p = pool("127.0.0.1/32:8000-8100");
        assert!(p.allows(sa("127.0.0.1:8000")) && p.allows(sa("127.0.0.1:8100")));
        assert!(!p.allows(sa("127.0.0.1:7999")) && !p.allows(sa("127.0.0.1:8101")));
        assert!(!p.allows(sa("127.0.0.1:0")));
        assert!(p.allows_ip_only(sa("127.0.0.1:9000")));
        let p = pool("[::1]/128:443");
        assert!(p.allows(sa("[::1]:443")) && !p.allows(sa("[::1]:444")));
        assert!(pool("127.0.0.1/32:0-100").allows(sa("127.0.0.1:0")));
    }

    #[test]
    fn mapped_ipv6_cannot_bypass() {
        let p = pool("127.0.0.1/32");
        assert!(p.allows(sa("[::ffff:127.0.0.1]:80")));
        assert!(!p.allows(sa("[::ffff:127.0.0.2]:80")));
        // ::/0 is every IPv6 address, but a mapped target is an IPv4 address.
        assert!(!pool("::/0").allows(sa("[::ffff:127.0.0.1]:80")));
        assert!(!pool("::/128").allows(sa("[::ffff:0.0.0.0]:80")));
        assert!(!pool("::ffff:0:0/96").allows(sa("[::1]:80")));
        assert!(pool("::ffff:0:0/96").allows(sa("[::ffff:10.0.0.1]:80")));
    }

    #[test]
    fn unspecified_is_an_ordinary_target() {
        assert!(!pool("127.0.0.1/32").allows(sa("0.0.0.0:0")));
        assert!(pool("0.0.0.0/32").allows(sa("0.0.0.0:0")));
        assert!(!pool("::1/128").allows(sa("[::]:0")));
        assert!(AddrPool::new().is_empty() && !AddrPool::new().allows(sa("127.0.0.1:1")));
    }
}

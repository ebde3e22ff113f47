//! `--addr-pool`: the CIDR networks (each with an optional port range) a guest may bind,
//! connect and send to.
//!
//! Entry syntax: `ADDRESS[/MASK][:PORT[-PORT]]`, IPv4 dotted quad or any IPv6 text form; an
//! IPv6 entry with a port is written in brackets (`[::1]/128:443`, `[::1]:443`), because a
//! bare `::1:443` is itself a valid IPv6 address. No mask means /32 or /128.

use super::{canonicalize, PolicyError};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// One pool entry: a network and an optional inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolEntry {
    /// The network address (host bits cleared; IPv4-mapped entries are stored as IPv4).
    pub net: IpAddr,
    /// Prefix length in bits: 0–32 for IPv4, 0–128 for IPv6.
    pub prefix: u8,
    /// Allowed ports, inclusive; `None` allows every port (including 0, "any port").
    pub ports: Option<(u16, u16)>,
}

impl PoolEntry {
    /// Whether this entry allows `addr` (IPv4-mapped targets are matched as IPv4).
    pub fn allows(&self, addr: SocketAddr) -> bool {
        let addr = canonicalize(addr);
        self.allows_port(addr.port()) && self.contains(addr.ip())
    }

    /// Whether `port` is inside the entry's port range (every port if it has none).
    pub fn allows_port(&self, port: u16) -> bool {
        self.ports.is_none_or(|(lo, hi)| (lo..=hi).contains(&port))
    }

    /// Whether `ip` is inside the network: same family (after canonicalisation) and the
    /// first `prefix` bits equal.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (n, width) = bits(self.net);
        let (a, a_width) = bits(ip.to_canonical());
        width == a_width && (n ^ a) & net_mask(width, self.prefix) == 0
    }

    /// The first and last address of the network.
    pub fn range(&self) -> (IpAddr, IpAddr) {
        let (n, width) = bits(self.net);
        let mask = net_mask(width, self.prefix);
        let all = net_mask(width, 128);
        (
            from_bits(n & mask, width),
            from_bits((n & mask) | (all & !mask), width),
        )
    }
}

/// Prints the entry in flag syntax; the output parses back to the same entry.
impl fmt::Display for PoolEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.net, self.ports) {
            (IpAddr::V6(a), Some(_)) => write!(f, "[{a}]/{}", self.prefix)?,
            (a, _) => write!(f, "{a}/{}", self.prefix)?,
        }
        match self.ports {
            None => Ok(()),
            Some((lo, hi)) if lo == hi => write!(f, ":{lo}"),
            Some((lo, hi)) => write!(f, ":{lo}-{hi}"),
        }
    }
}

/// Parses one entry (no commas); warnings are dropped, use [`AddrPool::add_flag`] to get them.
impl FromStr for PoolEntry {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, PolicyError> {
        parse_entry(s.trim(), "--addr-pool entry").map(|(entry, _)| entry)
    }
}

/// The address pool; empty (the default) denies everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddrPool {
    entries: Vec<PoolEntry>,
}

impl AddrPool {
    /// An empty pool: denies every address.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one `--addr-pool` value (comma-separated entries); returns warnings to print.
    ///
    /// All entries are parsed before any is added, so an error leaves the pool unchanged.
    pub fn add_flag(&mut self, value: &str) -> Result<Vec<String>, PolicyError> {
        let (parsed, warnings) = Self::parse_flag(value)?;
        self.entries.extend(parsed);
        Ok(warnings)
    }

    /// Parses one `--addr-pool` value into its entries and start-up warnings, all or nothing.
    pub fn parse_flag(value: &str) -> Result<(Vec<PoolEntry>, Vec<String>), PolicyError> {
        let mut parsed = Vec::new();
        let mut warnings = Vec::new();
        for raw in value.split(',') {
            let (entry, warning) = parse_entry(raw.trim(), "--addr-pool entry")?;
            parsed.push(entry);
            warnings.extend(warning);
        }
        Ok((parsed, warnings))
    }

    /// Adds an already-built entry (for embedders that do not go through flag syntax).
    pub fn push(&mut self, entry: PoolEntry) {
        self.entries.push(entry);
    }

    /// Whether some entry allows `addr` (IPv4-mapped IPv6 is matched as IPv4).
    pub fn allows(&self, addr: SocketAddr) -> bool {
        let addr = canonicalize(addr);
        self.entries.iter().any(|e| e.allows(addr))
    }

    /// Whether some entry covers `ip` on any port (tells a port-only denial apart).
    pub fn allows_ip(&self, ip: IpAddr) -> bool {
        self.entries.iter().any(|e| e.contains(ip))
    }

    /// The entries, in the order given.
    pub fn entries(&self) -> &[PoolEntry] {
        &self.entries
    }

    /// Whether the pool is empty (denies everything).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The address as an integer and its width in bits (32 or 128).
fn bits(ip: IpAddr) -> (u128, u32) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn from_bits(v: u128, width: u32) -> IpAddr {
    if width == 32 {
        // `v` came from a masked 32-bit value: the truncation loses nothing.
        IpAddr::V4(Ipv4Addr::from(v as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(v))
    }
}

/// The network mask of `prefix` leading ones in a `width`-bit address. The prefix is clamped to
/// the width, so a hand-built [`PoolEntry`] with an oversized prefix cannot overflow a shift.
fn net_mask(width: u32, prefix: u8) -> u128 {
    let prefix = u32::from(prefix).min(width);
    if prefix == 0 {
        0
    } else {
        (u128::MAX << (128 - prefix)) >> (128 - width)
    }
}

fn bad(entry: &str, reason: impl Into<String>) -> PolicyError {
    PolicyError::AddrPool {
        entry: entry.to_string(),
        reason: reason.into(),
    }
}

/// Decimal digits only: Rust's integer parsers would also take a leading `+`.
fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses one trimmed entry into the entry and an optional start-up warning, which names the
/// entry as `what` (`--addr-pool entry`, `rule target`).
pub(crate) fn parse_entry(
    raw: &str,
    what: &str,
) -> Result<(PoolEntry, Option<String>), PolicyError> {
    if raw.is_empty() {
        return Err(bad(
            raw,
            "empty entry (expected ADDRESS[/MASK][:PORT[-PORT]], e.g. 127.0.0.1/32; \
             check for a stray comma)",
        ));
    }
    let Parts {
        addr,
        mask,
        ports,
        bracketed,
    } = split_entry(raw)?;
    if addr.is_empty() {
        return Err(bad(raw, "missing address before the mask or port"));
    }
    let ip: IpAddr = addr.parse().map_err(|_| {
        bad(
            raw,
            format!("`{addr}` is not an IPv4 or IPv6 address (host names are not allowed)"),
        )
    })?;
    if bracketed && ip.is_ipv4() {
        return Err(bad(
            raw,
            format!("brackets are only for IPv6 addresses: write {addr}/32:PORT"),
        ));
    }
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match mask {
        None => max,
        Some(m) => parse_mask(raw, m, max, ip.is_ipv6())?,
    };
    let ports = ports.map(|p| parse_ports(raw, p)).transpose()?;

    // An IPv4-mapped entry means the IPv4 network: targets are matched that way too, so as an
    // IPv6 entry it could never match anything.
    let (net, prefix, mapped) = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) if prefix >= 96 => (IpAddr::V4(v4), prefix - 96, true),
            _ => (ip, prefix, false),
        },
        IpAddr::V4(_) => (ip, prefix, false),
    };
    let entry = PoolEntry { net, prefix, ports };
    let entry = PoolEntry {
        net: entry.range().0,
        ..entry
    };
    let mut warning = None;
    if mapped {
        // iwasm matched such an entry only for IPv6 sockets: it now allows IPv4 sockets too.
        warning = Some(format!(
            "{what} `{raw}` is IPv4-mapped: wasock matches it as {entry}, for \
             IPv4 and IPv6 sockets alike (iwasm matched it only on IPv6 sockets)"
        ));
    }
    // iwasm treats an all-zero address as "every address of the family" whatever the mask;
    // wasock takes the mask literally, which is narrower: warn so nobody loses access silently.
    // A full mask (`0.0.0.0/32`, `::/128`) is the wildcard address itself, which a server
    // binding every interface needs: that is meant, not a mistake.
    let full = if ip.is_ipv4() { 32 } else { 128 };
    if ip.is_unspecified() && prefix > 0 && prefix < full {
        let (first, last) = entry.range();
        let covers = if first == last {
            format!("only the address {first}")
        } else {
            format!("only {first} to {last}")
        };
        let (family, all) = if ip.is_ipv4() {
            ("IPv4", "0.0.0.0/0")
        } else {
            ("IPv6", "::/0")
        };
        warning = Some(format!(
            "{what} `{raw}` allows {covers}: iwasm treats an all-zero address as \
             every {family} address whatever the mask, wasock does not (write {all} to allow \
             every {family} address)"
        ));
    }
    Ok((entry, warning))
}

/// The textual parts of an entry, before any of them is parsed.
struct Parts<'a> {
    addr: &'a str,
    mask: Option<&'a str>,
    ports: Option<&'a str>,
    /// The address was written in brackets (`[::1]`), which only IPv6 may be.
    bracketed: bool,
}

/// Splits an entry into its parts; only bracket errors are found here.
fn split_entry(raw: &str) -> Result<Parts<'_>, PolicyError> {
    if let Some(rest) = raw.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or_else(|| {
            bad(
                raw,
                "missing `]` after the bracketed IPv6 address (e.g. [::1]/128:443)",
            )
        })?;
        if inside.contains('/') {
            return Err(bad(
                raw,
                "the mask goes after the bracket: write [ADDRESS]/MASK:PORT, e.g. [::1]/128:443",
            ));
        }
        let (mask, ports) = match after.split_once(':') {
            Some((m, p)) => (m, Some(p)),
            None => (after, None),
        };
        let mask = match mask.strip_prefix('/') {
            Some(m) => Some(m),
            None if mask.is_empty() => None,
            None => {
                return Err(bad(
                    raw,
                    format!("unexpected `{mask}` after `]` (expected /MASK or :PORT)"),
                ))
            }
        };
        return Ok(Parts {
            addr: inside,
            mask,
            ports,
            bracketed: true,
        });
    }
    // Without brackets only IPv4 can carry a port: it is the one entry form with exactly one
    // colon (any IPv6 text has at least two).
    let (addr_mask, ports) = match raw.split_once(':') {
        Some((a, p)) if !p.contains(':') => (a, Some(p)),
        _ => (raw, None),
    };
    let (addr, mask) = match addr_mask.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (addr_mask, None),
    };
    Ok(Parts {
        addr,
        mask,
        ports,
        bracketed: false,
    })
}

fn parse_mask(raw: &str, m: &str, max: u8, v6: bool) -> Result<u8, PolicyError> {
    if m.is_empty() {
        return Err(bad(raw, format!("missing mask after `/` (0 to {max})")));
    }
    if !is_decimal(m) {
        let mut reason = format!("mask `{m}` is not a decimal number from 0 to {max}");
        if v6 && m.contains(':') {
            reason.push_str(" (an IPv6 entry with a port needs brackets, e.g. [::1]/128:443)");
        }
        return Err(bad(raw, reason));
    }
    match m.parse::<u32>() {
        Ok(n) if n <= u32::from(max) => Ok(n as u8),
        parsed => {
            let mut reason = format!("mask /{m} is out of range 0-{max}");
            // iwasm keeps only the low 8 bits: tell the user what it would have meant there.
            if let Ok(n) = parsed {
                let low = n % 256;
                if low <= u32::from(max) {
                    reason.push_str(&format!(
                        " (iwasm reads it as /{low}; write /{low} if that is what you mean)"
                    ));
                }
            }
            Err(bad(raw, reason))
        }
    }
}

pub(crate) fn parse_ports(raw: &str, p: &str) -> Result<(u16, u16), PolicyError> {
    if p.is_empty() {
        return Err(bad(
            raw,
            "missing port after `:` (PORT or PORT-PORT, 0 to 65535)",
        ));
    }
    let port = |s: &str| match s.parse::<u16>() {
        Ok(n) if is_decimal(s) => Ok(n),
        _ => Err(bad(
            raw,
            format!("port `{s}` is not a decimal number from 0 to 65535"),
        )),
    };
    let (lo, hi) = match p.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => (port(p)?, port(p)?),
    };
    if lo > hi {
        return Err(bad(
            raw,
            format!("port range {lo}-{hi} is reversed (write {hi}-{lo})"),
        ));
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(values: &[&str]) -> AddrPool {
        let mut p = AddrPool::new();
        for v in values {
            p.add_flag(v).unwrap();
        }
        p
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_wamr_and_extended_syntax() {
        // (input, entry in flag syntax, number of warnings)
        let cases: &[(&str, &str, usize)] = &[
            ("127.0.0.1/32", "127.0.0.1/32", 0),
            ("127.0.0.1", "127.0.0.1/32", 0),
            (" 127.0.0.1/32 ", "127.0.0.1/32", 0),
            ("127.0.0.1/032", "127.0.0.1/32", 0),
            ("10.1.2.3/8", "10.0.0.0/8", 0),
            ("10.1.2.3/0", "0.0.0.0/0", 0),
            ("128.0.0.1/1", "128.0.0.0/1", 0),
            ("255.255.255.255/31", "255.255.255.254/31", 0),
            ("0.0.0.0/0", "0.0.0.0/0", 0),
            ("0.0.0.0/15", "0.0.0.0/15", 1),
            ("0.0.0.0/32", "0.0.0.0/32", 0),
            ("0.0.0.0", "0.0.0.0/32", 0),
            ("::1", "::1/128", 0),
            ("::1/128", "::1/128", 0),
            ("0:0:0:0:0:0:0:1/128", "::1/128", 0),
            (
                "2001:0DB8:0000:0000:0000:0000:0000:0001/64",
                "2001:db8::/64",
                0,
            ),
            ("fe80::/10", "fe80::/10", 0),
            ("fe80::1/10", "fe80::/10", 0),
            ("::/0", "::/0", 0),
            ("::/64", "::/64", 1),
            ("::", "::/128", 0),
            ("::/128", "::/128", 0),
            ("127.0.0.1/32:80", "127.0.0.1/32:80", 0),
            ("127.0.0.1:80", "127.0.0.1/32:80", 0),
            ("127.0.0.1/32:8000-8100", "127.0.0.1/32:8000-8100", 0),
            ("127.0.0.1/32:80-80", "127.0.0.1/32:80", 0),
            ("127.0.0.1/32:0", "127.0.0.1/32:0", 0),
            ("127.0.0.1/32:0-65535", "127.0.0.1/32:0-65535", 0),
            ("127.0.0.1/32:00080", "127.0.0.1/32:80", 0),
            ("[::1]/128:443", "[::1]/128:443", 0),
            ("[::1]:443", "[::1]/128:443", 0),
            ("[::1]", "::1/128", 0),
            ("[::1]/128", "::1/128", 0),
            ("[fe80::]/10", "fe80::/10", 0),
            ("[2001:db8::]/32:1000-2000", "[2001:db8::]/32:1000-2000", 0),
            ("[::]:0", "[::]/128:0", 0),
            // IPv4-mapped entries become the IPv4 entry they denote (with a warning).
            ("::ffff:127.0.0.1/128", "127.0.0.1/32", 1),
            ("::ffff:127.0.0.1", "127.0.0.1/32", 1),
            ("::ffff:0:0/96", "0.0.0.0/0", 1),
            ("::ffff:10.9.8.7/104", "10.0.0.0/8", 1),
            ("[::ffff:127.0.0.1]:80", "127.0.0.1/32:80", 1),
            // Below /96 the entry is not inside the mapped range: it stays IPv6.
            ("::ffff:0:0/95", "::fffe:0:0/95", 0),
        ];
        for (input, shown, nwarn) in cases {
            let mut p = AddrPool::new();
            let warnings = p.add_flag(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(p.entries().len(), 1, "{input}");
            assert_eq!(p.entries()[0].to_string(), *shown, "{input}");
            assert_eq!(warnings.len(), *nwarn, "{input}: {warnings:?}");
            // Display is flag syntax: it parses back to the same entry, without new warnings
            // unless the entry itself is all-zero.
            let again: PoolEntry = shown.parse().unwrap();
            assert_eq!(again, p.entries()[0], "{input} -> {shown}");
            assert_eq!(input.parse::<PoolEntry>().unwrap(), again, "{input}");
        }
    }

    #[test]
    fn several_entries_and_flags_accumulate_without_a_limit() {
        let mut p = AddrPool::new();
        p.add_flag("127.0.0.1/32, ::1/128,10.0.0.0/8:80").unwrap();
        assert_eq!(p.entries().len(), 3);
        for i in 0..20 {
            p.add_flag(&format!("192.168.{i}.0/24")).unwrap();
        }
        assert_eq!(p.entries().len(), 23);
        assert!(p.allows(sa("192.168.19.200:1")) && p.allows(sa("10.2.3.4:80")));
        assert!(!p.allows(sa("192.168.20.1:1")) && !p.allows(sa("10.2.3.4:81")));
    }

    #[test]
    fn rejects_bad_entries_naming_them_and_the_fix() {
        // (entry, text the reason must contain)
        let cases: &[(&str, &str)] = &[
            ("", "empty entry"),
            ("  ", "empty entry"),
            ("/32", "missing address"),
            (":80", "missing address"),
            ("[]:80", "missing address"),
            ("127.0.0.1/", "missing mask"),
            ("[::1]/", "missing mask"),
            ("127.0.0.1/33", "mask /33 is out of range 0-32"),
            ("127.0.0.1/256", "iwasm reads it as /0"),
            ("127.0.0.1/288", "iwasm reads it as /32"),
            ("127.0.0.1/300", "out of range 0-32"),
            ("127.0.0.1/-1", "not a decimal number from 0 to 32"),
            ("127.0.0.1/x", "not a decimal number"),
            ("127.0.0.1/+8", "not a decimal number"),
            ("127.0.0.1/8.0", "not a decimal number"),
            ("127.0.0.1/99999999999999999999", "out of range 0-32"),
            ("::1/129", "mask /129 is out of range 0-128"),
            ("::1/256", "iwasm reads it as /0"),
            ("::1/-1", "not a decimal number from 0 to 128"),
            ("::1/128:443", "needs brackets"),
            ("1.2.3/8", "`1.2.3` is not an IPv4 or IPv6 address"),
            ("1.2.3.4.5/8", "not an IPv4 or IPv6 address"),
            ("256.0.0.1/32", "not an IPv4 or IPv6 address"),
            ("01.2.3.4/32", "not an IPv4 or IPv6 address"),
            ("localhost/32", "host names are not allowed"),
            ("localhost", "host names are not allowed"),
            ("fe80::1%eth0/128", "not an IPv4 or IPv6 address"),
            ("127.0.0.1/32:70000", "port `70000`"),
            ("127.0.0.1/32:65536", "port `65536`"),
            ("127.0.0.1/32:90-80", "reversed (write 80-90)"),
            ("127.0.0.1/32:", "missing port"),
            ("[::1]:", "missing port"),
            ("127.0.0.1/32:-80", "port ``"),
            ("127.0.0.1/32:80-", "port ``"),
            ("127.0.0.1/32:1-2-3", "port `2-3`"),
            ("127.0.0.1/32:http", "port `http`"),
            ("127.0.0.1/32:+80", "port `+80`"),
            ("[::1/128:80", "missing `]`"),
            ("[::1/128]:80", "the mask goes after the bracket"),
            ("[127.0.0.1]:80", "brackets are only for IPv6"),
            ("[::1]x", "unexpected `x` after `]`"),
            ("[::1]128", "unexpected"),
        ];
        for (input, want) in cases {
            let err = AddrPool::new()
                .add_flag(input)
                .expect_err(input)
                .to_string();
            let named = format!("invalid --addr-pool entry `{}`: ", input.trim());
            assert!(err.starts_with(&named), "{input}: {err}");
            assert!(err.contains(want), "{input}: {err}");
        }
    }

    #[test]
    fn an_error_leaves_the_pool_unchanged() {
        let mut p = pool(&["10.0.0.0/8"]);
        for v in [
            "127.0.0.1/32,bogus",
            "127.0.0.1/32,",
            ",127.0.0.1/32",
            "1.2.3.4/32,,5.6.7.8",
        ] {
            assert!(p.add_flag(v).is_err(), "{v}");
        }
        assert_eq!(p.entries().len(), 1);
        assert!(!p.allows(sa("127.0.0.1:1")));
    }

    #[test]
    fn masks_at_the_edges() {
        // (entry, accepted)
        let cases: &[(&str, bool)] = &[
            ("10.0.0.0/0", true),
            ("10.0.0.0/1", true),
            ("10.0.0.0/31", true),
            ("10.0.0.0/32", true),
            ("10.0.0.0/33", false),
            ("10.0.0.0/128", false),
            ("10.0.0.0/256", false),
            ("10.0.0.0/288", false),
            ("fd00::/0", true),
            ("fd00::/1", true),
            ("fd00::/32", true),
            ("fd00::/33", true),
            ("fd00::/127", true),
            ("fd00::/128", true),
            ("fd00::/129", false),
            ("fd00::/256", false),
            ("fd00::/288", false),
        ];
        for (input, ok) in cases {
            assert_eq!(AddrPool::new().add_flag(input).is_ok(), *ok, "{input}");
        }
    }

    #[test]
    fn strict_cidr_edges() {
        // (entry, target, allowed): first/last address inside and the neighbours outside.
        let cases: &[(&str, &str, bool)] = &[
            ("0.0.0.0/15", "0.0.0.0:1", true),
            ("0.0.0.0/15", "0.1.255.255:1", true),
            ("0.0.0.0/15", "0.2.0.0:1", false),
            ("0.0.0.0/15", "127.0.0.1:1", false),
            ("10.0.0.0/8", "10.0.0.0:1", true),
            ("10.0.0.0/8", "10.255.255.255:1", true),
            ("10.0.0.0/8", "9.255.255.255:1", false),
            ("10.0.0.0/8", "11.0.0.0:1", false),
            ("192.168.1.0/24", "192.168.1.0:1", true),
            ("192.168.1.0/24", "192.168.1.255:1", true),
            ("192.168.1.0/24", "192.168.0.255:1", false),
            ("192.168.1.0/24", "192.168.2.0:1", false),
            ("127.0.0.1/31", "127.0.0.0:1", true),
            ("127.0.0.1/31", "127.0.0.1:1", true),
            ("127.0.0.1/31", "127.0.0.2:1", false),
            ("127.0.0.1/31", "126.255.255.255:1", false),
            ("1.2.3.4/32", "1.2.3.4:9", true),
            ("1.2.3.4/32", "1.2.3.5:9", false),
            ("1.2.3.4/32", "1.2.3.3:9", false),
            ("128.0.0.0/1", "128.0.0.0:1", true),
            ("128.0.0.0/1", "255.255.255.255:1", true),
            ("128.0.0.0/1", "127.255.255.255:1", false),
            ("0.0.0.0/1", "127.255.255.255:1", true),
            ("0.0.0.0/1", "128.0.0.0:1", false),
            ("0.0.0.0/0", "203.0.113.9:1", true),
            ("0.0.0.0/0", "255.255.255.255:1", true),
            ("0.0.0.0/0", "[::1]:1", false),
            ("::/0", "[2001:db8::1]:1", true),
            ("::/0", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1", true),
            ("::/0", "127.0.0.1:1", false),
            ("fe80::/10", "[fe80::]:1", true),
            (
                "fe80::/10",
                "[febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1",
                true,
            ),
            ("fe80::/10", "[fec0::]:1", false),
            (
                "fe80::/10",
                "[fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1",
                false,
            ),
            ("fe80::/10", "[fe80::1%7]:1", true),
            ("2001:db8::/127", "[2001:db8::1]:1", true),
            ("2001:db8::/127", "[2001:db8::2]:1", false),
            ("::1", "[::1]:1", true),
            ("::1", "[::]:1", false),
            ("::1", "[::2]:1", false),
            ("0:0:0:0:0:0:0:1/128", "[::1]:1", true),
            ("::/64", "[::ffff:ffff:ffff:ffff]:1", true),
            ("::/64", "[0:0:0:1::]:1", false),
            ("::/64", "[2001:db8::1]:1", false),
        ];
        for (entry, target, ok) in cases {
            assert_eq!(
                pool(&[entry]).allows(sa(target)),
                *ok,
                "{entry} vs {target}"
            );
        }
    }

    #[test]
    fn entry_ranges() {
        let cases: &[(&str, &str, &str)] = &[
            ("0.0.0.0/15", "0.0.0.0", "0.1.255.255"),
            ("10.1.2.3/8", "10.0.0.0", "10.255.255.255"),
            ("1.2.3.4", "1.2.3.4", "1.2.3.4"),
            ("0.0.0.0/0", "0.0.0.0", "255.255.255.255"),
            (
                "fe80::/10",
                "fe80::",
                "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            ),
            ("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("::1", "::1", "::1"),
        ];
        for (entry, first, last) in cases {
            let e: PoolEntry = entry.parse().unwrap();
            assert_eq!(e.range(), (ip(first), ip(last)), "{entry}");
        }
    }

    #[test]
    fn zero_base_warns_and_means_what_it_says() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "0.0.0.0/15",
                Some("--addr-pool entry `0.0.0.0/15` allows only 0.0.0.0 to 0.1.255.255: iwasm treats an all-zero address as every IPv4 address whatever the mask, wasock does not (write 0.0.0.0/0 to allow every IPv4 address)"),
            ),
            (
                "0.0.0.0/31",
                Some("--addr-pool entry `0.0.0.0/31` allows only 0.0.0.0 to 0.0.0.1: iwasm treats an all-zero address as every IPv4 address whatever the mask, wasock does not (write 0.0.0.0/0 to allow every IPv4 address)"),
            ),
            // The wildcard address itself, as a server binding every interface needs it, is
            // meant (issue 19): no warning.
            ("0.0.0.0/32:8000", None),
            ("0.0.0.0/32", None),
            ("0.0.0.0", None),
            ("::/128", None),
            ("[::]:8000", None),
            (
                "::/64",
                Some("--addr-pool entry `::/64` allows only :: to ::ffff:ffff:ffff:ffff: iwasm treats an all-zero address as every IPv6 address whatever the mask, wasock does not (write ::/0 to allow every IPv6 address)"),
            ),
            ("0.0.0.0/0", None),
            ("::/0", None),
            // Only the address as written counts: this one is not all-zero for iwasm either.
            ("0.1.0.0/8", None),
        ];
        for (input, want) in cases {
            let w = AddrPool::new().add_flag(input).unwrap();
            assert_eq!(w.first().map(String::as_str), *want, "{input}");
        }
        let p = pool(&["0.0.0.0/15"]);
        assert!(!p.allows(sa("127.0.0.1:80")) && p.allows(sa("0.1.0.1:80")));
        // One warning per offending entry of a flag.
        let w = AddrPool::new()
            .add_flag("0.0.0.0/8,::/8,10.0.0.0/8")
            .unwrap();
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn mapped_entry_warning() {
        let w = AddrPool::new().add_flag("::ffff:0:0/96").unwrap();
        assert_eq!(
            w,
            ["--addr-pool entry `::ffff:0:0/96` is IPv4-mapped: wasock matches it as 0.0.0.0/0, for IPv4 and IPv6 sockets alike (iwasm matched it only on IPv6 sockets)"]
        );
    }

    #[test]
    fn ports_and_ranges() {
        let cases: &[(&str, &str, bool)] = &[
            ("127.0.0.1/32:8000-8100", "127.0.0.1:8000", true),
            ("127.0.0.1/32:8000-8100", "127.0.0.1:8050", true),
            ("127.0.0.1/32:8000-8100", "127.0.0.1:8100", true),
            ("127.0.0.1/32:8000-8100", "127.0.0.1:7999", false),
            ("127.0.0.1/32:8000-8100", "127.0.0.1:8101", false),
            ("127.0.0.1/32:8000-8100", "127.0.0.1:0", false),
            ("127.0.0.1/32:8000-8100", "127.0.0.2:8000", false),
            ("127.0.0.1/32:80", "127.0.0.1:80", true),
            ("127.0.0.1/32:80", "127.0.0.1:81", false),
            ("127.0.0.1/32:80", "127.0.0.1:79", false),
            ("127.0.0.1:80", "127.0.0.1:80", true),
            ("127.0.0.1/32:0", "127.0.0.1:0", true),
            ("127.0.0.1/32:0", "127.0.0.1:1", false),
            ("127.0.0.1/32:0-100", "127.0.0.1:0", true),
            ("127.0.0.1/32:0-65535", "127.0.0.1:65535", true),
            ("127.0.0.1/32:65535", "127.0.0.1:65535", true),
            ("127.0.0.1/32:65535", "127.0.0.1:65534", false),
            ("127.0.0.1/32", "127.0.0.1:0", true),
            ("127.0.0.1/32", "127.0.0.1:65535", true),
            ("[::1]/128:443", "[::1]:443", true),
            ("[::1]/128:443", "[::1]:444", false),
            ("[::1]:443", "[::1]:443", true),
            ("[::1]:443", "[::2]:443", false),
            ("[fe80::]/10:1-2", "[fe80::9]:2", true),
            ("[fe80::]/10:1-2", "[fe80::9]:3", false),
            ("127.0.0.1/32:80", "[::ffff:127.0.0.1]:80", true),
            ("127.0.0.1/32:80", "[::ffff:127.0.0.1]:81", false),
        ];
        for (entry, target, ok) in cases {
            assert_eq!(
                pool(&[entry]).allows(sa(target)),
                *ok,
                "{entry} vs {target}"
            );
        }
        // Entries are alternatives: another entry may allow the port this one does not.
        let p = pool(&["127.0.0.1/32:80", "127.0.0.0/8:443"]);
        assert!(p.allows(sa("127.0.0.1:80")) && p.allows(sa("127.0.0.1:443")));
        assert!(!p.allows(sa("127.0.0.1:22")));
        assert!(p.allows_ip(ip("127.0.0.1")) && !p.allows_ip(ip("10.0.0.1")));
    }

    #[test]
    fn mapped_ipv6_cannot_bypass() {
        let cases: &[(&str, &str, bool)] = &[
            ("127.0.0.1/32", "[::ffff:127.0.0.1]:80", true),
            ("127.0.0.1/32", "[::ffff:127.0.0.2]:80", false),
            ("127.0.0.0/8", "[::ffff:127.255.0.1]:80", true),
            ("0.0.0.0/0", "[::ffff:8.8.8.8]:53", true),
            ("0.0.0.0/32", "[::ffff:0.0.0.0]:0", true),
            // `::/0` is every IPv6 address, but a mapped target is an IPv4 address.
            ("::/0", "[::ffff:127.0.0.1]:80", false),
            ("::/128", "[::ffff:0.0.0.0]:80", false),
            ("::ffff:0:0/95", "[::ffff:10.0.0.1]:80", false),
            // A mapped entry is the IPv4 network it denotes.
            ("::ffff:0:0/96", "[::ffff:10.0.0.1]:80", true),
            ("::ffff:0:0/96", "10.0.0.1:80", true),
            ("::ffff:0:0/96", "[::1]:80", false),
            ("::ffff:127.0.0.1/128", "127.0.0.1:80", true),
            ("::ffff:127.0.0.1/128", "[::ffff:127.0.0.1]:80", true),
            ("::ffff:127.0.0.1/128", "127.0.0.2:80", false),
            // Neither IPv4-compatible nor NAT64 addresses are IPv4: they stay IPv6.
            ("127.0.0.1/32", "[::127.0.0.1]:80", false),
            ("127.0.0.1/32", "[64:ff9b::127.0.0.1]:80", false),
            ("::/96", "[::127.0.0.1]:80", true),
        ];
        for (entry, target, ok) in cases {
            assert_eq!(
                pool(&[entry]).allows(sa(target)),
                *ok,
                "{entry} vs {target}"
            );
        }
        // The same holds for entries used directly.
        let e: PoolEntry = "127.0.0.1/32".parse().unwrap();
        assert!(e.allows(sa("[::ffff:127.0.0.1]:1")) && e.contains(ip("::ffff:127.0.0.1")));
        let e: PoolEntry = "::/0".parse().unwrap();
        assert!(!e.contains(ip("::ffff:127.0.0.1")));
    }

    #[test]
    fn unspecified_is_an_ordinary_target() {
        let cases: &[(&str, &str, bool)] = &[
            ("127.0.0.1/32", "0.0.0.0:0", false),
            ("127.0.0.0/8", "0.0.0.0:0", false),
            ("0.0.0.0/32", "0.0.0.0:0", true),
            ("0.0.0.0/32", "0.0.0.0:8080", true),
            ("0.0.0.0/32", "0.0.0.1:0", false),
            ("0.0.0.0/0", "0.0.0.0:0", true),
            ("::1/128", "[::]:0", false),
            ("::/128", "[::]:0", true),
            ("::/128", "[::1]:0", false),
            ("::/0", "[::]:0", true),
            ("0.0.0.0/0", "[::]:0", false),
        ];
        for (entry, target, ok) in cases {
            assert_eq!(
                pool(&[entry]).allows(sa(target)),
                *ok,
                "{entry} vs {target}"
            );
        }
    }

    #[test]
    fn empty_pool_denies_everything() {
        let p = AddrPool::new();
        assert!(p.is_empty() && p.entries().is_empty());
        for t in [
            "127.0.0.1:1",
            "0.0.0.0:0",
            "[::]:0",
            "[::1]:1",
            "[::ffff:1.1.1.1]:1",
        ] {
            assert!(!p.allows(sa(t)), "{t}");
        }
        assert!(!p.allows_ip(ip("127.0.0.1")));
    }

    #[test]
    fn hand_built_entries_cannot_overflow() {
        let mut p = AddrPool::new();
        p.push(PoolEntry {
            net: ip("10.0.0.0"),
            prefix: 200,
            ports: None,
        });
        p.push(PoolEntry {
            net: ip("fd00::"),
            prefix: 255,
            ports: Some((5, 1)),
        });
        // An oversized prefix acts as the full width; an empty port range allows nothing.
        assert!(p.allows(sa("10.0.0.0:1")) && !p.allows(sa("10.0.0.1:1")));
        assert!(!p.allows(sa("[fd00::]:3")));
    }
}

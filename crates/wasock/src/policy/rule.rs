//! One network rule: `ACTION ROLES [PROTO] TARGET` (docs/network-policy.md), its parser and
//! the match of one query against it.

use super::addr_pool::{parse_entry, parse_ports};
use super::pins::DnsPins;
use super::resolve::HostPattern;
use super::{canonicalize, PolicyError, PoolEntry};
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// `allow` or `deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Grants what the rule matches (unless some `deny` rule matches too).
    Allow,
    /// Forbids what the rule matches, whatever else allows it.
    Deny,
}

/// What an operation does with an address (or a name): the part of a rule's `ROLES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Binding a local address (and `listen`'s auto-bind).
    Bind,
    /// Connecting to a remote address.
    Connect,
    /// Sending a datagram to a destination.
    Send,
    /// Accepting an incoming connection from a peer.
    Accept,
    /// Receiving a datagram from a source.
    Recv,
    /// Resolving a name.
    Resolve,
}

impl Role {
    /// Every role, in the order they are printed.
    pub const ALL: [Role; 6] = [
        Role::Bind,
        Role::Connect,
        Role::Send,
        Role::Accept,
        Role::Recv,
        Role::Resolve,
    ];

    /// The rule-syntax name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Bind => "bind",
            Role::Connect => "connect",
            Role::Send => "send",
            Role::Accept => "accept",
            Role::Recv => "recv",
            Role::Resolve => "resolve",
        }
    }

    /// The role a rule-syntax name names (`connect`), if any.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// Whether the role is about a peer reaching the guest.
    pub fn is_inbound(self) -> bool {
        matches!(self, Role::Accept | Role::Recv)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Roles(u8);

impl Roles {
    /// The set holding `roles`.
    pub fn of(roles: &[Role]) -> Roles {
        Roles(roles.iter().fold(0, |m, r| m | r.bit()))
    }

    /// Whether `role` is in the set.
    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// The roles in the set, in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// Whether the set holds any role that is checked against an address.
    pub fn has_address_role(self) -> bool {
        self.iter().any(|r| r != Role::Resolve)
    }
}

/// Prints `bind,connect`.
impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Role::name).collect();
        f.write_str(&names.join(","))
    }
}

/// The transport protocol a rule applies to (`any` matches both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Proto {
    /// TCP and UDP.
    #[default]
    Any,
    /// Stream sockets.
    Tcp,
    /// Datagram sockets.
    Udp,
}

impl Proto {
    /// The protocol of a socket.
    pub fn of_socket(dgram: bool) -> Proto {
        if dgram {
            Proto::Udp
        } else {
            Proto::Tcp
        }
    }

    /// The protocol a rule-syntax word names (`tcp`, `udp`, `any`), if any.
    pub fn from_name(word: &str) -> Option<Proto> {
        match word {
            "any" => Some(Proto::Any),
            "tcp" => Some(Proto::Tcp),
            "udp" => Some(Proto::Udp),
            _ => None,
        }
    }

    fn covers(self, p: Proto) -> bool {
        self == Proto::Any || p == Proto::Any || self == p
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::Any => "any",
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        })
    }
}

/// What a rule matches: every address, a network, or the addresses resolved from some names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// `*` or `*:PORTS`: every address of both families.
    Any {
        /// Allowed ports, inclusive; `None` is every port.
        ports: Option<(u16, u16)>,
    },
    /// `ADDRESS[/MASK][:PORTS]`, as an `--addr-pool` entry.
    Net(PoolEntry),
    /// `NAME[:PORTS]` / `*.SUFFIX[:PORTS]`: names, and the addresses resolved from them.
    Host {
        /// The name pattern.
        pattern: HostPattern,
        /// Allowed ports for the address roles, inclusive; `None` is every port.
        ports: Option<(u16, u16)>,
    },
}

impl Target {
    /// Whether the target covers every address of a family on every port (`*`, `/0`).
    pub fn is_everything(&self) -> bool {
        match self {
            Target::Any { ports } => ports.is_none(),
            Target::Net(e) => e.prefix == 0 && e.ports.is_none(),
            Target::Host { .. } => false,
        }
    }
}

fn write_ports(f: &mut fmt::Formatter<'_>, ports: Option<(u16, u16)>) -> fmt::Result {
    match ports {
        None => Ok(()),
        Some((lo, hi)) if lo == hi => write!(f, ":{lo}"),
        Some((lo, hi)) => write!(f, ":{lo}-{hi}"),
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Any { ports } => {
                f.write_str("*")?;
                write_ports(f, *ports)
            }
            // A single address reads as written (`127.0.0.1`, `[::1]:53`), a network with its mask.
            Target::Net(e) if u32::from(e.prefix) == max_prefix(e.net) => match (e.net, e.ports) {
                (IpAddr::V6(a), Some(p)) => {
                    write!(f, "[{a}]")?;
                    write_ports(f, Some(p))
                }
                (a, p) => {
                    write!(f, "{a}")?;
                    write_ports(f, p)
                }
            },
            Target::Net(e) => e.fmt(f),
            Target::Host { pattern, ports } => {
                pattern.fmt(f)?;
                write_ports(f, *ports)
            }
        }
    }
}

/// One rule; `Display` prints it in `--net` syntax, which parses back to the same rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// `allow` or `deny`.
    pub action: Action,
    /// The roles it governs (never empty).
    pub roles: Roles,
    /// The protocol (ignored for `resolve`).
    pub proto: Proto,
    /// What it matches.
    pub target: Target,
}

/// What is being decided: a role, the socket's protocol, and an address or a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'a> {
    /// The role of the operation.
    pub role: Role,
    /// The socket's protocol (`Any` for `resolve`).
    pub proto: Proto,
    /// The address (remote, local or peer) or, for `resolve`, the name.
    pub subject: Subject<'a>,
}

/// The address or name a query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// An address and port (canonicalised before matching).
    Addr(SocketAddr),
    /// A host name (for `resolve`).
    Name(&'a str),
}

impl Rule {
    /// Parses one rule; the second value is a start-up warning about its target, if any.
    pub fn parse(text: &str) -> Result<(Rule, Option<String>), PolicyError> {
        let bad = |reason: String| PolicyError::Rule {
            rule: text.trim().to_string(),
            reason,
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        let (action, roles, proto, target) = match words.as_slice() {
            [a, r, t] => (*a, *r, None, *t),
            [a, r, p, t] => (*a, *r, Some(*p), *t),
            _ => {
                return Err(bad(format!(
                    "expected ACTION ROLES [PROTO] TARGET, e.g. `allow connect tcp \
                     127.0.0.1:8080`, got {} word{}",
                    words.len(),
                    if words.len() == 1 { "" } else { "s" }
                )))
            }
        };
        let action = match action {
            "allow" => Action::Allow,
            "deny" => Action::Deny,
            other => {
                return Err(bad(format!(
                    "unknown action `{other}` (expected allow or deny)"
                )))
            }
        };
        let mut list = Vec::new();
        for name in roles.split(',') {
            let role = Role::from_name(name).ok_or_else(|| {
                bad(format!(
                    "unknown role `{name}` (expected bind, connect, send, accept, recv or \
                         resolve, separated by commas)"
                ))
            })?;
            list.push(role);
        }
        let roles = Roles::of(&list);
        let proto = match proto {
            None => Proto::Any,
            Some(word) => Proto::from_name(word).ok_or_else(|| {
                bad(format!(
                    "unknown protocol `{word}` (expected tcp, udp or any)"
                ))
            })?,
        };
        if proto != Proto::Any && !roles.has_address_role() {
            return Err(bad(
                "a protocol does not apply to resolve: leave it out".to_string()
            ));
        }
        let (target, warning) = parse_target(target).map_err(|e| {
            bad(match e {
                PolicyError::AddrPool { entry, reason }
                | PolicyError::AllowResolve {
                    pattern: entry,
                    reason,
                } => format!("target `{entry}`: {reason}"),
                other => other.to_string(),
            })
        })?;
        // `*` alone for resolve is the name pattern "every name", as in --allow-resolve.
        let target = match target {
            Target::Any { ports: None } if roles == Roles::of(&[Role::Resolve]) => Target::Host {
                pattern: HostPattern::Any,
                ports: None,
            },
            t => t,
        };
        match &target {
            Target::Host { .. } if roles.contains(Role::Bind) => {
                return Err(bad(
                    "bind takes an address target: a host pattern cannot name a local address"
                        .to_string(),
                ))
            }
            Target::Any { .. } | Target::Net(_) if roles.contains(Role::Resolve) => {
                return Err(bad(
                    "resolve takes a host-pattern target (NAME or *.SUFFIX); IP literals need \
                     no grant"
                        .to_string(),
                ))
            }
            _ => {}
        }
        let rule = Rule {
            action,
            roles,
            proto,
            target,
        };
        Ok((rule, warning))
    }

    /// Whether the rule matches `q`, given the names resolved so far.
    ///
    /// An `allow` rule with a host pattern and an address role also allows resolving the names
    /// it matches: the grant would be useless otherwise.
    pub fn matches(&self, q: &Query<'_>, pins: &DnsPins) -> bool {
        let role_ok = self.roles.contains(q.role)
            || (q.role == Role::Resolve
                && self.action == Action::Allow
                && matches!(self.target, Target::Host { .. }));
        if !role_ok {
            return false;
        }
        match q.subject {
            Subject::Name(name) => match &self.target {
                Target::Host { pattern, .. } => pattern.matches(name),
                _ => false,
            },
            Subject::Addr(addr) => {
                if !self.proto.covers(q.proto) {
                    return false;
                }
                let addr = canonicalize(addr);
                match &self.target {
                    Target::Any { ports } => in_ports(*ports, addr.port()),
                    Target::Net(e) => e.allows(addr),
                    Target::Host { pattern, ports } => {
                        in_ports(*ports, addr.port())
                            && pins
                                .names_of(addr.ip())
                                .iter()
                                .any(|n| pattern.matches_normalized(n))
                    }
                }
            }
        }
    }

    /// Whether the rule covers `ip` for `q`'s role and protocol on some port (tells a
    /// port-only denial apart).
    pub(crate) fn covers_ip(&self, q: &Query<'_>, ip: IpAddr, pins: &DnsPins) -> bool {
        let Subject::Addr(a) = q.subject else {
            return false;
        };
        let mut any_port = self.clone();
        match &mut any_port.target {
            Target::Any { ports } | Target::Host { ports, .. } => *ports = None,
            Target::Net(e) => e.ports = None,
        }
        let q = Query {
            subject: Subject::Addr(SocketAddr::new(ip, a.port())),
            ..*q
        };
        any_port.matches(&q, pins)
    }

    /// Whether this rule's host pattern wants the answers for `name` pinned: it names the
    /// name and is checked against addresses.
    pub(crate) fn pins_name(&self, normalized: &str) -> bool {
        match &self.target {
            Target::Host { pattern, .. } => {
                self.roles.has_address_role() && pattern.matches_normalized(normalized)
            }
            _ => false,
        }
    }
}

fn max_prefix(ip: IpAddr) -> u32 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

fn in_ports(ports: Option<(u16, u16)>, port: u16) -> bool {
    ports.is_none_or(|(lo, hi)| (lo..=hi).contains(&port))
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.action {
            Action::Allow => "allow",
            Action::Deny => "deny",
        };
        write!(f, "{action} {}", self.roles)?;
        if self.roles.has_address_role() {
            write!(f, " {}", self.proto)?;
        }
        write!(f, " {}", self.target)
    }
}

/// Parses a target: `*[:PORTS]`, an address entry, or a host pattern with optional ports.
fn parse_target(raw: &str) -> Result<(Target, Option<String>), PolicyError> {
    if raw == "*" {
        return Ok((Target::Any { ports: None }, None));
    }
    if let Some(p) = raw.strip_prefix("*:") {
        let ports = parse_ports(raw, p)?;
        return Ok((Target::Any { ports: Some(ports) }, None));
    }
    // Host names never contain `:`, `/` or `[`; with one colon the rest is a port list.
    let (head, ports) = match raw.split_once(':') {
        Some((h, p)) if !p.contains(':') => (h, Some(p)),
        _ => (raw, None),
    };
    let looks_like_address = raw.starts_with('[')
        || raw.contains('/')
        || raw.parse::<IpAddr>().is_ok()
        || head.parse::<IpAddr>().is_ok()
        || (ports.is_none() && raw.contains(':'));
    if looks_like_address {
        let (entry, warning) = parse_entry(raw, "rule target")?;
        return Ok((Target::Net(entry), warning));
    }
    let pattern = HostPattern::parse(head)?;
    let ports = ports.map(|p| parse_ports(raw, p)).transpose()?;
    Ok((Target::Host { pattern, ports }, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> Rule {
        Rule::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).0
    }

    #[test]
    fn parses_and_prints_back() {
        // (input, printed form)
        let cases: &[(&str, &str)] = &[
            (
                "allow connect tcp 127.0.0.1:80",
                "allow connect tcp 127.0.0.1:80",
            ),
            (
                "allow connect tcp 127.0.0.1/32",
                "allow connect tcp 127.0.0.1",
            ),
            ("allow bind 0.0.0.0", "allow bind any 0.0.0.0"),
            (
                "allow bind,connect 10.0.0.0/8",
                "allow bind,connect any 10.0.0.0/8",
            ),
            ("deny  send   udp  [::1]:53", "deny send udp [::1]:53"),
            ("deny send udp [::1]/127:53", "deny send udp [::]/127:53"),
            ("allow accept,recv any *", "allow accept,recv any *"),
            ("allow connect *:443", "allow connect any *:443"),
            (
                "allow connect tcp *.Example.COM:443",
                "allow connect tcp *.example.com:443",
            ),
            ("allow resolve localhost", "allow resolve localhost"),
            ("allow resolve *", "allow resolve *"),
            (
                "allow resolve,connect tcp api.test:1-100",
                "allow connect,resolve tcp api.test:1-100",
            ),
            ("deny recv udp ::/0", "deny recv udp ::/0"),
            ("allow connect ::1", "allow connect any ::1"),
            (
                "allow connect [::ffff:127.0.0.1]:80",
                "allow connect any 127.0.0.1:80",
            ),
            (
                "allow recv,bind udp 0.0.0.0/0:5353",
                "allow bind,recv udp 0.0.0.0/0:5353",
            ),
        ];
        for (input, printed) in cases {
            let r = rule(input);
            assert_eq!(r.to_string(), *printed, "{input}");
            assert_eq!(rule(printed), r, "{printed} parses back");
        }
    }

    #[test]
    fn refuses_bad_rules_naming_the_bad_part() {
        // (input, text the message must contain)
        let cases: &[(&str, &str)] = &[
            ("", "got 0 words"),
            ("allow", "got 1 word"),
            ("allow connect", "got 2 words"),
            ("allow connect tcp 1.2.3.4 extra", "got 5 words"),
            ("permit connect 1.2.3.4", "unknown action `permit`"),
            ("allow conect 1.2.3.4", "unknown role `conect`"),
            ("allow connect, 1.2.3.4", "unknown role ``"),
            ("allow connect sctp 1.2.3.4", "unknown protocol `sctp`"),
            (
                "allow resolve tcp a.test",
                "a protocol does not apply to resolve",
            ),
            ("allow bind a.test", "bind takes an address target"),
            (
                "allow resolve 1.2.3.4",
                "resolve takes a host-pattern target",
            ),
            (
                "allow connect,resolve *",
                "resolve takes a host-pattern target",
            ),
            (
                "allow connect 10.0.0.0/33",
                "target `10.0.0.0/33`: mask /33 is out of range",
            ),
            ("allow connect 10.0.0.1:99999", "port `99999`"),
            ("allow connect *:9-1", "reversed"),
            ("allow connect a*b.test", "a wildcard"),
            ("allow connect http://x.test", "target"),
            ("allow connect [::1", "missing `]`"),
        ];
        for (input, want) in cases {
            let err = Rule::parse(input).expect_err(input).to_string();
            assert!(
                err.starts_with(&format!("invalid --net rule `{}`: ", input.trim())),
                "{input:?}: {err}"
            );
            assert!(err.contains(want), "{input:?}: {err}");
        }
    }

    #[test]
    fn all_zero_targets_warn() {
        let (_, w) = Rule::parse("allow connect 0.0.0.0/8").unwrap();
        assert!(w
            .unwrap()
            .starts_with("rule target `0.0.0.0/8` allows only"));
        assert!(Rule::parse("allow connect 0.0.0.0/0").unwrap().1.is_none());
    }

    fn q(role: Role, proto: Proto, addr: &str) -> Query<'static> {
        Query {
            role,
            proto,
            subject: Subject::Addr(addr.parse().unwrap()),
        }
    }

    #[test]
    fn address_matching_by_role_protocol_family_and_port() {
        let pins = DnsPins::default();
        // (rule, role, proto, address, matches)
        let cases: &[(&str, Role, Proto, &str, bool)] = &[
            (
                "allow connect tcp 127.0.0.1",
                Role::Connect,
                Proto::Tcp,
                "127.0.0.1:1",
                true,
            ),
            (
                "allow connect tcp 127.0.0.1",
                Role::Connect,
                Proto::Udp,
                "127.0.0.1:1",
                false,
            ),
            (
                "allow connect tcp 127.0.0.1",
                Role::Send,
                Proto::Tcp,
                "127.0.0.1:1",
                false,
            ),
            (
                "allow connect udp 127.0.0.1",
                Role::Connect,
                Proto::Udp,
                "127.0.0.1:1",
                true,
            ),
            (
                "allow connect any 127.0.0.1",
                Role::Connect,
                Proto::Udp,
                "127.0.0.1:1",
                true,
            ),
            (
                "allow connect 127.0.0.1",
                Role::Connect,
                Proto::Tcp,
                "[::ffff:127.0.0.1]:1",
                true,
            ),
            (
                "allow connect ::/0",
                Role::Connect,
                Proto::Tcp,
                "[::ffff:127.0.0.1]:1",
                false,
            ),
            (
                "allow connect ::/0",
                Role::Connect,
                Proto::Tcp,
                "[::1]:1",
                true,
            ),
            (
                "allow connect 0.0.0.0/0",
                Role::Connect,
                Proto::Tcp,
                "[::1]:1",
                false,
            ),
            (
                "allow connect *",
                Role::Connect,
                Proto::Tcp,
                "[::1]:1",
                true,
            ),
            (
                "allow connect *",
                Role::Connect,
                Proto::Tcp,
                "[::ffff:10.0.0.1]:1",
                true,
            ),
            (
                "allow connect *:80",
                Role::Connect,
                Proto::Tcp,
                "10.0.0.1:80",
                true,
            ),
            (
                "allow connect *:80",
                Role::Connect,
                Proto::Tcp,
                "10.0.0.1:81",
                false,
            ),
            (
                "allow connect 10.0.0.0/8:80-90",
                Role::Connect,
                Proto::Tcp,
                "10.9.9.9:90",
                true,
            ),
            (
                "allow connect 10.0.0.0/8:80-90",
                Role::Connect,
                Proto::Tcp,
                "10.9.9.9:91",
                false,
            ),
            (
                "allow connect 10.0.0.0/8:80-90",
                Role::Connect,
                Proto::Tcp,
                "10.9.9.9:79",
                false,
            ),
            (
                "allow connect 10.0.0.0/8:80-90",
                Role::Connect,
                Proto::Tcp,
                "11.0.0.1:80",
                false,
            ),
            (
                "allow accept tcp 127.0.0.0/8",
                Role::Accept,
                Proto::Tcp,
                "127.0.0.2:50000",
                true,
            ),
            (
                "allow accept tcp 127.0.0.0/8",
                Role::Recv,
                Proto::Udp,
                "127.0.0.2:50000",
                false,
            ),
            (
                "allow recv udp ::1",
                Role::Recv,
                Proto::Udp,
                "[::1]:53",
                true,
            ),
            (
                "allow bind,connect 0.0.0.0",
                Role::Bind,
                Proto::Tcp,
                "0.0.0.0:0",
                true,
            ),
            (
                "allow bind,connect 0.0.0.0",
                Role::Bind,
                Proto::Tcp,
                "[::]:0",
                false,
            ),
            (
                "deny connect tcp 10.0.0.1",
                Role::Connect,
                Proto::Tcp,
                "10.0.0.1:5",
                true,
            ),
        ];
        for (text, role, proto, addr, want) in cases {
            assert_eq!(
                rule(text).matches(&q(*role, *proto, addr), &pins),
                *want,
                "{text} vs {role} {proto} {addr}"
            );
        }
    }

    #[test]
    fn host_patterns_match_pinned_addresses_and_names() {
        let mut pins = DnsPins::default();
        pins.admit("api.test", &["127.0.0.1".parse().unwrap()])
            .unwrap();
        let r = rule("allow connect tcp *.test:443");
        assert!(r.matches(&q(Role::Connect, Proto::Tcp, "127.0.0.1:443"), &pins));
        assert!(r.matches(
            &q(Role::Connect, Proto::Tcp, "[::ffff:127.0.0.1]:443"),
            &pins
        ));
        assert!(!r.matches(&q(Role::Connect, Proto::Tcp, "127.0.0.1:80"), &pins));
        assert!(!r.matches(&q(Role::Connect, Proto::Tcp, "127.0.0.2:443"), &pins));
        assert!(!r.matches(&q(Role::Connect, Proto::Udp, "127.0.0.1:443"), &pins));
        let other = rule("allow connect tcp *.example");
        assert!(!other.matches(&q(Role::Connect, Proto::Tcp, "127.0.0.1:443"), &pins));

        let name = |role, n| Query {
            role,
            proto: Proto::Any,
            subject: Subject::Name(n),
        };
        // An allow with a host pattern implies resolve; a deny only denies its own roles.
        assert!(r.matches(&name(Role::Resolve, "API.test."), &pins));
        assert!(!r.matches(&name(Role::Resolve, "test"), &pins));
        assert!(!rule("deny connect *.test").matches(&name(Role::Resolve, "a.test"), &pins));
        assert!(rule("deny resolve *.test").matches(&name(Role::Resolve, "a.test"), &pins));
        assert!(!rule("allow connect 127.0.0.1").matches(&name(Role::Resolve, "a.test"), &pins));
    }

    #[test]
    fn broad_host_patterns() {
        for (p, broad) in [
            ("*", true),
            ("*.com", true),
            ("*.a.com", false),
            ("com", false),
        ] {
            assert_eq!(HostPattern::parse(p).unwrap().is_broad(), broad, "{p}");
        }
    }
}

//! The network capability policy: pure decisions, no I/O, deny by default.
//!
//! A policy is an ordered list of rules (`ACTION ROLES [PROTO] TARGET`, see [`Rule`] and
//! docs/network-policy.md); deny wins over allow, and nothing is allowed that no rule allows.
//! WAMR's flags are sugar: `--addr-pool=E` is `allow bind,connect,send any E` (plus, once,
//! `allow accept,recv any *`, since iwasm never checks inbound peers) and `--allow-resolve=P`
//! is `allow resolve P`. Where this differs from iwasm (docs/socket-abi.md):
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
//!   unspecified address is an ordinary target for `bind` (as a `connect`/`send` destination it
//!   is the loopback address Linux sends it to, see [`destination`]), and the IPv6 scope id is
//!   not part of a match.
//! * Names are matched case-insensitively with one trailing dot ignored; IP literals need no
//!   permission (they cause no DNS traffic, and the rules still govern their use).

mod addr_pool;
mod file;
mod lint;
mod pins;
mod resolve;
mod rule;

pub use addr_pool::{AddrPool, PoolEntry};
pub use file::FileError;
pub use pins::{DnsPins, PinError, MAX_PINNED_NAMES};
pub use resolve::{HostPattern, ResolveAllowList};
pub use rule::{Action, Proto, Query, Role, Roles, Rule, Subject, Target};

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// A socket operation the policy governs.
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
    /// An incoming connection: checked against the peer.
    Accept,
    /// An incoming datagram: checked against its source.
    Recv,
    /// A multicast join (`IP_ADD_MEMBERSHIP`, `IPV6_JOIN_GROUP`): the caller checks the group
    /// with port 0. It needs both `send` (the kernel reports the membership to the group, which
    /// is egress) and `recv` (it asks for the group's traffic).
    Join,
}

impl Op {
    /// The rule role that governs the operation (the first of [`Op::roles`]).
    pub fn role(self) -> Role {
        self.roles()[0]
    }

    /// Every role the operation needs (a join needs two).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Op::Join => &[Role::Send, Role::Recv],
            Op::Bind | Op::Listen => &[Role::Bind],
            Op::Connect => &[Role::Connect],
            Op::SendTo => &[Role::Send],
            Op::Accept => &[Role::Accept],
            Op::Recv => &[Role::Recv],
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Bind => "bind",
            Op::Connect => "connect",
            Op::SendTo => "sendto",
            Op::Listen => "listen",
            Op::Accept => "accept",
            Op::Recv => "recv",
            Op::Join => "join",
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
    /// A bad `--net` rule.
    #[error("invalid --net rule `{rule}`: {reason}")]
    Rule {
        /// The rule as given (trimmed).
        rule: String,
        /// What is wrong with it and what to write instead.
        reason: String,
    },
}

/// Why an operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reason {
    /// No rule allows it.
    NoRule {
        /// The policy was written with WAMR's flags only: the fix names `--addr-pool` /
        /// `--allow-resolve`, as iwasm users know them.
        legacy: bool,
        /// Some rule covers the address for this role but not this port.
        port_only: bool,
    },
    /// A `deny` rule matches.
    Rule {
        /// The rule, in `--net` syntax.
        rule: String,
        /// Where it came from (`--net`, `FILE:LINE`, …).
        origin: String,
    },
    /// The embedder's hook refused it.
    Hook,
}

/// A refused operation; `Display` is the one-line diagnostic (without the `wasock: ` prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Denial {
    /// An address the policy does not allow.
    Addr {
        /// The operation.
        op: Op,
        /// The socket's protocol.
        proto: Proto,
        /// The address as matched (see [`destination`]): a mapped IPv6 address appears as
        /// IPv4, an unspecified destination as the loopback address.
        addr: SocketAddr,
        /// The destination as the guest gave it, when it is matched as another (`0.0.0.0:80`
        /// matched as `127.0.0.1:80`).
        given: Option<SocketAddr>,
        /// Why.
        reason: Reason,
    },
    /// A name the policy does not allow resolving.
    Resolve {
        /// The name as the guest gave it.
        host: String,
        /// Why.
        reason: Reason,
    },
}

impl Denial {
    /// The identity under which a denial is reported once: operation and address (inbound:
    /// the peer's address without its ephemeral port), or the name.
    ///
    /// The protocol is part of the identity where the message names it (every form but the
    /// `--addr-pool` one), so a UDP denial is not hidden behind a TCP one with another fix.
    pub fn key(&self) -> String {
        match self {
            Denial::Addr {
                op,
                addr,
                reason: Reason::NoRule { legacy: true, .. },
                ..
            } if !op.role().is_inbound() => format!("{op} {addr}"),
            Denial::Addr {
                op, proto, addr, ..
            } if op.role().is_inbound() => format!("{op} {proto} {}", addr.ip()),
            Denial::Addr {
                op, proto, addr, ..
            } => format!("{op} {proto} {addr}"),
            // Bounded: the guest chooses the name, and the log keeps up to 1,000 keys.
            Denial::Resolve { host, .. } => format!("resolve {}", printable(host)),
        }
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::Addr {
                op: Op::Join,
                proto,
                addr,
                reason,
                ..
            } => join_denial(f, *proto, addr.ip(), reason),
            Denial::Addr {
                op,
                addr,
                given,
                reason:
                    Reason::NoRule {
                        legacy: true,
                        port_only,
                    },
                ..
            } if !op.role().is_inbound() => legacy_addr_denial(f, *op, *addr, *given, *port_only),
            Denial::Addr {
                op,
                proto,
                addr,
                given,
                reason,
            } => {
                let inbound = op.role().is_inbound();
                let dir = if inbound { "from" } else { "to" };
                write!(f, "denied {op} {proto} {dir} {addr}")?;
                write_given(f, *given)?;
                f.write_str(": ")?;
                match reason {
                    Reason::NoRule { .. } => {
                        // The narrowest rule that allows exactly this; inbound peers without
                        // their port, which is ephemeral.
                        let target = if inbound {
                            addr.ip().to_string()
                        } else {
                            addr.to_string()
                        };
                        write!(
                            f,
                            "no rule allows it (allow it with --net='allow {} {proto} {target}'",
                            op.role()
                        )?;
                        if *op == Op::Listen {
                            f.write_str(
                                ", or bind the socket to an allowed address before listen",
                            )?;
                        }
                        f.write_str(")")
                    }
                    other => write_reason(f, other),
                }
            }
            Denial::Resolve { host, reason } => {
                write!(f, "denied resolve of {}: ", printable(host))?;
                match reason {
                    Reason::NoRule { legacy, .. } => {
                        // The guest chooses the name: suggest it only if it is a pattern that
                        // parses and matches it, never something that would fail at start-up.
                        let fix = |p: &str| {
                            if *legacy {
                                format!("--allow-resolve={p}")
                            } else {
                                format!("--net='allow resolve {p}'")
                            }
                        };
                        f.write_str(if *legacy {
                            "not in --allow-resolve "
                        } else {
                            "no rule allows it "
                        })?;
                        match resolve::suggestion(host) {
                            Some(p) => write!(f, "(allow it with {})", fix(&p)),
                            None => write!(f, "(only {} would allow it)", fix("*")),
                        }
                    }
                    other => write_reason(f, other),
                }
            }
        }
    }
}

fn write_reason(f: &mut fmt::Formatter<'_>, reason: &Reason) -> fmt::Result {
    match reason {
        Reason::Rule { rule, origin } => write!(f, "forbidden by rule `{rule}` ({origin})"),
        Reason::Hook => f.write_str("refused by the embedder's policy hook"),
        Reason::NoRule { .. } => f.write_str("no rule allows it"),
    }
}

/// ` (given as 0.0.0.0:80, which the kernel sends to the local host)` after a destination the
/// policy matched as another address.
fn write_given(f: &mut fmt::Formatter<'_>, given: Option<SocketAddr>) -> fmt::Result {
    match given {
        Some(g) => write!(
            f,
            " (given as {g}, which the kernel sends to the local host)"
        ),
        None => Ok(()),
    }
}

/// `denied IP_ADD_MEMBERSHIP of group G (udp socket): …`, naming the socket option the guest
/// used and a rule that grants both roles a join needs.
fn join_denial(
    f: &mut fmt::Formatter<'_>,
    proto: Proto,
    group: IpAddr,
    reason: &Reason,
) -> fmt::Result {
    let flag = if group.is_ipv4() {
        "IP_ADD_MEMBERSHIP"
    } else {
        "IPV6_JOIN_GROUP"
    };
    write!(f, "denied {flag} of group {group} ({proto} socket): ")?;
    match reason {
        Reason::NoRule { legacy: true, .. } => {
            let fix = PoolEntry {
                net: group,
                prefix: if group.is_ipv4() { 32 } else { 128 },
                ports: None,
            };
            write!(f, "not in --addr-pool (allow it with --addr-pool={fix})")
        }
        Reason::NoRule { .. } => write!(
            f,
            "no rule allows it (a join needs send and recv for the group: allow it with \
             --net='allow send,recv {proto} {group}')"
        ),
        other => write_reason(f, other),
    }
}

/// iwasm users' form: `denied connect to A: not in --addr-pool (allow it with --addr-pool=…)`.
fn legacy_addr_denial(
    f: &mut fmt::Formatter<'_>,
    op: Op,
    addr: SocketAddr,
    given: Option<SocketAddr>,
    port_only: bool,
) -> fmt::Result {
    // The suggestion is the narrowest entry that would allow exactly this target, written in
    // flag syntax so it can be pasted as is.
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let fix = PoolEntry {
        net: addr.ip(),
        prefix: max,
        ports: port_only.then_some((addr.port(), addr.port())),
    };
    write!(f, "denied {op} to {addr}")?;
    write_given(f, given)?;
    f.write_str(": ")?;
    if port_only {
        write!(f, "port {} ", addr.port())?;
    }
    write!(f, "not in --addr-pool (allow it with --addr-pool={fix}")?;
    if op == Op::Listen {
        // The guest never named this address: say where it came from.
        f.write_str(", or bind the socket to an allowed address before listen")?;
    }
    f.write_str(")")
}

/// A callback consulted for every decision no `deny` rule made: `Some(Allow)` or `Some(Deny)`
/// overrides the rules' verdict, `None` keeps it. It runs on the guest thread making the call
/// (for `recv`, once per datagram; for a multicast join, once for `send` and once for `recv`
/// of the group with port 0; for a bind of `[::]`, a `listen` that binds it, or the first
/// `sendto` of an unbound IPv6 UDP socket, also for a `bind` of `0.0.0.0` on that port,
/// which decides whether the socket may stay dual-stack), and while the instance's DNS-pin lock is held if the
/// policy has host-pattern rules: keep it quick and never block in it.
pub type Hook = Arc<dyn Fn(&Query<'_>) -> Option<Action> + Send + Sync>;

/// A rule and where it came from.
#[derive(Debug, Clone)]
struct Placed {
    rule: Rule,
    origin: String,
    /// Added by wasock on the user's behalf (the inbound grant of `--addr-pool`).
    implied: bool,
}

/// Which rule decided a query, and which others matched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The verdict.
    pub allowed: bool,
    /// The index (in [`Policy::rules`] order) of the deciding rule: the first matching `deny`,
    /// else the first matching `allow`; `None` for a default deny or a hook's verdict.
    pub by: Option<usize>,
    /// Every other matching rule.
    pub also: Vec<usize>,
    /// The hook overrode the rules.
    pub by_hook: bool,
}

/// The whole network policy of one instance; the default denies everything.
#[derive(Clone, Default)]
pub struct Policy {
    rules: Vec<Placed>,
    /// Some rule came from `--net`, a policy file's `rules`, or [`Policy::add_rule`].
    uses_rules: bool,
    inbound_granted: bool,
    max_sockets: Option<usize>,
    hook: Option<Hook>,
    parse_warnings: Vec<String>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("rules", &self.rules)
            .field("max_sockets", &self.max_sockets)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl Policy {
    /// A policy that denies everything (same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one `--addr-pool` value (comma-separated entries): `allow bind,connect,send any E`
    /// for each, and once `allow accept,recv any *` (iwasm never checks inbound peers).
    /// All or nothing: an error leaves the policy unchanged.
    pub fn add_addr_pool(&mut self, value: &str) -> Result<(), PolicyError> {
        let (entries, warnings) = AddrPool::parse_flag(value)?;
        for e in entries {
            self.push(
                Rule {
                    action: Action::Allow,
                    roles: Roles::of(&[Role::Bind, Role::Connect, Role::Send]),
                    proto: Proto::Any,
                    target: Target::Net(e),
                },
                "--addr-pool",
                false,
            );
        }
        if !self.inbound_granted {
            self.inbound_granted = true;
            self.push(
                Rule {
                    action: Action::Allow,
                    roles: Roles::of(&[Role::Accept, Role::Recv]),
                    proto: Proto::Any,
                    target: Target::Any { ports: None },
                },
                "implied by --addr-pool: iwasm never checks inbound peers",
                true,
            );
        }
        self.parse_warnings.extend(warnings);
        Ok(())
    }

    /// Adds one `--allow-resolve` value (comma-separated patterns): `allow resolve P` each.
    pub fn add_allow_resolve(&mut self, value: &str) -> Result<(), PolicyError> {
        for pattern in ResolveAllowList::parse_flag(value)? {
            self.push(
                Rule {
                    action: Action::Allow,
                    roles: Roles::of(&[Role::Resolve]),
                    proto: Proto::Any,
                    target: Target::Host {
                        pattern,
                        ports: None,
                    },
                },
                "--allow-resolve",
                false,
            );
        }
        Ok(())
    }

    /// Parses and adds one rule in `--net` syntax; `origin` names where it came from in
    /// diagnostics (`--net`, `policy.toml:3`).
    pub fn add_net_rule(&mut self, text: &str, origin: &str) -> Result<(), PolicyError> {
        let (rule, warning) = Rule::parse(text)?;
        self.parse_warnings.extend(warning);
        self.push(rule, origin, false);
        self.uses_rules = true;
        Ok(())
    }

    /// Adds a rule built in code (its origin reads `embedder`).
    pub fn add_rule(&mut self, rule: Rule) -> &mut Self {
        self.push(rule, "embedder", false);
        self.uses_rules = true;
        self
    }

    fn push(&mut self, rule: Rule, origin: &str, implied: bool) {
        self.rules.push(Placed {
            rule,
            origin: origin.to_string(),
            implied,
        });
    }

    /// The rules in order, each with its origin.
    pub fn rules(&self) -> impl Iterator<Item = (&Rule, &str)> {
        self.rules.iter().map(|p| (&p.rule, p.origin.as_str()))
    }

    /// Caps the sockets open at once (`--max-sockets`); `None` is no cap.
    pub fn set_max_sockets(&mut self, n: Option<usize>) -> &mut Self {
        self.max_sockets = n;
        self
    }

    /// The socket cap, if any.
    pub fn max_sockets(&self) -> Option<usize> {
        self.max_sockets
    }

    /// Installs a callback for dynamic decisions (see [`Hook`]).
    pub fn set_hook(
        &mut self,
        hook: impl Fn(&Query<'_>) -> Option<Action> + Send + Sync + 'static,
    ) -> &mut Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Start-up warnings: risky grants and entries that mean less than iwasm would read.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.parse_warnings.clone();
        w.extend(lint::lints(self));
        w
    }

    /// Which rule decides `q`, given the names resolved so far.
    ///
    /// A UDP `connect` fixes the destination of every later `send()`, so `deny send` rules
    /// for the peer deny it too (else `connect(X)` + `send()` would bypass `deny send … X`).
    pub fn decide(&self, q: &Query<'_>, pins: &DnsPins) -> Decision {
        let as_send = Query {
            role: Role::Send,
            ..*q
        };
        let udp_connect = q.role == Role::Connect && q.proto == Proto::Udp;
        // Inline: a check per connect, bind or accepted peer allocates nothing for the usual
        // one or two matching rules.
        let matching: smallvec::SmallVec<[usize; 4]> = (0..self.rules.len())
            .filter(|&i| {
                let rule = &self.rules[i].rule;
                rule.matches(q, pins)
                    || (udp_connect && rule.action == Action::Deny && rule.matches(&as_send, pins))
            })
            .collect();
        let deny = matching
            .iter()
            .copied()
            .find(|&i| self.rules[i].rule.action == Action::Deny);
        let by = deny.or_else(|| matching.first().copied());
        let also = matching
            .iter()
            .copied()
            .filter(|&i| Some(i) != by)
            .collect();
        let mut d = Decision {
            allowed: by.is_some() && deny.is_none(),
            by,
            also,
            by_hook: false,
        };
        if deny.is_none() {
            if let Some(verdict) = self.hook.as_ref().and_then(|h| h(q)) {
                d.allowed = verdict == Action::Allow;
                d.by_hook = true;
            }
        }
        d
    }

    fn reason(&self, d: &Decision, q: &Query<'_>, pins: &DnsPins) -> Reason {
        match d.by {
            _ if d.by_hook => Reason::Hook,
            Some(i) => Reason::Rule {
                rule: self.rules[i].rule.to_string(),
                origin: self.rules[i].origin.clone(),
            },
            None => Reason::NoRule {
                legacy: !self.uses_rules,
                port_only: match q.subject {
                    Subject::Addr(a) => self.rules.iter().any(|p| {
                        p.rule.action == Action::Allow && p.rule.covers_ip(q, a.ip(), pins)
                    }),
                    Subject::Name(_) => false,
                },
            },
        }
    }

    /// Decides whether `op` on a `proto` socket may use `addr`, matched as [`destination`]
    /// says; a join must be allowed for both its roles.
    pub fn check_addr(
        &self,
        op: Op,
        proto: Proto,
        addr: SocketAddr,
        pins: &DnsPins,
    ) -> Result<(), Denial> {
        let matched = destination(op.role(), addr);
        let canon = canonicalize(addr);
        for &role in op.roles() {
            let q = Query {
                role,
                proto,
                subject: Subject::Addr(matched),
            };
            let d = self.decide(&q, pins);
            if !d.allowed {
                return Err(Denial::Addr {
                    op,
                    proto,
                    addr: matched,
                    given: (matched != canon).then_some(canon),
                    reason: self.reason(&d, &q, pins),
                });
            }
        }
        Ok(())
    }

    /// Decides whether `host` may be resolved; IP literals always may.
    pub fn check_resolve(&self, host: &str, pins: &DnsPins) -> Result<(), Denial> {
        if ResolveAllowList::is_literal(host) {
            return Ok(());
        }
        let q = Query {
            role: Role::Resolve,
            proto: Proto::Any,
            subject: Subject::Name(host),
        };
        let d = self.decide(&q, pins);
        if d.allowed {
            return Ok(());
        }
        Err(Denial::Resolve {
            host: host.to_string(),
            reason: self.reason(&d, &q, pins),
        })
    }

    /// Whether the answers for `host` are pinned: some host-pattern rule checked against
    /// addresses matches the name.
    pub fn pins_name(&self, host: &str) -> bool {
        let host = resolve::normalize(host);
        self.rules.iter().any(|p| p.rule.pins_name(&host))
    }

    /// Whether some rule grants by host pattern (so resolved answers must be pinned).
    pub fn uses_pins(&self) -> bool {
        self.rules.iter().any(|p| {
            matches!(p.rule.target, Target::Host { .. }) && p.rule.roles.has_address_role()
        })
    }

    /// Whether every `proto` peer is allowed for `role` whatever its address: an `allow` of
    /// `*` on every port, no `deny` for the role, no hook. The host then skips per-packet
    /// checks.
    pub fn is_open(&self, role: Role, proto: Proto) -> bool {
        self.hook.is_none()
            && !self
                .rules
                .iter()
                .any(|p| p.rule.action == Action::Deny && p.rule.roles.contains(role))
            && self.rules.iter().any(|p| {
                p.rule.action == Action::Allow
                    && p.rule.roles.contains(role)
                    && matches!(p.rule.target, Target::Any { ports: None })
                    && (p.rule.proto == Proto::Any || p.rule.proto == proto)
            })
    }
}

/// The address a `role` query is matched as: [`canonicalize`]d, and for `connect` and `send`
/// an unspecified destination (`0.0.0.0`, `::`, `::ffff:0.0.0.0`) as the loopback address of
/// its family (port kept), since that is where Linux sends it. `bind` keeps the wildcard.
pub fn destination(role: Role, addr: SocketAddr) -> SocketAddr {
    let addr = canonicalize(addr);
    if !matches!(role, Role::Connect | Role::Send) || !addr.ip().is_unspecified() {
        return addr;
    }
    let lo = match addr.ip() {
        IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
    };
    SocketAddr::new(lo, addr.port())
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

/// The most bytes of a guest-chosen string a diagnostic shows: more than the longest DNS name
/// (253), so a real name is never cut.
pub(crate) const MAX_SHOWN: usize = 255;

/// A guest-chosen string (a host name) made safe for a diagnostic line: control characters and
/// line-breaking whitespace are escaped (and `\` itself, to stay unambiguous), so it cannot
/// forge or split a line on stderr, and only its first [`MAX_SHOWN`] bytes are shown, followed
/// by `[... N more bytes]`, so it cannot flood the log either.
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() || (c.is_whitespace() && c != ' ') || c == '\\';
    let mut cut = s.len().min(MAX_SHOWN);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let (shown, rest) = s.split_at(cut);
    if rest.is_empty() && !shown.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(shown.len() + 24);
    for c in shown.chars() {
        if needs(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if !rest.is_empty() {
        out.push_str(&format!("[... {} more bytes]", rest.len()));
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
            p.add_addr_pool(v).unwrap();
        }
        for v in resolves {
            p.add_allow_resolve(v).unwrap();
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
                assert!(
                    p.check_addr(op, Proto::Tcp, sa(a), &DnsPins::default())
                        .is_err(),
                    "{op} {a}"
                );
            }
        }
        for h in ["localhost", "example.org", "", "*", "."] {
            assert!(p.check_resolve(h, &DnsPins::default()).is_err(), "{h:?}");
        }
        // Literals cause no DNS traffic: they need no permission even from an empty policy.
        for h in ["127.0.0.1", "::1", "0.0.0.0", "::ffff:10.0.0.1"] {
            assert!(p.check_resolve(h, &DnsPins::default()).is_ok(), "{h}");
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
                // A destination of 0.0.0.0 or :: goes to loopback, and is matched so.
                let ok = ok || (matches!(op, Op::Connect | Op::SendTo) && a.contains(":0"));
                assert_eq!(
                    p.check_addr(op, Proto::Tcp, sa(a), &DnsPins::default())
                        .is_ok(),
                    ok,
                    "{op} {a}"
                );
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
                p.check_addr(Op::Listen, Proto::Tcp, sa(target), &DnsPins::default())
                    .is_ok(),
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
            let d = p
                .check_addr(*op, Proto::Tcp, sa(target), &DnsPins::default())
                .unwrap_err();
            assert_eq!(d.to_string(), *msg, "{op} {target}");
        }
    }

    #[test]
    fn listen_port_only_message() {
        let p = policy(&["0.0.0.0/0:8000"], &[]);
        let d = p
            .check_addr(Op::Listen, Proto::Tcp, sa("0.0.0.0:0"), &DnsPins::default())
            .unwrap_err();
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
                let d = p
                    .check_addr(op, Proto::Tcp, sa(target), &DnsPins::default())
                    .unwrap_err();
                let msg = d.to_string();
                let fix = msg
                    .split("--addr-pool=")
                    .nth(1)
                    .and_then(|s| s.split([')', ',']).next())
                    .unwrap();
                let mut fixed = p.clone();
                fixed.add_addr_pool(fix).unwrap();
                assert!(
                    fixed
                        .check_addr(op, Proto::Tcp, sa(target), &DnsPins::default())
                        .is_ok(),
                    "{msg}"
                );
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
            let d = p.check_resolve(host, &DnsPins::default()).unwrap_err();
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
            let d = Policy::new()
                .check_resolve(host, &DnsPins::default())
                .unwrap_err();
            let msg = d.to_string();
            let fix = msg
                .split("--allow-resolve=")
                .nth(1)
                .unwrap()
                .trim_end_matches(')');
            let p = policy(&[], &[fix]);
            assert!(p.check_resolve(host, &DnsPins::default()).is_ok(), "{msg}");
        }
    }

    #[test]
    fn denial_keys_separate_op_address_and_name() {
        let p = Policy::new();
        let k = |op, a: &str| {
            p.check_addr(op, Proto::Tcp, sa(a), &DnsPins::default())
                .unwrap_err()
                .key()
        };
        assert_eq!(k(Op::Connect, "10.0.0.1:80"), "connect 10.0.0.1:80");
        assert_eq!(
            k(Op::Connect, "[::ffff:10.0.0.1]:80"),
            "connect 10.0.0.1:80"
        );
        assert_ne!(k(Op::Connect, "10.0.0.1:80"), k(Op::Bind, "10.0.0.1:80"));
        assert_ne!(k(Op::Connect, "10.0.0.1:80"), k(Op::Connect, "10.0.0.1:81"));
        assert_eq!(
            p.check_resolve("a.org", &DnsPins::default())
                .unwrap_err()
                .key(),
            "resolve a.org"
        );
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

    #[test]
    fn printable_cuts_long_strings() {
        let name = "a".repeat(253);
        assert!(
            matches!(printable(&name), Cow::Borrowed(_)),
            "a DNS name is never cut"
        );
        let long = "b".repeat(10 * 1024);
        let shown = printable(&long);
        assert_eq!(
            shown,
            format!(
                "{}[... {} more bytes]",
                "b".repeat(MAX_SHOWN),
                10 * 1024 - MAX_SHOWN
            )
        );
        // Cut on a character boundary (é is 2 bytes), escaping what is kept.
        let s = format!("\n{}", "é".repeat(200));
        let shown = printable(&s);
        assert!(shown.starts_with("\\né"), "{shown}");
        assert!(shown.ends_with("[... 146 more bytes]"), "{shown}");
        // Control bytes past the cut are not shown at all.
        let s = format!("{}\nwasock: denied forged", "c".repeat(MAX_SHOWN));
        assert!(!printable(&s).contains('\n'));
    }

    #[test]
    fn long_and_forged_names_make_one_bounded_denial_line() {
        let p = Policy::new();
        let forged = "x\nwasock: denied connect to 10.0.0.1:80: forged";
        let huge = format!("{}.example", "a".repeat(10 * 1024));
        for host in [forged, huge.as_str()] {
            let d = p.check_resolve(host, &DnsPins::default()).unwrap_err();
            let line = d.to_string();
            assert!(!line.contains('\n'), "{line}");
            assert!(line.len() < 2 * MAX_SHOWN + 200, "{} bytes", line.len());
            assert!(d.key().len() < MAX_SHOWN + 50);
        }
    }

    fn rules(list: &[&str]) -> Policy {
        let mut p = Policy::new();
        for r in list {
            p.add_net_rule(r, "--net").unwrap();
        }
        p
    }

    fn allowed(p: &Policy, op: Op, proto: Proto, a: &str) -> bool {
        p.check_addr(op, proto, sa(a), &DnsPins::default()).is_ok()
    }

    #[test]
    fn rules_by_role_protocol_family_and_port() {
        let p = rules(&[
            "allow bind tcp 127.0.0.1:8000-8100",
            "allow connect any 10.0.0.0/8",
            "deny connect tcp 10.1.0.0/16",
            "allow send udp [::1]/128:53",
            "allow accept tcp 127.0.0.0/8",
            "deny accept tcp 127.0.0.66",
            "allow recv udp ::1",
        ]);
        use Proto::{Tcp, Udp};
        let cases: &[(Op, Proto, &str, bool)] = &[
            (Op::Bind, Tcp, "127.0.0.1:8000", true),
            (Op::Bind, Tcp, "127.0.0.1:8100", true),
            (Op::Bind, Tcp, "127.0.0.1:7999", false),
            (Op::Bind, Tcp, "127.0.0.1:8101", false),
            (Op::Bind, Udp, "127.0.0.1:8000", false),
            (Op::Bind, Tcp, "[::ffff:127.0.0.1]:8000", true),
            (Op::Bind, Tcp, "[::1]:8000", false),
            (Op::Listen, Tcp, "0.0.0.0:0", false),
            (Op::Connect, Tcp, "10.2.0.1:1", true),
            (Op::Connect, Udp, "10.1.0.1:1", true),
            (Op::Connect, Tcp, "10.1.0.1:1", false),
            (Op::Connect, Tcp, "[::ffff:10.1.0.1]:1", false),
            (Op::Connect, Tcp, "[::ffff:10.2.0.1]:1", true),
            (Op::Connect, Tcp, "11.0.0.1:1", false),
            (Op::SendTo, Udp, "10.2.0.1:1", false),
            (Op::SendTo, Udp, "[::1]:53", true),
            (Op::SendTo, Udp, "[::1]:54", false),
            (Op::SendTo, Tcp, "[::1]:53", false),
            (Op::SendTo, Udp, "127.0.0.1:53", false),
            (Op::Accept, Tcp, "127.0.0.2:40000", true),
            (Op::Accept, Tcp, "127.0.0.66:1", false),
            (Op::Accept, Tcp, "[::ffff:127.0.0.66]:1", false),
            (Op::Accept, Tcp, "[::1]:1", false),
            (Op::Recv, Udp, "[::1]:5", true),
            (Op::Recv, Udp, "127.0.0.1:5", false),
            (Op::Recv, Tcp, "[::1]:5", false),
        ];
        for (op, proto, a, ok) in cases {
            assert_eq!(allowed(&p, *op, *proto, a), *ok, "{op} {proto} {a}");
        }
    }

    #[test]
    fn deny_wins_whatever_the_order() {
        let allow = "allow connect any 10.0.0.0/8";
        let deny = "deny connect tcp 10.1.2.3";
        for (order, deny_at) in [([allow, deny], 1), ([deny, allow], 0)] {
            let p = rules(&order);
            let q = Query {
                role: Role::Connect,
                proto: Proto::Tcp,
                subject: Subject::Addr(sa("10.1.2.3:80")),
            };
            let d = p.decide(&q, &DnsPins::default());
            assert!(!d.allowed, "{order:?}");
            assert_eq!(d.by, Some(deny_at), "{order:?}");
            assert_eq!(d.also, vec![1 - deny_at], "{order:?}");
        }
    }

    #[test]
    fn wamr_flags_are_sugar_for_rules() {
        let mut p = policy(
            &["127.0.0.1/32,::1", "10.0.0.0/8:80"],
            &["localhost,*.test"],
        );
        let listed: Vec<String> = p.rules().map(|(r, o)| format!("{r} ({o})")).collect();
        assert_eq!(
            listed,
            [
                "allow bind,connect,send any 127.0.0.1 (--addr-pool)",
                "allow bind,connect,send any ::1 (--addr-pool)",
                "allow accept,recv any * (implied by --addr-pool: iwasm never checks inbound peers)",
                "allow bind,connect,send any 10.0.0.0/8:80 (--addr-pool)",
                "allow resolve localhost (--allow-resolve)",
                "allow resolve *.test (--allow-resolve)",
            ]
        );
        // Inbound is open, as under iwasm, so the host skips per-peer checks...
        assert!(p.is_open(Role::Accept, Proto::Tcp) && p.is_open(Role::Recv, Proto::Udp));
        assert!(allowed(&p, Op::Accept, Proto::Tcp, "192.0.2.1:5"));
        // ...until a deny rule narrows it.
        p.add_net_rule("deny accept tcp 192.0.2.0/24", "--net")
            .unwrap();
        assert!(!p.is_open(Role::Accept, Proto::Tcp) && p.is_open(Role::Recv, Proto::Udp));
        assert!(!allowed(&p, Op::Accept, Proto::Tcp, "192.0.2.1:5"));
        assert!(allowed(&p, Op::Accept, Proto::Tcp, "198.51.100.1:5"));
        // Rules alone open nothing inbound.
        assert!(!rules(&["allow bind tcp 127.0.0.1"]).is_open(Role::Accept, Proto::Tcp));
        assert!(!rules(&["allow accept udp *"]).is_open(Role::Accept, Proto::Tcp));
        assert!(!rules(&["allow accept tcp *:1-65535"]).is_open(Role::Accept, Proto::Tcp));
        assert!(rules(&["allow accept tcp *"]).is_open(Role::Accept, Proto::Tcp));
    }

    #[test]
    fn rule_denial_messages_exact() {
        let mut p = rules(&[
            "allow connect tcp 10.0.0.0/8",
            "deny connect tcp 10.1.0.0/16",
        ]);
        p.add_net_rule("deny resolve *.evil.test", "p.toml:4")
            .unwrap();
        let pins = DnsPins::default();
        let addr = |op, proto, a: &str| p.check_addr(op, proto, sa(a), &pins).unwrap_err();
        let cases: Vec<(Denial, &str)> = vec![
            (
                addr(Op::Connect, Proto::Tcp, "127.0.0.2:80"),
                "denied connect tcp to 127.0.0.2:80: no rule allows it (allow it with --net='allow connect tcp 127.0.0.2:80')",
            ),
            (
                addr(Op::Connect, Proto::Tcp, "[::ffff:10.1.2.3]:80"),
                "denied connect tcp to 10.1.2.3:80: forbidden by rule `deny connect tcp 10.1.0.0/16` (--net)",
            ),
            (
                addr(Op::SendTo, Proto::Udp, "[::1]:53"),
                "denied sendto udp to [::1]:53: no rule allows it (allow it with --net='allow send udp [::1]:53')",
            ),
            (
                addr(Op::Accept, Proto::Tcp, "127.0.0.2:40000"),
                "denied accept tcp from 127.0.0.2:40000: no rule allows it (allow it with --net='allow accept tcp 127.0.0.2')",
            ),
            (
                addr(Op::Recv, Proto::Udp, "[::1]:5353"),
                "denied recv udp from [::1]:5353: no rule allows it (allow it with --net='allow recv udp ::1')",
            ),
            (
                addr(Op::Listen, Proto::Tcp, "0.0.0.0:0"),
                "denied listen tcp to 0.0.0.0:0: no rule allows it (allow it with --net='allow bind tcp 0.0.0.0:0', or bind the socket to an allowed address before listen)",
            ),
            (
                p.check_resolve("a.example", &pins).unwrap_err(),
                "denied resolve of a.example: no rule allows it (allow it with --net='allow resolve a.example')",
            ),
            (
                p.check_resolve("x.evil.test", &pins).unwrap_err(),
                "denied resolve of x.evil.test: forbidden by rule `deny resolve *.evil.test` (p.toml:4)",
            ),
            (
                p.check_resolve("a b", &pins).unwrap_err(),
                "denied resolve of a b: no rule allows it (only --net='allow resolve *' would allow it)",
            ),
        ];
        for (d, msg) in &cases {
            assert_eq!(d.to_string(), *msg);
            // Every suggested rule parses and allows exactly what was denied.
            if let Some(fix) = msg
                .split("--net='")
                .nth(1)
                .and_then(|s| s.split('\'').next())
            {
                let mut fixed = p.clone();
                fixed.add_net_rule(fix, "fix").unwrap();
                match d {
                    Denial::Addr {
                        op, proto, addr, ..
                    } => {
                        let r = fixed.check_addr(*op, *proto, *addr, &pins);
                        // The deny rule still wins over the suggested allow; others pass.
                        assert!(r.is_ok(), "{fix}: {r:?}");
                    }
                    Denial::Resolve { host, .. } => {
                        assert!(fixed.check_resolve(host, &pins).is_ok(), "{fix}")
                    }
                }
            }
        }
        // Inbound denials are reported once per peer address, whatever its port.
        assert_eq!(
            addr(Op::Accept, Proto::Tcp, "127.0.0.2:1").key(),
            addr(Op::Accept, Proto::Tcp, "127.0.0.2:2").key()
        );
        assert_ne!(
            addr(Op::Connect, Proto::Tcp, "127.0.0.2:1").key(),
            addr(Op::Connect, Proto::Tcp, "127.0.0.2:2").key()
        );
    }

    #[test]
    fn the_hook_decides_what_no_deny_rule_did() {
        let mut p = rules(&["allow connect tcp 10.0.0.0/8", "deny connect tcp 10.9.9.9"]);
        p.set_hook(|q| match q.subject {
            Subject::Addr(a) if a.port() == 7 => Some(Action::Allow),
            Subject::Addr(a) if a.port() == 13 => Some(Action::Deny),
            Subject::Name("hooked.test") => Some(Action::Allow),
            _ => None,
        });
        let pins = DnsPins::default();
        let ok = |a: &str| p.check_addr(Op::Connect, Proto::Tcp, sa(a), &pins).is_ok();
        assert!(ok("192.0.2.1:7"), "the hook allows what no rule did");
        assert!(!ok("10.0.0.1:13"), "the hook denies what a rule allowed");
        assert!(ok("10.0.0.1:80"), "None keeps the rules' verdict");
        assert!(!ok("192.0.2.1:80"), "None keeps the default deny");
        assert!(!ok("10.9.9.9:7"), "a deny rule is final");
        let d = p
            .check_addr(Op::Connect, Proto::Tcp, sa("10.0.0.1:13"), &pins)
            .unwrap_err();
        assert_eq!(
            d.to_string(),
            "denied connect tcp to 10.0.0.1:13: refused by the embedder's policy hook"
        );
        assert!(p.check_resolve("hooked.test", &pins).is_ok());
        // A hook means every packet must be asked about.
        let mut open = rules(&["allow accept tcp *"]);
        open.set_hook(|_| None);
        assert!(!open.is_open(Role::Accept, Proto::Tcp));
    }

    #[test]
    fn unspecified_destinations_are_matched_as_loopback() {
        let p = rules(&[
            "allow connect,send any *",
            "deny connect,send any 127.0.0.0/8",
            "deny connect,send any ::1",
            "allow bind tcp 0.0.0.0:8080",
        ]);
        use Proto::{Tcp, Udp};
        let cases: &[(Op, Proto, &str, bool)] = &[
            (Op::Connect, Tcp, "0.0.0.0:80", false),
            (Op::Connect, Tcp, "[::]:80", false),
            (Op::Connect, Tcp, "[::ffff:0.0.0.0]:80", false),
            (Op::SendTo, Udp, "0.0.0.0:53", false),
            (Op::SendTo, Udp, "[::]:53", false),
            (Op::Connect, Udp, "0.0.0.0:53", false),
            (Op::Connect, Tcp, "10.0.0.1:80", true),
            // bind keeps the wildcard: 0.0.0.0 is every local address, not loopback.
            (Op::Bind, Tcp, "0.0.0.0:8080", true),
            (Op::Bind, Tcp, "127.0.0.1:8080", false),
        ];
        for (op, proto, a, ok) in cases {
            assert_eq!(allowed(&p, *op, *proto, a), *ok, "{op} {proto} {a}");
        }
        for (role, a, want) in [
            (Role::Connect, "0.0.0.0:80", "127.0.0.1:80"),
            (Role::Send, "[::]:53", "[::1]:53"),
            (Role::Send, "[::ffff:0.0.0.0]:53", "127.0.0.1:53"),
            (Role::Bind, "0.0.0.0:80", "0.0.0.0:80"),
            (Role::Bind, "[::ffff:0.0.0.0]:80", "0.0.0.0:80"),
            (Role::Accept, "0.0.0.0:80", "0.0.0.0:80"),
            (Role::Connect, "10.0.0.1:80", "10.0.0.1:80"),
        ] {
            assert_eq!(destination(role, sa(a)).to_string(), want, "{role} {a}");
        }
        // The denial names both forms, and its fix is for the address really used.
        let pins = DnsPins::default();
        let d = rules(&["allow connect tcp 10.0.0.1"])
            .check_addr(Op::Connect, Tcp, sa("0.0.0.0:80"), &pins)
            .unwrap_err();
        assert_eq!(
            d.to_string(),
            "denied connect tcp to 127.0.0.1:80 (given as 0.0.0.0:80, which the kernel sends to \
             the local host): no rule allows it (allow it with --net='allow connect tcp 127.0.0.1:80')"
        );
        let d = policy(&["10.0.0.1"], &[])
            .check_addr(Op::SendTo, Udp, sa("[::]:53"), &pins)
            .unwrap_err();
        assert_eq!(
            d.to_string(),
            "denied sendto to [::1]:53 (given as [::]:53, which the kernel sends to the local \
             host): not in --addr-pool (allow it with --addr-pool=::1/128)"
        );
    }

    #[test]
    fn a_udp_connect_obeys_deny_send_rules() {
        let p = rules(&[
            "allow connect,send udp 127.0.0.0/8",
            "deny send udp 127.0.0.2",
            "allow connect tcp 127.0.0.2",
        ]);
        use Proto::{Tcp, Udp};
        assert!(!allowed(&p, Op::Connect, Udp, "127.0.0.2:53"));
        assert!(!allowed(&p, Op::SendTo, Udp, "127.0.0.2:53"));
        assert!(allowed(&p, Op::Connect, Udp, "127.0.0.3:53"));
        // A TCP connect sends no datagrams: send rules do not apply to it.
        assert!(allowed(&p, Op::Connect, Tcp, "127.0.0.2:53"));
        let d = p
            .check_addr(Op::Connect, Udp, sa("127.0.0.2:53"), &DnsPins::default())
            .unwrap_err();
        assert_eq!(
            d.to_string(),
            "denied connect udp to 127.0.0.2:53: forbidden by rule `deny send udp 127.0.0.2` (--net)"
        );
        // An allow send does not stand in for an allow connect.
        assert!(!allowed(
            &rules(&["allow send udp 127.0.0.1"]),
            Op::Connect,
            Udp,
            "127.0.0.1:53"
        ));
    }

    #[test]
    fn a_multicast_join_needs_send_and_recv_for_the_group() {
        use Proto::Udp;
        let pins = DnsPins::default();
        let join = |p: &Policy, g: &str| p.check_addr(Op::Join, Udp, sa(g), &pins);
        for (list, ok) in [
            (&[][..], false),
            (&["allow recv udp 239.1.2.3"][..], false),
            (&["allow send udp 239.1.2.3"][..], false),
            (&["allow send,recv udp 239.1.2.3"][..], true),
            (&["allow send,recv udp 239.0.0.0/8"][..], true),
            (&["allow send,recv tcp 239.1.2.3"][..], false),
            // The group is checked with port 0.
            (&["allow send,recv udp 239.1.2.3:5000"][..], false),
            (
                &["allow send,recv udp 239.0.0.0/8", "deny send udp 239.1.2.3"][..],
                false,
            ),
            (&["allow send,recv udp *"][..], true),
        ] {
            assert_eq!(join(&rules(list), "239.1.2.3:0").is_ok(), ok, "{list:?}");
        }
        // --addr-pool grants send for its entries and recv from everyone: a pool entry for
        // the group allows the join, as it allows sending to it.
        assert!(join(&policy(&["239.1.2.3"], &[]), "239.1.2.3:0").is_ok());
        let cases = [
            (
                rules(&["allow connect tcp 10.0.0.1"]),
                "239.1.2.3:0",
                "denied IP_ADD_MEMBERSHIP of group 239.1.2.3 (udp socket): no rule allows it (a \
                 join needs send and recv for the group: allow it with --net='allow send,recv \
                 udp 239.1.2.3')",
            ),
            (
                rules(&["allow send,recv udp ff00::/8", "deny recv udp ff15::1:3"]),
                "[ff15::1:3]:0",
                "denied IPV6_JOIN_GROUP of group ff15::1:3 (udp socket): forbidden by rule \
                 `deny recv udp ff15::1:3` (--net)",
            ),
            (
                policy(&["127.0.0.1"], &[]),
                "239.1.2.3:0",
                "denied IP_ADD_MEMBERSHIP of group 239.1.2.3 (udp socket): not in --addr-pool \
                 (allow it with --addr-pool=239.1.2.3/32)",
            ),
        ];
        for (p, g, msg) in cases {
            let d = join(&p, g).unwrap_err();
            assert_eq!(d.to_string(), msg);
            // The suggested grant allows the join.
            let mut fixed = p.clone();
            if let Some(rule) = msg
                .split("--net='")
                .nth(1)
                .and_then(|r| r.split('\'').next())
            {
                fixed.add_net_rule(rule, "fix").unwrap();
                assert!(join(&fixed, g).is_ok(), "{rule}");
            }
            if let Some(entry) = msg.split("--addr-pool=").nth(1) {
                fixed.add_addr_pool(entry.trim_end_matches(')')).unwrap();
                assert!(join(&fixed, g).is_ok(), "{entry}");
            }
        }
    }

    #[test]
    fn host_pattern_grants_follow_the_pins() {
        let p = rules(&[
            "allow connect tcp *.test:443",
            "deny connect any *.bad.test",
        ]);
        assert!(p.uses_pins());
        assert!(!rules(&["allow resolve *.test"]).uses_pins());
        assert!(p.pins_name("API.test.") && p.pins_name("x.bad.test"));
        assert!(!p.pins_name("example.org"));
        let mut pins = DnsPins::default();
        // Resolving is implied by the allow rule; the deny rule denies only connect.
        assert!(p.check_resolve("api.test", &pins).is_ok());
        assert!(p.check_resolve("x.bad.test", &pins).is_ok());
        assert!(p.check_resolve("example.org", &pins).is_err());
        let connect =
            |pins: &DnsPins, a: &str| p.check_addr(Op::Connect, Proto::Tcp, sa(a), pins).is_ok();
        assert!(!connect(&pins, "127.0.0.1:443"), "not resolved yet");
        pins.admit("api.test", &[sa("127.0.0.1:0").ip()]).unwrap();
        assert!(connect(&pins, "127.0.0.1:443"));
        assert!(!connect(&pins, "127.0.0.1:80"));
        pins.admit("x.bad.test", &[sa("127.0.0.1:0").ip()]).unwrap();
        assert!(
            !connect(&pins, "127.0.0.1:443"),
            "also an address of a denied name"
        );
    }
}

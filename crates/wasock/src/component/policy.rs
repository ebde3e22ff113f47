//! wasock's policy as wasmtime-wasi's socket address check (`WasiCtxBuilder::socket_addr_check`).
//!
//! wasmtime-wasi calls the check with an address and a [`SocketAddrUse`], also for the binds the
//! kernel would make implicitly (the wildcard address, port 0, before a `connect`, `listen` or
//! first `send`). preview1 wasock checks only explicit binds and a `listen` on an unbound
//! socket, so the shadowing wrappers in [`super::sockets`] say on this thread which call is in
//! progress ([`Call`]), and [`step`] maps each use onto the preview1 operation it stands for.

use crate::net::guard::NetState;
use crate::policy::{Denial, DnsPins, Op, PinError, Policy, Proto, Role, MAX_PINNED_NAMES};
use crate::trace::{DenialLog, NetTrace};
use std::cell::Cell;
use std::net::{IpAddr, SocketAddr};
use wasmtime_wasi::sockets::SocketAddrUse;

/// The guest call in progress on this thread, as far as the address check must know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// Any call not listed below (including wasmtime-wasi's background tasks).
    Other,
    /// `start-bind`: a bind use is the guest's own, not an implicit one.
    Bind,
    /// `udp-socket.stream(remote)`: the UDP `connect` of preview1.
    UdpConnect,
    /// `outgoing-datagram-stream.send` on a stream of a socket connected to this peer.
    SendConnected(SocketAddr),
}

thread_local! {
    /// Set by the wrappers around the call into wasmtime-wasi, which runs the check on the
    /// calling thread (the guest's, whose runtime polls the call there).
    static CALL: Cell<Call> = const { Cell::new(Call::Other) };
}

/// Runs `f` with [`Call`] set to `call` on this thread (reset afterwards, also on unwind).
pub(crate) fn during<T>(call: Call, f: impl FnOnce() -> T) -> T {
    struct Reset(Call);
    impl Drop for Reset {
        fn drop(&mut self) {
            CALL.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(CALL.with(|c| c.replace(call)));
    f()
}

/// `fut`, with [`Call`] set to `call` on this thread while it is polled (an async host call
/// runs on the guest's thread, between its polls others may).
pub(crate) fn during_async<F: std::future::Future>(
    call: Call,
    fut: F,
) -> impl std::future::Future<Output = F::Output> {
    let mut fut = Box::pin(fut);
    std::future::poll_fn(move |cx| during(call, || fut.as_mut().poll(cx)))
}

/// What one use of an address amounts to under wasock's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Nothing to check: an implicit bind, or a `listen` on a socket whose bind was checked.
    Allow,
    /// Check this operation on this protocol.
    Check(Op, Proto),
    /// A UDP `connect` to the address (checked as `connect udp`; later sends to it pass).
    UdpConnect,
    /// A send on a connected socket to its peer: allowed (preview1 checks a connected
    /// socket's `send` at its `connect`).
    ConnectedSend,
}

/// The policy operation that `use_` of `addr` during `call` stands for.
pub(crate) fn step(use_: SocketAddrUse, addr: SocketAddr, call: Call) -> Step {
    match use_ {
        SocketAddrUse::TcpBind if call == Call::Bind => Step::Check(Op::Bind, Proto::Tcp),
        SocketAddrUse::UdpBind if call == Call::Bind => Step::Check(Op::Bind, Proto::Udp),
        // The kernel's own binds (before connect, listen, send) are not checked by preview1.
        SocketAddrUse::TcpBind | SocketAddrUse::UdpBind => Step::Allow,
        // An unbound socket passes the wildcard with port 0 (preview1's `listen` check); a
        // bound one its real address, whose bind was checked (a bound port is never 0).
        SocketAddrUse::TcpListen if addr.ip().is_unspecified() && addr.port() == 0 => {
            Step::Check(Op::Listen, Proto::Tcp)
        }
        SocketAddrUse::TcpListen => Step::Allow,
        SocketAddrUse::TcpConnect => Step::Check(Op::Connect, Proto::Tcp),
        SocketAddrUse::TcpAccept => Step::Check(Op::Accept, Proto::Tcp),
        SocketAddrUse::UdpSend if call == Call::UdpConnect => Step::UdpConnect,
        SocketAddrUse::UdpSend if call == Call::SendConnected(addr) => Step::ConnectedSend,
        SocketAddrUse::UdpSend => Step::Check(Op::SendTo, Proto::Udp),
        // wasmtime-wasi asks for `recv` too at a UDP connect; preview1 screens each datagram.
        SocketAddrUse::UdpReceive if call == Call::UdpConnect => Step::Allow,
        SocketAddrUse::UdpReceive => Step::Check(Op::Recv, Proto::Udp),
    }
}

/// One component instance's policy state, shared with wasmtime-wasi's check closure.
#[derive(Debug)]
pub struct Guard {
    policy: Policy,
    net: NetState,
    denials: DenialLog,
    trace: NetTrace,
}

impl Guard {
    /// The state for a fresh instance under `policy`.
    pub fn new(policy: Policy, trace: NetTrace) -> Guard {
        Guard {
            net: NetState::new(&policy, None),
            policy,
            denials: DenialLog::new(),
            trace,
        }
    }

    /// The socket cap (`--max-sockets`), if any.
    pub fn max_sockets(&self) -> Option<usize> {
        self.policy.max_sockets()
    }

    /// wasmtime-wasi's question: may the guest `use_` `addr`? A denial is reported once.
    pub fn allows(&self, addr: SocketAddr, use_: SocketAddrUse) -> bool {
        self.decide(addr, use_, CALL.with(Cell::get))
    }

    /// [`Guard::allows`] for a use during `call`, for wasock's own functions (`super::tcp`),
    /// which know the call they are in.
    pub(crate) fn decide(&self, addr: SocketAddr, use_: SocketAddrUse, call: Call) -> bool {
        match step(use_, addr, call) {
            Step::Allow | Step::ConnectedSend => true,
            Step::UdpConnect => self.check(Op::Connect, Proto::Udp, addr),
            Step::Check(op, _) if self.inbound_open(op) => true,
            Step::Check(op, proto) => self.check(op, proto, addr),
        }
    }

    /// Inbound checks are skipped (and not traced) when every peer is admitted.
    fn inbound_open(&self, op: Op) -> bool {
        match op.role() {
            Role::Accept => self.net.inbound_open(false),
            Role::Recv => self.net.inbound_open(true),
            _ => false,
        }
    }

    fn check(&self, op: Op, proto: Proto, addr: SocketAddr) -> bool {
        let decided = if self.policy.uses_pins() {
            self.policy.check_addr(op, proto, addr, &self.net.pins())
        } else {
            self.policy.check_addr(op, proto, addr, &DnsPins::default())
        };
        if self.trace.enabled() {
            let result = if decided.is_ok() { "ok" } else { "EACCES" };
            self.trace
                .log(&format!("{op}"), format_args!("({proto}, {addr})"), result);
        }
        match decided {
            Ok(()) => true,
            Err(denial) => {
                self.report(&denial);
                false
            }
        }
    }

    /// Whether `host` may be resolved (IP literals always may); a denial is reported once.
    pub fn allows_resolve(&self, host: &str) -> bool {
        let decided = self.policy.check_resolve(host, &DnsPins::default());
        if self.trace.enabled() {
            let result = if decided.is_ok() { "ok" } else { "EACCES" };
            self.trace
                .log("resolve-addresses", format_args!("({host:?})"), result);
        }
        match decided {
            Ok(()) => true,
            Err(denial) => {
                self.report(&denial);
                false
            }
        }
    }

    /// Whether lookups of `host` are pinned (some host-pattern rule grants by it).
    pub fn pins_name(&self, host: &str) -> bool {
        !crate::policy::ResolveAllowList::is_literal(host) && self.policy.pins_name(host)
    }

    /// Admits `answer` for `host` into the pins (see [`DnsPins::admit`]): the addresses the
    /// guest may see. Dropped addresses and a full pin table are reported once, as preview1's
    /// `getaddrinfo` does.
    pub fn admit(&self, host: &str, answer: &[IpAddr]) -> Result<Vec<IpAddr>, PinError> {
        let shown = crate::policy::printable(host);
        let admitted = self.net.pins().admit(host, answer).inspect_err(|_| {
            self.denials.notice(
                "pins full",
                &format!(
                    "denied resolve of {shown}: {MAX_PINNED_NAMES} names are pinned already (DNS \
                     pinning keeps at most that many per instance)"
                ),
            );
        })?;
        if admitted.len() < answer.len() {
            self.denials.notice(
                &format!("pinned {shown}"),
                &format!(
                    "resolve of {shown}: dropped addresses outside its first answer (DNS \
                     pinning: a name grants only what it first resolved to)"
                ),
            );
        }
        Ok(admitted)
    }

    /// Reports a socket-quota refusal once, naming the flag to raise.
    pub fn report_quota(&self, open: usize) {
        self.denials.notice(
            "socket limit",
            &format!(
                "socket limit reached: {open} sockets open (raise it with --max-sockets={})",
                open.saturating_mul(2).max(1)
            ),
        );
    }

    fn report(&self, denial: &Denial) {
        self.denials.report(denial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn implicit_binds_are_not_checked_and_explicit_ones_are() {
        let wild = a("0.0.0.0:0");
        for use_ in [SocketAddrUse::TcpBind, SocketAddrUse::UdpBind] {
            assert_eq!(step(use_, wild, Call::Other), Step::Allow);
            assert_eq!(step(use_, wild, Call::UdpConnect), Step::Allow);
        }
        assert_eq!(
            step(SocketAddrUse::TcpBind, wild, Call::Bind),
            Step::Check(Op::Bind, Proto::Tcp)
        );
        assert_eq!(
            step(SocketAddrUse::UdpBind, a("127.0.0.1:9"), Call::Bind),
            Step::Check(Op::Bind, Proto::Udp)
        );
    }

    #[test]
    fn listen_is_checked_only_on_an_unbound_socket() {
        assert_eq!(
            step(SocketAddrUse::TcpListen, a("[::]:0"), Call::Other),
            Step::Check(Op::Listen, Proto::Tcp)
        );
        assert_eq!(
            step(SocketAddrUse::TcpListen, a("0.0.0.0:8080"), Call::Other),
            Step::Allow
        );
        assert_eq!(
            step(SocketAddrUse::TcpListen, a("127.0.0.1:0"), Call::Other),
            Step::Allow
        );
    }

    #[test]
    fn udp_connect_is_a_connect_and_its_sends_need_no_send_grant() {
        let peer = a("127.0.0.1:7");
        assert_eq!(
            step(SocketAddrUse::UdpSend, peer, Call::UdpConnect),
            Step::UdpConnect
        );
        assert_eq!(
            step(SocketAddrUse::UdpReceive, peer, Call::UdpConnect),
            Step::Allow
        );
        assert_eq!(
            step(SocketAddrUse::UdpSend, peer, Call::SendConnected(peer)),
            Step::ConnectedSend
        );
        assert_eq!(
            step(SocketAddrUse::UdpSend, peer, Call::Other),
            Step::Check(Op::SendTo, Proto::Udp)
        );
        assert_eq!(
            step(SocketAddrUse::UdpReceive, peer, Call::Other),
            Step::Check(Op::Recv, Proto::Udp)
        );
    }

    #[test]
    fn during_sets_the_call_for_this_thread_only_and_resets_it() {
        during(Call::Bind, || {
            assert_eq!(CALL.with(Cell::get), Call::Bind);
            std::thread::scope(|s| {
                s.spawn(|| assert_eq!(CALL.with(Cell::get), Call::Other));
            });
        });
        assert_eq!(CALL.with(Cell::get), Call::Other);
    }

    #[test]
    fn guard_denies_by_default_and_follows_the_rules() {
        let g = Guard::new(Policy::new(), NetTrace::new(false));
        assert!(!g.allows(a("127.0.0.1:80"), SocketAddrUse::TcpConnect));
        assert!(g.allows(a("0.0.0.0:0"), SocketAddrUse::TcpBind));
        let mut p = Policy::new();
        p.add_net_rule("allow connect udp 127.0.0.1:7", "--net")
            .unwrap();
        let g = Guard::new(p, NetTrace::new(false));
        assert!(!g.allows(a("127.0.0.1:7"), SocketAddrUse::UdpSend));
        assert!(during(Call::UdpConnect, || g
            .allows(a("127.0.0.1:7"), SocketAddrUse::UdpSend)));
        // Only a send on the connected stream, to its peer, needs no send grant.
        assert!(!g.allows(a("127.0.0.1:7"), SocketAddrUse::UdpSend));
        let connected = Call::SendConnected(a("127.0.0.1:7"));
        assert!(during(connected, || g
            .allows(a("127.0.0.1:7"), SocketAddrUse::UdpSend)));
        assert!(!during(connected, || g
            .allows(a("127.0.0.1:8"), SocketAddrUse::UdpSend)));
        assert!(!g.allows(a("127.0.0.1:7"), SocketAddrUse::UdpReceive));
    }
}

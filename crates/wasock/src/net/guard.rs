//! The policy at the socket layer: per-instance network state (DNS pins, the socket quota,
//! the hosts file) and the checks the imports call, each reporting a denial once on stderr.

use crate::abi::{Errno, WasiResult};
use crate::policy::{Denial, DnsPins, Op, Policy, Proto, Role};
use crate::wasi::WasiCtx;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Network state shared by every thread of an instance.
#[derive(Debug)]
pub struct NetState {
    /// Names the guest resolved and the addresses they pinned.
    pins: Mutex<DnsPins>,
    /// Open sockets, against `--max-sockets`.
    quota: Arc<SocketQuota>,
    /// `--hosts-file`: answers `getaddrinfo` before the system resolver.
    pub hosts_file: Option<PathBuf>,
    /// Every peer may connect: accepted connections need no per-peer check.
    accept_open: bool,
    /// Every source may send: datagrams need no per-packet check.
    recv_open: bool,
    /// Some rule grants by host pattern, so decisions read the pins.
    uses_pins: bool,
}

impl NetState {
    /// The state for a fresh instance under `policy`.
    pub fn new(policy: &Policy, hosts_file: Option<PathBuf>) -> NetState {
        NetState {
            pins: Mutex::new(DnsPins::default()),
            quota: Arc::new(SocketQuota {
                open: AtomicUsize::new(0),
                max: policy.max_sockets(),
            }),
            hosts_file,
            accept_open: policy.is_open(Role::Accept, Proto::Tcp),
            recv_open: policy.is_open(Role::Recv, Proto::Udp),
            uses_pins: policy.uses_pins(),
        }
    }

    /// Whether every inbound peer is admitted on a `dgram` (else stream) socket, so nothing
    /// inbound needs screening.
    pub(crate) fn inbound_open(&self, dgram: bool) -> bool {
        if dgram {
            self.recv_open
        } else {
            self.accept_open
        }
    }

    /// The pins, locked. Held only for a decision or an update, never across a syscall.
    pub fn pins(&self) -> MutexGuard<'_, DnsPins> {
        // A panic elsewhere cannot leave the maps half-updated in a harmful way.
        self.pins.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Counts the sockets open in an instance.
#[derive(Debug)]
struct SocketQuota {
    open: AtomicUsize,
    max: Option<usize>,
}

/// One open socket's share of the quota, given back when the socket is dropped (which is
/// after the last in-flight call on it, so a socket closed while blocked still counts until
/// that call returns).
#[derive(Debug)]
pub struct Permit(Arc<SocketQuota>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Takes one socket from the quota, or reports the limit and fails with `EMFILE`.
pub(crate) fn acquire(cx: &WasiCtx) -> WasiResult<Permit> {
    let q = &cx.net.quota;
    let ok = q
        .open
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| match q.max {
            Some(max) if n >= max => None,
            _ => Some(n + 1),
        });
    match ok {
        Ok(_) => Ok(Permit(q.clone())),
        Err(n) => {
            cx.denials.notice(
                "socket limit",
                &format!(
                    "socket limit reached: {n} sockets open (raise it with --max-sockets={})",
                    n.saturating_mul(2).max(1)
                ),
            );
            Err(Errno::Mfile)
        }
    }
}

/// Decides `op` on a `proto` socket with `addr`; a denial is reported once and is `EACCES`.
pub(crate) fn check(cx: &WasiCtx, op: Op, proto: Proto, addr: SocketAddr) -> WasiResult<()> {
    decide(cx, op, proto, addr).map_err(|d| refuse(cx, &d))
}

/// Whether the policy allows `op` (a quiet check: nothing is reported).
pub(crate) fn permits(cx: &WasiCtx, op: Op, proto: Proto, addr: SocketAddr) -> bool {
    decide(cx, op, proto, addr).is_ok()
}

/// Reports a denial (once) and gives the guest its errno.
fn refuse(cx: &WasiCtx, denial: &Denial) -> Errno {
    cx.denials.report(denial);
    Errno::Acces
}

fn decide(cx: &WasiCtx, op: Op, proto: Proto, addr: SocketAddr) -> Result<(), Denial> {
    // Only host-pattern rules read the pins: without them, no lock (and the hook, if any,
    // runs without one).
    if cx.net.uses_pins {
        cx.policy.check_addr(op, proto, addr, &cx.net.pins())
    } else {
        cx.policy.check_addr(op, proto, addr, &NO_PINS)
    }
}

static NO_PINS: std::sync::LazyLock<DnsPins> = std::sync::LazyLock::new(DnsPins::default);

/// Decides whether `host` may be resolved (names never need the pins); a denial is reported
/// once and is `EACCES`.
pub(crate) fn check_resolve(cx: &WasiCtx, host: &str) -> WasiResult<()> {
    cx.policy
        .check_resolve(host, &NO_PINS)
        .map_err(|d| refuse(cx, &d))
}

/// Whether an incoming connection from `peer` may reach the guest (reported once if not).
pub(crate) fn admits_peer(cx: &WasiCtx, peer: Option<SocketAddr>) -> bool {
    if cx.net.accept_open {
        return true;
    }
    // A peer the OS cannot name (never for TCP over IP) is not one any rule allows.
    peer.is_some_and(|p| check(cx, Op::Accept, Proto::Tcp, p).is_ok())
}

/// Whether a datagram from `source` may reach the guest (reported once if not).
pub(crate) fn admits_datagram(cx: &WasiCtx, source: Option<SocketAddr>) -> bool {
    cx.net.recv_open || source.is_some_and(|s| check(cx, Op::Recv, Proto::Udp, s).is_ok())
}

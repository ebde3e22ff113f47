//! A guest socket: a host `socket2::Socket` plus what the ABI needs to know about it.

use super::guard::Permit;
use crate::abi::types::filetype;
use crate::policy::Proto;
use socket2::SockAddr;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// A TCP or UDP socket owned by the guest.
#[derive(Debug)]
pub struct Socket {
    /// The host socket.
    pub inner: socket2::Socket,
    /// Whether it is a datagram socket.
    pub dgram: bool,
    /// Whether `listen()` succeeded on it (only listeners have connections to screen).
    listening: AtomicBool,
    /// An IPv6 socket whose dual-stack status is not settled yet (it has not bound, connected
    /// or sent): its first `sendto()` auto-binds it to `[::]`.
    v6_unsettled: AtomicBool,
    /// A connection `poll_oneoff` accepted while screening out refused peers (and admitted),
    /// kept for the next `sock_accept`.
    screened: Mutex<Option<(socket2::Socket, SockAddr)>>,
    /// Whether the guest made it non-blocking (`O_NONBLOCK`, mirrored here so that a read need
    /// not ask the kernel).
    nonblocking: AtomicBool,
    /// When (monotonic ns; 0: not) a non-blocking stream read last took some bytes but less
    /// than it asked for: the socket was usually empty then (see [`Socket::take_drained`]).
    drained_at: AtomicU64,
    /// An accepted connection's peer, as `accept` reported it: the address `sock_recv_from`
    /// reports for each read, which would otherwise cost a `getpeername`. Only accepted ones:
    /// Linux never lets those connect again, while a socket the guest connected can, after a
    /// failed attempt, connect to another peer.
    accepted_peer: OnceLock<SocketAddr>,
    /// Its place in the instance's socket quota, held until the socket is dropped.
    _permit: Permit,
}

/// How long after a short read the next read may be answered `EAGAIN` without asking the
/// kernel (ns): the read tokio makes right after each message, not one after a sleep or work.
const DRAINED_FOR: u64 = 100_000;

/// The monotonic clock in ns (a vDSO call where the clock source allows: no system call).
fn monotonic_ns() -> u64 {
    crate::wasi::clock::nanos(rustix::time::clock_gettime(
        rustix::time::ClockId::Monotonic,
    ))
}

impl Socket {
    /// Wraps a host socket that holds a quota permit.
    pub(crate) fn new(inner: socket2::Socket, dgram: bool, permit: Permit) -> Socket {
        Socket {
            inner,
            dgram,
            listening: AtomicBool::new(false),
            v6_unsettled: AtomicBool::new(false),
            screened: Mutex::new(None),
            nonblocking: AtomicBool::new(false),
            drained_at: AtomicU64::new(0),
            accepted_peer: OnceLock::new(),
            _permit: permit,
        }
    }

    /// Whether `listen()` succeeded on it.
    pub(crate) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// Records a successful `listen()`.
    pub(crate) fn set_listening(&self) {
        self.listening.store(true, Ordering::Relaxed);
    }

    /// Marks a new, unbound IPv6 datagram socket (see `v6_unsettled`).
    pub(crate) fn set_v6_unsettled(&self) {
        self.v6_unsettled.store(true, Ordering::Relaxed);
    }

    /// True once: the first time an unbound IPv6 datagram socket is used (see `v6_unsettled`).
    pub(crate) fn settle_v6(&self) -> bool {
        self.v6_unsettled.load(Ordering::Relaxed) && self.v6_unsettled.swap(false, Ordering::AcqRel)
    }

    /// Records the guest's `O_NONBLOCK` (set on the host socket by the caller).
    pub(crate) fn note_nonblocking(&self, on: bool) {
        self.nonblocking.store(on, Ordering::Relaxed);
        if !on {
            self.clear_drained();
        }
    }

    /// Records that a non-blocking stream read took some bytes but less than it asked for.
    /// Linux's TCP receive stops short when the queue is empty, so a read right after would
    /// usually be `EAGAIN`: tokio skips that read for native programs on epoll; here the host
    /// answers it ([`Socket::take_drained`]). When the queue was not empty (the read stopped at
    /// the urgent mark or before a FIN or error, or data came in during the call) that costs
    /// one spurious `EAGAIN`, and `poll_oneoff` reports the socket readable at once.
    pub(crate) fn mark_drained(&self) {
        if self.nonblocking.load(Ordering::Relaxed) {
            self.drained_at
                .store(monotonic_ns().max(1), Ordering::Relaxed);
        }
    }

    /// True once, within [`DRAINED_FOR`] of [`Socket::mark_drained`]: the read then answers
    /// `EAGAIN` without a `recv`. Once, so a guest reading in a loop asks the kernel again the
    /// time after; briefly, so that a guest which slept or worked since sees what came meanwhile;
    /// and readiness reported by `poll_oneoff`, a receive with flags (a peek) or turning
    /// blocking end it at once ([`Socket::clear_drained`]).
    pub(crate) fn take_drained(&self) -> bool {
        if self.drained_at.load(Ordering::Relaxed) == 0 {
            return false;
        }
        let at = self.drained_at.swap(0, Ordering::Relaxed);
        at != 0
            && self.nonblocking.load(Ordering::Relaxed)
            && monotonic_ns().saturating_sub(at) < DRAINED_FOR
    }

    /// Forgets [`Socket::mark_drained`]: data may have come since. (Read first: poll calls it
    /// for every readable socket, and a store would dirty a line other threads share.) A mark
    /// from another thread's read that finishes just after can survive it: one spurious
    /// `EAGAIN`, and the next (level-triggered) poll reports the socket again.
    pub(crate) fn clear_drained(&self) {
        if self.drained_at.load(Ordering::Relaxed) != 0 {
            self.drained_at.store(0, Ordering::Relaxed);
        }
    }

    /// Records the peer `accept` reported for a new connection.
    pub(crate) fn remember_peer(&self, peer: Option<SocketAddr>) {
        if let (false, Some(a)) = (self.dgram, peer) {
            let _ = self.accepted_peer.set(a);
        }
    }

    /// A stream socket's peer: an accepted connection's from `accept`, any other's asked of
    /// the kernel. `None` for a datagram socket or when not connected.
    pub(crate) fn stream_peer(&self) -> Option<SocketAddr> {
        if self.dgram {
            return None;
        }
        if let Some(a) = self.accepted_peer.get() {
            return Some(*a);
        }
        self.inner.peer_addr().ok()?.as_socket()
    }

    /// The connection kept by screening, if any.
    pub(crate) fn screened(&self) -> MutexGuard<'_, Option<(socket2::Socket, SockAddr)>> {
        // A panic elsewhere leaves at most a connection that is still whole.
        self.screened.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The protocol rules match it by.
    pub fn proto(&self) -> Proto {
        Proto::of_socket(self.dgram)
    }

    /// `SOCKET_DGRAM` or `SOCKET_STREAM`.
    pub fn filetype(&self) -> u8 {
        if self.dgram {
            filetype::SOCKET_DGRAM
        } else {
            filetype::SOCKET_STREAM
        }
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

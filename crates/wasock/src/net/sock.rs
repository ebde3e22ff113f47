//! The core socket imports: `sock_open`, `sock_bind`, `sock_connect`, `sock_listen`,
//! `sock_accept`, `sock_addr_local`, `sock_addr_remote`, `sock_send_to`, `sock_recv_from`,
//! `sock_close`, and preview1's `sock_recv`, `sock_send`, `sock_shutdown`.

use super::addr::{read_addr, write_addr, ADDR_SIZE};
use super::guard::{acquire, admits_datagram, admits_peer, check, permits};
use super::io::{recv_from_vectored, send_vectored};
use super::Socket;
use crate::abi::types::{fdflags, rights};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::fd::{Entry, Fd};
use crate::policy::Op;
use crate::wasi::WasiCtx;
use rustix::event::{PollFd, PollFlags};
use rustix::net::{RecvFlags, SendAncillaryBuffer, SendFlags};
use socket2::{Domain, Protocol, SockAddr, Type};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// preview1 `riflags`.
const RECV_PEEK: u32 = 1;
const RECV_WAITALL: u32 = 2;
/// preview1 `roflags`.
const RECV_DATA_TRUNCATED: u16 = 1;

/// Looks up a socket fd with the rights WAMR requires (`ENOTCAPABLE` on non-sockets).
pub(crate) fn socket(cx: &WasiCtx, fd: u32, needed: u64) -> WasiResult<Arc<Socket>> {
    let e = cx.fds.get(Fd(fd))?;
    e.require(needed)?;
    e.socket()
}

/// Looks up any fd that must be a socket (`ENOTSOCK` otherwise, as the OS would say).
pub(crate) fn any_socket(cx: &WasiCtx, fd: u32) -> WasiResult<Arc<Socket>> {
    cx.fds.get(Fd(fd))?.socket()
}

/// An IPv6 address that is not IPv4-mapped.
fn canonical_v6(a: SocketAddr) -> bool {
    matches!(a, SocketAddr::V6(a) if a.ip().to_ipv4_mapped().is_none())
}

fn std_addr(a: &SockAddr) -> WasiResult<SocketAddr> {
    a.as_socket().ok_or(Errno::AfNoSupport)
}

/// `sock_open(poolfd, af, socktype) -> fd`: `af` 1 is IPv6, anything else IPv4; `socktype` 0
/// is UDP, anything else TCP (WAMR's mapping, kept for binary compatibility).
pub fn sock_open(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    _poolfd: u32,
    af: u32,
    socktype: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    let domain = if af == 1 { Domain::IPV6 } else { Domain::IPV4 };
    let dgram = socktype == 0;
    let (ty, proto) = if dgram {
        (Type::DGRAM, Protocol::UDP)
    } else {
        (Type::STREAM, Protocol::TCP)
    };
    let permit = acquire(cx)?;
    let inner = socket2::Socket::new(domain, ty, Some(proto))?;
    let sock = Socket::new(inner, dgram, permit);
    if domain == Domain::IPV6 && dgram {
        sock.set_v6_unsettled();
    }
    let fd = cx.push(Entry::new_socket(sock, 0))?;
    mem.write_u32(out, fd.0)
}

/// `sock_bind(fd, addr)`.
pub fn sock_bind(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, addr: u32) -> WasiResult<()> {
    let addr = read_addr(mem, addr)?;
    let s = socket(cx, fd, rights::SOCK_BIND)?;
    check(cx, Op::Bind, s.proto(), addr)?;
    let settled = s.settle_v6();
    if let SocketAddr::V6(a) = addr {
        if a.ip().is_unspecified() {
            v6_only_unless_v4_granted(cx, &s, a.port());
        }
    }
    s.inner.bind(&addr.into()).inspect_err(|_| {
        // Still unbound: its first sendto() auto-binds `[::]` and must be checked then.
        if settled {
            s.set_v6_unsettled();
        }
    })?;
    Ok(())
}

/// An IPv6 socket on `[::]` is dual-stack by default: it is also bound to `0.0.0.0`, and IPv4
/// peers reach it through mapped addresses. That half needs its own grant, so without one
/// (a bind of `0.0.0.0:port`) the socket is made v6-only, before the kernel binds it.
fn v6_only_unless_v4_granted(cx: &WasiCtx, s: &Socket, port: u16) {
    let v4 = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port);
    if !permits(cx, Op::Bind, s.proto(), v4) {
        // Fails only on a socket already bound, which a v6-only flag could not change.
        let _ = s.inner.set_only_v6(true);
    }
}

/// `sock_connect(fd, addr)`: blocking, or `EINPROGRESS` on a non-blocking socket.
pub fn sock_connect(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, addr: u32) -> WasiResult<()> {
    let addr = read_addr(mem, addr)?;
    let s = socket(cx, fd, rights::SOCK_CONNECT)?;
    check(cx, Op::Connect, s.proto(), addr)?;
    // Connected, a datagram socket hears only its peer: dual-stack lets nothing else in.
    s.settle_v6();
    Ok(s.inner.connect(&addr.into())?)
}

/// `sock_listen(fd, backlog)`: a never-bound socket would be auto-bound by the kernel to the
/// wildcard address, so that case is checked as a bind to the wildcard, port 0.
pub fn sock_listen(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    backlog: u32,
) -> WasiResult<()> {
    let s = socket(cx, fd, rights::SOCK_LISTEN)?;
    let local = std_addr(&s.inner.local_addr()?)?;
    if local.port() == 0 {
        let wildcard = match local {
            SocketAddr::V4(_) => SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0),
            SocketAddr::V6(_) => SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), 0),
        };
        check(cx, Op::Listen, s.proto(), wildcard)?;
        if wildcard.is_ipv6() {
            v6_only_unless_v4_granted(cx, &s, 0);
        }
    }
    s.inner.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
    s.set_listening();
    Ok(())
}

/// `sock_accept(fd, flags) -> fd`: honours `NONBLOCK` for the new socket (WAMR ignores it).
///
/// A peer the policy refuses never reaches the guest: the host resets the connection and
/// waits for the next one (a non-blocking listener then says `EAGAIN`), as behind a firewall.
/// A connection `poll_oneoff` admitted while screening comes first. A connection past the
/// socket quota is reset too, and the guest gets `EMFILE`.
pub fn sock_accept(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    let s = socket(cx, fd, rights::SOCK_ACCEPT)?;
    let (inner, peer) = if cx.net.inbound_open(false) {
        s.inner.accept()?
    } else {
        accept_admitted(cx, &s)?
    };
    let permit = match acquire(cx) {
        Ok(permit) => permit,
        Err(e) => {
            reset(inner);
            return Err(e);
        }
    };
    let nonblock = flags & u32::from(fdflags::NONBLOCK) != 0;
    if nonblock {
        inner.set_nonblocking(true)?;
    }
    let fdflags = if nonblock { fdflags::NONBLOCK } else { 0 };
    let conn = Socket::new(inner, s.dgram, permit);
    conn.remember_peer(peer.as_socket());
    let new_fd = cx.push(Entry::new_socket(conn, fdflags))?;
    mem.write_u32(out, new_fd.0)
}

/// The next connection the policy admits on a screened listener.
///
/// Every accept of a screened listener (here and in `screen_connections`) happens under its
/// `screened` lock and only when a connection is queued, so none can block while holding the
/// lock, and none waits for a connection another thread took first. A blocking listener
/// waits for the next connection in poll(2), without the lock (its receive timeout, which
/// bounds a native accept(), bounds the wait: `EAGAIN`).
fn accept_admitted(cx: &WasiCtx, s: &Socket) -> WasiResult<(socket2::Socket, SockAddr)> {
    loop {
        {
            let mut kept = s.screened();
            if let Some(admitted) = kept.take() {
                return Ok(admitted); // admitted when screened
            }
            // A non-blocking listener accepts at once (EAGAIN when nothing is queued).
            if s.inner.nonblocking()? || readable_now(s) {
                let (conn, peer) = s.inner.accept()?;
                if admits_peer(cx, peer.as_socket()) {
                    return Ok((conn, peer));
                }
                reset(conn);
                continue;
            }
        }
        wait_readable(s)?;
    }
}

/// Waits until a connection is queued on a blocking listener (or it is shut down, or its
/// receive timeout passes: `EAGAIN`, as accept(2) says then).
fn wait_readable(s: &Socket) -> WasiResult<()> {
    let timeout = s.inner.read_timeout()?.map(|d| rustix::time::Timespec {
        tv_sec: d.as_secs().try_into().unwrap_or(i64::MAX),
        tv_nsec: d.subsec_nanos().into(),
    });
    let mut p = [PollFd::new(s, PollFlags::IN)];
    match rustix::event::poll(&mut p, timeout.as_ref()) {
        Ok(0) => Err(Errno::Again),
        Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// How many refused connections or datagrams one screening takes off a socket before it lets
/// the caller wait again (and look at its clocks): a flood of refused peers cannot hold a
/// `poll_oneoff` past its timeout.
const SCREEN_BATCH: usize = 64;

/// Whether a socket the kernel reports readable holds inbound input the guest may have.
/// Called by `poll_oneoff` for listeners and datagram sockets whose peers the policy screens:
/// refused connections are accepted and reset, refused datagrams dropped, so readiness never
/// wakes the guest into an `accept()`/`recv()` that finds nothing and blocks. An admitted
/// connection accepted here is kept for the next `sock_accept`; an admitted datagram stays
/// queued (it is only peeked at).
pub(crate) fn screen(cx: &WasiCtx, s: &Socket) -> bool {
    if s.dgram {
        screen_datagrams(cx, s)
    } else if s.is_listening() {
        screen_connections(cx, s)
    } else {
        true
    }
}

fn screen_connections(cx: &WasiCtx, s: &Socket) -> bool {
    let mut kept = s.screened();
    if kept.is_some() {
        return true;
    }
    for _ in 0..SCREEN_BATCH {
        // The listener may be blocking: accept only while a connection is queued (every
        // accept of it holds this lock, so nobody takes it in between; see accept_admitted).
        if !readable_now(s) {
            return false;
        }
        match s.inner.accept() {
            Ok((conn, peer)) if admits_peer(cx, peer.as_socket()) => {
                *kept = Some((conn, peer));
                return true;
            }
            Ok((conn, _)) => reset(conn),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            // Anything else (ECONNABORTED, EMFILE) is the guest's accept() to meet.
            Err(_) => return true,
        }
    }
    false
}

fn screen_datagrams(cx: &WasiCtx, s: &Socket) -> bool {
    for _ in 0..SCREEN_BATCH {
        // Only the source is needed: an empty buffer, the datagram stays queued.
        let peeked =
            rustix::net::recvfrom(s, &mut [0u8; 0][..], RecvFlags::PEEK | RecvFlags::DONTWAIT);
        match peeked {
            Ok((_, _, from)) => {
                if admits_datagram(cx, from.and_then(|a| SocketAddr::try_from(a).ok())) {
                    return true;
                }
                // Dropped. Another thread reading the socket at the same moment can make this
                // take the next datagram instead, which is then lost, as on a busy network.
                let _ = rustix::net::recv(s, &mut [0u8; 0][..], RecvFlags::DONTWAIT);
            }
            Err(rustix::io::Errno::AGAIN) => return false,
            // A pending error (an ICMP report) is for the guest's recv() to return.
            Err(_) => return true,
        }
    }
    false
}

/// Whether a connection is queued on a listener right now (a zero-timeout poll(2)).
fn readable_now(s: &Socket) -> bool {
    let mut p = [PollFd::new(s, PollFlags::IN)];
    let zero = rustix::time::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    rustix::event::poll(&mut p, Some(&zero)).is_ok_and(|n| n > 0)
}

/// Closes a connection the guest will never see with a reset, so the peer learns at once.
fn reset(conn: socket2::Socket) {
    let _ = conn.set_linger(Some(std::time::Duration::ZERO));
    drop(conn);
}

/// `sock_addr_local(fd) -> addr`; unbound gives the family's wildcard with port 0.
pub fn sock_addr_local(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, ADDR_SIZE)?;
    let e = socket(cx, fd, rights::SOCK_ADDR_LOCAL)?;
    let a = std_addr(&e.inner.local_addr()?)?;
    write_addr(mem, out, &a)
}

/// `sock_addr_remote(fd) -> addr`; `ENOTCONN` when unconnected.
pub fn sock_addr_remote(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, ADDR_SIZE)?;
    let e = socket(cx, fd, rights::SOCK_ADDR_LOCAL)?;
    let a = std_addr(&e.inner.peer_addr()?)?;
    write_addr(mem, out, &a)
}

fn recv_flags(ri: u32) -> RecvFlags {
    let mut f = RecvFlags::empty();
    if ri & RECV_PEEK != 0 {
        f |= RecvFlags::PEEK;
    }
    if ri & RECV_WAITALL != 0 {
        f |= RecvFlags::WAITALL;
    }
    f
}

/// `sock_send_to(fd, si_data, si_flags, dest) -> size`: a zero-length datagram is legal.
pub fn sock_send_to(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    _flags: u32,
    dest: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    let bufs = mem.ciovecs(iovs, iovs_len)?;
    let dest = read_addr(mem, dest)?;
    let e = socket(cx, fd, rights::FD_WRITE)?;
    check(cx, Op::SendTo, e.proto(), dest)?;
    // An unbound socket is bound to `[::]` by this send: dual-stack, unless the guest sends to
    // IPv4 (a mapped destination) and so holds an IPv4 grant.
    if e.settle_v6() && canonical_v6(dest) {
        v6_only_unless_v4_granted(cx, &e, 0);
    }
    let n = rustix::net::sendmsg_addr(
        e,
        &dest,
        &bufs,
        &mut SendAncillaryBuffer::default(),
        SendFlags::NOSIGNAL,
    )?;
    mem.write_u32(out, n as u32)
}

/// `sock_recv_from(fd, ri_data, ri_flags) -> (addr, size)`: a stream socket, where the OS
/// reports no source, gets its peer's address.
pub fn sock_recv_from(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    flags: u32,
    src: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(src, ADDR_SIZE)?;
    mem.slice(out, 4)?;
    // Pointer checks (the iovecs) before the fd lookup, as everywhere.
    let (s, got) = {
        let mut bufs = mem.iovecs_mut(iovs, iovs_len)?;
        let s = socket(cx, fd, rights::FD_READ)?;
        let got = recv_from_vectored(cx, &s, &mut bufs, recv_flags(flags))?;
        (s, got)
    };
    let from = match got.from {
        Some(a) => a,
        None => match s.stream_peer() {
            Some(a) => a,
            None => std_addr(&s.inner.local_addr()?).map(|l| SocketAddr::new(l.ip(), 0))?,
        },
    };
    write_addr(mem, src, &from)?;
    mem.write_u32(out, got.len as u32)
}

/// `sock_close(fd)`: the same as `fd_close` (WAMR answers `ENOSYS`).
pub fn sock_close(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    crate::wasi::fd::fd_close(cx, mem, fd)
}

/// `sock_recv(fd, ri_data, ri_flags) -> (size, roflags)`: PEEK/WAITALL honoured, truncation
/// reported.
pub fn sock_recv(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    flags: u32,
    out: u32,
    roflags: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    mem.slice(roflags, 2)?;
    let got = {
        let mut bufs = mem.iovecs_mut(iovs, iovs_len)?;
        let e = socket(cx, fd, rights::FD_READ)?;
        recv_from_vectored(cx, &e, &mut bufs, recv_flags(flags))?
    };
    mem.write_u32(out, got.len as u32)?;
    mem.write_u16(
        roflags,
        if got.truncated {
            RECV_DATA_TRUNCATED
        } else {
            0
        },
    )
}

/// `sock_send(fd, si_data, si_flags) -> size`.
pub fn sock_send(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    _flags: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    let bufs = mem.ciovecs(iovs, iovs_len)?;
    let e = socket(cx, fd, rights::FD_WRITE)?;
    let n = send_vectored(&e, &bufs)?;
    mem.write_u32(out, n as u32)
}

/// `sock_shutdown(fd, how)`: `RD` 1, `WR` 2, both 3 (WAMR always shuts both).
pub fn sock_shutdown(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    how: u32,
) -> WasiResult<()> {
    let how = match how {
        1 => std::net::Shutdown::Read,
        2 => std::net::Shutdown::Write,
        3 => std::net::Shutdown::Both,
        _ => return Err(Errno::Inval),
    };
    let e = any_socket(cx, fd)?;
    Ok(e.inner.shutdown(how)?)
}

//! The core socket imports: `sock_open`, `sock_bind`, `sock_connect`, `sock_listen`,
//! `sock_accept`, `sock_addr_local`, `sock_addr_remote`, `sock_send_to`, `sock_recv_from`,
//! `sock_close`, and preview1's `sock_recv`, `sock_send`, `sock_shutdown`.

use super::addr::{read_addr, write_addr, ADDR_SIZE};
use super::guard::{acquire, admits_peer, check};
use super::io::{recv_from_vectored, send_vectored};
use super::Socket;
use crate::abi::types::{fdflags, rights};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::fd::{Entry, Fd};
use crate::policy::Op;
use crate::wasi::WasiCtx;
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
    let fd = cx.push(Entry::new_socket(Socket::new(inner, dgram, permit)))?;
    mem.write_u32(out, fd.0)
}

/// `sock_bind(fd, addr)`.
pub fn sock_bind(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, addr: u32) -> WasiResult<()> {
    let addr = read_addr(mem, addr)?;
    let s = socket(cx, fd, rights::SOCK_BIND)?;
    check(cx, Op::Bind, s.proto(), addr)?;
    Ok(s.inner.bind(&addr.into())?)
}

/// `sock_connect(fd, addr)`: blocking, or `EINPROGRESS` on a non-blocking socket.
pub fn sock_connect(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, addr: u32) -> WasiResult<()> {
    let addr = read_addr(mem, addr)?;
    let s = socket(cx, fd, rights::SOCK_CONNECT)?;
    check(cx, Op::Connect, s.proto(), addr)?;
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
    }
    Ok(s.inner.listen(i32::try_from(backlog).unwrap_or(i32::MAX))?)
}

/// `sock_accept(fd, flags) -> fd`: honours `NONBLOCK` for the new socket (WAMR ignores it).
///
/// A peer the policy refuses never reaches the guest: the host resets the connection and
/// waits for the next one (a non-blocking listener then says `EAGAIN`). A connection past
/// the socket quota is reset too, and the guest gets `EMFILE`.
pub fn sock_accept(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    let s = socket(cx, fd, rights::SOCK_ACCEPT)?;
    let (inner, permit) = loop {
        let (inner, peer) = s.inner.accept()?;
        if !admits_peer(cx, peer.as_socket()) {
            reset(inner);
            continue;
        }
        match acquire(cx) {
            Ok(permit) => break (inner, permit),
            Err(e) => {
                reset(inner);
                return Err(e);
            }
        }
    };
    if flags & u32::from(fdflags::NONBLOCK) != 0 {
        inner.set_nonblocking(true)?;
    }
    let new_fd = cx.push(Entry::new_socket(Socket::new(inner, s.dgram, permit)))?;
    mem.write_u32(out, new_fd.0)
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
        None => match s.inner.peer_addr().ok().and_then(|a| a.as_socket()) {
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

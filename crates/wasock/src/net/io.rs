//! Data transfer on sockets: scatter/gather straight between guest memory and the kernel.

use super::guard::admits_datagram;
use super::Socket;
use crate::abi::{Errno, WasiResult};
use crate::wasi::WasiCtx;
use rustix::net::{RecvAncillaryBuffer, RecvFlags, ReturnFlags, SendAncillaryBuffer, SendFlags};
use std::io::{IoSlice, IoSliceMut};
use std::net::SocketAddr;

/// What one receive produced.
pub struct Received {
    /// Bytes stored in the guest buffers.
    pub len: usize,
    /// The datagram did not fit (preview1 `RECV_DATA_TRUNCATED`).
    pub truncated: bool,
    /// The sender, when the OS reports one.
    pub from: Option<SocketAddr>,
}

/// `recvmsg(2)` into guest buffers; returns `(len, truncated)`.
pub fn recv_vectored(
    cx: &WasiCtx,
    s: &Socket,
    bufs: &mut [IoSliceMut<'_>],
    flags: RecvFlags,
) -> WasiResult<(usize, bool)> {
    let r = recv_from_vectored(cx, s, bufs, flags)?;
    Ok((r.len, r.truncated))
}

/// `recvmsg(2)` into guest buffers, with the sender's address.
///
/// When every source is admitted (or on a stream, whose peer was checked once), the kernel
/// writes straight into guest memory. Otherwise the datagram is received into host memory
/// first and copied to the guest only if its source is admitted: guest memory may be shared
/// with other threads, which must never see a refused payload. A refused datagram is dropped
/// and the receive goes on (blocking or `EAGAIN`, as the socket is), as behind a firewall.
pub fn recv_from_vectored(
    cx: &WasiCtx,
    s: &Socket,
    bufs: &mut [IoSliceMut<'_>],
    flags: RecvFlags,
) -> WasiResult<Received> {
    if !s.dgram || cx.net.inbound_open(true) {
        return recv_once(s, bufs, flags);
    }
    let cap: usize = bufs.iter().map(|b| b.len()).sum();
    // No UDP payload is longer (65,507 bytes over IPv4, 65,527 over IPv6).
    let mut host = Vec::with_capacity(cap.clamp(1, MAX_DATAGRAM));
    loop {
        host.clear();
        // TRUNC: the datagram's real length, to report truncation.
        let (_, len, from) = rustix::net::recvfrom(
            s,
            rustix::buffer::spare_capacity(&mut host),
            flags | RecvFlags::TRUNC,
        )?;
        let from = from.and_then(|a| SocketAddr::try_from(a).ok());
        if admits_datagram(cx, from) {
            let mut rest = &host[..host.len().min(cap)];
            for b in bufs.iter_mut() {
                let n = rest.len().min(b.len());
                b[..n].copy_from_slice(&rest[..n]);
                rest = &rest[n..];
            }
            return Ok(Received {
                len: host.len().min(cap),
                truncated: len > cap,
                from,
            });
        }
        if flags.contains(RecvFlags::PEEK) {
            // Still queued: take it off. (Another thread reading the socket at the same moment
            // can make this take the next datagram instead, which is then lost.)
            let _ = rustix::net::recv(s, &mut [0u8; 0][..], RecvFlags::DONTWAIT);
        }
    }
}

/// The largest UDP payload (IPv6's 65,527 rounded up); a larger guest buffer is never filled.
const MAX_DATAGRAM: usize = 65_536;

fn recv_once(s: &Socket, bufs: &mut [IoSliceMut<'_>], flags: RecvFlags) -> WasiResult<Received> {
    let plain_stream = !s.dgram && flags.is_empty();
    if plain_stream && s.take_drained() {
        return Err(Errno::Again);
    }
    if !plain_stream {
        // A peek that finds data must be followed by a read that gets it.
        s.clear_drained();
    }
    let cap: usize = bufs.iter().map(|b| b.len()).sum();
    let took = |n: usize| {
        if plain_stream && 0 < n && n < cap {
            s.mark_drained();
        }
    };
    // One buffer on a stream (what recv()/read() pass): recv(2) skips the msghdr and iovec
    // copies of recvmsg(2). Datagrams keep recvmsg for the sender and MSG_TRUNC.
    if let (false, [buf]) = (s.dgram, &mut *bufs) {
        let (_, len) = rustix::net::recv(s, &mut buf[..], flags)?;
        took(len);
        return Ok(Received {
            len: len.min(buf.len()),
            truncated: false,
            from: None,
        });
    }
    let msg = rustix::net::recvmsg(s, bufs, &mut RecvAncillaryBuffer::default(), flags)?;
    took(msg.bytes);
    let from = msg.address.and_then(|a| SocketAddr::try_from(a).ok());
    Ok(Received {
        len: msg.bytes.min(cap),
        truncated: msg.flags.contains(ReturnFlags::TRUNC),
        from,
    })
}

/// `sendmsg(2)` from guest buffers; never raises `SIGPIPE` (a reset peer is `EPIPE`).
pub fn send_vectored(s: &Socket, bufs: &[IoSlice<'_>]) -> WasiResult<usize> {
    // One buffer (what send()/write() pass): send(2) skips sendmsg(2)'s msghdr and iovec copies.
    if let [buf] = bufs {
        return Ok(rustix::net::send(s, buf, SendFlags::NOSIGNAL)?);
    }
    Ok(rustix::net::sendmsg(
        s,
        bufs,
        &mut SendAncillaryBuffer::default(),
        SendFlags::NOSIGNAL,
    )?)
}

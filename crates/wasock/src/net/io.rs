//! Data transfer on sockets: scatter/gather straight between guest memory and the kernel.

use super::guard::admits_datagram;
use super::Socket;
use crate::abi::WasiResult;
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
/// A datagram from a source the policy refuses is dropped and the receive goes on (blocking
/// or `EAGAIN`, as the socket is): its bytes, already in guest memory, are zeroed first so
/// nothing of it reaches the guest.
pub fn recv_from_vectored(
    cx: &WasiCtx,
    s: &Socket,
    bufs: &mut [IoSliceMut<'_>],
    flags: RecvFlags,
) -> WasiResult<Received> {
    loop {
        let got = recv_once(s, bufs, flags)?;
        if !s.dgram || admits_datagram(cx, got.from) {
            return Ok(got);
        }
        let mut left = got.len;
        for b in bufs.iter_mut() {
            let n = left.min(b.len());
            b[..n].fill(0);
            left -= n;
        }
        if flags.contains(RecvFlags::PEEK) {
            // Still queued: take it off, without copying it anywhere.
            let _ = rustix::net::recv(s, &mut [0u8; 0][..], RecvFlags::DONTWAIT);
        }
    }
}

fn recv_once(s: &Socket, bufs: &mut [IoSliceMut<'_>], flags: RecvFlags) -> WasiResult<Received> {
    // One buffer on a stream (what recv()/read() pass): recv(2) skips the msghdr and iovec
    // copies of recvmsg(2). Datagrams keep recvmsg for the sender and MSG_TRUNC.
    if let (false, [buf]) = (s.dgram, &mut *bufs) {
        let (_, len) = rustix::net::recv(s, &mut buf[..], flags)?;
        return Ok(Received {
            len: len.min(buf.len()),
            truncated: false,
            from: None,
        });
    }
    let cap: usize = bufs.iter().map(|b| b.len()).sum();
    let msg = rustix::net::recvmsg(s, bufs, &mut RecvAncillaryBuffer::default(), flags)?;
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

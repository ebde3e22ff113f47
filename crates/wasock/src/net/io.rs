//! Data transfer on sockets: scatter/gather straight between guest memory and the kernel.

use super::Socket;
use crate::abi::WasiResult;
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
    s: &Socket,
    bufs: &mut [IoSliceMut<'_>],
    flags: RecvFlags,
) -> WasiResult<(usize, bool)> {
    let r = recv_from_vectored(s, bufs, flags)?;
    Ok((r.len, r.truncated))
}

/// `recvmsg(2)` into guest buffers, with the sender's address.
pub fn recv_from_vectored(
    s: &Socket,
    bufs: &mut [IoSliceMut<'_>],
    flags: RecvFlags,
) -> WasiResult<Received> {
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
    Ok(rustix::net::sendmsg(
        s,
        bufs,
        &mut SendAncillaryBuffer::default(),
        SendFlags::NOSIGNAL,
    )?)
}

//! tokio types for preview1 sockets (feature `tokio`). tokio runs on `wasm32-wasip1` but cannot
//! open sockets there (std cannot), so these functions open them over WAMR's socket ABI and
//! hand tokio the fd. tokio's `net` feature on WebAssembly needs `--cfg tokio_unstable`.
//!
//! Call them inside a tokio runtime: the sockets are registered with the current one.

use crate::net::socket::Socket;
use crate::sys::{self, cvt, WasiAddr};
use ::tokio::io::Interest;
use ::tokio::net::{TcpListener, TcpStream};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};

/// `ENOTCONN`: the connection is not (yet) established.
const ENOTCONN: i32 = 53;
/// `EINPROGRESS`: a non-blocking connect has started.
const EINPROGRESS: i32 = 26;
/// `RECV_PEEK`.
const PEEK: u16 = 1;

/// Binds and listens on `addr` (backlog 128, as [`crate::net::TcpListener::bind`]) and returns
/// tokio's listener for it.
pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
    let l = crate::net::TcpListener::bind(addr)?;
    l.set_nonblocking(true)?;
    // SAFETY: `into_raw_fd` hands over the only owner of a fresh listening socket.
    let std = unsafe { std::net::TcpListener::from_raw_fd(l.into_raw_fd()) };
    TcpListener::from_std(std)
}

/// Accepts a connection on `listener` and returns it with the peer's address (tokio's own
/// `accept` reports std's `0.0.0.0:0` on preview1).
pub async fn accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    let (stream, _) = listener.accept().await?;
    let peer = peer_addr(&stream)?;
    Ok((stream, peer))
}

/// Connects to the first of `addr`'s addresses that accepts, without blocking the runtime:
/// the connect is non-blocking and completes on write readiness. Names must be resolved with
/// [`crate::net::lookup_host`] first.
pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match connect_one(&a).await {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        )
    }))
}

async fn connect_one(addr: &SocketAddr) -> io::Result<TcpStream> {
    let s = Socket::open(addr, true)?;
    s.set_nonblocking(true)?;
    match s.connect(addr) {
        Err(e) if e.raw_os_error() != Some(EINPROGRESS) => return Err(e),
        _ => {}
    }
    // SAFETY: `into_raw_fd` hands over the only owner of the fresh socket.
    let stream = TcpStream::from_std(unsafe { std::net::TcpStream::from_raw_fd(s.into_raw_fd()) })?;
    // Writable means the handshake ended; a peer address means it succeeded. Otherwise the
    // pending error (ECONNREFUSED, …) is what the next receive returns.
    stream
        .async_io(Interest::WRITABLE, || match peer_addr(&stream) {
            Ok(_) => Ok(()),
            Err(e) if e.raw_os_error() == Some(ENOTCONN) => {
                // A one-byte peek: the socket error if the handshake failed, else (still in
                // progress) `WouldBlock`, which makes tokio wait for the next readiness.
                let mut b = [0u8; 1];
                let iov = sys::IoVec {
                    buf: b.as_mut_ptr(),
                    len: b.len(),
                };
                let (mut n, mut ro) = (0u32, 0u16);
                // SAFETY: the iovec describes `b`, which outlives the call.
                cvt(unsafe {
                    sys::sock_recv(
                        stream.as_raw_fd() as sys::Fd,
                        &iov,
                        1,
                        PEEK,
                        &mut n,
                        &mut ro,
                    )
                })?;
                Err(io::ErrorKind::WouldBlock.into())
            }
            Err(e) => Err(e),
        })
        .await?;
    Ok(stream)
}

/// The local address of a socket (tokio's `local_addr` is unsupported on preview1).
pub fn local_addr(socket: &impl AsRawFd) -> io::Result<SocketAddr> {
    let mut a = WasiAddr::default();
    // SAFETY: `a` is a valid 24-byte out-buffer.
    cvt(unsafe { sys::sock_addr_local(socket.as_raw_fd() as sys::Fd, &mut a) })?;
    sys::decode(&a)
}

/// The peer address of a connected socket (tokio's `peer_addr` is unsupported on preview1).
pub fn peer_addr(socket: &impl AsRawFd) -> io::Result<SocketAddr> {
    let mut a = WasiAddr::default();
    // SAFETY: `a` is a valid 24-byte out-buffer.
    cvt(unsafe { sys::sock_addr_remote(socket.as_raw_fd() as sys::Fd, &mut a) })?;
    sys::decode(&a)
}

/// Binds a UDP socket to `addr` and returns it as an async [`UdpSocket`].
pub fn bind_udp(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
    let s = crate::net::UdpSocket::bind(addr)?;
    s.set_nonblocking(true)?;
    // SAFETY: `into_raw_fd` hands over the only owner of the fresh socket.
    let carrier = unsafe { std::net::TcpStream::from_raw_fd(s.into_raw_fd()) };
    Ok(UdpSocket(TcpStream::from_std(carrier)?))
}

/// An async UDP socket. tokio has neither `UdpSocket` nor `AsyncFd` on preview1, so this one
/// takes its readiness from a `tokio::net::TcpStream` registered on the same fd: mio's preview1
/// poller subscribes to an fd's readiness whatever the socket is. Only readiness comes from
/// that stream (and the fd's ownership); every I/O call is a datagram call of this crate.
#[derive(Debug)]
pub struct UdpSocket(TcpStream);

impl UdpSocket {
    fn fd(&self) -> sys::Fd {
        self.0.as_raw_fd() as sys::Fd
    }

    /// Sends one datagram to `addr`, waiting while the socket's buffer is full.
    pub async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> io::Result<usize> {
        let dest = sys::encode(&addr);
        self.0
            .async_io(Interest::WRITABLE, || {
                let iov = sys::IoVec {
                    buf: buf.as_ptr(),
                    len: buf.len(),
                };
                let mut n = 0u32;
                // SAFETY: the iovec describes `buf`; `dest` is a live local.
                cvt(unsafe { sys::sock_send_to(self.fd(), &iov, 1, 0, &dest, &mut n) })?;
                Ok(n as usize)
            })
            .await
    }

    /// Receives one datagram and its sender, waiting until one arrives.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.0
            .async_io(Interest::READABLE, || {
                let iov = sys::IoVec {
                    buf: buf.as_mut_ptr(),
                    len: buf.len(),
                };
                let (mut a, mut n) = (WasiAddr::default(), 0u32);
                // SAFETY: the iovec describes `buf`; `a` is a valid 24-byte out-buffer.
                cvt(unsafe { sys::sock_recv_from(self.fd(), &iov, 1, 0, &mut a, &mut n) })?;
                Ok((n as usize, sys::decode(&a)?))
            })
            .await
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        local_addr(&self.0)
    }
}

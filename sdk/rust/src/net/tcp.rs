//! `TcpListener` and `TcpStream`.

use super::socket::{each_addr, Socket};
use crate::sys::{self, cvt};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::time::Duration;

/// A TCP server socket, as `std::net::TcpListener`.
#[derive(Debug)]
pub struct TcpListener(Socket);

/// A TCP connection, as `std::net::TcpStream`.
#[derive(Debug)]
pub struct TcpStream(Socket);

/// Iterator over accepted connections, from [`TcpListener::incoming`].
#[derive(Debug)]
pub struct Incoming<'a>(&'a TcpListener);

impl TcpListener {
    /// Binds and listens (backlog 128). Names must be resolved with [`super::lookup_host`]
    /// first: `std`'s `ToSocketAddrs` cannot resolve on WASI preview1.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        each_addr(addr, |a| {
            let s = Socket::open(a, true)?;
            // SAFETY: no pointers. SO_REUSEADDR as std sets it on Unix.
            cvt(unsafe { sys::sock_set_reuse_addr(s.fd(), 1) })?;
            s.bind(a)?;
            // SAFETY: no pointers.
            cvt(unsafe { sys::sock_listen(s.fd(), 128) })?;
            Ok(TcpListener(s))
        })
    }

    /// Waits for a connection.
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let mut fd = 0;
        // SAFETY: `fd` is a valid out-pointer.
        cvt(unsafe { sys::sock_accept(self.0.fd(), 0, &mut fd) })?;
        let stream = TcpStream(Socket::from_fd(fd));
        let peer = stream.peer_addr()?;
        Ok((stream, peer))
    }

    /// An iterator of accepted connections.
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming(self)
    }

    /// The bound address (with the port the kernel chose for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// `O_NONBLOCK`: `accept` then fails with `WouldBlock` instead of waiting.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.0.set_nonblocking(on)
    }

    /// Another handle to the same listener.
    pub fn try_clone(&self) -> io::Result<TcpListener> {
        Ok(TcpListener(self.0.clone()))
    }

    /// Sets `IP_TTL`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.0.set_ttl(ttl)
    }

    /// Gets `IP_TTL`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.0.ttl()
    }
}

impl Iterator for Incoming<'_> {
    type Item = io::Result<TcpStream>;
    fn next(&mut self) -> Option<Self::Item> {
        Some(self.0.accept().map(|(s, _)| s))
    }
}

impl TcpStream {
    /// Connects to the first address that accepts.
    pub fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        each_addr(addr, |a| {
            let s = Socket::open(a, true)?;
            s.connect(a)?;
            Ok(TcpStream(s))
        })
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// Shuts down one or both directions.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.0.shutdown(how)
    }

    /// Another handle to the same connection.
    pub fn try_clone(&self) -> io::Result<TcpStream> {
        Ok(TcpStream(self.0.clone()))
    }

    /// `O_NONBLOCK`.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.0.set_nonblocking(on)
    }

    /// `SO_RCVTIMEO`; an expired read fails with `WouldBlock` (as on Unix).
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.0.set_timeout(t, true)
    }

    /// `SO_SNDTIMEO`.
    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.0.set_timeout(t, false)
    }

    /// The read timeout.
    pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
        self.0.timeout(true)
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
        self.0.timeout(false)
    }

    /// `TCP_NODELAY`.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        // SAFETY: no pointers.
        cvt(unsafe { sys::sock_set_tcp_no_delay(self.0.fd(), u32::from(on)) })
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        let mut v = 0u8;
        // SAFETY: `v` is the 1-byte slot the import writes.
        cvt(unsafe { sys::sock_get_tcp_no_delay(self.0.fd(), &mut v) })?;
        Ok(v != 0)
    }

    /// Reads without consuming.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.peek(buf)
    }

    /// Sets `IP_TTL`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.0.set_ttl(ttl)
    }

    /// Gets `IP_TTL`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.0.ttl()
    }

    /// Pending socket error (none is tracked: errors surface on the next call).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.0.take_error()
    }
}

impl Read for TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf)
    }
}

impl Read for &TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf)
    }
}

impl Write for TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for &TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

macro_rules! fd_traits {
    ($t:ident) => {
        impl AsRawFd for $t {
            fn as_raw_fd(&self) -> RawFd {
                self.0.as_raw_fd()
            }
        }
        impl IntoRawFd for $t {
            fn into_raw_fd(self) -> RawFd {
                self.0.into_raw_fd()
            }
        }
        impl FromRawFd for $t {
            unsafe fn from_raw_fd(fd: RawFd) -> Self {
                $t(Socket::from_fd(fd as sys::Fd))
            }
        }
    };
}
pub(crate) use fd_traits;

fd_traits!(TcpListener);
fd_traits!(TcpStream);

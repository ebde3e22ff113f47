//! The fd shared by every clone of one socket, and operations common to TCP and UDP.

use crate::sys::{self, cvt, IoVec, WasiAddr};
use std::io;
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

/// One guest socket; `try_clone` shares it (WASI preview1 has no `dup`), and the fd closes
/// when the last clone is dropped.
#[derive(Debug, Clone)]
pub(crate) struct Socket(Arc<OwnedFd>);

const NONBLOCK: u16 = 4;
const RECV_PEEK: u16 = 1;

impl Socket {
    pub fn fd(&self) -> sys::Fd {
        self.0.as_raw_fd() as sys::Fd
    }

    /// Opens a socket for `addr`'s family; `stream` picks TCP over UDP.
    pub fn open(addr: &SocketAddr, stream: bool) -> io::Result<Socket> {
        let af = i32::from(addr.is_ipv6());
        let mut fd = 0;
        // SAFETY: `fd` is a valid out-pointer for the import.
        cvt(unsafe { sys::sock_open(u32::MAX, af, i32::from(stream), &mut fd) })?;
        Ok(Socket::from_fd(fd))
    }

    pub fn from_fd(fd: sys::Fd) -> Socket {
        // SAFETY: the runtime just handed us this fd and nothing else owns it.
        Socket(Arc::new(unsafe { OwnedFd::from_raw_fd(fd as RawFd) }))
    }

    pub fn bind(&self, addr: &SocketAddr) -> io::Result<()> {
        // SAFETY: the address is a live local.
        cvt(unsafe { sys::sock_bind(self.fd(), &sys::encode(addr)) })
    }

    pub fn connect(&self, addr: &SocketAddr) -> io::Result<()> {
        // SAFETY: as above.
        cvt(unsafe { sys::sock_connect(self.fd(), &sys::encode(addr)) })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        let mut a = WasiAddr::default();
        // SAFETY: `a` is a valid 24-byte out-buffer.
        cvt(unsafe { sys::sock_addr_local(self.fd(), &mut a) })?;
        sys::decode(&a)
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        let mut a = WasiAddr::default();
        // SAFETY: as above.
        cvt(unsafe { sys::sock_addr_remote(self.fd(), &mut a) })?;
        sys::decode(&a)
    }

    pub fn recv_with_flags(&self, buf: &mut [u8], flags: u16) -> io::Result<usize> {
        let iov = IoVec {
            buf: buf.as_mut_ptr(),
            len: buf.len(),
        };
        let (mut n, mut ro) = (0u32, 0u16);
        // SAFETY: the iovec describes `buf`, which outlives the call.
        cvt(unsafe { sys::sock_recv(self.fd(), &iov, 1, flags, &mut n, &mut ro) })?;
        Ok(n as usize)
    }

    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_with_flags(buf, 0)
    }

    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_with_flags(buf, RECV_PEEK)
    }

    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let iov = IoVec {
            buf: buf.as_ptr(),
            len: buf.len(),
        };
        let mut n = 0u32;
        // SAFETY: the iovec describes `buf`.
        cvt(unsafe { sys::sock_send(self.fd(), &iov, 1, 0, &mut n) })?;
        Ok(n as usize)
    }

    pub fn send_to(&self, buf: &[u8], addr: &SocketAddr) -> io::Result<usize> {
        let iov = IoVec {
            buf: buf.as_ptr(),
            len: buf.len(),
        };
        let mut n = 0u32;
        // SAFETY: the iovec describes `buf`; the address is a live local.
        cvt(unsafe { sys::sock_send_to(self.fd(), &iov, 1, 0, &sys::encode(addr), &mut n) })?;
        Ok(n as usize)
    }

    pub fn recv_from_with_flags(
        &self,
        buf: &mut [u8],
        flags: u16,
    ) -> io::Result<(usize, SocketAddr)> {
        let iov = IoVec {
            buf: buf.as_mut_ptr(),
            len: buf.len(),
        };
        let mut a = WasiAddr::default();
        let mut n = 0u32;
        // SAFETY: the iovec describes `buf`; `a` is a valid out-buffer.
        cvt(unsafe { sys::sock_recv_from(self.fd(), &iov, 1, flags, &mut a, &mut n) })?;
        Ok((n as usize, sys::decode(&a)?))
    }

    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => 1,
            Shutdown::Write => 2,
            Shutdown::Both => 3,
        };
        // SAFETY: no pointers.
        cvt(unsafe { sys::sock_shutdown(self.fd(), how) })
    }

    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        let mut stat = [0u8; 24];
        // SAFETY: `stat` is a valid 24-byte fdstat buffer.
        cvt(unsafe { sys::fd_fdstat_get(self.fd(), &mut stat) })?;
        let mut flags = u16::from_le_bytes([stat[2], stat[3]]);
        if on {
            flags |= NONBLOCK;
        } else {
            flags &= !NONBLOCK;
        }
        // SAFETY: no pointers.
        cvt(unsafe { sys::fd_fdstat_set_flags(self.fd(), flags) })
    }

    pub fn set_timeout(&self, t: Option<Duration>, read: bool) -> io::Result<()> {
        if t == Some(Duration::ZERO) {
            // As std: a zero timeout is an error, not "no timeout".
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot set a 0 duration timeout",
            ));
        }
        let micros = t.map_or(0, |d| {
            u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
        });
        // SAFETY: no pointers.
        cvt(unsafe {
            if read {
                sys::sock_set_recv_timeout(self.fd(), micros)
            } else {
                sys::sock_set_send_timeout(self.fd(), micros)
            }
        })
    }

    pub fn timeout(&self, read: bool) -> io::Result<Option<Duration>> {
        let mut micros = 0u64;
        // SAFETY: `micros` is a valid 8-byte out-slot.
        cvt(unsafe {
            if read {
                sys::sock_get_recv_timeout(self.fd(), &mut micros)
            } else {
                sys::sock_get_send_timeout(self.fd(), &mut micros)
            }
        })?;
        Ok((micros != 0).then(|| Duration::from_micros(micros)))
    }

    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        // SAFETY: no pointers.
        cvt(unsafe { sys::sock_set_ip_ttl(self.fd(), ttl) })
    }

    pub fn ttl(&self) -> io::Result<u32> {
        let mut v = 0u8;
        // SAFETY: `v` is the 1-byte slot the import writes.
        cvt(unsafe { sys::sock_get_ip_ttl(self.fd(), &mut v) })?;
        Ok(u32::from(v))
    }

    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(None)
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl IntoRawFd for Socket {
    fn into_raw_fd(self) -> RawFd {
        match Arc::try_unwrap(self.0) {
            Ok(fd) => fd.into_raw_fd(),
            // Other clones still own it: hand out the number, they keep it open.
            Err(shared) => shared.as_raw_fd(),
        }
    }
}

/// Tries each resolved address in turn, as `std::net` does.
pub(crate) fn each_addr<T>(
    addrs: impl ToSocketAddrs,
    mut f: impl FnMut(&SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for a in addrs.to_socket_addrs()? {
        match f(&a) {
            Ok(v) => return Ok(v),
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

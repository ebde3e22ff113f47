//! `UdpSocket`.

use super::socket::{each_addr, Socket};
use super::tcp::fd_traits;
use crate::sys::{self, cvt};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::time::Duration;

/// A UDP socket, as `std::net::UdpSocket`.
#[derive(Debug)]
pub struct UdpSocket(Socket);

impl UdpSocket {
    /// Binds to the first address that works.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        each_addr(addr, |a| {
            let s = Socket::open(a, false)?;
            s.bind(a)?;
            Ok(UdpSocket(s))
        })
    }

    /// Sends one datagram to `addr`.
    pub fn send_to(&self, buf: &[u8], addr: impl ToSocketAddrs) -> io::Result<usize> {
        each_addr(addr, |a| self.0.send_to(buf, a))
    }

    /// Receives one datagram and its sender.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.0.recv_from_with_flags(buf, 0)
    }

    /// Receives without consuming.
    pub fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.0.recv_from_with_flags(buf, 1)
    }

    /// Sets the default peer.
    pub fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        each_addr(addr, |a| self.0.connect(a))
    }

    /// Sends to the connected peer.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf)
    }

    /// Receives from the connected peer.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.recv(buf)
    }

    /// Receives without consuming.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.peek(buf)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// The connected peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// Another handle to the same socket.
    pub fn try_clone(&self) -> io::Result<UdpSocket> {
        Ok(UdpSocket(self.0.clone()))
    }

    /// `O_NONBLOCK`.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.0.set_nonblocking(on)
    }

    /// `SO_RCVTIMEO`.
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

    /// `SO_BROADCAST`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        // SAFETY: no pointers.
        cvt(unsafe { sys::sock_set_broadcast(self.0.fd(), u32::from(on)) })
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        let mut v = 0u8;
        // SAFETY: 1-byte slot.
        cvt(unsafe { sys::sock_get_broadcast(self.0.fd(), &mut v) })?;
        Ok(v != 0)
    }

    /// Sets `IP_TTL`.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.0.set_ttl(ttl)
    }

    /// Gets `IP_TTL`.
    pub fn ttl(&self) -> io::Result<u32> {
        self.0.ttl()
    }

    /// `IP_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        // SAFETY: no pointers.
        cvt(unsafe { sys::sock_set_ip_multicast_loop(self.0.fd(), 0, u32::from(on)) })
    }

    /// Whether `IP_MULTICAST_LOOP` is set.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        let mut v = 0u8;
        // SAFETY: 1-byte slot.
        cvt(unsafe { sys::sock_get_ip_multicast_loop(self.0.fd(), 0, &mut v) })?;
        Ok(v != 0)
    }

    /// `IPV6_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        // SAFETY: no pointers.
        cvt(unsafe { sys::sock_set_ip_multicast_loop(self.0.fd(), 1, u32::from(on)) })
    }

    /// `IP_MULTICAST_TTL`.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        // SAFETY: no pointers.
        cvt(unsafe { sys::sock_set_ip_multicast_ttl(self.0.fd(), ttl) })
    }

    /// Joins an IPv4 multicast group on the interface with address `iface`.
    pub fn join_multicast_v4(&self, group: &Ipv4Addr, iface: &Ipv4Addr) -> io::Result<()> {
        self.membership(IpAddr::V4(*group), u32::from_le_bytes(iface.octets()), true)
    }

    /// Leaves an IPv4 multicast group.
    pub fn leave_multicast_v4(&self, group: &Ipv4Addr, iface: &Ipv4Addr) -> io::Result<()> {
        self.membership(
            IpAddr::V4(*group),
            u32::from_le_bytes(iface.octets()),
            false,
        )
    }

    /// Joins an IPv6 multicast group on interface index `iface`.
    pub fn join_multicast_v6(&self, group: &Ipv6Addr, iface: u32) -> io::Result<()> {
        self.membership(IpAddr::V6(*group), iface, true)
    }

    /// Leaves an IPv6 multicast group.
    pub fn leave_multicast_v6(&self, group: &Ipv6Addr, iface: u32) -> io::Result<()> {
        self.membership(IpAddr::V6(*group), iface, false)
    }

    fn membership(&self, group: IpAddr, iface: u32, join: bool) -> io::Result<()> {
        let g = sys::encode_ip(&group);
        // SAFETY: `g` is a live 20-byte group address.
        cvt(unsafe {
            if join {
                sys::sock_set_ip_add_membership(self.0.fd(), &g, iface)
            } else {
                sys::sock_set_ip_drop_membership(self.0.fd(), &g, iface)
            }
        })
    }
}

fd_traits!(UdpSocket);

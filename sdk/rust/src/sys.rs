//! The raw imports (WAMR's socket ABI, docs/socket-abi.md; module `wasi_snapshot_preview1`)
//! and the `__wasi_addr_t` encoding.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

pub type Fd = u32;
pub type Errno = u16;

/// `__wasi_addr_t`: 24 bytes, align 4.
#[repr(C, align(4))]
#[derive(Clone, Copy, Default)]
pub struct WasiAddr(pub [u8; 24]);

/// `__wasi_addr_ip_t`: 20 bytes, align 4.
#[repr(C, align(4))]
#[derive(Clone, Copy, Default)]
pub struct WasiAddrIp(pub [u8; 20]);

/// `__wasi_addr_info_t`: 28 bytes, align 4.
#[repr(C, align(4))]
#[derive(Clone, Copy)]
pub struct WasiAddrInfo(pub [u8; 28]);

/// `__wasi_addr_info_hints_t`: 12 bytes, align 4.
#[repr(C, align(4))]
#[derive(Clone, Copy, Default)]
pub struct WasiHints(pub [u8; 12]);

/// `ciovec` / `iovec`.
#[repr(C)]
pub struct IoVec {
    pub buf: *const u8,
    pub len: usize,
}

#[cfg(target_os = "wasi")]
#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    pub fn sock_open(poolfd: Fd, af: i32, socktype: i32, fd_out: *mut Fd) -> Errno;
    pub fn sock_bind(fd: Fd, addr: *const WasiAddr) -> Errno;
    pub fn sock_connect(fd: Fd, addr: *const WasiAddr) -> Errno;
    pub fn sock_listen(fd: Fd, backlog: u32) -> Errno;
    pub fn sock_accept(fd: Fd, flags: u16, fd_out: *mut Fd) -> Errno;
    pub fn sock_addr_local(fd: Fd, addr: *mut WasiAddr) -> Errno;
    pub fn sock_addr_remote(fd: Fd, addr: *mut WasiAddr) -> Errno;
    pub fn sock_addr_resolve(
        host: *const u8,
        service: *const u8,
        hints: *const WasiHints,
        buf: *mut WasiAddrInfo,
        buf_len: u32,
        total: *mut u32,
    ) -> Errno;
    pub fn sock_send_to(
        fd: Fd,
        data: *const IoVec,
        data_len: u32,
        flags: u16,
        dest: *const WasiAddr,
        sent: *mut u32,
    ) -> Errno;
    pub fn sock_recv_from(
        fd: Fd,
        data: *const IoVec,
        data_len: u32,
        flags: u16,
        src: *mut WasiAddr,
        recvd: *mut u32,
    ) -> Errno;
    pub fn sock_recv(
        fd: Fd,
        data: *const IoVec,
        data_len: u32,
        flags: u16,
        recvd: *mut u32,
        roflags: *mut u16,
    ) -> Errno;
    pub fn sock_send(
        fd: Fd,
        data: *const IoVec,
        data_len: u32,
        flags: u16,
        sent: *mut u32,
    ) -> Errno;
    pub fn sock_shutdown(fd: Fd, how: u8) -> Errno;

    pub fn sock_set_reuse_addr(fd: Fd, on: u32) -> Errno;
    pub fn sock_set_broadcast(fd: Fd, on: u32) -> Errno;
    pub fn sock_get_broadcast(fd: Fd, out: *mut u8) -> Errno;
    pub fn sock_set_tcp_no_delay(fd: Fd, on: u32) -> Errno;
    pub fn sock_get_tcp_no_delay(fd: Fd, out: *mut u8) -> Errno;
    pub fn sock_set_recv_timeout(fd: Fd, micros: u64) -> Errno;
    pub fn sock_get_recv_timeout(fd: Fd, out: *mut u64) -> Errno;
    pub fn sock_set_send_timeout(fd: Fd, micros: u64) -> Errno;
    pub fn sock_get_send_timeout(fd: Fd, out: *mut u64) -> Errno;
    pub fn sock_set_ip_ttl(fd: Fd, ttl: u32) -> Errno;
    pub fn sock_get_ip_ttl(fd: Fd, out: *mut u8) -> Errno;
    pub fn sock_set_ip_multicast_loop(fd: Fd, ipv6: u32, on: u32) -> Errno;
    pub fn sock_get_ip_multicast_loop(fd: Fd, ipv6: u32, out: *mut u8) -> Errno;
    pub fn sock_set_ip_multicast_ttl(fd: Fd, ttl: u32) -> Errno;
    pub fn sock_set_ip_add_membership(fd: Fd, group: *const WasiAddrIp, iface: u32) -> Errno;
    pub fn sock_set_ip_drop_membership(fd: Fd, group: *const WasiAddrIp, iface: u32) -> Errno;

    pub fn fd_fdstat_get(fd: Fd, out: *mut [u8; 24]) -> Errno;
    pub fn fd_fdstat_set_flags(fd: Fd, flags: u16) -> Errno;
    pub fn poll_oneoff(
        subs: *const [u8; 48],
        events: *mut [u8; 32],
        nsubs: u32,
        nevents: *mut u32,
    ) -> Errno;
}

/// Turns an errno into `io::Result` (std on WASI maps errno values to `ErrorKind`).
pub fn cvt(errno: Errno) -> io::Result<()> {
    if errno == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(i32::from(errno)))
    }
}

/// Encodes a `std` address (port in host order, IPv6 groups little-endian, docs/socket-abi.md).
pub fn encode(addr: &SocketAddr) -> WasiAddr {
    let mut b = [0u8; 24];
    match addr {
        SocketAddr::V4(a) => {
            b[4..8].copy_from_slice(&a.ip().octets());
            b[8..10].copy_from_slice(&a.port().to_le_bytes());
        }
        SocketAddr::V6(a) => {
            b[0] = 1;
            for (i, g) in a.ip().segments().iter().enumerate() {
                b[4 + 2 * i..6 + 2 * i].copy_from_slice(&g.to_le_bytes());
            }
            b[20..22].copy_from_slice(&a.port().to_le_bytes());
        }
    }
    WasiAddr(b)
}

/// Decodes a `__wasi_addr_t`.
pub fn decode(a: &WasiAddr) -> io::Result<SocketAddr> {
    let b = &a.0;
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    match u32::from_le_bytes([b[0], b[1], b[2], b[3]]) {
        0 => Ok(SocketAddr::V4(SocketAddrV4::new(
            Ipv4Addr::new(b[4], b[5], b[6], b[7]),
            u16_at(8),
        ))),
        1 => {
            let g: [u16; 8] = std::array::from_fn(|i| u16_at(4 + 2 * i));
            let ip = Ipv6Addr::new(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
            Ok(SocketAddr::V6(SocketAddrV6::new(ip, u16_at(20), 0, 0)))
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "unknown address kind",
        )),
    }
}

/// Encodes a multicast group as `__wasi_addr_ip_t`.
pub fn encode_ip(ip: &std::net::IpAddr) -> WasiAddrIp {
    let mut b = [0u8; 20];
    match ip {
        std::net::IpAddr::V4(a) => b[4..8].copy_from_slice(&a.octets()),
        std::net::IpAddr::V6(a) => {
            b[0] = 1;
            for (i, g) in a.segments().iter().enumerate() {
                b[4 + 2 * i..6 + 2 * i].copy_from_slice(&g.to_le_bytes());
            }
        }
    }
    WasiAddrIp(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_in_spec_layout() {
        let a: SocketAddr = "127.0.0.1:40777".parse().unwrap();
        let w = encode(&a);
        assert_eq!(&w.0[..10], &[0, 0, 0, 0, 0x7f, 0, 0, 1, 0x49, 0x9f]);
        assert_eq!(decode(&w).unwrap(), a);
        let a: SocketAddr = "[::1]:40778".parse().unwrap();
        let w = encode(&a);
        assert_eq!(&w.0[18..22], &[1, 0, 0x4a, 0x9f]);
        assert_eq!(decode(&w).unwrap(), a);
    }
}

//! WAMR's socket-address layouts (docs/socket-abi.md), decoded to and encoded from `std::net`
//! types.
//!
//! `__wasi_addr_t` is 24 bytes: `kind` u32 at 0, then IPv4 `n0..n3` at 4–7 with the port
//! (u16 LE, host order) at 8, or eight IPv6 groups (u16 LE each) at 4–19 with the port at 20.

use crate::abi::{Errno, GuestMemory, WasiResult};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Size of `__wasi_addr_t`.
pub const ADDR_SIZE: u32 = 24;
/// Size of `__wasi_addr_ip_t`.
pub const ADDR_IP_SIZE: u32 = 20;
/// Size of `__wasi_addr_info_t`.
pub const ADDR_INFO_SIZE: u32 = 28;
/// Size of `__wasi_addr_info_hints_t`.
pub const HINTS_SIZE: u32 = 12;

const KIND_IPV4: u32 = 0;
const KIND_IPV6: u32 = 1;

/// Decodes a `__wasi_addr_t`; an unknown `kind` is `EPROTONOSUPPORT` (as WAMR).
pub fn decode_addr(b: &[u8; 24]) -> WasiResult<SocketAddr> {
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    match u32::from_le_bytes([b[0], b[1], b[2], b[3]]) {
        KIND_IPV4 => Ok(SocketAddr::V4(SocketAddrV4::new(
            Ipv4Addr::new(b[4], b[5], b[6], b[7]),
            u16_at(8),
        ))),
        KIND_IPV6 => {
            let g: [u16; 8] = std::array::from_fn(|i| u16_at(4 + 2 * i));
            let ip = Ipv6Addr::new(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
            Ok(SocketAddr::V6(SocketAddrV6::new(ip, u16_at(20), 0, 0)))
        }
        _ => Err(Errno::ProtoNoSupport),
    }
}

/// Encodes a `__wasi_addr_t`: returns the bytes and how many of them the host writes (WAMR
/// writes only kind, address and port, leaving the rest of the guest's struct untouched).
pub fn encode_addr(addr: &SocketAddr) -> ([u8; 24], usize) {
    let mut b = [0u8; 24];
    match addr {
        SocketAddr::V4(a) => {
            b[0..4].copy_from_slice(&KIND_IPV4.to_le_bytes());
            b[4..8].copy_from_slice(&a.ip().octets());
            b[8..10].copy_from_slice(&a.port().to_le_bytes());
            (b, 10)
        }
        SocketAddr::V6(a) => {
            b[0..4].copy_from_slice(&KIND_IPV6.to_le_bytes());
            for (i, g) in a.ip().segments().iter().enumerate() {
                b[4 + 2 * i..6 + 2 * i].copy_from_slice(&g.to_le_bytes());
            }
            b[20..22].copy_from_slice(&a.port().to_le_bytes());
            (b, 22)
        }
    }
}

/// Decodes a `__wasi_addr_ip_t` (multicast group): kind 1 is IPv6, any other kind IPv4 (as WAMR).
pub fn decode_addr_ip(b: &[u8; 20]) -> IpAddr {
    if u32::from_le_bytes([b[0], b[1], b[2], b[3]]) == KIND_IPV6 {
        let g: [u16; 8] = std::array::from_fn(|i| u16::from_le_bytes([b[4 + 2 * i], b[5 + 2 * i]]));
        IpAddr::V6(Ipv6Addr::new(
            g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7],
        ))
    } else {
        IpAddr::V4(Ipv4Addr::new(b[4], b[5], b[6], b[7]))
    }
}

/// Encodes a `__wasi_addr_info_t`: the address, then `type` (1 = STREAM, 0 = DGRAM) at 24.
pub fn encode_addr_info(addr: &SocketAddr, stream: bool) -> [u8; 28] {
    let mut b = [0u8; 28];
    b[..24].copy_from_slice(&encode_addr(addr).0);
    b[24..28].copy_from_slice(&i32::from(stream).to_le_bytes());
    b
}

/// Decoded `__wasi_addr_info_hints_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    /// `SOCKET_ANY` (-1), `SOCKET_DGRAM` (0) or `SOCKET_STREAM` (1).
    pub sock_type: i32,
    /// `INET4` (0), `INET6` (1) or `INET_UNSPEC` (2).
    pub family: i32,
    /// Whether the hints apply at all.
    pub enabled: bool,
}

/// Decodes the 12-byte hints struct.
pub fn decode_hints(b: &[u8; 12]) -> Hints {
    Hints {
        sock_type: i32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        family: i32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        enabled: b[8] != 0,
    }
}

/// Reads a `__wasi_addr_t` from guest memory.
pub fn read_addr(mem: &GuestMemory<'_>, ptr: u32) -> WasiResult<SocketAddr> {
    decode_addr(&mem.array(ptr)?)
}

/// Writes a `__wasi_addr_t` into guest memory (kind, address and port only).
pub fn write_addr(mem: &mut GuestMemory<'_>, ptr: u32, addr: &SocketAddr) -> WasiResult<()> {
    let (bytes, len) = encode_addr(addr);
    mem.write(ptr, &bytes[..len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_matches_observed_dump() {
        // docs/socket-abi.md's example: 127.0.0.1:40777 -> 00 00 00 00 7f 00 00 01 49 9f
        let a: SocketAddr = "127.0.0.1:40777".parse().unwrap();
        let (b, n) = encode_addr(&a);
        assert_eq!(n, 10);
        assert_eq!(&b[..10], &[0, 0, 0, 0, 0x7f, 0, 0, 1, 0x49, 0x9f]);
        assert_eq!(decode_addr(&b).unwrap(), a);
        // 8080 -> 90 1f
        let (b, _) = encode_addr(&"10.1.2.3:8080".parse().unwrap());
        assert_eq!(&b[4..10], &[10, 1, 2, 3, 0x90, 0x1f]);
    }

    #[test]
    fn ipv6_matches_observed_dump() {
        // [::1]:40778 -> 01 00 00 00, 14 zero bytes, 01 00 at 18, 4a 9f at 20
        let a: SocketAddr = "[::1]:40778".parse().unwrap();
        let (b, n) = encode_addr(&a);
        assert_eq!(n, 22);
        assert_eq!(&b[0..4], &[1, 0, 0, 0]);
        assert!(b[4..18].iter().all(|&x| x == 0));
        assert_eq!(&b[18..20], &[1, 0]);
        assert_eq!(&b[20..22], &[0x4a, 0x9f]);
        assert_eq!(decode_addr(&b).unwrap(), a);
        // fe80::3ba2:893b:4be0:e3dd: n0 = 0xfe80 (bytes 80 fe), h0..h3 at 12..20
        let (b, _) = encode_addr(&"[fe80::3ba2:893b:4be0:e3dd]:1".parse().unwrap());
        assert_eq!(&b[4..6], &[0x80, 0xfe]);
        assert_eq!(
            &b[12..20],
            &[0xa2, 0x3b, 0x3b, 0x89, 0xe0, 0x4b, 0xdd, 0xe3]
        );
    }

    #[test]
    fn unknown_kind_is_eprotonosupport() {
        let mut b = [0u8; 24];
        b[0] = 2;
        assert_eq!(decode_addr(&b).unwrap_err(), Errno::ProtoNoSupport);
    }

    #[test]
    fn addr_ip_info_and_hints_layouts() {
        let mut b = [0u8; 20];
        b[4..8].copy_from_slice(&[224, 0, 0, 251]);
        assert_eq!(decode_addr_ip(&b), "224.0.0.251".parse::<IpAddr>().unwrap());
        let mut b = [0u8; 20];
        b[0] = 1;
        b[4..6].copy_from_slice(&[0x02, 0xff]);
        b[18..20].copy_from_slice(&[0xfb, 0]);
        assert_eq!(decode_addr_ip(&b), "ff02::fb".parse::<IpAddr>().unwrap());

        let info = encode_addr_info(&"127.0.0.1:80".parse().unwrap(), true);
        assert_eq!(&info[4..10], &[127, 0, 0, 1, 80, 0]);
        assert_eq!(&info[24..28], &[1, 0, 0, 0]);
        assert_eq!(
            &encode_addr_info(&"127.0.0.1:80".parse().unwrap(), false)[24..28],
            &[0, 0, 0, 0]
        );

        let h = decode_hints(&[0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 1, 9, 9, 9]);
        assert_eq!(
            h,
            Hints {
                sock_type: -1,
                family: 2,
                enabled: true
            }
        );
    }
}

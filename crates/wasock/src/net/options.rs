//! `sock_get_*` / `sock_set_*`: socket options (docs/socket-abi.md). No pool or rights check,
//! except for a multicast join, which the policy governs (see [`sock_set_ip_add_membership`]); a
//! non-socket fd is `ENOTSOCK`. Getters write exactly their slot: 1 byte for booleans and TTLs,
//! 4 for sizes and seconds, 8 for timeouts. Setters treat any non-zero value as true (POSIX),
//! not just the low byte as WAMR does.

use super::addr::{decode_addr_ip, ADDR_IP_SIZE};
use super::guard::check;
use super::sock::any_socket;
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::policy::Op;
use crate::wasi::WasiCtx;
use rustix::net::sockopt::{self as so, Timeout};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Defines a boolean option's setter and getter over rustix's sockopt pair.
macro_rules! bool_option {
    ($set:ident, $get:ident, $rset:path, $rget:path) => {
        #[doc = concat!("`", stringify!($set), "(fd, bool)`.")]
        pub fn $set(cx: &WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, on: u32) -> WasiResult<()> {
            let s = any_socket(cx, fd)?;
            Ok($rset(&s.inner, on != 0)?)
        }

        #[doc = concat!("`", stringify!($get), "(fd) -> u8`.")]
        pub fn $get(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
            mem.slice(out, 1)?;
            let s = any_socket(cx, fd)?;
            let v = $rget(&s.inner)?;
            mem.write_u8(out, u8::from(v))
        }
    };
}

bool_option!(
    sock_set_broadcast,
    sock_get_broadcast,
    so::set_socket_broadcast,
    so::socket_broadcast
);
bool_option!(
    sock_set_keep_alive,
    sock_get_keep_alive,
    so::set_socket_keepalive,
    so::socket_keepalive
);
bool_option!(
    sock_set_reuse_addr,
    sock_get_reuse_addr,
    so::set_socket_reuseaddr,
    so::socket_reuseaddr
);
bool_option!(
    sock_set_reuse_port,
    sock_get_reuse_port,
    so::set_socket_reuseport,
    so::socket_reuseport
);
bool_option!(
    sock_set_tcp_no_delay,
    sock_get_tcp_no_delay,
    so::set_tcp_nodelay,
    so::tcp_nodelay
);
bool_option!(
    sock_set_tcp_quick_ack,
    sock_get_tcp_quick_ack,
    so::set_tcp_quickack,
    so::tcp_quickack
);
bool_option!(
    sock_set_ipv6_only,
    sock_get_ipv6_only,
    so::set_ipv6_v6only,
    so::ipv6_v6only
);

/// Defines a buffer-size option (u32 in, 4-byte u32 out).
macro_rules! size_option {
    ($set:ident, $get:ident, $rset:path, $rget:path) => {
        #[doc = concat!("`", stringify!($set), "(fd, u32)`.")]
        pub fn $set(
            cx: &WasiCtx,
            _mem: &mut GuestMemory<'_>,
            fd: u32,
            size: u32,
        ) -> WasiResult<()> {
            let s = any_socket(cx, fd)?;
            Ok($rset(&s.inner, size as usize)?)
        }

        #[doc = concat!("`", stringify!($get), "(fd) -> u32` (4 bytes; WAMR writes 8).")]
        pub fn $get(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
            mem.slice(out, 4)?;
            let s = any_socket(cx, fd)?;
            let v = $rget(&s.inner)?;
            mem.write_u32(out, u32::try_from(v).unwrap_or(u32::MAX))
        }
    };
}

size_option!(
    sock_set_send_buf_size,
    sock_get_send_buf_size,
    so::set_socket_send_buffer_size,
    so::socket_send_buffer_size
);
size_option!(
    sock_set_recv_buf_size,
    sock_get_recv_buf_size,
    so::set_socket_recv_buffer_size,
    so::socket_recv_buffer_size
);

/// Defines a timeout option (i64 µs in, 0 = none; u64 µs out).
macro_rules! timeout_option {
    ($set:ident, $get:ident, $which:expr) => {
        #[doc = concat!("`", stringify!($set), "(fd, i64 µs)`; 0 disables the timeout.")]
        pub fn $set(
            cx: &WasiCtx,
            _mem: &mut GuestMemory<'_>,
            fd: u32,
            micros: i64,
        ) -> WasiResult<()> {
            let micros = u64::try_from(micros).map_err(|_| Errno::Inval)?;
            let s = any_socket(cx, fd)?;
            let t = (micros != 0).then(|| Duration::from_micros(micros));
            Ok(so::set_socket_timeout(&s.inner, $which, t)?)
        }

        #[doc = concat!("`", stringify!($get), "(fd) -> u64 µs`.")]
        pub fn $get(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
            mem.slice(out, 8)?;
            let s = any_socket(cx, fd)?;
            let t = so::socket_timeout(&s.inner, $which)?;
            mem.write_u64(out, t.map_or(0, |d| d.as_micros() as u64))
        }
    };
}

timeout_option!(sock_set_send_timeout, sock_get_send_timeout, Timeout::Send);
timeout_option!(sock_set_recv_timeout, sock_get_recv_timeout, Timeout::Recv);

/// Defines a seconds option (u32 in and out).
macro_rules! secs_option {
    ($set:ident, $get:ident, $rset:path, $rget:path) => {
        #[doc = concat!("`", stringify!($set), "(fd, u32 seconds)`.")]
        pub fn $set(
            cx: &WasiCtx,
            _mem: &mut GuestMemory<'_>,
            fd: u32,
            secs: u32,
        ) -> WasiResult<()> {
            let s = any_socket(cx, fd)?;
            Ok($rset(&s.inner, Duration::from_secs(u64::from(secs)))?)
        }

        #[doc = concat!("`", stringify!($get), "(fd) -> u32 seconds`.")]
        pub fn $get(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
            mem.slice(out, 4)?;
            let s = any_socket(cx, fd)?;
            let v = $rget(&s.inner)?;
            mem.write_u32(out, u32::try_from(v.as_secs()).unwrap_or(u32::MAX))
        }
    };
}

secs_option!(
    sock_set_tcp_keep_idle,
    sock_get_tcp_keep_idle,
    so::set_tcp_keepidle,
    so::tcp_keepidle
);
secs_option!(
    sock_set_tcp_keep_intvl,
    sock_get_tcp_keep_intvl,
    so::set_tcp_keepintvl,
    so::tcp_keepintvl
);

/// Defines a TTL option (0–255 in, 1-byte out); a value over 255 is `EINVAL` as natively.
macro_rules! ttl_option {
    ($set:ident, $get:ident, $rset:path, $rget:path) => {
        #[doc = concat!("`", stringify!($set), "(fd, u8)`.")]
        pub fn $set(cx: &WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, ttl: u32) -> WasiResult<()> {
            if ttl > 255 {
                return Err(Errno::Inval);
            }
            let s = any_socket(cx, fd)?;
            Ok($rset(&s.inner, ttl)?)
        }

        #[doc = concat!("`", stringify!($get), "(fd) -> u8`.")]
        pub fn $get(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
            mem.slice(out, 1)?;
            let s = any_socket(cx, fd)?;
            let v = $rget(&s.inner)?;
            mem.write_u8(out, u8::try_from(v).unwrap_or(u8::MAX))
        }
    };
}

ttl_option!(sock_set_ip_ttl, sock_get_ip_ttl, so::set_ip_ttl, so::ip_ttl);
ttl_option!(
    sock_set_ip_multicast_ttl,
    sock_get_ip_multicast_ttl,
    so::set_ip_multicast_ttl,
    so::ip_multicast_ttl
);

/// `sock_set_linger(fd, on, secs)`.
pub fn sock_set_linger(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    on: u32,
    secs: i32,
) -> WasiResult<()> {
    let secs = u64::try_from(secs).map_err(|_| Errno::Inval)?;
    let s = any_socket(cx, fd)?;
    Ok(so::set_socket_linger(
        &s.inner,
        (on != 0).then(|| Duration::from_secs(secs)),
    )?)
}

/// `sock_get_linger(fd) -> (u8 on, i32 secs)`.
pub fn sock_get_linger(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    on_out: u32,
    secs_out: u32,
) -> WasiResult<()> {
    mem.slice(on_out, 1)?;
    mem.slice(secs_out, 4)?;
    let s = any_socket(cx, fd)?;
    let l = so::socket_linger(&s.inner)?;
    mem.write_u8(on_out, u8::from(l.is_some()))?;
    mem.write_u32(secs_out, l.map_or(0, |d| d.as_secs() as u32))
}

/// `sock_set_ip_multicast_loop(fd, ipv6, on)`.
pub fn sock_set_ip_multicast_loop(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    ipv6: u32,
    on: u32,
) -> WasiResult<()> {
    let s = any_socket(cx, fd)?;
    if ipv6 != 0 {
        Ok(so::set_ipv6_multicast_loop(&s.inner, on != 0)?)
    } else {
        Ok(so::set_ip_multicast_loop(&s.inner, on != 0)?)
    }
}

/// `sock_get_ip_multicast_loop(fd, ipv6) -> u8`.
pub fn sock_get_ip_multicast_loop(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ipv6: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 1)?;
    let s = any_socket(cx, fd)?;
    let v = if ipv6 != 0 {
        so::ipv6_multicast_loop(&s.inner)?
    } else {
        so::ip_multicast_loop(&s.inner)?
    };
    mem.write_u8(out, u8::from(v))
}

fn membership(
    cx: &WasiCtx,
    mem: &GuestMemory<'_>,
    fd: u32,
    group: u32,
    iface: u32,
    join: bool,
) -> WasiResult<()> {
    let group = decode_addr_ip(&mem.array::<{ ADDR_IP_SIZE as usize }>(group)?);
    let s = any_socket(cx, fd)?;
    if join && group.is_multicast() {
        // A join makes the kernel send IGMP/MLD reports naming the group (egress) and asks for
        // the group's traffic: it needs `send` and `recv` for the group (port 0). Leaving a
        // group the socket could join needs nothing, and a "group" that is no multicast
        // address is the kernel's to refuse (EINVAL), sending nothing.
        check(cx, Op::Join, s.proto(), SocketAddr::new(group, 0))?;
    }
    match (group, join) {
        (IpAddr::V4(g), true) => Ok(so::set_ip_add_membership(&s.inner, &g, &iface_v4(iface))?),
        (IpAddr::V4(g), false) => Ok(so::set_ip_drop_membership(&s.inner, &g, &iface_v4(iface))?),
        (IpAddr::V6(g), true) => Ok(so::set_ipv6_add_membership(&s.inner, &g, iface)?),
        (IpAddr::V6(g), false) => Ok(so::set_ipv6_drop_membership(&s.inner, &g, iface)?),
    }
}

/// The guest passes `imr_interface.s_addr` raw, i.e. network order in memory (LE u32 here).
fn iface_v4(raw: u32) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::from(raw.to_le_bytes())
}

/// `sock_set_ip_add_membership(fd, group, iface)`: `IP_ADD_MEMBERSHIP` or `IPV6_JOIN_GROUP`
/// by the group's family; `EACCES` unless the policy allows `send` and `recv` for the group.
pub fn sock_set_ip_add_membership(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    group: u32,
    iface: u32,
) -> WasiResult<()> {
    membership(cx, mem, fd, group, iface, true)
}

/// `sock_set_ip_drop_membership(fd, group, iface)`.
pub fn sock_set_ip_drop_membership(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    group: u32,
    iface: u32,
) -> WasiResult<()> {
    membership(cx, mem, fd, group, iface, false)
}

/// `TCP_FASTOPEN_CONNECT`: neither rustix nor socket2 wraps it, so this is the one raw call.
fn fastopen_connect(fd: std::os::fd::BorrowedFd<'_>, set: Option<bool>) -> WasiResult<bool> {
    use std::os::fd::AsRawFd;
    const TCP_FASTOPEN_CONNECT: libc::c_int = 30;
    let mut v: libc::c_int = set.map_or(0, libc::c_int::from);
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let p = (&mut v as *mut libc::c_int).cast::<libc::c_void>();
    // SAFETY: `fd` is a live socket borrowed for the call; `v`/`len` are valid for an int.
    let rc = unsafe {
        match set {
            Some(_) => libc::setsockopt(
                fd.as_raw_fd(),
                libc::IPPROTO_TCP,
                TCP_FASTOPEN_CONNECT,
                p,
                len,
            ),
            None => libc::getsockopt(
                fd.as_raw_fd(),
                libc::IPPROTO_TCP,
                TCP_FASTOPEN_CONNECT,
                p,
                &mut len,
            ),
        }
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(v != 0)
}

/// `sock_set_tcp_fastopen_connect(fd, bool)`.
pub fn sock_set_tcp_fastopen_connect(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    on: u32,
) -> WasiResult<()> {
    use std::os::fd::AsFd;
    let s = any_socket(cx, fd)?;
    fastopen_connect(s.inner.as_fd(), Some(on != 0)).map(drop)
}

/// `sock_get_tcp_fastopen_connect(fd) -> u8`.
pub fn sock_get_tcp_fastopen_connect(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    use std::os::fd::AsFd;
    mem.slice(out, 1)?;
    let s = any_socket(cx, fd)?;
    let v = fastopen_connect(s.inner.as_fd(), None)?;
    mem.write_u8(out, u8::from(v))
}

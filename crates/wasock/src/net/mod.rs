//! Socket imports in `wasi_snapshot_preview1`: WAMR's extension (`sock_open` … and the option
//! getters/setters) and preview1's `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`.
//!
//! Each import `sock_xyz` is implemented by the function of the same name: core calls in
//! `sock.rs`, options in `options.rs`, name resolution in `resolve.rs`; layouts in `addr.rs`.

// Each import function takes exactly the wasm parameters of its ABI signature.
#![allow(clippy::too_many_arguments)]

pub mod addr;
pub mod guard;
pub mod hosts;
pub mod io;
pub mod options;
pub mod resolve;
pub mod sock;
mod socket;

pub use socket::Socket;

use crate::link::HostLinker;
use crate::wasi::Host;

/// Registers `$name` like `host_fn!`, logging the call and its result under `--trace-net`.
macro_rules! sock_fn {
    ($linker:ident, $name:literal, $imp:path $(, $arg:ident : $ty:ty)* $(,)?) => {
        $linker.func_wrap(
            crate::wasi::MODULE,
            $name,
            |mut caller: ::wasmtime::Caller<'_, Host> $(, $arg: $ty)*| -> i32 {
                crate::wasi::call(&mut caller, |cx, mem| {
                    let r = $imp(cx, mem $(, $arg)*);
                    if cx.trace.enabled() {
                        let args: Vec<String> = vec![$(format!("{}={}", stringify!($arg), $arg)),*];
                        let res = match &r { Ok(()) => "ok".to_string(), Err(e) => e.to_string() };
                        cx.trace.log($name, format_args!("({})", args.join(", ")), &res);
                    }
                    r
                })
            },
        )?;
    };
}

/// Adds every socket import to the linker.
pub fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    use options::*;
    use sock::*;
    sock_fn!(linker, "sock_open", sock_open, poolfd: u32, af: u32, socktype: u32, fd_out: u32);
    sock_fn!(linker, "sock_bind", sock_bind, fd: u32, addr: u32);
    sock_fn!(linker, "sock_connect", sock_connect, fd: u32, addr: u32);
    sock_fn!(linker, "sock_listen", sock_listen, fd: u32, backlog: u32);
    sock_fn!(linker, "sock_accept", sock_accept, fd: u32, flags: u32, fd_out: u32);
    sock_fn!(linker, "sock_addr_local", sock_addr_local, fd: u32, addr_out: u32);
    sock_fn!(linker, "sock_addr_remote", sock_addr_remote, fd: u32, addr_out: u32);
    sock_fn!(linker, "sock_addr_resolve", resolve::sock_addr_resolve, host: u32, service: u32, hints: u32, buf: u32, n: u32, total_out: u32);
    sock_fn!(linker, "sock_send_to", sock_send_to, fd: u32, iovs: u32, iovs_len: u32, flags: u32, dest: u32, sent_out: u32);
    sock_fn!(linker, "sock_recv_from", sock_recv_from, fd: u32, iovs: u32, iovs_len: u32, flags: u32, src_out: u32, recvd_out: u32);
    sock_fn!(linker, "sock_close", sock_close, fd: u32);
    sock_fn!(linker, "sock_recv", sock_recv, fd: u32, iovs: u32, iovs_len: u32, flags: u32, recvd_out: u32, roflags_out: u32);
    sock_fn!(linker, "sock_send", sock_send, fd: u32, iovs: u32, iovs_len: u32, flags: u32, sent_out: u32);
    sock_fn!(linker, "sock_shutdown", sock_shutdown, fd: u32, how: u32);

    sock_fn!(linker, "sock_set_broadcast", sock_set_broadcast, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_broadcast", sock_get_broadcast, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_keep_alive", sock_set_keep_alive, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_keep_alive", sock_get_keep_alive, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_reuse_addr", sock_set_reuse_addr, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_reuse_addr", sock_get_reuse_addr, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_reuse_port", sock_set_reuse_port, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_reuse_port", sock_get_reuse_port, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_tcp_no_delay", sock_set_tcp_no_delay, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_tcp_no_delay", sock_get_tcp_no_delay, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_tcp_quick_ack", sock_set_tcp_quick_ack, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_tcp_quick_ack", sock_get_tcp_quick_ack, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_tcp_fastopen_connect", sock_set_tcp_fastopen_connect, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_tcp_fastopen_connect", sock_get_tcp_fastopen_connect, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_ipv6_only", sock_set_ipv6_only, fd: u32, on: u32);
    sock_fn!(linker, "sock_get_ipv6_only", sock_get_ipv6_only, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_send_buf_size", sock_set_send_buf_size, fd: u32, size: u32);
    sock_fn!(linker, "sock_get_send_buf_size", sock_get_send_buf_size, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_recv_buf_size", sock_set_recv_buf_size, fd: u32, size: u32);
    sock_fn!(linker, "sock_get_recv_buf_size", sock_get_recv_buf_size, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_send_timeout", sock_set_send_timeout, fd: u32, micros: i64);
    sock_fn!(linker, "sock_get_send_timeout", sock_get_send_timeout, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_recv_timeout", sock_set_recv_timeout, fd: u32, micros: i64);
    sock_fn!(linker, "sock_get_recv_timeout", sock_get_recv_timeout, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_tcp_keep_idle", sock_set_tcp_keep_idle, fd: u32, secs: u32);
    sock_fn!(linker, "sock_get_tcp_keep_idle", sock_get_tcp_keep_idle, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_tcp_keep_intvl", sock_set_tcp_keep_intvl, fd: u32, secs: u32);
    sock_fn!(linker, "sock_get_tcp_keep_intvl", sock_get_tcp_keep_intvl, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_ip_ttl", sock_set_ip_ttl, fd: u32, ttl: u32);
    sock_fn!(linker, "sock_get_ip_ttl", sock_get_ip_ttl, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_ip_multicast_ttl", sock_set_ip_multicast_ttl, fd: u32, ttl: u32);
    sock_fn!(linker, "sock_get_ip_multicast_ttl", sock_get_ip_multicast_ttl, fd: u32, out: u32);
    sock_fn!(linker, "sock_set_linger", sock_set_linger, fd: u32, on: u32, secs: i32);
    sock_fn!(linker, "sock_get_linger", sock_get_linger, fd: u32, on_out: u32, secs_out: u32);
    sock_fn!(linker, "sock_set_ip_multicast_loop", sock_set_ip_multicast_loop, fd: u32, ipv6: u32, on: u32);
    sock_fn!(linker, "sock_get_ip_multicast_loop", sock_get_ip_multicast_loop, fd: u32, ipv6: u32, out: u32);
    sock_fn!(linker, "sock_set_ip_add_membership", sock_set_ip_add_membership, fd: u32, group: u32, iface: u32);
    sock_fn!(linker, "sock_set_ip_drop_membership", sock_set_ip_drop_membership, fd: u32, group: u32, iface: u32);
    Ok(())
}

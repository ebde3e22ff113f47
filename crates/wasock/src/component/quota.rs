//! `--max-sockets` for components: wrappers around the functions that make a socket
//! (`create-tcp-socket`, `create-udp-socket`, `tcp-socket.accept`) and the two socket
//! resources' destructors, counting the sockets open in the instance. Past the cap a new socket
//! fails with `new-socket-limit` (preview1's `EMFILE`), reported once. Installed only when a cap
//! is set, so an uncapped instance runs wasmtime-wasi's functions as they are.

use super::ctx::ComponentHost;
use super::sockets::{accept_live, lowered, Accepted};
use wasmtime::component::{Linker, Resource, ResourceType};
use wasmtime::StoreContextMut;
use wasmtime_wasi::p2::bindings::sockets::network::{ErrorCode, IpAddressFamily};
use wasmtime_wasi::p2::bindings::sockets::tcp_create_socket::Host as CreateTcp;
use wasmtime_wasi::p2::bindings::sync::sockets::tcp::HostTcpSocket;
use wasmtime_wasi::p2::bindings::sync::sockets::udp::HostUdpSocket;
use wasmtime_wasi::p2::bindings::sync::sockets::udp_create_socket::Host as CreateUdp;
use wasmtime_wasi::p2::{TcpSocket, UdpSocket};
use wasmtime_wasi::sockets::WasiSocketsView;

/// Takes one socket from the quota, or reports the cap and refuses.
fn acquire(host: &mut ComponentHost) -> Result<(), ErrorCode> {
    match host.guard.max_sockets() {
        Some(max) if host.open_sockets >= max => {
            host.guard.report_quota(host.open_sockets);
            Err(ErrorCode::NewSocketLimit)
        }
        _ => {
            host.open_sockets += 1;
            Ok(())
        }
    }
}

/// Runs `make` under the quota: a socket is counted when `make` succeeds.
fn counted<T>(
    host: &mut ComponentHost,
    make: impl FnOnce(&mut ComponentHost) -> Result<T, wasmtime_wasi::p2::SocketError>,
) -> wasmtime::Result<(Result<T, ErrorCode>,)> {
    if let Err(code) = acquire(host) {
        return Ok((Err(code),));
    }
    let made = make(host);
    if made.is_err() {
        host.open_sockets -= 1;
    }
    lowered(made)
}

/// Replaces (with `allow_shadowing`) the socket constructors and destructors with counting ones.
pub(crate) fn add_to_linker(
    linker: &mut Linker<ComponentHost>,
    version: &str,
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut tcp_create = linker.instance(&format!("wasi:sockets/tcp-create-socket@{version}"))?;
    tcp_create.func_wrap(
        "create-tcp-socket",
        |mut store: StoreContextMut<'_, ComponentHost>, (family,): (IpAddressFamily,)| {
            counted(store.data_mut(), |h| {
                CreateTcp::create_tcp_socket(&mut h.sockets(), family)
            })
        },
    )?;
    let mut udp_create = linker.instance(&format!("wasi:sockets/udp-create-socket@{version}"))?;
    udp_create.func_wrap(
        "create-udp-socket",
        |mut store: StoreContextMut<'_, ComponentHost>, (family,): (IpAddressFamily,)| {
            counted(store.data_mut(), |h| {
                CreateUdp::create_udp_socket(&mut h.sockets(), family)
            })
        },
    )?;
    let mut tcp = linker.instance(&format!("wasi:sockets/tcp@{version}"))?;
    tcp.func_wrap(
        "[method]tcp-socket.accept",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this,): (Resource<TcpSocket>,)|
         -> wasmtime::Result<(Result<Accepted, ErrorCode>,)> {
            counted(store.data_mut(), |h| accept_live(h, this))
        },
    )?;
    tcp.resource(
        "tcp-socket",
        ResourceType::host::<TcpSocket>(),
        |mut store, rep| {
            let host = store.data_mut();
            host.open_sockets = host.open_sockets.saturating_sub(1);
            HostTcpSocket::drop(&mut host.sockets(), Resource::new_own(rep))
        },
    )?;
    let mut udp = linker.instance(&format!("wasi:sockets/udp@{version}"))?;
    udp.resource(
        "udp-socket",
        ResourceType::host::<UdpSocket>(),
        |mut store, rep| {
            let host = store.data_mut();
            host.open_sockets = host.open_sockets.saturating_sub(1);
            HostUdpSocket::drop(&mut host.sockets(), Resource::new_own(rep))
        },
    )?;
    Ok(())
}

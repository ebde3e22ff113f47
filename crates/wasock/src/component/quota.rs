//! `--max-sockets` for components: the count of sockets open in the instance. Past the cap a
//! new socket fails with `new-socket-limit` (preview1's `EMFILE`), reported once.
//!
//! wasock's own TCP functions (`super::tcp`) count always. For UDP, wrappers around
//! `create-udp-socket` and the `udp-socket` destructor count; they are installed only when a
//! cap is set, so an uncapped instance runs wasmtime-wasi's UDP functions as they are.

use super::ctx::ComponentHost;
use super::sockets::lowered;
use wasmtime::component::{Linker, Resource, ResourceType};
use wasmtime::StoreContextMut;
use wasmtime_wasi::p2::bindings::sockets::network::{ErrorCode, IpAddressFamily};
use wasmtime_wasi::p2::bindings::sockets::udp::HostUdpSocket;
use wasmtime_wasi::p2::bindings::sockets::udp_create_socket::Host as CreateUdp;
use wasmtime_wasi::p2::UdpSocket;
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

/// Runs `make` under the quota: the socket it makes is counted, and nothing when it fails.
pub(crate) fn counted<T>(
    host: &mut ComponentHost,
    make: impl FnOnce(&mut ComponentHost) -> wasmtime::Result<Result<T, ErrorCode>>,
) -> wasmtime::Result<Result<T, ErrorCode>> {
    if let Err(code) = acquire(host) {
        return Ok(Err(code));
    }
    let made = make(host);
    if !matches!(made, Ok(Ok(_))) {
        release(host);
    }
    made
}

/// Gives one socket back to the quota (it was closed, or its making failed).
pub(crate) fn release(host: &mut ComponentHost) {
    host.open_sockets = host.open_sockets.saturating_sub(1);
}

/// Replaces (with `allow_shadowing`) the UDP socket constructor and destructor with counting
/// ones.
pub(crate) fn add_to_linker(
    linker: &mut Linker<ComponentHost>,
    version: &str,
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut udp_create = linker.instance(&format!("wasi:sockets/udp-create-socket@{version}"))?;
    udp_create.func_wrap_async(
        "create-udp-socket",
        |mut store: StoreContextMut<'_, ComponentHost>, (family,): (IpAddressFamily,)| {
            Box::new(async move {
                let host = store.data_mut();
                if let Err(code) = acquire(host) {
                    return Ok((Err(code),));
                }
                let made = CreateUdp::create_udp_socket(&mut host.sockets(), family).await;
                if made.is_err() {
                    release(host);
                }
                lowered(made)
            })
        },
    )?;
    let mut udp = linker.instance(&format!("wasi:sockets/udp@{version}"))?;
    udp.resource(
        "udp-socket",
        ResourceType::host::<UdpSocket>(),
        |mut store, rep| {
            let host = store.data_mut();
            release(host);
            HostUdpSocket::drop(&mut host.sockets(), Resource::new_own(rep))
        },
    )?;
    Ok(())
}

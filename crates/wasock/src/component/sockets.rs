//! Shadowing wrappers around wasmtime-wasi's `wasi:sockets` functions, for what its address
//! check cannot see: which bind is the guest's own, which send is a UDP connect, and which
//! names the guest may resolve. Each wrapper tells the check what call is in progress (see
//! [`super::policy::Call`]) and then calls wasmtime-wasi's own implementation.

use super::ctx::ComponentHost;
use super::policy::{during, Call};
use wasmtime::component::{Linker, Resource};
use wasmtime::StoreContextMut;
use wasmtime_wasi::p2::bindings::sockets::ip_name_lookup::{
    Host as NameLookup, ResolveAddressStream,
};
use wasmtime_wasi::p2::bindings::sockets::network::{ErrorCode, IpSocketAddress};
use wasmtime_wasi::p2::bindings::sync::sockets::tcp::HostTcpSocket;
use wasmtime_wasi::p2::bindings::sync::sockets::udp::{
    HostUdpSocket, IncomingDatagramStream, OutgoingDatagramStream,
};
use wasmtime_wasi::p2::{Network, SocketError, TcpSocket, UdpSocket};
use wasmtime_wasi::sockets::WasiSocketsView;

/// The `wasi:sockets` version wasmtime-wasi 48 defines; the linker serves every 0.2.x import
/// from it (semver), so shadowing this one covers them all.
const SOCKETS: &str = "0.2.12";

/// What `udp-socket.stream` returns.
type Streams = (
    Resource<IncomingDatagramStream>,
    Resource<OutgoingDatagramStream>,
);

/// A wasi:sockets result as the component ABI returns it: an `error-code`, or a trap for
/// errors that are not one.
fn lowered<T>(r: Result<T, SocketError>) -> wasmtime::Result<(Result<T, ErrorCode>,)> {
    match r {
        Ok(v) => Ok((Ok(v),)),
        Err(e) => Ok((Err(e.downcast()?),)),
    }
}

/// Replaces (with `allow_shadowing`) the functions that need wasock's policy around them.
pub(crate) fn add_to_linker(linker: &mut Linker<ComponentHost>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut tcp = linker.instance(&format!("wasi:sockets/tcp@{SOCKETS}"))?;
    tcp.func_wrap(
        "[method]tcp-socket.start-bind",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this, network, addr): (Resource<TcpSocket>, Resource<Network>, IpSocketAddress)| {
            let host = store.data_mut();
            lowered(during(Call::Bind, || {
                HostTcpSocket::start_bind(&mut host.sockets(), this, network, addr)
            }))
        },
    )?;
    let mut udp = linker.instance(&format!("wasi:sockets/udp@{SOCKETS}"))?;
    udp.func_wrap(
        "[method]udp-socket.start-bind",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this, network, addr): (Resource<UdpSocket>, Resource<Network>, IpSocketAddress)| {
            let host = store.data_mut();
            lowered(during(Call::Bind, || {
                HostUdpSocket::start_bind(&mut host.sockets(), this, network, addr)
            }))
        },
    )?;
    udp.func_wrap(
        "[method]udp-socket.stream",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this, remote): (Resource<UdpSocket>, Option<IpSocketAddress>)|
         -> wasmtime::Result<(Result<Streams, ErrorCode>,)> {
            let host = store.data_mut();
            let call = if remote.is_some() {
                Call::UdpConnect
            } else {
                Call::Other
            };
            lowered(during(call, || {
                HostUdpSocket::stream(&mut host.sockets(), this, remote)
            }))
        },
    )?;
    let mut lookup = linker.instance(&format!("wasi:sockets/ip-name-lookup@{SOCKETS}"))?;
    lookup.func_wrap(
        "resolve-addresses",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (network, name): (Resource<Network>, String)|
         -> wasmtime::Result<(Result<Resource<ResolveAddressStream>, ErrorCode>,)> {
            let host = store.data_mut();
            if !host.guard.allows_resolve(&name) {
                return Ok((Err(ErrorCode::AccessDenied),));
            }
            lowered(NameLookup::resolve_addresses(
                &mut host.sockets(),
                network,
                name,
            ))
        },
    )?;
    Ok(())
}

//! Shadowing wrappers around wasmtime-wasi's UDP and name-lookup functions, for what its
//! address check cannot see: which bind is the guest's own, which send is a UDP connect, which send
//! is on a connected socket, and which names the guest may resolve (and pin). Each wrapper tells the check what call is in progress (see
//! [`super::policy::Call`]) and then calls wasmtime-wasi's own implementation.

use super::ctx::ComponentHost;
use super::policy::{during, during_async, Call};
use super::poll;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use wasmtime::component::{Linker, Resource};
use wasmtime::StoreContextMut;
use wasmtime_wasi::p2::bindings::sockets::ip_name_lookup::{
    Host as NameLookup, HostResolveAddressStream, ResolveAddressStream,
};
use wasmtime_wasi::p2::bindings::sockets::network::{ErrorCode, IpAddress, IpSocketAddress};
use wasmtime_wasi::p2::bindings::sockets::udp::{
    HostIncomingDatagramStream, HostOutgoingDatagramStream, HostUdpSocket, IncomingDatagramStream,
    OutgoingDatagram, OutgoingDatagramStream,
};
use wasmtime_wasi::p2::{Network, SocketError, UdpSocket};
use wasmtime_wasi::sockets::WasiSocketsView;

/// The WASI 0.2 version wasmtime-wasi 48 defines (`wasi:sockets`, `wasi:io`, ...); the linker
/// serves every 0.2.x import from it (semver), so shadowing this one covers them all.
pub(crate) const WASI_VERSION: &str = "0.2.12";

/// What `udp-socket.stream` returns.
type Streams = (
    Resource<IncomingDatagramStream>,
    Resource<OutgoingDatagramStream>,
);

/// A wasi:sockets result as the component ABI returns it: an `error-code`, or a trap for
/// errors that are not one.
pub(crate) fn lowered<T>(r: Result<T, SocketError>) -> wasmtime::Result<(Result<T, ErrorCode>,)> {
    match r {
        Ok(v) => Ok((Ok(v),)),
        Err(e) => Ok((Err(e.downcast()?),)),
    }
}

/// Replaces (with `allow_shadowing`) the functions that need wasock's policy around them.
pub(crate) fn add_to_linker(linker: &mut Linker<ComponentHost>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut udp = linker.instance(&format!("wasi:sockets/udp@{WASI_VERSION}"))?;
    udp.func_wrap_async(
        "[method]udp-socket.start-bind",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this, network, addr): (Resource<UdpSocket>, Resource<Network>, IpSocketAddress)| {
            Box::new(async move {
                let mut view = store.data_mut().sockets();
                let bound = HostUdpSocket::start_bind(&mut view, this, network, addr);
                lowered(during_async(Call::Bind, bound).await)
            })
        },
    )?;
    udp.func_wrap_async(
        "[method]udp-socket.stream",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this, remote): (Resource<UdpSocket>, Option<IpSocketAddress>)| {
            Box::new(async move {
                let host = store.data_mut();
                let peer = remote.map(SocketAddr::from);
                let call = if peer.is_some() {
                    Call::UdpConnect
                } else {
                    Call::Other
                };
                let streams = {
                    let mut view = host.sockets();
                    let streams = HostUdpSocket::stream(&mut view, this, remote);
                    during_async(call, streams).await
                };
                if let Ok((_, out)) = &streams {
                    // A new stream may reuse a dropped one's index: this replaces its entry.
                    match peer {
                        Some(peer) => host.connected.insert(out.rep(), peer),
                        None => host.connected.remove(&out.rep()),
                    };
                }
                lowered::<Streams>(streams)
            })
        },
    )?;
    udp.func_wrap(
        "[method]outgoing-datagram-stream.send",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this, datagrams): (Resource<OutgoingDatagramStream>, Vec<OutgoingDatagram>)|
         -> wasmtime::Result<(Result<u64, ErrorCode>,)> {
            let host = store.data_mut();
            let call = match host.connected.get(&this.rep()) {
                Some(&peer) => Call::SendConnected(peer),
                None => Call::Other,
            };
            lowered(during(call, || {
                HostOutgoingDatagramStream::send(&mut host.sockets(), this, datagrams)
            }))
        },
    )?;
    let mut lookup = linker.instance(&format!("wasi:sockets/ip-name-lookup@{WASI_VERSION}"))?;
    lookup.func_wrap(
        "resolve-addresses",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (network, name): (Resource<Network>, String)|
         -> wasmtime::Result<(Result<Resource<ResolveAddressStream>, ErrorCode>,)> {
            let host = store.data_mut();
            if !host.guard.allows_resolve(&name) {
                return Ok((Err(ErrorCode::AccessDenied),));
            }
            let pinned = host.guard.pins_name(&name).then(|| name.clone());
            let stream = NameLookup::resolve_addresses(&mut host.sockets(), network, name);
            if let (Ok(stream), Some(name)) = (&stream, pinned) {
                // A new stream may reuse a dropped one's index: this replaces its entry.
                host.lookups
                    .insert(stream.rep(), Lookup { name, answer: None });
            }
            lowered(stream)
        },
    )?;
    lookup.func_wrap_async(
        "[method]resolve-address-stream.resolve-next-address",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this,): (Resource<ResolveAddressStream>,)| {
            Box::new(async move {
                let next = |h: &mut ComponentHost| next_address(h, this.rep());
                let not_yet =
                    |r: &wasmtime::Result<_>| matches!(r, Ok((Err(ErrorCode::WouldBlock),)));
                poll::settled(store.data_mut(), next, not_yet).await
            })
        },
    )?;
    let mut udp = linker.instance(&format!("wasi:sockets/udp@{WASI_VERSION}"))?;
    udp.func_wrap_async(
        "[method]incoming-datagram-stream.receive",
        |mut store: StoreContextMut<'_, ComponentHost>,
         (this, max): (Resource<IncomingDatagramStream>, u64)| {
            Box::new(async move {
                let this = || Resource::<IncomingDatagramStream>::new_borrow(this.rep());
                let receive = |h: &mut ComponentHost| {
                    HostIncomingDatagramStream::receive(&mut h.sockets(), this(), max)
                };
                let not_yet = |r: &Result<Vec<_>, _>| matches!(r, Ok(v) if v.is_empty() && max > 0);
                lowered(poll::settled(store.data_mut(), receive, not_yet).await)
            })
        },
    )?;
    Ok(())
}

/// `resolve-next-address` of the stream `rep`: pinned lookups answer from their admitted
/// answer, others from wasmtime-wasi's stream.
fn next_address(
    host: &mut ComponentHost,
    rep: u32,
) -> wasmtime::Result<(Result<Option<IpAddress>, ErrorCode>,)> {
    if !host.lookups.contains_key(&rep) {
        return lowered(HostResolveAddressStream::resolve_next_address(
            &mut host.sockets(),
            Resource::new_borrow(rep),
        ));
    }
    Ok((next_pinned(host, rep),))
}

/// A lookup of a name some host-pattern rule grants by: its whole answer is pinned (as
/// preview1's `getaddrinfo`), then handed out address by address.
pub(crate) struct Lookup {
    name: String,
    /// The admitted answer, once wasmtime-wasi's resolver has it.
    answer: Option<VecDeque<IpAddr>>,
}

/// The next address of the pinned lookup on stream `rep`: the first call after the answer
/// arrives takes all of it from wasmtime-wasi's stream and admits it into the pins.
fn next_pinned(host: &mut ComponentHost, rep: u32) -> Result<Option<IpAddress>, ErrorCode> {
    let Some(lookup) = host.lookups.get(&rep) else {
        return Err(ErrorCode::InvalidState);
    };
    if lookup.answer.is_none() {
        let name = lookup.name.clone();
        let mut all = Vec::new();
        loop {
            // Once ready the answer is complete: these calls do not block.
            let next = HostResolveAddressStream::resolve_next_address(
                &mut host.sockets(),
                Resource::new_borrow(rep),
            );
            match next {
                Ok(Some(a)) => all.push(ip_of(&a)),
                Ok(None) => break,
                Err(e) => {
                    let code = e.downcast().unwrap_or(ErrorCode::Unknown);
                    if code != ErrorCode::WouldBlock {
                        host.lookups.remove(&rep);
                    }
                    return Err(code);
                }
            }
        }
        let admitted = host.guard.admit(&name, &all);
        let Some(lookup) = host.lookups.get_mut(&rep) else {
            return Err(ErrorCode::InvalidState);
        };
        match admitted {
            Ok(ips) if !ips.is_empty() || all.is_empty() => lookup.answer = Some(ips.into()),
            Ok(_) => {
                host.lookups.remove(&rep);
                return Err(ErrorCode::NameUnresolvable);
            }
            Err(_) => {
                host.lookups.remove(&rep);
                return Err(ErrorCode::OutOfMemory);
            }
        }
    }
    let next = host
        .lookups
        .get_mut(&rep)
        .and_then(|l| l.answer.as_mut())
        .and_then(VecDeque::pop_front);
    if next.is_none() {
        host.lookups.remove(&rep);
    }
    Ok(next.map(IpAddress::from))
}

/// The std form of a wasi:sockets address.
fn ip_of(a: &IpAddress) -> IpAddr {
    match *a {
        IpAddress::Ipv4((a, b, c, d)) => IpAddr::from([a, b, c, d]),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => IpAddr::from([a, b, c, d, e, f, g, h]),
    }
}

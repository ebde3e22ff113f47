//! wasock's own `wasi:sockets/tcp` and `tcp-create-socket` for components, in place of
//! wasmtime-wasi's (which keeps its host socket private): the same interface, over a host
//! socket wasock holds, with the policy asked at each call.
//!
//! Holding the socket is what lets wasock set `TCP_NODELAY` on every connection. wasi:sockets
//! 0.2 has no such option, and WASI's `writev` goes out as one send per buffer: hyper's head and
//! body, written as one `writev` natively, became two sends here, and Nagle held the second for
//! the peer's delayed ACK (axum on wasm32-wasip2 served 0.04x native). Go and Node.js set
//! `TCP_NODELAY` by default for the same reason.

use super::ctx::ComponentHost;
use super::policy::Call;
use super::poll;
use super::quota;
use super::tcp_stream::{lock, Reader, Sender, SharedSender, Writer};
use rustix::net::sockopt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use wasmtime::component::{Linker, Resource, ResourceTable, ResourceType};
use wasmtime::StoreContextMut;
use wasmtime_wasi::p2::bindings::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Network,
};
use wasmtime_wasi::p2::bindings::sockets::tcp::ShutdownType;
use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, DynPollable, Pollable};
use wasmtime_wasi::runtime::with_ambient_tokio_runtime;
use wasmtime_wasi::sockets::SocketAddrUse;

/// The listen backlog until the guest sets one (Rust std's).
const DEFAULT_BACKLOG: u32 = 128;
/// Refused peers reset in one look for a connection, at most (as preview1's accept).
const MAX_REFUSED: usize = 64;

/// An outgoing connection in progress.
type Connecting = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>;

/// Where a socket is in bind / listen / connect.
enum State {
    /// Created, perhaps bound; may listen or connect.
    Fresh(tokio::net::TcpSocket),
    /// `start-connect` was called, to this peer.
    Connecting(Connecting, SocketAddr),
    /// The connect finished; `finish-connect` takes the result.
    Connected(Arc<TcpStream>, SocketAddr),
    /// Listening; `pending` is an accepted connection not yet taken by `accept`.
    Listening {
        listener: TcpListener,
        pending: Option<io::Result<(TcpStream, SocketAddr)>>,
    },
    /// Streams handed out (or connect failed): no more state changes.
    Done(Result<(Arc<TcpStream>, SocketAddr), ErrorCode>),
}

/// A two-step call started (`start-*`) and not yet finished (`finish-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Started {
    Bind,
    Connect,
    Listen,
}

/// A component's TCP socket: the `tcp-socket` resource.
pub struct Tcp {
    state: State,
    family: IpAddressFamily,
    started: Option<Started>,
    bound: bool,
    backlog: u32,
    /// The sending half and the receiving half's shut flag, once the streams are handed out
    /// (`shutdown` goes through them).
    sender: Option<SharedSender>,
    read_shut: Arc<AtomicBool>,
    guard: Arc<super::policy::Guard>,
}

impl Tcp {
    /// A new, unbound socket of `family` (IPv6 ones are IPv6-only, as WASI says).
    fn new(family: IpAddressFamily, guard: Arc<super::policy::Guard>) -> io::Result<Tcp> {
        let socket = with_ambient_tokio_runtime(|| match family {
            IpAddressFamily::Ipv4 => tokio::net::TcpSocket::new_v4(),
            IpAddressFamily::Ipv6 => tokio::net::TcpSocket::new_v6(),
        })?;
        if family == IpAddressFamily::Ipv6 {
            socket2::SockRef::from(&socket).set_only_v6(true)?;
        }
        Ok(Tcp {
            state: State::Fresh(socket),
            family,
            started: None,
            bound: false,
            backlog: DEFAULT_BACKLOG,
            sender: None,
            read_shut: Arc::default(),
            guard,
        })
    }

    /// A socket for a connection `listen` accepted (its streams are added next).
    fn accepted(&self, stream: Arc<TcpStream>, peer: SocketAddr) -> Tcp {
        Tcp {
            state: State::Done(Ok((stream, peer))),
            family: self.family,
            started: None,
            bound: true,
            backlog: DEFAULT_BACKLOG,
            sender: None,
            read_shut: Arc::default(),
            guard: self.guard.clone(),
        }
    }

    /// The host socket, for socket options; `invalid-state` while connecting.
    fn sock(&self) -> Result<socket2::SockRef<'_>, ErrorCode> {
        Ok(match &self.state {
            State::Fresh(s) => socket2::SockRef::from(s),
            State::Connected(s, _) | State::Done(Ok((s, _))) => socket2::SockRef::from(&**s),
            State::Listening { listener, .. } => socket2::SockRef::from(listener),
            State::Connecting(..) => return Err(ErrorCode::InvalidState),
            State::Done(Err(e)) => return Err(*e),
        })
    }

    /// Whether `ip` is a unicast address of this socket's family (WASI refuses IPv4-mapped
    /// and the deprecated IPv4-compatible IPv6 addresses).
    fn valid(&self, ip: IpAddr) -> bool {
        let unicast = match ip.to_canonical() {
            IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
            IpAddr::V6(v6) => !v6.is_multicast(),
        };
        let family = match (self.family, ip) {
            (IpAddressFamily::Ipv4, IpAddr::V4(_)) => true,
            (IpAddressFamily::Ipv6, IpAddr::V6(v6)) => {
                let compatible = matches!(v6.segments(), [0, 0, 0, 0, 0, 0, _, _])
                    && v6 != Ipv6Addr::UNSPECIFIED
                    && v6 != Ipv6Addr::LOCALHOST;
                v6.to_ipv4_mapped().is_none() && !compatible
            }
            _ => false,
        };
        unicast && family
    }

    /// Polls the connect in progress; on its end the socket is `Connected` or `Done(Err)`.
    fn poll_connect(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorCode>> {
        let (connecting, peer) = match &mut self.state {
            State::Connecting(connecting, peer) => (connecting, peer),
            State::Connected(..) => return Poll::Ready(Ok(())),
            // A connect that failed keeps failing with its own error.
            State::Done(Err(e)) => return Poll::Ready(Err(*e)),
            _ => return Poll::Ready(Err(ErrorCode::InvalidState)),
        };
        let peer = *peer;
        let result = match with_ambient_tokio_runtime(|| connecting.as_mut().poll(cx)) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(r) => r,
        };
        match result {
            Ok(stream) => {
                // See the module's comment.
                let _ = stream.set_nodelay(true);
                self.state = State::Connected(Arc::new(stream), peer);
                Poll::Ready(Ok(()))
            }
            Err(e) => {
                let code = ErrorCode::from(&e);
                self.state = State::Done(Err(code));
                Poll::Ready(Err(code))
            }
        }
    }

    /// Polls for a connection the policy admits, keeping it in `pending` for `accept`.
    /// Refused peers are reset and never reach the guest.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let State::Listening { listener, pending } = &mut self.state else {
            return Poll::Ready(());
        };
        let mut refused = 0;
        while pending.is_none() {
            if refused == MAX_REFUSED {
                // A flood of refused peers does not hold the guest's call: come back later.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let accepted = match listener.poll_accept(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            };
            match accepted {
                Ok((stream, peer))
                    if !self
                        .guard
                        .decide(peer, SocketAddrUse::TcpAccept, Call::Other) =>
                {
                    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                    refused += 1;
                }
                other => *pending = Some(other),
            }
        }
        Poll::Ready(())
    }
}

#[async_trait::async_trait]
impl Pollable for Tcp {
    async fn ready(&mut self) {
        std::future::poll_fn(|cx| match self.state {
            State::Connecting(..) => self.poll_connect(cx).map(|_| ()),
            State::Listening { .. } => self.poll_pending(cx),
            _ => Poll::Ready(()),
        })
        .await
    }
}

/// An accept error as WASI reports it: Linux passes on a connection's own pending error
/// (reset before it was taken and the like) from `accept`; that is `connection-aborted`.
fn accept_error(e: &io::Error) -> ErrorCode {
    match e.raw_os_error() {
        Some(
            libc::ECONNRESET
            | libc::ENETRESET
            | libc::EHOSTUNREACH
            | libc::EHOSTDOWN
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EPROTO
            | libc::ENOPROTOOPT
            | libc::ENONET
            | libc::EOPNOTSUPP,
        ) => ErrorCode::ConnectionAborted,
        _ => ErrorCode::from(e),
    }
}

/// What `accept` returns.
type Accepted = (
    Resource<Tcp>,
    Resource<DynInputStream>,
    Resource<DynOutputStream>,
);
/// What `finish-connect` returns.
type Streams = (Resource<DynInputStream>, Resource<DynOutputStream>);

/// Puts a connection's two streams into the table, as children of `socket`.
fn streams(
    table: &mut ResourceTable,
    socket: &Resource<Tcp>,
    stream: &Arc<TcpStream>,
) -> wasmtime::Result<Streams> {
    let sender = Sender::shared(stream.clone());
    let s = table.get_mut(socket)?;
    s.sender = Some(sender.clone());
    let input: DynInputStream = Box::new(Reader::new(stream.clone(), s.read_shut.clone()));
    let output: DynOutputStream = Box::new(Writer(sender));
    let input = table.push_child(input, socket)?;
    let output = table.push_child(output, socket)?;
    Ok((input, output))
}

/// A call's result, with table errors (a bad handle) as traps.
type CallResult<T> = wasmtime::Result<Result<T, ErrorCode>>;

fn start_bind(host: &mut ComponentHost, this: &Resource<Tcp>, addr: SocketAddr) -> CallResult<()> {
    let guard = host.guard.clone();
    let s = host.table().get_mut(this)?;
    if s.started.is_some() {
        return Ok(Err(ErrorCode::ConcurrencyConflict));
    }
    let State::Fresh(socket) = &s.state else {
        return Ok(Err(ErrorCode::InvalidState));
    };
    if s.bound {
        return Ok(Err(ErrorCode::InvalidState));
    }
    if !s.valid(addr.ip()) {
        return Ok(Err(ErrorCode::InvalidArgument));
    }
    if !guard.decide(addr, SocketAddrUse::TcpBind, Call::Bind) {
        return Ok(Err(ErrorCode::AccessDenied));
    }
    // WASI: a bind is not held up by TIME_WAIT of an earlier socket (SO_REUSEADDR).
    let _ = socket.set_reuseaddr(true);
    if let Err(e) = socket.bind(addr) {
        return Ok(Err(match e.raw_os_error() {
            Some(libc::EAFNOSUPPORT) => ErrorCode::InvalidArgument,
            _ => ErrorCode::from(&e),
        }));
    }
    s.bound = true;
    s.started = Some(Started::Bind);
    Ok(Ok(()))
}

fn start_connect(
    host: &mut ComponentHost,
    this: &Resource<Tcp>,
    peer: SocketAddr,
) -> CallResult<()> {
    let guard = host.guard.clone();
    let s = host.table().get_mut(this)?;
    if s.started.is_some() {
        return Ok(Err(ErrorCode::ConcurrencyConflict));
    }
    if !matches!(s.state, State::Fresh(_)) {
        return Ok(Err(ErrorCode::InvalidState));
    }
    if !s.valid(peer.ip()) || peer.ip().to_canonical().is_unspecified() || peer.port() == 0 {
        return Ok(Err(ErrorCode::InvalidArgument));
    }
    if !guard.decide(peer, SocketAddrUse::TcpConnect, Call::Other) {
        return Ok(Err(ErrorCode::AccessDenied));
    }
    let State::Fresh(socket) =
        std::mem::replace(&mut s.state, State::Done(Err(ErrorCode::Unknown)))
    else {
        unreachable!("checked above");
    };
    s.state = State::Connecting(Box::pin(socket.connect(peer)), peer);
    s.started = Some(Started::Connect);
    // The first poll sends the SYN now, not at the guest's first wait.
    let _ = s.poll_connect(&mut Context::from_waker(std::task::Waker::noop()));
    Ok(Ok(()))
}

fn finish_connect(host: &mut ComponentHost, this: Resource<Tcp>) -> CallResult<Streams> {
    let s = host.table().get_mut(&this)?;
    if s.started != Some(Started::Connect) {
        return Ok(Err(ErrorCode::NotInProgress));
    }
    match s.poll_connect(&mut Context::from_waker(std::task::Waker::noop())) {
        Poll::Pending => return Ok(Err(ErrorCode::WouldBlock)),
        Poll::Ready(Err(e)) => {
            s.started = None;
            return Ok(Err(e));
        }
        Poll::Ready(Ok(())) => {}
    }
    s.started = None;
    let State::Connected(stream, peer) = &s.state else {
        return Ok(Err(ErrorCode::InvalidState));
    };
    let (stream, peer) = (stream.clone(), *peer);
    s.state = State::Done(Ok((stream.clone(), peer)));
    Ok(Ok(streams(host.table(), &this, &stream)?))
}

fn start_listen(host: &mut ComponentHost, this: &Resource<Tcp>) -> CallResult<()> {
    let s = host.table().get_mut(this)?;
    if s.started.is_some() {
        return Ok(Err(ErrorCode::ConcurrencyConflict));
    }
    // WASI 0.2: a socket is bound before it listens (the bind was checked then).
    if !s.bound || !matches!(s.state, State::Fresh(_)) {
        return Ok(Err(ErrorCode::InvalidState));
    }
    let State::Fresh(socket) =
        std::mem::replace(&mut s.state, State::Done(Err(ErrorCode::Unknown)))
    else {
        unreachable!("checked above");
    };
    match with_ambient_tokio_runtime(|| socket.listen(s.backlog)) {
        Ok(listener) => {
            s.state = State::Listening {
                listener,
                pending: None,
            };
            s.started = Some(Started::Listen);
            Ok(Ok(()))
        }
        Err(e) => {
            let code = ErrorCode::from(&e);
            s.state = State::Done(Err(code));
            Ok(Err(code))
        }
    }
}

fn finish(host: &mut ComponentHost, this: &Resource<Tcp>, which: Started) -> CallResult<()> {
    let s = host.table().get_mut(this)?;
    if s.started != Some(which) {
        return Ok(Err(ErrorCode::NotInProgress));
    }
    s.started = None;
    Ok(Ok(()))
}

fn accept(host: &mut ComponentHost, this: &Resource<Tcp>) -> CallResult<Accepted> {
    quota::counted(host, |host| accept_counted(host, this))
}

fn accept_counted(host: &mut ComponentHost, this: &Resource<Tcp>) -> CallResult<Accepted> {
    let s = host.table().get_mut(this)?;
    if !matches!(s.state, State::Listening { .. }) {
        return Ok(Err(ErrorCode::InvalidState));
    }
    let polled = with_ambient_tokio_runtime(|| {
        s.poll_pending(&mut Context::from_waker(std::task::Waker::noop()))
    });
    let State::Listening { pending, .. } = &mut s.state else {
        unreachable!("checked above");
    };
    let (stream, peer) = match (polled, pending.take()) {
        (Poll::Ready(()), Some(Ok(conn))) => conn,
        (Poll::Ready(()), Some(Err(e))) => return Ok(Err(accept_error(&e))),
        _ => return Ok(Err(ErrorCode::WouldBlock)),
    };
    // See the module's comment.
    let _ = stream.set_nodelay(true);
    let stream = Arc::new(stream);
    let socket = s.accepted(stream.clone(), peer);
    let table = host.table();
    let socket = table.push(socket)?;
    let (input, output) = streams(table, &socket, &stream)?;
    Ok(Ok((socket, input, output)))
}

fn local_address(host: &mut ComponentHost, this: &Resource<Tcp>) -> CallResult<IpSocketAddress> {
    let s = host.table().get(this)?;
    if let State::Done(Err(e)) = s.state {
        return Ok(Err(e));
    }
    if !s.bound && !matches!(s.state, State::Done(Ok(_)) | State::Connected(..)) {
        return Ok(Err(ErrorCode::InvalidState));
    }
    let addr = match &s.state {
        State::Fresh(socket) => socket.local_addr(),
        State::Listening { listener, .. } => listener.local_addr(),
        State::Connected(stream, _) | State::Done(Ok((stream, _))) => stream.local_addr(),
        State::Connecting(..) => return Ok(Err(ErrorCode::InvalidState)),
        State::Done(Err(e)) => return Ok(Err(*e)),
    };
    Ok(addr.map(Into::into).map_err(|e| ErrorCode::from(&e)))
}

fn remote_address(host: &mut ComponentHost, this: &Resource<Tcp>) -> CallResult<IpSocketAddress> {
    let s = host.table().get(this)?;
    // The peer the connection was made with: kept, so a peer that is gone already still has
    // an address (the next read reports the reset), as accept(2) gives it.
    Ok(match &s.state {
        State::Connected(_, peer) | State::Done(Ok((_, peer))) => Ok((*peer).into()),
        State::Done(Err(e)) => Err(*e),
        _ => Err(ErrorCode::InvalidState),
    })
}

fn set_backlog(host: &mut ComponentHost, this: &Resource<Tcp>, value: u64) -> CallResult<()> {
    let s = host.table().get_mut(this)?;
    if value == 0 {
        return Ok(Err(ErrorCode::InvalidArgument));
    }
    let value = u32::try_from(value)
        .unwrap_or(u32::MAX)
        .min(i32::MAX as u32);
    match &s.state {
        State::Fresh(_) => {}
        State::Listening { listener, .. } => {
            // Linux takes a new backlog by listening again.
            let value = i32::try_from(value).unwrap_or(i32::MAX);
            if rustix::net::listen(listener, value).is_err() {
                return Ok(Err(ErrorCode::NotSupported));
            }
        }
        State::Done(Err(e)) => return Ok(Err(*e)),
        _ => return Ok(Err(ErrorCode::InvalidState)),
    }
    s.backlog = value;
    Ok(Ok(()))
}

/// Runs a socket-option call on `this`'s host socket.
fn with_sock<T>(
    host: &mut ComponentHost,
    this: &Resource<Tcp>,
    f: impl FnOnce(socket2::SockRef<'_>, IpAddressFamily) -> Result<T, ErrorCode>,
) -> CallResult<T> {
    let s = host.table().get(this)?;
    let family = s.family;
    Ok(s.sock().and_then(|sock| f(sock, family)))
}

/// An `io::Result` as a wasi:sockets result.
fn io<T>(r: io::Result<T>) -> Result<T, ErrorCode> {
    r.map_err(|e| ErrorCode::from(&e))
}

/// A keep-alive time from WASI's nanoseconds: 0 is `invalid-argument`; the rest is kept within
/// 1 s ..= 32767 s, Linux's range (the kernel takes whole seconds, rounded up).
fn keepalive_time(nanos: u64) -> Result<Duration, ErrorCode> {
    if nanos == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    const SEC: u64 = 1_000_000_000;
    Ok(Duration::from_nanos(
        nanos.clamp(SEC, i16::MAX as u64 * SEC),
    ))
}

/// A rustix result as a wasi:sockets result.
fn errno<T>(r: rustix::io::Result<T>) -> Result<T, ErrorCode> {
    r.map_err(|e| ErrorCode::from(io::Error::from(e)))
}

/// A duration as WASI's nanoseconds.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A buffer size to set: 0 is `invalid-argument`, the rest is a hint the kernel clamps.
fn buffer_size(value: u64) -> Result<usize, ErrorCode> {
    if value == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(usize::try_from(value)
        .unwrap_or(usize::MAX)
        .min(i32::MAX as usize))
}

/// A buffer size as read back: Linux reports twice what was set (its bookkeeping); WASI
/// programs read back about what they set, as wasmtime-wasi gives it.
fn buffer_read(value: usize) -> u64 {
    u64::try_from(value / 2).unwrap_or(u64::MAX)
}

fn shutdown(host: &mut ComponentHost, this: &Resource<Tcp>, how: ShutdownType) -> CallResult<()> {
    let s = host.table().get(this)?;
    let (State::Done(Ok((stream, _))), Some(sender)) = (&s.state, &s.sender) else {
        return Ok(Err(ErrorCode::InvalidState));
    };
    if matches!(how, ShutdownType::Receive | ShutdownType::Both) {
        s.read_shut.store(true, Ordering::Relaxed);
        let _ = socket2::SockRef::from(&**stream).shutdown(std::net::Shutdown::Read);
    }
    if matches!(how, ShutdownType::Send | ShutdownType::Both) {
        lock(sender).shutdown();
    }
    Ok(Ok(()))
}

fn create(host: &mut ComponentHost, family: IpAddressFamily) -> CallResult<Resource<Tcp>> {
    quota::counted(host, |host| match Tcp::new(family, host.guard.clone()) {
        Ok(socket) => Ok(Ok(host.table().push(socket)?)),
        Err(e) => Ok(Err(ErrorCode::from(&e))),
    })
}

/// Whether a call's answer is "not yet".
fn would_block<T>(r: &CallResult<T>) -> bool {
    matches!(r, Ok(Err(ErrorCode::WouldBlock)))
}

/// A call's result as the component ABI returns it.
fn ret<T>(r: CallResult<T>) -> wasmtime::Result<(Result<T, ErrorCode>,)> {
    r.map(|r| (r,))
}

/// Defines `wasi:sockets/tcp` and `tcp-create-socket` (shadowing wasmtime-wasi's; every
/// function of the interface, since its resource is a different type).
pub(crate) fn add_to_linker(
    linker: &mut Linker<ComponentHost>,
    version: &str,
) -> wasmtime::Result<()> {
    type Store<'a> = StoreContextMut<'a, ComponentHost>;
    type This = Resource<Tcp>;
    linker.allow_shadowing(true);
    let mut create_inst = linker.instance(&format!("wasi:sockets/tcp-create-socket@{version}"))?;
    create_inst.func_wrap(
        "create-tcp-socket",
        |mut st: Store<'_>, (family,): (IpAddressFamily,)| ret(create(st.data_mut(), family)),
    )?;
    let mut tcp = linker.instance(&format!("wasi:sockets/tcp@{version}"))?;
    tcp.resource("tcp-socket", ResourceType::host::<Tcp>(), |mut st, rep| {
        let host = st.data_mut();
        host.table().delete(Resource::<Tcp>::new_own(rep))?;
        quota::release(host);
        Ok(())
    })?;
    tcp.func_wrap(
        "[method]tcp-socket.start-bind",
        |mut st: Store<'_>, (this, network, addr): (This, Resource<Network>, IpSocketAddress)| {
            let host = st.data_mut();
            host.table().get(&network)?;
            ret(start_bind(host, &this, addr.into()))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.finish-bind",
        |mut st: Store<'_>, (this,): (This,)| ret(finish(st.data_mut(), &this, Started::Bind)),
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.start-connect",
        |mut st: Store<'_>, (this, network, addr): (This, Resource<Network>, IpSocketAddress)| {
            let host = st.data_mut();
            host.table().get(&network)?;
            ret(start_connect(host, &this, addr.into()))
        },
    )?;
    tcp.func_wrap_async(
        "[method]tcp-socket.finish-connect",
        |mut st: Store<'_>, (this,): (This,)| {
            Box::new(async move {
                let this = || Resource::<Tcp>::new_borrow(this.rep());
                let finish = |h: &mut ComponentHost| finish_connect(h, this());
                ret(poll::settled(st.data_mut(), finish, would_block).await)
            })
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.start-listen",
        |mut st: Store<'_>, (this,): (This,)| ret(start_listen(st.data_mut(), &this)),
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.finish-listen",
        |mut st: Store<'_>, (this,): (This,)| ret(finish(st.data_mut(), &this, Started::Listen)),
    )?;
    tcp.func_wrap_async(
        "[method]tcp-socket.accept",
        |mut st: Store<'_>, (this,): (This,)| {
            Box::new(async move {
                let take = |h: &mut ComponentHost| accept(h, &this);
                ret(poll::settled(st.data_mut(), take, would_block).await)
            })
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.local-address",
        |mut st: Store<'_>, (this,): (This,)| ret(local_address(st.data_mut(), &this)),
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.remote-address",
        |mut st: Store<'_>, (this,): (This,)| ret(remote_address(st.data_mut(), &this)),
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.is-listening",
        |mut st: Store<'_>, (this,): (This,)| {
            let s = st.data_mut().table().get(&this)?;
            Ok((matches!(s.state, State::Listening { .. }),))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.address-family",
        |mut st: Store<'_>, (this,): (This,)| Ok((st.data_mut().table().get(&this)?.family,)),
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-listen-backlog-size",
        |mut st: Store<'_>, (this, value): (This, u64)| {
            ret(set_backlog(st.data_mut(), &this, value))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.keep-alive-enabled",
        |mut st: Store<'_>, (this,): (This,)| {
            ret(with_sock(st.data_mut(), &this, |s, _| io(s.keepalive())))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-keep-alive-enabled",
        |mut st: Store<'_>, (this, on): (This, bool)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                io(s.set_keepalive(on))
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.keep-alive-idle-time",
        |mut st: Store<'_>, (this,): (This,)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                errno(sockopt::tcp_keepidle(&*s)).map(nanos)
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-keep-alive-idle-time",
        |mut st: Store<'_>, (this, value): (This, u64)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                errno(sockopt::set_tcp_keepidle(&*s, keepalive_time(value)?))
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.keep-alive-interval",
        |mut st: Store<'_>, (this,): (This,)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                errno(sockopt::tcp_keepintvl(&*s)).map(nanos)
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-keep-alive-interval",
        |mut st: Store<'_>, (this, value): (This, u64)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                errno(sockopt::set_tcp_keepintvl(&*s, keepalive_time(value)?))
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.keep-alive-count",
        |mut st: Store<'_>, (this,): (This,)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                errno(sockopt::tcp_keepcnt(&*s))
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-keep-alive-count",
        |mut st: Store<'_>, (this, value): (This, u32)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                if value == 0 {
                    return Err(ErrorCode::InvalidArgument);
                }
                errno(sockopt::set_tcp_keepcnt(
                    &*s,
                    value.clamp(1, i8::MAX as u32),
                ))
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.hop-limit",
        |mut st: Store<'_>, (this,): (This,)| {
            ret(with_sock(st.data_mut(), &this, |s, family| {
                let hops = match family {
                    IpAddressFamily::Ipv4 => io(s.ttl_v4())?,
                    IpAddressFamily::Ipv6 => io(s.unicast_hops_v6())?,
                };
                u8::try_from(hops).map_err(|_| ErrorCode::NotSupported)
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-hop-limit",
        |mut st: Store<'_>, (this, value): (This, u8)| {
            ret(with_sock(st.data_mut(), &this, |s, family| {
                if value == 0 {
                    return Err(ErrorCode::InvalidArgument);
                }
                match family {
                    IpAddressFamily::Ipv4 => io(s.set_ttl_v4(value.into())),
                    IpAddressFamily::Ipv6 => io(s.set_unicast_hops_v6(value.into())),
                }
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.receive-buffer-size",
        |mut st: Store<'_>, (this,): (This,)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                io(s.recv_buffer_size()).map(buffer_read)
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-receive-buffer-size",
        |mut st: Store<'_>, (this, value): (This, u64)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                io(s.set_recv_buffer_size(buffer_size(value)?))
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.send-buffer-size",
        |mut st: Store<'_>, (this,): (This,)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                io(s.send_buffer_size()).map(buffer_read)
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.set-send-buffer-size",
        |mut st: Store<'_>, (this, value): (This, u64)| {
            ret(with_sock(st.data_mut(), &this, |s, _| {
                io(s.set_send_buffer_size(buffer_size(value)?))
            }))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.subscribe",
        |mut st: Store<'_>, (this,): (This,)| {
            let pollable: Resource<DynPollable> =
                wasmtime_wasi::p2::subscribe(st.data_mut().table(), this)?;
            Ok((pollable,))
        },
    )?;
    tcp.func_wrap(
        "[method]tcp-socket.shutdown",
        |mut st: Store<'_>, (this, how): (This, ShutdownType)| {
            ret(shutdown(st.data_mut(), &this, how))
        },
    )?;
    Ok(())
}

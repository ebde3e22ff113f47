//! An axum HTTP server from unchanged upstream crates (tokio, hyper, axum), run under wasock by
//! crates/wasock-cli/tests/async_rust.rs and measured by bench/rust_async.py against the same
//! code built natively. On wasm32-wasip2 std opens the socket (wasi:sockets); on wasm32-wasip1
//! std cannot, so wasock-guest's `tokio` feature opens it and hands tokio the fd.
//!
//! Usage: `rust-axum [ADDR [flat]]` (ADDR defaults to 127.0.0.1:0). Prints `listening on ADDR`
//! (or `err bind KIND` and exits 1), then serves `/` (a greeting), `/peer` (the client's
//! address as the server sees it) and `POST /echo` (the body back). `flat` makes each
//! connection report no vectored writes, so hyper copies a response's head and body into one
//! write (see `Flat`).
//! `rust-axum connect=ADDR`: an async client instead: connects, sends `ping`, reads the echo,
//! prints `ok connect` (or `err connect KIND` and exits 1).
//! `rust-axum udp=ADDR`: the same over UDP from 127.0.0.1: prints `ok udp SENDER`.
#[cfg(all(target_os = "wasi", target_env = "p2"))]
mod p2_fcntl;
#[cfg(all(target_os = "wasi", target_env = "p2"))]
mod p2_writev;

use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::routing::{get, post};
use axum::serve::{IncomingStream, Listener};
use axum::Router;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args.first().map_or("127.0.0.1:0", String::as_str);
    if let Some(peer) = addr.strip_prefix("connect=") {
        match ping(peer).await {
            Ok(()) => println!("ok connect"),
            Err(e) => {
                println!("err connect {:?}", e.kind());
                std::process::exit(1);
            }
        }
        return;
    }
    if let Some(peer) = addr.strip_prefix("udp=") {
        match udp_ping(peer).await {
            Ok(from) => println!("ok udp {from}"),
            Err(e) => {
                println!("err udp {:?}", e.kind());
                std::process::exit(1);
            }
        }
        return;
    }
    let listener = match listener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            println!("err bind {:?}", e.kind());
            std::process::exit(1);
        }
    };
    println!(
        "listening on {}",
        listener.local_addr().expect("local address")
    );
    let app = Router::new()
        .route("/", get(|| async { "hello from axum\n" }))
        .route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<Peer>| async move { format!("{peer}\n") }),
        )
        .route("/echo", post(|body: String| async move { body }));
    let app = app.into_make_service_with_connect_info::<Peer>();
    let served = if args.get(1).is_some_and(|a| a == "flat") {
        axum::serve(Flat(listener), app).await
    } else {
        axum::serve(listener, app).await
    };
    served.expect("serve");
}

/// The client's address, for `ConnectInfo` (a type of this crate, so that it can be
/// `Connected` for the listeners here).
#[derive(Clone, Copy, Debug)]
struct Peer(SocketAddr);

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Connected<IncomingStream<'_, listener::Tcp>> for Peer {
    fn connect_info(stream: IncomingStream<'_, listener::Tcp>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, Flat<listener::Tcp>>> for Peer {
    fn connect_info(stream: IncomingStream<'_, Flat<listener::Tcp>>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// A listener whose connections report no vectored writes, so hyper flattens a response's
/// head and body into one write. On wasm32-wasip2 std writes the two buffers of a vectored
/// write as two sends, and the second then waits for the client's delayed ACK (Nagle's
/// algorithm; wasi:sockets 0.2 has no TCP_NODELAY, and wasi-libc's setsockopt keeps it to
/// itself).
struct Flat<L>(L);

/// A connection of [`Flat`].
struct FlatIo<T>(T);

impl<L: Listener> Listener for Flat<L> {
    type Io = FlatIo<L::Io>;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = self.0.accept().await;
        (FlatIo(io), addr)
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FlatIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

/// Every method but `poll_write_vectored`/`is_write_vectored`, whose defaults say "not
/// vectored".
impl<T: AsyncWrite + Unpin> AsyncWrite for FlatIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// One echo round trip with `peer` over an async connect.
async fn ping(peer: &str) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    #[cfg(not(all(target_os = "wasi", target_env = "p1")))]
    let mut s = tokio::net::TcpStream::connect(peer).await?;
    #[cfg(all(target_os = "wasi", target_env = "p1"))]
    let mut s = wasock_guest::tokio::connect(peer).await?;
    s.write_all(b"ping").await?;
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"ping");
    Ok(())
}

/// One datagram round trip with `peer`; returns the answer's sender.
async fn udp_ping(peer: &str) -> std::io::Result<SocketAddr> {
    let peer: SocketAddr = peer.parse().map_err(|_| std::io::ErrorKind::InvalidInput)?;
    #[cfg(not(all(target_os = "wasi", target_env = "p1")))]
    let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    #[cfg(all(target_os = "wasi", target_env = "p1"))]
    let s = wasock_guest::tokio::bind_udp("127.0.0.1:0")?;
    s.send_to(b"ping", peer).await?;
    let mut buf = [0u8; 16];
    let (n, from) = s.recv_from(&mut buf).await?;
    assert_eq!(&buf[..n], b"ping");
    Ok(from)
}

#[cfg(not(all(target_os = "wasi", target_env = "p1")))]
mod listener {
    /// The listener type.
    pub type Tcp = tokio::net::TcpListener;

    /// std opens the socket (natively, and on wasm32-wasip2 over wasi:sockets).
    pub async fn bind(addr: &str) -> std::io::Result<Tcp> {
        tokio::net::TcpListener::bind(addr).await
    }
}

#[cfg(all(target_os = "wasi", target_env = "p1"))]
mod listener {
    use std::io;
    use std::net::SocketAddr;

    /// tokio's listener with the peer addresses wasock reports (std's preview1 accept says
    /// `0.0.0.0:0`).
    pub struct Tcp(tokio::net::TcpListener);

    pub async fn bind(addr: &str) -> io::Result<Tcp> {
        wasock_guest::tokio::bind(addr).map(Tcp)
    }

    impl Tcp {
        /// The bound address (tokio's `local_addr` is unsupported on preview1).
        pub fn local_addr(&self) -> io::Result<SocketAddr> {
            wasock_guest::tokio::local_addr(&self.0)
        }
    }

    impl axum::serve::Listener for Tcp {
        type Io = tokio::net::TcpStream;
        type Addr = SocketAddr;

        async fn accept(&mut self) -> (Self::Io, SocketAddr) {
            loop {
                // A peer gone before its accept is not the server's problem: take the next.
                if let Ok((stream, peer)) = wasock_guest::tokio::accept(&self.0).await {
                    return (stream, peer);
                }
            }
        }

        fn local_addr(&self) -> io::Result<SocketAddr> {
            Tcp::local_addr(self)
        }
    }
}

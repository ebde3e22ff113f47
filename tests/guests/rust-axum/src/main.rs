//! An axum HTTP server from unchanged upstream crates (tokio, hyper, axum), run under wasock by
//! crates/wasock-cli/tests/async_rust.rs and measured by bench/rust_async.py against the same
//! code built natively. On wasm32-wasip2 std opens the socket (wasi:sockets); on wasm32-wasip1
//! std cannot, so wasock-guest's `tokio` feature opens it and hands tokio the fd.
//!
//! Usage: `rust-axum ADDR` (default 127.0.0.1:0). Prints `listening on ADDR` (or
//! `err bind KIND` and exits 1), then serves `/` (a greeting), `/peer` (the client's address as
//! the server sees it) and `POST /echo` (the body back).
//! `rust-axum connect=ADDR`: an async client instead: connects, sends `ping`, reads the echo,
//! prints `ok connect` (or `err connect KIND` and exits 1).
#[cfg(all(target_os = "wasi", target_env = "p2"))]
mod p2_fcntl;

use axum::extract::ConnectInfo;
use axum::routing::{get, post};
use axum::Router;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
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
    let listener = match listener::bind(&addr).await {
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
            get(
                |ConnectInfo(peer): ConnectInfo<listener::Peer>| async move { format!("{peer}\n") },
            ),
        )
        .route("/echo", post(|body: String| async move { body }));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<listener::Peer>(),
    )
    .await
    .expect("serve");
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

#[cfg(not(all(target_os = "wasi", target_env = "p1")))]
mod listener {
    /// The client's address.
    pub type Peer = std::net::SocketAddr;

    /// std opens the socket (natively, and on wasm32-wasip2 over wasi:sockets).
    pub async fn bind(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
        tokio::net::TcpListener::bind(addr).await
    }
}

#[cfg(all(target_os = "wasi", target_env = "p1"))]
mod listener {
    use axum::extract::connect_info::Connected;
    use axum::serve::IncomingStream;
    use std::io;
    use std::net::SocketAddr;

    /// The client's address (a type of this crate, for axum's `Connected`).
    #[derive(Clone, Copy, Debug)]
    pub struct Peer(SocketAddr);

    impl std::fmt::Display for Peer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.fmt(f)
        }
    }

    impl Connected<IncomingStream<'_, Listener>> for Peer {
        fn connect_info(stream: IncomingStream<'_, Listener>) -> Peer {
            *stream.remote_addr()
        }
    }

    /// tokio's listener with the peer addresses wasock reports (std's preview1 accept says
    /// `0.0.0.0:0`).
    pub struct Listener(tokio::net::TcpListener);

    pub async fn bind(addr: &str) -> io::Result<Listener> {
        wasock_guest::tokio::bind(addr).map(Listener)
    }

    impl Listener {
        /// The bound address (tokio's `local_addr` is unsupported on preview1).
        pub fn local_addr(&self) -> io::Result<SocketAddr> {
            wasock_guest::tokio::local_addr(&self.0)
        }
    }

    impl axum::serve::Listener for Listener {
        type Io = tokio::net::TcpStream;
        type Addr = Peer;

        async fn accept(&mut self) -> (Self::Io, Peer) {
            loop {
                // A peer gone before its accept is not the server's problem: take the next.
                if let Ok((stream, peer)) = wasock_guest::tokio::accept(&self.0).await {
                    return (stream, Peer(peer));
                }
            }
        }

        fn local_addr(&self) -> io::Result<Peer> {
            Listener::local_addr(self).map(Peer)
        }
    }
}

//! Sockets for Rust programs built for `wasm32-wasip1`, where `std::net` cannot open sockets.
//!
//! The API mirrors `std::net` (`TcpListener`, `TcpStream`, `UdpSocket`, plus [`net::lookup_host`])
//! and runs on any runtime implementing WAMR's socket ABI: wasock, or WAMR's `iwasm`.
//! Errors are `std::io::Error`s built from the WASI errno, so `ErrorKind` is meaningful
//! (`PermissionDenied` for a policy denial, `WouldBlock`, `TimedOut`, …).
//!
//! [`poll`] waits for readiness on many sockets at once (over `poll_oneoff`).
//!
//! With the `tokio` feature, [`tokio`] opens, accepts and connects sockets as tokio types.

#![cfg_attr(not(target_os = "wasi"), allow(dead_code, unused_imports))]

// The socket types exist only on WASI; on the host only the layout code builds (and its tests run).
#[cfg(target_os = "wasi")]
pub mod net;
#[cfg(target_os = "wasi")]
pub mod poll;
mod sys;
#[cfg(all(target_os = "wasi", feature = "tokio"))]
pub mod tokio;

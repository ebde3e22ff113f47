//! Socket imports (WAMR extension + preview1 `sock_*`), the data path and socket state.

pub mod io;
mod socket;

pub use socket::Socket;

/// Adds the socket imports to the linker (filled in by the sockets work).
pub fn add_to_linker(_linker: &mut wasmtime::Linker<crate::wasi::Host>) -> wasmtime::Result<()> {
    Ok(())
}

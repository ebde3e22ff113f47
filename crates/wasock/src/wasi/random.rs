//! `random_get`.

use super::{host_fn, WasiCtx};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::link::HostLinker;

pub(crate) fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    host_fn!(linker, "random_get", random_get, buf: u32, len: u32);
    Ok(())
}

/// `random_get(buf, len)`: fills the buffer from the OS CSPRNG.
pub fn random_get(_cx: &WasiCtx, mem: &mut GuestMemory<'_>, buf: u32, len: u32) -> WasiResult<()> {
    getrandom::fill(mem.slice_mut(buf, len)?).map_err(|_| Errno::Io)
}

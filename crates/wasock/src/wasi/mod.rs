//! Our WASI preview1 host, one file per function family, plus the glue that binds an import
//! name to its implementation.
//!
//! Each import `xyz` is implemented by a function `xyz` in its family's file, taking the shared
//! [`WasiCtx`], a bounds-checked [`GuestMemory`] and the raw wasm arguments, and returning
//! `WasiResult<()>`; the glue turns that into the errno the guest sees.

// Each import function takes exactly the wasm parameters of its ABI signature.
#![allow(clippy::too_many_arguments)]

pub mod args_env;
pub mod clock;
mod ctx;
pub mod fd;
pub mod path;
pub mod poll;
pub mod proc;
pub mod random;

pub use ctx::{Host, Mem, StdioSource, WasiCtx};

use crate::abi::{GuestMemory, WasiResult};
use crate::link::HostLinker;
use wasmtime::{Caller, Extern};

/// The import module every preview1 (and WAMR socket) function lives in.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// Runs one host call with the guest's memory and context; returns the errno as the ABI wants.
pub(crate) fn call(
    caller: &mut Caller<'_, Host>,
    f: impl FnOnce(&WasiCtx, &mut GuestMemory<'_>) -> WasiResult<()>,
) -> i32 {
    let mem = match &caller.data().memory {
        Some(m) => Some(m.clone()),
        None => find_memory(caller),
    };
    let res = match mem {
        Some(Mem::Plain(m)) => {
            let (bytes, host) = m.data_and_store_mut(&mut *caller);
            f(&host.ctx, &mut GuestMemory::from_slice(bytes))
        }
        Some(Mem::Shared(s)) => {
            let ctx = caller.data().ctx.clone();
            f(&ctx, &mut GuestMemory::from_shared(s.data()))
        }
        // No memory at all: every pointer argument is out of bounds.
        None => {
            let ctx = caller.data().ctx.clone();
            f(&ctx, &mut GuestMemory::from_slice(&mut []))
        }
    };
    match res {
        Ok(()) => 0,
        Err(e) => i32::from(e as u16),
    }
}

/// Finds and caches the exported memory (host calls can precede our own lookup, e.g. from a
/// start function).
fn find_memory(caller: &mut Caller<'_, Host>) -> Option<Mem> {
    let mem = match caller.get_export("memory")? {
        Extern::Memory(m) => Mem::Plain(m),
        Extern::SharedMemory(s) => Mem::Shared(s),
        _ => return None,
    };
    caller.data_mut().memory = Some(mem.clone());
    Some(mem)
}

/// Registers `$name` as a host function calling `$imp(ctx, mem, args…)`.
macro_rules! host_fn {
    ($linker:ident, $name:literal, $imp:path $(, $arg:ident : $ty:ty)* $(,)?) => {
        $linker.func_wrap(
            $crate::wasi::MODULE,
            $name,
            |mut caller: ::wasmtime::Caller<'_, $crate::wasi::Host> $(, $arg: $ty)*| -> i32 {
                $crate::wasi::call(&mut caller, |cx, mem| $imp(cx, mem $(, $arg)*))
            },
        )?;
    };
}
pub(crate) use host_fn;

/// Adds every preview1 function to the linker.
pub fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    args_env::add_to_linker(linker)?;
    clock::add_to_linker(linker)?;
    fd::add_to_linker(linker)?;
    path::add_to_linker(linker)?;
    poll::add_to_linker(linker)?;
    proc::add_to_linker(linker)?;
    random::add_to_linker(linker)?;
    Ok(())
}

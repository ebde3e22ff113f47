//! `proc_exit`, `proc_raise` and `sched_yield`.

use super::{host_fn, Host, WasiCtx, MODULE};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::link::HostLinker;
use wasmtime::Caller;

/// The error that unwinds the guest when it calls `proc_exit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("exit with status {0}")]
pub struct ExitCode(pub i32);

pub(crate) fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |_caller: Caller<'_, Host>, code: i32| -> wasmtime::Result<()> {
            Err(wasmtime::Error::new(ExitCode(code)))
        },
    )?;
    host_fn!(linker, "proc_raise", proc_raise, sig: u32);
    host_fn!(linker, "sched_yield", sched_yield);
    Ok(())
}

/// `proc_raise(sig)`: signals are not part of our sandbox.
pub fn proc_raise(_cx: &WasiCtx, _mem: &mut GuestMemory<'_>, _sig: u32) -> WasiResult<()> {
    Err(Errno::NoSys)
}

/// `sched_yield()`.
pub fn sched_yield(_cx: &WasiCtx, _mem: &mut GuestMemory<'_>) -> WasiResult<()> {
    std::thread::yield_now();
    Ok(())
}

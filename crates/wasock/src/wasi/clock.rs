//! `clock_res_get` and `clock_time_get`.

use super::{host_fn, WasiCtx};
use crate::abi::types::clockid;
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::link::HostLinker;
use rustix::time::{ClockId, Timespec};

pub(crate) fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    host_fn!(linker, "clock_res_get", clock_res_get, id: u32, out: u32);
    host_fn!(linker, "clock_time_get", clock_time_get, id: u32, precision: u64, out: u32);
    Ok(())
}

/// The host clock behind a WASI clock id (`EINVAL` for an unknown id).
pub fn host_clock(id: u32) -> WasiResult<ClockId> {
    Ok(match id {
        clockid::REALTIME => ClockId::Realtime,
        clockid::MONOTONIC => ClockId::Monotonic,
        clockid::PROCESS_CPUTIME_ID => ClockId::ProcessCPUTime,
        clockid::THREAD_CPUTIME_ID => ClockId::ThreadCPUTime,
        _ => return Err(Errno::Inval),
    })
}

/// Nanoseconds of a timespec, saturating.
pub fn nanos(ts: Timespec) -> u64 {
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// Reads a clock now, in nanoseconds.
pub fn now(id: u32) -> WasiResult<u64> {
    Ok(nanos(rustix::time::clock_gettime(host_clock(id)?)))
}

/// `clock_res_get(id) -> timestamp`.
pub fn clock_res_get(
    _cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    out: u32,
) -> WasiResult<()> {
    let res = nanos(rustix::time::clock_getres(host_clock(id)?)).max(1);
    mem.write_u64(out, res)
}

/// `clock_time_get(id, precision) -> timestamp`.
pub fn clock_time_get(
    _cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    _precision: u64,
    out: u32,
) -> WasiResult<()> {
    mem.write_u64(out, now(id)?)
}

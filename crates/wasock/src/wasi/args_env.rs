//! `args_*` and `environ_*`.

use super::{host_fn, WasiCtx};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::link::HostLinker;

pub(crate) fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    host_fn!(linker, "args_get", args_get, argv: u32, buf: u32);
    host_fn!(linker, "args_sizes_get", args_sizes_get, argc: u32, size: u32);
    host_fn!(linker, "environ_get", environ_get, environ: u32, buf: u32);
    host_fn!(linker, "environ_sizes_get", environ_sizes_get, count: u32, size: u32);
    Ok(())
}

/// Writes a pointer array and the NUL-terminated strings it points to.
fn write_strings(
    mem: &mut GuestMemory<'_>,
    list: &[Vec<u8>],
    mut ptrs: u32,
    mut buf: u32,
) -> WasiResult<()> {
    for s in list {
        mem.write_u32(ptrs, buf)?;
        mem.write(buf, s)?;
        let len = u32::try_from(s.len()).map_err(|_| Errno::Overflow)?;
        mem.write_u8(buf.checked_add(len).ok_or(Errno::Fault)?, 0)?;
        ptrs = ptrs.checked_add(4).ok_or(Errno::Fault)?;
        buf = buf.checked_add(len + 1).ok_or(Errno::Fault)?;
    }
    Ok(())
}

fn write_sizes(
    mem: &mut GuestMemory<'_>,
    list: &[Vec<u8>],
    count: u32,
    size: u32,
) -> WasiResult<()> {
    let total: usize = list.iter().map(|s| s.len() + 1).sum();
    mem.write_u32(count, list.len() as u32)?;
    mem.write_u32(size, u32::try_from(total).map_err(|_| Errno::Overflow)?)
}

/// `args_get(argv, argv_buf)`.
pub fn args_get(cx: &WasiCtx, mem: &mut GuestMemory<'_>, argv: u32, buf: u32) -> WasiResult<()> {
    write_strings(mem, &cx.args, argv, buf)
}

/// `args_sizes_get() -> (argc, argv_buf_size)`.
pub fn args_sizes_get(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    argc: u32,
    size: u32,
) -> WasiResult<()> {
    write_sizes(mem, &cx.args, argc, size)
}

/// `environ_get(environ, environ_buf)`.
pub fn environ_get(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    environ: u32,
    buf: u32,
) -> WasiResult<()> {
    write_strings(mem, &cx.env, environ, buf)
}

/// `environ_sizes_get() -> (count, buf_size)`.
pub fn environ_sizes_get(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    count: u32,
    size: u32,
) -> WasiResult<()> {
    write_sizes(mem, &cx.env, count, size)
}

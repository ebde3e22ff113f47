//! `fd_*`: operations on an open descriptor, whatever it is.

use super::{host_fn, WasiCtx};
use crate::abi::types::{
    encode_dirent, encode_prestat_dir, fdflags, fstflags, rights, whence, FdStat, FileStat,
};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::fd::{Descriptor, Entry, Fd};
use crate::link::HostLinker;
use rustix::fs::{Advice, OFlags, SeekFrom, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};
use std::num::NonZeroU64;
use std::sync::Arc;

pub(crate) fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    host_fn!(linker, "fd_advise", fd_advise, fd: u32, offset: u64, len: u64, advice: u32);
    host_fn!(linker, "fd_allocate", fd_allocate, fd: u32, offset: u64, len: u64);
    host_fn!(linker, "fd_close", fd_close, fd: u32);
    host_fn!(linker, "fd_datasync", fd_datasync, fd: u32);
    host_fn!(linker, "fd_fdstat_get", fd_fdstat_get, fd: u32, out: u32);
    host_fn!(linker, "fd_fdstat_set_flags", fd_fdstat_set_flags, fd: u32, flags: u32);
    host_fn!(linker, "fd_fdstat_set_rights", fd_fdstat_set_rights, fd: u32, base: u64, inheriting: u64);
    host_fn!(linker, "fd_filestat_get", fd_filestat_get, fd: u32, out: u32);
    host_fn!(linker, "fd_filestat_set_size", fd_filestat_set_size, fd: u32, size: u64);
    host_fn!(linker, "fd_filestat_set_times", fd_filestat_set_times, fd: u32, atim: u64, mtim: u64, flags: u32);
    host_fn!(linker, "fd_pread", fd_pread, fd: u32, iovs: u32, iovs_len: u32, offset: u64, out: u32);
    host_fn!(linker, "fd_prestat_get", fd_prestat_get, fd: u32, out: u32);
    host_fn!(linker, "fd_prestat_dir_name", fd_prestat_dir_name, fd: u32, path: u32, path_len: u32);
    host_fn!(linker, "fd_pwrite", fd_pwrite, fd: u32, iovs: u32, iovs_len: u32, offset: u64, out: u32);
    host_fn!(linker, "fd_read", fd_read, fd: u32, iovs: u32, iovs_len: u32, out: u32);
    host_fn!(linker, "fd_readdir", fd_readdir, fd: u32, buf: u32, buf_len: u32, cookie: u64, out: u32);
    host_fn!(linker, "fd_renumber", fd_renumber, fd: u32, to: u32);
    host_fn!(linker, "fd_seek", fd_seek, fd: u32, offset: i64, whence: u32, out: u32);
    host_fn!(linker, "fd_sync", fd_sync, fd: u32);
    host_fn!(linker, "fd_tell", fd_tell, fd: u32, out: u32);
    host_fn!(linker, "fd_write", fd_write, fd: u32, iovs: u32, iovs_len: u32, out: u32);
    Ok(())
}

/// Looks up `fd` and checks `needed` rights.
pub(crate) fn entry(cx: &WasiCtx, fd: u32, needed: u64) -> WasiResult<Arc<Entry>> {
    let e = cx.fds.get(Fd(fd))?;
    e.require(needed)?;
    Ok(e)
}

/// `fd_advise(fd, offset, len, advice)`.
pub fn fd_advise(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
    advice: u32,
) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_ADVISE)?;
    let advice = match advice {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::Inval),
    };
    Ok(rustix::fs::fadvise(
        e.as_fd(),
        offset,
        NonZeroU64::new(len),
        advice,
    )?)
}

/// `fd_allocate(fd, offset, len)`.
pub fn fd_allocate(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_ALLOCATE)?;
    Ok(rustix::fs::fallocate(
        e.as_fd(),
        rustix::fs::FallocateFlags::empty(),
        offset,
        len,
    )?)
}

/// `fd_close(fd)`.
pub fn fd_close(cx: &WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let entry = cx.fds.remove(Fd(fd))?;
    // A socket another thread is blocked on would stay open until that call returns;
    // shutting it down wakes the thread, as closing does for a native program in practice.
    if let Descriptor::Socket(s) = &entry.desc {
        if Arc::strong_count(s) > 1 {
            let _ = s.inner.shutdown(std::net::Shutdown::Both);
        }
    }
    Ok(())
}

/// `fd_datasync(fd)`.
pub fn fd_datasync(cx: &WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_DATASYNC)?;
    Ok(rustix::fs::fdatasync(e.as_fd())?)
}

/// Host `O_*` status flags as preview1 `fdflags`.
pub(crate) fn fdflags_of(e: &Entry) -> WasiResult<u16> {
    if let Some(flags) = e.tracked_fdflags() {
        return Ok(*flags);
    }
    Ok(fdflags_of_oflags(rustix::fs::fcntl_getfl(e.as_fd())?))
}

/// The fdflags `fcntl(F_GETFL)` flags mean.
pub(crate) fn fdflags_of_oflags(fl: OFlags) -> u16 {
    let mut out = 0;
    if fl.contains(OFlags::APPEND) {
        out |= fdflags::APPEND;
    }
    if fl.contains(OFlags::NONBLOCK) {
        out |= fdflags::NONBLOCK;
    }
    if fl.contains(OFlags::SYNC) {
        out |= fdflags::SYNC | fdflags::RSYNC;
    }
    if fl.contains(OFlags::DSYNC) {
        out |= fdflags::DSYNC;
    }
    out
}

/// `fd_fdstat_get(fd) -> fdstat`.
pub fn fd_fdstat_get(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
    let e = cx.fds.get(Fd(fd))?;
    let (rights_base, rights_inheriting) = e.rights();
    let stat = FdStat {
        filetype: e.filetype(),
        flags: fdflags_of(&e)?,
        rights_base,
        rights_inheriting,
    };
    mem.write(out, &stat.encode())
}

/// `fd_fdstat_set_flags(fd, flags)`: `APPEND` and `NONBLOCK` can change; the sync flags cannot.
pub fn fd_fdstat_set_flags(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_FDSTAT_SET_FLAGS)?;
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::Inval);
    }
    if let Some(mut held) = e.tracked_fdflags() {
        // wasock opened this fd with none of F_SETFL's other flags (O_ASYNC, O_DIRECT,
        // O_NOATIME), so these two are all it needs to pass; no F_GETFL first.
        let mut fl = OFlags::empty();
        fl.set(OFlags::APPEND, flags & fdflags::APPEND != 0);
        fl.set(OFlags::NONBLOCK, flags & fdflags::NONBLOCK != 0);
        rustix::fs::fcntl_setfl(e.as_fd(), fl)?;
        if let Descriptor::Socket(s) = &e.desc {
            s.note_nonblocking(flags & fdflags::NONBLOCK != 0);
        }
        let changing = fdflags::APPEND | fdflags::NONBLOCK;
        *held = (*held & !changing) | (flags & changing);
        return Ok(());
    }
    let mut fl = rustix::fs::fcntl_getfl(e.as_fd())?;
    fl.set(OFlags::APPEND, flags & fdflags::APPEND != 0);
    fl.set(OFlags::NONBLOCK, flags & fdflags::NONBLOCK != 0);
    Ok(rustix::fs::fcntl_setfl(e.as_fd(), fl)?)
}

/// `fd_fdstat_set_rights(fd, base, inheriting)`: rights can only shrink.
pub fn fd_fdstat_set_rights(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> WasiResult<()> {
    cx.fds.get(Fd(fd))?.narrow_rights(base, inheriting)
}

/// Converts a host `stat` to a preview1 `filestat`.
pub(crate) fn filestat_of(st: &rustix::fs::Stat) -> FileStat {
    let ts = |s: i64, ns: u64| (s as u64).saturating_mul(1_000_000_000).saturating_add(ns);
    FileStat {
        dev: st.st_dev,
        ino: st.st_ino,
        filetype: crate::fd::filetype_of_mode(st.st_mode),
        nlink: st.st_nlink,
        size: st.st_size as u64,
        atim: ts(st.st_atime, st.st_atime_nsec),
        mtim: ts(st.st_mtime, st.st_mtime_nsec),
        ctim: ts(st.st_ctime, st.st_ctime_nsec),
    }
}

/// `fd_filestat_get(fd) -> filestat`.
pub fn fd_filestat_get(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_FILESTAT_GET)?;
    let mut stat = filestat_of(&rustix::fs::fstat(e.as_fd())?);
    // Sockets and dirs report what the descriptor is, not what fstat's mode guesses (read
    // once when the fd was opened, not by a second fstat).
    stat.filetype = e.filetype();
    mem.write(out, &stat.encode())
}

/// `fd_filestat_set_size(fd, size)`.
pub fn fd_filestat_set_size(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    size: u64,
) -> WasiResult<()> {
    // No rights check: the OS enforces the access mode and answers as POSIX says (EINVAL for a
    // read-only fd), where the preview1 right would give ENOTCAPABLE.
    let e = cx.fds.get(Fd(fd))?;
    Ok(rustix::fs::ftruncate(e.as_fd(), size)?)
}

/// Builds the `futimens` argument from preview1 times and `fstflags` (both SET and NOW is `EINVAL`).
pub(crate) fn timestamps(atim: u64, mtim: u64, flags: u32) -> WasiResult<Timestamps> {
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    let one = |t: u64, set: u16, now: u16| -> WasiResult<Timespec> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(Errno::Inval),
            (true, false) => Ok(Timespec {
                tv_sec: (t / 1_000_000_000) as i64,
                tv_nsec: (t % 1_000_000_000) as _,
            }),
            (false, true) => Ok(Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_NOW,
            }),
            (false, false) => Ok(Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_OMIT,
            }),
        }
    };
    Ok(Timestamps {
        last_access: one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        last_modification: one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    })
}

/// `fd_filestat_set_times(fd, atim, mtim, fstflags)`.
pub fn fd_filestat_set_times(
    cx: &WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_FILESTAT_SET_TIMES)?;
    Ok(rustix::fs::futimens(
        e.as_fd(),
        &timestamps(atim, mtim, flags)?,
    )?)
}

/// `fd_pread(fd, iovs, offset) -> size`.
pub fn fd_pread(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    let n = {
        let mut bufs = mem.iovecs_mut(iovs, iovs_len)?;
        let e = entry(cx, fd, rights::FD_READ)?;
        rustix::io::preadv(e.as_fd(), &mut bufs, offset)?
    };
    mem.write_u32(out, n as u32)
}

/// `fd_prestat_get(fd) -> prestat`.
pub fn fd_prestat_get(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    let e = cx.fds.get(Fd(fd))?;
    let name = preopen_name(&e)?;
    mem.write(out, &encode_prestat_dir(name.len() as u32))
}

fn preopen_name(e: &Entry) -> WasiResult<&str> {
    match &e.desc {
        Descriptor::Dir(d) => d.preopen.as_deref().ok_or(Errno::Badf),
        _ => Err(Errno::Badf),
    }
}

/// `fd_prestat_dir_name(fd, path, path_len)`.
pub fn fd_prestat_dir_name(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult<()> {
    let e = cx.fds.get(Fd(fd))?;
    let name = preopen_name(&e)?;
    if (path_len as usize) < name.len() {
        return Err(Errno::NameTooLong);
    }
    mem.write(path, name.as_bytes())
}

/// `fd_pwrite(fd, iovs, offset) -> size`.
pub fn fd_pwrite(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    out: u32,
) -> WasiResult<()> {
    let bufs = mem.ciovecs(iovs, iovs_len)?;
    mem.slice(out, 4)?;
    let e = entry(cx, fd, rights::FD_WRITE)?;
    let n = rustix::io::pwritev(e.as_fd(), &bufs, offset)?;
    mem.write_u32(out, n as u32)
}

/// `fd_read(fd, iovs) -> size`.
pub fn fd_read(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    out: u32,
) -> WasiResult<()> {
    mem.slice(out, 4)?;
    let n = {
        let mut bufs = mem.iovecs_mut(iovs, iovs_len)?;
        let e = entry(cx, fd, rights::FD_READ)?;
        match &e.desc {
            Descriptor::Socket(s) => {
                crate::net::io::recv_vectored(cx, s, &mut bufs, rustix::net::RecvFlags::empty())?.0
            }
            // One buffer (what read() passes): read(2) skips readv(2)'s iovec import.
            _ => match &mut bufs[..] {
                [buf] => rustix::io::read(e.as_fd(), &mut buf[..])?,
                bufs => rustix::io::readv(e.as_fd(), bufs)?,
            },
        }
    };
    mem.write_u32(out, n as u32)
}

/// `fd_readdir(fd, buf, buf_len, cookie) -> bufused`: entries from index `cookie` on, the last
/// one possibly truncated (the guest then calls again with a larger buffer).
pub fn fd_readdir(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    out: u32,
) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_READDIR)?;
    e.dir()?;
    let mut bytes = Vec::new();
    for (i, ent) in rustix::fs::Dir::read_from(e.as_fd())?
        .enumerate()
        .skip(cookie as usize)
    {
        if bytes.len() >= buf_len as usize {
            break;
        }
        let ent = ent?;
        let name = ent.file_name().to_bytes();
        let ftype = crate::fd::filetype_of_type(ent.file_type());
        bytes.extend_from_slice(&encode_dirent(
            i as u64 + 1,
            ent.ino(),
            name.len() as u32,
            ftype,
        ));
        bytes.extend_from_slice(name);
    }
    bytes.truncate(buf_len as usize);
    mem.write(buf, &bytes)?;
    mem.write_u32(out, bytes.len() as u32)
}

/// `fd_renumber(fd, to)`.
pub fn fd_renumber(cx: &WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32, to: u32) -> WasiResult<()> {
    cx.fds.renumber(Fd(fd), Fd(to))
}

/// `fd_seek(fd, offset, whence) -> filesize`.
pub fn fd_seek(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: i64,
    wh: u32,
    out: u32,
) -> WasiResult<()> {
    // A zero-offset SEEK_CUR is a tell; wasi-libc's lseek(fd, 0, SEEK_CUR) needs only FD_TELL.
    let needed = if offset == 0 && wh == u32::from(whence::CUR) {
        rights::FD_TELL
    } else {
        rights::FD_SEEK | rights::FD_TELL
    };
    // The result pointer is checked before seeking: a bad pointer must have no side effect.
    mem.slice(out, 8)?;
    let e = entry(cx, fd, needed)?;
    let pos = match u8::try_from(wh).map_err(|_| Errno::Inval)? {
        whence::SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        whence::CUR => SeekFrom::Current(offset),
        whence::END => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    let new = rustix::fs::seek(e.as_fd(), pos)?;
    mem.write_u64(out, new)
}

/// `fd_sync(fd)`.
pub fn fd_sync(cx: &WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_SYNC)?;
    Ok(rustix::fs::fsync(e.as_fd())?)
}

/// `fd_tell(fd) -> filesize`.
pub fn fd_tell(cx: &WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
    let e = entry(cx, fd, rights::FD_TELL)?;
    let pos = rustix::fs::seek(e.as_fd(), SeekFrom::Current(0))?;
    mem.write_u64(out, pos)
}

/// `fd_write(fd, iovs) -> size`.
pub fn fd_write(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    out: u32,
) -> WasiResult<()> {
    let bufs = mem.ciovecs(iovs, iovs_len)?;
    mem.slice(out, 4)?;
    let e = entry(cx, fd, rights::FD_WRITE)?;
    let n = match &e.desc {
        Descriptor::Socket(s) => crate::net::io::send_vectored(s, &bufs)?,
        // One buffer (what write() passes, and stdio once its empty buffer is left out):
        // write(2) skips writev(2)'s iovec import, a sixth of a small write's cost (a program
        // logging byte by byte pays it per byte).
        _ => match &bufs[..] {
            [buf] => rustix::io::write(e.as_fd(), buf)?,
            bufs => rustix::io::writev(e.as_fd(), bufs)?,
        },
    };
    mem.write_u32(out, n as u32)
}

//! `path_*`: operations on paths resolved beneath a directory fd, sandboxed by cap-std (no
//! `..`, absolute path or symlink can leave the directory; such attempts fail with `EPERM`).

use super::{host_fn, WasiCtx};
use crate::abi::types::{
    fdflags, filetype, fstflags, oflags, rights, FileStat, LOOKUP_SYMLINK_FOLLOW,
};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::fd::{filetype_of_mode, Descriptor, DirDesc, Entry};
use crate::link::HostLinker;
use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, SystemTimeSpec,
};
use cap_std::fs::{Metadata, MetadataExt, OpenOptions, OpenOptionsExt};
use std::time::{Duration, UNIX_EPOCH};

pub(crate) fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    host_fn!(linker, "path_create_directory", path_create_directory, fd: u32, path: u32, path_len: u32);
    host_fn!(linker, "path_filestat_get", path_filestat_get, fd: u32, flags: u32, path: u32, path_len: u32, out: u32);
    host_fn!(linker, "path_filestat_set_times", path_filestat_set_times, fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst: u32);
    host_fn!(linker, "path_link", path_link, old_fd: u32, old_flags: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32);
    host_fn!(linker, "path_open", path_open, fd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32, base: u64, inheriting: u64, fdflags: u32, out: u32);
    host_fn!(linker, "path_readlink", path_readlink, fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, out: u32);
    host_fn!(linker, "path_remove_directory", path_remove_directory, fd: u32, path: u32, path_len: u32);
    host_fn!(linker, "path_rename", path_rename, fd: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32);
    host_fn!(linker, "path_symlink", path_symlink, old_path: u32, old_len: u32, fd: u32, new_path: u32, new_len: u32);
    host_fn!(linker, "path_unlink_file", path_unlink_file, fd: u32, path: u32, path_len: u32);
    Ok(())
}

/// Runs `f` with the directory behind `fd` (checking `needed` rights) and the guest path.
fn with_dir<R>(
    cx: &WasiCtx,
    mem: &GuestMemory<'_>,
    fd: u32,
    needed: u64,
    path: u32,
    path_len: u32,
    f: impl FnOnce(&DirDesc, &str) -> WasiResult<R>,
) -> WasiResult<R> {
    // Pointer checks come before the fd lookup (docs/socket-abi.md), so a bad pointer is always
    // EFAULT.
    let path = mem.str(path, path_len)?;
    let e = super::fd::entry(cx, fd, needed)?;
    f(e.dir()?, path)
}

fn filestat_of_metadata(m: &Metadata) -> FileStat {
    let ts = |s: i64, ns: i64| {
        (s as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(ns as u64)
    };
    FileStat {
        dev: m.dev(),
        ino: m.ino(),
        filetype: filetype_of_mode(m.mode()),
        nlink: m.nlink(),
        size: m.size(),
        atim: ts(m.atime(), m.atime_nsec()),
        mtim: ts(m.mtime(), m.mtime_nsec()),
        ctim: ts(m.ctime(), m.ctime_nsec()),
    }
}

/// `path_create_directory(fd, path)`.
pub fn path_create_directory(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult<()> {
    with_dir(
        cx,
        mem,
        fd,
        rights::PATH_CREATE_DIRECTORY,
        path,
        path_len,
        |d, p| Ok(d.dir.create_dir(p)?),
    )
}

/// `path_filestat_get(fd, flags, path) -> filestat`.
pub fn path_filestat_get(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    out: u32,
) -> WasiResult<()> {
    let meta = with_dir(
        cx,
        mem,
        fd,
        rights::PATH_FILESTAT_GET,
        path,
        path_len,
        |d, p| {
            Ok(if flags & LOOKUP_SYMLINK_FOLLOW != 0 {
                stat_following(d, p)?
            } else {
                d.dir.symlink_metadata(p)?
            })
        },
    )?;
    mem.write(out, &filestat_of_metadata(&meta).encode())
}

/// `stat` of `p` beneath `d`, following symlinks. cap-std opens the file for that (`O_PATH`),
/// stats and closes it: three system calls. A name of one component that is not a symlink
/// needs no following, and its `fstatat` without following is one call (servers stat every
/// file they serve; civetweb four times per request).
fn stat_following(d: &DirDesc, p: &str) -> std::io::Result<Metadata> {
    let mut parts = std::path::Path::new(p).components();
    let single = matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    );
    // (`name/` must be a directory: not this path.)
    if single && !p.ends_with('/') {
        match d.dir.symlink_metadata(p) {
            Ok(m) if !m.file_type().is_symlink() => return Ok(m),
            // A missing name is missing whether followed or not.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    d.dir.metadata(p)
}

fn time_spec(t: u64, flags: u16, set: u16, now: u16) -> WasiResult<Option<SystemTimeSpec>> {
    match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::Inval),
        (true, false) => Ok(Some(SystemTimeSpec::Absolute(
            cap_std::time::SystemTime::from_std(UNIX_EPOCH + Duration::from_nanos(t)),
        ))),
        (false, true) => Ok(Some(SystemTimeSpec::SymbolicNow)),
        (false, false) => Ok(None),
    }
}

/// `path_filestat_set_times(fd, flags, path, atim, mtim, fstflags)`.
pub fn path_filestat_set_times(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> WasiResult<()> {
    let fst = u16::try_from(fst).map_err(|_| Errno::Inval)?;
    let a = time_spec(atim, fst, fstflags::ATIM, fstflags::ATIM_NOW)?;
    let m = time_spec(mtim, fst, fstflags::MTIM, fstflags::MTIM_NOW)?;
    with_dir(
        cx,
        mem,
        fd,
        rights::PATH_FILESTAT_SET_TIMES,
        path,
        path_len,
        |d, p| {
            if flags & LOOKUP_SYMLINK_FOLLOW != 0 {
                d.dir.set_times(p, a, m)?;
            } else {
                d.dir.set_symlink_times(p, a, m)?;
            }
            Ok(())
        },
    )
}

/// `path_link(old_fd, old_flags, old_path, new_fd, new_path)`: links the entry itself, never
/// what a symlink names; `LOOKUPFLAGS_SYMLINK_FOLLOW` is refused with `EINVAL`, as wasmtime does
/// and the WASI testsuite requires (POSIX `linkat` would follow).
pub fn path_link(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let new_path = mem.str(new_path, new_len)?;
    mem.str(old_path, old_len)?;
    let new = super::fd::entry(cx, new_fd, rights::PATH_LINK_TARGET)?;
    with_dir(
        cx,
        mem,
        old_fd,
        rights::PATH_LINK_SOURCE,
        old_path,
        old_len,
        |d, p| {
            if old_flags & LOOKUP_SYMLINK_FOLLOW != 0 {
                return Err(Errno::Inval);
            }
            Ok(d.dir.hard_link(p, &new.dir()?.dir, new_path)?)
        },
    )
}

/// `path_open(fd, dirflags, path, oflags, rights_base, rights_inheriting, fdflags) -> fd`.
pub fn path_open(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    of: u32,
    base: u64,
    inheriting: u64,
    fdf: u32,
    out: u32,
) -> WasiResult<()> {
    let of = u16::try_from(of).map_err(|_| Errno::Inval)?;
    let fdf = u16::try_from(fdf).map_err(|_| Errno::Inval)?;
    let path = mem.str(path, path_len)?;
    mem.slice(out, 4)?;
    // Creating and truncating are rights of the directory (preview1's rights model).
    let mut needed = rights::PATH_OPEN;
    if of & oflags::CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if of & oflags::TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let parent = super::fd::entry(cx, fd, needed)?;
    let (_, parent_inheriting) = parent.rights();

    // wasi-libc encodes O_RDONLY/O_WRONLY/O_RDWR as rights.
    let read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
    let write = base
        & (rights::FD_WRITE
            | rights::FD_DATASYNC
            | rights::FD_ALLOCATE
            | rights::FD_FILESTAT_SET_SIZE)
        != 0;
    let creating = of & (oflags::CREAT | oflags::TRUNC) != 0;
    let mut opts = OpenOptions::new();
    if of & oflags::DIRECTORY != 0 {
        if of & (oflags::CREAT | oflags::TRUNC) != 0 {
            return Err(Errno::Inval);
        }
        opts.read(true);
    } else {
        // std refuses O_CREAT/O_TRUNC without write access; the rights still forbid writes.
        opts.read(read || !write).write(write || creating);
    }
    if of & oflags::CREAT != 0 {
        if of & oflags::EXCL != 0 {
            opts.create_new(true);
        } else {
            opts.create(true);
        }
    }
    if of & oflags::TRUNC != 0 {
        opts.truncate(true);
    }
    let mut custom = 0;
    // O_APPEND as a raw flag: std's `append(true)` refuses to go with `truncate(true)`, which
    // `open(O_CREAT | O_TRUNC | O_WRONLY | O_APPEND)` needs.
    if fdf & fdflags::APPEND != 0 {
        custom |= rustix::fs::OFlags::APPEND.bits();
    }
    if fdf & fdflags::NONBLOCK != 0 {
        custom |= rustix::fs::OFlags::NONBLOCK.bits();
    }
    if fdf & fdflags::DSYNC != 0 {
        custom |= rustix::fs::OFlags::DSYNC.bits();
    }
    if fdf & (fdflags::SYNC | fdflags::RSYNC) != 0 {
        custom |= rustix::fs::OFlags::SYNC.bits();
    }
    opts.custom_flags(custom as i32);
    opts.follow(if dirflags & LOOKUP_SYMLINK_FOLLOW != 0 {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    });
    opts.maybe_dir(true);

    let file = parent.dir()?.dir.open_with(path, &opts)?.into_std();
    // Kept in the entry: fd_fdstat_get and fd_filestat_get need no fstat of their own for it.
    let ftype = filetype_of_mode(rustix::fs::fstat(&file)?.st_mode);
    let is_dir = ftype == filetype::DIRECTORY;
    // What fcntl(F_GETFL) would report for the flags opened with.
    let flags = super::fd::fdflags_of_oflags(rustix::fs::OFlags::from_bits_retain(custom));
    if is_dir && write {
        // Opened read-only above when O_DIRECTORY was given; write access to a directory is
        // EISDIR, as the kernel answers without O_DIRECTORY.
        return Err(Errno::IsDir);
    }
    let entry = if is_dir {
        let (b, i) = (base & rights::DIR, inheriting & parent_inheriting);
        Entry::opened(
            Descriptor::Dir(DirDesc {
                dir: cap_std::fs::Dir::from_std_file(file),
                preopen: None,
            }),
            b,
            i,
            ftype,
            flags,
        )
    } else if of & oflags::DIRECTORY != 0 {
        return Err(Errno::NotDir);
    } else {
        Entry::opened(
            Descriptor::File(file),
            base & rights::FILE & parent_inheriting,
            inheriting & parent_inheriting,
            ftype,
            flags,
        )
    };
    let new_fd = cx.push(entry)?;
    mem.write_u32(out, new_fd.0)
}

/// `path_readlink(fd, path, buf, buf_len) -> bufused` (the contents are truncated to fit).
pub fn path_readlink(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    out: u32,
) -> WasiResult<()> {
    let target = with_dir(
        cx,
        mem,
        fd,
        rights::PATH_READLINK,
        path,
        path_len,
        // `read_link` refuses (EPERM) to return an absolute target: it names a host path.
        |d, p| Ok(d.dir.read_link(p)?),
    )?;
    let bytes = target.as_os_str().as_encoded_bytes();
    let n = bytes.len().min(buf_len as usize);
    mem.write(buf, &bytes[..n])?;
    mem.write_u32(out, n as u32)
}

/// `path_remove_directory(fd, path)`.
pub fn path_remove_directory(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult<()> {
    with_dir(
        cx,
        mem,
        fd,
        rights::PATH_REMOVE_DIRECTORY,
        path,
        path_len,
        |d, p| Ok(d.dir.remove_dir(p)?),
    )
}

/// `path_rename(fd, old_path, new_fd, new_path)`.
pub fn path_rename(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let new_path = mem.str(new_path, new_len)?;
    mem.str(old_path, old_len)?;
    let new = super::fd::entry(cx, new_fd, rights::PATH_RENAME_TARGET)?;
    with_dir(
        cx,
        mem,
        fd,
        rights::PATH_RENAME_SOURCE,
        old_path,
        old_len,
        |d, p| Ok(d.dir.rename(p, &new.dir()?.dir, new_path)?),
    )
}

/// `path_symlink(old_path, fd, new_path)`: a relative target is stored verbatim (following it
/// later is sandboxed like any other path); an absolute one is refused with `EPERM`, as
/// wasmtime does, since it could only name a host path.
pub fn path_symlink(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_path: u32,
    old_len: u32,
    fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let target = mem.str(old_path, old_len)?;
    with_dir(
        cx,
        mem,
        fd,
        rights::PATH_SYMLINK,
        new_path,
        new_len,
        |d, p| Ok(d.dir.symlink(target, p)?),
    )
}

/// `path_unlink_file(fd, path)`.
pub fn path_unlink_file(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult<()> {
    with_dir(
        cx,
        mem,
        fd,
        rights::PATH_UNLINK_FILE,
        path,
        path_len,
        |d, p| Ok(d.dir.remove_file(p)?),
    )
}

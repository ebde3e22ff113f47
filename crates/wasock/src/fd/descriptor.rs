//! What an fd refers to: stdio, a file, a directory or a socket.

use crate::abi::types::{filetype, rights};
use crate::abi::{Errno, WasiResult};
use crate::net::Socket;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The host object behind a guest fd.
#[derive(Debug)]
pub enum Descriptor {
    /// An inherited stream (stdin, stdout, stderr or a pipe/file given by the embedder).
    Stdio(OwnedFd),
    /// A regular file (or anything non-directory opened through `path_open`).
    File(std::fs::File),
    /// A directory; preopens carry their guest name.
    Dir(DirDesc),
    /// A TCP or UDP socket (shared so a blocked call keeps it alive across `close`).
    Socket(Arc<Socket>),
}

/// A directory capability.
#[derive(Debug)]
pub struct DirDesc {
    /// The sandboxed directory handle: no path resolved through it can leave it.
    pub dir: cap_std::fs::Dir,
    /// The guest-visible name when this is a preopen.
    pub preopen: Option<String>,
}

/// One fd-table entry: the descriptor and its preview1 rights.
#[derive(Debug)]
pub struct Entry {
    /// The host object.
    pub desc: Descriptor,
    // Atomics, not a lock: every fd operation reads them. Rights only ever lose bits.
    base: AtomicU64,
    inheriting: AtomicU64,
    /// The preview1 filetype, read once: an fd's type never changes.
    filetype: u8,
    /// The fdflags of an fd wasock opened itself, where only `fd_fdstat_set_flags` changes
    /// them, so `fd_fdstat_get` needs no `fcntl`; `None` for an inherited fd, which processes
    /// outside the guest may change. Locked across a change so it never disagrees with the OS.
    fdflags: Option<Mutex<u16>>,
}

impl Entry {
    /// An entry with explicit rights, for an fd whose flags wasock does not track.
    pub fn new(desc: Descriptor, base: u64, inheriting: u64) -> Entry {
        let filetype = match &desc {
            Descriptor::Dir(_) => filetype::DIRECTORY,
            Descriptor::Socket(s) => s.filetype(),
            Descriptor::Stdio(fd) => filetype_of_fd(fd.as_fd()),
            Descriptor::File(f) => filetype_of_fd(f.as_fd()),
        };
        Entry {
            desc,
            base: AtomicU64::new(base),
            inheriting: AtomicU64::new(inheriting),
            filetype,
            fdflags: None,
        }
    }

    /// An entry for an fd wasock opened itself with `fdflags` (as `fd_fdstat_get` reports
    /// them) and of a known `filetype`.
    pub fn opened(
        desc: Descriptor,
        base: u64,
        inheriting: u64,
        filetype: u8,
        fdflags: u16,
    ) -> Entry {
        Entry {
            desc,
            base: AtomicU64::new(base),
            inheriting: AtomicU64::new(inheriting),
            filetype,
            fdflags: Some(Mutex::new(fdflags)),
        }
    }

    /// A stdio-like stream.
    pub fn stdio(fd: OwnedFd) -> Entry {
        Entry::new(Descriptor::Stdio(fd), rights::STDIO, 0)
    }

    /// A preopened directory (opened by wasock without fdflags).
    pub fn preopen(dir: cap_std::fs::Dir, name: String) -> Entry {
        Entry::opened(
            Descriptor::Dir(DirDesc {
                dir,
                preopen: Some(name),
            }),
            rights::DIR,
            rights::DIR | rights::FILE,
            filetype::DIRECTORY,
            0,
        )
    }

    /// A socket wasock created with `fdflags` (WAMR's socket rights, docs/socket-abi.md).
    pub fn new_socket(sock: Socket, fdflags: u16) -> Entry {
        let filetype = sock.filetype();
        sock.note_nonblocking(fdflags & crate::abi::types::fdflags::NONBLOCK != 0);
        Entry::opened(
            Descriptor::Socket(Arc::new(sock)),
            rights::SOCKET,
            rights::SOCKET_INHERITING,
            filetype,
            fdflags,
        )
    }

    /// The OS fd behind the entry.
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        match &self.desc {
            Descriptor::Stdio(fd) => fd.as_fd(),
            Descriptor::File(f) => f.as_fd(),
            Descriptor::Dir(d) => d.dir.as_fd(),
            Descriptor::Socket(s) => s.as_fd(),
        }
    }

    /// Current `(base, inheriting)` rights.
    pub fn rights(&self) -> (u64, u64) {
        (
            self.base.load(Ordering::Acquire),
            self.inheriting.load(Ordering::Acquire),
        )
    }

    /// `fd_fdstat_set_rights`: rights can only be dropped, never added.
    pub fn narrow_rights(&self, base: u64, inheriting: u64) -> WasiResult<()> {
        let (held_base, held_inheriting) = self.rights();
        if base & !held_base != 0 || inheriting & !held_inheriting != 0 {
            return Err(Errno::NotCapable);
        }
        // AND, not store: a concurrent narrowing can only make the result smaller.
        self.base.fetch_and(base, Ordering::AcqRel);
        self.inheriting.fetch_and(inheriting, Ordering::AcqRel);
        Ok(())
    }

    /// Fails with `ENOTCAPABLE` unless every right in `needed` is held.
    pub fn require(&self, needed: u64) -> WasiResult<()> {
        if self.rights().0 & needed == needed {
            Ok(())
        } else {
            Err(Errno::NotCapable)
        }
    }

    /// The directory, or `ENOTDIR`.
    pub fn dir(&self) -> WasiResult<&DirDesc> {
        match &self.desc {
            Descriptor::Dir(d) => Ok(d),
            _ => Err(Errno::NotDir),
        }
    }

    /// The socket, or `ENOTSOCK`.
    pub fn socket(&self) -> WasiResult<Arc<Socket>> {
        match &self.desc {
            Descriptor::Socket(s) => Ok(s.clone()),
            _ => Err(Errno::NotSock),
        }
    }

    /// The preview1 filetype.
    pub fn filetype(&self) -> u8 {
        self.filetype
    }

    /// The fdflags wasock tracks for an fd it opened (see [`Entry::opened`]), held locked.
    pub fn tracked_fdflags(&self) -> Option<MutexGuard<'_, u16>> {
        // A panic while holding the lock cannot leave a u16 inconsistent, so poison is ignored.
        self.fdflags
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The preview1 filetype of an open fd (`UNKNOWN` when fstat fails).
fn filetype_of_fd(fd: BorrowedFd<'_>) -> u8 {
    match rustix::fs::fstat(fd) {
        Ok(st) => filetype_of_mode(st.st_mode),
        Err(_) => filetype::UNKNOWN,
    }
}

/// Maps a host `st_mode` to a preview1 filetype.
pub fn filetype_of_mode(mode: u32) -> u8 {
    filetype_of_type(rustix::fs::FileType::from_raw_mode(mode))
}

/// Maps a host file type to a preview1 filetype.
pub fn filetype_of_type(t: rustix::fs::FileType) -> u8 {
    use rustix::fs::FileType as T;
    match t {
        T::RegularFile => filetype::REGULAR_FILE,
        T::Directory => filetype::DIRECTORY,
        T::Symlink => filetype::SYMBOLIC_LINK,
        T::CharacterDevice => filetype::CHARACTER_DEVICE,
        T::BlockDevice => filetype::BLOCK_DEVICE,
        T::Socket => filetype::SOCKET_STREAM,
        _ => filetype::UNKNOWN,
    }
}

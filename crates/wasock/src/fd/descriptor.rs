//! What an fd refers to: stdio, a file, a directory or a socket.

use crate::abi::types::{filetype, rights};
use crate::abi::{Errno, WasiResult};
use crate::net::Socket;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
}

impl Entry {
    /// An entry with explicit rights.
    pub fn new(desc: Descriptor, base: u64, inheriting: u64) -> Entry {
        Entry {
            desc,
            base: AtomicU64::new(base),
            inheriting: AtomicU64::new(inheriting),
        }
    }

    /// A stdio-like stream.
    pub fn stdio(fd: OwnedFd) -> Entry {
        Entry::new(Descriptor::Stdio(fd), rights::STDIO, 0)
    }

    /// A preopened directory.
    pub fn preopen(dir: cap_std::fs::Dir, name: String) -> Entry {
        Entry::new(
            Descriptor::Dir(DirDesc {
                dir,
                preopen: Some(name),
            }),
            rights::DIR,
            rights::DIR | rights::FILE,
        )
    }

    /// A socket (WAMR's socket rights, docs/socket-abi.md).
    pub fn new_socket(sock: Socket) -> Entry {
        Entry::new(
            Descriptor::Socket(Arc::new(sock)),
            rights::SOCKET,
            rights::SOCKET_INHERITING,
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
        match &self.desc {
            Descriptor::Dir(_) => filetype::DIRECTORY,
            Descriptor::Socket(s) => s.filetype(),
            Descriptor::Stdio(_) | Descriptor::File(_) => match rustix::fs::fstat(self.as_fd()) {
                Ok(st) => filetype_of_mode(st.st_mode),
                Err(_) => filetype::UNKNOWN,
            },
        }
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

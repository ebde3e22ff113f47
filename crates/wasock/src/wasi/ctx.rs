//! The per-instance WASI state shared by all of its threads, and the per-store host data.

use crate::abi::Errno;
use crate::fd::{Entry, FdTable};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use wasmtime::{Memory, SharedMemory};

/// Where a guest's stdin/stdout/stderr come from.
#[derive(Debug, Default)]
pub enum StdioSource {
    /// The host process's own stream (duplicated, so the guest closing it is harmless).
    #[default]
    Inherit,
    /// `/dev/null`.
    Null,
    /// A file or pipe supplied by the embedder.
    Fd(OwnedFd),
}

impl StdioSource {
    pub(crate) fn open(self, host_fd: i32) -> std::io::Result<OwnedFd> {
        match self {
            StdioSource::Inherit => {
                // SAFETY: 0/1/2 are open for the life of the process (or the dup fails cleanly).
                let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(host_fd) };
                Ok(rustix::io::fcntl_dupfd_cloexec(fd, 3)?)
            }
            StdioSource::Null => Ok(std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/null")?
                .into()),
            StdioSource::Fd(fd) => Ok(fd),
        }
    }
}

/// Everything the WASI functions of one instance share: args, environment, fds, policy.
pub struct WasiCtx {
    /// `argv`, each without its NUL.
    pub args: Vec<Vec<u8>>,
    /// `KEY=VALUE` strings.
    pub env: Vec<Vec<u8>>,
    /// The one fd table (files, directories, stdio and sockets).
    pub fds: FdTable,
    /// The network capability policy.
    pub policy: crate::policy::Policy,
    /// Prints each distinct denial once.
    pub denials: crate::trace::DenialLog,
    /// `--trace-net` logging.
    pub trace: crate::trace::NetTrace,
    /// DNS pins, the socket quota and the resolver's hosts file.
    pub net: crate::net::guard::NetState,
    /// `poll_oneoff` calls watching at least this many fds may use an epoll set.
    pub(crate) epoll_min_fds: usize,
}

impl WasiCtx {
    /// Inserts a new descriptor at the lowest free fd.
    pub fn push(&self, entry: Entry) -> Result<crate::fd::Fd, Errno> {
        self.fds.insert(entry)
    }
}

/// A guest's linear memory, plain or shared (wasi-threads).
#[derive(Clone)]
pub enum Mem {
    /// A memory owned by one instance.
    Plain(Memory),
    /// A memory shared by the instances of every thread.
    Shared(SharedMemory),
}

/// The data of one wasmtime `Store` (one per wasm thread).
pub struct Host {
    /// The shared WASI state.
    pub ctx: Arc<WasiCtx>,
    /// The memory host calls read and write, once known.
    pub memory: Option<Mem>,
    /// wasi-threads state, for modules with a shared memory.
    pub threads: Option<Arc<crate::threads::ThreadShared>>,
}

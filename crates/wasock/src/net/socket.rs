//! A guest socket: a host `socket2::Socket` plus what the ABI needs to know about it.

use crate::abi::types::filetype;
use std::os::fd::{AsFd, BorrowedFd};

/// A TCP or UDP socket owned by the guest.
#[derive(Debug)]
pub struct Socket {
    /// The host socket.
    pub inner: socket2::Socket,
    /// Whether it is a datagram socket.
    pub dgram: bool,
}

impl Socket {
    /// `SOCKET_DGRAM` or `SOCKET_STREAM`.
    pub fn filetype(&self) -> u8 {
        if self.dgram {
            filetype::SOCKET_DGRAM
        } else {
            filetype::SOCKET_STREAM
        }
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

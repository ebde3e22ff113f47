//! A guest socket: a host `socket2::Socket` plus what the ABI needs to know about it.

use super::guard::Permit;
use crate::abi::types::filetype;
use crate::policy::Proto;
use std::os::fd::{AsFd, BorrowedFd};

/// A TCP or UDP socket owned by the guest.
#[derive(Debug)]
pub struct Socket {
    /// The host socket.
    pub inner: socket2::Socket,
    /// Whether it is a datagram socket.
    pub dgram: bool,
    /// Its place in the instance's socket quota, held until the socket is dropped.
    _permit: Permit,
}

impl Socket {
    /// Wraps a host socket that holds a quota permit.
    pub(crate) fn new(inner: socket2::Socket, dgram: bool, permit: Permit) -> Socket {
        Socket {
            inner,
            dgram,
            _permit: permit,
        }
    }

    /// The protocol rules match it by.
    pub fn proto(&self) -> Proto {
        Proto::of_socket(self.dgram)
    }

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

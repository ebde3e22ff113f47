//! Readiness for many sockets at once, over `poll_oneoff` (what C's `poll()` compiles to).
//!
//! Enough for a single-threaded multi-client server: set sockets non-blocking, register each
//! with the interest you need, call [`poll`], act on what is ready. An async runtime would use
//! the same call as its reactor: one `poll` per turn with every pending socket's interest and
//! the next timer as the timeout, waking the tasks whose sockets became ready.

use crate::sys;
use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

/// One socket (or any fd) to watch.
#[derive(Debug, Clone, Copy)]
pub struct PollFd {
    /// The fd (`AsRawFd::as_raw_fd` of a socket).
    pub fd: RawFd,
    /// Wait until it is readable (or a listener has a connection).
    pub readable: bool,
    /// Wait until it is writable (or a non-blocking connect finished).
    pub writable: bool,
    /// Set by [`poll`].
    pub ready: Ready,
}

/// What [`poll`] found for one fd.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ready {
    /// Reading will not block.
    pub readable: bool,
    /// Writing will not block.
    pub writable: bool,
    /// The peer hung up.
    pub hangup: bool,
    /// Bytes available to read, when the runtime knows.
    pub nbytes: u64,
    /// An error the runtime reported for this fd.
    pub error: Option<u16>,
}

impl PollFd {
    /// Watches `fd` for readability.
    pub fn readable(fd: RawFd) -> PollFd {
        PollFd {
            fd,
            readable: true,
            writable: false,
            ready: Ready::default(),
        }
    }

    /// Watches `fd` for writability.
    pub fn writable(fd: RawFd) -> PollFd {
        PollFd {
            fd,
            readable: false,
            writable: true,
            ready: Ready::default(),
        }
    }
}

const CLOCK_USERDATA: u64 = u64::MAX;

/// Waits until at least one fd is ready or `timeout` passes (`None` waits forever); returns how
/// many fds are ready.
pub fn poll(fds: &mut [PollFd], timeout: Option<Duration>) -> io::Result<usize> {
    let mut subs: Vec<[u8; 48]> = Vec::new();
    for (i, p) in fds.iter_mut().enumerate() {
        p.ready = Ready::default();
        for (wanted, kind) in [(p.readable, 1u8), (p.writable, 2u8)] {
            if wanted {
                let mut s = [0u8; 48];
                s[0..8].copy_from_slice(&((i as u64) << 1 | u64::from(kind - 1)).to_le_bytes());
                s[8] = kind;
                s[16..20].copy_from_slice(&(p.fd as u32).to_le_bytes());
                subs.push(s);
            }
        }
    }
    if let Some(t) = timeout {
        let mut s = [0u8; 48];
        s[0..8].copy_from_slice(&CLOCK_USERDATA.to_le_bytes());
        s[8] = 0; // clock
        s[16..20].copy_from_slice(&1u32.to_le_bytes()); // monotonic
        s[24..32].copy_from_slice(
            &u64::try_from(t.as_nanos())
                .unwrap_or(u64::MAX)
                .to_le_bytes(),
        );
        subs.push(s);
    }
    if subs.is_empty() {
        return Ok(0);
    }
    let mut events = vec![[0u8; 32]; subs.len()];
    let mut n = 0u32;
    // SAFETY: `subs` and `events` hold `subs.len()` entries of the right sizes; `n` is valid.
    sys::cvt(unsafe {
        sys::poll_oneoff(
            subs.as_ptr(),
            events.as_mut_ptr(),
            subs.len() as u32,
            &mut n,
        )
    })?;
    let mut count = 0;
    for ev in &events[..n as usize] {
        let userdata = u64::from_le_bytes(ev[0..8].try_into().unwrap_or_default());
        if userdata == CLOCK_USERDATA {
            continue;
        }
        let Some(p) = fds.get_mut((userdata >> 1) as usize) else {
            continue;
        };
        let was_ready = p.ready != Ready::default();
        let error = u16::from_le_bytes([ev[8], ev[9]]);
        if error != 0 {
            p.ready.error = Some(error);
        } else if userdata & 1 == 0 {
            p.ready.readable = true;
            p.ready.nbytes = u64::from_le_bytes(ev[16..24].try_into().unwrap_or_default());
        } else {
            p.ready.writable = true;
        }
        p.ready.hangup |= u16::from_le_bytes([ev[24], ev[25]]) & 1 != 0;
        if !was_ready {
            count += 1;
        }
    }
    Ok(count)
}

//! `poll_oneoff`: clocks (relative and absolute) and fd readiness, waiting in the kernel
//! rather than spinning: in `poll(2)`, or for calls watching many fds in a kept epoll set
//! (`interest.rs`).

mod interest;

/// Calls watching at least this many fds may use a kept epoll set (bench/README.md); below it
/// poll(2) is cheap whatever is ready (a round number, not tuned).
pub const DEFAULT_EPOLL_MIN_FDS: usize = 16;

use super::{host_fn, WasiCtx};
use crate::abi::types::{
    clockid, eventtype, rights, Event, Subscription, EVENT_FD_READWRITE_HANGUP, EVENT_SIZE,
    SUBSCRIPTION_CLOCK_ABSTIME, SUBSCRIPTION_SIZE,
};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::fd::{Descriptor, Entry, Fd};
use crate::link::HostLinker;
use rustix::event::{PollFd, PollFlags};
use rustix::time::Timespec;
use smallvec::SmallVec;
use std::sync::Arc;

pub(crate) fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    host_fn!(linker, "poll_oneoff", poll_oneoff, subs: u32, events: u32, nsubs: u32, nevents: u32);
    Ok(())
}

/// An fd subscription that must go through the kernel.
pub(crate) struct Waiter {
    userdata: u64,
    kind: u8,
    entry: Arc<Entry>,
}

/// `poll_oneoff(in, out, nsubscriptions) -> nevents`.
pub fn poll_oneoff(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    subs: u32,
    events: u32,
    nsubs: u32,
    nevents: u32,
) -> WasiResult<()> {
    if nsubs == 0 {
        return Err(Errno::Inval);
    }
    let raw = mem.slice(
        subs,
        nsubs.checked_mul(SUBSCRIPTION_SIZE).ok_or(Errno::Fault)?,
    )?;
    // Validate the output array up front so a bad pointer fails before we block.
    mem.slice(events, nsubs * EVENT_SIZE)?;

    // Inline for the usual few subscriptions: a poll per read or write (a proxy's relay loop)
    // then allocates nothing.
    let mut ready: SmallVec<[Event; 4]> = SmallVec::with_capacity(nsubs.min(1024) as usize);
    let mut waiters: SmallVec<[Waiter; 4]> = SmallVec::with_capacity(nsubs.min(1024) as usize);
    // (userdata, deadline on the monotonic clock)
    let mut clocks: SmallVec<[(u64, u64); 2]> = SmallVec::new();
    let start = super::clock::now(clockid::MONOTONIC)?;

    // One read lock for every subscription's lookup (each lookup on its own cost two atomic
    // operations more per fd); released before the wait below.
    let table = cx.fds.reader();
    for chunk in raw.chunks_exact(SUBSCRIPTION_SIZE as usize) {
        let bytes: &[u8; 48] = chunk.try_into().map_err(|_| Errno::Fault)?;
        match Subscription::decode(bytes).ok_or(Errno::Inval)? {
            Subscription::Clock {
                userdata,
                id,
                timeout,
                flags,
                ..
            } => {
                let abstime = flags & SUBSCRIPTION_CLOCK_ABSTIME != 0;
                // A relative timeout on the monotonic clock needs no second reading of it.
                let now = match id {
                    clockid::MONOTONIC if !abstime => Ok(start),
                    id => super::clock::now(id),
                };
                let deadline = match now {
                    Err(e) => {
                        ready.push(event(userdata, eventtype::CLOCK, e));
                        continue;
                    }
                    Ok(now) if abstime => start.saturating_add(timeout.saturating_sub(now)),
                    Ok(_) => start.saturating_add(timeout),
                };
                clocks.push((userdata, deadline));
            }
            Subscription::FdRead { userdata, fd } | Subscription::FdWrite { userdata, fd } => {
                let kind = bytes[8];
                match table
                    .get(Fd(fd))
                    .and_then(|e| e.require(rights::POLL_FD_READWRITE).map(|()| e))
                {
                    Err(e) => ready.push(event(userdata, kind, e)),
                    // Files and directories never block (POSIX poll says they are always ready).
                    Ok(entry) if matches!(entry.desc, Descriptor::File(_) | Descriptor::Dir(_)) => {
                        let mut ev = event(userdata, kind, Errno::Success);
                        ev.nbytes = file_remaining(&entry);
                        ready.push(ev);
                    }
                    // A connection screening admitted earlier is ready without the kernel.
                    Ok(entry) if kind == eventtype::FD_READ && holds_screened(cx, &entry) => {
                        let mut ev = event(userdata, kind, Errno::Success);
                        ev.nbytes = 1;
                        ready.push(ev);
                    }
                    Ok(entry) => waiters.push(Waiter {
                        userdata,
                        kind,
                        entry,
                    }),
                }
            }
        }
    }

    drop(table);

    // `nbytes` costs an extra ioctl per ready fd. Only a call watching a single fd can use it —
    // that is how wasi-libc's ioctl(FIONREAD) asks — while poll()/select() over many fds ignore
    // it; measured: +30% requests/s for an HTTP server polling 1,000 connections (bench/).
    let exact_nbytes = waiters.len() == 1;
    let deadline = clocks.iter().map(|&(_, d)| d).min();
    let mut set = if waiters.len() >= cx.epoll_min_fds {
        interest::take()
    } else {
        None
    };
    let mut use_set = set
        .as_mut()
        .is_some_and(|s| s.sparse() && s.prepare(&waiters));
    // The first wait counts from `start`, read just above; a wait repeated (EINTR, a stale
    // epoll set) reads the clock again.
    let mut now = Some(start);
    loop {
        let timeout = if !ready.is_empty() {
            Some(0)
        } else {
            deadline.map(|d| {
                let now = now
                    .take()
                    .unwrap_or_else(|| super::clock::now(clockid::MONOTONIC).unwrap_or(d));
                d.saturating_sub(now)
            })
        };
        now = None;
        let ts = timeout.map(|ns| Timespec {
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        });
        match set.as_mut().filter(|_| use_set) {
            Some(s) => {
                let found = s.wait(ts.as_ref(), |i, rev| {
                    if admitted(cx, &waiters[i], rev) {
                        ready.push(fd_event(&waiters[i], rev, exact_nbytes));
                    }
                })?;
                if let interest::Waited::Stale = found {
                    use_set = false;
                    continue;
                }
            }
            None => {
                let mut pfds: SmallVec<[PollFd<'_>; 4]> = waiters
                    .iter()
                    .map(|w| {
                        let flags = if w.kind == eventtype::FD_READ {
                            PollFlags::IN
                        } else {
                            PollFlags::OUT
                        };
                        PollFd::from_borrowed_fd(w.entry.as_fd(), flags)
                    })
                    .collect();
                match rustix::event::poll(&mut pfds, ts.as_ref()) {
                    Ok(_) => {}
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(e) => return Err(e.into()),
                }
                for (w, p) in waiters.iter().zip(&pfds) {
                    if !p.revents().is_empty() && admitted(cx, w, p.revents()) {
                        ready.push(fd_event(w, p.revents(), exact_nbytes));
                    }
                }
            }
        }
        if ready.is_empty() {
            let now = super::clock::now(clockid::MONOTONIC)?;
            for &(userdata, d) in &clocks {
                if d <= now {
                    ready.push(event(userdata, eventtype::CLOCK, Errno::Success));
                }
            }
        }
        if !ready.is_empty() || (waiters.is_empty() && clocks.is_empty()) {
            break;
        }
    }

    if let Some(mut s) = set {
        s.observe(waiters.len(), ready.len());
        interest::give(s);
    }
    for (i, ev) in ready.iter().enumerate() {
        mem.write(events + i as u32 * EVENT_SIZE, &ev.encode())?;
    }
    mem.write_u32(nevents, ready.len() as u32)
}

/// Whether a socket subscription holds a connection screening kept for `sock_accept` (only
/// listeners are locked to look).
fn holds_screened(cx: &WasiCtx, entry: &Entry) -> bool {
    matches!(&entry.desc, Descriptor::Socket(s)
        if !s.dgram && !cx.net.inbound_open(false) && s.is_listening() && s.screened().is_some())
}

/// Whether a read-ready fd holds something the guest may have: a listener or datagram socket
/// whose peers the policy screens is screened first (refused input is taken off it, see
/// `net::sock::screen`). Everything else is as the kernel says, with no extra syscall.
fn admitted(cx: &WasiCtx, w: &Waiter, rev: PollFlags) -> bool {
    // A pending error is the guest's to read (screening would consume it).
    if w.kind != eventtype::FD_READ || rev.intersects(PollFlags::ERR | PollFlags::NVAL) {
        return true;
    }
    match &w.entry.desc {
        Descriptor::Socket(s) if !cx.net.inbound_open(s.dgram) => crate::net::sock::screen(cx, s),
        _ => true,
    }
}

/// The event of a ready fd subscription, from what poll(2) (or epoll) reported for it.
///
/// A pending socket error (`POLLERR`: a reset, an ICMP report) is readiness with no event
/// error, as poll(2) has it: the next `recv`/`send` returns the error (`ECONNRESET`, `EPIPE`,
/// `ECONNREFUSED`). An event error would fail the whole poll in event loops (mio, tokio).
fn fd_event(w: &Waiter, rev: PollFlags, exact_nbytes: bool) -> Event {
    let mut ev = event(w.userdata, w.kind, Errno::Success);
    if rev.contains(PollFlags::NVAL) {
        ev.error = Errno::Badf as u16;
    }
    if rev.contains(PollFlags::HUP) {
        ev.flags |= EVENT_FD_READWRITE_HANGUP;
    }
    if w.kind == eventtype::FD_READ {
        if let Descriptor::Socket(s) = &w.entry.desc {
            s.clear_drained();
        }
        ev.nbytes = if exact_nbytes {
            match &w.entry.desc {
                // FIONREAD is EINVAL on a listener: spare the syscall, which a select() loop
                // waiting on its listener alone would pay per connection.
                Descriptor::Socket(s) if s.is_listening() => 0,
                _ => rustix::io::ioctl_fionread(w.entry.as_fd()).unwrap_or(0),
            }
        } else {
            // A lower bound: at least one byte (or EOF) is there.
            u64::from(!rev.contains(PollFlags::HUP) || rev.contains(PollFlags::IN))
        };
    }
    ev
}

fn event(userdata: u64, kind: u8, err: Errno) -> Event {
    Event {
        userdata,
        error: err as u16,
        kind,
        nbytes: 0,
        flags: 0,
    }
}

/// Bytes between a file's offset and its end (what `FIONREAD` would say).
fn file_remaining(e: &Entry) -> u64 {
    let size = rustix::fs::fstat(e.as_fd())
        .map(|s| s.st_size as u64)
        .unwrap_or(0);
    let pos = rustix::fs::seek(e.as_fd(), rustix::fs::SeekFrom::Current(0)).unwrap_or(0);
    size.saturating_sub(pos)
}

//! A kept epoll set for `poll_oneoff` calls that watch many fds.
//!
//! `poll(2)` hands the kernel every fd on every call, and the kernel asks each one whether it
//! is ready, so an event loop over thousands of connections pays for all of them on every call.
//! An [`Interest`] keeps an epoll set in step with the calls' subscriptions instead: a call
//! whose set barely changed costs one `epoll_ctl` per change and one `epoll_wait`, whose cost
//! follows the ready fds. A call whose set changed a lot is better served by `poll(2)`, and
//! [`Interest::prepare`] says so.
//!
//! Kept state must never report a wrong fd. Each slot remembers which entry it registered (by a
//! `Weak`, so the fd's owner can still close it), and each registration carries a generation in
//! its event data. An event that matches no wanted, current registration (an fd closed while
//! registered can stay in the set when its file is still open elsewhere) discards the whole set;
//! the call then polls, and later calls build a fresh set.
//!
//! Each thread keeps its own set ([`take`] / [`give`]), so threads polling at once never share
//! one, and a thread finds the set it last synced. Host fd numbers and entries are process-wide,
//! so one set serves every instance a thread runs.

use super::Waiter;
use crate::abi::types::eventtype;
use crate::fd::Entry;
use rustix::event::epoll::{self, EventData, EventFlags};
use rustix::event::PollFlags;
use rustix::time::Timespec;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Weak};

/// The end of a slot's list of waiters.
const NONE: u32 = u32::MAX;

/// A call whose changes are at most this fraction (1/N) of its fds syncs the set.
const SYNC_FRACTION: usize = 4;

/// `density`'s fixed-point one.
const ONE: u32 = 1 << 16;

/// When recent calls found more than this fraction (of `ONE`) of their fds ready, the set is
/// left for poll(2): when most fds are ready at every call, poll(2) does no more work than
/// epoll and epoll's bookkeeping is extra (bench/README.md: with 48 of 50 fds ready per call,
/// an epoll set for every call measured 0.94x native, poll(2) 1.00x).
const DENSE: u32 = ONE / 2;

/// ... and taken up again below this. The gap matters: the same load finds more fds ready per
/// call when it polls (bench/README.md: 1,000 busy connections, 12% ready per call with
/// poll(2), 30% with epoll), and one threshold made the set flap between the two.
const SPARSE: u32 = ONE / 4;

/// The state of one host fd number.
struct Slot {
    /// The entry whose fd is registered. A `Weak` keeps the allocation, so no other entry can
    /// take its address while the slot holds it.
    owner: Weak<Entry>,
    /// The registered events (empty when not in the set).
    registered: EventFlags,
    /// Bumped at each registration; the upper half of the event data.
    gen: u32,
    /// epoll refused the fd (a regular file, `/dev/null`): always ready, as `poll(2)` says.
    always_ready: bool,
    /// The call that last watched this fd.
    epoch: u64,
    /// That call's events for it.
    want: EventFlags,
    /// That call's first waiter on it (the rest follow `Interest::next`).
    first: u32,
}

impl Default for Slot {
    fn default() -> Self {
        Slot {
            owner: Weak::new(),
            registered: EventFlags::empty(),
            gen: 0,
            always_ready: false,
            epoch: 0,
            want: EventFlags::empty(),
            first: NONE,
        }
    }
}

impl Slot {
    fn owned_by(&self, entry: &Arc<Entry>) -> bool {
        std::ptr::eq(self.owner.as_ptr(), Arc::as_ptr(entry))
    }
}

/// An epoll set and what is registered in it.
pub(crate) struct Interest {
    epoll: OwnedFd,
    /// Indexed by host fd number.
    slots: Vec<Slot>,
    /// The host fds in the set.
    live: Vec<u32>,
    /// The host fds the current call watches.
    touched: Vec<u32>,
    /// Those of them epoll refused, which are always ready.
    always: Vec<u32>,
    /// Per waiter of the current call: the next waiter on the same fd, and its direction
    /// (`IN` or `OUT`).
    next: Vec<(u32, PollFlags)>,
    epoch: u64,
    /// The fingerprint of the last call that polled because its set had changed too much: the
    /// same set twice in a row is worth registering.
    last_skipped: u64,
    /// The fraction of watched fds found ready, averaged over recent calls (of `ONE`).
    density: u32,
    /// Whether calls use the set (else poll(2)), by `density` between `SPARSE` and `DENSE`.
    sparse: bool,
    /// No new epoll instance could be made after a reset: the old one may hold stale entries.
    broken: bool,
}

/// The outcome of [`Interest::wait`].
pub(crate) enum Waited {
    /// The wait ended (ready fds were reported, or it timed out or was interrupted).
    Done,
    /// A stale registration fired and the set was discarded; poll this call instead.
    Stale,
}

impl Interest {
    /// An empty set.
    pub(crate) fn new() -> rustix::io::Result<Self> {
        Ok(Interest {
            epoll: epoll::create(epoll::CreateFlags::CLOEXEC)?,
            slots: Vec::new(),
            live: Vec::new(),
            touched: Vec::new(),
            always: Vec::new(),
            next: Vec::new(),
            epoch: 0,
            last_skipped: 0,
            density: 0,
            sparse: true,
            broken: false,
        })
    }

    /// Whether recent calls found few enough of their fds ready for epoll to pay.
    pub(crate) fn sparse(&self) -> bool {
        self.sparse
    }

    /// Records how many of a call's `watched` fds were `ready`. Going dense empties the set,
    /// so the kernel stops queueing events for it.
    pub(crate) fn observe(&mut self, watched: usize, ready: usize) {
        let now = (ready.min(watched) as u64 * u64::from(ONE) / watched.max(1) as u64) as u32;
        // An average over about the last eight calls.
        self.density = self.density - self.density / 8 + now / 8;
        if self.sparse && self.density > DENSE {
            self.go_dense();
        } else if !self.sparse && self.density < SPARSE {
            self.sparse = true;
        }
    }

    /// Leaves the set for poll(2), emptied, until calls find few fds ready again.
    fn go_dense(&mut self) {
        self.sparse = false;
        if !self.live.is_empty() {
            self.reset();
        }
    }

    /// Brings the set in step with `waiters`. False when the set changed too much for that to
    /// pay (or the kernel refused a change): the caller polls instead.
    pub(crate) fn prepare(&mut self, waiters: &[Waiter]) -> bool {
        self.epoch += 1;
        self.touched.clear();
        self.always.clear();
        self.next.clear();
        let mut print = waiters.len() as u64;
        for (i, w) in waiters.iter().enumerate() {
            let fd = w.entry.as_fd().as_raw_fd() as u32;
            let idx = fd as usize;
            if idx >= self.slots.len() {
                self.slots.resize_with(idx + 1, Slot::default);
            }
            let read = w.kind == eventtype::FD_READ;
            print = print.wrapping_add(mix(u64::from(fd) << 1 | u64::from(read)));
            let s = &mut self.slots[idx];
            if s.epoch != self.epoch {
                s.epoch = self.epoch;
                s.want = EventFlags::empty();
                s.first = NONE;
                self.touched.push(fd);
            } else if !std::ptr::eq(Arc::as_ptr(&waiters[s.first as usize].entry), &*w.entry) {
                // Two live entries with one host fd cannot happen; do not guess.
                return false;
            }
            let (want, dir) = if read {
                (EventFlags::IN, PollFlags::IN)
            } else {
                (EventFlags::OUT, PollFlags::OUT)
            };
            s.want |= want;
            self.next.push((s.first, dir));
            s.first = i as u32;
        }

        let current = |s: &Slot, w: &Waiter| {
            s.owned_by(&w.entry) && (s.always_ready || s.registered == s.want)
        };
        let mut changes = 0;
        for &fd in &self.touched {
            let s = &self.slots[fd as usize];
            changes += usize::from(!current(s, &waiters[s.first as usize]));
        }
        for &fd in &self.live {
            changes += usize::from(self.slots[fd as usize].epoch != self.epoch);
        }
        if changes * SYNC_FRACTION > self.touched.len() && print != self.last_skipped {
            self.last_skipped = print;
            return false;
        }

        // Drop what this call does not watch.
        for &fd in &self.live {
            let s = &mut self.slots[fd as usize];
            if s.epoch == self.epoch {
                continue;
            }
            if let Some(entry) = s.owner.upgrade() {
                // A failure means the fd is already out of the set.
                let _ = epoll::delete(&self.epoll, entry.as_fd());
            }
            // An owner already gone closed its fd, which took it out of the set (or, when its
            // file is open elsewhere, its next event is recognised as stale).
            s.registered = EventFlags::empty();
            s.owner = Weak::new();
        }
        self.live.clear();
        for &fd in &self.touched {
            let s = &mut self.slots[fd as usize];
            let entry = &waiters[s.first as usize].entry;
            if !current(s, &waiters[s.first as usize]) && !self::register(&self.epoll, s, entry, fd)
            {
                self.reset();
                // Refused (the watch limit, memory): poll for a while, as if every fd had been
                // ready, rather than retrying every fd at every call.
                self.density = ONE;
                self.go_dense();
                return false;
            }
            if !s.registered.is_empty() {
                self.live.push(fd);
            } else if s.always_ready {
                self.always.push(fd);
            }
        }
        true
    }

    /// Waits for the fds [`prepare`](Self::prepare) registered, reporting each ready waiter
    /// (its index in the prepared slice) with the events `poll(2)` would give it.
    pub(crate) fn wait(
        &mut self,
        timeout: Option<&Timespec>,
        mut ready: impl FnMut(usize, PollFlags),
    ) -> rustix::io::Result<Waited> {
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let capped = timeout.map(capped);
        let timeout = if !self.always.is_empty() {
            Some(&zero)
        } else {
            capped.as_ref()
        };
        // Allocated per call: `epoll::Event` holds a pointer-sized union, which is not `Send`.
        let mut events = Vec::with_capacity(self.live.len().max(1));
        match epoll::wait(
            &self.epoll,
            rustix::buffer::spare_capacity(&mut events),
            timeout,
        ) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(Waited::Done),
            Err(e) => return Err(e),
        }
        let stale = events.iter().any(|ev| {
            let d = ev.data.u64();
            let s = self.slots.get(d as u32 as usize);
            !s.is_some_and(|s| {
                s.epoch == self.epoch && s.gen == (d >> 32) as u32 && !s.registered.is_empty()
            })
        });
        if stale {
            self.reset();
            return Ok(Waited::Stale);
        }
        for &fd in &self.always {
            let s = &self.slots[fd as usize];
            self.each_waiter(s.first, EventFlags::IN | EventFlags::OUT, &mut ready);
        }
        for ev in &events {
            let s = &self.slots[ev.data.u64() as u32 as usize];
            self.each_waiter(s.first, ev.flags, &mut ready);
        }
        Ok(Waited::Done)
    }

    fn each_waiter(&self, first: u32, flags: EventFlags, ready: &mut impl FnMut(usize, PollFlags)) {
        let rev = to_poll(flags);
        let mut i = first;
        while i != NONE {
            let (next, dir) = self.next[i as usize];
            // Each waiter asked for one direction; errors and hang-ups reach both, as in poll(2).
            let mine = dir | PollFlags::ERR | PollFlags::HUP;
            if rev.intersects(mine) {
                ready(i as usize, rev & mine);
            }
            i = next;
        }
    }

    /// Throws the set away (a new epoll instance) after a stale event or a refused change.
    fn reset(&mut self) {
        match epoll::create(epoll::CreateFlags::CLOEXEC) {
            Ok(fresh) => self.epoll = fresh,
            Err(_) => self.broken = true,
        }
        for s in &mut self.slots {
            s.registered = EventFlags::empty();
            s.owner = Weak::new();
            s.always_ready = false;
        }
        self.live.clear();
        self.always.clear();
    }
}

/// Registers (or re-registers) `entry` at slot `s` for `s.want`; false when the kernel refused.
fn register(epoll: &OwnedFd, s: &mut Slot, entry: &Arc<Entry>, fd: u32) -> bool {
    if s.owned_by(entry) && !s.registered.is_empty() {
        if epoll::modify(epoll, entry.as_fd(), data(s.gen, fd), s.want).is_err() {
            return false;
        }
    } else {
        s.owner = Arc::downgrade(entry);
        s.gen = s.gen.wrapping_add(1);
        s.always_ready = false;
        s.registered = EventFlags::empty();
        match epoll::add(epoll, entry.as_fd(), data(s.gen, fd), s.want) {
            Ok(()) => {}
            // Files without a poll method, which poll(2) calls always ready.
            Err(rustix::io::Errno::PERM) => {
                s.always_ready = true;
                return true;
            }
            Err(_) => return false,
        }
    }
    s.registered = s.want;
    true
}

/// A timeout `epoll_wait` takes on every kernel and backend: an int of milliseconds (longer
/// needs `epoll_pwait2`, Linux 5.11, or is EINVAL); the caller waits again until its deadline,
/// as after a signal.
fn capped(t: &Timespec) -> Timespec {
    let most = i64::from(i32::MAX / 1000);
    if t.tv_sec >= most {
        Timespec {
            tv_sec: most,
            tv_nsec: 0,
        }
    } else {
        *t
    }
}

/// The event data of a registration: its generation and host fd.
fn data(gen: u32, fd: u32) -> EventData {
    EventData::new_u64(u64::from(gen) << 32 | u64::from(fd))
}

/// epoll's event bits as poll(2)'s (the kernel reports the same conditions for both).
fn to_poll(f: EventFlags) -> PollFlags {
    let mut p = PollFlags::empty();
    for (e, q) in [
        (EventFlags::IN, PollFlags::IN),
        (EventFlags::OUT, PollFlags::OUT),
        (EventFlags::ERR, PollFlags::ERR),
        (EventFlags::HUP, PollFlags::HUP),
    ] {
        if f.contains(e) {
            p |= q;
        }
    }
    p
}

/// A 64-bit mixer (splitmix64's finaliser), so a set's fingerprint is an order-free sum.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

thread_local! {
    /// This thread's set, between calls.
    static SET: std::cell::Cell<Option<Interest>> = const { std::cell::Cell::new(None) };
}

/// This thread's set, or a new one (None if the kernel will not make one: the call polls).
pub(crate) fn take() -> Option<Interest> {
    // try_with: never a panic, even from a thread whose locals are being destroyed.
    SET.try_with(std::cell::Cell::take)
        .ok()
        .flatten()
        .or_else(|| Interest::new().ok())
}

/// Keeps a set for this thread's next call (a broken one is closed).
pub(crate) fn give(set: Interest) {
    if !set.broken {
        let _ = SET.try_with(|c| c.set(Some(set)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::net::UnixStream;

    /// A waiter on our end of a fresh socket pair, and the peer end.
    fn pair(kind: u8) -> (Waiter, UnixStream) {
        let (ours, peer) = UnixStream::pair().unwrap();
        (waiter(Arc::new(Entry::stdio(ours.into())), kind), peer)
    }

    fn waiter(entry: Arc<Entry>, kind: u8) -> Waiter {
        Waiter {
            userdata: 0,
            kind,
            entry,
        }
    }

    fn pairs(n: usize) -> (Vec<Waiter>, Vec<UnixStream>) {
        (0..n).map(|_| pair(eventtype::FD_READ)).unzip()
    }

    /// Prepares twice (a new set is first polled, then registered) and insists on the set.
    fn registered(set: &mut Interest, w: &[Waiter]) {
        if !set.prepare(w) {
            assert!(set.prepare(w), "the same set twice must be registered");
        }
    }

    /// Waits without blocking; the ready waiters and their events, sorted.
    fn ready_now(set: &mut Interest) -> Vec<(usize, PollFlags)> {
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let mut got = Vec::new();
        match set.wait(Some(&zero), |i, rev| got.push((i, rev))).unwrap() {
            Waited::Done => {}
            Waited::Stale => panic!("unexpected stale event"),
        }
        got.sort_by_key(|&(i, _)| i);
        got
    }

    #[test]
    fn a_new_set_is_polled_once_then_registered() {
        let (w, mut peers) = pairs(20);
        let mut set = Interest::new().unwrap();
        assert!(!set.prepare(&w), "20 new fds: poll(2) this time");
        assert!(set.prepare(&w), "the same set again: registered");
        assert_eq!(set.live.len(), 20);
        assert_eq!(ready_now(&mut set), []);
        peers[3].write_all(b"x").unwrap();
        peers[17].write_all(b"y").unwrap();
        assert_eq!(
            ready_now(&mut set),
            [(3, PollFlags::IN), (17, PollFlags::IN)]
        );
        // Unchanged: nothing to tell the kernel, and the events are still there (level).
        assert!(set.prepare(&w));
        assert_eq!(ready_now(&mut set).len(), 2);
    }

    #[test]
    fn a_small_change_is_synced_and_a_large_one_polled() {
        let (mut w, _peers) = pairs(20);
        let mut set = Interest::new().unwrap();
        registered(&mut set, &w);
        let (extra, mut extra_peer) = pair(eventtype::FD_READ);
        w[0] = extra; // one of twenty changed
        assert!(set.prepare(&w));
        extra_peer.write_all(b"x").unwrap();
        assert_eq!(ready_now(&mut set), [(0, PollFlags::IN)]);
        for x in &mut w {
            x.kind = eventtype::FD_WRITE; // every interest changed
        }
        assert!(!set.prepare(&w));
    }

    #[test]
    fn fds_a_call_does_not_watch_leave_the_set() {
        let (w, mut peers) = pairs(40);
        let mut set = Interest::new().unwrap();
        registered(&mut set, &w);
        registered(&mut set, &w[..30]);
        assert_eq!(set.live.len(), 30);
        // Ready but unwatched: a registration left behind would fire (and read as stale).
        for p in &mut peers[30..] {
            p.write_all(b"x").unwrap();
        }
        assert_eq!(ready_now(&mut set), []);
    }

    #[test]
    fn read_and_write_on_one_fd_each_get_their_own_events() {
        let (mut w, mut peers) = pairs(20);
        let mut set = Interest::new().unwrap();
        let both = w[5].entry.clone();
        w.push(waiter(both, eventtype::FD_WRITE));
        registered(&mut set, &w);
        // A connected socket is writable: only the write waiter (index 20) is ready.
        assert_eq!(ready_now(&mut set), [(20, PollFlags::OUT)]);
        peers[5].write_all(b"x").unwrap();
        assert_eq!(
            ready_now(&mut set),
            [(5, PollFlags::IN), (20, PollFlags::OUT)]
        );
        drop(peers.remove(5)); // the peer hangs up
        let got = ready_now(&mut set);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|&(_, rev)| rev.contains(PollFlags::HUP)));
    }

    /// Takes a waiter's fd back out of its entry (which must be the only strong reference).
    fn into_fd(w: Waiter) -> OwnedFd {
        match Arc::try_unwrap(w.entry).map(|e| e.desc) {
            Ok(crate::fd::Descriptor::Stdio(fd)) => fd,
            _ => panic!("not a sole stdio entry"),
        }
    }

    #[test]
    fn a_new_entry_on_a_reused_fd_number_is_registered_again() {
        let (mut w, _peers) = pairs(20);
        let mut set = Interest::new().unwrap();
        registered(&mut set, &w);
        // The guest closes fd 7 and gets a new socket on the same host fd number. dup2 does
        // that atomically (the kernel drops the old file from the set).
        let mut fd = into_fd(w.remove(7));
        let number = fd.as_raw_fd();
        let (fresh, mut fresh_peer) = UnixStream::pair().unwrap();
        rustix::io::dup2(&fresh, &mut fd).unwrap();
        w.insert(7, waiter(Arc::new(Entry::stdio(fd)), eventtype::FD_READ));
        assert_eq!(w[7].entry.as_fd().as_raw_fd(), number);
        // Same fds, same interest: only the entry's identity tells the fd needs registering.
        assert!(set.prepare(&w));
        fresh_peer.write_all(b"x").unwrap();
        assert_eq!(ready_now(&mut set), [(7, PollFlags::IN)]);
    }

    #[test]
    fn a_registration_outliving_its_entry_discards_the_set() {
        let (mut w, mut peers) = pairs(20);
        let mut set = Interest::new().unwrap();
        registered(&mut set, &w);
        // fd 7's file stays open through a duplicate, so its registration stays in the set
        // after the entry is gone and the fd number holds another file.
        let mut fd = into_fd(w.remove(7));
        let _dup = rustix::io::dup(&fd).unwrap();
        let (fresh, _fresh_peer) = UnixStream::pair().unwrap();
        rustix::io::dup2(&fresh, &mut fd).unwrap();
        w.insert(7, waiter(Arc::new(Entry::stdio(fd)), eventtype::FD_READ));
        assert!(set.prepare(&w));
        peers[7].write_all(b"x").unwrap(); // the old file becomes ready
        let zero = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let waited = set
            .wait(Some(&zero), |i, _| panic!("waiter {i} reported"))
            .unwrap();
        assert!(matches!(waited, Waited::Stale));
        // A fresh set: the call after next registers everything again, without the stale one.
        assert!(set.live.is_empty());
        registered(&mut set, &w);
        assert_eq!(ready_now(&mut set), []);
    }

    #[test]
    fn a_file_epoll_refuses_is_always_ready() {
        let (mut w, _peers) = pairs(20);
        let file = tempfile_fd();
        w.push(waiter(Arc::new(Entry::stdio(file)), eventtype::FD_READ));
        let mut set = Interest::new().unwrap();
        registered(&mut set, &w);
        assert_eq!(ready_now(&mut set), [(20, PollFlags::IN)]);
        assert!(set.prepare(&w), "an always-ready fd needs no change either");
    }

    #[test]
    fn timeouts_are_capped_to_what_epoll_wait_takes() {
        // As rustix rounds: up to the next millisecond.
        let ms = |t: Timespec| {
            i128::from(t.tv_sec) * 1000 + (i128::from(t.tv_nsec) + 999_999) / 1_000_000
        };
        for secs in [0, 1, 2_147_482, 2_147_483, 2_147_484, 1 << 40, i64::MAX] {
            let t = Timespec {
                tv_sec: secs,
                tv_nsec: 999_999_999,
            };
            let c = capped(&t);
            assert!(ms(c) <= i128::from(i32::MAX), "{secs} s -> {} ms", ms(c));
            assert!(
                ms(c) >= ms(t).min(2_147_482_000),
                "{secs} s waits less than it may"
            );
        }
    }

    #[test]
    fn a_refused_registration_backs_off() {
        let (w, _peers) = pairs(20);
        let mut set = Interest::new().unwrap();
        registered(&mut set, &w);
        // A closed epoll fd refuses every change, like a full watch limit.
        set.epoll = rustix::fs::open(
            "/dev/null",
            rustix::fs::OFlags::RDONLY,
            rustix::fs::Mode::empty(),
        )
        .unwrap();
        let (extra, _p) = pair(eventtype::FD_READ);
        let mut w2 = w;
        w2[0] = extra;
        assert!(!set.prepare(&w2));
        assert!(!set.sparse(), "no retry at the next call");
        assert!(set.live.is_empty());
    }

    #[test]
    fn sets_with_most_fds_ready_go_back_to_poll() {
        let (w, _peers) = pairs(20);
        let mut set = Interest::new().unwrap();
        registered(&mut set, &w);
        set.observe(20, 1);
        assert!(set.sparse());
        for _ in 0..4 {
            set.observe(20, 10);
        }
        assert!(
            set.sparse(),
            "half the fds ready: not past the threshold yet"
        );
        for _ in 0..8 {
            set.observe(20, 20);
        }
        assert!(!set.sparse(), "every fd ready at every call");
        assert!(set.live.is_empty(), "a dense set is emptied");
        for _ in 0..3 {
            set.observe(20, 8);
        }
        assert!(
            !set.sparse(),
            "40% ready: between the thresholds, so still dense"
        );
        for _ in 0..16 {
            set.observe(20, 0);
        }
        assert!(set.sparse(), "idle again");
    }

    fn tempfile_fd() -> OwnedFd {
        let path = std::env::temp_dir().join(format!("wasock-interest-{}", std::process::id()));
        let f = std::fs::File::create(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        f.into()
    }
}

//! The fd table shared by every thread of an instance, and the descriptors it holds.
//!
//! Lookups hand out `Arc<Entry>` and release the lock at once, so a blocking call on one fd
//! (accept, recv, poll) never stalls another thread's use of the table.

mod descriptor;

pub use descriptor::{filetype_of_mode, filetype_of_type, Descriptor, DirDesc, Entry};

use crate::abi::{Errno, WasiResult};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A guest file descriptor number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fd(pub u32);

impl std::fmt::Display for Fd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A read-locked view of the table, from [`FdTable::reader`]; the table's writers wait while
/// one is alive, so it must not outlive a non-blocking batch of look-ups.
pub struct FdReader<'a>(RwLockReadGuard<'a, Vec<Option<Arc<Entry>>>>);

impl FdReader<'_> {
    /// Looks an fd up (`EBADF` when closed or never opened).
    pub fn get(&self, fd: Fd) -> WasiResult<Arc<Entry>> {
        self.0
            .get(fd.0 as usize)
            .and_then(Clone::clone)
            .ok_or(Errno::Badf)
    }
}

/// The guest's fd table: the lowest free number is allocated first (POSIX, unlike WAMR).
pub struct FdTable {
    slots: RwLock<Vec<Option<Arc<Entry>>>>,
    max: usize,
}

impl FdTable {
    /// An empty table that refuses more than `max` open fds with `EMFILE`.
    pub fn new(max: usize) -> Self {
        FdTable {
            slots: RwLock::new(Vec::new()),
            max,
        }
    }

    // A panic while holding the lock cannot leave the Vec inconsistent, so poison is ignored.
    fn read(&self) -> RwLockReadGuard<'_, Vec<Option<Arc<Entry>>>> {
        self.slots.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Vec<Option<Arc<Entry>>>> {
        self.slots.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Inserts at the lowest free fd.
    pub fn insert(&self, entry: Entry) -> WasiResult<Fd> {
        let mut slots = self.write();
        let idx = match slots.iter().position(Option::is_none) {
            Some(i) => i,
            None if slots.len() < self.max => {
                slots.push(None);
                slots.len() - 1
            }
            None => return Err(Errno::Mfile),
        };
        slots[idx] = Some(Arc::new(entry));
        Ok(Fd(idx as u32))
    }

    /// Looks an fd up (`EBADF` when closed or never opened).
    pub fn get(&self, fd: Fd) -> WasiResult<Arc<Entry>> {
        self.reader().get(fd)
    }

    /// One read lock for many look-ups (`poll_oneoff`'s subscriptions): dropped before any
    /// blocking call, like every lookup.
    pub fn reader(&self) -> FdReader<'_> {
        FdReader(self.read())
    }

    /// Removes an fd; the host object closes when the last in-flight user drops it.
    pub fn remove(&self, fd: Fd) -> WasiResult<Arc<Entry>> {
        let mut slots = self.write();
        let entry = slots
            .get_mut(fd.0 as usize)
            .and_then(Option::take)
            .ok_or(Errno::Badf)?;
        while matches!(slots.last(), Some(None)) {
            slots.pop();
        }
        Ok(entry)
    }

    /// `fd_renumber`: moves `from` onto `to`, closing what `to` held.
    pub fn renumber(&self, from: Fd, to: Fd) -> WasiResult<()> {
        let mut slots = self.write();
        let (f, t) = (from.0 as usize, to.0 as usize);
        if slots.get(f).and_then(Option::as_ref).is_none()
            || slots.get(t).and_then(Option::as_ref).is_none()
        {
            return Err(Errno::Badf);
        }
        if f != t {
            let entry = slots[f].take();
            slots[t] = entry;
        }
        Ok(())
    }

    /// Number of open fds.
    pub fn len(&self) -> usize {
        self.read().iter().filter(|s| s.is_some()).count()
    }

    /// Whether no fd is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn null_entry() -> Entry {
        Entry::stdio(null_entry_fd())
    }

    #[test]
    fn lowest_free_fd_first() {
        let t = FdTable::new(16);
        for i in 0..4 {
            assert_eq!(t.insert(null_entry()).unwrap(), Fd(i));
        }
        t.remove(Fd(1)).unwrap();
        assert_eq!(t.insert(null_entry()).unwrap(), Fd(1));
        assert_eq!(t.get(Fd(9)).unwrap_err(), Errno::Badf);
        assert_eq!(t.remove(Fd(9)).unwrap_err(), Errno::Badf);
    }

    #[test]
    fn limit_and_renumber() {
        let t = FdTable::new(2);
        t.insert(null_entry()).unwrap();
        t.insert(null_entry()).unwrap();
        assert_eq!(t.insert(null_entry()).unwrap_err(), Errno::Mfile);
        t.renumber(Fd(0), Fd(1)).unwrap();
        assert_eq!(t.get(Fd(0)).unwrap_err(), Errno::Badf);
        assert!(t.get(Fd(1)).is_ok());
        assert_eq!(t.renumber(Fd(0), Fd(1)).unwrap_err(), Errno::Badf);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn reader_sees_the_table() {
        let t = FdTable::new(4);
        t.insert(null_entry()).unwrap();
        let r = t.reader();
        assert!(r.get(Fd(0)).is_ok());
        assert_eq!(r.get(Fd(1)).unwrap_err(), Errno::Badf);
        drop(r);
        t.remove(Fd(0)).unwrap(); // the write lock is free again
        assert_eq!(t.reader().get(Fd(0)).unwrap_err(), Errno::Badf);
    }

    #[test]
    fn rights_only_shrink() {
        let e = Entry::new(Descriptor::Stdio(null_entry_fd()), 0b1111, 0b0011);
        assert_eq!(e.require(0b0101), Ok(()));
        assert_eq!(e.narrow_rights(0b0101, 0b0001), Ok(()));
        assert_eq!(e.rights(), (0b0101, 0b0001));
        assert_eq!(e.require(0b0010), Err(Errno::NotCapable));
        // Asking for a right no longer held fails and changes nothing.
        assert_eq!(e.narrow_rights(0b0111, 0b0001), Err(Errno::NotCapable));
        assert_eq!(e.narrow_rights(0b0101, 0b0011), Err(Errno::NotCapable));
        assert_eq!(e.rights(), (0b0101, 0b0001));
        assert_eq!(e.narrow_rights(0, 0), Ok(()));
        assert_eq!(e.require(0b0001), Err(Errno::NotCapable));
    }

    fn null_entry_fd() -> std::os::fd::OwnedFd {
        std::fs::File::open("/dev/null").unwrap().into()
    }
}

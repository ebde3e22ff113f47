//! Bounds-checked access to guest linear memory: the only place that touches raw guest bytes.
//!
//! Every read or write goes through a range check; a bad guest pointer becomes
//! [`Errno::Fault`] (never a host panic and, unlike WAMR, never a trap).

use super::errno::{Errno, WasiResult};
use std::cell::UnsafeCell;
use std::io::{IoSlice, IoSliceMut};
use std::marker::PhantomData;

/// Decoded iovecs: up to four live on the stack, so a send or receive does not allocate.
pub type IoVecs<T> = smallvec::SmallVec<[T; 4]>;

/// A view of one guest's linear memory (plain or shared) for the duration of a host call.
pub struct GuestMemory<'a> {
    base: *mut u8,
    len: usize,
    _borrow: PhantomData<&'a [UnsafeCell<u8>]>,
}

impl<'a> GuestMemory<'a> {
    /// Wraps a plain (unshared) memory borrowed from the store.
    pub fn from_slice(mem: &'a mut [u8]) -> Self {
        GuestMemory {
            base: mem.as_mut_ptr(),
            len: mem.len(),
            _borrow: PhantomData,
        }
    }

    /// Wraps a shared memory; other wasm threads may access it concurrently, as they may natively.
    pub fn from_shared(mem: &'a [UnsafeCell<u8>]) -> Self {
        GuestMemory {
            base: UnsafeCell::raw_get(mem.as_ptr()),
            len: mem.len(),
            _borrow: PhantomData,
        }
    }

    /// Current size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the memory is empty (a module may declare a 0-page memory).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Checks `[ptr, ptr+len)` and returns the start offset.
    fn check(&self, ptr: u32, len: u32) -> WasiResult<usize> {
        let end = u64::from(ptr) + u64::from(len);
        if end > self.len as u64 {
            return Err(Errno::Fault);
        }
        Ok(ptr as usize)
    }

    /// A shared view of guest bytes.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&'a [u8]> {
        let start = self.check(ptr, len)?;
        // SAFETY: the range is inside the memory (checked above); the memory outlives 'a and
        // is neither freed nor moved during a host call (wasmtime never moves a shared
        // memory, and a plain memory cannot grow while we hold the store borrow).
        Ok(unsafe { std::slice::from_raw_parts(self.base.add(start), len as usize) })
    }

    /// A mutable view of guest bytes.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let start = self.check(ptr, len)?;
        // SAFETY: as in `slice`; `&mut self` prevents a second Rust borrow of the memory.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.base.add(start), len as usize) })
    }

    /// Copies `len` guest bytes out.
    pub fn read_vec(&self, ptr: u32, len: u32) -> WasiResult<Vec<u8>> {
        Ok(self.slice(ptr, len)?.to_vec())
    }

    /// Copies `data` into guest memory at `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> WasiResult<()> {
        let len = u32::try_from(data.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    /// Reads a little-endian `u8`.
    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.slice(ptr, 1)?[0])
    }

    /// Reads a little-endian `u16`.
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    /// Reads a little-endian `u32`.
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    /// Reads a little-endian `u64`.
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Reads `N` bytes.
    pub fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.slice(ptr, N as u32)?);
        Ok(out)
    }

    /// Writes a `u8`.
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult<()> {
        self.write(ptr, &[v])
    }

    /// Writes a little-endian `u16`.
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u32`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u64`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A UTF-8 string given as pointer + length (paths); invalid UTF-8 is `EILSEQ`.
    pub fn str(&self, ptr: u32, len: u32) -> WasiResult<&'a str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// A NUL-terminated string (WAMR's `$` parameters); no NUL before the end is `EFAULT`.
    pub fn cstr(&self, ptr: u32) -> WasiResult<&'a [u8]> {
        let rest = self.slice(ptr, (self.len as u64).saturating_sub(u64::from(ptr)) as u32)?;
        let nul = rest.iter().position(|&b| b == 0).ok_or(Errno::Fault)?;
        Ok(&rest[..nul])
    }

    /// Decodes a `ciovec` array (8 bytes each: buf u32, buf_len u32) into slices, leaving out
    /// empty ones.
    ///
    /// They change nothing a write does, and dropping them turns stdio's usual pair (its empty
    /// buffer plus the new bytes) into the single buffer that `write(2)` takes.
    pub fn ciovecs(&self, ptr: u32, count: u32) -> WasiResult<IoVecs<IoSlice<'a>>> {
        let raw = self.slice(ptr, count.checked_mul(8).ok_or(Errno::Fault)?)?;
        let mut out = IoVecs::new();
        for iov in raw.chunks_exact(8) {
            let (buf, len) = iovec_fields(iov);
            let slice = self.slice(buf, len)?;
            if !slice.is_empty() {
                out.push(IoSlice::new(slice));
            }
        }
        Ok(out)
    }

    /// Decodes an `iovec` array into mutable slices.
    ///
    /// Overlapping buffers cannot be aliased as `&mut`; a guest that passes them gets only the
    /// first non-empty buffer filled, which is a legal short read.
    pub fn iovecs_mut(&mut self, ptr: u32, count: u32) -> WasiResult<IoVecs<IoSliceMut<'_>>> {
        let raw = self.slice(ptr, count.checked_mul(8).ok_or(Errno::Fault)?)?;
        let mut ranges: IoVecs<(usize, usize)> = IoVecs::new();
        for iov in raw.chunks_exact(8) {
            let (buf, len) = iovec_fields(iov);
            self.check(buf, len)?;
            if len > 0 {
                ranges.push((buf as usize, len as usize));
            }
        }
        if ranges.len() > 1 {
            let mut sorted = ranges.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0].0 + w[0].1 > w[1].0) {
                ranges.truncate(1);
            }
        }
        Ok(ranges
            .into_iter()
            .map(|(start, len)| {
                // SAFETY: each range was bounds-checked above and the ranges are pairwise
                // disjoint, so the mutable slices do not alias; `&mut self` is held for their
                // lifetime so no other borrow of the memory exists.
                IoSliceMut::new(unsafe {
                    std::slice::from_raw_parts_mut(self.base.add(start), len)
                })
            })
            .collect())
    }
}

fn iovec_fields(iov: &[u8]) -> (u32, u32) {
    let buf = u32::from_le_bytes([iov[0], iov[1], iov[2], iov[3]]);
    let len = u32::from_le_bytes([iov[4], iov[5], iov[6], iov[7]]);
    (buf, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let mut buf = vec![0u8; 16];
        let mut m = GuestMemory::from_slice(&mut buf);
        assert!(m.slice(0, 16).is_ok());
        assert!(m.slice(16, 0).is_ok());
        assert_eq!(m.slice(16, 1).unwrap_err(), Errno::Fault);
        assert_eq!(m.slice(u32::MAX, 2).unwrap_err(), Errno::Fault);
        assert_eq!(m.write_u32(13, 1).unwrap_err(), Errno::Fault);
        m.write_u32(12, 0x0102_0304).unwrap();
        assert_eq!(m.slice(12, 4).unwrap(), &[4, 3, 2, 1]);
        assert_eq!(m.read_u32(12).unwrap(), 0x0102_0304);
    }

    #[test]
    fn cstr_needs_a_nul() {
        let mut buf = b"abc\0de".to_vec();
        let m = GuestMemory::from_slice(&mut buf);
        assert_eq!(m.cstr(0).unwrap(), b"abc");
        assert_eq!(m.cstr(4).unwrap_err(), Errno::Fault);
        assert_eq!(m.cstr(99).unwrap_err(), Errno::Fault);
    }

    #[test]
    fn iovecs_decode_and_reject_bad_buffers() {
        let mut buf = vec![0u8; 64];
        // iovec[0] = {32, 4}, iovec[1] = {40, 8}
        buf[0..8].copy_from_slice(&[32, 0, 0, 0, 4, 0, 0, 0]);
        buf[8..16].copy_from_slice(&[40, 0, 0, 0, 8, 0, 0, 0]);
        let mut m = GuestMemory::from_slice(&mut buf);
        let v = m.iovecs_mut(0, 2).unwrap();
        assert_eq!(v.iter().map(|s| s.len()).collect::<Vec<_>>(), vec![4, 8]);
        drop(v);
        assert_eq!(m.ciovecs(0, 2).unwrap().len(), 2);
        // an empty buffer is left out (but still checked)
        m.write(12, &[0, 0, 0, 0]).unwrap();
        assert_eq!(m.ciovecs(0, 2).unwrap().len(), 1);
        m.write(8, &[99, 0, 0, 0]).unwrap();
        assert_eq!(m.ciovecs(0, 2).unwrap_err(), Errno::Fault);
        m.write(8, &[40, 0, 0, 0, 8, 0, 0, 0]).unwrap();
        // overlapping buffers: only the first is used
        m.write(8, &[34, 0, 0, 0, 8, 0, 0, 0]).unwrap();
        assert_eq!(m.iovecs_mut(0, 2).unwrap().len(), 1);
        // a buffer past the end is EFAULT
        m.write(8, &[60, 0, 0, 0, 8, 0, 0, 0]).unwrap();
        assert_eq!(m.iovecs_mut(0, 2).unwrap_err(), Errno::Fault);
        assert_eq!(m.ciovecs(0, 2).unwrap_err(), Errno::Fault);
        // the array itself past the end
        assert_eq!(m.ciovecs(60, 1).unwrap_err(), Errno::Fault);
        assert_eq!(m.ciovecs(0, u32::MAX).unwrap_err(), Errno::Fault);
    }
}

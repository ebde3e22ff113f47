//! A stopgap for wasi-libc's `writev` on wasm32-wasip2: `wasi:io` 0.2 has no vectored write, and
//! wasi-libc writes the first non-empty buffer only, so hyper's response head and body leave as
//! two writes, two system calls and two TCP segments. This gathers the buffers (up to
//! [`GATHER`] bytes) into one `write`, as `writev` does natively. Linked in with `--wrap=writev`
//! (.cargo/config.toml); hyper, tokio and axum are unchanged.
use std::ffi::c_int;

extern "C" {
    /// wasi-libc's own `writev` (`--wrap` renames it).
    fn __real_writev(fd: c_int, iov: *const libc::iovec, iovcnt: c_int) -> isize;
}

/// The most one call gathers: a larger write is a partial one, as `writev` may be.
const GATHER: usize = 64 * 1024;

/// `writev(fd, iov, iovcnt)`: one `write` of the buffers joined, when more than one holds data.
#[no_mangle]
pub unsafe extern "C" fn __wrap_writev(fd: c_int, iov: *const libc::iovec, iovcnt: c_int) -> isize {
    let Ok(n) = usize::try_from(iovcnt) else {
        // SAFETY: wasi-libc's writev with the caller's arguments (it reports EINVAL).
        return unsafe { __real_writev(fd, iov, iovcnt) };
    };
    if iov.is_null() || n < 2 {
        // SAFETY: as above.
        return unsafe { __real_writev(fd, iov, iovcnt) };
    }
    // SAFETY: the caller passes `iovcnt` iovecs at `iov` (writev's contract).
    let bufs = unsafe { std::slice::from_raw_parts(iov, n) };
    if bufs.iter().filter(|b| b.iov_len > 0).count() < 2 {
        // SAFETY: as above.
        return unsafe { __real_writev(fd, iov, iovcnt) };
    }
    let total = bufs.iter().map(|b| b.iov_len).sum::<usize>();
    let mut joined = Vec::with_capacity(total.min(GATHER));
    for b in bufs {
        let take = b.iov_len.min(GATHER - joined.len());
        if take > 0 {
            // SAFETY: each iovec describes `iov_len` readable bytes at `iov_base`.
            joined.extend_from_slice(unsafe { std::slice::from_raw_parts(b.iov_base.cast::<u8>(), take) });
        }
        if joined.len() == GATHER {
            break;
        }
    }
    // SAFETY: a live buffer of `joined.len()` bytes.
    unsafe { libc::write(fd, joined.as_ptr().cast(), joined.len()) }
}

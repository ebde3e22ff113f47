//! A stopgap for the wasi-libc that Rust 1.95 links into wasm32-wasip2 programs (wasi-sdk 30):
//! its `fcntl(F_SETFL)` answers `EINVAL` on sockets (WebAssembly/wasi-libc#536, fixed by #742
//! after wasi-sdk 30), and mio's `accept` on WASI sets `O_NONBLOCK` that way, so every tokio
//! `accept` fails. `ioctl(FIONBIO)` works on sockets, so a failed `F_SETFL` is retried with it.
//! Linked in with `--wrap=fcntl` (.cargo/config.toml); tokio, mio and axum are unchanged.
use std::ffi::c_int;

extern "C" {
    /// wasi-libc's own `fcntl` (`--wrap` renames it).
    fn __real_fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
}

/// `fcntl(fd, cmd, arg)` as C calls it on wasm32: the variadic argument arrives through a
/// pointer to the caller's argument area. wasi-libc knows four commands; the two setters take
/// one int, the getters none.
#[no_mangle]
pub unsafe extern "C" fn __wrap_fcntl(fd: c_int, cmd: c_int, args: *const c_int) -> c_int {
    let arg = if cmd == libc::F_SETFL || cmd == libc::F_SETFD {
        // SAFETY: a setter's caller passed one int, so its argument area holds it.
        unsafe { *args }
    } else {
        0
    };
    // SAFETY: wasi-libc's fcntl with its int argument.
    let rc = unsafe { __real_fcntl(fd, cmd, arg) };
    if cmd != libc::F_SETFL
        || rc == 0
        || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL)
    {
        return rc;
    }
    let mut on = c_int::from(arg & libc::O_NONBLOCK != 0);
    // SAFETY: FIONBIO reads one int through the pointer, a live local.
    unsafe { libc::ioctl(fd, libc::FIONBIO, &mut on) }
}

//! The `wasock` command: parse iwasm-compatible flags, build a `Config`, call the library.

// No `fn main`: std's start-up is replaced by `process_start` below (and `args_of`). On glibc
// std's own start-up reads all of /proc/self/maps (pthread_getattr_np, to place a guard for
// the main thread's stack) and maps a signal stack that wasmtime replaces by its own anyway
// (a Rust hello world on glibc: 1.21 -> 1.07 ms without it, bench/README.md). What is lost:
// the main thread has no name (a panic there reads `thread '<unnamed>'`), and a host stack
// overflow on it is a plain SIGSEGV instead of std's message. The unit tests keep std's
// harness and its `main`.
#![cfg_attr(not(test), no_main)]

mod cli;
mod policy_cmd;

// The static release build (musl, scripts/build-release) allocates with dlmalloc, which packs
// a start's few thousand small allocations into few pages. musl's own malloc took ~7% of a
// cached hello world's CPU samples and returns memory eagerly (more page faults); mimalloc
// faulted in 162 pages per hello world against 72, and started ~1.3x slower. The price (one
// global lock, musl's memcpy): compiling a module, on a cache miss or in `wasock compile`,
// takes ~1.25x as long as in the glibc build (bench/README.md). glibc builds keep glibc's
// malloc.
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOC: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// The C entry point libc's start code calls (glibc's, or musl's in the static release build).
// SAFETY: `main` is the one symbol of this name in the binary (there is no Rust `fn main`
// outside tests).
#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(argc: libc::c_int, argv: *const *const libc::c_char) -> libc::c_int {
    process_start();
    // SAFETY: the C start code passes argc valid NUL-terminated strings in argv.
    let args = unsafe { args_of(argc, argv) };
    // A panic must not unwind into C: report it as std does (the hook has printed it).
    let code = std::panic::catch_unwind(|| run(args)).unwrap_or(101);
    // `exit` flushes std's stdout buffer, which returning to C would not.
    std::process::exit(code)
}

/// The command line from C's `argv`. std's `env::args` is not used: only glibc fills it
/// without std's start-up (from an `.init_array` hook); on musl it would be empty.
///
/// # Safety
/// `argv` holds `argc` pointers to NUL-terminated strings (or `argc` is 0 or less).
#[cfg(not(test))]
unsafe fn args_of(argc: libc::c_int, argv: *const *const libc::c_char) -> Vec<std::ffi::OsString> {
    use std::os::unix::ffi::OsStrExt;
    let n = usize::try_from(argc).unwrap_or(0);
    (0..n)
        .map(|i| {
            // SAFETY: i < argc, and each argv[i] is a NUL-terminated string (the contract).
            let s = unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) };
            std::ffi::OsStr::from_bytes(s.to_bytes()).to_os_string()
        })
        .collect()
}

/// What std's start-up does that wasock relies on.
#[cfg(not(test))]
fn process_start() {
    // A write to a pipe or socket the peer has closed must fail with EPIPE, not kill wasock.
    // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    // Closed standard fds become /dev/null (read-write, as std does), so that no file wasock
    // opens later takes fd 0-2 and is then handed to the guest as its stdin/stdout/stderr.
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is an array of 3 pollfds that outlives the call; a closed fd is only
    // reported (POLLNVAL), never touched.
    let polled = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } != -1;
    for p in &fds {
        let closed = if polled {
            p.revents & libc::POLLNVAL != 0
        } else {
            // SAFETY: F_GETFD only reads the fd's flags, and fails with EBADF if it is closed.
            let r = unsafe { libc::fcntl(p.fd, libc::F_GETFD) };
            r == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
        };
        if closed {
            // The lowest free fd is the closed one; leak it so that it stays open.
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/null")
            {
                Ok(f) => std::mem::forget(f),
                // As std: going on would let the next file wasock opens take this fd.
                Err(_) => std::process::abort(),
            }
        }
    }
}

/// The command itself: its exit status.
#[cfg_attr(test, allow(dead_code))]
fn run(args: Vec<std::ffi::OsString>) -> i32 {
    match cli::main(args) {
        Ok(code) => code.into(),
        Err(err) => {
            // One line naming the cause; the chain is joined, never a backtrace.
            let mut parts: Vec<String> = Vec::new();
            for cause in err.chain() {
                let s = cause.to_string();
                if !parts.iter().any(|p| p.contains(&s)) {
                    parts.push(s);
                }
            }
            let msg = parts.join(": ");
            eprintln!("wasock: {msg}");
            cli::exit_code_for(&err).into()
        }
    }
}

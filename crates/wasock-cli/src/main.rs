//! The `wasock` command: parse iwasm-compatible flags, build a `Config`, call the library.

// No `fn main`: std's start-up is replaced by `process_start` below. std's own start-up
// reads all of /proc/self/maps (glibc's pthread_getattr_np, to place a guard for the main
// thread's stack) and maps a signal stack that wasmtime replaces by its own anyway: ~7% of a
// hello world's start-up (bench/README.md). The rest of what it does is done here.
#![no_main]

mod cli;
mod policy_cmd;

/// The C entry point glibc's start code calls (std still gets argv from its `.init_array`
/// hook on glibc, so `std::env::args` works).
// SAFETY: `main` is the one symbol of this name in the binary (there is no Rust `fn main`).
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    process_start();
    // A panic must not unwind into C: report it as std does (the hook has printed it).
    let code = std::panic::catch_unwind(run).unwrap_or(101);
    // `exit` flushes std's stdout buffer, which returning to C would not.
    std::process::exit(code)
}

/// What std's start-up does that wasock relies on.
fn process_start() {
    // A write to a socket the peer has closed must fail with EPIPE, not kill the process.
    // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    // Closed standard fds become /dev/null, so that no file wasock opens later takes fd 0-2
    // and is then handed to the guest as its stdin/stdout/stderr.
    use rustix::event::{poll, PollFd, PollFlags};
    let fds = [
        rustix::stdio::stdin(),
        rustix::stdio::stdout(),
        rustix::stdio::stderr(),
    ];
    let mut polled = fds.map(|fd| PollFd::from_borrowed_fd(fd, PollFlags::empty()));
    let zero = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    if poll(&mut polled, Some(&zero)).is_ok() {
        for p in &polled {
            if p.revents().contains(PollFlags::NVAL) {
                // The lowest free fd is the closed one; leak it so it stays open.
                if let Ok(f) = std::fs::File::open("/dev/null") {
                    std::mem::forget(f);
                }
            }
        }
    }
}

/// The command itself: its exit status.
fn run() -> i32 {
    match cli::main() {
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

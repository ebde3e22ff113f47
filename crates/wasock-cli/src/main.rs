//! The `wasock` command: parse iwasm-compatible flags, build a `Config`, call the library.
//! WASI 0.2 components run in the sibling binary `wasock-component` (see lib.rs).

fn main() {
    // std's start-up has already ignored SIGPIPE (a write to a closed peer is EPIPE, not a
    // kill) and reopened closed standard fds on /dev/null (so no file wasock opens becomes the
    // guest's stdin/stdout/stderr).
    std::process::exit(wasock_cli::wasock_main(std::env::args_os().collect()));
}

//! The `wasock` command: parse iwasm-compatible flags, build a `Config`, call the library.

mod cli;
mod policy_cmd;

fn main() {
    // std's start-up has already ignored SIGPIPE (a write to a closed peer is EPIPE, not a
    // kill) and reopened closed standard fds on /dev/null (so no file wasock opens becomes the
    // guest's stdin/stdout/stderr).
    std::process::exit(run(std::env::args_os().collect()));
}

/// The command itself: its exit status.
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

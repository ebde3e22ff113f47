//! The `wasock` commands, shared by the two binaries: `wasock` runs core modules itself and
//! hands a WASI 0.2 component to `wasock-component`, installed next to it, which runs both.
//! Two binaries keep the component host (wasmtime-wasi, 4.5 MB of code) out of a core
//! module's start: the loader maps and relocates all of a binary (bench/README.md).

mod cli;
mod policy_cmd;

use std::ffi::OsString;

/// The `wasock` binary: the command line `args` (argv[0] first) to its exit status.
pub fn wasock_main(args: Vec<OsString>) -> i32 {
    run::<cli::Sibling>(args)
}

/// The `wasock-component` binary: the same command line as `wasock`, with components run in
/// this process.
#[cfg(feature = "components")]
pub fn wasock_component_main(args: Vec<OsString>) -> i32 {
    run::<cli::InProcess>(args)
}

/// The command itself: its exit status.
fn run<H: cli::ComponentHost>(args: Vec<OsString>) -> i32 {
    match cli::main::<H>(args) {
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

//! The `wasock` command: parse iwasm-compatible flags, build a `Config`, call the library.

mod cli;
mod policy_cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => ExitCode::from(code),
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
            ExitCode::from(cli::exit_code_for(&err))
        }
    }
}

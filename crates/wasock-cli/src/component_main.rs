//! `wasock-component`: the `wasock` command with WASI 0.2 components run in this process.
//! `wasock` execs it, with the same arguments, when its program is a component.

fn main() {
    // std's start-up as in `wasock` (main.rs).
    std::process::exit(wasock_cli::wasock_component_main(
        std::env::args_os().collect(),
    ));
}

//! WASI preview1 through the `wasock` binary: real C guests compiled at test time, checked for
//! stdout, files written on the host, errno values and exit codes; plus the CLI's handling of
//! bad input (one clear line, non-zero exit, never a panic).

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use common::{assert_guest_ok, compile_c, run, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::Output;

fn wasock() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wasock"))
}

fn wasock_run(args: &[&str]) -> Output {
    run(
        &wasock(),
        &args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// One stderr line starting `wasock:` and nothing that looks like a Rust panic.
fn assert_clean_error(out: &Output, want_code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(want_code), "stderr: {stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "expected one line, got:\n{stderr}"
    );
    assert!(stderr.starts_with("wasock: "), "{stderr}");
    assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

#[test]
fn args_and_environment() {
    let wasm = compile_c("wasi/args_env.c", false);
    let out = wasock_run(&[
        "--env=FOO=bar",
        "--env=EMPTY=",
        &s(&wasm),
        "alpha",
        "two words",
        "",
    ]);
    assert_guest_ok(&out, &["args", "environ"]);
}

#[test]
fn file_operations_land_on_the_host() {
    let wasm = compile_c("wasi/files.c", false);
    let dir = scratch_dir("files");
    let out = wasock_run(&[
        &format!("--map-dir=/sandbox::{}", s(&dir)),
        &s(&wasm),
        "/sandbox",
    ]);
    assert_guest_ok(
        &out,
        &[
            "write_read_seek",
            "pread_pwrite",
            "writev_truncate_sync",
            "times",
            "fcntl_close",
            "append_excl",
            "renumber",
        ],
    );
    assert_eq!(std::fs::read(dir.join("log.txt")).unwrap(), b"12");
    assert_eq!(std::fs::metadata(dir.join("data.txt")).unwrap().len(), 4096);
    // After fd_renumber(a, b), fd b is a.txt's descriptor (b.txt's was closed).
    assert_eq!(std::fs::read(dir.join("a.txt")).unwrap(), b"via-b");
    assert_eq!(std::fs::read(dir.join("b.txt")).unwrap(), b"");
}

#[test]
fn directory_operations() {
    let wasm = compile_c("wasi/dirs.c", false);
    let dir = scratch_dir("dirs");
    let out = wasock_run(&[&format!("--dir={}", s(&dir)), &s(&wasm), &s(&dir)]);
    assert_guest_ok(
        &out,
        &[
            "mkdir",
            "link_rename_symlink",
            "readdir",
            "readdir_many",
            "remove",
        ],
    );
    assert!(!dir.join("sub").exists());
    assert_eq!(std::fs::read_dir(dir.join("many")).unwrap().count(), 300);
}

#[test]
fn no_path_escapes_the_preopen() {
    let wasm = compile_c("wasi/escape.c", false);
    let root = scratch_dir("escape");
    let sandbox = root.join("sandbox");
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::write(root.join("secret.txt"), "secret").unwrap();
    let out = wasock_run(&[
        &format!("--map-dir=/sandbox::{}", s(&sandbox)),
        &s(&wasm),
        "/sandbox",
        "secret.txt",
    ]);
    assert_guest_ok(&out, &["dotdot", "symlinks", "mutations"]);
    // Nothing was created outside.
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["sandbox", "secret.txt"]);
}

#[test]
fn clocks_poll_random_and_bad_fds() {
    let wasm = compile_c("wasi/misc.c", false);
    assert_guest_ok(
        &wasock_run(&[&s(&wasm)]),
        &["clocks", "poll", "random", "badfd"],
    );
}

#[test]
fn bad_guest_pointers_are_efault_not_a_crash() {
    let wasm = compile_c("wasi/badptr.c", false);
    assert_guest_ok(&wasock_run(&[&s(&wasm)]), &["efault", "wraparound"]);
}

#[test]
fn exit_codes() {
    let wasm = compile_c("wasi/exit_trap.c", false);
    assert_eq!(wasock_run(&[&s(&wasm), "exit", "7"]).status.code(), Some(7));
    assert_eq!(wasock_run(&[&s(&wasm), "exit", "0"]).status.code(), Some(0));
    let out = wasock_run(&[&s(&wasm)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "no action\n");
}

#[test]
fn trap_prints_reason_and_named_backtrace() {
    let wasm = compile_c("wasi/exit_trap.c", false);
    let out = wasock_run(&[&s(&wasm), "trap"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{stderr}");
    assert!(
        stderr.starts_with("wasock: trap: wasm `unreachable` instruction executed\n"),
        "{stderr}"
    );
    assert!(stderr.contains("!crash_here"), "{stderr}");
    assert!(
        stderr.contains("!main") || stderr.contains("!__main_void"),
        "{stderr}"
    );
}

#[test]
fn run_subcommand_and_precompiled_modules() {
    let wasm = compile_c("wasi/exit_trap.c", false);
    assert_eq!(
        wasock_run(&["run", &s(&wasm), "exit", "5"]).status.code(),
        Some(5)
    );
    let cwasm = scratch_dir("aot").join("exit_trap.cwasm");
    let out = wasock_run(&["compile", &s(&wasm), "-o", &s(&cwasm)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        wasock_run(&[&s(&cwasm), "exit", "9"]).status.code(),
        Some(9)
    );
}

#[test]
fn function_entry_point_like_iwasm() {
    let dir = scratch_dir("func");
    let wat = dir.join("add.wat");
    std::fs::write(&wat, r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#).unwrap();
    let out = wasock_run(&["-f", "add", &s(&wat), "40", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0x2a:i32\n");
    assert_clean_error(
        &wasock_run(&["-f", "nope", &s(&wat)]),
        1,
        "no function `nope`",
    );
    assert_clean_error(
        &wasock_run(&["-f", "add", &s(&wat), "1"]),
        1,
        "takes 2 argument(s), 1 given",
    );
}

#[test]
fn missing_imports_trap_only_when_called() {
    let dir = scratch_dir("imports");
    let wat = dir.join("m.wat");
    std::fs::write(
        &wat,
        r#"(module (import "env" "missing" (func $m)) (memory (export "memory") 1)
             (func (export "_start") (call $m)))"#,
    )
    .unwrap();
    let out = wasock_run(&[&s(&wat)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{stderr}");
    assert!(
        stderr.contains("warning: import env::missing is not provided"),
        "{stderr}"
    );
    assert!(stderr.contains("wasock: trap:"), "{stderr}");
}

#[test]
fn bad_input_gets_one_clear_line() {
    let dir = scratch_dir("bad");
    let garbage = dir.join("garbage.wasm");
    std::fs::write(&garbage, [0x13u8, 0x37, 0, 1, 2, 3, 4, 5]).unwrap();
    assert_clean_error(
        &wasock_run(&[&s(&garbage)]),
        1,
        "not a valid WebAssembly module",
    );
    let truncated = dir.join("truncated.wasm");
    std::fs::write(&truncated, b"\0asm\x01\0\0\0\x01\x05").unwrap();
    assert_clean_error(
        &wasock_run(&[&s(&truncated)]),
        1,
        "not a valid WebAssembly module",
    );
    assert_clean_error(
        &wasock_run(&[&s(&dir.join("absent.wasm"))]),
        1,
        "cannot read",
    );
    assert_clean_error(&wasock_run(&["--frobnicate", "x.wasm"]), 2, "--frobnicate");
    let wasm = compile_c("wasi/exit_trap.c", false);
    assert_clean_error(
        &wasock_run(&["--dir=/definitely/not/here", &s(&wasm)]),
        1,
        "cannot preopen directory /definitely/not/here",
    );
    assert_clean_error(&wasock_run(&["--env=NOEQUALS", &s(&wasm)]), 2, "--env");
    assert_clean_error(
        &wasock_run(&["--map-dir=nocolons", &s(&wasm)]),
        2,
        "GUEST::HOST",
    );
    assert_clean_error(
        &wasock_run(&["--addr-pool=127.0.0.1/33", &s(&wasm)]),
        2,
        "127.0.0.1/33",
    );
    assert_clean_error(
        &wasock_run(&["--allow-resolve=*host", &s(&wasm)]),
        2,
        "*.suffix",
    );
    assert_clean_error(
        &wasock_run(&["--native-lib=x.so", &s(&wasm)]),
        2,
        "--native-lib",
    );
    assert_clean_error(&wasock_run(&["-v=9", &s(&wasm)]), 2, "-v");
}

#[test]
fn help_and_version() {
    let out = wasock_run(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--addr-pool",
        "--allow-resolve",
        "--dir",
        "--map-dir",
        "--env",
        "--trace-net",
        "--max-threads",
        "127.0.0.1/32:8000-8100",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    let out = wasock_run(&["--version"]);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).starts_with("wasock "));
}

//! WASI preview1 through the `wasock` binary: real C guests compiled at test time, checked for
//! stdout, files written on the host, errno values and exit codes; plus the CLI's handling of
//! bad input (one clear line, non-zero exit, never a panic).

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use common::{assert_guest_ok, compile_c, compile_rust_guest, run, scratch_dir, Proc};
use std::path::{Path, PathBuf};
use std::process::Output;

fn wasock() -> PathBuf {
    common::wasock_bin(env!("CARGO_BIN_EXE_wasock"))
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
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok args\nok environ\n"
    );
    // Like iwasm, argv[0] is the module path exactly as typed.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("argv0={}\n", s(&wasm))
    );
}

/// An argument that is not UTF-8 is refused in one line, exit status 2.
#[test]
fn non_utf8_argument_is_one_line_error() {
    use std::os::unix::ffi::OsStrExt;
    let wasm = compile_c("wasi/args_env.c", false);
    let out = std::process::Command::new(wasock())
        .arg(&wasm)
        .arg(std::ffi::OsStr::from_bytes(b"caf\xe9"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "wasock: invalid UTF-8 was detected in one or more arguments (see wasock --help)\n"
    );
    assert!(out.stdout.is_empty());
}

const FILES_OKS: &[&str] = &[
    "write_read_seek",
    "pread_pwrite",
    "writev_truncate_sync",
    "times",
    "fcntl_close",
    "append_excl",
    "renumber",
    "stdio",
    "readonly_truncate",
];

#[test]
fn file_operations_land_on_the_host() {
    let wasm = compile_c("wasi/files.c", false);
    let dir = scratch_dir("files");
    let out = wasock_run(&[
        &format!("--map-dir=/sandbox::{}", s(&dir)),
        &s(&wasm),
        "/sandbox",
    ]);
    assert_guest_ok(&out, FILES_OKS);
    let data = std::fs::read(dir.join("data.txt")).unwrap();
    assert_eq!(data.len(), 4096);
    assert_eq!(&data[..5], b"HELLO");
    assert!(data[5..].iter().all(|&b| b == 0));
    let mtime = std::fs::metadata(dir.join("data.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert!(
        mtime > std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000)
    );
    assert_eq!(std::fs::read(dir.join("log.txt")).unwrap(), b"12");
    // After fd_renumber(a, b), fd b is a.txt's descriptor (b.txt's was closed).
    assert_eq!(std::fs::read(dir.join("a.txt")).unwrap(), b"via-b");
    assert_eq!(std::fs::read(dir.join("b.txt")).unwrap(), b"");
    assert_eq!(
        std::fs::read(dir.join("stdio.txt")).unwrap(),
        b"first line\nsecond\n"
    );
    assert_eq!(
        dir_names(&dir),
        ["a.txt", "b.txt", "data.txt", "log.txt", "stdio.txt"]
    );
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const DIRS_OKS: &[&str] = &[
    "mkdir",
    "link_rename_symlink",
    "readdir",
    "readdir_many",
    "remove",
];

#[test]
fn directory_operations() {
    let wasm = compile_c("wasi/dirs.c", false);
    let dir = scratch_dir("dirs");
    // iwasm-style --dir=PATH: the guest sees the directory under its host path.
    let out = wasock_run(&[&format!("--dir={}", s(&dir)), &s(&wasm), &s(&dir)]);
    assert_guest_ok(&out, DIRS_OKS);
    assert_eq!(dir_names(&dir), ["many"]);
    assert_eq!(std::fs::read_dir(dir.join("many")).unwrap().count(), 300);
}

const CONFORMANCE_OKS: &[&str] = &["append_trunc", "dir_write", "open_rights", "link_follow"];

/// The WASI testsuite's file-system cases (conformance.c; `scripts/conformance` runs the suite
/// itself where it is present).
#[test]
fn preview1_semantics_of_the_wasi_testsuite() {
    let wasm = compile_c("wasi/conformance.c", false);
    let dir = scratch_dir("conformance");
    let out = wasock_run(&[
        &format!("--map-dir=/sandbox::{}", s(&dir)),
        &s(&wasm),
        "/sandbox",
    ]);
    assert_guest_ok(&out, CONFORMANCE_OKS);
    // Each group removed what it made, but for the (truncated) file of append_trunc.
    assert_eq!(dir_names(&dir), ["append.txt"]);
}

/// The sandbox for escape.c: `<root>/sandbox` (the preopen) holding host-made symlinks that
/// point out of it, next to `<root>/secret.txt`.
fn escape_fixture() -> (PathBuf, PathBuf) {
    let root = scratch_dir("escape");
    let sandbox = root.join("sandbox");
    std::fs::create_dir(&sandbox).unwrap();
    std::fs::write(root.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), sandbox.join("host-abs")).unwrap();
    std::os::unix::fs::symlink("..", sandbox.join("host-up")).unwrap();
    (root, sandbox)
}

const ESCAPE_OKS: &[&str] = &["dotdot", "symlinks", "mutations"];

#[test]
fn no_path_escapes_the_preopen() {
    let wasm = compile_c("wasi/escape.c", false);
    let (root, sandbox) = escape_fixture();
    let out = wasock_run(&[
        &format!("--map-dir=/sandbox::{}", s(&sandbox)),
        &s(&wasm),
        "/sandbox",
        "secret.txt",
    ]);
    assert_guest_ok(&out, ESCAPE_OKS);
    // Every attempt was refused, and always with EPERM (63), as wasmtime does.
    let refused: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("escape "))
        .map(str::to_string)
        .collect();
    let labels = [
        "dotdot",
        "dotdot_deep",
        "in_and_out",
        "dotdot_dir",
        "dotdot_stat",
        "host_abs_symlink",
        "host_abs_symlink_stat",
        "host_up_symlink",
        "host_abs_readlink",
        "abs_symlink",
        "up_symlink",
        "up_symlink_dir",
        "deep_symlink",
        "mkdir",
        "mkdir_via_symlink",
        "create",
        "create_via_symlink",
        "rename_out",
        "rename_in",
        "link_out",
        "link_in",
        "symlink_out",
        "unlink_out",
        "rmdir_out",
    ];
    let want: Vec<String> = labels
        .iter()
        .map(|l| format!("escape {l} errno=63"))
        .collect();
    assert_eq!(refused, want);
    // Nothing was created, moved or removed outside.
    assert_eq!(dir_names(&root), ["sandbox", "secret.txt"]);
    assert_eq!(std::fs::read(root.join("secret.txt")).unwrap(), b"secret");
}

const MISC_OKS: &[&str] = &["clocks", "sleep", "poll", "random", "badfd"];

#[test]
fn clocks_poll_random_and_bad_fds() {
    let wasm = compile_c("wasi/misc.c", false);
    let dir = scratch_dir("misc");
    let out = wasock_run(&[&format!("--dir={}", s(&dir)), &s(&wasm), &s(&dir)]);
    assert_guest_ok(&out, MISC_OKS);
    assert_eq!(std::fs::read(dir.join("poll.txt")).unwrap(), b"x");
}

#[test]
fn bad_guest_pointers_are_efault_not_a_crash() {
    let wasm = compile_c("wasi/badptr.c", false);
    let dir = scratch_dir("badptr");
    let out = wasock_run(&[&format!("--dir={}", s(&dir)), &s(&wasm), &s(&dir)]);
    assert_guest_ok(
        &out,
        &["efault", "efault_file", "bounds", "efault_no_side_effect"],
    );
    assert_eq!(std::fs::read(dir.join("data")).unwrap(), b"abcdef");
    assert_eq!(dir_names(&dir), ["data"]);
}

#[test]
fn exit_codes() {
    let wasm = compile_c("wasi/exit_trap.c", false);
    let out = wasock_run(&[&s(&wasm), "exit", "7"]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "exiting 7\n"); // exit() flushed stdio
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = wasock_run(&[&s(&wasm), "raw", "9"]);
    assert_eq!(out.status.code(), Some(9));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert_eq!(wasock_run(&[&s(&wasm), "exit", "0"]).status.code(), Some(0));
    let out = wasock_run(&[&s(&wasm)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "no action\n");
    // After the module every word is the guest's, flags and subcommand names too.
    for guest_args in [&["-h", "-V"][..], &["run", "--help"]] {
        let mut args = vec![s(&wasm)];
        args.extend(guest_args.iter().map(|a| a.to_string()));
        let out = run(&wasock(), &args);
        assert_eq!(out.status.code(), Some(0), "{guest_args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "no action\n");
    }
}

/// Runs `wasock ARGS` through the shell with `redirect` (e.g. `<&-`, which closes fd 0) and
/// the module cache in `cache`.
fn wasock_redirected(redirect: &str, cache: &Path, args: &[String]) -> Output {
    std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(r#"exec "$0" "$@" {redirect}"#))
        .arg(wasock())
        .args(args)
        .env("WASOCK_CACHE_DIR", cache)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// wasock started with stdin closed: the guest's stdin reads as empty (/dev/null), not as a
/// file wasock itself opened that took the free fd 0 — with a warm cache, the mapped module.
#[test]
fn closed_stdin_reads_as_empty() {
    let wasm = compile_c("wasi/stdio_edges.c", false);
    let cache = scratch_dir("closed-stdin-cache");
    let count = vec![s(&wasm), "count-stdin".into()];
    // Warm the cache first, so that the second run opens the cached module.
    for args in [
        count.clone(),
        count,
        vec!["--no-cache".into(), s(&wasm), "count-stdin".into()],
    ] {
        let out = wasock_redirected("<&-", &cache, &args);
        assert_guest_ok(&out, &[]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "stdin 0 bytes\n");
    }
}

/// wasock started with stdout closed: the guest's writes go to /dev/null and succeed.
#[test]
fn closed_stdout_writes_to_dev_null() {
    let wasm = compile_c("wasi/stdio_edges.c", false);
    let cache = scratch_dir("closed-stdout-cache");
    let out = wasock_redirected(">&-", &cache, &[s(&wasm), "write-stdout".into()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "stdout ok\n");
}

/// A guest writing to a pipe whose reader has gone gets EPIPE; SIGPIPE does not kill wasock.
#[test]
fn broken_stdout_pipe_is_epipe_not_sigpipe() {
    let wasm = compile_c("wasi/stdio_edges.c", false);
    let mut p = Proc::spawn(&wasock(), &[s(&wasm), "flood-stdout".into()]);
    // The reader goes away before the guest writes.
    drop(p.0.as_mut().and_then(|c| c.stdout.take()));
    let out = p.finish(std::time::Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{:?}, stderr: {stderr}",
        out.status
    );
    assert_eq!(stderr, "stdout EPIPE\n");
}

#[test]
fn rust_guest_through_the_cli() {
    let crate_dir = common::repo_root().join("tests/guests/rust-wasi");
    let wasm = compile_rust_guest(&crate_dir, "wasm32-wasip1");
    let data = scratch_dir("rust-cli");
    let out = wasock_run(&[
        &format!("--map-dir=/data::{}", s(&data)),
        "--env=GREETING=hi there",
        &s(&wasm),
        "dir=/data",
        "ünïcödé",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    common::assert_rust_wasi_results(&String::from_utf8_lossy(&out.stdout), &data);
}

/// The guests check themselves against POSIX; running them under the reference runtime keeps
/// them honest (a guest that only passes on wasock would prove nothing). WASI_REFERENCE=1
/// relaxes the few checks where wasmtime departs from POSIX (see the guests' comments).
/// badptr.c is wasock-only: wasmtime traps on a bad pointer instead of returning EFAULT.
#[test]
fn guests_pass_under_the_reference_wasmtime() {
    let Some(wasmtime) = common::wasmtime_reference() else {
        eprintln!("SKIPPED: no working `wasmtime` on PATH (scripts/setup installs it)");
        return;
    };
    let reference = |dir: Option<&Path>, wasm: &Path, args: &[&str]| {
        let mut a: Vec<String> = vec!["run".into(), "--env=WASI_REFERENCE=1".into()];
        if let Some(d) = dir {
            a.push(format!("--dir={}::/sandbox", s(d)));
        }
        a.push(s(wasm));
        a.extend(args.iter().map(|x| x.to_string()));
        run(&wasmtime, &a)
    };
    let files = scratch_dir("ref-files");
    let out = reference(
        Some(&files),
        &compile_c("wasi/files.c", false),
        &["/sandbox"],
    );
    assert_guest_ok(&out, FILES_OKS);
    let dirs = scratch_dir("ref-dirs");
    let out = reference(Some(&dirs), &compile_c("wasi/dirs.c", false), &["/sandbox"]);
    assert_guest_ok(&out, DIRS_OKS);
    let misc = scratch_dir("ref-misc");
    let out = reference(Some(&misc), &compile_c("wasi/misc.c", false), &["/sandbox"]);
    assert_guest_ok(&out, MISC_OKS);
    let conformance = scratch_dir("ref-conformance");
    // Not open_rights: wasmtime keeps no preview1 rights (its directories lack
    // path_filestat_set_size, so the suite's truncation_rights skips there too).
    let groups = ["append_trunc", "dir_write", "link_follow"];
    let mut args = vec!["/sandbox"];
    args.extend(groups);
    let out = reference(
        Some(&conformance),
        &compile_c("wasi/conformance.c", false),
        &args,
    );
    assert_guest_ok(&out, &groups);
    let (_root, sandbox) = escape_fixture();
    let escape = compile_c("wasi/escape.c", false);
    let out = reference(Some(&sandbox), &escape, &["/sandbox", "secret.txt"]);
    assert_guest_ok(&out, ESCAPE_OKS);
    let out = run(
        &wasmtime,
        &["run", "--env=FOO=bar", "--env=EMPTY="]
            .iter()
            .map(|x| x.to_string())
            .chain([s(&compile_c("wasi/args_env.c", false))])
            .chain(["alpha", "two words", ""].iter().map(|x| x.to_string()))
            .collect::<Vec<_>>(),
    );
    assert_guest_ok(&out, &["args", "environ"]);
    let exit_trap = compile_c("wasi/exit_trap.c", false);
    let out = reference(None, &exit_trap, &["exit", "7"]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "exiting 7\n");
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
    // clap lists what is missing on the lines after the first: they join the one line.
    assert_clean_error(&wasock_run(&[]), 2, "not provided: <MODULE [ARGS]...>");
    assert_clean_error(&wasock_run(&["compile"]), 2, "not provided: <MODULE>");
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
    let out = std::process::Command::new(wasock())
        .arg(&wasm)
        .env("WASOCK_EPOLL_MIN_FDS", "lots")
        .output()
        .unwrap();
    assert_clean_error(&out, 2, "WASOCK_EPOLL_MIN_FDS=lots");
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

/// The linear-memory stack (issue 19): scripts/wasi-cc gives 1 MiB placed first in memory, a
/// user's later `-Wl,-z,stack-size` wins, and running off its bottom is named, with the size,
/// instead of a bare out-of-bounds trap.
#[test]
fn stack_overflow_is_named_with_the_stack_size() {
    let named = |wasm: &Path, args: &[&str], kib: u32| {
        let mut all = vec![s(wasm)];
        all.extend(args.iter().map(|a| a.to_string()));
        let out = run(&wasock(), &all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(134), "{args:?}: {stderr}");
        let want = format!(
            "wasock: trap: guest stack overflow ({kib} KiB linear-memory stack; relink with \
             -Wl,-z,stack-size=...)\n"
        );
        assert!(stderr.starts_with(&want), "{args:?}: {stderr}");
    };
    let wasm = compile_c("wasi/stack_overflow.c", false);
    // The issue's program had a 32 KiB buffer on its stack: far inside the default now.
    let out = wasock_run(&[&s(&wasm), "buffer", "512"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("buffer 512 ok"));
    named(&wasm, &["buffer", "2048"], 1024);
    named(&wasm, &["deep"], 1024);
    named(&compile_c("wasi/stack_overflow.c", true), &["deep"], 1024);

    // The user's own flag, after the SDK's default, sets the size.
    let root = common::repo_root();
    let small = root.join("target/guests/stack_overflow-64k.wasm");
    let built = std::process::Command::new(root.join("scripts/wasi-cc"))
        .arg(root.join("tests/guests/wasi/stack_overflow.c"))
        .args(["-Wl,-z,stack-size=65536", "-o"])
        .arg(&small)
        .output()
        .expect("run scripts/wasi-cc");
    assert!(built.status.success(), "{built:?}");
    named(&small, &["buffer", "100"], 64);
    named(&small, &["deep"], 64);
}

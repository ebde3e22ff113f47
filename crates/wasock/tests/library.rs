//! The embedding API (what the CLI is built on): one `run` call with a `Config` value —
//! arguments, environment, preopens, captured stdio and a network `Policy` — and typed errors.

mod common;

use std::os::fd::OwnedFd;
use std::path::Path;
use wasock::{Config, Engine, Entrypoint, Error, Policy, StdioSource};

fn engine() -> Engine {
    Engine::new(&Default::default()).unwrap()
}

/// Runs `wasm` in-process with stdout and stderr captured into files; returns (exit, stdout, stderr).
fn run_captured(wasm: &Path, mut config: Config) -> (Result<i32, Error>, String, String) {
    let dir = common::scratch_dir("lib-stdio");
    let (out_path, err_path) = (dir.join("stdout"), dir.join("stderr"));
    let out: OwnedFd = std::fs::File::create(&out_path).unwrap().into();
    let err: OwnedFd = std::fs::File::create(&err_path).unwrap().into();
    config
        .stdout(StdioSource::Fd(out))
        .stderr(StdioSource::Fd(err))
        .stdin(StdioSource::Null);
    let e = engine();
    let module = e.load_file(wasm).unwrap();
    let res = wasock::run(&e, &module, config, Entrypoint::Start).map(|o| o.exit_code);
    (
        res,
        std::fs::read_to_string(out_path).unwrap(),
        std::fs::read_to_string(err_path).unwrap(),
    )
}

#[test]
fn c_guest_with_args_env_and_captured_stdout() {
    let wasm = common::compile_c("wasi/args_env.c", false);
    let mut config = Config::new();
    config
        .args(["args_env", "alpha", "two words", ""])
        .env("FOO", "bar")
        .env("EMPTY", "");
    let (res, stdout, stderr) = run_captured(&wasm, config);
    assert_eq!(res.unwrap(), 0, "{stderr}");
    assert_eq!(stdout, "ok args\nok environ\n");
}

#[test]
fn rust_guest_files_clocks_random_and_exit_code() {
    let crate_dir = common::repo_root().join("tests/guests/rust-wasi");
    let wasm = common::compile_rust_guest(&crate_dir, "wasm32-wasip1");
    let data = common::scratch_dir("rust-wasi");
    let mut config = Config::new();
    config
        .args(["rust-wasi", "dir=/data", "ünïcödé"])
        .env("GREETING", "hi there")
        .preopen_dir(&data, "/data");
    let (res, stdout, stderr) = run_captured(&wasm, config);
    assert_eq!(res.unwrap(), 3, "stderr: {stderr}");
    common::assert_rust_wasi_results(&stdout, &data);
}

#[test]
fn policy_value_grants_and_denies_without_a_cli() {
    let wasm = common::compile_c("net/nonblock.c", false);
    let mut policy = Policy::default();
    policy.add_addr_pool("127.0.0.1/32").unwrap();
    let mut config = Config::new();
    config.arg("nonblock").policy(policy);
    let (res, stdout, stderr) = run_captured(&wasm, config);
    assert_eq!(res.unwrap(), 0, "{stderr}");
    assert!(stdout.contains("ok so_error_refused"), "{stdout}");

    // The default policy denies: the guest's first bind fails with EACCES and one diagnostic.
    let mut config = Config::new();
    config.arg("nonblock");
    let (res, _stdout, stderr) = run_captured(&wasm, config);
    assert_eq!(res.unwrap(), 1);
    assert!(
        stderr.contains("FAIL") && stderr.contains("errno=2"),
        "{stderr}"
    );
}

#[test]
fn typed_errors_for_bad_modules_and_traps() {
    let e = engine();
    match e.load_bytes(b"not wasm at all", Path::new("junk.wasm")) {
        Err(Error::InvalidModule { path, reason }) => {
            assert_eq!(path, Path::new("junk.wasm"));
            assert!(reason.contains("magic"), "{reason}");
        }
        other => panic!("expected InvalidModule, got {other:?}"),
    }
    assert!(matches!(
        e.load_file(Path::new("/no/such/module.wasm")),
        Err(Error::ReadModule { .. })
    ));

    let wasm = common::compile_c("wasi/exit_trap.c", false);
    let mut config = Config::new();
    config.args(["exit_trap", "trap"]);
    match run_captured(&wasm, config).0 {
        Err(Error::Trap { message, backtrace }) => {
            assert_eq!(message, "wasm `unreachable` instruction executed");
            assert!(backtrace.contains("!crash_here"), "{backtrace}");
        }
        other => panic!("expected a trap, got {other:?}"),
    }

    let mut config = Config::new();
    config.preopen_dir("/definitely/missing", "/x");
    let module = e.load_file(&wasm).unwrap();
    assert!(matches!(
        wasock::run(&e, &module, config, Entrypoint::Start),
        Err(Error::Preopen { .. })
    ));
}

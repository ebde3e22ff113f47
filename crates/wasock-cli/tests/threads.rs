//! wasi-threads: C pthread guests (wasm32-wasip1-threads, shared memory) under `wasock`.
//! Every run is bounded: a hung process is killed and the test fails.

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use common::{assert_guest_ok, compile_c, Proc};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);
const POOL: &str = "--addr-pool=127.0.0.1/32";

fn wasock() -> PathBuf {
    common::wasock_bin(env!("CARGO_BIN_EXE_wasock"))
}

fn spawn(rel: &str, flags: &[&str], guest_args: &[&str]) -> Proc {
    let wasm = compile_c(rel, true);
    let mut a: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    a.push(wasm.to_string_lossy().into_owned());
    a.extend(guest_args.iter().map(|s| s.to_string()));
    Proc::spawn(&wasock(), &a)
}

fn run(rel: &str, flags: &[&str], guest_args: &[&str]) -> Output {
    spawn(rel, flags, guest_args).finish(LIMIT)
}

#[test]
fn thread_per_connection_server_with_50_concurrent_clients() {
    let mut p = spawn("threads/thread_server.c", &[POOL], &["--count=50"]);
    let addr = p.listening();
    // All 50 connect first, so all 50 server threads are alive and blocked in recv at once.
    let mut conns: Vec<TcpStream> = (0..50).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for round in 0..3 {
        for (i, c) in conns.iter_mut().enumerate().rev() {
            c.write_all(format!("client {i} round {round}|").as_bytes())
                .unwrap();
        }
        for (i, c) in conns.iter_mut().enumerate() {
            c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let want = format!("client {i} round {round}|");
            let mut got = vec![0u8; want.len()];
            c.read_exact(&mut got).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), want);
        }
    }
    drop(conns);
    let out = p.finish(LIMIT);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn server_thread_and_client_thread_in_one_program() {
    assert_guest_ok(
        &run("threads/client_server.c", &[POOL], &[]),
        &["client_server_threads"],
    );
}

#[test]
fn two_threads_polling_their_own_41_sockets_at_once() {
    assert_guest_ok(
        &run("threads/poll_threads.c", &[POOL], &[]),
        &["poll_threads"],
    );
}

#[test]
fn exit_from_a_thread_ends_the_process() {
    let out = run("threads/lifecycle.c", &[POOL], &["exit"]);
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn trap_in_a_thread_ends_the_process() {
    let out = run("threads/lifecycle.c", &[POOL], &["trap"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{stderr}");
    assert!(
        stderr.starts_with("wasock: trap in thread 1: wasm `unreachable` instruction executed"),
        "{stderr}"
    );
    assert!(stderr.contains("!trap_later"), "{stderr}");
}

#[test]
fn main_returning_ends_the_process_while_threads_block() {
    let out = run("threads/lifecycle.c", &[POOL], &["return"]);
    assert_guest_ok(&out, &["main_returns"]);
}

#[test]
fn max_threads_caps_pthread_create_with_eagain() {
    let out = run("threads/lifecycle.c", &[POOL, "--max-threads=2"], &["cap"]);
    assert_guest_ok(&out, &["cap"]);
}

#[test]
fn closing_an_fd_another_thread_blocks_on_is_safe() {
    assert_guest_ok(
        &run("threads/lifecycle.c", &[POOL], &["close"]),
        &["close_while_blocked"],
    );
}

/// The same where the listener's peers are screened (an `accept` rule): there a blocking
/// accept waits in poll(2), not in accept(2), and closing must still wake it.
#[test]
fn closing_a_screened_listener_another_thread_blocks_on_is_safe() {
    let rules = [
        "--net=allow bind tcp 127.0.0.1",
        "--net=allow accept tcp 127.0.0.1",
    ];
    assert_guest_ok(
        &run("threads/lifecycle.c", &rules, &["close"]),
        &["close_while_blocked"],
    );
}

#[test]
fn timeout_ends_a_run_blocked_in_accept() {
    // `block` mode never ends by itself: main blocks in accept, another thread sleeps.
    let out = run("threads/lifecycle.c", &[POOL, "--timeout=300"], &["block"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("wasock: terminated after --timeout=300 ms"),
        "{stderr}"
    );
}

/// The OS threads (tids) of a process, from /proc.
fn tasks(pid: u32) -> std::collections::BTreeSet<u32> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().parse().unwrap())
        .collect()
}

/// A guest thread that returned leaves its OS thread waiting for the next `pthread_create`,
/// which runs there instead of paying for a new OS thread (issue 19: a thread per client).
#[test]
fn threads_created_one_after_another_reuse_os_threads() {
    const N: usize = 20;
    let ls = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = ls.local_addr().unwrap().port().to_string();
    let p = spawn("threads/one_at_a_time.c", &[POOL], &[&port, &N.to_string()]);
    let pid = p.0.as_ref().unwrap().id();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..N {
        // Each guest thread stays connected (so alive) until this end closes.
        let (c, _) = ls.accept().unwrap();
        seen.extend(tasks(pid));
        drop(c);
    }
    let out = p.finish(LIMIT);
    assert_guest_ok(&out, &["one_at_a_time"]);
    // The main thread plus a few OS threads at most (one more when a spawn comes before the
    // last guest thread's OS thread is back waiting), not one per guest thread.
    assert!(
        seen.len() <= N / 2,
        "{} OS threads for {N} guest threads one after another",
        seen.len()
    );
}

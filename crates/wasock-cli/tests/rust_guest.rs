//! The Rust guest crate (`sdk/rust`, `wasock-guest`): its examples are built for wasm32-wasip1
//! (and -threads) at test time and run under the `wasock` binary against native peers on
//! 127.0.0.1.

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use common::Proc;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

fn wasock() -> PathBuf {
    common::wasock_bin(env!("CARGO_BIN_EXE_wasock"))
}
const LIMIT: Duration = Duration::from_secs(60);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Builds the crate's examples once per target and returns the examples directory.
fn examples(target: &'static str) -> PathBuf {
    static P1: OnceLock<PathBuf> = OnceLock::new();
    static THREADS: OnceLock<PathBuf> = OnceLock::new();
    let cell = if target == "wasm32-wasip1" {
        &P1
    } else {
        &THREADS
    };
    cell.get_or_init(|| {
        let dir = repo().join("sdk/rust");
        let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--examples", "--target", target])
            .current_dir(&dir)
            .output()
            .expect("run cargo");
        assert!(
            out.status.success(),
            "building sdk/rust examples for {target} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir.join("target").join(target).join("release/examples")
    })
    .clone()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Starts a server guest (killed on drop) and waits for its `listening on ADDR` line.
fn server(wasm: &Path, flags: &[&str], args: &[&str]) -> (Proc, SocketAddr) {
    let mut a = strs(flags);
    a.push(wasm.to_string_lossy().into_owned());
    a.extend(strs(args));
    let mut p = Proc::spawn(&wasock(), &a);
    let addr = p.listening();
    (p, addr)
}

fn run(wasm: &Path, flags: &[&str], args: &[&str]) -> Output {
    let mut a = strs(flags);
    a.push(wasm.to_string_lossy().into_owned());
    a.extend(strs(args));
    common::run(&wasock(), &a)
}

fn echo_roundtrips(addr: SocketAddr, clients: usize) {
    let mut conns: Vec<TcpStream> = (0..clients)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    for round in 0..3 {
        for (i, c) in conns.iter_mut().enumerate() {
            c.write_all(format!("client {i} round {round}\n").as_bytes())
                .unwrap();
        }
        for (i, c) in conns.iter_mut().enumerate() {
            c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let want = format!("client {i} round {round}\n");
            let mut got = vec![0u8; want.len()];
            c.read_exact(&mut got).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), want);
        }
    }
}

/// Runs an echo-server example, drives `clients` concurrent native clients through it, and
/// checks the server exits cleanly after serving them.
fn serve_echo(target: &'static str, example: &str, clients: usize) {
    let wasm = examples(target).join(example);
    let count = clients.to_string();
    let (guest, addr) = server(
        &wasm,
        &["--addr-pool=127.0.0.1/32"],
        &["127.0.0.1:0", &count],
    );
    echo_roundtrips(addr, clients);
    let out = guest.finish(LIMIT);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tcp_echo_server_serves_native_client() {
    serve_echo("wasm32-wasip1", "echo_server.wasm", 1);
}

#[test]
fn http_client_resolves_localhost_and_fetches() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = server.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut req = Vec::new();
        let mut byte = [0u8; 1];
        while !req.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
            req.push(byte[0]);
        }
        let req = String::from_utf8_lossy(&req).to_string();
        s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nhello wasock",
        )
        .unwrap();
        req
    });
    let wasm = examples("wasm32-wasip1").join("http_get.wasm");
    let out = run(
        &wasm,
        &[
            "--addr-pool=127.0.0.1/32,::1/128",
            "--allow-resolve=localhost",
        ],
        &["localhost", &port.to_string(), "/greeting"],
    );
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello wasock");
    assert!(handle
        .join()
        .unwrap()
        .starts_with("GET /greeting HTTP/1.1\r\n"));
}

#[test]
fn udp_ping_against_native_echo() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        server
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut buf = [0u8; 100];
        for _ in 0..3 {
            let (n, from) = server.recv_from(&mut buf).unwrap();
            server.send_to(&buf[..n], from).unwrap();
        }
    });
    let wasm = examples("wasm32-wasip1").join("udp_ping.wasm");
    let out = run(
        &wasm,
        &["--addr-pool=127.0.0.1/32"],
        &[&addr.to_string(), "3"],
    );
    handle.join().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for (i, l) in lines.iter().enumerate() {
        assert!(l.starts_with(&format!("pong {i} from {addr}")), "{l}");
    }
}

#[test]
fn poll_server_multiplexes_clients_without_threads() {
    // The server exits once all 10 clients have closed.
    serve_echo("wasm32-wasip1", "poll_echo.wasm", 10);
}

#[test]
fn thread_per_client_server_on_wasip1_threads() {
    serve_echo("wasm32-wasip1-threads", "threaded_echo.wasm", 50);
}

#[test]
fn policy_denial_is_permission_denied() {
    // 127.0.0.2 is loopback but outside the pool: the bind is refused before any syscall.
    let wasm = examples("wasm32-wasip1").join("echo_server.wasm");
    let out = run(&wasm, &["--addr-pool=127.0.0.1/32"], &["127.0.0.2:0", "1"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PermissionDenied"), "{stderr}");
    assert!(
        stderr.contains("wasock: denied bind to 127.0.0.2:0"),
        "{stderr}"
    );
}

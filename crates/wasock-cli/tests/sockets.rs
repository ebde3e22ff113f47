//! Sockets end to end: C guests (the SDK's examples and self-checking programs) compiled at test
//! time, run under `wasock`, talking over 127.0.0.1 / ::1 to native peers (std sockets, curl).
//! Denial tests use other loopback addresses (127.0.0.2), so nothing ever leaves the machine.

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use common::{assert_guest_ok, compile_c, run, Proc};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn wasock() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_wasock"))
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn guest(rel: &str, flags: &[&str], guest_args: &[&str]) -> Output {
    let wasm = compile_c(rel, false);
    let mut a = args(flags);
    a.push(wasm.to_string_lossy().into_owned());
    a.extend(args(guest_args));
    run(&wasock(), &a)
}

fn server(rel: &str, flags: &[&str], guest_args: &[&str]) -> (Proc, std::net::SocketAddr) {
    let wasm = compile_c(rel, false);
    let mut a = args(flags);
    a.push(wasm.to_string_lossy().into_owned());
    a.extend(args(guest_args));
    let mut p = Proc::spawn(&wasock(), &a);
    let addr = p.listening();
    (p, addr)
}

const POOL: &str = "--addr-pool=127.0.0.1/32";

// ---- self-checking guests ----

#[test]
fn tcp_stream_semantics() {
    let out = guest("net/stream.c", &[POOL], &[]);
    assert_guest_ok(
        &out,
        &[
            "peek_read_write",
            "waitall_nosignal_zero",
            "fionread",
            "shutdown_halves",
            "addrlen",
            "accept_null",
            "close",
        ],
    );
}

#[test]
fn nonblocking_sockets() {
    let out = guest("net/nonblock.c", &[POOL], &[]);
    assert_guest_ok(
        &out,
        &[
            "accept_eagain",
            "connect_einprogress",
            "recv_eagain",
            "dontwait",
            "so_error_refused",
        ],
    );
}

#[test]
fn poll_over_100_connections_and_select() {
    assert_guest_ok(
        &guest("net/multiplex.c", &[POOL], &[]),
        &["poll_100", "select"],
    );
}

#[test]
fn receive_timeout_is_eagain() {
    assert_guest_ok(
        &guest("net/timeouts.c", &[POOL], &[]),
        &["rcvtimeo", "sndtimeo"],
    );
}

#[test]
fn every_socket_option_round_trips() {
    assert_guest_ok(
        &guest("net/options.c", &[], &[]),
        &[
            "type_error",
            "booleans",
            "values",
            "linger_timeouts",
            "membership",
            "errors",
        ],
    );
}

#[test]
fn hostile_guest_gets_errnos_not_crashes() {
    assert_guest_ok(
        &guest("net/hostile.c", &[POOL], &[]),
        &["efault", "count_only", "bad_kind", "ebadf", "not_a_socket"],
    );
}

#[test]
fn pool_denials_and_bypass_attempts() {
    let out = guest("net/policy.c", &[POOL], &[]);
    assert_guest_ok(
        &out,
        &["connect_bind", "sendto", "listen_autobind", "mapped_ipv6"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let connect = lines
        .iter()
        .filter(|l| l.starts_with("wasock: denied connect to 127.0.0.2:"))
        .count();
    // Two refused connects to 127.0.0.2 (one IPv4, one IPv4-mapped IPv6) are one distinct denial.
    assert_eq!(connect, 1, "{stderr}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("denied connect to 127.0.0.2:")
                && l.contains("(allow it with --addr-pool=127.0.0.2/32")),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("wasock: denied bind to 0.0.0.0:0")),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("wasock: denied sendto to 127.0.0.2:")),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("wasock: denied listen to 0.0.0.0:0")),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("wasock: denied connect to [::1]:")),
        "{stderr}"
    );
}

#[test]
fn port_ranges_restrict_ports() {
    // Below the kernel's ephemeral range, so no parallel test's listener can sit on 20100.
    let out = guest(
        "net/policy.c",
        &["--addr-pool=127.0.0.1/32:20100-20200"],
        &["ports", "20100", "20200"],
    );
    assert_guest_ok(&out, &["port_range"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("denied connect to 127.0.0.1:20099: port 20099 not in --addr-pool"),
        "{stderr}"
    );
}

#[test]
fn no_pool_denies_everything() {
    let out = guest("examples/c/tcp_client.c", &[], &["127.0.0.1:9", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wasock: denied connect to 127.0.0.1:9: not in --addr-pool"),
        "{stderr}"
    );
    assert!(stderr.contains("Permission denied"), "{stderr}");
}

// ---- examples against native peers ----

fn echo_check(addr: std::net::SocketAddr) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    for msg in ["first line\n", "second, longer line with more bytes\n", "x"] {
        s.write_all(msg.as_bytes()).unwrap();
        let mut got = vec![0u8; msg.len()];
        s.read_exact(&mut got).unwrap();
        assert_eq!(got, msg.as_bytes());
    }
}

#[test]
fn tcp_echo_server_with_native_client() {
    let (p, addr) = server(
        "examples/c/tcp_echo_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=2"],
    );
    assert!(addr.is_ipv4() && addr.port() > 0);
    echo_check(addr);
    echo_check(addr);
    let out = p.finish(LIMIT);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("client 127.0.0.1:").count(), 2, "{stderr}");
}

#[test]
fn tcp_echo_server_over_ipv6() {
    let (p, addr) = server(
        "examples/c/tcp_echo_server.c",
        &["--addr-pool=::1/128"],
        &["[::1]:0", "--count=1"],
    );
    assert!(addr.is_ipv6());
    echo_check(addr);
    assert!(p.finish(LIMIT).status.success());
}

#[test]
fn tcp_client_with_native_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, from) = listener.accept().unwrap();
        let mut msg = String::new();
        s.read_to_string(&mut msg).unwrap(); // the client shuts down its write side
        s.write_all(format!("got {msg}").as_bytes()).unwrap();
        (msg, from)
    });
    let out = guest(
        "examples/c/tcp_client.c",
        &[POOL],
        &[&format!("127.0.0.1:{port}"), "hello native"],
    );
    let (msg, from) = peer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(msg, "hello native");
    assert!(from.ip().is_loopback());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got hello native\n");
}

#[test]
fn udp_echo_server_with_native_client() {
    let (p, addr) = server(
        "examples/c/udp_echo_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=3"],
    );
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    for i in 0..3 {
        let msg = format!("datagram {i}");
        sock.send_to(msg.as_bytes(), addr).unwrap();
        let mut buf = [0u8; 100];
        let (n, from) = sock.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], msg.as_bytes());
        assert_eq!(from, addr);
    }
    assert!(p.finish(LIMIT).status.success());
}

#[test]
fn udp_client_with_native_server() {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        sock.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut buf = [0u8; 100];
        let (n, from) = sock.recv_from(&mut buf).unwrap();
        sock.send_to(b"pong", from).unwrap();
        (String::from_utf8_lossy(&buf[..n]).into_owned(), from)
    });
    let out = guest(
        "examples/c/udp_client.c",
        &[POOL],
        &[&format!("127.0.0.1:{port}"), "ping"],
    );
    let (msg, _from) = peer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(msg, "ping");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("reply from 127.0.0.1:{port}: pong\n")
    );
}

#[test]
fn getaddrinfo_allowed_and_refused() {
    let out = guest(
        "examples/c/resolve.c",
        &["--allow-resolve=localhost"],
        &["localhost", "8080"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l == "127.0.0.1:8080" || l == "[::1]:8080"),
        "{stdout}"
    );

    // Refused before any lookup (so no DNS traffic), with one diagnostic naming the flag.
    let out = guest(
        "examples/c/resolve.c",
        &["--allow-resolve=localhost"],
        &["example.org"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("wasock: denied resolve of example.org: not in --allow-resolve (allow it with --allow-resolve=example.org)"), "{stderr}");
    assert!(
        stderr.contains("getaddrinfo(example.org): System error (see errno): Permission denied"),
        "{stderr}"
    );

    // Literals need no grant and no lookup.
    let out = guest("examples/c/resolve.c", &[], &["::1", "443"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[::1]:443\n");
}

#[test]
fn poll_server_serves_many_clients() {
    let (p, addr) = server(
        "examples/c/poll_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=20"],
    );
    let mut conns: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for round in 0..3 {
        for (i, c) in conns.iter_mut().enumerate() {
            c.write_all(format!("{i}:{round};").as_bytes()).unwrap();
        }
        for (i, c) in conns.iter_mut().enumerate() {
            c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let want = format!("{i}:{round};");
            let mut got = vec![0u8; want.len()];
            c.read_exact(&mut got).unwrap();
            assert_eq!(got, want.as_bytes());
        }
    }
    drop(conns);
    assert!(p.finish(LIMIT).status.success());
}

#[test]
fn curl_fetches_from_the_c_http_server() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: curl is not installed (scripts/setup installs it)");
        return;
    }
    let (p, addr) = server(
        "examples/c/http_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=3"],
    );
    let base = format!("http://{addr}");
    // Two requests on one keep-alive connection, then a 404.
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            &format!("{base}/hello"),
            &format!("{base}/"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.starts_with("hello\n<!doctype html>"), "{body}");
    assert!(body.contains("Hello from WebAssembly"), "{body}");
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("{base}/missing"),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "404");
    assert!(p.finish(LIMIT).status.success());
}

#[test]
fn trace_net_logs_each_call() {
    let out = guest(
        "examples/c/tcp_client.c",
        &[POOL, "--trace-net"],
        &["127.0.0.1:9", "x"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("wasock: trace: sock_open(") && l.ends_with("-> ok")),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("wasock: trace: sock_connect(")
                && l.ends_with("-> ECONNREFUSED (14)")),
        "{stderr}"
    );
}

#[test]
fn examples_print_their_listening_address_first() {
    // Guards the protocol every server test relies on.
    let (mut p, addr) = server(
        "examples/c/udp_echo_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=1"],
    );
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.send_to(b"bye", addr).unwrap();
    let mut buf = [0u8; 8];
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    assert_eq!(sock.recv(&mut buf).unwrap(), 3);
    let status = p.0.as_mut().unwrap().wait().unwrap();
    assert!(status.success());
}

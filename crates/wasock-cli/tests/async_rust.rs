//! Async Rust under wasock: an axum server from unchanged upstream crates (tokio, hyper, axum;
//! tests/guests/rust-axum) built at test time for wasm32-wasip2 (a component; std opens the
//! sockets over wasi:sockets) and for wasm32-wasip1 (wasock-guest's `tokio` feature opens them),
//! served to real clients on 127.0.0.1: with grants and without (denied, with the diagnostic
//! line), with an inbound deny rule, with clients that reset mid-request, and with idle
//! connections (the wasip2 server must not spin).

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use common::{compile_rust_guest, denials, run, show, tcp_echo, udp_echo, Proc};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn wasock() -> PathBuf {
    common::wasock_bin(env!("CARGO_BIN_EXE_wasock"))
}

/// The axum guest built for `target`.
fn axum_guest(target: &str) -> PathBuf {
    compile_rust_guest(&common::repo_root().join("tests/guests/rust-axum"), target)
}

/// The server under `flags`, killed on drop, and the address it listens on.
fn serve(target: &str, flags: &[&str]) -> (Proc, SocketAddr) {
    serve_with(target, flags, &[])
}

/// As `serve`, with the guest arguments `guest_args`.
fn serve_with(target: &str, flags: &[&str], guest_args: &[&str]) -> (Proc, SocketAddr) {
    let mut args: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    args.push(axum_guest(target).to_string_lossy().into_owned());
    args.extend(guest_args.iter().map(|a| a.to_string()));
    let mut p = Proc::spawn(&wasock(), &args);
    let addr = p.listening();
    (p, addr)
}

/// A TCP connection to `to` from the loopback address `from` (socket2 binds the source).
fn connect_from(from: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    s.bind(&SocketAddr::new(from.into(), 0).into())?;
    s.connect_timeout(&to.into(), LIMIT)?;
    let s = TcpStream::from(s);
    s.set_read_timeout(Some(LIMIT))?;
    s.set_write_timeout(Some(LIMIT))?;
    Ok(s)
}

/// Sends one HTTP/1.1 request on `s` (the connection then closes) and returns status line and
/// body.
fn request(mut s: TcpStream, method: &str, path: &str, body: &str) -> (String, String) {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: wasock\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {resp:?}"));
    (head.lines().next().unwrap_or("").to_string(), body.into())
}

/// `GET path` from 127.0.0.1; the response body.
fn get(addr: SocketAddr, path: &str) -> String {
    let (status, body) = request(
        connect_from(Ipv4Addr::LOCALHOST, addr).unwrap(),
        "GET",
        path,
        "",
    );
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    body
}

/// The page, its peer report and an echo, each as the client sees them.
fn assert_serves(addr: SocketAddr) {
    assert_eq!(get(addr, "/"), "hello from axum\n");
    let c = connect_from(Ipv4Addr::LOCALHOST, addr).unwrap();
    let me = c.local_addr().unwrap();
    let (status, body) = request(c, "GET", "/peer", "");
    assert_eq!(
        (status.as_str(), body),
        ("HTTP/1.1 200 OK", format!("{me}\n"))
    );
    let c = connect_from(Ipv4Addr::LOCALHOST, addr).unwrap();
    let (status, body) = request(c, "POST", "/echo", "axum under wasock");
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", "axum under wasock")
    );
}

/// A 300,000-byte echo comes back whole: the response head and a body far past what one
/// write carries (on wasip2 through `p2_writev.rs`, which gathers up to 64 KiB per write).
fn assert_large_echo(addr: SocketAddr) {
    let body: String = (0..300_000u32)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let c = connect_from(Ipv4Addr::LOCALHOST, addr).unwrap();
    let (status, back) = request(c, "POST", "/echo", &body);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        back == body,
        "echo of {} bytes came back as {} bytes",
        body.len(),
        back.len()
    );
}

/// Sends half a request and resets the connection (SO_LINGER 0), from 127.0.0.1.
fn reset_mid_request(addr: SocketAddr, partial: &[u8]) {
    let s = connect_from(Ipv4Addr::LOCALHOST, addr).unwrap();
    (&s).write_all(partial).unwrap();
    socket2::SockRef::from(&s)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(s);
}

/// A client from 127.0.0.2 that the policy refuses gets no response (reset or closed by the
/// host); a client from 127.0.0.1 is then served.
fn assert_refused_then_served(addr: SocketAddr) -> SocketAddr {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    s.bind(&SocketAddr::new(Ipv4Addr::new(127, 0, 0, 2).into(), 0).into())
        .unwrap();
    let refused = s.local_addr().unwrap().as_socket().unwrap();
    match s.connect_timeout(&addr.into(), LIMIT) {
        Ok(()) => {
            let mut c = TcpStream::from(s);
            c.set_read_timeout(Some(LIMIT)).unwrap();
            let mut b = [0u8; 16];
            let res = c
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .and_then(|()| c.read(&mut b));
            assert!(matches!(res, Ok(0) | Err(_)), "refused peer got {res:?}");
        }
        // Screening can reset the connection before the handshake is seen to complete.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("connect from 127.0.0.2: {e}"),
    }
    assert_eq!(get(addr, "/"), "hello from axum\n");
    refused
}

/// CPU seconds (user + system) the process `pid` has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the `(comm)`: state is the first; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let hz = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    ticks as f64 / hz
}

/// The server's CPU use over 2 s with 20 idle connections open (ten that sent nothing, ten
/// kept alive after one request).
fn idle_cpu_seconds(p: &Proc, addr: SocketAddr) -> f64 {
    let mut idle = Vec::new();
    for _ in 0..10 {
        idle.push(connect_from(Ipv4Addr::LOCALHOST, addr).unwrap());
    }
    for _ in 0..10 {
        let mut c = connect_from(Ipv4Addr::LOCALHOST, addr).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: wasock\r\n\r\n")
            .unwrap();
        let mut buf = Vec::new();
        let mut b = [0u8; 256];
        while !String::from_utf8_lossy(&buf).ends_with("hello from axum\n") {
            let n = c.read(&mut b).unwrap();
            assert!(n > 0, "closed: {:?}", String::from_utf8_lossy(&buf));
            buf.extend_from_slice(&b[..n]);
        }
        idle.push(c);
    }
    let pid = p.0.as_ref().unwrap().id();
    let before = cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_seconds(pid) - before;
    // Still serving with all of them open.
    assert_eq!(get(addr, "/"), "hello from axum\n");
    drop(idle);
    used
}

/// The guest as an async client: `connect=PEER` under `flags`.
fn run_client(target: &str, flags: &[String], peer: SocketAddr) -> Output {
    run_action(target, flags, &format!("connect={peer}"))
}

/// The guest run with the one argument `action` under `flags`.
fn run_action(target: &str, flags: &[String], action: &str) -> Output {
    let mut args = flags.to_vec();
    args.push(axum_guest(target).to_string_lossy().into_owned());
    args.push(action.into());
    run(&wasock(), &args)
}

/// An async UDP round trip with the bind, send and recv grants, and denied without `send`.
fn assert_async_udp(target: &str) {
    let peer = udp_echo();
    let bind = "--net=allow bind udp 127.0.0.1".to_string();
    let recv = "--net=allow recv udp 127.0.0.1".to_string();
    let grants = vec![
        bind.clone(),
        format!("--net=allow send udp {peer}"),
        recv.clone(),
    ];
    let out = run_action(target, &grants, &format!("udp={peer}"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("ok udp {peer}\n"),
        "{}",
        show(&out)
    );
    assert!(denials(&out).is_empty(), "{}", show(&out));
    let out = run_action(target, &[bind, recv], &format!("udp={peer}"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "err udp PermissionDenied\n",
        "{}",
        show(&out)
    );
    assert_eq!(
        denials(&out),
        [format!("wasock: denied sendto udp to {peer}: no rule allows it (allow it with --net='allow send udp {peer}')")],
        "{}",
        show(&out)
    );
}

/// An async connect to `peer` without a grant for it fails with PermissionDenied, and the
/// denial names the flag to add.
fn assert_connect_denied(target: &str, peer: SocketAddr) {
    let out = run_client(target, &["--net=allow connect tcp 127.0.0.2".into()], peer);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "err connect PermissionDenied\n",
        "{}",
        show(&out)
    );
    assert_eq!(
        denials(&out),
        [format!("wasock: denied connect tcp to {peer}: no rule allows it (allow it with --net='allow connect tcp {peer}')")],
        "{}",
        show(&out)
    );
}

const SERVER_GRANTS: [&str; 2] = [
    "--net=allow bind tcp 127.0.0.1",
    "--net=allow accept tcp 127.0.0.1",
];

/// The server without a bind grant: its bind fails with PermissionDenied, and the denial line
/// names the flag to add.
fn check_denied_without_a_bind_grant(target: &str) {
    let out = run(
        &wasock(),
        &[
            "--net=allow accept tcp 127.0.0.1".into(),
            axum_guest(target).to_string_lossy().into_owned(),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "err bind PermissionDenied\n",
        "{}",
        show(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(
        denials(&out),
        ["wasock: denied bind tcp to 127.0.0.1:0: no rule allows it (allow it with --net='allow bind tcp 127.0.0.1:0')"],
        "{}",
        show(&out)
    );
}

/// Behind an inbound deny rule the refused client is reset, others are served, and the
/// denial names the rule.
fn check_inbound_deny_rule(target: &str) {
    let (p, addr) = serve(
        target,
        &[
            "--net=allow bind tcp 127.0.0.1",
            "--net=allow accept tcp 127.0.0.0/8",
            "--net=deny accept tcp 127.0.0.2",
        ],
    );
    let refused = assert_refused_then_served(addr);
    assert_serves(addr);
    let out = p.finish(Duration::ZERO);
    assert_eq!(
        denials(&out),
        [format!(
            "wasock: denied accept tcp from {refused}: forbidden by rule `deny accept tcp 127.0.0.2` (--net)"
        )],
        "{}",
        show(&out)
    );
}

/// Clients that reset mid-request do not stop the server.
fn check_survives_resets(target: &str) {
    let (mut p, addr) = serve(target, &SERVER_GRANTS);
    reset_mid_request(addr, b"GET / HTTP/1.1\r\nHost: wa");
    reset_mid_request(
        addr,
        b"POST /echo HTTP/1.1\r\nHost: wasock\r\nContent-Length: 100\r\n\r\nhalf",
    );
    assert_serves(addr);
    assert!(
        p.0.as_mut().unwrap().try_wait().unwrap().is_none(),
        "server exited"
    );
}

#[cfg(feature = "components")]
mod wasip2 {
    use super::*;

    const T: &str = "wasm32-wasip2";

    #[test]
    fn axum_serves_with_grants_and_curl_fetches_pages() {
        let (_p, addr) = serve(T, &SERVER_GRANTS);
        assert_serves(addr);
        assert_large_echo(addr);
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "30", &format!("http://{addr}/")])
            .output()
            .expect("curl");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "hello from axum\n",
            "{}",
            show(&out)
        );
    }

    #[test]
    fn axum_without_a_bind_grant_is_denied_with_the_flag_to_add() {
        check_denied_without_a_bind_grant(T);
    }

    #[test]
    fn axum_behind_an_inbound_deny_rule_resets_the_refused_client_and_serves_others() {
        check_inbound_deny_rule(T);
    }

    #[test]
    fn axum_survives_clients_that_reset_mid_request() {
        check_survives_resets(T);
    }

    #[test]
    fn axum_with_idle_connections_does_not_spin() {
        let (p, addr) = serve(T, &SERVER_GRANTS);
        let used = idle_cpu_seconds(&p, addr);
        // A spinning poller burns about 2 CPU-seconds in 2 s; an idle one next to nothing.
        assert!(
            used < 0.5,
            "{used} CPU-seconds in 2 s with idle connections"
        );
    }

    #[test]
    fn async_udp_with_grants_and_denied_without() {
        assert_async_udp(T);
    }

    #[test]
    fn async_connect_with_a_grant_and_denied_without() {
        let peer = tcp_echo();
        let out = run_client(T, &[format!("--net=allow connect tcp {peer}")], peer);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "ok connect\n",
            "{}",
            show(&out)
        );
        assert_connect_denied(T, peer);
    }
}

/// wasm32-wasip1: the same server with wasock-guest's `tokio` feature opening the sockets.
mod wasip1 {
    use super::*;

    const T: &str = "wasm32-wasip1";

    #[test]
    fn axum_serves_with_grants_and_reports_real_peer_addresses() {
        let (_p, addr) = serve(T, &SERVER_GRANTS);
        assert_serves(addr);
    }

    #[test]
    fn axum_without_a_bind_grant_is_denied_with_the_flag_to_add() {
        check_denied_without_a_bind_grant(T);
    }

    #[test]
    fn axum_behind_an_inbound_deny_rule_resets_the_refused_client_and_serves_others() {
        check_inbound_deny_rule(T);
    }

    #[test]
    fn axum_survives_clients_that_reset_mid_request() {
        check_survives_resets(T);
    }

    #[test]
    fn async_udp_with_grants_and_denied_without() {
        assert_async_udp(T);
    }

    #[test]
    fn async_connect_succeeds_is_refused_and_is_denied() {
        let peer = tcp_echo();
        let grant = |a: SocketAddr| vec![format!("--net=allow connect tcp {a}")];
        let out = run_client(T, &grant(peer), peer);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "ok connect\n",
            "{}",
            show(&out)
        );
        assert!(denials(&out).is_empty(), "{}", show(&out));
        // Nobody listens: the handshake's failure arrives through write readiness.
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let out = run_client(T, &grant(closed), closed);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "err connect ConnectionRefused\n",
            "{}",
            show(&out)
        );
        assert_connect_denied(T, peer);
    }
}

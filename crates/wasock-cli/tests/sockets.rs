//! Sockets end to end: C guests (the SDK's examples and the self-checking programs in
//! `tests/guests/net/`) compiled at test time, run under the `wasock` binary, talking over
//! 127.0.0.1 / ::1 to native peers (std sockets, curl). Denial tests aim at other loopback
//! addresses (127.0.0.2, ::ffff:127.0.0.2), so nothing ever leaves the machine.
//!
//! Every child is killed and reaped on every path (`Wasock` kills on drop), every wait is
//! bounded by `LIMIT`, and no assertion is about how fast anything was.

mod support;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use support::{accept_within, closed_port, connect, run, udp, Wasock};

const POOL: &str = "--addr-pool=127.0.0.1/32";

/// One echo session: several messages (one of 64 KiB, written from a second thread so neither
/// side can block the other), each echoed back exactly. Returns the client's local address.
fn echo_session(addr: SocketAddr) -> SocketAddr {
    let mut s = connect(addr);
    let local = s.local_addr().unwrap();
    let big: Vec<u8> = (0..65536u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let msgs: Vec<Vec<u8>> = vec![
        b"first line\n".to_vec(),
        b"second, longer line with more bytes\n".to_vec(),
        b"x".to_vec(),
        big,
    ];
    for msg in &msgs {
        let mut w = s.try_clone().unwrap();
        let m = msg.clone();
        let writer = std::thread::spawn(move || w.write_all(&m));
        let mut got = vec![0u8; msg.len()];
        s.read_exact(&mut got).unwrap();
        writer.join().unwrap().unwrap();
        assert!(got == *msg, "echo of {} bytes differs", msg.len());
    }
    local
}

// ---- 1, 2: TCP ----

#[test]
fn tcp_echo_server_in_wasm_with_native_clients() {
    let mut server = Wasock::start(
        "examples/c/tcp_echo_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=3"],
    );
    let addr = server.listening();
    assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    assert_ne!(addr.port(), 0, "the real port, not the 0 asked for");
    let clients: Vec<SocketAddr> = (0..3).map(|_| echo_session(addr)).collect();
    let out = server.finish(); // exits by itself after --count=3 connections
    out.assert_success();
    assert_eq!(out.status.code(), Some(0));
    // The server logs each client with the address accept() reported: exactly ours, in order.
    let logged: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("client "))
        .collect();
    let want: Vec<String> = clients.iter().map(|c| format!("client {c}")).collect();
    assert_eq!(logged, want, "{}", out.show());
    assert!(out.denials().is_empty(), "{}", out.show());
}

#[test]
fn tcp_client_in_wasm_with_native_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, from) = accept_within(&listener);
        let mut msg = String::new();
        s.read_to_string(&mut msg).unwrap(); // the client half-closes after sending
        s.write_all(format!("got {msg}").as_bytes()).unwrap();
        (msg, from)
    });
    let out = run(
        "examples/c/tcp_client.c",
        &[POOL],
        &[&format!("127.0.0.1:{port}"), "hello native"],
    );
    out.assert_success(); // first: a failed guest never reaches the peer, whose wait would hide why
    let (msg, from) = peer.join().unwrap();
    assert_eq!(msg, "hello native");
    assert_eq!(from.ip(), Ipv4Addr::LOCALHOST);
    assert_eq!(out.stdout, "got hello native\n");
}

// ---- 3: UDP ----

#[test]
fn udp_echo_server_in_wasm_with_native_client() {
    let mut server = Wasock::start(
        "examples/c/udp_echo_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=4"],
    );
    let addr = server.listening();
    assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    let sock = udp("127.0.0.1:0");
    let big: Vec<u8> = (0..9000u32).map(|i| (i % 253) as u8).collect();
    let msgs: Vec<Vec<u8>> = vec![
        b"datagram 0".to_vec(),
        Vec::new(), // an empty datagram is a datagram too
        big,
        b"datagram 3".to_vec(),
    ];
    for msg in &msgs {
        assert_eq!(sock.send_to(msg, addr).unwrap(), msg.len());
        let mut buf = vec![0u8; 65536];
        let (n, from) = sock.recv_from(&mut buf).unwrap();
        assert_eq!(n, msg.len());
        assert!(
            buf[..n] == msg[..],
            "datagram of {} bytes differs",
            msg.len()
        );
        assert_eq!(from, addr, "the reply comes from the server's address");
    }
    let out = server.finish();
    out.assert_success();
}

#[test]
fn udp_client_in_wasm_with_native_server() {
    let sock = udp("127.0.0.1:0");
    // The reply comes from a different socket, so the guest's recvfrom must report that one.
    let replier = udp("127.0.0.1:0");
    let port = sock.local_addr().unwrap().port();
    let reply_port = replier.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let mut buf = [0u8; 100];
        let (n, from) = sock.recv_from(&mut buf).unwrap();
        replier.send_to(b"pong", from).unwrap();
        (buf[..n].to_vec(), from)
    });
    let out = run(
        "examples/c/udp_client.c",
        &[POOL],
        &[&format!("127.0.0.1:{port}"), "ping"],
    );
    out.assert_success(); // first: a failed guest never reaches the peer, whose wait would hide why
    let (msg, from) = peer.join().unwrap();
    assert_eq!(msg, b"ping");
    assert_eq!(from.ip(), Ipv4Addr::LOCALHOST);
    assert_ne!(from.port(), 0);
    assert_eq!(
        out.stdout,
        format!("reply from 127.0.0.1:{reply_port}: pong\n")
    );
}

// ---- 4: IPv6 ----

#[test]
fn tcp_and_udp_echo_over_ipv6() {
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this host has no ::1");
        return;
    }
    let v6 = "--addr-pool=::1/128";
    let mut server = Wasock::start(
        "examples/c/tcp_echo_server.c",
        &[v6],
        &["[::1]:0", "--count=2"],
    );
    let addr = server.listening();
    assert_eq!(addr.ip(), Ipv6Addr::LOCALHOST);
    let clients = [echo_session(addr), echo_session(addr)];
    let out = server.finish();
    out.assert_success();
    let logged: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("client "))
        .collect();
    assert_eq!(
        logged,
        clients
            .iter()
            .map(|c| format!("client {c}"))
            .collect::<Vec<_>>(),
        "{}",
        out.show()
    );

    let mut server = Wasock::start(
        "examples/c/udp_echo_server.c",
        &[v6],
        &["[::1]:0", "--count=1"],
    );
    let addr = server.listening();
    assert_eq!(addr.ip(), Ipv6Addr::LOCALHOST);
    let sock = udp("[::1]:0");
    sock.send_to(b"over v6", addr).unwrap();
    let mut buf = [0u8; 64];
    let (n, from) = sock.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"over v6"[..], addr));
    server.finish().assert_success();

    // The IPv4 grant does not cover ::1, nor the IPv6 grant 127.0.0.1.
    let out = run(
        "examples/c/tcp_echo_server.c",
        &[POOL],
        &["[::1]:0", "--count=1"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", out.show());
    assert_eq!(
        out.denials(),
        ["wasock: denied bind to [::1]:0: not in --addr-pool (allow it with --addr-pool=::1/128)"]
    );
}

// ---- 5-8: self-contained guests ----

#[test]
fn nonblocking_sockets() {
    run("net/nonblock.c", &[POOL], &[]).assert_oks(&[
        "accept_eagain_empty",
        "connect_einprogress",
        "accept_eagain",
        "recv_eagain",
        "short_read",
        "send_eagain",
        "sock_nonblock",
        "dontwait",
        "so_error_refused",
    ]);
}

const POLL_STEPS: [&str; 6] = [
    "poll_idle",
    "poll_100",
    "poll_pollout",
    "poll_listener",
    "poll_reuse",
    "poll_eof",
];

#[test]
fn poll_over_201_sockets() {
    run("net/multiplex.c", &[POOL], &["poll"]).assert_oks(&POLL_STEPS);
}

#[test]
fn poll_over_201_sockets_without_the_epoll_set() {
    // poll(2) for every call, as for sets of fewer than 16 fds.
    Wasock::start_with_env(
        "net/multiplex.c",
        &[POOL],
        &["poll"],
        &[("WASOCK_EPOLL_MIN_FDS", "1000000")],
    )
    .finish()
    .assert_oks(&POLL_STEPS);
}

#[test]
fn select_with_sets_and_timeouts() {
    run("net/multiplex.c", &[POOL], &["select"]).assert_oks(&["select"]);
}

#[test]
fn receive_timeout_is_eagain() {
    run("net/timeouts.c", &[POOL], &[]).assert_oks(&[
        "rcvtimeo",
        "rcvtimeo_udp_accept",
        "sndtimeo",
    ]);
}

#[test]
fn tcp_stream_semantics() {
    run("net/stream.c", &[POOL], &[]).assert_oks(&[
        "peek_read_write",
        "waitall_nosignal_zero",
        "fionread",
        "shutdown_halves",
        "addrlen",
        "accept_null",
        "close",
    ]);
}

// ---- 9: getaddrinfo ----

#[test]
fn getaddrinfo_allowed_refused_and_literal() {
    let out = run(
        "net/getaddrinfo.c",
        &["--allow-resolve=localhost"],
        &["allowed"],
    );
    out.assert_oks(&["localhost", "hints"]);
    assert!(
        out.stdout.lines().next() == Some("127.0.0.1:8080 stream")
            || out.stdout.lines().next() == Some("[::1]:8080 stream"),
        "{}",
        out.show()
    );
    assert!(out.denials().is_empty(), "{}", out.show());

    // Refused before any lookup (so no DNS traffic): EAI_SYSTEM + EACCES, checked in the guest,
    // and four refusals of one name make exactly one diagnostic.
    let out = run(
        "net/getaddrinfo.c",
        &["--allow-resolve=localhost"],
        &["denied"],
    );
    out.assert_oks(&["denied"]);
    assert_eq!(
        out.denials(),
        ["wasock: denied resolve of example.org: not in --allow-resolve (allow it with --allow-resolve=example.org)"],
        "{}",
        out.show()
    );

    // Literals need no grant and cause no lookup; AI_NUMERICHOST refuses a name by itself.
    let out = run("net/getaddrinfo.c", &[], &["literal"]);
    out.assert_oks(&["literal"]);
    assert_eq!(
        out.stdout,
        "127.0.0.1:443 stream\n[::1]:443 stream\nok literal\n"
    );
    assert!(!out.stderr.contains("wasock:"), "{}", out.show());

    // The example program prints the same refusal through gai_strerror/errno.
    let out = run(
        "examples/c/resolve.c",
        &["--allow-resolve=localhost"],
        &["example.org"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", out.show());
    assert!(
        out.stderr
            .contains("getaddrinfo(example.org): System error (see errno): Permission denied"),
        "{}",
        out.show()
    );
}

/// The guest resolves names as the host's own programs do (here: Python, through the host's
/// C library): `/etc/hosts` names in any case (hosts-file names are case-insensitive, like
/// DNS). The static musl build that once shipped failed `LOCALHOST`.
#[test]
fn getaddrinfo_answers_as_the_hosts_programs_do() {
    const HOST_LOOKUP: &str = r#"
import socket, sys
try:
    r = socket.getaddrinfo(sys.argv[1], 80, type=socket.SOCK_STREAM)
    print("\n".join(sorted(set("ip " + a[4][0] for a in r))))
except socket.gaierror as e:
    print("eai", e.errno)
"#;
    for name in ["localhost", "LOCALHOST", "LocalHost"] {
        let host = Command::new("python3")
            .args(["-c", HOST_LOOKUP, name])
            .output()
            .expect("python3 runs");
        assert!(host.status.success(), "{host:?}");
        let want = String::from_utf8_lossy(&host.stdout).trim().to_string();
        assert!(want.starts_with("ip "), "the host resolves {name}: {want}");
        let out = run(
            "net/getaddrinfo.c",
            &["--allow-resolve=*"],
            &["lookup", name],
        );
        let mut got: Vec<&str> = out.stdout.lines().collect();
        got.sort_unstable();
        got.dedup();
        assert_eq!(got.join("\n"), want, "{name}: {}", out.show());
    }
}

// ---- 10: socket options ----

#[test]
fn every_socket_option_round_trips() {
    // No --addr-pool: options need no grant, except a multicast join (send and recv for the
    // group, docs/network-policy.md).
    let out = run(
        "net/options.c",
        &["--net=allow send,recv udp 224.0.0.251"],
        &[],
    );
    out.assert_oks(&[
        "type_error",
        "booleans",
        "values",
        "linger_timeouts",
        "getter_widths",
        "membership",
        "errors",
    ]);
    // Multicast membership may be unavailable in a sandbox (ENODEV); say which case ran.
    let how = out.stdout.lines().find(|l| l.starts_with("membership "));
    assert!(
        how == Some("membership joined") || how == Some("membership ENODEV"),
        "{}",
        out.show()
    );
    eprintln!("IP_ADD_MEMBERSHIP 224.0.0.251: {}", how.unwrap());
}

// ---- 11: the address pool ----

#[test]
fn pool_denials_and_bypass_attempts() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let native = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, from) = accept_within(&listener);
        let mut got = Vec::new();
        // The guest half-closes after sending, then waits for our close.
        s.read_to_end(&mut got).unwrap();
        drop(s);
        // Exactly one connection reached us: no refused attempt got through.
        listener.set_nonblocking(true).unwrap();
        let more = listener.accept().is_ok();
        (got, from, more)
    });
    let out = run("net/policy.c", &[POOL], &[&native.to_string()]);
    out.assert_oks(&["connect_bind", "sendto", "listen_autobind", "mapped_ipv6"]);
    let (got, from, more) = peer.join().unwrap();
    assert_eq!(got, b"mapped", "{}", out.show());
    assert_eq!(from.ip(), Ipv4Addr::LOCALHOST);
    assert!(!more);

    // One line per distinct (operation, address): the repeated connects to 127.0.0.2:80 (TCP
    // twice, UDP, IPv4-mapped IPv6) are one line, and so on.
    assert_eq!(
        out.denials(),
        [
            "wasock: denied connect to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)",
            "wasock: denied bind to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)",
            "wasock: denied bind to 0.0.0.0:0: not in --addr-pool (allow it with --addr-pool=0.0.0.0/32)",
            "wasock: denied connect to [::1]:80: not in --addr-pool (allow it with --addr-pool=::1/128)",
            "wasock: denied bind to [::]:0: not in --addr-pool (allow it with --addr-pool=::/128)",
            "wasock: denied sendto to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)",
            "wasock: denied listen to 0.0.0.0:0: not in --addr-pool (allow it with --addr-pool=0.0.0.0/32, or bind the socket to an allowed address before listen)",
        ],
        "{}",
        out.show()
    );
    // Nothing else on stderr.
    assert_eq!(out.stderr.lines().count(), 7, "{}", out.show());
}

#[test]
fn port_ranges_restrict_ports() {
    // Below the kernel's ephemeral range, so no parallel test's socket sits on 20100-20200.
    let out = run(
        "net/policy.c",
        &["--addr-pool=127.0.0.1/32:20100-20200"],
        &["ports", "20100", "20200"],
    );
    out.assert_oks(&["port_range"]);
    assert_eq!(
        out.denials(),
        [
            "wasock: denied bind to 127.0.0.1:0: port 0 not in --addr-pool (allow it with --addr-pool=127.0.0.1/32:0)",
            "wasock: denied connect to 127.0.0.1:20099: port 20099 not in --addr-pool (allow it with --addr-pool=127.0.0.1/32:20099)",
            "wasock: denied connect to 127.0.0.1:20201: port 20201 not in --addr-pool (allow it with --addr-pool=127.0.0.1/32:20201)",
            "wasock: denied sendto to 127.0.0.1:20201: port 20201 not in --addr-pool (allow it with --addr-pool=127.0.0.1/32:20201)",
        ],
        "{}",
        out.show()
    );
}

#[test]
fn no_pool_denies_everything() {
    let port = closed_port();
    let out = run(
        "examples/c/tcp_client.c",
        &[],
        &[&format!("127.0.0.1:{port}"), "x"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", out.show());
    assert_eq!(
        out.denials(),
        [format!(
            "wasock: denied connect to 127.0.0.1:{port}: not in --addr-pool (allow it with --addr-pool=127.0.0.1/32)"
        )]
    );
    assert!(
        out.stderr.contains("connect: Permission denied"),
        "{}",
        out.show()
    );
}

// ---- 12: a hostile guest ----

#[test]
fn hostile_guest_gets_errnos_not_crashes() {
    run("net/hostile.c", &[POOL], &[]).assert_oks(&[
        "efault_addr",
        "efault_accept",
        "efault_recv",
        "efault_send",
        "efault_udp",
        "efault_resolve",
        "unterminated",
        "efault_options",
        "exact_fit",
        "count_only",
        "bad_kind",
        "ebadf",
        "not_a_socket",
        "alive",
    ]);
}

// ---- 13: curl against the HTTP example ----

fn curl(args: &[&str]) -> std::process::Output {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn curl_fetches_from_the_c_http_server() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("skipped: curl is not installed (scripts/setup installs it)");
        return;
    }
    let mut server = Wasock::start(
        "examples/c/http_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=4"],
    );
    let addr = server.listening();
    let base = format!("http://{addr}");

    let out = curl(&[&format!("{base}/hello")]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\n");

    // Two URLs in one invocation share one keep-alive connection: curl reports one new
    // connection for the first transfer and none for the second.
    let out = curl(&[
        "-w",
        "[%{http_code} %{num_connects}]",
        &format!("{base}/hello"),
        &format!("{base}/"),
    ]);
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.starts_with("hello\n[200 1]<!doctype html>"), "{body}");
    assert!(body.contains("<h1>Hello from WebAssembly</h1>"), "{body}");
    assert!(body.ends_with("</html>\n[200 0]"), "{body}");

    let out = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &format!("{base}/missing"),
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "404");

    server.finish().assert_success(); // --count=4 requests served
}

// ---- 14: --trace-net ----

#[test]
fn trace_net_logs_each_call() {
    // A refused connect: exactly two socket calls, each one line with its result.
    let port = closed_port();
    let target = format!("127.0.0.1:{port}");
    let out = run(
        "examples/c/tcp_client.c",
        &[POOL, "--trace-net"],
        &[&target, "x"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", out.show());
    let trace = out.trace();
    assert_eq!(trace.len(), 2, "{}", out.show());
    assert!(
        trace[0].starts_with("sock_open(") && trace[0].ends_with(" -> ok"),
        "{}",
        out.show()
    );
    assert!(
        trace[1].starts_with("sock_connect(fd=") && trace[1].ends_with(" -> ECONNREFUSED (14)"),
        "{}",
        out.show()
    );

    // A denied connect is traced with its errno next to the denial line.
    let out = run(
        "examples/c/tcp_client.c",
        &[POOL, "--trace-net"],
        &["127.0.0.2:80", "x"],
    );
    let trace = out.trace();
    assert!(
        trace.len() == 2
            && trace[1].starts_with("sock_connect(")
            && trace[1].ends_with(" -> EACCES (2)"),
        "{}",
        out.show()
    );
    assert_eq!(out.denials().len(), 1, "{}", out.show());

    // A whole exchange: open, connect, send, shutdown, recv until EOF - in that order, all ok.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = accept_within(&listener);
        let mut msg = Vec::new();
        s.read_to_end(&mut msg).unwrap();
        s.write_all(b"reply").unwrap();
    });
    let out = run(
        "examples/c/tcp_client.c",
        &[POOL, "--trace-net"],
        &[&format!("127.0.0.1:{port}"), "traced"],
    );
    out.assert_success();
    peer.join().unwrap();
    let calls: Vec<&str> = out
        .trace()
        .iter()
        .map(|l| l.split('(').next().unwrap())
        .collect();
    let mut want = vec!["sock_open", "sock_connect", "sock_send", "sock_shutdown"];
    want.extend(std::iter::repeat_n(
        "sock_recv",
        calls.len().saturating_sub(4),
    ));
    assert_eq!(calls, want, "{}", out.show());
    assert!(
        calls.len() >= 6,
        "recv of the reply, then of EOF: {}",
        out.show()
    );
    assert!(
        out.trace().iter().all(|l| l.ends_with(" -> ok")),
        "{}",
        out.show()
    );

    // Without the flag, nothing is traced.
    let out = run("examples/c/tcp_client.c", &[POOL], &[&target, "x"]);
    assert!(out.trace().is_empty(), "{}", out.show());
}

// ---- more examples against native peers ----

#[test]
fn poll_server_serves_many_clients() {
    let mut server = Wasock::start(
        "examples/c/poll_server.c",
        &[POOL],
        &["127.0.0.1:0", "--count=20"],
    );
    let addr = server.listening();
    let mut conns: Vec<TcpStream> = (0..20).map(|_| connect(addr)).collect();
    for round in 0..3 {
        for (i, c) in conns.iter_mut().enumerate() {
            c.write_all(format!("{i}:{round};").as_bytes()).unwrap();
        }
        for (i, c) in conns.iter_mut().enumerate() {
            let want = format!("{i}:{round};");
            let mut got = vec![0u8; want.len()];
            c.read_exact(&mut got).unwrap();
            assert_eq!(got, want.as_bytes());
        }
    }
    drop(conns);
    server.finish().assert_success();
}

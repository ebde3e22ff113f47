//! WASI 0.2 components through the `wasock` binary: Rust programs built for wasm32-wasip2 at
//! test time (tests/guests/rust-wasi, tests/guests/rust-net-p2) run under wasock's policy
//! against native peers on 127.0.0.1, with grants (works) and without (denied, with the
//! diagnostic line naming the flag to add).
#![cfg(feature = "components")]

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use common::{compile_rust_guest, denials, run, scratch_dir, show, tcp_echo, udp_echo};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

fn wasock() -> PathBuf {
    common::wasock_bin(env!("CARGO_BIN_EXE_wasock"))
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn net_guest() -> PathBuf {
    compile_rust_guest(
        &common::repo_root().join("tests/guests/rust-net-p2"),
        "wasm32-wasip2",
    )
}

/// Runs the net guest under `flags` with the guest arguments `actions`.
fn run_net(flags: &[String], actions: &[String]) -> Output {
    let mut args: Vec<String> = flags.to_vec();
    args.push(s(&net_guest()));
    args.extend(actions.iter().cloned());
    run(&wasock(), &args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts that the `wasock:` lines on stderr (start-up warnings aside) are exactly `want`.
fn assert_denials(out: &Output, want: &[&str]) {
    assert_eq!(denials(out), want, "{}", show(out));
}

#[test]
fn cli_files_clocks_and_random_run_as_a_component() {
    let wasm = compile_rust_guest(
        &common::repo_root().join("tests/guests/rust-wasi"),
        "wasm32-wasip2",
    );
    let data = scratch_dir("component-cli");
    let args: Vec<String> = [
        format!("--map-dir=/data::{}", s(&data)),
        "--env=GREETING=hi there".into(),
        s(&wasm),
        "dir=/data".into(),
        "ünïcödé".into(),
    ]
    .into();
    let out = run(&wasock(), &args);
    // The guest ends with exit(3), which wasi-libc reports through wasi:cli/exit as `err`
    // (no code): 1, as under wasmtime's own CLI.
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    common::assert_rust_wasi_results(&stdout(&out), &data);
}

#[test]
fn tcp_round_trip_with_a_grant_and_denied_without() {
    let peer = tcp_echo();
    let out = run_net(
        &[format!("--net=allow connect tcp {peer}")],
        &[format!("tcp={peer}")],
    );
    assert_eq!(stdout(&out), "ok tcp\n", "{}", show(&out));
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(denials(&out).is_empty(), "{}", show(&out));

    // The same under WAMR's flag.
    let peer = tcp_echo();
    let out = run_net(
        &["--addr-pool=127.0.0.1/32".into()],
        &[format!("tcp={peer}")],
    );
    assert_eq!(stdout(&out), "ok tcp\n", "{}", show(&out));

    // No grant: the guest sees access denied, stderr names the rule to add.
    let out = run_net(
        &["--net=allow connect tcp 127.0.0.2".into()],
        &[format!("tcp={peer}")],
    );
    assert_eq!(stdout(&out), "err tcp PermissionDenied\n", "{}", show(&out));
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_denials(&out, &[&format!(
            "wasock: denied connect tcp to {peer}: no rule allows it (allow it with --net='allow connect tcp {peer}')"
        )]);
    // A deny rule wins over an allow.
    let out = run_net(
        &[
            "--addr-pool=127.0.0.0/8".into(),
            format!("--net=deny connect tcp {peer}"),
        ],
        &[format!("tcp={peer}")],
    );
    assert_eq!(stdout(&out), "err tcp PermissionDenied\n", "{}", show(&out));
    assert_denials(&out, &[&format!(
            "wasock: denied connect tcp to {peer}: forbidden by rule `deny connect tcp {peer}` (--net)"
        )]);
}

#[test]
fn udp_round_trip_needs_bind_send_and_recv() {
    let grants = |peer: SocketAddr| {
        vec![
            "--net=allow bind udp 127.0.0.1".to_string(),
            format!("--net=allow send udp {peer}"),
            format!("--net=allow recv udp {}", peer.ip()),
        ]
    };
    let peer = udp_echo();
    let out = run_net(&grants(peer), &[format!("udp={peer}")]);
    assert_eq!(stdout(&out), format!("ok udp {peer}\n"), "{}", show(&out));
    assert!(denials(&out).is_empty(), "{}", show(&out));

    // Without the bind grant the explicit bind fails first.
    let out = run_net(&grants(peer)[1..], &[format!("udp={peer}")]);
    assert_eq!(stdout(&out), "err udp PermissionDenied\n", "{}", show(&out));
    assert_denials(&out, &["wasock: denied bind udp to 127.0.0.1:0: no rule allows it (allow it with --net='allow bind udp 127.0.0.1:0')"]);
    // Without the send grant the datagram is refused.
    let out = run_net(&grants(peer)[..1], &[format!("udp={peer}")]);
    assert_eq!(stdout(&out), "err udp PermissionDenied\n", "{}", show(&out));
    assert_denials(&out, &[&format!(
            "wasock: denied sendto udp to {peer}: no rule allows it (allow it with --net='allow send udp {peer}')"
        )]);
}

#[test]
fn connected_udp_needs_connect_not_send() {
    let peer = udp_echo();
    let out = run_net(
        &[
            "--net=allow bind udp 127.0.0.1".into(),
            format!("--net=allow connect udp {peer}"),
            format!("--net=allow recv udp {}", peer.ip()),
        ],
        &[format!("udp-connect={peer}")],
    );
    assert_eq!(stdout(&out), "ok udp-connect\n", "{}", show(&out));
    assert!(denials(&out).is_empty(), "{}", show(&out));

    // Only the connected socket's sends: another socket's send_to the peer needs `send`.
    let peer = udp_echo();
    let out = run_net(
        &[
            "--net=allow bind udp 127.0.0.1".into(),
            format!("--net=allow connect udp {peer}"),
            format!("--net=allow recv udp {}", peer.ip()),
        ],
        &[format!("udp-connect={peer}"), format!("sendto-only={peer}")],
    );
    assert_eq!(
        stdout(&out),
        "ok udp-connect\nerr sendto-only PermissionDenied\n",
        "{}",
        show(&out)
    );
    assert_denials(&out, &[&format!(
            "wasock: denied sendto udp to {peer}: no rule allows it (allow it with --net='allow send udp {peer}')"
        )]);

    // A send grant is not a connect grant (as for preview1).
    let out = run_net(
        &[
            "--net=allow bind udp 127.0.0.1".into(),
            format!("--net=allow send,recv udp {peer}"),
        ],
        &[format!("udp-connect={peer}")],
    );
    assert_eq!(
        stdout(&out),
        "err udp-connect PermissionDenied\n",
        "{}",
        show(&out)
    );
    assert_denials(&out, &[&format!(
            "wasock: denied connect udp to {peer}: no rule allows it (allow it with --net='allow connect udp {peer}')"
        )]);
}

#[test]
fn name_lookup_follows_the_resolve_rules() {
    let out = run_net(
        &["--allow-resolve=localhost".into()],
        &["lookup=localhost".into()],
    );
    assert!(stdout(&out).starts_with("ok lookup "), "{}", show(&out));
    assert!(denials(&out).is_empty(), "{}", show(&out));

    let out = run_net(&[], &["lookup=localhost".into()]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(stdout(&out).starts_with("err lookup "), "{}", show(&out));
    assert_denials(&out, &["wasock: denied resolve of localhost: not in --allow-resolve (allow it with --allow-resolve=localhost)"]);
}

/// A TCP connection to `to` from the loopback address `from` (socket2 binds the source).
fn try_connect_from(from: Ipv4Addr, to: SocketAddr) -> (SocketAddr, std::io::Result<TcpStream>) {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    s.set_write_timeout(Some(LIMIT)).unwrap();
    s.bind(&SocketAddr::new(from.into(), 0).into()).unwrap();
    let local = s.local_addr().unwrap().as_socket().unwrap();
    let conn = s.connect(&to.into()).map(|()| {
        let s = TcpStream::from(s);
        s.set_read_timeout(Some(LIMIT)).unwrap();
        s
    });
    (local, conn)
}

/// A wasock run whose stdout is read line by line as it comes.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Running {
    /// A failed assertion leaves no guest behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(args: &[String]) -> Running {
        let mut child = Command::new(wasock())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Running { child, lines }
    }

    fn line(&self) -> String {
        self.lines.recv_timeout(LIMIT).unwrap_or_default()
    }

    /// Waits (bounded) for the exit; returns the status code and stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        let deadline = std::time::Instant::now() + LIMIT;
        while std::time::Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status.code(), err)
    }
}

/// Serves one client from 127.0.0.1 under `flags` after a client from 127.0.0.2 that the
/// policy refuses (reset or closed by the host, never seen by the guest); returns the refused
/// client's address and wasock's `wasock:` stderr lines.
fn serve_after_a_refused_peer(flags: &[&str]) -> (SocketAddr, Vec<String>) {
    let mut args: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    args.extend([s(&net_guest()), "serve=1".into()]);
    let g = Running::start(&args);
    let line = g.line();
    let addr: SocketAddr = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("got {line:?}"))
        .parse()
        .unwrap();
    let (bad, conn) = try_connect_from(Ipv4Addr::new(127, 0, 0, 2), addr);
    if let Ok(mut c) = conn {
        let mut b = [0u8; 4];
        let res = c.write_all(b"ping").and_then(|()| c.read(&mut b));
        assert!(matches!(res, Ok(0) | Err(_)), "refused peer got {res:?}");
    }
    let (_, conn) = try_connect_from(Ipv4Addr::LOCALHOST, addr);
    let mut c = conn.unwrap();
    let mut b = [0u8; 4];
    c.write_all(b"ping").unwrap();
    c.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"ping");
    assert_eq!(g.line(), "accepted 127.0.0.1");
    assert_eq!(g.line(), "ok serve");
    let (code, stderr) = g.finish();
    assert_eq!(code, Some(0), "{stderr}");
    let lines = stderr
        .lines()
        .filter(|l| l.starts_with("wasock: ") && !l.starts_with("wasock: warning: "))
        .map(String::from)
        .collect();
    (bad, lines)
}

#[test]
fn inbound_peers_no_rule_allows_are_reset_and_never_reach_the_guest() {
    let (bad, lines) = serve_after_a_refused_peer(&[
        "--net=allow bind tcp 127.0.0.1",
        "--net=allow accept tcp 127.0.0.1",
    ]);
    assert_eq!(
        lines,
        [format!(
            "wasock: denied accept tcp from {bad}: no rule allows it (allow it with --net='allow accept tcp 127.0.0.2')"
        )],
    );
}

#[test]
fn inbound_deny_rule_wins_over_allow() {
    let (bad, lines) = serve_after_a_refused_peer(&[
        "--net=allow bind tcp 127.0.0.1",
        "--net=allow accept tcp 127.0.0.0/8",
        "--net=deny accept tcp 127.0.0.2",
    ]);
    assert_eq!(
        lines,
        [format!(
            "wasock: denied accept tcp from {bad}: forbidden by rule `deny accept tcp 127.0.0.2` (--net)"
        )],
    );
}

#[test]
fn server_bind_without_a_grant_is_denied() {
    let out = run_net(&[], &["serve=1".into()]);
    assert_eq!(
        stdout(&out),
        "err serve PermissionDenied\n",
        "{}",
        show(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_denials(&out, &["wasock: denied bind to 127.0.0.1:0: not in --addr-pool (allow it with --addr-pool=127.0.0.1/32)"]);
}

#[test]
fn datagrams_from_refused_sources_are_dropped() {
    // The peer answers first from 127.0.0.2 (refused: dropped before the guest sees it), then
    // from its own address; the guest's one recv_from must get the second.
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(LIMIT)).unwrap();
    let addr = peer.local_addr().unwrap();
    let other = UdpSocket::bind("127.0.0.2:0").unwrap();
    let refused = other.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        if let Ok((n, from)) = peer.recv_from(&mut buf) {
            let _ = other.send_to(b"evil", from);
            let _ = peer.send_to(&buf[..n], from);
        }
    });
    let out = run_net(
        &[
            "--net=allow bind udp 127.0.0.1".into(),
            format!("--net=allow send udp {addr}"),
            "--net=allow recv udp 127.0.0.1".into(),
        ],
        &[format!("udp={addr}")],
    );
    assert_eq!(stdout(&out), format!("ok udp {addr}\n"), "{}", show(&out));
    assert_denials(&out, &[&format!(
            "wasock: denied recv udp from {refused}: no rule allows it (allow it with --net='allow recv udp 127.0.0.2')"
        )]);
}

#[test]
fn components_are_cached_and_compile_ahead_of_time() {
    let cache = scratch_dir("component-cache");
    std::fs::set_permissions(&cache, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let guest = net_guest();
    for _ in 0..2 {
        let out = Command::new(wasock())
            .env("WASOCK_CACHE_DIR", &cache)
            .args(["--allow-resolve=localhost", &s(&guest), "lookup=localhost"])
            .output()
            .unwrap();
        assert!(stdout(&out).starts_with("ok lookup "), "{}", show(&out));
        assert!(out.stderr.is_empty(), "{}", show(&out));
    }
    let entries: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1, "{entries:?}");

    let cwasm = cache.join("guest.cwasm");
    let out = run(
        &wasock(),
        &["compile".into(), s(&guest), "-o".into(), s(&cwasm)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = run(
        &wasock(),
        &[
            "--allow-resolve=localhost".into(),
            s(&cwasm),
            "lookup=localhost".into(),
        ],
    );
    assert!(stdout(&out).starts_with("ok lookup "), "{}", show(&out));
}

#[test]
fn host_pattern_grants_cover_the_addresses_the_name_resolved_to() {
    let peer = tcp_echo();
    let port = peer.port();
    let rule = format!("--net=allow connect tcp localhost:{port}");
    // Resolved first (the rule also allows resolving it): its pinned addresses are granted.
    let out = run_net(
        std::slice::from_ref(&rule),
        &[format!("tcp=localhost:{port}")],
    );
    assert_eq!(stdout(&out), "ok tcp\n", "{}", show(&out));
    assert!(denials(&out).is_empty(), "{}", show(&out));
    // Not resolved: the address alone is granted by nothing.
    let out = run_net(&[rule], &[format!("tcp={peer}")]);
    assert_eq!(stdout(&out), "err tcp PermissionDenied\n", "{}", show(&out));
    assert_denials(&out, &[&format!(
            "wasock: denied connect tcp to {peer}: no rule allows it (allow it with --net='allow connect tcp {peer}')"
        )]);
}

#[test]
fn max_sockets_caps_the_sockets_open_at_once() {
    let bind = "--net=allow bind udp 127.0.0.1".to_string();
    let out = run_net(
        &[bind.clone(), "--max-sockets=2".into()],
        &["hold=2".into(), "cycle=5".into()],
    );
    assert_eq!(stdout(&out), "ok hold 2\nok cycle\n", "{}", show(&out));
    assert!(denials(&out).is_empty(), "{}", show(&out));

    let out = run_net(&[bind, "--max-sockets=2".into()], &["hold=3".into()]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        stdout(&out).starts_with("err hold ") && stdout(&out).ends_with(" after 2\n"),
        "{}",
        show(&out)
    );
    assert_denials(
        &out,
        &["wasock: socket limit reached: 2 sockets open (raise it with --max-sockets=4)"],
    );
}

#[test]
fn ipv6_loopback_and_trace_net() {
    let l = TcpListener::bind("[::1]:0").unwrap();
    let peer = l.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = l.accept() {
            c.set_read_timeout(Some(LIMIT)).unwrap();
            let mut buf = [0u8; 4];
            if c.read_exact(&mut buf).is_ok() {
                let _ = c.write_all(&buf);
            }
        }
    });
    let out = run_net(
        &["--addr-pool=::1/128".into(), "--trace-net".into()],
        &[format!("tcp={peer}")],
    );
    assert_eq!(stdout(&out), "ok tcp\n", "{}", show(&out));
    assert_denials(
        &out,
        &[&format!("wasock: trace: connect(tcp, {peer}) -> ok")],
    );
}

#[test]
fn preview1_only_flags_are_refused_for_components_with_one_line() {
    let guest = s(&net_guest());
    for (args, code, needle) in [
        (
            vec!["-f".to_string(), "main".into(), guest.clone()],
            1,
            "wasock: -f/--function is for core modules",
        ),
        (
            vec!["--hosts-file=/etc/hosts".to_string(), guest.clone()],
            2,
            "wasock: --hosts-file does not apply to components yet",
        ),
    ] {
        let out = run(&wasock(), &args);
        assert_eq!(out.status.code(), Some(code), "{}", show(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{}", show(&out));
        assert!(stderr.starts_with(needle), "{}", show(&out));
        assert!(out.stdout.is_empty(), "{}", show(&out));
    }
}

/// A component wasock cannot run as a command fails before it starts, with one line saying
/// why: one importing an interface wasock lacks (named), one exporting no `wasi:cli/run`, and
/// one cut short. The first two are written here in the component binary format, as the
/// smallest components that show it.
#[test]
fn components_that_cannot_run_fail_with_one_line_naming_why() {
    let dir = scratch_dir("components-cannot-run");
    let header = b"\0asm\x0d\x00\x01\x00".to_vec();
    // type 0: instance { type 0: func(); export "handle": func type 0 }
    let name = b"wasi:http/types@0.2.0";
    let mut types = vec![1, 0x42, 2, 1, 0x40, 0, 1, 0, 4, 0, 6];
    types.extend(b"handle");
    types.extend([1, 0]);
    // import "wasi:http/types@0.2.0": instance of type 0
    let mut imports = vec![1, 0, name.len() as u8];
    imports.extend(name);
    imports.extend([5, 0]);
    let mut http = header.clone();
    http.extend([7, types.len() as u8]);
    http.extend(types);
    http.extend([0x0a, imports.len() as u8]);
    http.extend(imports);
    let real = std::fs::read(net_guest()).expect("net guest");
    for (file, bytes, needle) in [
        (
            "http.wasm",
            http,
            "wasock: cannot run the component: component imports instance `wasi:http/types@0.2.0`, \
             but a matching implementation was not found in the linker",
        ),
        (
            "library.wasm",
            header,
            "wasock: the component exports no `wasi:cli/run@0.2`: it is not a command",
        ),
        (
            "cut.wasm",
            real[..real.len() / 2].to_vec(),
            "not a valid WebAssembly component: ",
        ),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, bytes).expect("write component");
        let out = run(&wasock(), &[s(&path)]);
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{}", show(&out));
        assert!(stderr.contains(needle), "{needle}: {}", show(&out));
        if file == "http.wasm" {
            assert!(stderr.contains("wasock does not provide wasi:http"), "{}", show(&out));
        }
    }
}

/// `wasock` runs no component itself (that machinery stays out of a core module's start): it
/// execs `wasock-component` from its own directory with the same arguments, and names the
/// missing file when it is not there. Core modules need `wasock` alone.
#[test]
fn wasock_hands_components_to_wasock_component_next_to_it() {
    let shipped = wasock();
    let dir = scratch_dir("wasock-alone");
    let place = |from: &Path, name: &str| {
        let to = dir.join(name);
        if std::fs::hard_link(from, &to).is_err() {
            std::fs::copy(from, &to).unwrap();
        }
        to
    };
    let alone = place(&shipped, "wasock");
    let exit7 = dir.join("exit7.wat");
    std::fs::write(
        &exit7,
        r#"(module
            (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
            (memory (export "memory") 1)
            (func (export "_start") (call $exit (i32.const 7))))"#,
    )
    .unwrap();
    let out = run(&alone, &["--no-cache".into(), s(&exit7)]);
    assert_eq!(out.status.code(), Some(7), "{}", show(&out));
    assert!(out.stderr.is_empty(), "{}", show(&out));

    let guest = net_guest();
    let missing = format!(
        "wasock: {} is a WASI 0.2 component, run by wasock-component, which is missing: install \
         {} (built next to wasock by `cargo build --release`)\n",
        s(&guest),
        s(&dir.join("wasock-component"))
    );
    let lookup = [
        "--allow-resolve=localhost".into(),
        s(&guest),
        "lookup=localhost".into(),
    ];
    let out = run(&alone, &lookup);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(String::from_utf8_lossy(&out.stderr), missing);
    assert!(out.stdout.is_empty(), "{}", show(&out));
    let cwasm = dir.join("guest.cwasm");
    let compile = ["compile".into(), s(&guest), "-o".into(), s(&cwasm)];
    let out = run(&alone, &compile);
    assert_eq!(String::from_utf8_lossy(&out.stderr), missing);
    assert!(!cwasm.exists());

    // The host as built, next to it: the same command lines work.
    place(
        &shipped.with_file_name("wasock-component"),
        "wasock-component",
    );
    let out = run(&alone, &lookup);
    assert!(stdout(&out).starts_with("ok lookup "), "{}", show(&out));
    let out = run(&alone, &compile);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(cwasm.exists());
}

/// A `--net-policy` file that can be read only once (a pipe, as `<(...)` gives) reaches the
/// component: wasock hands a component to wasock-component before it reads any flag's file.
#[test]
fn a_policy_file_that_is_a_pipe_reaches_the_component() {
    let peer = tcp_echo();
    let script = format!(
        "exec \"$0\" --net-policy=<(printf 'rules = [\"allow connect tcp {peer}\"]\\n') \"$1\" tcp={peer}"
    );
    let out = Command::new("bash")
        .args(["-c", &script, &s(&wasock()), &s(&net_guest())])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "ok tcp\n", "{}", show(&out));
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// Runs the net guest's `action=ADDR` against a native server at ADDR (127.0.0.1, any port);
/// returns the guest, the server's end of the guest's connection, and both addresses
/// (the server's, the guest's).
fn guest_connected_to_peer(action: &str) -> (Running, TcpStream, SocketAddr, SocketAddr) {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let server_addr = server.local_addr().unwrap();
    let g = Running::start(&[
        "--addr-pool=127.0.0.1/32".into(),
        s(&net_guest()),
        format!("{action}={server_addr}"),
    ]);
    let (peer, guest_addr) = server.accept().unwrap();
    peer.set_read_timeout(Some(LIMIT)).unwrap();
    (g, peer, server_addr, guest_addr)
}

/// Whether the TCP connection of process `pid` from `local` to `peer` has `TCP_NODELAY` set,
/// read from a duplicate of its descriptor (pidfd_getfd: the test is wasock's parent); waits
/// (bounded) for the process to accept the connection.
fn nodelay_in(pid: u32, local: SocketAddr, peer: SocketAddr) -> bool {
    let deadline = std::time::Instant::now() + LIMIT;
    while std::time::Instant::now() < deadline {
        if let Some(on) = nodelay_of(pid, local, peer) {
            return on;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("process {pid} has no connection from {local} to {peer}");
}

/// One look for [`nodelay_in`].
fn nodelay_of(pid: u32, local: SocketAddr, peer: SocketAddr) -> Option<bool> {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: pidfd_open takes a pid and flags; it returns a new descriptor or -1.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    assert!(
        pidfd >= 0,
        "pidfd_open: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: pidfd_open returned a descriptor this process now owns.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as i32) };
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap() {
        let entry = entry.unwrap();
        let target = std::fs::read_link(entry.path()).unwrap_or_default();
        if !target.to_string_lossy().starts_with("socket:") {
            continue;
        }
        let n: i32 = entry.file_name().to_string_lossy().parse().unwrap();
        use std::os::fd::AsRawFd;
        // SAFETY: pidfd_getfd takes a pidfd, a descriptor number of that process and flags;
        // it returns a new descriptor (a duplicate) or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), n, 0) };
        if fd < 0 {
            continue;
        }
        // SAFETY: pidfd_getfd returned a descriptor this process now owns.
        let sock = socket2::Socket::from(unsafe { OwnedFd::from_raw_fd(fd as i32) });
        let ends = (sock.local_addr(), sock.peer_addr());
        if let (Ok(l), Ok(p)) = ends {
            if (l.as_socket(), p.as_socket()) == (Some(local), Some(peer)) {
                return Some(sock.tcp_nodelay().unwrap());
            }
        }
    }
    None
}

/// wasi:sockets 0.2 has no TCP_NODELAY and WASI's writev sends each buffer alone, so wasock
/// sets it on a component's connections (Nagle held hyper's body for the peer's delayed ACK).
#[test]
fn component_tcp_connections_send_without_nagle() {
    // Accepted: the guest's end of a connection to its listener.
    let g = Running::start(&[
        "--addr-pool=127.0.0.1/32".into(),
        s(&net_guest()),
        "serve=1".into(),
    ]);
    let line = g.line();
    let addr: SocketAddr = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("got {line:?}"))
        .parse()
        .unwrap();
    let mut c = TcpStream::connect(addr).unwrap();
    // The guest holds the connection until it has read the ping.
    assert!(nodelay_in(g.child.id(), addr, c.local_addr().unwrap()));
    c.write_all(b"ping").unwrap();
    let mut b = [0u8; 4];
    c.read_exact(&mut b).unwrap();
    assert_eq!(g.finish().0, Some(0));

    // Connected: the guest's socket to a native server, seen while the server holds the reply.
    let (g, mut peer, server_addr, guest_addr) = guest_connected_to_peer("tcp");
    peer.read_exact(&mut b).unwrap();
    assert!(nodelay_in(g.child.id(), guest_addr, server_addr));
    peer.write_all(&b).unwrap();
    assert_eq!(g.line(), "ok tcp");
    assert_eq!(g.finish().0, Some(0));
}

/// `shutdown(SHUT_RD)` ends the input at once, data the peer sent before it included (Linux
/// itself would still hand out what is buffered; WASI says the stream is closed).
#[test]
fn shutdown_of_the_receiving_side_ends_the_input_at_once() {
    let (g, mut peer, _, _) = guest_connected_to_peer("shut-read");
    peer.write_all(b"pingpong").unwrap();
    assert_eq!(g.line(), "ok shut-read 0");
    assert_eq!(g.finish().0, Some(0));
}

/// A guest that reads a non-blocking socket in a loop that never waits still gets its data
/// (the host asks the socket itself, not a readiness the guest's runtime refreshes only while
/// the guest waits).
#[test]
fn a_read_loop_that_never_waits_gets_the_data() {
    let (g, mut peer, _, _) = guest_connected_to_peer("spin-read");
    peer.write_all(b"ping").unwrap();
    assert_eq!(g.line(), "ok spin-read 4");
    assert_eq!(g.finish().0, Some(0));
}

/// After a read that took less than it asked for, a loop that never waits still gets what the
/// peer sends next, and a blocking read is still woken for it.
#[test]
fn after_a_short_read_the_next_bytes_still_arrive() {
    let (g, mut peer, _, _) = guest_connected_to_peer("read-after-short");
    for (round, bytes) in [("first", "ping"), ("second", "pong"), ("third", "last")] {
        peer.write_all(bytes.as_bytes()).unwrap();
        assert_eq!(g.line(), format!("{round} {bytes}"));
    }
    assert_eq!(g.line(), "ok read-after-short");
    assert_eq!(g.finish().0, Some(0));
}

/// A read that stops short at TCP's urgent mark leaves the rest queued: the next blocking read
/// gets it at once, as natively (a host that took every short read for an empty queue, as
/// tokio does, would wait for the peer's next bytes).
#[test]
fn a_read_stopped_at_the_urgent_mark_is_followed_by_the_rest() {
    use std::os::fd::AsRawFd;
    let (g, mut peer, _, _) = guest_connected_to_peer("read-after-wait");
    peer.write_all(b"ab").unwrap();
    // SAFETY: send(2) of one byte from a live buffer on the peer's own socket.
    let sent = unsafe { libc::send(peer.as_raw_fd(), b"c".as_ptr().cast(), 1, libc::MSG_OOB) };
    assert_eq!(sent, 1, "{}", std::io::Error::last_os_error());
    peer.write_all(b"def").unwrap();
    assert_eq!(g.line(), "first ab");
    assert_eq!(g.line(), "second def");
    assert_eq!(g.line(), "ok read-after-wait");
    assert_eq!(g.finish().0, Some(0));
}

/// A connect to a port nobody listens on fails with `ConnectionRefused` (it was reported as
/// `invalid-state`, and wasi-libc aborted the program on it).
#[test]
fn a_refused_connect_is_connection_refused() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = run_net(
        &["--addr-pool=127.0.0.1/32".into()],
        &[format!("tcp={closed}")],
    );
    assert_eq!(
        stdout(&out),
        "err tcp ConnectionRefused\n",
        "{}",
        show(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
}

/// Non-blocking calls asked in a loop that never waits still move on: a write's rest goes out
/// (and `check-write` grants more), a datagram arrives.
#[test]
fn write_and_receive_loops_that_never_wait_move_on() {
    let (g, mut peer, _, _) = guest_connected_to_peer("spin-write");
    let mut got = vec![0u8; 8 << 20];
    peer.read_exact(&mut got).unwrap();
    assert!(got.iter().all(|&b| b == 7));
    peer.write_all(b"ok").unwrap();
    assert_eq!(g.line(), format!("ok spin-write {}", 8 << 20));
    assert_eq!(g.finish().0, Some(0));

    let echo = udp_echo();
    let out = run_net(
        &["--addr-pool=127.0.0.1/32".into()],
        &[format!("spin-udp={echo}")],
    );
    assert_eq!(stdout(&out), "ok spin-udp 4\n", "{}", show(&out));
}

//! Network rules end to end (docs/network-policy.md): `--net` rules by role and protocol,
//! deny over allow, inbound refusals (`accept`, `recv`), grants by host name with DNS pinning
//! (`--hosts-file`), `--max-sockets`, `--net-policy` files, and the `wasock policy` commands.
//!
//! The guest is `tests/guests/net/rules.c`. Every socket is on a loopback address: the guest
//! listens on 127.0.0.1, and native peers that must be refused come from 127.0.0.2/127.0.0.3
//! (bound as a source address before connecting), so nothing ever leaves the machine. Names
//! are answered by a `--hosts-file` and are under `.test` (or refused before any lookup).
//! Every wait is bounded by `LIMIT`, and no assertion is about how fast anything was.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};
use support::common::{self, scratch_dir};
use support::{accept_within, run, udp, wasock_bin, Outcome, Wasock, LIMIT};

const RULES: &str = "net/rules.c";
const IP1: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
const IP2: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const IP3: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);

// ---- native peers ----

/// A TCP connection to `to` from `from` (an ephemeral port on that loopback address, known as
/// soon as it is bound): std has no API for a client's source address, socket2 does. The
/// connect is bounded by `SO_SNDTIMEO`. Its result is returned as is: on loopback the handshake,
/// the guest's accept and a host reset can all happen before `connect()` returns, which then
/// says ECONNRESET.
fn try_connect_from(from: Ipv4Addr, to: SocketAddr) -> (SocketAddr, std::io::Result<TcpStream>) {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    s.set_write_timeout(Some(LIMIT)).unwrap();
    s.bind(&SocketAddr::new(from.into(), 0).into())
        .unwrap_or_else(|e| panic!("bind {from}: {e}"));
    let local = s.local_addr().unwrap().as_socket().unwrap();
    let conn = s.connect(&to.into()).map(|()| {
        let s = TcpStream::from(s);
        s.set_read_timeout(Some(LIMIT)).unwrap();
        s
    });
    (local, conn)
}

fn connect_from(from: Ipv4Addr, to: SocketAddr) -> TcpStream {
    try_connect_from(from, to)
        .1
        .unwrap_or_else(|e| panic!("connect {from} -> {to}: {e}"))
}

/// A client the guest serves (`rules accept`): sends one byte, gets it back. Returns the
/// client's address, which the guest's `peer` line must name.
fn served(addr: SocketAddr, from: Ipv4Addr, g: &Wasock) -> SocketAddr {
    let mut s = connect_from(from, addr);
    let local = s.local_addr().unwrap();
    let mut b = [0u8; 1];
    let res = s.write_all(b"e").and_then(|()| s.read_exact(&mut b));
    assert!(
        res.is_ok() && b == *b"e",
        "client {local} was not served ({res:?}, got {b:?}); stderr:\n{}",
        g.stderr_so_far()
    );
    local
}

/// A client the host must refuse: closed (reset, or EOF) without the guest ever answering.
/// Returns the client's address.
fn assert_refused(from: Ipv4Addr, addr: SocketAddr, g: &Wasock) -> SocketAddr {
    let (local, conn) = try_connect_from(from, addr);
    let mut s = match conn {
        Ok(s) => s,
        // Reset before connect() even returned: refused, and the guest never answered.
        Err(e) if e.kind() == ErrorKind::ConnectionReset => return local,
        Err(e) => panic!("connect {from} -> {addr}: {e}"),
    };
    let _ = s.write_all(b"x"); // may already fail with the reset
    let mut buf = [0u8; 16];
    match s.read(&mut buf) {
        Ok(0) => {}
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
            ) => {}
        Ok(n) => panic!(
            "refused client {local} got {:?} back: the guest served it; stderr:\n{}",
            &buf[..n],
            g.stderr_so_far()
        ),
        Err(e) => panic!(
            "refused client {local} was neither reset nor closed within {LIMIT:?} ({e}); stderr:\n{}",
            g.stderr_so_far()
        ),
    }
    local
}

/// Waits (at most `LIMIT`) until stderr contains `want`; returns stderr.
fn wait_for_stderr(g: &Wasock, want: &str) -> String {
    let deadline = Instant::now() + LIMIT;
    loop {
        let s = g.stderr_so_far();
        if s.contains(want) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "stderr lacks {want:?} after {LIMIT:?}:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The guest's `peer ADDR` lines.
fn peers(out: &Outcome) -> Vec<&str> {
    out.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("peer "))
        .collect()
}

/// Every `wasock: socket limit reached` line, each of which must name `n` sockets.
fn limit_lines(out: &Outcome, n: usize) -> usize {
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("wasock: socket limit reached"))
        .collect();
    let want = format!("wasock: socket limit reached: {n} sockets open");
    assert!(lines.iter().all(|l| l.starts_with(&want)), "{}", out.show());
    lines.len()
}

/// A native TCP listener on 127.0.0.1 that takes `n` connections, reads each to EOF, and then
/// checks that no further connection came. Join for the messages, in order.
fn native_sink(n: usize) -> (u16, std::thread::JoinHandle<(Vec<String>, bool)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut msgs = Vec::new();
        for _ in 0..n {
            let (mut s, from) = accept_within(&listener);
            assert_eq!(from.ip(), IP1);
            let mut m = String::new();
            s.read_to_string(&mut m).unwrap();
            msgs.push(m);
        }
        listener.set_nonblocking(true).unwrap();
        let more = listener.accept().is_ok();
        (msgs, more)
    });
    (port, h)
}

fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `wasock ARGS` with no guest (the `policy` commands), killed after 60 s.
fn wasock(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    common::run(&wasock_bin(), &args)
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ---- 1: accept ----

#[test]
fn accept_role_resets_unlisted_peers() {
    let mut g = Wasock::start(
        RULES,
        &[
            "--net=allow bind tcp 127.0.0.1",
            "--net=allow accept tcp 127.0.0.1",
        ],
        &["accept", "1"],
    );
    let addr = g.listening();
    // Two refused peers from two ports of 127.0.0.2: one denial line (keyed by the peer's IP),
    // and the guest's one accept() goes on waiting through both.
    let bad = assert_refused(IP2, addr, &g);
    assert_refused(IP2, addr, &g);
    let good = served(addr, IP1, &g);
    let out = g.finish();
    out.assert_oks(&["accepted"]);
    assert_eq!(peers(&out), [good.to_string()], "{}", out.show());
    assert_eq!(
        out.denials(),
        [format!(
            "wasock: denied accept tcp from {bad}: no rule allows it (allow it with --net='allow accept tcp 127.0.0.2')"
        )],
        "{}",
        out.show()
    );
    assert!(!out.stderr.contains("wasock: warning:"), "{}", out.show());
}

#[test]
fn accept_deny_rule_wins_over_allow() {
    let (out, bad) = deny_wins_accept("accept", &DENY_WINS, |a| a.to_string());
    assert_denied_by_deny_rule(&out, bad);
}

/// The one denial `DENY_WINS` gives the refused client `bad`: the deny rule decides.
fn assert_denied_by_deny_rule(out: &Outcome, bad: SocketAddr) {
    assert_eq!(
        out.denials(),
        [format!(
            "wasock: denied accept tcp from {bad}: forbidden by rule `deny accept tcp 127.0.0.2` (--net)"
        )],
        "{}",
        out.show()
    );
}

/// `rules MODE 2` under `flags` that allow 127.0.0.0/8 but deny 127.0.0.2: the client from .2
/// is reset, then .3 and .1 are served, and the guest saw exactly those two, as `shown` prints
/// them. Returns the run and the refused client's address.
fn deny_wins_accept(
    mode: &str,
    flags: &[&str],
    shown: fn(SocketAddr) -> String,
) -> (Outcome, SocketAddr) {
    let mut g = Wasock::start(RULES, flags, &[mode, "2"]);
    let addr = g.listening();
    let bad = assert_refused(IP2, addr, &g);
    let three = served(addr, IP3, &g);
    let one = served(addr, IP1, &g);
    let out = g.finish();
    out.assert_oks(&["accepted"]);
    assert_eq!(peers(&out), [shown(three), shown(one)], "{}", out.show());
    (out, bad)
}

/// The three rules of [`deny_wins_accept`], as `--net` flags.
const DENY_WINS: [&str; 3] = [
    "--net=allow bind tcp 127.0.0.1",
    "--net=allow accept tcp 127.0.0.0/8",
    "--net=deny accept tcp 127.0.0.2",
];

#[test]
fn poll_server_gets_eagain_not_refused_peers() {
    // A non-blocking listener under poll(): a refused peer wakes poll(), and the guest's accept()
    // must then say EAGAIN (not hand it over); the example server counts only served clients.
    let mut g = Wasock::start(
        "examples/c/poll_server.c",
        &[
            "--net=allow bind tcp 127.0.0.1",
            "--net=allow accept tcp 127.0.0.1",
        ],
        &["127.0.0.1:0", "--count=2"],
    );
    let addr = g.listening();
    let bad = assert_refused(IP2, addr, &g);
    for _ in 0..2 {
        let mut s = connect_from(IP1, addr);
        s.write_all(b"ping").unwrap();
        let mut got = [0u8; 4];
        s.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
    }
    let out = g.finish(); // exits after --count=2 closed (served) connections
    out.assert_success();
    assert_eq!(
        out.denials(),
        [format!(
            "wasock: denied accept tcp from {bad}: no rule allows it (allow it with --net='allow accept tcp 127.0.0.2')"
        )],
        "{}",
        out.show()
    );
}

#[test]
fn ipv4_rules_judge_ipv4_mapped_peers() {
    // A dual-stack listener sees 127.0.0.x peers as ::ffff:127.0.0.x: the IPv4 rules still
    // decide (the bind of ::ffff:127.0.0.1, too, is judged as 127.0.0.1).
    let (out, bad) = deny_wins_accept("accept-mapped", &DENY_WINS, |a| {
        format!("[::ffff:{}]:{}", a.ip(), a.port())
    });
    assert_denied_by_deny_rule(&out, bad);
}

#[test]
fn bind_alone_accepts_nobody() {
    // The doc's example: a bind grant without an accept rule refuses every peer (and warns).
    let mut g = Wasock::start(RULES, &["--net=allow bind tcp 127.0.0.1"], &["accept", "1"]);
    let addr = g.listening();
    let me = assert_refused(IP1, addr, &g);
    let stderr = wait_for_stderr(
        &g,
        &format!(
            "wasock: denied accept tcp from {me}: no rule allows it (allow it with --net='allow accept tcp 127.0.0.1')"
        ),
    );
    assert!(stderr.contains("wasock: warning:"), "{stderr}");
    assert!(!stderr.contains("FAIL"), "accept() must not fail: {stderr}");
    // Dropping `g` kills the guest, still waiting in accept().
}

// ---- 2: recv ----

#[test]
fn recv_role_drops_unlisted_datagrams() {
    let mut g = Wasock::start(
        RULES,
        &[
            "--net=allow bind udp 127.0.0.1",
            "--net=allow recv udp 127.0.0.1",
        ],
        &["recv"],
    );
    let addr = g.listening();
    let good = udp("127.0.0.1:0");
    // A refused datagram before each allowed one, each from another port of 127.0.0.2; the
    // queue keeps their order, so each receive call must skip exactly one refused datagram.
    let bads: Vec<_> = (0..3).map(|_| udp("127.0.0.2:0")).collect();
    for (i, bad) in bads.iter().enumerate() {
        bad.send_to(format!("bad{i}").as_bytes(), addr).unwrap();
        good.send_to(format!("good{i}").as_bytes(), addr).unwrap();
    }
    let out = g.finish();
    out.assert_oks(&["recv"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[1..],
        [
            format!("recvfrom good0 {}", good.local_addr().unwrap()),
            "recv good1".to_string(),
            "read good2".to_string(),
            "ok recv".to_string(),
        ],
        "{}",
        out.show()
    );
    assert_eq!(
        out.denials(),
        [format!(
            "wasock: denied recv udp from {}: no rule allows it (allow it with --net='allow recv udp 127.0.0.2')",
            bads[0].local_addr().unwrap()
        )],
        "{}",
        out.show()
    );
}

// ---- 3: outbound roles, protocols, deny over allow ----

#[test]
fn outbound_rules_match_role_protocol_and_port() {
    let (tport, tcp_peer) = native_sink(1);
    let usock = udp("127.0.0.1:0");
    let uport = usock.local_addr().unwrap().port();
    let out = run(
        RULES,
        &[
            &format!("--net=allow connect tcp 127.0.0.1:{tport}"),
            &format!("--net=allow send udp 127.0.0.1:{uport}"),
        ],
        &["outbound", &tport.to_string(), &uport.to_string()],
    );
    out.assert_oks(&[
        "connect_tcp",
        "connect_proto_port",
        "send_udp",
        "send_is_not_connect",
    ]);
    let (msgs, more) = tcp_peer.join().unwrap();
    assert_eq!(msgs, ["tcp"]);
    assert!(!more, "a refused connect reached the listener");
    let mut buf = [0u8; 16];
    let (n, from) = usock.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from.ip()), (&b"udp"[..], IP1.into()));
    usock.set_nonblocking(true).unwrap();
    assert!(
        usock.recv_from(&mut buf).is_err(),
        "a refused datagram arrived"
    );
    // The line names the call (`sendto`, as in the --addr-pool messages), the fix the role.
    let hint = |role: &str, proto: &str, target: String| {
        let call = if role == "send" { "sendto" } else { role };
        format!(
            "wasock: denied {call} {proto} to {target}: no rule allows it (allow it with --net='allow {role} {proto} {target}')"
        )
    };
    assert_eq!(
        out.denials(),
        [
            hint("connect", "udp", format!("127.0.0.1:{tport}")),
            hint("connect", "tcp", format!("127.0.0.1:{uport}")),
            hint("send", "udp", format!("127.0.0.1:{tport}")),
            hint("send", "udp", format!("127.0.0.2:{uport}")),
            hint("connect", "udp", format!("127.0.0.1:{uport}")),
        ],
        "{}",
        out.show()
    );
}

#[test]
fn connect_deny_wins_ipv4_mapped_included() {
    let (tport, peer) = native_sink(2);
    let out = run(
        RULES,
        &[
            "--net=allow connect any 127.0.0.0/8",
            "--net=deny connect tcp 127.0.0.3",
        ],
        &["deny", &tport.to_string()],
    );
    out.assert_oks(&["deny_wins", "mapped"]);
    let (msgs, more) = peer.join().unwrap();
    assert_eq!(msgs, ["v4", "mapped"]);
    assert!(!more);
    let denials = out.denials();
    assert_eq!(denials.len(), 3, "{}", out.show());
    assert_eq!(
        denials[..2],
        [
            "wasock: denied connect tcp to 127.0.0.3:80: forbidden by rule `deny connect tcp 127.0.0.3` (--net)",
            // ::ffff:127.0.0.3 is 127.0.0.3, and is shown so
            "wasock: denied connect tcp to 127.0.0.3:81: forbidden by rule `deny connect tcp 127.0.0.3` (--net)",
        ],
        "{}",
        out.show()
    );
    assert!(
        denials[2].starts_with(&format!(
            "wasock: denied connect tcp to [::1]:{tport}: no rule allows it"
        )),
        "{}",
        out.show()
    );
}

// ---- 4: host patterns and DNS pinning ----

#[test]
fn host_pattern_grants_pinned_addresses_only() {
    let dir = scratch_dir("pin");
    // evil.invalid is listed too, so that even a wrongly allowed lookup never reaches DNS.
    let hosts = write_file(
        &dir,
        "hosts",
        "# test resolver stub\n127.0.0.1 api.test\n127.0.0.1 evil.invalid\n",
    );
    let (tport, peer) = native_sink(2);
    let mut g = Wasock::start_with_stdin(
        RULES,
        &[
            &format!("--hosts-file={}", hosts.display()),
            "--net=allow connect tcp *.test",
        ],
        &["pin", &tport.to_string()],
    );
    g.expect_line("ok before_resolve");
    g.expect_line("ok unmatched_name");
    g.expect_line("ok after_resolve");
    g.expect_line("ready rebind");
    // Rebind api.test (atomically: a lookup never sees half a file).
    let tmp = write_file(
        &dir,
        "hosts.new",
        "127.0.0.2 api.test\n127.0.0.1 evil.invalid\n",
    );
    std::fs::rename(&tmp, &hosts).unwrap();
    g.send_line("go");
    let out = g.finish();
    out.assert_oks(&[
        "before_resolve",
        "unmatched_name",
        "after_resolve",
        "rebind",
    ]);
    let (msgs, more) = peer.join().unwrap();
    assert_eq!(msgs, ["pinned", "again"]);
    assert!(!more);
    let denials = out.denials();
    let has = |prefix: &str| denials.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(
        has(&format!(
            "wasock: denied connect tcp to 127.0.0.1:{tport}: "
        )),
        1,
        "{}",
        out.show()
    );
    assert_eq!(
        has(&format!(
            "wasock: denied connect tcp to 127.0.0.2:{tport}: "
        )),
        1,
        "{}",
        out.show()
    );
    assert_eq!(
        denials
            .iter()
            .filter(|l| l.starts_with("wasock: denied resolve") && l.contains("evil.invalid"))
            .count(),
        1,
        "{}",
        out.show()
    );
    assert!(
        !denials.iter().any(|l| l.contains("api.test")),
        "{}",
        out.show()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 5: quotas ----

#[test]
fn max_sockets_caps_socket_calls() {
    let out = run(RULES, &["--max-sockets=3"], &["quota"]);
    out.assert_oks(&["quota_full", "quota_freed"]);
    // Three refusals, one line.
    assert_eq!(limit_lines(&out, 3), 1, "{}", out.show());
}

#[test]
fn max_sockets_resets_connections_over_the_quota() {
    let mut g = Wasock::start(
        RULES,
        &[
            "--max-sockets=2",
            "--net=allow bind tcp 127.0.0.1",
            "--net=allow accept tcp 127.0.0.1",
        ],
        &["accept-quota"],
    );
    let addr = g.listening();
    let first = served(addr, IP1, &g); // listener + this connection: 2 sockets
    g.expect_line(&format!("peer {first}"));
    assert_refused(IP1, addr, &g); // over the quota: reset by the host
    g.expect_line("accept EMFILE");
    let third = served(addr, IP1, &g); // the guest closed the first: room again
    let out = g.finish();
    out.assert_oks(&["accept_quota"]);
    assert_eq!(
        peers(&out),
        [first.to_string(), third.to_string()],
        "{}",
        out.show()
    );
    assert_eq!(limit_lines(&out, 2), 1, "{}", out.show());
    assert!(out.denials().is_empty(), "{}", out.show());
}

// ---- 6: policy files ----

const POLICY: &str = r#"# The accept test's rules, one of them as a table.
rules = [
  "allow bind tcp 127.0.0.1",
  { action = "allow", roles = ["accept"], protocol = "tcp", target = "127.0.0.0/8" },
  "deny accept tcp 127.0.0.2",
]
"#;

#[test]
fn policy_file_rules_and_quota() {
    let dir = scratch_dir("policy");
    let file = write_file(&dir, "policy.toml", POLICY);
    let flag = format!("--net-policy={}", file.display());
    // Rule 3 (the table) is the only one allowing 127.0.0.3; rule 5 is the deny.
    let (out, bad) = deny_wins_accept("accept", &[&flag], |a| a.to_string());
    assert_eq!(
        out.denials(),
        [format!(
            "wasock: denied accept tcp from {bad}: forbidden by rule `deny accept tcp 127.0.0.2` ({}:5)",
            file.display()
        )],
        "{}",
        out.show()
    );

    // max-sockets from a file.
    let quota = write_file(&dir, "quota.toml", "max-sockets = 3\n");
    let out = run(
        RULES,
        &[&format!("--net-policy={}", quota.display())],
        &["quota"],
    );
    out.assert_oks(&["quota_full", "quota_freed"]);
    assert_eq!(limit_lines(&out, 3), 1, "{}", out.show());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- 7: the command line ----

/// `wasock policy explain ARGS`: (exit status, stdout, stderr).
fn explain(args: &[&str]) -> (Option<i32>, String, String) {
    let mut a = vec!["policy", "explain"];
    a.extend_from_slice(args);
    let out = wasock(&a);
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

/// Asserts `explain ARGS` exits `code` with a first stdout line equal to `first`.
fn explains(args: &[&str], code: i32, first: &str) {
    let (status, stdout, stderr) = explain(args);
    assert_eq!(
        (status, stdout.lines().next().unwrap_or("")),
        (Some(code), first),
        "policy explain {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

#[test]
fn policy_explain_names_the_deciding_rule() {
    let allow = "allow connect tcp 10.0.0.0/8";
    let deny = "deny connect tcp 10.1.0.0/16";
    // The doc's example, exactly.
    let (status, stdout, stderr) = explain(&[allow, deny, "connect", "tcp", "10.1.2.3:80"]);
    assert_eq!(status, Some(1), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "connect tcp 10.1.2.3:80: denied by rule 2 `deny connect tcp 10.1.0.0/16` (argument 2)\n  \
         also matched: rule 1 `allow connect tcp 10.0.0.0/8` (argument 1); deny wins over allow\n"
    );
    let (status, stdout, stderr) = explain(&[allow, deny, "connect", "tcp", "10.2.0.1:80"]);
    assert_eq!(status, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "connect tcp 10.2.0.1:80: allowed by rule 1 `allow connect tcp 10.0.0.0/8` (argument 1)\n"
    );
    // PROTO defaults to tcp.
    explains(
        &[allow, "connect", "10.2.0.1:80"],
        0,
        "connect tcp 10.2.0.1:80: allowed by rule 1 `allow connect tcp 10.0.0.0/8` (argument 1)",
    );
    // Default deny: no rule; another protocol; another role.
    explains(
        &["connect", "tcp", "10.0.0.1:80"],
        1,
        "connect tcp 10.0.0.1:80: denied: no rule matches (default deny)",
    );
    explains(
        &[allow, "connect", "udp", "10.0.0.1:53"],
        1,
        "connect udp 10.0.0.1:53: denied: no rule matches (default deny)",
    );
    explains(
        &[allow, "send", "tcp", "10.0.0.1:80"],
        1,
        "send tcp 10.0.0.1:80: denied: no rule matches (default deny)",
    );
    // (arguments, exit status): ports, IPv6 targets, and IPv4-mapped addresses, which are the
    // IPv4 address.
    let ports = "allow connect tcp 127.0.0.1:8000-8100";
    let v6 = "allow connect tcp [::1]/128:443";
    let cases: &[(&[&str], i32)] = &[
        (&[ports, "connect", "tcp", "127.0.0.1:8100"], 0),
        (&[ports, "connect", "tcp", "127.0.0.1:8101"], 1),
        (&[v6, "connect", "tcp", "[::1]:443"], 0),
        (&[v6, "connect", "tcp", "[::1]:80"], 1),
        (&[allow, "connect", "tcp", "[::ffff:10.0.0.1]:80"], 0),
        (
            &[
                "allow connect tcp ::/0",
                "connect",
                "tcp",
                "[::ffff:10.0.0.1]:80",
            ],
            1,
        ),
    ];
    for (args, code) in cases {
        assert_eq!(explain(args).0, Some(*code), "{args:?}");
    }
    // Rules from --net, --addr-pool (which allows accept from anyone), --allow-resolve.
    let (status, stdout, stderr) = explain(&[
        "--net=allow connect udp 10.0.0.0/8",
        "connect",
        "udp",
        "10.0.0.1:53",
    ]);
    assert_eq!(status, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.starts_with(
            "connect udp 10.0.0.1:53: allowed by rule 1 `allow connect udp 10.0.0.0/8`"
        ),
        "{stdout}"
    );
    let pool = "--addr-pool=127.0.0.1/32";
    let resolve = "--allow-resolve=localhost";
    let cases: &[(&[&str], i32)] = &[
        (&[pool, "accept", "tcp", "127.0.0.9:5000"], 0),
        (&[pool, "connect", "tcp", "127.0.0.1:80"], 0),
        (&[pool, "connect", "tcp", "127.0.0.9:80"], 1),
        (&[resolve, "resolve", "localhost"], 0),
        (&[resolve, "resolve", "api.test"], 1),
    ];
    for (args, code) in cases {
        assert_eq!(explain(args).0, Some(*code), "{args:?}");
    }
    // A policy file: the table-form rule shows in the rule syntax.
    let dir = scratch_dir("explain");
    let file = write_file(&dir, "policy.toml", POLICY);
    let flag = format!("--net-policy={}", file.display());
    let (status, stdout, stderr) = explain(&[&flag, "accept", "tcp", "127.0.0.2:4000"]);
    assert_eq!(status, Some(1), "{stdout}{stderr}");
    assert!(
        stdout
            .starts_with("accept tcp 127.0.0.2:4000: denied by rule 3 `deny accept tcp 127.0.0.2`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("also matched: rule 2 `allow accept tcp 127.0.0.0/8`"),
        "{stdout}"
    );
    assert_eq!(
        explain(&[&flag, "accept", "tcp", "127.0.0.3:4000"]).0,
        Some(0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn policy_explain_host_patterns_need_a_pin() {
    let rule = "allow connect tcp *.test:443";
    let pin = "--pin=api.test=127.0.0.1";
    explains(
        &[pin, rule, "connect", "tcp", "127.0.0.1:443"],
        0,
        "connect tcp 127.0.0.1:443: allowed by rule 1 `allow connect tcp *.test:443` (argument 1)",
    );
    // Without the pin, an address is not a name.
    explains(
        &[rule, "connect", "tcp", "127.0.0.1:443"],
        1,
        "connect tcp 127.0.0.1:443: denied: no rule matches (default deny)",
    );
    // The pin grants its address on the rule's ports only, and a name off the pattern nothing.
    assert_eq!(
        explain(&[pin, rule, "connect", "tcp", "127.0.0.1:80"]).0,
        Some(1)
    );
    assert_eq!(
        explain(&[pin, rule, "connect", "tcp", "127.0.0.2:443"]).0,
        Some(1)
    );
    assert_eq!(
        explain(&[
            "--pin=api.example=127.0.0.1",
            rule,
            "connect",
            "tcp",
            "127.0.0.1:443"
        ])
        .0,
        Some(1)
    );
    // An allow rule with a host pattern allows resolving the names it matches.
    assert_eq!(explain(&[rule, "resolve", "api.test"]).0, Some(0));
    assert_eq!(explain(&[rule, "resolve", "evil.invalid"]).0, Some(1));
}

#[test]
fn policy_explain_bad_arguments_exit_2() {
    for args in [
        &[
            "allow conect tcp 10.0.0.0/8",
            "connect",
            "tcp",
            "10.0.0.1:80",
        ][..],
        &["frob", "tcp", "10.0.0.1:80"][..],
        &["connect", "tcp", "10.0.0.256:80"][..],
        &["--pin=api.test", "connect", "tcp", "10.0.0.1:80"][..],
        &[][..],
    ] {
        let (status, stdout, stderr) = explain(args);
        assert_eq!(
            status,
            Some(2),
            "policy explain {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        assert!(!stderr.is_empty(), "policy explain {args:?}: no message");
    }
    let (_, _, stderr) = explain(&[
        "allow conect tcp 10.0.0.0/8",
        "connect",
        "tcp",
        "10.0.0.1:80",
    ]);
    assert!(stderr.contains("conect"), "{stderr}");
}

#[test]
fn policy_check_reports_file_line_col() {
    let dir = scratch_dir("check");
    let good = write_file(&dir, "good.toml", POLICY);
    let out = wasock(&["policy", "check", good.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout, format!("{}: ok, 3 rules\n", good.display()));

    // Each bad file: (text, the lines expected to be reported, a word each message names; `|`
    // separates alternatives).
    let cases: &[(&str, &[(usize, &str)])] = &[
        // a bad role in a rule string
        (
            "# comment\nrules = [\n  \"allow conect tcp 127.0.0.1\",\n]\n",
            &[(3, "conect")],
        ),
        // a bad role in a table
        (
            "rules = [\n  \"allow connect tcp 127.0.0.1:80\",\n  { action = \"allow\", roles = [\"acept\"], target = \"127.0.0.1\" },\n]\n",
            &[(3, "acept")],
        ),
        // two bad rules: each is one line
        (
            "rules = [\n  \"allow connect tcp 127.0.0.1:80\",\n  \"allow conect tcp 127.0.0.1\",\n  \"permit accept tcp 127.0.0.1\",\n]\n",
            &[(3, "conect"), (4, "permit")],
        ),
        // a value of the wrong type
        (
            "rules = []\nmax-sockets = \"many\"\n",
            &[(2, "max-sockets|many")],
        ),
    ];
    for (i, (toml, want)) in cases.iter().enumerate() {
        let file = write_file(&dir, &format!("bad{i}.toml"), toml);
        let name = file.display().to_string();
        let out = wasock(&["policy", "check", &name]);
        let (stdout, stderr) = text(&out);
        let show = format!("{toml}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        assert_eq!(out.status.code(), Some(1), "{show}");
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| {
                // FILE:LINE:COL: message
                let Some(rest) = l.strip_prefix(&format!("{name}:")) else {
                    return false;
                };
                let mut parts = rest.splitn(3, ':');
                let (line, col) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let message = parts.next().unwrap_or("").trim_start();
                !message.starts_with("warning")
                    && !line.is_empty()
                    && line.bytes().all(|b| b.is_ascii_digit())
                    && !col.is_empty()
                    && col.bytes().all(|b| b.is_ascii_digit())
            })
            .collect();
        assert_eq!(errors.len(), want.len(), "{show}");
        for (line, (n, word)) in errors.iter().zip(want.iter()) {
            assert!(line.starts_with(&format!("{name}:{n}:")), "{show}");
            assert!(word.split('|').any(|w| line.contains(w)), "{show}");
        }
        assert!(!stdout.contains(": ok"), "{show}");
    }

    // A syntax error is reported at its line too.
    let file = write_file(
        &dir,
        "syntax.toml",
        "rules = [\n  \"allow connect tcp 127.0.0.1:80\"\n  \"allow accept tcp 127.0.0.1\",\n]\n",
    );
    let name = file.display().to_string();
    let out = wasock(&["policy", "check", &name]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with(&format!("{name}:3:"))),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_net_rule_is_a_usage_error() {
    for (rule, word) in [
        ("--net=allow conect tcp 127.0.0.1", "conect"),
        ("--net=permit connect tcp 127.0.0.1", "permit"),
        ("--net=allow connect tcp 127.0.0.1/99", "99"),
    ] {
        let out = run(RULES, &[rule], &["noop"]);
        assert_eq!(out.status.code(), Some(2), "{rule}: {}", out.show());
        assert_eq!(out.stdout, "", "{rule}: the guest must not run");
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{rule}: {}", out.show());
        assert!(
            lines[0].starts_with("wasock: ") && lines[0].contains(word),
            "{rule}: {}",
            out.show()
        );
    }
}

#[test]
fn broad_grants_warn_at_start_up() {
    let warns = |flags: &[&str]| {
        let out = run(RULES, flags, &["noop"]);
        out.assert_oks(&["noop"]);
        out.stderr.contains("wasock: warning:")
    };
    assert!(warns(&["--net=allow connect any 0.0.0.0/0"]));
    assert!(!warns(&["-v=0", "--net=allow connect any 0.0.0.0/0"]));
    // A deny rule makes an allow-everything policy deliberate.
    assert!(!warns(&[
        "--net=allow connect any 0.0.0.0/0",
        "--net=deny connect any 127.0.0.2"
    ]));
    assert!(warns(&["--net=allow send udp *"]));
    assert!(warns(&["--net=allow connect tcp 0.0.0.0/8"]));
    assert!(warns(&["--net=allow connect tcp *.com:443"]));
    // A narrow grant is not warned about.
    assert!(!warns(&["--net=allow connect tcp 127.0.0.1:80"]));
}

// ---- inbound screening and readiness (issue 17) ----

const SCREEN: &str = "net/screen.c";

/// `screen poll-accept PAD` (a blocking listener polled with stdin): a refused peer must not
/// wake the guest into an accept() that blocks; stdin is still served, then an admitted peer.
fn poll_accept_survives_refused_peers(pad: &str) {
    let mut g = Wasock::start_with_stdin(
        SCREEN,
        &[
            "--net=allow bind tcp 127.0.0.1",
            "--net=allow accept tcp 127.0.0.1",
        ],
        &["poll-accept", pad],
    );
    let addr = g.listening();
    let bad = assert_refused(IP2, addr, &g);
    wait_for_stderr(&g, &format!("denied accept tcp from {bad}"));
    // Stuck in accept(), the guest would never read this.
    g.send_line("after refused");
    g.expect_line("stdin after refused");
    let good = served(addr, IP1, &g);
    g.expect_line(&format!("peer {good}"));
    let out = g.finish();
    out.assert_oks(&["screen"]);
}

#[test]
fn poll_then_blocking_accept_skips_refused_peers() {
    poll_accept_survives_refused_peers("0");
}

#[test]
fn epoll_then_blocking_accept_skips_refused_peers() {
    poll_accept_survives_refused_peers("20");
}

/// `screen poll-recv PAD`: the same for a blocking UDP socket and a refused datagram.
fn poll_recv_survives_refused_datagrams(pad: &str) {
    let mut g = Wasock::start_with_stdin(
        SCREEN,
        &[
            "--net=allow bind udp 127.0.0.1",
            "--net=allow recv udp 127.0.0.1",
        ],
        &["poll-recv", pad],
    );
    let addr = g.listening();
    let bad = udp("127.0.0.2:0");
    bad.send_to(b"bad", addr).unwrap();
    wait_for_stderr(
        &g,
        &format!("denied recv udp from {}", bad.local_addr().unwrap()),
    );
    g.send_line("after refused");
    g.expect_line("stdin after refused");
    let good = udp("127.0.0.1:0");
    good.send_to(b"good", addr).unwrap();
    g.expect_line(&format!("recvfrom good {}", good.local_addr().unwrap()));
    let out = g.finish();
    out.assert_oks(&["screen"]);
}

#[test]
fn poll_then_blocking_recv_skips_refused_datagrams() {
    poll_recv_survives_refused_datagrams("0");
}

#[test]
fn epoll_then_blocking_recv_skips_refused_datagrams() {
    poll_recv_survives_refused_datagrams("20");
}

#[test]
fn a_reset_connection_polls_readable_without_error() {
    // poll_oneoff used to report EIO for POLLERR, which mio (tokio) treats as a failed poll.
    let native = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = native.local_addr().unwrap().port().to_string();
    let mut g = Wasock::start(
        SCREEN,
        &["--net=allow connect tcp 127.0.0.1"],
        &["reset", &port],
    );
    let (conn, _) = accept_within(&native);
    g.expect_line("connected");
    // A close with SO_LINGER 0 sends a reset.
    socket2::SockRef::from(&conn)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(conn);
    g.expect_line("revents in=1 hup=1 err=0");
    let out = g.finish();
    out.assert_oks(&["reset"]);
}

#[test]
fn a_refused_udp_send_polls_readable_without_error() {
    // The ICMP error of a connected UDP socket is POLLERR alone: readable, and recv() says it.
    let port = support::closed_port().to_string();
    let out = run(
        SCREEN,
        &["--net=allow connect udp 127.0.0.1"],
        &["udp-refused", &port],
    );
    out.assert_oks(&["udp-refused"]);
    assert!(
        out.stdout.contains("revents in=1 hup=0 err=0"),
        "{}",
        out.show()
    );
}

/// `recv_spy` (threads) under a recv rule: refused senders send it 'Z' datagrams between
/// admitted ones, while a guest thread watches the receive buffer; it must never see a 'Z'.
fn refused_datagrams_stay_out_of_shared_memory(peek: bool) {
    let wasm = common::compile_c("net/recv_spy.c", true);
    let rounds = 200;
    let mut args: Vec<String> = [
        "--net=allow bind,send udp 127.0.0.1",
        "--net=allow recv udp 127.0.0.1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(wasm.to_string_lossy().into_owned());
    args.push(rounds.to_string());
    if peek {
        args.push("peek".into());
    }
    let mut p = common::Proc::spawn(&wasock_bin(), &args);
    let addr = p.listening();
    let good = udp("127.0.0.1:0");
    // UDP over loopback may still drop a datagram under load: a round whose ack does not come
    // within a second is sent again (the guest counts each round once), up to LIMIT in all.
    good.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let marker = vec![b'Z'; 30_000];
    for round in 0..rounds {
        // A new refused address each round: its denial is reported (a stderr write), which
        // kept the payload in guest memory longest before it was zeroed.
        let bad = udp(&format!("127.0.0.{}:0", 2 + round));
        for _ in 0..2 {
            bad.send_to(&marker, addr).unwrap();
        }
        let want = format!("ack {round}");
        let deadline = Instant::now() + LIMIT;
        'round: loop {
            good.send_to(format!("good {round}").as_bytes(), addr)
                .unwrap();
            let mut ack = [0u8; 24];
            // Acks of earlier copies of a round may still arrive: read past them.
            while let Ok((n, _)) = good.recv_from(&mut ack) {
                if &ack[..n] == want.as_bytes() {
                    break 'round;
                }
            }
            assert!(Instant::now() < deadline, "no ack for round {round}");
        }
    }
    let out = p.finish(LIMIT);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("seen 0 "), "{stderr}");
}

#[test]
fn refused_datagrams_are_never_in_shared_memory() {
    refused_datagrams_stay_out_of_shared_memory(false);
}

#[test]
fn refused_peeked_datagrams_are_never_in_shared_memory() {
    refused_datagrams_stay_out_of_shared_memory(true);
}

#[test]
fn without_an_ipv4_grant_a_v6_listener_is_v6_only() {
    // --addr-pool=::/0 grants no IPv4 address: a listener on [::] must not take IPv4 clients
    // through mapped addresses (the sugar's `allow accept any *` admits every peer).
    let mut g = Wasock::start(SCREEN, &["--addr-pool=::/0"], &["dual"]);
    let port = g.listening().port();
    let v4 = TcpStream::connect_timeout(&SocketAddr::new(IP1.into(), port), LIMIT);
    assert!(
        v4.as_ref()
            .is_err_and(|e| e.kind() == ErrorKind::ConnectionRefused),
        "IPv4 client reached the [::] listener: {v4:?}; stderr:\n{}",
        g.stderr_so_far()
    );
    let mut c =
        TcpStream::connect_timeout(&SocketAddr::new("::1".parse().unwrap(), port), LIMIT).unwrap();
    c.set_read_timeout(Some(LIMIT)).unwrap();
    let mut b = [0u8; 1];
    c.write_all(b"e").unwrap();
    c.read_exact(&mut b).unwrap();
    let out = g.finish();
    out.assert_oks(&["dual"]);
}

#[test]
fn with_an_ipv4_grant_a_v6_listener_stays_dual_stack() {
    // Binding [::] is binding 0.0.0.0 too; granted, IPv4 clients arrive mapped, as natively.
    let mut g = Wasock::start(
        SCREEN,
        &["--addr-pool=::/0", "--addr-pool=0.0.0.0/0"],
        &["dual"],
    );
    let addr = g.listening();
    let good = served(addr, IP1, &g);
    g.expect_line(&format!("peer [::ffff:{}]:{}", good.ip(), good.port()));
    let out = g.finish();
    out.assert_oks(&["dual"]);
}

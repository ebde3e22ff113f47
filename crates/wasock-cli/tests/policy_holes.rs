//! Policy holes closed (issue 17 items 3, 5, 7, 11; issue 19's `--addr-pool=0.0.0.0/32`
//! warning), end to end through the `wasock` binary.
//!
//! The guest is `tests/guests/net/holes.c`. Every socket is on a loopback address and multicast
//! joins are made on the loopback interface only, so nothing leaves the machine. A native peer
//! that must get nothing is checked after the guest has exited (its sends are synchronous on
//! loopback, so anything sent is queued by then): no wait, no timing.

mod support;

use std::io::{ErrorKind, Read};
use std::net::{TcpListener, UdpSocket};
use std::process::Output;
use support::common::scratch_dir;
use support::{accept_within, run, udp, wasock_bin};

const HOLES: &str = "net/holes.c";

/// Asserts that nothing connected to `l`.
fn no_connection(l: &TcpListener) {
    l.set_nonblocking(true).unwrap();
    match l.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("the guest reached the native listener: {other:?}"),
    }
}

/// Asserts that no datagram reached `u`.
fn no_datagram(u: &UdpSocket) {
    u.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 16];
    match u.recv_from(&mut buf) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("a datagram reached the native peer: {other:?}"),
    }
}

/// `wasock ARGS` with no guest (the `policy` commands), killed after 60 s.
fn wasock(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    support::common::run(&wasock_bin(), &args)
}

/// Item 3: with `allow * ` and `deny 127.0.0.0/8`, 0.0.0.0 (which Linux routes to the local
/// host) must not reach 127.0.0.1.
#[test]
fn unspecified_destinations_are_loopback() {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = udp("127.0.0.1:0");
    let (tp, up) = (
        tcp.local_addr().unwrap().port().to_string(),
        peer.local_addr().unwrap().port().to_string(),
    );
    let out = run(
        HOLES,
        &[
            "--net=allow connect,send any *",
            "--net=deny connect,send any 127.0.0.0/8",
            "--net=deny connect,send any ::1",
        ],
        &["unspec", &tp, &up],
    );
    out.assert_oks(&["connect_0.0.0.0", "connect_::", "sendto_unspecified"]);
    no_connection(&tcp);
    no_datagram(&peer);
    let denials = out.denials();
    let want_first = format!(
        "wasock: denied connect tcp to 127.0.0.1:{tp} (given as 0.0.0.0:{tp}, which the kernel \
         sends to the local host): forbidden by rule `deny connect,send any 127.0.0.0/8` (--net)"
    );
    assert_eq!(
        denials.first().copied(),
        Some(want_first.as_str()),
        "{}",
        out.show()
    );
    assert!(
        denials.iter().any(|d| d.starts_with(&format!(
            "wasock: denied connect tcp to [::1]:{tp} (given as [::]:{tp}"
        ))),
        "{}",
        out.show()
    );
    assert!(
        denials.iter().any(|d| d.starts_with(&format!(
            "wasock: denied sendto udp to 127.0.0.1:{up} (given as 0.0.0.0:{up}"
        ))),
        "{}",
        out.show()
    );
}

/// Item 3, the other way: a grant for loopback covers `connect(0.0.0.0)`, which reaches it.
#[test]
fn unspecified_destination_allowed_as_loopback() {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let tp = tcp.local_addr().unwrap().port().to_string();
    let out = run(
        HOLES,
        &[&format!("--net=allow connect tcp 127.0.0.1:{tp}")],
        &["unspec-ok", &tp],
    );
    out.assert_oks(&["connect_0.0.0.0_as_loopback"]);
    let (mut s, _) = accept_within(&tcp);
    let mut b = [0u8; 1];
    s.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"x");
    assert!(out.denials().is_empty(), "{}", out.show());
}

/// Item 3 in `policy explain`.
#[test]
fn explain_says_how_an_unspecified_destination_is_matched() {
    let out = wasock(&[
        "policy",
        "explain",
        "allow connect tcp *",
        "deny connect tcp 127.0.0.0/8",
        "connect",
        "tcp",
        "0.0.0.0:80",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.lines().next(),
        Some(
            "connect tcp 0.0.0.0:80 (matched as 127.0.0.1:80: the kernel sends the unspecified \
             address to the local host): denied by rule 2 `deny connect tcp 127.0.0.0/8` \
             (argument 2)"
        )
    );
}

/// Item 7: `deny send udp X` cannot be bypassed by `connect(X)` + `send()`.
#[test]
fn udp_connect_obeys_deny_send() {
    let denied = udp("127.0.0.1:0");
    let other = udp("127.0.0.1:0");
    let (up, up2) = (
        denied.local_addr().unwrap().port().to_string(),
        other.local_addr().unwrap().port().to_string(),
    );
    let out = run(
        HOLES,
        &[
            "--net=allow connect,send udp 127.0.0.1",
            &format!("--net=deny send udp 127.0.0.1:{up}"),
        ],
        &["udp-connect", &up, &up2],
    );
    out.assert_oks(&["udp_connect_denied", "udp_connect_other_port"]);
    no_datagram(&denied);
    let mut b = [0u8; 4];
    let (n, _) = other.recv_from(&mut b).unwrap();
    assert_eq!(&b[..n], b"y");
    assert_eq!(
        out.denials().first().copied(),
        Some(
            format!(
                "wasock: denied connect udp to 127.0.0.1:{up}: forbidden by rule `deny send udp \
                 127.0.0.1:{up}` (--net)"
            )
            .as_str()
        ),
        "{}",
        out.show()
    );
    // policy explain says why a send rule decided a connect.
    let rule = format!("deny send udp 127.0.0.1:{up}");
    let target = format!("127.0.0.1:{up}");
    let ex = wasock(&[
        "policy",
        "explain",
        "allow connect,send udp 127.0.0.1",
        &rule,
        "connect",
        "udp",
        &target,
    ]);
    let stdout = String::from_utf8_lossy(&ex.stdout);
    assert_eq!(ex.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("a UDP connect fixes the destination of every later send()"),
        "{stdout}"
    );
}

/// Item 7: a deny by host name does not cover IP literals; start-up and `policy check` say so.
#[test]
fn deny_by_name_warns_about_literals() {
    let out = run(
        HOLES,
        &[
            "--net=allow connect tcp 127.0.0.1",
            "--net=deny connect tcp evil.test",
        ],
        &["noop"],
    );
    out.assert_success();
    assert!(
        out.stderr.contains(
            "wasock: warning: rule `deny connect tcp evil.test` (--net) denies only addresses the \
             guest got by resolving a matching name: the same host written as an IP literal is \
             not covered (deny its addresses too, e.g. --net='deny connect tcp ADDRESS')"
        ),
        "{}",
        out.show()
    );
    let dir = scratch_dir("holes-check");
    let file = dir.join("p.toml");
    std::fs::write(&file, "rules = [\"deny connect tcp *.evil.test\"]\n").unwrap();
    let check = wasock(&["policy", "check", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("the same host written as an IP literal is not covered"),
        "{stderr}"
    );
}

/// Item 5: joining a multicast group needs a grant (send and recv for the group).
#[test]
fn multicast_joins_need_a_grant() {
    let out = run(HOLES, &[], &["join", "deny"]);
    out.assert_oks(&["ip_add_membership", "ipv6_join_group", "not_a_group"]);
    assert_eq!(
        out.denials(),
        [
            "wasock: denied IP_ADD_MEMBERSHIP of group 239.1.2.3 (udp socket): not in \
             --addr-pool (allow it with --addr-pool=239.1.2.3/32)",
            "wasock: denied IPV6_JOIN_GROUP of group ff15::1:3 (udp socket): not in --addr-pool \
             (allow it with --addr-pool=ff15::1:3/128)",
        ],
        "{}",
        out.show()
    );
    // recv alone (what a UDP server grants) is not enough: the join emits reports.
    let out = run(HOLES, &["--net=allow recv udp *"], &["join", "deny"]);
    out.assert_oks(&["ip_add_membership", "ipv6_join_group", "not_a_group"]);
    assert!(
        out.denials()[0].starts_with(
            "wasock: denied IP_ADD_MEMBERSHIP of group 239.1.2.3 (udp socket): no rule allows it"
        ),
        "{}",
        out.show()
    );
    let out = run(
        HOLES,
        &[
            "--net=allow send,recv udp 239.1.2.3",
            "--net=allow send,recv udp ff15::1:3",
        ],
        &["join", "allow"],
    );
    out.assert_oks(&["ip_add_membership", "ipv6_join_group", "not_a_group"]);
    assert!(out.denials().is_empty(), "{}", out.show());
    // policy explain explains both roles of a join.
    let ex = wasock(&[
        "policy",
        "explain",
        "allow send,recv udp 239.0.0.0/8",
        "deny recv udp 239.1.2.3",
        "join",
        "239.1.2.3",
    ]);
    let stdout = String::from_utf8_lossy(&ex.stdout);
    assert_eq!(ex.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "join udp 239.1.2.3: needs send and recv of 239.1.2.3:0",
            "  send udp 239.1.2.3:0: allowed by rule 1 `allow send,recv udp 239.0.0.0/8` (argument 1)",
            "  recv udp 239.1.2.3:0: denied by rule 2 `deny recv udp 239.1.2.3` (argument 2)",
        ],
        "{stdout}"
    );
}

/// Item 11: a guest-chosen name can neither forge a log line nor flood the log.
#[test]
fn denial_lines_escape_and_cut_names() {
    let out = run(HOLES, &[], &["names"]);
    out.assert_oks(&["forged_name", "long_name"]);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one line per denial, nothing forged:\n{}",
        out.stderr
    );
    assert!(
        lines[0].starts_with(
            "wasock: denied resolve of x.test\\nwasock: denied connect tcp to 10.6.6.6:80: forged \
             by the guest: not in --allow-resolve"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("wasock: denied resolve of aaaa")
            && lines[1].contains(&format!("[... {} more bytes]", 10 * 1024 - 255)),
        "{}",
        lines[1]
    );
    for l in &lines {
        assert!(l.len() < 600, "{} bytes: {l}", l.len());
    }
}

/// Issue 19: `--addr-pool=0.0.0.0/32:8000`, what a wildcard-bind server needs, draws no
/// warning; a shorter all-zero mask still does.
#[test]
fn wildcard_bind_pool_entry_is_not_a_mistake() {
    for entry in ["0.0.0.0/32:8000", "[::]:8000", "::/128"] {
        let out = run(HOLES, &[&format!("--addr-pool={entry}")], &["noop"]);
        out.assert_success();
        assert!(!out.stderr.contains("warning"), "{entry}: {}", out.show());
    }
    let out = run(HOLES, &["--addr-pool=0.0.0.0/8"], &["noop"]);
    assert!(
        out.stderr
            .contains("wasock: warning: --addr-pool entry `0.0.0.0/8` allows only"),
        "{}",
        out.show()
    );
}

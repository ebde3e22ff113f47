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

/// Rules built as Rust values (`add_rule`) and a hook for dynamic decisions, on a real guest
/// (`rules outbound TP UP`) against native peers on 127.0.0.1.
#[test]
fn rules_as_values_and_a_policy_hook() {
    use std::io::Read;
    use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use wasock::policy::{Action, PoolEntry, Proto, Role, Roles, Rule, Subject, Target};

    let wasm = common::compile_c("net/rules.c", false);
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let (tport, uport) = (
        tcp.local_addr().unwrap().port(),
        udp.local_addr().unwrap().port(),
    );
    let lo: IpAddr = "127.0.0.1".parse().unwrap();
    let policy_for = |hook_denies_tcp: bool| {
        let mut policy = Policy::new();
        policy.add_rule(Rule {
            action: Action::Allow,
            roles: Roles::of(&[Role::Connect]),
            proto: Proto::Tcp,
            target: Target::Net(PoolEntry {
                net: lo,
                prefix: 32,
                ports: Some((tport, tport)),
            }),
        });
        // The hook grants the UDP destination no rule names, and records what it was asked.
        let asked: Arc<Mutex<Vec<String>>> = Arc::default();
        let seen = asked.clone();
        policy.set_hook(move |q| {
            let Subject::Addr(a) = q.subject else {
                return None;
            };
            seen.lock()
                .unwrap()
                .push(format!("{} {} {a}", q.role, q.proto));
            match (q.role, q.proto, a.port()) {
                (Role::Send, Proto::Udp, p) if p == uport && a.ip() == lo => Some(Action::Allow),
                (Role::Connect, Proto::Tcp, p) if p == tport && hook_denies_tcp => {
                    Some(Action::Deny)
                }
                _ => None,
            }
        });
        (policy, asked)
    };

    let (policy, asked) = policy_for(false);
    let mut config = Config::new();
    let args = ["rules", "outbound", &tport.to_string(), &uport.to_string()];
    config.args(args).policy(policy);
    let (res, stdout, stderr) = run_captured(&wasm, config);
    assert_eq!(res.unwrap(), 0, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "ok connect_tcp\nok connect_proto_port\nok send_udp\nok send_is_not_connect\n"
    );
    // The peers got exactly the allowed traffic.
    let (mut conn, _) = tcp.accept().unwrap();
    let mut got = String::new();
    conn.read_to_string(&mut got).unwrap();
    assert_eq!(got, "tcp");
    let mut buf = [0u8; 16];
    let (n, _) = udp.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"udp");
    let at = |p: u16| SocketAddr::new(lo, p);
    let asked = asked.lock().unwrap().clone();
    for q in [
        format!("connect tcp {}", at(tport)),
        format!("connect udp {}", at(tport)),
        format!("send udp {}", at(uport)),
        format!("connect udp {}", at(uport)),
    ] {
        assert!(asked.contains(&q), "hook not asked `{q}`: {asked:?}");
    }

    // A hook's Deny overrides an allow rule: the guest's first connect gets EACCES. (The
    // diagnostic goes to the host process's stderr, not the guest's captured one.)
    let (policy, _) = policy_for(true);
    let mut config = Config::new();
    config.args(args).policy(policy);
    let (res, stdout, stderr) = run_captured(&wasm, config);
    assert_eq!(res.unwrap(), 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("rules.c:")
            && stderr.contains(": connect(t, SA(ok_t), sizeof ok_t) == 0 (errno=2 "),
        "{stderr}"
    );
    tcp.set_nonblocking(true).unwrap();
    assert!(tcp.accept().is_err(), "a denied connect reached the peer");
}

//! The process harness shared by `sockets.rs` and `net_policy.rs`: C guests compiled at test
//! time (`common::compile_c`) run under the `wasock` binary, with stdout delivered line by
//! line, stderr collected, and (optionally) a piped stdin to pace a guest step by step.
//!
//! Every child is killed and reaped on every path (`Wasock` kills on drop), every wait is
//! bounded by `LIMIT`, and no assertion is about how fast anything was.
#![allow(dead_code)]

#[path = "../../../wasock/tests/common/mod.rs"]
pub mod common;

use common::compile_c;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Hard limit for any one child process, and for any wait on a native socket.
pub const LIMIT: Duration = Duration::from_secs(30);

/// The `wasock` binary under test (`WASOCK`, else cargo's build of it).
pub fn wasock_bin() -> PathBuf {
    common::wasock_bin(env!("CARGO_BIN_EXE_wasock"))
}

/// A running `wasock`: stdout is delivered line by line, stderr collected; killed and reaped
/// when dropped, whatever the test's outcome.
pub struct Wasock {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stdout: Vec<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    deadline: Instant,
}

/// How a `wasock` run ended.
pub struct Outcome {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Wasock {
    /// Compiles `guest` (see `common::compile_c`) and starts `wasock FLAGS guest.wasm ARGS`
    /// with stdin from /dev/null.
    pub fn start(guest: &str, flags: &[&str], args: &[&str]) -> Wasock {
        Wasock::spawn(guest, flags, args, false, &[])
    }

    /// As `start`, with stdin a pipe fed by `send_line` (closed by `finish` or the drop).
    pub fn start_with_stdin(guest: &str, flags: &[&str], args: &[&str]) -> Wasock {
        Wasock::spawn(guest, flags, args, true, &[])
    }

    /// As `start`, with these environment variables for wasock itself.
    pub fn start_with_env(
        guest: &str,
        flags: &[&str],
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Wasock {
        Wasock::spawn(guest, flags, args, false, env)
    }

    fn spawn(
        guest: &str,
        flags: &[&str],
        args: &[&str],
        piped_stdin: bool,
        env: &[(&str, &str)],
    ) -> Wasock {
        let wasm = compile_c(guest, false);
        let mut child = Command::new(wasock_bin())
            // The defaults are what is tested, whatever the caller's shell has set.
            .env_remove("WASOCK_EPOLL_MIN_FDS")
            .envs(env.iter().copied())
            .args(flags)
            .arg(&wasm)
            .args(args)
            .stdin(if piped_stdin {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wasock");
        let stdin = child.stdin.take();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let mut readers = vec![std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })];
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (mut err, sink) = (child.stderr.take().unwrap(), stderr.clone());
        readers.push(std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        }));
        Wasock {
            child: Some(child),
            stdin,
            lines,
            stdout: Vec::new(),
            stderr,
            readers,
            deadline: Instant::now() + LIMIT,
        }
    }

    pub fn stderr_so_far(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Writes `line` and a newline to the guest's stdin (see `start_with_stdin`).
    pub fn send_line(&mut self, line: &str) {
        let stdin = self
            .stdin
            .as_mut()
            .expect("send_line needs Wasock::start_with_stdin");
        if let Err(e) = stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
        {
            panic!(
                "writing {line:?} to the guest's stdin: {e}; stdout so far {:?}, stderr:\n{}",
                self.stdout,
                self.stderr_so_far()
            );
        }
    }

    /// The next stdout line; panics (and the drop kills the child) if none comes in time.
    pub fn next_line(&mut self) -> String {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => {
                self.stdout.push(line.clone());
                line
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "no stdout line within {LIMIT:?}; stdout so far {:?}, stderr:\n{}",
                self.stdout,
                self.stderr_so_far()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                // The guest ended: give stderr a moment to arrive for the message.
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "stdout closed; stdout so far {:?}, stderr:\n{}",
                    self.stdout,
                    self.stderr_so_far()
                )
            }
        }
    }

    /// The next stdout line, which must be `want`.
    pub fn expect_line(&mut self, want: &str) {
        let line = self.next_line();
        assert_eq!(
            line,
            want,
            "stdout so far {:?}, stderr:\n{}",
            self.stdout,
            self.stderr_so_far()
        );
    }

    /// Reads the server's first line, `listening on ADDR`, and returns ADDR.
    pub fn listening(&mut self) -> SocketAddr {
        let line = self.next_line();
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("expected `listening on ADDR`, got {line:?}"));
        addr.parse()
            .unwrap_or_else(|e| panic!("bad address in {line:?}: {e}"))
    }

    /// Waits for the exit (at most until the deadline, then kills and panics).
    pub fn finish(mut self) -> Outcome {
        drop(self.stdin.take()); // a guest still reading stdin sees EOF
        let mut child = self.child.take().unwrap();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() >= self.deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "wasock still running after {LIMIT:?}: killed; stdout {:?}, stderr:\n{}",
                    self.stdout,
                    self.stderr_so_far()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        self.stdout.extend(self.lines.try_iter());
        let mut stdout = self.stdout.join("\n");
        if !stdout.is_empty() {
            stdout.push('\n');
        }
        Outcome {
            status,
            stdout,
            stderr: self.stderr_so_far(),
        }
    }
}

impl Drop for Wasock {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Outcome {
    pub fn show(&self) -> String {
        format!(
            "status {:?}\nstdout:\n{}\nstderr:\n{}",
            self.status, self.stdout, self.stderr
        )
    }

    pub fn assert_success(&self) {
        assert!(self.status.success(), "{}", self.show());
        assert!(!self.stderr.contains("wasock: trap"), "{}", self.show());
    }

    /// A self-checking guest passed: exit 0, no FAIL, and exactly the `ok NAME` lines listed.
    pub fn assert_oks(&self, names: &[&str]) {
        self.assert_success();
        assert!(!self.stderr.contains("FAIL"), "{}", self.show());
        let oks: Vec<&str> = self
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("ok "))
            .collect();
        assert_eq!(oks, names, "{}", self.show());
    }

    /// The `wasock: denied …` lines of stderr.
    pub fn denials(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("wasock: denied "))
            .collect()
    }

    pub fn trace(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("wasock: trace: "))
            .collect()
    }
}

/// Runs a guest to completion.
pub fn run(guest: &str, flags: &[&str], args: &[&str]) -> Outcome {
    Wasock::start(guest, flags, args).finish()
}

/// Accepts one connection within `LIMIT` (the listener is polled, never blocked on forever).
pub fn accept_within(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + LIMIT;
    loop {
        match listener.accept() {
            Ok((s, from)) => {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(LIMIT)).unwrap();
                s.set_write_timeout(Some(LIMIT)).unwrap();
                return (s, from);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("no connection within {LIMIT:?}: {e}"),
        }
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, LIMIT).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s.set_write_timeout(Some(LIMIT)).unwrap();
    s
}

pub fn udp(bind: &str) -> UdpSocket {
    let s = UdpSocket::bind(bind).unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    s.set_write_timeout(Some(LIMIT)).unwrap();
    s
}

/// A 127.0.0.1 port nobody listens on (a listener's, closed again).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

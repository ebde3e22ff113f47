//! Test support shared by the library's and the CLI's integration tests: guests are compiled
//! at test time from `tests/guests/` with `scripts/wasi-cc` (recompiled only when a source is
//! newer than the module), and spawned processes are always reaped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// The `wasock` binary under test: `WASOCK` when set (the variable sdk/c/tests/run.sh reads;
/// scripts/test sets it to the static release build for a second pass), else the one cargo
/// built for these tests (`built`).
pub fn wasock_bin(built: &str) -> PathBuf {
    std::env::var_os("WASOCK").map_or_else(|| PathBuf::from(built), PathBuf::from)
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Serialises compiles: tests run in parallel and may want the same module.
static COMPILE: Mutex<()> = Mutex::new(());

/// Compiles `tests/guests/<rel>` (or `<repo>/<rel>` for `examples/...`) with the socket SDK
/// into `target/guests/`, returning the module path. `threads` builds for wasm32-wasip1-threads.
/// Recompiles only when the source, a header next to it, `tests/guests/check.h`, the SDK, the
/// sysroot or `scripts/wasi-cc` is newer than the module; panics with the compiler's stderr.
pub fn compile_c(rel: &str, threads: bool) -> PathBuf {
    let root = repo_root();
    let src = if rel.starts_with("examples/") {
        root.join(rel)
    } else {
        root.join("tests/guests").join(rel)
    };
    let sdk_src = root.join("sdk/c/src/wasi_socket_ext.c");
    let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
    let out_dir = root.join("target/guests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join(format!(
        "{stem}{}.wasm",
        if threads { "-threads" } else { "" }
    ));
    let _guard = COMPILE.lock().unwrap_or_else(|e| e.into_inner());
    let mut inputs = vec![
        src.clone(),
        sdk_src.clone(),
        root.join("sdk/c/include/wasi_socket_ext.h"),
        root.join("tests/guests/check.h"),
        root.join("scripts/wasi-cc"),
        root.join(".sysroot/.complete"),
    ];
    let siblings = std::fs::read_dir(src.parent().unwrap()).unwrap();
    inputs.extend(
        siblings
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "h")),
    );
    let newest = inputs.iter().map(|p| mtime(p)).max().unwrap();
    if out.exists() && mtime(&out) >= newest {
        return out;
    }
    // Compile to a private name and rename: another test process may be reading `out`.
    let tmp = out.with_extension(format!("wasm.tmp{}", std::process::id()));
    let mut cmd = Command::new(root.join("scripts/wasi-cc"));
    if threads {
        cmd.arg("--threads");
    }
    let res = cmd
        .args(["-O2", "-g", "-Wall", "-Werror", "-D_GNU_SOURCE", "-I"])
        .arg(root.join("sdk/c/include"))
        .arg(&src)
        .arg(&sdk_src)
        .arg("-o")
        .arg(&tmp)
        .output()
        .expect("run scripts/wasi-cc");
    assert!(
        res.status.success(),
        "compiling {rel} failed:\n{}",
        String::from_utf8_lossy(&res.stderr)
    );
    std::fs::rename(&tmp, &out).unwrap();
    out
}

/// Builds the Rust guest crate at `crate_dir` (which has its own `[workspace]`) with
/// `cargo build --release --target <target>` into `target/guest-rust/`, a target dir of its
/// own so it never invalidates the host build. Returns the binary's `.wasm` path.
pub fn compile_rust_guest(crate_dir: &Path, target: &str) -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("Cargo.toml");
    let name = manifest
        .lines()
        .find_map(|l| {
            let v = l.trim().strip_prefix("name")?.trim().strip_prefix('=')?;
            Some(v.trim().trim_matches('"').to_string())
        })
        .expect("package name");
    let target_dir = repo_root().join("target/guest-rust");
    let res = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--quiet",
            "--release",
            "--target",
            target,
            "--target-dir",
        ])
        .arg(&target_dir)
        .current_dir(crate_dir)
        .output()
        .expect("run cargo");
    assert!(
        res.status.success(),
        "building {} for {target} failed:\n{}",
        crate_dir.display(),
        String::from_utf8_lossy(&res.stderr)
    );
    let wasm = target_dir
        .join(target)
        .join("release")
        .join(format!("{name}.wasm"));
    assert!(wasm.exists(), "{} missing after the build", wasm.display());
    wasm
}

/// The reference runtime (`wasmtime` on PATH, as `scripts/setup` installs it) if it runs.
pub fn wasmtime_reference() -> Option<PathBuf> {
    static FOUND: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = std::env::var_os("PATH")?;
            let exe = std::env::split_paths(&path)
                .map(|d| d.join("wasmtime"))
                .find(|p| p.is_file())?;
            let out = Command::new(&exe).arg("--version").output().ok()?;
            let works = out.status.success() && out.stdout.starts_with(b"wasmtime ");
            works.then_some(exe)
        })
        .clone()
}

/// A unique empty scratch directory under the system temp dir.
pub fn scratch_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("wasock-test-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A child process killed and reaped when dropped, whatever the test's outcome.
pub struct Proc(pub Option<Child>);

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Proc {
    /// Spawns `program args` with piped stdout/stderr.
    pub fn spawn(program: &Path, args: &[String]) -> Proc {
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        Proc(Some(child))
    }

    /// Reads stdout up to a `listening on ADDR` line and returns ADDR.
    pub fn listening(&mut self) -> SocketAddr {
        let child = self.0.as_mut().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        // Keep draining stdout in the background so the guest never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("expected `listening on`, got {line:?}"));
        addr.parse().unwrap()
    }

    /// Waits up to `limit` for exit (killing it after), returning its output.
    pub fn finish(mut self, limit: Duration) -> Output {
        let mut child = self.0.take().unwrap();
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait_with_output().unwrap()
    }
}

/// Runs `program args` to completion (killed after 60 s) and returns its output.
pub fn run(program: &Path, args: &[String]) -> Output {
    Proc::spawn(program, args).finish(Duration::from_secs(60))
}

/// Asserts a self-checking guest passed: exit 0, no FAIL lines, and every `ok NAME` listed.
pub fn assert_guest_ok(out: &Output, expected_oks: &[&str]) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "guest failed ({:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    assert!(!stderr.contains("FAIL"), "stderr:\n{stderr}");
    for ok in expected_oks {
        assert!(
            stdout.lines().any(|l| l == format!("ok {ok}")),
            "missing `ok {ok}` in:\n{stdout}\nstderr:\n{stderr}"
        );
    }
}

/// What `tests/guests/rust-wasi` must print and leave in its `/data` preopen (host `data`).
pub fn assert_rust_wasi_results(stdout: &str, data: &Path) {
    assert_eq!(
        stdout,
        "ok args_env\nok files\nok dirs\nok clocks\nok random\n"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("notes.txt")).unwrap(),
        "line one\nline two\nline three\n"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("a/moved.txt")).unwrap(),
        "deep"
    );
}

/// A finished process's status and output, for assertion messages.
pub fn show(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A native TCP echo peer on 127.0.0.1 serving one connection: it echoes 4 bytes (reads
/// bounded by a 30 s timeout).
pub fn tcp_echo() -> SocketAddr {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut c, _)) = l.accept() {
            c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let mut buf = [0u8; 4];
            if c.read_exact(&mut buf).is_ok() {
                let _ = c.write_all(&buf);
            }
        }
    });
    addr
}

/// A native UDP echo peer on 127.0.0.1 answering one datagram (bounded by a 30 s timeout).
pub fn udp_echo() -> SocketAddr {
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let addr = sock.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            let _ = sock.send_to(&buf[..n], from);
        }
    });
    addr
}

/// The `wasock:` lines on stderr but start-up warnings.
pub fn denials(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("wasock: ") && !l.starts_with("wasock: warning: "))
        .map(String::from)
        .collect()
}

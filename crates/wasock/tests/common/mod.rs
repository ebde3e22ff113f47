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
pub fn compile_c(rel: &str, threads: bool) -> PathBuf {
    let root = repo_root();
    let src = if rel.starts_with("examples/") {
        root.join(rel)
    } else {
        root.join("tests/guests").join(rel)
    };
    let sdk_src = root.join("sdk/c/src/wasi_socket_ext.c");
    let sdk_hdr = root.join("sdk/c/include/wasi_socket_ext.h");
    let stem = src.file_stem().unwrap().to_string_lossy().into_owned();
    let out_dir = root.join("target/guests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join(format!(
        "{stem}{}.wasm",
        if threads { "-threads" } else { "" }
    ));
    let _guard = COMPILE.lock().unwrap_or_else(|e| e.into_inner());
    let newest = [&src, &sdk_src, &sdk_hdr, &root.join("scripts/wasi-cc")]
        .iter()
        .map(|p| mtime(p))
        .max()
        .unwrap();
    if out.exists() && mtime(&out) >= newest {
        return out;
    }
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
        .arg(&out)
        .output()
        .expect("run scripts/wasi-cc");
    assert!(
        res.status.success(),
        "compiling {rel} failed:\n{}",
        String::from_utf8_lossy(&res.stderr)
    );
    out
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

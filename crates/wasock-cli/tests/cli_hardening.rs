//! The CLI against damaged or unusual input from disk and flags: corrupt compile-cache
//! entries, large `--stack-size` values, `wasock compile` on a file that is not a module, a
//! `--hosts-file` that cannot be read. Each must give the right answer or one clear line, never
//! a crash (issue 17 items 8, 9, 10, 12).
//!
//! Every child is killed and reaped on every path, every wait is bounded, and no assertion is
//! about how fast anything was.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use support::common::{compile_c, scratch_dir, Proc};
use support::{wasock_bin, LIMIT};

fn wasock(args: &[&str]) -> Output {
    wasock_env(args, &[])
}

/// Runs `wasock ARGS` with these variables for wasock itself and its cache in a scratch
/// directory unless `WASOCK_CACHE_DIR` is among them.
fn wasock_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(wasock_bin());
    if !env.iter().any(|(k, _)| *k == "WASOCK_CACHE_DIR") {
        cmd.env("WASOCK_CACHE_DIR", scratch_dir("cache"));
    }
    cmd.env_remove("WASOCK_NO_CACHE").envs(env.iter().copied());
    let child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasock");
    // Proc bounds the wait and kills and reaps the child on every path.
    Proc(Some(child)).finish(LIMIT)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One stderr line starting `wasock:`, containing every needle, exit status `code`, no stdout.
fn assert_one_line_error(out: &Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{}", show(out));
    assert_eq!(stderr.lines().count(), 1, "{}", show(out));
    assert!(stderr.starts_with("wasock: "), "{}", show(out));
    for n in needles {
        assert!(stderr.contains(n), "`{n}` not in:\n{}", show(out));
    }
    assert!(out.stdout.is_empty(), "{}", show(out));
    assert!(!stderr.contains("panicked"), "{}", show(out));
}

/// The one entry of a cache directory.
fn only_entry(dir: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "cache holds {entries:?}");
    entries.into_iter().next().unwrap()
}

/// Item 8: an entry that was damaged on disk (bytes flipped, truncated, replaced by garbage,
/// or a valid artifact with no digest) is never run: the module is recompiled, the run gives
/// the right answer with exactly one warning line, and the entry is repaired (the next run
/// is silent).
#[test]
fn damaged_cache_entries_are_recompiled_with_one_warning() {
    let wasm = compile_c("wasi/exit_trap.c", false);
    let cache = scratch_dir("cache");
    let env = [("WASOCK_CACHE_DIR", cache.to_str().unwrap())];
    let clean_run = |what: &str| {
        let out = wasock_env(&[&s(&wasm)], &env);
        assert_eq!(out.status.code(), Some(0), "{what}: {}", show(&out));
        assert_eq!(out.stdout, b"no action\n", "{what}: {}", show(&out));
        out
    };
    let first = clean_run("first run");
    assert!(first.stderr.is_empty(), "{}", show(&first));
    let entry = only_entry(&cache);
    let good = std::fs::read(&entry).unwrap();

    // A valid artifact with no digest, as `wasock compile` writes it.
    let bare = scratch_dir("cache-bare").join("bare.cwasm");
    let out = wasock(&["compile", &s(&wasm), "-o", &s(&bare)]);
    assert!(out.status.success(), "{}", show(&out));
    let bare = std::fs::read(&bare).unwrap();

    let mid = good.len() / 2;
    let mut flipped = good.clone();
    // An eighth of the entry around its middle: machine code and the tables describing it.
    for b in &mut flipped[mid - good.len() / 16..mid + good.len() / 16] {
        *b ^= 0x5a;
    }
    let damages: [(&str, Vec<u8>); 4] = [
        ("bytes flipped in the middle", flipped),
        ("truncated", good[..mid].to_vec()),
        ("garbage", b"not a compiled module\n".repeat(100)),
        ("no digest", bare),
    ];
    for (what, bytes) in damages {
        std::fs::write(&entry, &bytes).unwrap();
        let out = clean_run(what);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{what}: {}", show(&out));
        assert!(
            stderr.starts_with("wasock: warning: ") && stderr.contains("recompiled"),
            "{what}: {}",
            show(&out)
        );
        assert_eq!(only_entry(&cache), entry, "{what}");
        assert_ne!(
            std::fs::read(&entry).unwrap(),
            bytes,
            "{what}: not repaired"
        );
        let again = clean_run(what);
        assert!(again.stderr.is_empty(), "{what}: {}", show(&again));
    }
    // -v=0 silences the warning, not the repair.
    std::fs::write(&entry, b"garbage").unwrap();
    let out = wasock_env(&["-v=0", &s(&wasm)], &env);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(out.stdout, b"no action\n", "{}", show(&out));
    assert!(out.stderr.is_empty(), "{}", show(&out));
    assert_ne!(std::fs::read(&entry).unwrap(), b"garbage", "not repaired");
}

/// A function whose every call nests one more native frame: `depth(n)` returns n after
/// recursing n deep.
const DEPTH_WAT: &str = r#"(module
  (func $depth (export "depth") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get $n) (i32.const 1))) (i32.const 1))))))
"#;

/// A wasi-threads module: `_start` spawns one thread that recurses `depth(N)` deep (N is its
/// start argument), waits for it, and exits 0 when it returned N (3 otherwise).
fn threads_wat(n: u32) -> String {
    format!(
        r#"(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func $depth (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $depth (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (i32.atomic.store (i32.const 4) (call $depth (local.get $arg)))
    (i32.atomic.store (i32.const 0) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "_start")
    (if (i32.lt_s (call $spawn (i32.const {n})) (i32.const 0))
      (then (call $exit (i32.const 2))))
    (block $done
      (loop $wait
        (br_if $done (i32.atomic.load (i32.const 0)))
        (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 1000000000)))
        (br $wait)))
    (call $exit (select (i32.const 0) (i32.const 3)
      (i32.eq (i32.atomic.load (i32.const 4)) (i32.const {n}))))))
"#
    )
}

const MIB: usize = 1 << 20;

/// Item 9: `--stack-size` values iwasm users pass work and give wasm code that much stack (a
/// recursion too deep for the default runs to the end), on the main thread and on a
/// wasi-thread; a value past the limit is a usage error naming the limit.
#[test]
fn large_stack_sizes_work_or_are_refused_naming_the_limit() {
    let dir = scratch_dir("stack");
    let wat = dir.join("depth.wat");
    std::fs::write(&wat, DEPTH_WAT).unwrap();
    let wat = s(&wat);
    // Deep enough to overflow the default 512 KiB: a frame takes 16 bytes on x86-64, so 375,000
    // frames need 6 MiB of stack (more than the 4 MiB a thread had by default).
    let deep = 1_000_000u32;
    let six_mib = 375_000u32;
    let out = wasock(&["-f", "depth", &wat, &deep.to_string()]);
    assert_eq!(out.status.code(), Some(134), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("call stack exhausted"),
        "{}",
        show(&out)
    );
    for (mib, n) in [(8, six_mib), (64, 3 * deep), (1024, 4 * deep)] {
        let size = (mib * MIB).to_string();
        let out = wasock(&["--stack-size", &size, "-f", "depth", &wat, &n.to_string()]);
        assert_eq!(out.status.code(), Some(0), "{mib} MiB: {}", show(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{n:#x}:i32\n"),
            "{mib} MiB: {}",
            show(&out)
        );
    }
    // The same on a spawned wasi-thread, whose native stack must be sized from the flag too.
    let twat = dir.join("thread-depth.wat");
    std::fs::write(&twat, threads_wat(six_mib)).unwrap();
    let out = wasock(&["--stack-size", &(8 * MIB).to_string(), &s(&twat)]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(out.stderr.is_empty(), "{}", show(&out));

    for absurd in ["1073741825", "99999999999999"] {
        let out = wasock(&["--stack-size", absurd, "-f", "depth", &wat, "1"]);
        assert_one_line_error(&out, 2, &["--stack-size", "1073741824"]);
    }
}

/// Item 10: `wasock compile` on a file that is not a module says what running it says.
#[test]
fn compile_of_a_non_module_says_what_running_it_says() {
    let dir = scratch_dir("compile");
    for (name, bytes) in [
        ("picture.png", &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe"[..]),
        ("notes.txt", &b"hello, not a module\n"[..]),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out_path = dir.join(format!("{name}.cwasm"));
        let ran = wasock(&[&s(&path)]);
        assert_one_line_error(&ran, 1, &[name, "\\0asm magic header"]);
        let compiled = wasock(&["compile", &s(&path), "-o", &s(&out_path)]);
        assert_one_line_error(&compiled, 1, &[name]);
        assert_eq!(
            String::from_utf8_lossy(&compiled.stderr),
            String::from_utf8_lossy(&ran.stderr),
            "{name}"
        );
        assert!(!out_path.exists(), "{name}: an output was written");
    }
}

/// Item 12: a `--hosts-file` that is missing or is a directory is refused at start-up in one
/// line naming the file and the cause, before the guest starts.
#[test]
fn unreadable_hosts_file_is_refused_at_start_up() {
    let wasm = s(&compile_c("wasi/exit_trap.c", false));
    let dir = scratch_dir("hosts");
    let missing = s(&dir.join("missing-hosts"));
    let out = wasock(&["--hosts-file", &missing, &wasm]);
    assert_one_line_error(&out, 1, &[&missing, "No such file"]);
    let out = wasock(&[&format!("--hosts-file={}", s(&dir)), &wasm]);
    assert_one_line_error(&out, 1, &[&s(&dir), "directory"]);
    // A readable file is fine.
    let hosts = dir.join("hosts");
    std::fs::write(&hosts, "127.0.0.1 api.test\n").unwrap();
    let out = wasock(&["--hosts-file", &s(&hosts), &wasm]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(out.stdout, b"no action\n", "{}", show(&out));
}

#[test]
fn preopening_a_directory_that_holds_proc_is_refused() {
    // Through /proc/self/mem a guest could write wasock's own memory, its policy included.
    let wasm = s(&compile_c("wasi/exit_trap.c", false));
    let out = wasock(&["--dir=/", &wasm]);
    assert_one_line_error(&out, 1, &["cannot preopen directory /", "/proc"]);
    let out = wasock(&["--map-dir=/p::/proc", &wasm]);
    assert_one_line_error(&out, 1, &["cannot preopen directory /proc", "/proc"]);
    // Any other directory is fine.
    let dir = scratch_dir("no-proc");
    let out = wasock(&[&format!("--dir={}", s(&dir)), &wasm]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

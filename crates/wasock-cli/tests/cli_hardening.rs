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
}

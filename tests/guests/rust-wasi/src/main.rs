//! A Rust WASI guest exercising std's preview1 paths: args, env, files, directories, clocks,
//! randomness and exit codes. Prints `ok NAME` per group; panics (exit 101) on a mismatch.
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant, SystemTime};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    assert_eq!(args[1..], ["dir=/data", "ünïcödé"], "{args:?}");
    assert_eq!(std::env::var("GREETING").as_deref(), Ok("hi there"));
    println!("ok args_env");

    let dir = std::path::Path::new("/data");
    let path = dir.join("notes.txt");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"line one\nline two\n").unwrap();
    drop(f);
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(b"line three\n").unwrap();
    // On wasm32-wasip2 a file opened for append reads nothing after the append (wasi-libc
    // over wasmtime-wasi's streams; wasmtime's own CLI does the same): read a second handle.
    #[cfg(target_env = "p2")]
    let mut f = std::fs::File::open(&path).unwrap();
    f.seek(SeekFrom::Start(5)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "one\nline two\nline three\n");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 29);
    println!("ok files");

    std::fs::create_dir_all(dir.join("a/b/c")).unwrap();
    std::fs::write(dir.join("a/b/c/deep.txt"), "deep").unwrap();
    std::fs::rename(dir.join("a/b/c/deep.txt"), dir.join("a/moved.txt")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["b", "moved.txt"]);
    std::fs::remove_dir_all(dir.join("a/b")).unwrap();
    assert!(std::fs::read("/etc/passwd").is_err());
    println!("ok dirs");

    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(15));
    assert!(start.elapsed() >= Duration::from_millis(15));
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    assert!(now.as_secs() > 1_600_000_000);
    println!("ok clocks");

    let (a, b) = (
        RandomState::new().hash_one(1u8),
        RandomState::new().hash_one(1u8),
    );
    assert_ne!(a, b, "random_get must seed differently");
    println!("ok random");
    std::process::exit(3);
}

//! Link-time settings for the `wasock` binary (each measured in bench/README.md).

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    // Packed relative relocations (DT_RELR): the PIE's ~17,000 relative relocations become a
    // few hundred words, so the dynamic loader does far less work at every start-up. Needs
    // binutils >= 2.38 and glibc >= 2.36, as on Debian 12, or musl >= 1.2.4 (Rust bundles
    // 1.2.5), whose static-PIE start code applies them.
    let musl = target == "x86_64-unknown-linux-musl";
    let lld = if musl { rust_lld_dir() } else { None };
    if target.ends_with("-linux-gnu") || musl {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    // On musl rustc links with `cc` and the system's GNU ld, which has no symbol ordering:
    // link with the toolchain's own lld instead, as rustc does on x86_64-unknown-linux-gnu.
    // Without it the binary still works, but starts slower (bench/README.md): say so.
    match &lld {
        Some(dir) => {
            println!("cargo:rustc-link-arg-bins=-B{}", dir.display());
            println!("cargo:rustc-link-arg-bins=-fuse-ld=lld");
        }
        None if musl => println!(
            "cargo:warning=rustc's gcc-ld/ld.lld not found: linking with the system linker, \
             without the symbol list (a slower start)"
        ),
        None => {}
    }
    // The functions a cached start and socket serving run, placed together at the start of
    // .text (bench/symbol-order.py regenerates the list): the kernel maps 64 KiB around each
    // page it faults in, so scattered, they made ~4.5 MiB of the binary resident; packed, ~1.
    // lld only (rustc's default linker for -linux-gnu since Rust 1.90; ours for musl); names
    // the build does not have are ignored. The list is made for the release build as shipped
    // (musl): function names carry a hash of the target, so a glibc build finds few of them.
    println!("cargo:rerun-if-changed=symbol-order.txt");
    if (target == "x86_64-unknown-linux-gnu" || lld.is_some())
        && std::env::var_os("WASOCK_NO_SYMBOL_ORDER").is_none()
    {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={dir}/symbol-order.txt");
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    println!("cargo:rerun-if-env-changed=WASOCK_NO_SYMBOL_ORDER");
    // The unwinder linked in from libgcc_eh.a instead of loading libgcc_s.so.1: one shared
    // library fewer to map and relocate, and no second cpuid probe in its constructor (~85 us
    // of every start, bench/README.md). lld takes _Unwind_* from this archive, which comes
    // first on the link line, and --as-needed then drops libgcc_s. Only where that was
    // measured (lld on x86_64; with GNU ld the archive's place on the link line would matter)
    // and for a native build (`cc` names the host's archive); otherwise, or without the
    // archive, the default dynamic libgcc_s stays. (musl builds link rustc's static libunwind.)
    println!("cargo:rerun-if-env-changed=WASOCK_DYNAMIC_LIBGCC");
    println!("cargo:rerun-if-env-changed=CC");
    let native = std::env::var("HOST").is_ok_and(|h| h == target);
    if target == "x86_64-unknown-linux-gnu"
        && native
        && std::env::var_os("WASOCK_DYNAMIC_LIBGCC").is_none()
    {
        if let Some(archive) = libgcc_eh() {
            // A compiler upgrade moves the archive: look again then.
            println!("cargo:rerun-if-changed={}", archive.display());
            if let Some(dir) = archive.parent() {
                println!("cargo:rustc-link-search=native={}", dir.display());
                println!("cargo:rustc-link-lib=static=gcc_eh");
            }
        }
    }
    // Opt-in, glibc builds: a non-PIE binary has no run-time relocation (hello world ~14%
    // faster then), but its code sits at a fixed address, without ASLR; the default keeps PIE.
    if target.ends_with("-linux-gnu") && std::env::var_os("WASOCK_NO_PIE").is_some() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-env-changed=WASOCK_NO_PIE");
}

/// The directory holding rustc's `ld.lld` wrapper for `cc -fuse-ld=lld` (gcc-ld), if any.
fn rust_lld_dir() -> Option<std::path::PathBuf> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = std::process::Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let sysroot = String::from_utf8(out.stdout).ok()?;
    let host = std::env::var("HOST").ok()?;
    let dir = std::path::Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host)
        .join("bin/gcc-ld");
    dir.join("ld.lld").is_file().then_some(dir)
}

/// The C compiler's libgcc_eh.a, if it has one.
fn libgcc_eh() -> Option<std::path::PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = std::process::Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let path = std::path::PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    // gcc prints the bare name back when it has no such file.
    (path.is_absolute() && path.is_file()).then_some(path)
}

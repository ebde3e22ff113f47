//! Link-time settings for the `wasock` binary (each measured in bench/README.md).

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    // Packed relative relocations (DT_RELR): the PIE's ~17,000 relative relocations become a
    // few hundred words, so the dynamic loader does far less work at every start-up. Needs
    // binutils >= 2.38 and glibc >= 2.36, as on Debian 12.
    if target.ends_with("-linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    // The functions a cached start and socket serving run, placed together at the start of
    // .text (bench/symbol-order.py regenerates the list): the kernel maps 64 KiB around each
    // page it faults in, so scattered, they made ~4.5 MiB of the binary resident; packed, ~1.
    // lld only (rustc's default linker on this target since Rust 1.90); names the build does
    // not have are ignored.
    println!("cargo:rerun-if-changed=symbol-order.txt");
    if target == "x86_64-unknown-linux-gnu" && std::env::var_os("WASOCK_NO_SYMBOL_ORDER").is_none()
    {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={dir}/symbol-order.txt");
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    println!("cargo:rerun-if-env-changed=WASOCK_NO_SYMBOL_ORDER");
    // Opt-in: a non-PIE binary has no run-time relocation (hello world ~14% faster), but its
    // code sits at a fixed address, without ASLR; the default keeps PIE.
    if std::env::var_os("WASOCK_NO_PIE").is_some() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-env-changed=WASOCK_NO_PIE");
}

//! Link-time settings for the `wasock` binary.

fn main() {
    // Packed relative relocations (DT_RELR): the PIE's ~17,000 relative relocations become a
    // few hundred words, so the dynamic loader does far less work at every start-up (measured in
    // bench/README.md). Needs binutils >= 2.38 and glibc >= 2.36, as on Debian 12.
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.ends_with("-linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

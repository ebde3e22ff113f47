#!/usr/bin/env bash
# Builds the old (2020) iwasm bundled in the crates.io crate wamr-sys 0.1.1 (see README.md) into
# target/iwasm/iwasm, and the hello world both runtimes can load into target/iwasm/hello.wasm.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/target/iwasm"
mkdir -p "$out/fetch/src"
# cargo only fetches crates for a project: a throwaway one that depends on wamr-sys.
cat > "$out/fetch/Cargo.toml" <<'TOML'
[package]
name = "fetch-wamr"
version = "0.0.0"
edition = "2021"
[dependencies]
wamr-sys = "=0.1.1"
[workspace]
TOML
: > "$out/fetch/src/lib.rs"
(cd "$out/fetch" && cargo fetch -q)
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wamr-sys-0.1.1/wasm-micro-runtime | head -n1)
mkdir -p "$out/build"
cmake -S "$src/product-mini/platforms/linux" -B "$out/build" -DCMAKE_BUILD_TYPE=Release \
    -DWAMR_BUILD_BULK_MEMORY=1 >/dev/null
make -s -C "$out/build" -j2 iwasm
cp "$out/build/iwasm" "$out/iwasm"
"$root/scripts/wasi-cc" -O2 -Wl,--compress-relocations,--strip-debug \
    "$root/bench/guests/hello.c" -o "$out/hello.wasm"
cc -O2 "$root/bench/guests/hello.c" -o "$out/hello"
echo "$out/iwasm"

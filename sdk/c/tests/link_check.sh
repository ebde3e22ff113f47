#!/usr/bin/env bash
# Proves that the SDK archive coexists with wasi-libc, which defines accept/accept4 (one
# object), recv, send, shutdown and getsockopt itself:
#   1. builds libsocket_wasi_ext.a (plain and -threads) with scripts/wasi-cc;
#   2. links tests/link_app.c (which calls exactly those six functions) against it + libc,
#      with --fatal-warnings and wasm-ld's --trace-symbol, and checks that every one of them
#      is defined by wasi_socket_ext.o, i.e. no wasi-libc socket object is linked (WAMR's
#      library failed here with "duplicate symbol: accept" as soon as accept4 was used);
#   3. checks the module's imports with check_imports.py: our accept imports sock_addr_remote
#      (wasi-libc's does not), and nothing outside the ABI is imported;
#   4. links an app with `wasi_socket_ext.c` as a plain object too (the bench/test style).
# usage: sdk/c/tests/link_check.sh [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sdk=$(cd "$here/.." && pwd)
root=$(cd "$sdk/../.." && pwd)
out=${1:-$root/target/sdk-link-check}
cc="$root/scripts/wasi-cc"
ar=$(command -v llvm-ar-19 || command -v llvm-ar)
nm=$(command -v llvm-nm-19 || command -v llvm-nm)
mkdir -p "$out"
fail() { echo "link_check: FAIL: $*" >&2; exit 1; }
syms=(accept accept4 recv send shutdown getsockopt)

for variant in plain threads; do
    flag=(); [ "$variant" = threads ] && flag=(--threads)
    d="$out/$variant"; mkdir -p "$d"
    "$cc" "${flag[@]}" -O2 -Wall -Wextra -Werror -I"$sdk/include" -c "$sdk/src/wasi_socket_ext.c" -o "$d/wasi_socket_ext.o"
    rm -f "$d/libsocket_wasi_ext.a"
    "$ar" rcs "$d/libsocket_wasi_ext.a" "$d/wasi_socket_ext.o"

    # The archive defines all six (and accept+accept4 together).
    for s in "${syms[@]}"; do
        "$nm" --defined-only "$d/libsocket_wasi_ext.a" | grep -qE " T $s\$" || fail "$variant: archive does not define $s"
    done

    trace=(); for s in "${syms[@]}"; do trace+=("-Wl,--trace-symbol=$s"); done
    "$cc" "${flag[@]}" -O2 -Wall -Werror -I"$sdk/include" "$here/link_app.c" -L"$d" -lsocket_wasi_ext \
        -Wl,--fatal-warnings "${trace[@]}" -o "$d/link_app.wasm" >"$d/trace.txt" 2>&1 \
        || { cat "$d/trace.txt" >&2; fail "$variant: link failed"; }
    for s in "${syms[@]}"; do
        def=$(grep -E ": definition of $s\$" "$d/trace.txt" || true)
        [ -n "$def" ] || { cat "$d/trace.txt" >&2; fail "$variant: no definition of $s traced"; }
        grep -q "wasi_socket_ext.o" <<<"$def" || fail "$variant: $s defined by ${def%%: *}, not by the SDK"
        ! grep -q "libc.a" <<<"$def" || fail "$variant: $s also taken from libc: $def"
        echo "ok $variant: $s <- ${def%%: *}"
    done

    python3 "$here/check_imports.py" --require sock_accept --require sock_addr_remote --require sock_recv \
        --require sock_send --require sock_shutdown --require fd_fdstat_get --forbid sock_close "$d/link_app.wasm"

    # Plain-object style (scripts/wasi-cc app.c sdk/c/src/wasi_socket_ext.c), as bench/ and the tests do.
    "$cc" "${flag[@]}" -O2 -Wall -Werror -I"$sdk/include" "$here/link_app.c" "$sdk/src/wasi_socket_ext.c" \
        -Wl,--fatal-warnings -o "$d/link_app_obj.wasm"
    python3 "$here/check_imports.py" --require sock_addr_remote --forbid sock_close "$d/link_app_obj.wasm"
done
# Controls, showing the checks above can fail:
#  (a) without the SDK library, the same app links the socket layer the sysroot's libc.a holds
#      (setup-sysroot replaced wasi-libc's accept/recv/send/shutdown/getsockopt objects with it);
#  (b) a library defining accept but not accept4 (WAMR's) clashes with wasi-libc's accept object.
d="$out/control"; mkdir -p "$d"
"$cc" -O2 -I"$sdk/include" "$here/link_app.c" -Wl,--trace-symbol=accept -o "$d/libc_only.wasm" >"$d/trace.txt" 2>&1 \
    || { cat "$d/trace.txt" >&2; fail "control: libc-only link failed"; }
grep -q "libc.a(wasock_socket_ext.o): definition of accept" "$d/trace.txt" \
    || { cat "$d/trace.txt" >&2; fail "control: expected libc.a's socket layer without the SDK library"; }
echo "ok control: without the SDK library, accept <- libc.a(wasock_socket_ext.o)"
cat >"$d/accept_only.c" <<'C'
#include <sys/socket.h>
int accept(int fd, struct sockaddr *a, socklen_t *l) { (void)fd; (void)a; (void)l; return -1; }
C
"$cc" -O2 -c "$d/accept_only.c" -o "$d/accept_only.o"
if "$cc" -O2 -I"$sdk/include" "$here/link_app.c" "$d/accept_only.o" -o "$d/dup.wasm" >"$d/dup.txt" 2>&1; then
    fail "control: expected a duplicate-symbol error for an accept-only library"
fi
grep -q "duplicate symbol: accept" "$d/dup.txt" || { cat "$d/dup.txt" >&2; fail "control: unexpected link error"; }
echo "ok control: an accept-only library + accept4 -> duplicate symbol: accept (WAMR's library problem)"
echo "link_check: ok"

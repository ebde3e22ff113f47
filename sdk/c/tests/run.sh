#!/usr/bin/env bash
# The C SDK's own test suite (build-only checks, plus runs under wasock when one is built):
#   1. check_imports.py's table (52 socket imports) and the header in C89/C99/C11/C++ (-Werror);
#   2. abi_all.c: every wrapper of the header links to the ABI's name and wasm signature;
#   3. link_check.sh: the archive coexists with wasi-libc (which accept/recv/... definitions win);
#   4. CMake: the SDK builds and installs, find_package(wasock-socket) and
#      find_package(wamr-wasi-socket) work, the examples build (wasip1 and wasip1-threads) and
#      import only ABI functions (docs/socket-abi.md); the examples and sdk_behaviour.c build
#      natively with cc;
#   5. own_defs.c (a port's own shims next to the SDK's; strict C11 clock ids) and porting.c
#      (what ported programs use around sockets: the emulation libraries, the compat
#      stubs in libc.a, inet_addr, CMSG_*, socketpair, a 512 KiB stack) builds with only
#      wasi-sdk's flags through scripts/wasi-cc (both targets), through CMake, and natively;
#      thread_stacks.c: 200 threads alive at once with the default 1 MiB stacks;
#      unchanged.c (emulations on by default, process/identity calls declared and failing
#      honestly, strcasestr, realpath of a --dir preopen) builds with no flags at all;
#      plain_sockets.c (socket, bind, accept, UDP, options, getaddrinfo) with only the system
#      headers: no SDK header, flag or library (libc.a holds the socket layer);
#      printf.c: the SDK's printf against musl's (fixed cases and 200,000 random specs);
#   6. with a wasock binary ($WASOCK, or target/{release,debug}/wasock): sdk_behaviour.wasm,
#      sockopts.wasm and the porting builds run and pass (natively too), each within 300 s.
# usage: sdk/c/tests/run.sh [BUILD_DIR]     (default target/sdk-c-tests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sdk=$(cd "$here/.." && pwd)
root=$(cd "$sdk/../.." && pwd)
out=${1:-$root/target/sdk-c-tests}
cc="$root/scripts/wasi-cc"
py=python3
mkdir -p "$out"
step() { echo "== $*"; }

step "import table"
$py "$here/check_imports.py" --self-test

step "header: C89, C99, C11, C++ (plain and threads), -Wall -Wextra -Werror (-pedantic from C99)"
printf '#include <sys/socket.h>\n#include <netinet/in.h>\n#ifdef __wasi__\n#include <wasi_socket_ext.h>\n#endif\n#include <wasi_socket_ext.h>\nint main(void) { return 0; }\n' >"$out/hdr.c"
printf '#include <wasi_socket_ext.h>\nint main(void) { struct addrinfo *r = 0; return getaddrinfo("a", 0, 0, &r) + SO_REUSEADDR; }\n' >"$out/hdr_alone.c"
for t in "" --threads; do
    # C89 too (tinyproxy builds with `--std=c89 -ansi`): no `inline`, no `//` in the header
    "$cc" $t -std=c89 -ansi -Wall -Wextra -Werror -I"$sdk/include" -c "$out/hdr.c" -o "$out/hdr.o"
    for std in -std=c99 -std=c11 -std=gnu17; do
        "$cc" $t $std -Wall -Wextra -Werror -pedantic -I"$sdk/include" -c "$out/hdr.c" -o "$out/hdr.o"
        "$cc" $t $std -Wall -Wextra -Werror -pedantic -I"$sdk/include" -c "$out/hdr_alone.c" -o "$out/hdr.o"
    done
    "$cc" $t -x c++ -std=c++17 -Wall -Wextra -Werror -pedantic -I"$sdk/include" -c "$out/hdr_alone.c" -o "$out/hdr.o"
    "$cc" $t -std=c11 -Wall -Wextra -Werror -pedantic -I"$sdk/include" -c "$sdk/src/wasi_socket_ext.c" -o "$out/lib.o"
done
echo ok

step "every import wrapper vs the ABI's signatures"
"$cc" -O2 -Wall -Wextra -Werror -I"$sdk/include" "$here/abi_all.c" "$sdk/src/wasi_socket_ext.c" -o "$out/abi_all.wasm"
req=()
for n in $($py -c "import sys; sys.path.insert(0, '$here'); import check_imports as c; print(' '.join(c.SOCKET))"); do
    req+=(--require "$n")
done
$py "$here/check_imports.py" "${req[@]}" "$out/abi_all.wasm" | sed 's/ (.*//'

step "link check"
"$here/link_check.sh" "$out/link" | grep -E "^ok .*<-|control|link_check"

step "CMake: SDK build + install, find_package consumers"
tc="$sdk/cmake/wasi.cmake"
cmake -S "$sdk" -B "$out/sdk-build" -DCMAKE_TOOLCHAIN_FILE="$tc" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS=-Werror >"$out/sdk-build.log" 2>&1 || { cat "$out/sdk-build.log"; exit 1; }
cmake --build "$out/sdk-build" >>"$out/sdk-build.log" 2>&1 || { cat "$out/sdk-build.log"; exit 1; }
rm -rf "$out/prefix"
cmake --install "$out/sdk-build" --prefix "$out/prefix" >>"$out/sdk-build.log"
mkdir -p "$out/consumer"
cat >"$out/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.14)
project(consumer C)
find_package(wasock-socket REQUIRED)
find_package(wamr-wasi-socket REQUIRED)
add_executable(via_wasock main.c)
target_link_libraries(via_wasock socket_wasi_ext)
add_executable(via_wamr main.c)
target_link_libraries(via_wamr wamr-wasi-socket)
EOF
cp "$sdk/../../examples/c/tcp_client.c" "$out/consumer/main.c"
cp "$sdk/../../examples/c/common.h" "$out/consumer/common.h"
cmake -S "$out/consumer" -B "$out/consumer-build" -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -DCMAKE_PREFIX_PATH="$out/prefix" >"$out/consumer.log" 2>&1 || { cat "$out/consumer.log"; exit 1; }
cmake --build "$out/consumer-build" >>"$out/consumer.log" 2>&1 || { cat "$out/consumer.log"; exit 1; }
$py "$here/check_imports.py" --require sock_connect "$out/consumer-build/via_wasock.wasm" \
    "$out/consumer-build/via_wamr.wasm" | sed 's/ (.*//'

step "CMake: examples (wasm32-wasip1, wasm32-wasip1-threads) and their imports"
for threads in OFF ON; do
    b="$out/examples-$threads"
    cmake -S "$root/examples/c" -B "$b" -DCMAKE_TOOLCHAIN_FILE="$tc" -DWASOCK_THREADS=$threads \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-Werror >"$b.log" 2>&1 || { cat "$b.log"; exit 1; }
    cmake --build "$b" -j4 >>"$b.log" 2>&1 || { cat "$b.log"; exit 1; }
    $py "$here/check_imports.py" --forbid sock_close "$b"/*.wasm | sed 's/ (.*//'
done

step "porting.c: wasi-sdk's emulation flags, wasi-cc (both targets) and CMake"
emu_defs=(-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_PROCESS_CLOCKS
          -D_WASI_EMULATED_MMAN)
emu_libs=(-lwasi-emulated-signal -lwasi-emulated-getpid -lwasi-emulated-process-clocks
          -lwasi-emulated-mman)
"$cc" -O2 -Wall -Wextra -Werror "${emu_defs[@]}" "$here/porting.c" "${emu_libs[@]}" -o "$out/porting.wasm"
"$cc" --threads -O2 -Wall -Wextra -Werror "${emu_defs[@]}" "$here/porting.c" "${emu_libs[@]}" \
    -o "$out/porting-threads.wasm"
"$cc" --threads -O2 -Wall -Wextra -Werror "$here/thread_stacks.c" -o "$out/thread_stacks.wasm"
mkdir -p "$out/porting-cmake"
cp "$here/porting.c" "$here/check.h" "$out/porting-cmake/"
cat >"$out/porting-cmake/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.14)
project(porting C)
add_executable(porting porting.c)
target_compile_definitions(porting PRIVATE _WASI_EMULATED_SIGNAL _WASI_EMULATED_GETPID
    _WASI_EMULATED_PROCESS_CLOCKS _WASI_EMULATED_MMAN)
target_link_libraries(porting wasi-emulated-signal wasi-emulated-getpid
    wasi-emulated-process-clocks wasi-emulated-mman)
EOF
cmake -S "$out/porting-cmake" -B "$out/porting-cmake/build" -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$out/porting-cmake.log" 2>&1 \
    && cmake --build "$out/porting-cmake/build" >>"$out/porting-cmake.log" 2>&1 \
    || { cat "$out/porting-cmake.log"; exit 1; }
echo ok

step "own_defs.c: a port's own alarm/getppid/mkstemp next to the SDK's; strict C11 clock ids"
"$cc" -O2 -Wall -Wextra -Werror "$here/own_defs.c" -o "$out/own_defs.wasm"
printf '#include <time.h>\nint main(void) { return CLOCK_MONOTONIC + CLOCK_REALTIME + TIMER_ABSTIME - 2; }\n' \
    >"$out/strict_c11.c"
"$cc" -std=c11 -Wall -Wextra -Werror "$out/strict_c11.c" -o "$out/strict_c11.wasm"
echo ok

step "printf.c: the SDK's printf against musl's (both targets)"
"$cc" -O2 -Wall -Wextra -Werror "$here/printf.c" -o "$out/printf.wasm"
"$cc" --threads -O2 -Wall -Wextra -Werror "$here/printf.c" -o "$out/printf-threads.wasm"
echo ok

step "plain_sockets.c: sockets with no SDK header, flag or library, wasi-cc (both targets) and CMake"
"$cc" -Wall -Wextra -Werror "$here/plain_sockets.c" -o "$out/plain_sockets.wasm"
"$cc" --threads -Wall -Wextra -Werror "$here/plain_sockets.c" -o "$out/plain_sockets-threads.wasm"
mkdir -p "$out/plain-cmake"
cp "$here/plain_sockets.c" "$here/check.h" "$out/plain-cmake/"
printf 'cmake_minimum_required(VERSION 3.14)\nproject(plain C)\nadd_executable(plain_sockets plain_sockets.c)\n' \
    >"$out/plain-cmake/CMakeLists.txt"
cmake -S "$out/plain-cmake" -B "$out/plain-cmake/build" -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$out/plain-cmake.log" 2>&1 \
    && cmake --build "$out/plain-cmake/build" >>"$out/plain-cmake.log" 2>&1 \
    || { cat "$out/plain-cmake.log"; exit 1; }
echo ok

step "unchanged.c: no flags at all (emulations on by default), wasi-cc (both targets) and CMake"
"$cc" -Wall -Wextra -Werror "$here/unchanged.c" -o "$out/unchanged.wasm"
"$cc" --threads -Wall -Wextra -Werror "$here/unchanged.c" -o "$out/unchanged-threads.wasm"
mkdir -p "$out/unchanged-cmake"
cp "$here/unchanged.c" "$here/check.h" "$out/unchanged-cmake/"
printf 'cmake_minimum_required(VERSION 3.14)\nproject(unchanged C)\nadd_executable(unchanged unchanged.c)\n' \
    >"$out/unchanged-cmake/CMakeLists.txt"
cmake -S "$out/unchanged-cmake" -B "$out/unchanged-cmake/build" -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$out/unchanged-cmake.log" 2>&1 \
    && cmake --build "$out/unchanged-cmake/build" >>"$out/unchanged-cmake.log" 2>&1 \
    || { cat "$out/unchanged-cmake.log"; exit 1; }
echo ok

step "native builds (cc): examples, sdk_behaviour.c and porting.c"
ncc=${CC:-cc}
mkdir -p "$out/native"
for f in "$root"/examples/c/*.c; do
    $ncc -O2 -Wall -Wextra -Werror -o "$out/native/$(basename "${f%.c}")" "$f"
done
$ncc -O2 -Wall -Wextra -Werror -o "$out/native/sdk_behaviour" "$here/sdk_behaviour.c"
$ncc -O2 -Wall -Wextra -Werror -o "$out/native/porting" "$here/porting.c"
$ncc -O2 -Wall -Wextra -Werror -pthread -o "$out/native/thread_stacks" "$here/thread_stacks.c"
# glibc declares strcasestr only under _GNU_SOURCE (the sysroot, as the BSDs, by default)
$ncc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$out/native/unchanged" "$here/unchanged.c"
$ncc -O2 -Wall -Wextra -Werror -o "$out/native/plain_sockets" "$here/plain_sockets.c"
$ncc -O2 -Wall -Wextra -Werror -o "$out/native/printf" "$here/printf.c"
echo ok

wasock=${WASOCK:-}
for cand in "$("$root/scripts/build-release" --print-path)" "$root/target/debug/wasock"; do
    [ -n "$wasock" ] || { [ -x "$cand" ] && wasock=$cand; } || true
done
if [ -z "$wasock" ]; then
    echo "== runs skipped: no wasock binary (set WASOCK or build wasock-cli)"
    exit 0
fi
step "runs under $wasock (and natively)"
# Each guest run has a time limit: one that hangs (a deadlock) fails the suite, not stalls it.
guest() { timeout 300 "$wasock" "$@"; }
"$cc" -O2 -Wall -Wextra -Werror -I"$sdk/include" "$here/sdk_behaviour.c" "$sdk/src/wasi_socket_ext.c" -o "$out/sdk_behaviour.wasm"
$py "$here/check_imports.py" "$out/sdk_behaviour.wasm" | sed 's/ (.*//'
guest --addr-pool=127.0.0.1/32 --addr-pool=::1/128 --allow-resolve=localhost "$out/sdk_behaviour.wasm" 2>"$out/sdk_behaviour.err" \
    || { cat "$out/sdk_behaviour.err"; exit 1; }
"$out/native/sdk_behaviour" >/dev/null
guest "$out/examples-OFF/sockopts.wasm" >"$out/sockopts.txt" || { cat "$out/sockopts.txt"; exit 1; }
grep -q '^SO_DEBUG=Protocol not available$' "$out/sockopts.txt"
echo "ok sockopts ($(grep -c = "$out/sockopts.txt") values)"
rm -rf "$out/porting-dir" && mkdir -p "$out/porting-dir"
for m in "$out/porting.wasm" "$out/porting-threads.wasm" "$out/porting-cmake/build/porting.wasm"; do
    guest --dir="$out/porting-dir" "$m" "$out/porting-dir" >"$out/porting.txt" 2>"$out/porting.err" \
        || { cat "$out/porting.txt" "$out/porting.err"; exit 1; }
    grep -q '^porting: all ok$' "$out/porting.txt"
    # syslog goes to stderr, with %m expanded
    grep -q '^porting\[42\]: syslog works: yes (No such file or directory)$' "$out/porting.err"
    grep -q '^porting.*: warnx works: 7$' "$out/porting.err"
    grep -q '^porting.*: alarm(100) set, but WASI delivers no SIGALRM: it will not fire$' "$out/porting.err"
    echo "ok ${m#"$out"/} ($(grep -c '^ok ' "$out/porting.txt") checks)"
done
"$out/native/porting" "$out/porting-dir" >/dev/null 2>&1 || { "$out/native/porting" "$out/porting-dir"; exit 1; }
# realpath() of the --dir preopen itself (musl's failed with ENOENT above it)
for m in "$out/unchanged.wasm" "$out/unchanged-threads.wasm" "$out/unchanged-cmake/build/unchanged.wasm"; do
    guest --dir="$out/porting-dir" "$m" "$out/porting-dir" >"$out/unchanged.txt" 2>&1 \
        || { cat "$out/unchanged.txt"; exit 1; }
    grep -q '^unchanged: all ok$' "$out/unchanged.txt"
    echo "ok ${m#"$out"/} ($(grep -c '^ok ' "$out/unchanged.txt") checks)"
done
"$out/native/unchanged" "$out/porting-dir" >/dev/null || { "$out/native/unchanged" "$out/porting-dir"; exit 1; }
# on another runtime too: realpath, and getrusage/clock without a process clock (wasmtime)
if command -v wasmtime >/dev/null; then
    wasmtime run --dir="$out/porting-dir" "$out/unchanged.wasm" "$out/porting-dir" >"$out/unchanged.txt" 2>&1 \
        || { cat "$out/unchanged.txt"; exit 1; }
    grep -q '^unchanged: all ok$' "$out/unchanged.txt"
    echo "ok unchanged.wasm under wasmtime ($(grep -c '^ok ' "$out/unchanged.txt") checks)"
fi
guest --dir="$out/porting-dir" "$out/own_defs.wasm" "$out/porting-dir" >"$out/own_defs.txt" 2>&1 \
    || { cat "$out/own_defs.txt"; exit 1; }
grep -q '^own_defs: all ok$' "$out/own_defs.txt"
echo "ok own_defs.wasm ($(grep -c '^ok ' "$out/own_defs.txt") checks)"
for m in "$out/plain_sockets.wasm" "$out/plain_sockets-threads.wasm" "$out/plain-cmake/build/plain_sockets.wasm"; do
    guest --addr-pool=127.0.0.1/32 --allow-resolve=localhost "$m" >"$out/plain.txt" 2>&1 \
        || { cat "$out/plain.txt"; exit 1; }
    grep -q '^plain_sockets: all ok$' "$out/plain.txt"
    echo "ok ${m#"$out"/} ($(grep -c '^ok ' "$out/plain.txt") checks)"
done
"$out/native/plain_sockets" >/dev/null || { "$out/native/plain_sockets"; exit 1; }
for m in "$out/printf.wasm" "$out/printf-threads.wasm"; do
    guest --dir="$out/porting-dir" "$m" "$out/porting-dir" >"$out/printf.txt" 2>&1 \
        || { cat "$out/printf.txt"; exit 1; }
    grep -q '^ok read-only stream, unbuffered$' "$out/printf.txt"
    grep -q '^ok 200,000 random specs$' "$out/printf.txt"
    echo "ok ${m#"$out"/} ($(grep -c '^ok ' "$out/printf.txt") checks)"
done
"$out/native/printf" >/dev/null || { "$out/native/printf"; exit 1; }
"$out/native/thread_stacks" >/dev/null || { "$out/native/thread_stacks"; exit 1; }
guest "$out/thread_stacks.wasm" >"$out/thread_stacks.txt" || { cat "$out/thread_stacks.txt"; exit 1; }
cat "$out/thread_stacks.txt"
echo "sdk/c tests: ok"

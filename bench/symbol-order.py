#!/usr/bin/env python3
"""Regenerates crates/wasock-cli/symbol-order.txt: the functions wasock runs when it starts a
cached module and serves sockets, which the linker (lld, --symbol-ordering-file) places
together at the start of .text.

Why: the kernel maps 64 KiB of a binary around every page it faults in, so functions used at
start-up but scattered over a 14 MB .text made ~4.5 MiB of it resident. Packed together they
fill ~0.7 MiB (bench/README.md has the numbers).

usage: bench/symbol-order.py [--binary BINARY, default: scripts/build-release's] [--no-page-trace] [--no-build]
       bench/symbol-order.py --check   # how much of the list the binary still has

Two sources, both on the bench guests (bench/run.py builds them; this script does too):
1. valgrind's callgrind lists every function executed, exactly, in these runs: hello world,
   the echo server serving a few connections, the HTTP server serving keep-alive requests.
   Each guest first runs once under valgrind so that the module cache holds code for the CPU
   valgrind emulates: a run that compiles would list Cranelift, which a cached start never runs.
2. valgrind's CPU lacks some features (SHA-NI, ...), so some native code paths never show up
   there. As root, the same runs go natively against a copy of the binary evicted from the
   page cache with read-ahead off; the pages that then sit in the page cache are exactly those
   touched, and the functions on touched pages that hold no function from 1 are added.
The list is sorted by address in the current binary. Names with LTO suffixes (`.llvm.N`,
rare since the release profile uses fat LTO) can change when code changes; the linker ignores
names it does not find, so a stale list only loses some locality. The page trace is not exact:
run on a binary already ordered by the list it also adds neighbours that share the packed
pages (572 -> 638 functions once), so generate from a binary built with a stale list or none.
Changing the wasock crates' dependencies renames all their functions (cargo's metadata hash),
so regenerate then, and after larger changes; `--check` says how many listed names the binary
has. The build's flags rename them too: the list is for `scripts/build-release` (which the
build step here runs: static, musl); a plain `cargo build --release` (glibc) has few of its
names (~15% when both were glibc builds; the target is part of every name's hash too).
"""
import argparse, ctypes, mmap, os, re, shutil, socket, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
ORDER = ROOT / "crates" / "wasock-cli" / "symbol-order.txt"
sys.path.insert(0, str(ROOT / "bench"))
import run as bench  # noqa: E402  (bench/run.py: guest build, server start)


def echo_client(port):
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(3):
                s.sendall(b"x" * 1000)
                n = 0
                while n < 1000:
                    n += len(s.recv(65536))


def http_client(port):
    conns = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(3)]
    for _ in range(3):
        for s in conns:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        for s in conns:
            data = b""
            while b"\r\n\r\n" not in data:
                data += s.recv(65536)
    for s in conns:
        s.close()


SCENARIOS = [  # (guest, guest args, client or None)
    ("hello", [], None),
    ("echo_server", ["0"], echo_client),
    ("http_server", ["0", "0"], http_client),
]


def run_scenarios(prefix, binary):
    """Runs every scenario with `prefix + [binary, ...]`."""
    for guest, args, client in SCENARIOS:
        cmd = [*prefix, binary, "--addr-pool=127.0.0.1/32", OUT / f"{guest}.wasm", *args]
        if client is None:
            subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            continue
        p, port = bench.start_server(cmd)
        try:
            client(port)
        finally:
            p.terminate()  # callgrind writes its profile on SIGTERM too
            p.wait(timeout=120)


def callgrind_functions(binary):
    """Function names (in `binary`) that callgrind saw executed in the scenarios."""
    vg = ["valgrind", "-q", "--tool=none"]
    run_scenarios(vg, binary)  # fill the module cache for valgrind's CPU
    names = set()
    with tempfile.TemporaryDirectory() as d:
        cg = ["valgrind", "-q", "--tool=callgrind", "--demangle=no", "--dump-instr=no",
              f"--callgrind-out-file={d}/cg.%p"]
        run_scenarios(cg, binary)
        for f in Path(d).iterdir():
            names |= parse_callgrind(f, os.path.realpath(binary))
    return names


def parse_callgrind(path, binary):
    """Executed function names of object `binary` in one callgrind profile."""
    obs, fns, out = {}, {}, set()
    ob = cob = None
    for line in path.read_text(errors="replace").splitlines():
        m = re.match(r"^(ob|fn|cob|cfn)=\((\d+)\)(?: (.*))?$", line)
        if not m:
            continue
        kind, key, name = m.groups()
        table = obs if kind.endswith("ob") else fns
        if name:
            table[key] = name
        if kind == "ob":
            ob = obs[key]
        elif kind == "cob":
            cob = obs[key]
        else:
            owner = ob if kind == "fn" else (cob or ob)
            cob = None
            if owner and os.path.realpath(owner) == binary:
                out.add(re.sub(r"'\d+$", "", fns[key]))  # callgrind's recursion-depth marks
    return {n for n in out if not n.startswith("0x") and not n.startswith("(")}


def text_symbols(binary):
    """[(address, size, name)] of the binary's functions."""
    out = subprocess.run(["nm", "-n", "-S", "--defined-only", binary], check=True, capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tTwW":
            syms.append((int(p[0], 16), int(p[1], 16), p[3]))
    return syms


def text_file_offset(binary):
    """(vaddr - file offset) of the executable segment."""
    out = subprocess.run(["readelf", "-lW", binary], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD" and "E" in p[6:-1]:
            return int(p[2], 16) - int(p[1], 16)
    raise RuntimeError(f"{binary}: no executable LOAD segment")


def readahead_knob(path):
    """The sysfs read_ahead_kb file of the block device holding `path`, or None."""
    dev = os.stat(path).st_dev
    base = Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}")
    for q in (base / "queue", base / ".." / "queue"):
        if (q / "read_ahead_kb").exists():
            return q / "read_ahead_kb"
    return None


def resident_pages(path):
    """Indices of the file's pages that are in the page cache (mmap + mincore)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    n = (size + 4095) // 4096
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap")
        vec = (ctypes.c_ubyte * n)()
        rc = libc.mincore(addr, size, vec)
        libc.munmap(addr, size)
        if rc != 0:
            raise OSError(ctypes.get_errno(), "mincore")
    finally:
        os.close(fd)
    return [i for i in range(n) if vec[i] & 1]


def page_trace_functions(binary, known):
    """Functions on natively touched pages that hold no function of `known` (see the docstring)."""
    knob = readahead_knob(binary)
    if os.geteuid() != 0 or knob is None:
        print("page trace skipped: needs root and a block device's read_ahead_kb", file=sys.stderr)
        return set()
    run_scenarios([], binary)  # native module-cache entries, so the traced runs do not compile
    tmp = Path(tempfile.mkdtemp(dir=ROOT / "target"))
    copy = tmp / "wasock"
    shutil.copy2(binary, copy)
    old = knob.read_text().strip()
    try:
        knob.write_text("0")
        os.sync()
        fd = os.open(copy, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
        if resident_pages(copy):
            print("page trace skipped: the binary copy stayed in the page cache", file=sys.stderr)
            return set()
        run_scenarios([], copy)
        pages = set(resident_pages(copy))
    finally:
        knob.write_text(old)
        shutil.rmtree(tmp)
    bias = text_file_offset(binary)
    by_page = {}
    for addr, size, name in text_symbols(binary):
        first, last = (addr - bias) // 4096, (addr + max(size, 1) - 1 - bias) // 4096
        for pg in range(first, last + 1):
            by_page.setdefault(pg, []).append(name)
    added = set()
    for pg in pages:
        names = by_page.get(pg, [])
        if names and not any(n in known for n in names):
            added |= set(names)
    return added


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(bench.WASOCK))
    ap.add_argument("--no-page-trace", action="store_true", help="only callgrind's list")
    ap.add_argument("--no-build", action="store_true", help="use the guests and binary as they are")
    ap.add_argument("--check", action="store_true",
                    help="report how many listed functions the binary has; exit 1 below 90%%")
    a = ap.parse_args()
    if a.check:
        listed = ORDER.read_text().split()
        have = {name for _, _, name in text_symbols(a.binary)}
        found = sum(n in have for n in listed)
        print(f"{found} of {len(listed)} listed functions are in {a.binary}")
        return 0 if found >= 0.9 * len(listed) else 1
    if not a.no_build:
        bench.build()
    names = callgrind_functions(a.binary)
    print(f"callgrind: {len(names)} functions", file=sys.stderr)
    if not a.no_page_trace:
        extra = page_trace_functions(a.binary, names)
        print(f"page trace: {len(extra)} more", file=sys.stderr)
        names |= extra
    addr = {name: a for a, _, name in text_symbols(a.binary)}
    ordered = sorted((n for n in names if n in addr), key=lambda n: addr[n])
    ORDER.write_text("".join(n + "\n" for n in ordered))
    print(f"wrote {ORDER.relative_to(ROOT)}: {len(ordered)} functions", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

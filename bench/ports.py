#!/usr/bin/env python3
"""Real C network programs, unmodified, native against wasock (issue 19).

Each program is built twice from the same source directory with its own Makefile, into copies
under target/ports/: natively with cc, and for wasock with `make CC=scripts/wasi-cc` (--threads
for the threaded ones) and nothing else: the SDK's sysroot declares and defines the socket
calls. Then each load runs against both in the same invocation, native and
wasock taking turns for --rounds rounds, the server pinned to CPU 0 and the clients to CPU 1.
Prints medians, the spread (min-max), the median of the rounds' wasock/native ratios and their
range, the server's CPU time per operation (user + system, from /proc: what the server costs,
which load from other work on a shared machine disturbs far less than throughput), and one JSON
line.

    python3 bench/ports.py --darkhttpd DIR --microsocks DIR --civetweb DIR --mongoose DIR
        --3proxy DIR [--rounds 5] [--seconds 5] [--only TEXT] [--musl]

Sources: github.com/emikulic/darkhttpd (ISC), github.com/rofl0r/microsocks (MIT),
github.com/civetweb/civetweb (MIT; a release tag, e.g. v1.16), github.com/cesanta/mongoose
(GPLv2 or commercial; its tutorials/http/http-server), github.com/3proxy/3proxy (BSD-style;
its standalone SOCKS server). They are not part of this
repository: clone them anywhere and pass the directories. Needs wrk and curl
(`apt-get install wrk curl`).
"""
import argparse, json, os, re, shutil, socket, statistics, struct, subprocess, sys, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "ports"
WASI_CC = ROOT / "scripts" / "wasi-cc"
SDK = ROOT / "sdk" / "c"
SERVER_CPU, CLIENT_CPU = "0", "1"
BACKEND_PORT = 18203  # the web server the SOCKS proxies relay from


def sh(*cmd, **kw):
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def wasock_path():
    return Path(subprocess.run([ROOT / "scripts" / "build-release", "--print-path"], check=True,
                               capture_output=True, text=True).stdout.strip())


def git_rev(src):
    r = subprocess.run(["git", "-C", src, "describe", "--always", "--tags"], capture_output=True, text=True)
    return r.stdout.strip() or "?"


# Per program: the Makefile variables (on the make command line) and environment flags of each
# build. CFLAGS/LDFLAGS go through the environment, so a Makefile's own `CFLAGS += ...` still
# applies, exactly as when a user types `CFLAGS=... make`.
# `musl`: extra CFLAGS of the --musl build, so that it takes the code path the WASI build takes
# (darkhttpd uses sendfile only `#if defined(__linux)`).
PROGRAMS = {
    "darkhttpd": dict(binary="darkhttpd", threads=False, make=[],
                      cflags="-O2", ldflags="", musl="-U__linux -D_GNU_SOURCE"),
    "microsocks": dict(binary="microsocks", threads=True, make=[],
                       cflags="-O2", ldflags=""),
    "civetweb": dict(binary="civetweb", threads=True, make=["NO_SSL=1", "NO_CGI=1"],
                     cflags="", ldflags=""),  # its Makefile adds -O2
    # Its HTTP server tutorial, built by the tutorial's Makefile, which sets CFLAGS itself
    # (`-g`, no optimisation): -O2 goes on the make command line, and MG_ARCH_UNIX is
    # mongoose's own build option for a Unix it does not detect (it tests `__unix__`). Only
    # the library and the tutorial are copied (the tutorials hold vendors' SDKs).
    "mongoose": dict(binary="example", threads=False, subdir="tutorials/http/http-server",
                     copy=["mongoose.c", "mongoose.h", "tutorials/http/http-server"],
                     make=["CFLAGS=-O2 -I.", "CFLAGS_EXTRA=-DMG_ARCH=MG_ARCH_UNIX -DMG_TLS=MG_TLS_BUILTIN"],
                     cflags="", ldflags=""),
    # Its standalone SOCKS server, built by the Makefile for this host (Makefile.Linux, the
    # same for wasm: it detects what it can use). PLUGINS= skips its plugins: shared objects
    # for dlopen, which WASI cannot load (natively too, so both builds hold the same code).
    # CFLAGS/LDFLAGS stay out of the environment: its Makefile sets them with `?=` (-O3 -flto),
    # which an exported variable, even empty, would override.
    "3proxy": dict(binary="bin/3proxy_socks", target="all", threads=True,
                   make=["-f", "Makefile.Linux", "PLUGINS="], cflags=None, ldflags=None),
}


def build(name, src, kinds):
    """Builds `name` from `src` for each kind (native, wasock, musl); returns {kind: path, ...}."""
    p = PROGRAMS[name]
    built = {"version": git_rev(src)}
    for kind in kinds:
        dst = OUT / f"{name}-{kind}"
        shutil.rmtree(dst, ignore_errors=True)
        if "copy" in p:
            for rel in p["copy"]:
                (dst / rel).parent.mkdir(parents=True, exist_ok=True)
                if (Path(src) / rel).is_dir():
                    shutil.copytree(Path(src) / rel, dst / rel)
                else:
                    shutil.copy(Path(src) / rel, dst / rel)
        else:
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".git"))
        work = dst / p.get("subdir", "")
        env = dict(os.environ)
        env.pop("CFLAGS", None), env.pop("LDFLAGS", None)
        if kind == "native":
            cc = "cc"
            cflags, ldflags = p["cflags"], p["ldflags"]
        elif kind == "musl":
            cc = "musl-gcc"
            cflags, ldflags = p["cflags"], p["ldflags"]
            if p.get("musl"):
                cflags = f"{cflags or ''} {p['musl']}".strip()
        else:
            # The SDK's sysroot declares and defines the socket calls: nothing else to add.
            cc = f"{WASI_CC} --threads" if p["threads"] else str(WASI_CC)
            cflags, ldflags = p["cflags"], p["ldflags"]
        for var, value in (("CFLAGS", cflags), ("LDFLAGS", ldflags)):
            if value is not None:
                env[var] = value
        cmd = ["make", "-j2", f"CC={cc}", *p["make"], p.get("target", p["binary"])]
        flags = "".join(f"{var}='{v}' " for var, v in (("CFLAGS", cflags), ("LDFLAGS", ldflags))
                        if v is not None)
        built[f"{kind}_command"] = flags + " ".join(
            f"'{c}'" if " " in c else c for c in cmd)
        log = dst / "build.log"
        with open(log, "w") as f:
            # whatever the source directory held from an earlier build goes first
            subprocess.run(["make", *p["make"], "clean"], cwd=work, env=env, stdout=f,
                           stderr=subprocess.STDOUT)
            r = subprocess.run(cmd, cwd=work, env=env, stdout=f, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            sys.exit(f"ports: building {name} ({kind}) failed; see {log}")
        built[kind] = work / p["binary"]
    return built


def wait_port(port, proc, limit=30.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} not open after {limit} s")


class Server:
    """A server process pinned to SERVER_CPU, natively or under wasock."""

    def __init__(self, kind, binary, args, port, www=None):
        cmd = [str(binary), *args]
        if kind == "wasock":
            pre = [str(WASOCK), "--addr-pool=127.0.0.1/32"]
            if www:
                pre.append(f"--dir={www}")
            cmd = pre + cmd
        # stderr to a file, never an unread pipe: microsocks logs every client there, and a
        # full pipe would stop it after 64 KiB.
        self.log = OUT / f"{Path(binary).name}-{kind}.err"
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, *cmd], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        self.port = port
        try:
            wait_port(port, self.proc)
        except RuntimeError as e:
            self.stop()
            raise RuntimeError(f"{' '.join(cmd)}: {e}\n{self.log.read_text(errors='replace')}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def cpu_seconds(pid):
    """User + system CPU time of a process so far (/proc/PID/stat utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, conns, seconds):
    """Requests/s and transfer bytes/s from wrk, one thread, on CLIENT_CPU."""
    r = sh("taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", url,
           capture_output=True, text=True, timeout=seconds + 60)
    out = r.stdout
    if "Non-2xx" in out or "Socket errors" in out and re.search(r"read [1-9]|write [1-9]|timeout [1-9]", out):
        print(out, file=sys.stderr)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps


def curl_downloads(url, proxy, seconds):
    """MiB/s and MiB moved by downloads through a SOCKS5 proxy, one after another for at least
    `seconds` of transfer (a single download of the file takes well under a second, too short to
    measure alone), on CLIENT_CPU."""
    size = took = 0.0
    while took < seconds:
        r = sh("taskset", "-c", CLIENT_CPU, "curl", "-s", "-o", "/dev/null", "--socks5", proxy,
               "-w", "%{time_total} %{size_download}", url, capture_output=True, text=True,
               timeout=120)
        t, n = r.stdout.split()
        took, size = took + float(t), size + int(n) / (1 << 20)
    return size / took, size


def same_bytes(server, socks):
    """Fails unless the 1 MiB file comes through `server` (a web server, or a SOCKS proxy in
    front of the backend) byte for byte as it is on disk."""
    url = f"http://127.0.0.1:{BACKEND_PORT if socks else server.port}/1m.bin"
    proxy = ["--socks5", f"127.0.0.1:{server.port}"] if socks else []
    got = sh("curl", "-sf", *proxy, url, capture_output=True, timeout=60).stdout
    if got != (OUT / "www" / "1m.bin").read_bytes():
        sys.exit(f"ports: {url} through port {server.port} came back different ({len(got)} bytes)")


def socks_connects(proxy_port, target_port, seconds, threads=4):
    """Connections/s through a SOCKS5 proxy: handshake, CONNECT, one HTTP GET, close."""
    req = b"GET /1k.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    count = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds
    connect = b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack(">H", target_port)

    def one(i):
        while time.monotonic() < stop:
            try:
                with socket.create_connection(("127.0.0.1", proxy_port), timeout=10) as s:
                    s.sendall(b"\x05\x01\x00")
                    if s.recv(2) != b"\x05\x00":
                        raise OSError("auth")
                    s.sendall(connect)
                    rep = b""
                    while len(rep) < 10:
                        chunk = s.recv(10 - len(rep))
                        if not chunk:
                            raise OSError("closed")
                        rep += chunk
                    if rep[1] != 0:
                        raise OSError("connect refused")
                    s.sendall(req)
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if not data.startswith(b"HTTP/1.1 200"):
                        raise OSError("bad reply")
                count[i] += 1
            except OSError:
                errors[i] += 1

    ts = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=seconds + 30)
    if sum(errors):
        print(f"  ({sum(errors)} failed connections)", file=sys.stderr)
    return sum(count) / seconds


def main():
    global WASOCK
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in PROGRAMS:
        ap.add_argument(f"--{name}", metavar="DIR", help=f"{name}'s source directory")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--only", default="", help="run the loads whose name contains this")
    ap.add_argument("--wasock", help="wasock binary (default: scripts/build-release's)")
    ap.add_argument("--no-build", action="store_true", help="reuse target/ports/ builds")
    ap.add_argument("--musl", action="store_true",
                    help="also build natively against musl (musl-gcc: the C library wasi-libc is "
                         "made from) and report wasock/musl: what is wasock's and what the libc's")
    a = ap.parse_args()
    kinds = ("native", "wasock", "musl") if a.musl else ("native", "wasock")
    for tool in ("wrk", "curl", "taskset") + (("musl-gcc",) if a.musl else ()):
        if not shutil.which(tool):
            pkg = {"taskset": "util-linux", "musl-gcc": "musl-tools"}.get(tool, tool)
            sys.exit(f"ports: {tool} not found (apt-get install {pkg})")
    WASOCK = Path(a.wasock) if a.wasock else wasock_path()
    if not WASOCK.exists():
        sh(ROOT / "scripts" / "build-release", "--quiet", "-p", "wasock-cli", cwd=ROOT)
    srcs = {n: getattr(a, n) for n in PROGRAMS if getattr(a, n)}
    if not srcs:
        sys.exit("ports: give at least one of " + ", ".join(f"--{n} DIR" for n in PROGRAMS))
    OUT.mkdir(parents=True, exist_ok=True)
    builds = {}
    for n, src in srcs.items():
        if a.no_build:
            builds[n] = {"version": git_rev(src)}
            builds[n].update({k: OUT / f"{n}-{k}" / PROGRAMS[n].get("subdir", "") / PROGRAMS[n]["binary"]
                              for k in kinds})
        else:
            builds[n] = build(n, src, kinds)
        for k in (f"{k}_command" for k in kinds):
            if k in builds[n]:
                print(f"{n} ({k.split('_')[0]}): {builds[n][k]}")

    www = OUT / "www"
    www.mkdir(exist_ok=True)
    files = {"1k.html": 1024, "1m.bin": 1 << 20, "256m.bin": 256 << 20}
    for f, size in files.items():
        p = www / f
        if not p.exists() or p.stat().st_size != size:
            p.write_bytes(os.urandom(size) if size > 1024 else b"x" * (size - 1) + b"\n")

    # (name, metric, program, make_server(kind) -> Server, measure(server) -> value, ops(value)):
    # ops(value) is how many operations a measurement served (for the CPU time per operation);
    # a measure that knows that itself returns (value, operations) and has ops None.
    loads = []
    per_second = lambda v: v * a.seconds
    if "darkhttpd" in builds:
        b = builds["darkhttpd"]
        def dark(kind, port=18201, b=b):
            return Server(kind, b[kind], [str(www), "--addr", "127.0.0.1", "--port", str(port)], port, www)
        loads.append(("darkhttpd 1 KiB, 50 conns", "req/s", "darkhttpd", dark,
                      lambda s: wrk(f"http://127.0.0.1:{s.port}/1k.html", 50, a.seconds), per_second))
        loads.append(("darkhttpd 1 MiB, 4 conns", "req/s", "darkhttpd", dark,
                      lambda s: wrk(f"http://127.0.0.1:{s.port}/1m.bin", 4, a.seconds), per_second))
    if "civetweb" in builds:
        b = builds["civetweb"]
        def civet(kind, port=18202, b=b):
            return Server(kind, b[kind], ["-document_root", str(www), "-listening_ports",
                                          f"127.0.0.1:{port}"], port, www)
        loads.append(("civetweb 1 KiB, 20 conns", "req/s", "civetweb", civet,
                      lambda s: wrk(f"http://127.0.0.1:{s.port}/1k.html", 20, a.seconds), per_second))
        loads.append(("civetweb 1 MiB, 4 conns", "req/s", "civetweb", civet,
                      lambda s: wrk(f"http://127.0.0.1:{s.port}/1m.bin", 4, a.seconds), per_second))
    if "mongoose" in builds:
        b = builds["mongoose"]
        def mongoose(kind, port=18205, b=b):
            return Server(kind, b[kind], ["-l", f"http://127.0.0.1:{port}", "-d", str(www)], port, www)
        loads.append(("mongoose 1 KiB, 50 conns", "req/s", "mongoose", mongoose,
                      lambda s: wrk(f"http://127.0.0.1:{s.port}/1k.html", 50, a.seconds), per_second))
        loads.append(("mongoose 1 MiB, 4 conns", "req/s", "mongoose", mongoose,
                      lambda s: wrk(f"http://127.0.0.1:{s.port}/1m.bin", 4, a.seconds), per_second))
    # The SOCKS5 proxies relay from a native darkhttpd if built, else from python's http.server.
    backend_port = BACKEND_PORT
    if "darkhttpd" in builds:
        backend_cmd = [str(builds["darkhttpd"]["native"]), str(www), "--addr", "127.0.0.1",
                       "--port", str(backend_port)]
    else:
        backend_cmd = [sys.executable, "-m", "http.server", "-b", "127.0.0.1", "-d", str(www),
                       str(backend_port)]
    socks_args = {
        "microsocks": lambda port: ["-i", "127.0.0.1", "-p", str(port)],
        # -e: its outgoing address (by default it binds 0.0.0.0, which --addr-pool does not grant)
        "3proxy": lambda port: ["-i127.0.0.1", "-e127.0.0.1", f"-p{port}"],
    }
    for prog, port in (("microsocks", 18204), ("3proxy", 18206)):
        if prog not in builds:
            continue
        def socks(kind, port=port, b=builds[prog], args=socks_args[prog]):
            return Server(kind, b[kind], args(port), port)
        loads.append((f"{prog} 256 MiB downloads (curl)", "MiB/s", prog, socks,
                      lambda s: curl_downloads(f"http://127.0.0.1:{backend_port}/256m.bin",
                                               f"127.0.0.1:{s.port}", a.seconds),
                      None))  # the measurement returns the MiB it moved
        loads.append((f"{prog} connects, 4 clients", "conn/s", prog, socks,
                      lambda s: socks_connects(s.port, backend_port, a.seconds), per_second))
    loads = [l for l in loads if a.only in l[0]]

    backend = None
    if any(l[2] in socks_args for l in loads):
        backend = subprocess.Popen(["taskset", "-c", CLIENT_CPU, *backend_cmd], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        wait_port(backend_port, backend)
    results = []
    try:
        for name, metric, prog, make, measure, ops in loads:
            # Warm-up: wasock compiles the module on its first start (then it is cached).
            vals = {k: [] for k in kinds}
            cpu = {k: [] for k in kinds}  # server CPU microseconds per operation
            for kind in kinds:
                s = make(kind)
                try:
                    same_bytes(s, prog in socks_args)
                finally:
                    s.stop()
            for r in range(a.rounds):
                # each round in another order, so no kind always runs first
                for kind in kinds[r % len(kinds):] + kinds[:r % len(kinds)]:
                    s = make(kind)
                    try:
                        before = cpu_seconds(s.proc.pid)
                        v = measure(s)
                        v, n_ops = v if isinstance(v, tuple) else (v, ops(v))
                        vals[kind].append(v)
                        cpu[kind].append((cpu_seconds(s.proc.pid) - before) / n_ops * 1e6)
                    finally:
                        s.stop()
            n, w = statistics.median(vals["native"]), statistics.median(vals["wasock"])
            # The ratio is the median of each round's wasock/native pair (run back to back), which
            # other work on a shared machine disturbs less than the ratio of the two medians.
            ratios = sorted(wv / nv for wv, nv in zip(vals["wasock"], vals["native"]))
            row = dict(load=name, metric=metric, program=prog, version=builds[prog]["version"],
                       native=n, wasock=w, ratio=statistics.median(ratios),
                       native_range=[min(vals["native"]), max(vals["native"])],
                       wasock_range=[min(vals["wasock"]), max(vals["wasock"])],
                       round_ratios=[round(x, 3) for x in ratios],
                       cpu_us_per_op={k: statistics.median(cpu[k]) for k in kinds},
                       cpu_ratio=statistics.median(sorted(
                           wc / nc for wc, nc in zip(cpu["wasock"], cpu["native"]) if nc > 0)))
            line = ""
            if a.musl:
                mr = sorted(wv / mv for wv, mv in zip(vals["wasock"], vals["musl"]))
                row.update(musl=statistics.median(vals["musl"]), ratio_musl=statistics.median(mr),
                           round_ratios_musl=[round(x, 3) for x in mr])
                line = f"  musl {row['musl']:12,.1f}  wasock/musl {row['ratio_musl']:.2f} ({mr[0]:.2f}-{mr[-1]:.2f})"
            results.append(row)
            print(f"{name:38} {metric:7} native {n:12,.1f} [{min(vals['native']):,.0f}-{max(vals['native']):,.0f}]"
                  f"  wasock {w:12,.1f} [{min(vals['wasock']):,.0f}-{max(vals['wasock']):,.0f}]"
                  f"  ratio {row['ratio']:.2f} (rounds {ratios[0]:.2f}-{ratios[-1]:.2f}){line}"
                  f"  CPU us/op native {row['cpu_us_per_op']['native']:.1f} wasock "
                  f"{row['cpu_us_per_op']['wasock']:.1f} (wasock/native {row['cpu_ratio']:.2f})", flush=True)
    finally:
        if backend:
            backend.terminate()
            backend.wait(timeout=10)
    musl_head = " musl | wasock/musl (rounds) |" if a.musl else ""
    print(f"\n| load | metric | native | wasock | ratio (rounds) | server CPU us/op native / wasock (ratio) |{musl_head}")
    print("|---|---|---:|---:|---:|---:|" + ("---:|---:|" if a.musl else ""))
    for r in results:
        extra = (f" {r['musl']:,.0f} | {r['ratio_musl']:.2f} ({r['round_ratios_musl'][0]:.2f}-"
                 f"{r['round_ratios_musl'][-1]:.2f}) |") if a.musl else ""
        print(f"| {r['load']} | {r['metric']} | {r['native']:,.0f} | {r['wasock']:,.0f} | "
              f"{r['ratio']:.2f} ({r['round_ratios'][0]:.2f}-{r['round_ratios'][-1]:.2f}) | "
              f"{r['cpu_us_per_op']['native']:,.1f} / {r['cpu_us_per_op']['wasock']:,.1f} ({r['cpu_ratio']:.2f}) |{extra}")
    print(json.dumps({"ports": results, "rounds": a.rounds, "seconds": a.seconds}))


if __name__ == "__main__":
    main()

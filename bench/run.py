#!/usr/bin/env python3
"""wasock benchmarks: every load runs the same C source built natively (cc) and as wasm under
wasock, in the same invocation, several repetitions; prints medians and wasm/native ratios as a
table and one JSON line.  usage: bench/run.py [--reps N] [--seconds S] [--quick] [--only TEXT]
[--variant NAME=KEY=VALUE,...]: each --variant also runs wasock with those --engine settings
(a setting env:VAR=VALUE sets an environment variable instead, e.g. WASOCK_EPOLL_MIN_FDS)."""
import argparse, json, os, resource, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
# The release binary as shipped (scripts/build-release), wherever it puts it.
WASOCK = Path(subprocess.run([ROOT / "scripts" / "build-release", "--print-path"], check=True,
                             capture_output=True, text=True).stdout.strip())
GUESTS = ROOT / "bench" / "guests"


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build():
    OUT.mkdir(parents=True, exist_ok=True)
    # wasock as shipped (scripts/build-release); the load generator for the host, as before.
    sh(str(ROOT / "scripts/build-release"), "--quiet", "-p", "wasock-cli", cwd=ROOT)
    sh("cargo", "build", "--release", "--quiet", "-p", "wasock-loadgen", cwd=ROOT)
    for name in ("echo_server", "http_server", "hello"):
        src = GUESTS / f"{name}.c"
        sh("cc", "-O2", "-o", OUT / name, src)
        # 8 MiB stack, as natively: wasi-libc's poll() keeps ~96 bytes per fd on the stack, so
        # the default 64 KiB wasm stack cannot poll thousands of connections.
        sh(ROOT / "scripts" / "wasi-cc", "-O2", "-Wl,-z,stack-size=8388608", "-I", ROOT / "sdk/c/include",
           "-o", OUT / f"{name}.wasm",
           src, ROOT / "sdk/c/src/wasi_socket_ext.c")


VARIANTS = {"wasock": []}  # kind -> extra wasock flags; --variant adds more
VARIANT_ENV = {"wasock": {}}  # kind -> extra environment variables
# CPU sets for the server and the load generator (--no-pin clears them). On a 2-core machine
# the two otherwise share both cores at the scheduler's whim, which made the HTTP ratios swing
# by +-0.1 between runs; one core each is the same for native and wasock.
PIN = {"server": None, "loadgen": None}


def pinned(role):
    cpus = PIN[role]
    return (lambda: os.sched_setaffinity(0, cpus)) if cpus else None


def wasock_cmd(kind):
    return [WASOCK, *VARIANTS[kind]]


def server(kind, name, args):
    """Starts a server; returns (process, port)."""
    if kind == "native":
        cmd = [OUT / name, *args]
    else:
        cmd = [*wasock_cmd(kind), "--addr-pool=127.0.0.1/32", OUT / f"{name}.wasm", *args]
    return start_server(cmd, pinned("server"), variant_env(kind))


def variant_env(kind):
    """The environment of a kind's runs: ours plus its --variant variables, or None for ours."""
    extra = VARIANT_ENV.get(kind)
    return {**os.environ, **extra} if extra else None


def start_server(cmd, preexec_fn=None, env=None):
    """Runs a server command (in environment `env`, None: ours); returns (process, port) once it
    printed "listening on HOST:PORT"."""
    p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         preexec_fn=preexec_fn, env=env)
    line = p.stdout.readline()
    if not line.startswith("listening on "):
        p.kill()
        raise RuntimeError(f"{cmd}: unexpected first line {line!r}")
    return p, int(line.rsplit(":", 1)[1])


def warm(kind, name, args):
    """Runs a server once so the compiled module is cached: the measured runs are steady state
    (a first run also compiles, which peaks near 18 MiB RSS; see bench/README.md)."""
    p, _ = server(kind, name, args)
    p.kill()
    p.wait()


def peak_rss_kb(p):
    try:
        for l in Path(f"/proc/{p.pid}/status").read_text().splitlines():
            if l.startswith("VmHWM:"):
                return int(l.split()[1])
    except OSError:
        pass
    return None


def loadgen(mode, port, *extra):
    out = subprocess.run([str(ROOT / "target/release/loadgen"), mode, f"127.0.0.1:{port}", *map(str, extra)],
                         check=True, capture_output=True, text=True, timeout=600, preexec_fn=pinned("loadgen"))
    return json.loads(out.stdout)


LOADS = {
    # name: (guest, guest args, loadgen mode, loadgen args, metric)
    "echo ping-pong 64B": ("echo_server", ["0"], "pingpong", ["--size", 64], "per_sec"),
    "echo stream": ("echo_server", ["0"], "stream", [], "mib_per_sec"),
    "sequential connects": ("echo_server", ["0"], "connects", [], "per_sec"),
    "HTTP 50 conns, trivial": ("http_server", ["0", "0"], "http", ["--conns", 50], "per_sec"),
    "HTTP 50 conns, 20k ops/req": ("http_server", ["0", "20000"], "http", ["--conns", 50], "per_sec"),
    "HTTP 1,000 conns": ("http_server", ["0", "0"], "http", ["--conns", 1000], "per_sec"),
    "HTTP 1,000 conns, 50 active": ("http_server", ["0", "0"], "http", ["--conns", 1000, "--active", 50],
                                    "per_sec"),
    "HTTP 10,000 conns": ("http_server", ["0", "0"], "http", ["--conns", 10000], "per_sec"),
    # Many open, 50 busy: what poll_oneoff's kept epoll set is for (bench/README.md).
    "HTTP 10,000 conns, 50 active": ("http_server", ["0", "0"], "http", ["--conns", 10000, "--active", 50],
                                     "per_sec"),
}


def startup(kinds, reps):
    """Median wall ms of a hello world per kind, runs taking turns across kinds."""
    cmd = {k: [OUT / "hello"] if k == "native" else [*wasock_cmd(k), OUT / "hello.wasm"] for k in kinds}
    times = {k: [] for k in kinds}
    env = {k: variant_env(k) for k in kinds}
    for k in kinds:  # warm-up; for wasock the first run compiles into the module cache
        sh(*map(str, cmd[k]), stdout=subprocess.DEVNULL, env=env[k])
    for _ in range(reps):
        for k in kinds:
            t = time.perf_counter()
            sh(*map(str, cmd[k]), stdout=subprocess.DEVNULL, env=env[k])
            times[k].append((time.perf_counter() - t) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--quick", action="store_true", help="1 rep, 1 s, skip the 10,000-connection load")
    ap.add_argument("--only", default="", help="run only loads whose name contains this text")
    ap.add_argument("--variant", action="append", default=[],
                    help="NAME=KEY=VALUE[,KEY=VALUE]: also run wasock with these --engine settings "
                         "(env:VAR=VALUE: with this environment variable)")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up measurement")
    ap.add_argument("--no-pin", action="store_true",
                    help="do not pin the server to CPU 0 and the load generator to CPU 1")
    a = ap.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if not a.no_pin and len(cpus) >= 2:
        PIN["server"], PIN["loadgen"] = {cpus[0]}, {cpus[1]}
    for v in a.variant:
        name, _, settings = v.partition("=")
        kvs = [kv for kv in settings.split(",") if kv]
        VARIANTS[name] = [f"--engine={kv}" for kv in kvs if not kv.startswith("env:")]
        VARIANT_ENV[name] = dict(kv[4:].split("=", 1) for kv in kvs if kv.startswith("env:"))
    if a.quick:
        a.reps, a.seconds = 1, 1.0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    build()
    results = {}
    for name, (guest, gargs, mode, largs, metric) in LOADS.items():
        if (a.quick and "10,000" in name) or a.only not in name:
            continue
        row = {}
        kinds = ("native", *VARIANTS)
        for kind in VARIANTS:
            warm(kind, guest, gargs)
        vals = {k: [] for k in kinds}
        rss = {k: [] for k in kinds}
        # Repetitions take turns across kinds, so slow drift on a shared machine hits all alike.
        for _ in range(a.reps):
            for kind in kinds:
                p, port = server(kind, guest, gargs)
                try:
                    r = loadgen(mode, port, *largs, "--seconds", a.seconds)
                    vals[kind].append(r[metric])
                    rss[kind].append(peak_rss_kb(p))
                finally:
                    p.kill()
                    p.wait()
        for kind in kinds:
            row[kind] = statistics.median(vals[kind])
            got = [x for x in rss[kind] if x is not None]
            row[f"{kind}_peak_rss_kb"] = max(got) if got else None
        for kind in VARIANTS:
            row[f"{kind}_ratio"] = row[kind] / row["native"] if row["native"] else None
        row["ratio"] = row["wasock_ratio"]
        row["metric"] = metric
        results[name] = row
    if not a.no_startup:
        r = {**startup(("native", *VARIANTS), 10 * a.reps), "metric": "ms"}
        for kind in VARIANTS:
            r[f"{kind}_ratio"] = r[kind] / r["native"]
        r["ratio"] = r["wasock_ratio"]
        results["hello-world start-up (ms, lower is better)"] = r

    kinds = list(VARIANTS)
    head = "".join(f" {k:>12} {'ratio':>6}" for k in kinds)
    print(f"{'load':34} {'metric':12} {'native':>12}{head}")
    for name, row in results.items():
        cols = "".join(f" {row[k]:12.1f} {row[k + '_ratio']:6.2f}" for k in kinds)
        print(f"{name:34} {row['metric']:12} {row['native']:12.1f}{cols}")
    print(json.dumps({"bench": results, "reps": a.reps, "seconds": a.seconds, "variants": VARIANTS,
                      "variant_env": VARIANT_ENV,
                      "pinned": {k: sorted(v) if v else None for k, v in PIN.items()}}))


if __name__ == "__main__":
    sys.exit(main())

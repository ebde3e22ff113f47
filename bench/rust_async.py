#!/usr/bin/env python3
"""Async Rust under wasock: one axum server (tests/guests/rust-axum: tokio, hyper, axum from
crates.io, unchanged) built three ways from the same source -- natively, for wasm32-wasip2 (a
component; std's sockets over wasi:sockets) and for wasm32-wasip1 (wasock-guest's `tokio`
feature) -- and measured in the same invocation, repetitions taking turns: keep-alive requests/s
with bench/loadgen (`http`, 50 connections, `GET /`), and the server's CPU use with 100 idle
connections open (CPU-seconds per second, from /proc/PID/stat). Each build runs twice: as
written, and with `flat` (the program's option that makes hyper write a response in one write
instead of a vectored head + body; see tests/guests/rust-axum/src/main.rs, `Flat`).
usage: bench/rust_async.py [--reps N] [--seconds S] [--conns N] [--idle N]"""
import argparse, json, os, resource, socket, statistics, subprocess, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared server/loadgen helpers and pinning)

ROOT = run.ROOT
CRATE = ROOT / "tests" / "guests" / "rust-axum"
TARGET_DIR = ROOT / "target" / "guest-rust"  # the tests' target dir: builds are shared
TARGETS = ("native", "wasip2", "wasip1")
KINDS = (*TARGETS, *(f"{t} flat" for t in TARGETS))


def build():
    run.sh(str(ROOT / "scripts/build-release"), "--quiet", "-p", "wasock-cli", cwd=ROOT)
    run.sh("cargo", "build", "--release", "--quiet", "-p", "wasock-loadgen", cwd=ROOT)
    paths = {}
    for kind in TARGETS:
        target = [] if kind == "native" else ["--target", f"wasm32-{kind}"]
        run.sh("cargo", "build", "--release", "--quiet", *target, "--target-dir", TARGET_DIR, cwd=CRATE)
        sub = TARGET_DIR / ("release" if kind == "native" else f"wasm32-{kind}/release")
        paths[kind] = sub / ("rust-axum" if kind == "native" else "rust-axum.wasm")
    return paths


def server(kind, paths):
    target, _, flat = kind.partition(" ")
    args = ["127.0.0.1:0", *([flat] if flat else [])]
    cmd = [paths[target]] if target == "native" else [run.WASOCK, "--addr-pool=127.0.0.1/32", paths[target]]
    return run.start_server([*cmd, *args], run.pinned("server"))


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(port, pid, conns, seconds):
    """CPU-seconds per second the server uses with `conns` idle connections open."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(conns)]
    try:
        time.sleep(0.5)  # the accepts are done
        before = cpu_seconds(pid)
        time.sleep(seconds)
        return (cpu_seconds(pid) - before) / seconds
    finally:
        for s in socks:
            s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--conns", type=int, default=50)
    ap.add_argument("--idle", type=int, default=100)
    ap.add_argument("--no-pin", action="store_true")
    a = ap.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if not a.no_pin and len(cpus) >= 2:
        run.PIN["server"], run.PIN["loadgen"] = {cpus[0]}, {cpus[1]}
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    paths = build()
    for kind in TARGETS[1:]:  # the first run compiles into the module cache
        p, _ = server(kind, paths)
        p.kill()
        p.wait()
    rps = {k: [] for k in KINDS}
    idle = {k: [] for k in KINDS}
    rss = {k: [] for k in KINDS}
    for _ in range(a.reps):
        for kind in KINDS:
            p, port = server(kind, paths)
            try:
                r = run.loadgen("http", port, "--conns", a.conns, "--seconds", a.seconds)
                if r["errors"]:
                    raise RuntimeError(f"{kind}: {r}")
                rps[kind].append(r["per_sec"])
                idle[kind].append(idle_cpu(port, p.pid, a.idle, a.seconds))
                rss[kind].append(run.peak_rss_kb(p))
            finally:
                p.kill()
                p.wait()
    res = {k: {"req_per_sec": statistics.median(rps[k]), "idle_cpu_s_per_s": statistics.median(idle[k]),
               "peak_rss_kb": max(x for x in rss[k] if x is not None),
               "runs": {"req_per_sec": rps[k], "idle_cpu_s_per_s": idle[k]}} for k in KINDS}
    print(f"{'axum server':14} {'req/s':>10} {'ratio':>6} {'idle CPU-s/s':>13} {'peak RSS MiB':>13}")
    for k in KINDS:
        r = res[k]
        base = res["native flat" if k.endswith("flat") else "native"]["req_per_sec"]
        print(f"{k:14} {r['req_per_sec']:10.0f} {r['req_per_sec'] / base:6.2f} "
              f"{r['idle_cpu_s_per_s']:13.3f} {r['peak_rss_kb'] / 1024:13.1f}")
    print(json.dumps({"bench": "rust_async", "results": res, "reps": a.reps, "seconds": a.seconds,
                      "conns": a.conns, "idle_conns": a.idle,
                      "pinned": {k: sorted(v) if v else None for k, v in run.PIN.items()}}))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Start-up wall time and peak RSS of a hello world: native vs iwasm vs wasock.

    python3 bench/iwasm/startup.py --iwasm /tmp/iwasm-build/build-bulk/iwasm \
        --wasock "$(scripts/build-release --print-path)" --wasm /tmp/hello-iwasm.wasm --native /tmp/hello-native

Wall time: every program is started with posix_spawn and reaped with wait4, so it is spawn to
exit (the same small spawn overhead in every row). Peak RSS: a separate pass runs each program
under GNU time (`/usr/bin/time -f %M`, the "Maximum resident set size" of `time -v`). It cannot
be the ru_maxrss of our own children: Linux carries the high-water mark across exec, so a child
spawned from Python reports Python's ~18 MiB. GNU time forks from a ~1 MiB process, so about
1 MiB is the floor of that column (/bin/true shows ~1.0 MiB). After the warm-up runs (which
also fill wasock's module cache), the configurations take turns, one run each per round, so
that drift in machine load hits them all alike. Prints a table and one JSON line.
Self-contained: the Python standard library and GNU time (Debian package `time`).
"""
import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv, env):
    """One run: (wall ms, ru_maxrss KiB (inflated, see above), exit status, stdout bytes)."""
    r, w = os.pipe()
    devnull = os.open(os.devnull, os.O_WRONLY)
    t = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_DUP2, w, 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
        (os.POSIX_SPAWN_CLOSE, r),
    ])
    os.close(w)
    out = b""
    while chunk := os.read(r, 65536):
        out += chunk
    _, status, ru = os.wait4(pid, 0)
    ms = (time.perf_counter() - t) * 1000
    os.close(r)
    os.close(devnull)
    return ms, ru.ru_maxrss, os.waitstatus_to_exitcode(status), out


def peak_rss_kib(time_bin, argv, env):
    """Peak RSS (KiB) of one run, as GNU time measures it."""
    with tempfile.NamedTemporaryFile("r") as f:
        subprocess.run([time_bin, "-f", "%M", "-o", f.name, *argv], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(f.read().split()[-1])


def wait_for_quiet(max_load, max_wait):
    """Waits (up to max_wait s) for the 1-minute load average to drop to max_load."""
    deadline = time.monotonic() + max_wait
    while True:
        load = os.getloadavg()[0]
        if load <= max_load or time.monotonic() >= deadline:
            return load
        print(f"load average {load:.2f} > {max_load}; waiting...", file=sys.stderr)
        time.sleep(15)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iwasm", required=True, help="iwasm binary")
    ap.add_argument("--wasock", required=True, help="wasock binary")
    ap.add_argument("--wasm", required=True, help="the hello world .wasm both runtimes run")
    ap.add_argument("--native", required=True, help="the same hello world built with cc -O2")
    ap.add_argument("--runs", type=int, default=30, help="measured runs per configuration (30)")
    ap.add_argument("--warmup", type=int, default=3, help="warm-up runs per configuration (3)")
    ap.add_argument("--rss-runs", type=int, default=10, help="runs per configuration under GNU time (10)")
    ap.add_argument("--time-bin", default="/usr/bin/time", help="GNU time (/usr/bin/time)")
    ap.add_argument("--expect", default="hello", help="text every run must print (hello)")
    ap.add_argument("--max-load", type=float, default=0.5, help="wait for a 1-min load average at most this (0.5)")
    ap.add_argument("--max-wait", type=float, default=600, help="seconds to wait for it at most (600)")
    a = ap.parse_args()

    env = dict(os.environ)
    env.pop("WASOCK_NO_CACHE", None)
    configs = [
        ("native", [a.native]),
        ("iwasm", [a.iwasm, a.wasm]),
        ("wasock (warm cache)", [a.wasock, a.wasm]),
        ("wasock --no-cache", [a.wasock, "--no-cache", a.wasm]),
    ]
    configs = [(name, [os.path.abspath(argv[0])] + argv[1:]) for name, argv in configs]

    load_before = wait_for_quiet(a.max_load, a.max_wait)
    for name, argv in configs:
        for _ in range(a.warmup):
            _, _, code, out = run_once(argv, env)
            if code != 0 or a.expect.encode() not in out:
                sys.exit(f"{name}: exit {code}, stdout {out[:200]!r} (expected {a.expect!r})")

    samples = {name: ([], []) for name, _ in configs}
    for _ in range(a.runs):
        for name, argv in configs:
            ms, _, code, out = run_once(argv, env)
            if code != 0 or a.expect.encode() not in out:
                sys.exit(f"{name}: exit {code}, stdout {out[:200]!r}")
            samples[name][0].append(ms)
    for _ in range(a.rss_runs):
        for name, argv in configs:
            samples[name][1].append(peak_rss_kib(a.time_bin, argv, env))
    load_after = os.getloadavg()[0]

    results = {}
    for name, (times, rss) in samples.items():
        results[name] = {
            "wall_ms_median": round(statistics.median(times), 3),
            "wall_ms_min": round(min(times), 3),
            "wall_ms_p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 3),
            "peak_rss_mib_median": round(statistics.median(rss) / 1024, 2),
            "peak_rss_mib_max": round(max(rss) / 1024, 2),
        }
    base = results["iwasm"]
    print(f"{'program':<22}{'wall ms (median)':>18}{'min':>9}{'p90':>9}{'peak RSS MiB':>14}"
          f"{'wall/iwasm':>12}{'RSS/iwasm':>11}")
    for name, r in results.items():
        print(f"{name:<22}{r['wall_ms_median']:>18.2f}{r['wall_ms_min']:>9.2f}{r['wall_ms_p90']:>9.2f}"
              f"{r['peak_rss_mib_median']:>14.2f}"
              f"{r['wall_ms_median'] / base['wall_ms_median']:>12.2f}"
              f"{r['peak_rss_mib_median'] / base['peak_rss_mib_median']:>11.2f}")
    with open(a.wasm, "rb") as f:
        wasm = f.read()
    print(f"wall: {a.runs} runs after {a.warmup} warm-up; RSS: {a.rss_runs} runs; "
          f"load average {load_before:.2f} before, {load_after:.2f} after; wasm {len(wasm)} bytes")
    print(json.dumps({
        "bench": "iwasm-startup",
        "runs": a.runs,
        "warmup": a.warmup,
        "rss_runs": a.rss_runs,
        "loadavg_1m": [round(load_before, 2), round(load_after, 2)],
        "wasm_bytes": len(wasm),
        "wasm_sha256": hashlib.sha256(wasm).hexdigest(),
        "results": results,
    }))


if __name__ == "__main__":
    main()

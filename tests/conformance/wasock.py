"""wasock's runtime adapter for the WASI testsuite (WebAssembly/wasi-testsuite).

Modelled on the suite's own adapters/wasmtime.py and adapters/wasm-micro-runtime.py.
The runner loads this file as a module; run as a script it must print nothing.
WASOCK names the binary (default: `wasock` on PATH), split by shell quoting rules.
"""
import os
import shlex
import subprocess
from typing import Dict, List, Optional, Tuple

WASOCK = shlex.split(os.getenv("WASOCK", "wasock"))


def get_name() -> str:
    return "wasock"


def get_version() -> str:
    # `wasock --version` prints "wasock 0.1.0".
    result = subprocess.run(WASOCK[0:1] + ["--version"], encoding="UTF-8",
                            capture_output=True, check=True)
    return result.stdout.splitlines()[0].split(" ")[1]


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    args, env, root = args_env_root
    argv = list(WASOCK)
    for key, value in env.items():
        argv += [f"--env={key}={value}"]
    if root:
        # The test's directory, preopened as the guest's "/".
        argv += [f"--map-dir=/::{root}"]
    # Options end at the module; everything after it is the guest's.
    argv += [test_path]
    argv += args
    return argv

#!/usr/bin/env python3
"""Checks the imports of .wasm modules against the socket ABI (docs/socket-abi.md).

Every function imported from `wasi_snapshot_preview1` must be one of the 52 socket imports of
docs/socket-abi.md or a standard preview1 function, with exactly the listed wasm signature; the
only other imports allowed are those of wasi-threads modules (`wasi.thread-spawn`, `env.memory`).
Anything else (e.g. `env.__errno_location`, which iwasm would leave unlinked) is an error.

usage: check_imports.py [--list] [--require NAME]... [--forbid NAME]... MODULE.wasm...
  --list          print each module's imports with their signatures
  --require NAME  fail unless every module imports wasi_snapshot_preview1.NAME
  --forbid NAME   fail if a module imports wasi_snapshot_preview1.NAME
  --self-test     check the tables themselves (52 socket imports) and exit
Exit status 0 when every module passes, 1 otherwise.
"""
import sys

I32, I64, F32, F64 = 0x7F, 0x7E, 0x7D, 0x7C
VALTYPE = {I32: "i32", I64: "i64", F32: "f32", F64: "f64", 0x7B: "v128", 0x70: "funcref", 0x6F: "externref"}


def sig(params, results="i"):
    """'iiI' -> (('i32','i32','i64'), ('i32',))"""
    m = {"i": "i32", "I": "i64"}
    return tuple(m[c] for c in params), tuple(m[c] for c in results)


# docs/socket-abi.md (imports, socket options): the 52 socket imports. Pointers are i32.
SOCKET = {
    "sock_open": sig("iiii"),
    "sock_bind": sig("ii"),
    "sock_connect": sig("ii"),
    "sock_listen": sig("ii"),
    "sock_accept": sig("iii"),
    "sock_addr_local": sig("ii"),
    "sock_addr_remote": sig("ii"),
    "sock_addr_resolve": sig("iiiiii"),
    "sock_send_to": sig("iiiiii"),
    "sock_recv_from": sig("iiiiii"),
    "sock_close": sig("i"),
    "sock_recv": sig("iiiiii"),
    "sock_send": sig("iiiii"),
    "sock_shutdown": sig("ii"),
}
for name in ("broadcast", "keep_alive", "reuse_addr", "reuse_port", "recv_buf_size", "send_buf_size",
             "tcp_fastopen_connect", "tcp_keep_idle", "tcp_keep_intvl", "tcp_no_delay", "tcp_quick_ack",
             "ip_multicast_ttl", "ip_ttl", "ipv6_only"):
    SOCKET["sock_set_" + name] = sig("ii")
    SOCKET["sock_get_" + name] = sig("ii")
for name in ("recv_timeout", "send_timeout"):
    SOCKET["sock_set_" + name] = sig("iI")  # i64 microseconds
    SOCKET["sock_get_" + name] = sig("ii")
SOCKET["sock_set_linger"] = sig("iii")
SOCKET["sock_get_linger"] = sig("iii")
SOCKET["sock_set_ip_multicast_loop"] = sig("iii")
SOCKET["sock_get_ip_multicast_loop"] = sig("iii")
SOCKET["sock_set_ip_add_membership"] = sig("iii")
SOCKET["sock_set_ip_drop_membership"] = sig("iii")

# The rest of preview1 (wasi-libc's wasi/api.h).
PREVIEW1 = {
    "args_get": sig("ii"), "args_sizes_get": sig("ii"), "environ_get": sig("ii"),
    "environ_sizes_get": sig("ii"), "clock_res_get": sig("ii"), "clock_time_get": sig("iIi"),
    "fd_advise": sig("iIIi"), "fd_allocate": sig("iII"), "fd_close": sig("i"), "fd_datasync": sig("i"),
    "fd_fdstat_get": sig("ii"), "fd_fdstat_set_flags": sig("ii"), "fd_fdstat_set_rights": sig("iII"),
    "fd_filestat_get": sig("ii"), "fd_filestat_set_size": sig("iI"), "fd_filestat_set_times": sig("iIIi"),
    "fd_pread": sig("iiiIi"), "fd_prestat_get": sig("ii"), "fd_prestat_dir_name": sig("iii"),
    "fd_pwrite": sig("iiiIi"), "fd_read": sig("iiii"), "fd_readdir": sig("iiiIi"), "fd_renumber": sig("ii"),
    "fd_seek": sig("iIii"), "fd_sync": sig("i"), "fd_tell": sig("ii"), "fd_write": sig("iiii"),
    "path_create_directory": sig("iii"), "path_filestat_get": sig("iiiii"),
    "path_filestat_set_times": sig("iiiiIIi"), "path_link": sig("iiiiiii"), "path_open": sig("iiiiiIIii"),
    "path_readlink": sig("iiiiii"), "path_remove_directory": sig("iii"), "path_rename": sig("iiiiii"),
    "path_symlink": sig("iiiii"), "path_unlink_file": sig("iii"), "poll_oneoff": sig("iiii"),
    "proc_exit": sig("i", ""), "proc_raise": sig("i"), "sched_yield": sig(""), "random_get": sig("ii"),
}
# wasi-threads
OTHER_FUNCS = {("wasi", "thread-spawn"): sig("i")}
OTHER_MEMORIES = {("env", "memory")}


class Reader:
    def __init__(self, data, pos=0, end=None):
        self.d, self.p, self.end = data, pos, len(data) if end is None else end

    def byte(self):
        if self.p >= self.end:
            raise ValueError("unexpected end of data")
        b = self.d[self.p]
        self.p += 1
        return b

    def uleb(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def name(self):
        n = self.uleb()
        s = self.d[self.p:self.p + n]
        if len(s) != n:
            raise ValueError("truncated name")
        self.p += n
        return s.decode("utf-8")

    def limits(self):
        flags = self.byte()
        self.uleb()
        if flags & 1:
            self.uleb()
        return flags


def parse_imports(data):
    """[(module, name, kind, detail)] where detail is (params, results) for functions."""
    if data[:4] != b"\0asm" or data[4:8] != b"\x01\0\0\0":
        raise ValueError("not a wasm module (version 1)")
    r = Reader(data, 8)
    types, imports = [], []
    while r.p < len(data):
        sid = r.byte()
        size = r.uleb()
        s = Reader(data, r.p, r.p + size)
        if sid == 1:  # type section
            for _ in range(s.uleb()):
                form = s.byte()
                if form != 0x60:
                    raise ValueError(f"unsupported type form 0x{form:02x}")
                params = tuple(VALTYPE.get(s.byte(), "?") for _ in range(s.uleb()))
                results = tuple(VALTYPE.get(s.byte(), "?") for _ in range(s.uleb()))
                types.append((params, results))
        elif sid == 2:  # import section
            for _ in range(s.uleb()):
                mod, name, kind = s.name(), s.name(), s.byte()
                if kind == 0:
                    imports.append((mod, name, "func", types[s.uleb()]))
                elif kind == 1:
                    s.byte()
                    s.limits()
                    imports.append((mod, name, "table", None))
                elif kind == 2:
                    s.limits()
                    imports.append((mod, name, "memory", None))
                elif kind == 3:
                    s.byte()
                    s.byte()
                    imports.append((mod, name, "global", None))
                elif kind == 4:
                    s.byte()
                    s.uleb()
                    imports.append((mod, name, "tag", None))
                else:
                    raise ValueError(f"unknown import kind {kind}")
            return imports
        r.p += size
    return imports


def show(t):
    return "(" + ", ".join(t[0]) + ") -> (" + ", ".join(t[1]) + ")"


def check(path, require, forbid, listing):
    errors = []
    with open(path, "rb") as f:
        imports = parse_imports(f.read())
    names = set()
    for mod, name, kind, detail in imports:
        if listing:
            print(f"  {mod}.{name}: {kind} {show(detail) if detail else ''}".rstrip())
        if mod == "wasi_snapshot_preview1" and kind == "func":
            names.add(name)
            want = SOCKET.get(name) or PREVIEW1.get(name)
            if want is None:
                errors.append(f"{mod}.{name}: not a spec import")
            elif detail != want:
                errors.append(f"{mod}.{name}: signature {show(detail)}, spec says {show(want)}")
        elif kind == "func" and (mod, name) in OTHER_FUNCS:
            if detail != OTHER_FUNCS[(mod, name)]:
                errors.append(f"{mod}.{name}: signature {show(detail)}, want {show(OTHER_FUNCS[(mod, name)])}")
        elif kind == "memory" and (mod, name) in OTHER_MEMORIES:
            pass
        else:
            errors.append(f"{mod}.{name}: unexpected {kind} import (iwasm would not link it)")
    for name in require:
        if name not in names:
            errors.append(f"wasi_snapshot_preview1.{name}: required but not imported")
    for name in forbid:
        if name in names:
            errors.append(f"wasi_snapshot_preview1.{name}: imported but forbidden")
    socket = sorted(n for n in names if n in SOCKET)
    return errors, socket


def main(argv):
    require, forbid, paths, listing = [], [], [], False
    it = iter(argv)
    for a in it:
        if a == "--list":
            listing = True
        elif a == "--require":
            require.append(next(it))
        elif a == "--forbid":
            forbid.append(next(it))
        elif a == "--self-test":
            assert len(SOCKET) == 52, len(SOCKET)
            assert len([n for n in SOCKET if n.startswith("sock_get_")]) == 18
            assert len([n for n in SOCKET if n.startswith("sock_set_")]) == 20
            assert not set(SOCKET) & set(PREVIEW1)
            print("ok: 52 socket imports (14 core, 18 getters, 20 setters)")
            return 0
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 2
        else:
            paths.append(a)
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    failed = False
    for p in paths:
        if listing:
            print(f"{p}:")
        try:
            errors, socket = check(p, require, forbid, listing)
        except (OSError, ValueError) as e:
            errors, socket = [str(e)], []
        if errors:
            failed = True
            for e in errors:
                print(f"{p}: {e}", file=sys.stderr)
        else:
            print(f"ok {p}: {len(socket)} socket imports" + (f" ({', '.join(socket)})" if socket else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

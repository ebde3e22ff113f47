#!/usr/bin/env python3
"""Writes an OCI image layout tar that `ctr images import` takes, for the shim's tests
(crates/containerd-shim-wasock/tests/containerd.rs) and users without an image builder. Two kinds:

  oci_image.py OUT.tar NAME --file SRC=DST [--file ...] -- ENTRYPOINT [ARG...]
      a linux/amd64 image with one ordinary tar layer holding the files (a .wasm among them,
      or a native program for runc)
  oci_image.py OUT.tar NAME --wasm SRC -- [ARG...]
      a wasi/wasm image whose only layer is the module itself, media type
      application/vnd.wasm.content.layer.v1+wasm (runwasi's Wasm layers)
Both take --env KEY=VALUE (repeatable): the image's environment.
"""
import argparse, hashlib, io, json, sys, tarfile


def add(out, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    out.addfile(info, io.BytesIO(data))


def blob(out, data, media_type):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    add(out, "blobs/sha256/" + digest[7:], data)
    return {"mediaType": media_type, "digest": digest, "size": len(data)}


def file_layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as layer:
        for src, dst in files:
            data = open(src, "rb").read()
            info = tarfile.TarInfo(dst.lstrip("/"))
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            layer.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def tag_of(name):
    """The tag of an image reference (`latest` if none; a registry's :port is not a tag)."""
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else "latest"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("name", help="image reference, e.g. docker.io/library/http:wasm")
    p.add_argument("--file", action="append", default=[], help="SRC=DST")
    p.add_argument("--wasm", help="a module to ship as a Wasm layer")
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE in the image config")
    # The command follows `--` (argparse would take words that look like options for its own).
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    a = p.parse_args(argv[:split])
    a.command = argv[split + 1:]
    with tarfile.open(a.out, "w") as out:
        if a.wasm:
            layer = blob(out, open(a.wasm, "rb").read(),
                         "application/vnd.wasm.content.layer.v1+wasm")
            diff_ids = []
            platform = {"os": "wasip1", "architecture": "wasm"}
            config = {"Cmd": a.command} if a.command else {}
        else:
            files = [tuple(f.split("=", 1)) for f in a.file]
            data = file_layer(files)
            layer = blob(out, data, "application/vnd.oci.image.layer.v1.tar")
            diff_ids = [layer["digest"]]
            platform = {"os": "linux", "architecture": "amd64"}
            config = {"Entrypoint": a.command[:1], "Cmd": a.command[1:]}
        if a.env:
            config["Env"] = a.env
        image_config = dict(platform, config=config,
                            rootfs={"type": "layers", "diff_ids": diff_ids})
        cfg = blob(out, json.dumps(image_config).encode(),
                   "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cfg, "layers": [layer]}
        man = blob(out, json.dumps(manifest).encode(),
                   "application/vnd.oci.image.manifest.v1+json")
        man["platform"] = platform
        man["annotations"] = {"io.containerd.image.name": a.name,
                              "org.opencontainers.image.ref.name": tag_of(a.name)}
        add(out, "index.json", json.dumps({"schemaVersion": 2, "manifests": [man]}).encode())
        add(out, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')


if __name__ == "__main__":
    sys.exit(main())

//! The shim under a real containerd (Debian's package; scripts/setup installs it): each test
//! starts its own containerd as root with a temporary root, state and socket, the shim found by
//! PATH, imports an image built here (tests/containerd/oci_image.py) holding the C HTTP
//! example compiled at test time, and drives it with `ctr` and curl.
//!
//! Without root or containerd the tests say so and pass, except under CI (`CI` set), where that
//! is a failure: CI installs both.

#[path = "../../wasock/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Bound on every wait: containerd's start, a container's start, a page.
const LIMIT: Duration = Duration::from_secs(60);

/// Whether this machine can run the tests; `false` (with a note) outside CI only.
fn can_run() -> bool {
    let root = rustix::process::geteuid().is_root();
    let containerd = Command::new("containerd").arg("--version").output().is_ok();
    let curl = Command::new("curl").arg("--version").output().is_ok();
    if root && containerd && curl {
        return true;
    }
    let why = format!("needs root ({root}), containerd ({containerd}) and curl ({curl})");
    assert!(std::env::var_os("CI").is_none(), "{why}: CI installs them");
    eprintln!("skipped: {why} (scripts/setup installs containerd)");
    false
}

/// A containerd of the test's own, stopped and cleaned up on drop: every task killed, no
/// shim left running, nothing left mounted.
struct Containerd {
    dir: PathBuf,
    daemon: Option<Child>,
    /// Its containerd namespace, of its own: containers' cgroups (`/NAMESPACE/ID`) and the
    /// shims' state (`/run/containerd/wasock/NAMESPACE`) lie outside its directory, and no
    /// other test (in this run or another) may meet them.
    ns: String,
}

impl Containerd {
    fn start() -> Containerd {
        // Short: the socket path must fit in sun_path.
        let dir = PathBuf::from(format!("/tmp/wsk-ctd-{}-{}", std::process::id(), next_id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = format!(
            "version = 2\nroot = \"{d}/root\"\nstate = \"{d}/state\"\n\
             disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n\
             [grpc]\n  address = \"{d}/sock\"\n[ttrpc]\n  address = \"{d}/sock.ttrpc\"\n",
            d = dir.display()
        );
        std::fs::write(dir.join("config.toml"), config).unwrap();
        let shim_dir = Path::new(env!("CARGO_BIN_EXE_containerd-shim-wasock-v1"))
            .parent()
            .unwrap()
            .to_path_buf();
        let path = format!(
            "{}:{}",
            shim_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let log = std::fs::File::create(dir.join("containerd.log")).unwrap();
        let daemon = Command::new("containerd")
            .arg("--config")
            .arg(dir.join("config.toml"))
            .env("PATH", path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start containerd");
        let ns = format!("wasock-test-{}-{}", std::process::id(), next_id());
        let c = Containerd {
            dir,
            daemon: Some(daemon),
            ns,
        };
        c.wait_until("containerd to answer", || {
            c.ctr(&["version"]).status.success()
        });
        c
    }

    /// `ctr` against this containerd, in its namespace.
    fn ctr(&self, args: &[&str]) -> Output {
        let sock = self.dir.join("sock");
        let mut child = Command::new("ctr")
            .arg("--address")
            .arg(&sock)
            .args(["--namespace", &self.ns])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ctr");
        let deadline = Instant::now() + LIMIT;
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait_with_output().unwrap()
    }

    /// `ctr ARGS`, which must succeed.
    fn ctr_ok(&self, args: &[&str]) -> String {
        let out = self.ctr(args);
        assert!(
            out.status.success(),
            "ctr {args:?} failed:\n{}",
            common::show(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `ctr run MODE --net-host` (MODE `-d` or `--rm`) of `image` as container `id` under the
    /// shim, with one annotation (`KEY=VALUE`).
    fn run_wasm(&self, mode: &str, annotation: &str, image: &str, id: &str) -> Output {
        let args = [
            "run",
            mode,
            "--net-host",
            "--runtime",
            RUNTIME,
            "--annotation",
        ];
        self.ctr(&[&args[..], &[annotation, image, id]].concat())
    }

    /// [`Containerd::run_wasm`], which must succeed.
    fn run_wasm_ok(&self, mode: &str, annotation: &str, image: &str, id: &str) {
        let out = self.run_wasm(mode, annotation, image, id);
        assert!(
            out.status.success(),
            "ctr run {id} failed:\n{}",
            common::show(&out)
        );
    }

    /// The body at `url` once a server in a container answers.
    fn first_page(&self, url: &str) -> String {
        let mut page = None;
        self.wait_until(url, || {
            page = curl(url);
            page.is_some()
        });
        page.unwrap_or_default()
    }

    /// Builds an image with oci_image.py (its arguments after OUT.tar) and imports it.
    fn import(&self, name: &str, image_args: &[&str]) {
        let tar = self.dir.join(format!("{}.tar", next_id()));
        let script = common::repo_root().join("tests/containerd/oci_image.py");
        let out = Command::new("python3")
            .arg(script)
            .arg(&tar)
            .arg(name)
            .args(image_args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "oci_image.py:\n{}",
            common::show(&out)
        );
        self.ctr_ok(&["images", "import", "--all-platforms", tar.to_str().unwrap()]);
    }

    /// Creates container `id` of `image` (imported with `--no-unpack`) through containerd's API,
    /// as a CRI plugin would, with the host's network. Debian's containerd (1.6.20) cannot
    /// unpack an image whose layers are Wasm (1.6.25 and 1.7.7 can), so `ctr run` refuses it;
    /// the container's root is an empty directory instead of a snapshot, and runwasi reads the
    /// layers from the content store, which is what it does anyway.
    fn create_without_unpacking(&self, id: &str, image: &str, args: &[&str], rules: &str) {
        use containerd_client::services::v1::container::Runtime;
        use containerd_client::services::v1::containers_client::ContainersClient;
        use containerd_client::services::v1::{Container, CreateContainerRequest};
        use containerd_client::tonic::Request;
        use containerd_client::with_namespace;

        let rootfs = self.dir.join(format!("rootfs-{id}"));
        std::fs::create_dir_all(&rootfs).unwrap();
        let mut spec: serde_json::Value =
            serde_json::from_str(&self.ctr_ok(&["oci", "spec"])).unwrap();
        spec["root"] = serde_json::json!({"path": rootfs, "readonly": false});
        spec["process"]["args"] = serde_json::json!(args);
        spec["annotations"] = serde_json::json!({"wasock.net/rules": rules});
        // As ctr run names it: a cgroup of its own under the namespace's.
        spec["linux"]["cgroupsPath"] = format!("/{}/{id}", self.ns).into();
        if let Some(ns) = spec["linux"]["namespaces"].as_array_mut() {
            ns.retain(|n| n["type"] != "network");
        }
        let container = Container {
            id: id.to_string(),
            image: image.to_string(),
            runtime: Some(Runtime {
                name: RUNTIME.to_string(),
                options: None,
            }),
            spec: Some(prost_types::Any {
                type_url: "types.containerd.io/opencontainers/runtime-spec/1/Spec".into(),
                value: spec.to_string().into_bytes(),
            }),
            ..Default::default()
        };
        let sock = self.dir.join("sock");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let channel = containerd_client::connect(&sock).await.expect("connect");
            let request = CreateContainerRequest {
                container: Some(container),
            };
            ContainersClient::new(channel)
                .create(with_namespace!(request, self.ns.as_str()))
                .await
                .expect("create the container");
        });
    }

    fn wait_until(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + LIMIT;
        while !done() {
            assert!(
                Instant::now() < deadline,
                "gave up waiting for {what}; containerd log:\n{}",
                std::fs::read_to_string(self.dir.join("containerd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Processes whose command line names this containerd's directory (the shims do).
    fn leftover_processes(&self) -> Vec<String> {
        let dir = self.dir.to_string_lossy().into_owned();
        let me = std::process::id().to_string();
        let daemon = self.daemon.as_ref().map(|d| d.id().to_string());
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let pid = entry.file_name().to_string_lossy().into_owned();
            if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me {
                continue;
            }
            if Some(&pid) == daemon.as_ref() {
                continue;
            }
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(&dir) {
                found.push(format!("{pid}: {cmdline}"));
            }
        }
        found
    }

    /// Mount points under this containerd's directory.
    fn leftover_mounts(&self) -> Vec<String> {
        let dir = self.dir.to_string_lossy().into_owned();
        std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split(' ').nth(4))
            .filter(|m| m.starts_with(&dir))
            .map(String::from)
            .collect()
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        // Tasks first, so no shim outlives the test, then the daemon.
        let tasks = self.ctr(&["tasks", "ls", "--quiet"]);
        for id in String::from_utf8_lossy(&tasks.stdout).lines() {
            let _ = self.ctr(&["tasks", "kill", "--signal", "SIGKILL", id]);
            let _ = self.ctr(&["tasks", "delete", "--force", id]);
        }
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
        for p in self.leftover_processes() {
            if let Some(pid) = p.split(':').next() {
                let _ = Command::new("kill").args(["-9", pid]).status();
            }
        }
        let mut mounts = self.leftover_mounts();
        mounts.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for m in mounts {
            let _ = Command::new("umount").args(["-l", &m]).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        // The namespace's cgroups (empty once every task is gone) and the shims' state.
        if let Ok(controllers) = std::fs::read_dir("/sys/fs/cgroup") {
            for c in controllers.flatten() {
                let _ = std::fs::remove_dir(c.path().join(&self.ns));
            }
        }
        let _ = std::fs::remove_dir_all(Path::new("/run/containerd/wasock").join(&self.ns));
    }
}

fn next_id() -> usize {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// curl's body for URL, or `None` if it could not connect.
fn curl(url: &str) -> Option<String> {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", url])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The HTTP example compiled to Wasm, as a file inside an ordinary image layer.
fn http_image(ctd: &Containerd, name: &str, extra: &[&str], command: &[&str]) {
    let wasm = common::compile_c("examples/c/http_server.c", false);
    let file = format!("{}=/http_server.wasm", wasm.display());
    let mut args = vec!["--file", &file];
    args.extend_from_slice(extra);
    args.push("--");
    args.extend_from_slice(command);
    ctd.import(name, &args);
}

const RUNTIME: &str = "io.containerd.wasock.v1";

#[test]
fn serves_curl_under_its_annotations_and_leaves_nothing_behind() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    http_image(
        &ctd,
        "docker.io/wasock/http:test",
        &[],
        &["/http_server.wasm", &addr],
    );
    let rules = format!("wasock.net/rules=allow bind tcp {addr}\nallow accept tcp 127.0.0.1");
    ctd.run_wasm_ok("-d", &rules, "docker.io/wasock/http:test", "web");
    assert_eq!(ctd.first_page(&format!("http://{addr}/hello")), "hello\n");
    let index = curl(&format!("http://{addr}/")).unwrap();
    assert!(index.contains("<h1>Hello from WebAssembly</h1>"), "{index}");
    // The program runs as the container's own process, under the shim.
    let tasks = ctd.ctr_ok(&["tasks", "ls"]);
    assert!(
        tasks.contains("web") && tasks.contains("RUNNING"),
        "{tasks}"
    );

    ctd.ctr_ok(&["tasks", "kill", "--signal", "SIGKILL", "web"]);
    ctd.wait_until("the task to stop", || {
        ctd.ctr_ok(&["tasks", "ls"]).contains("STOPPED")
    });
    ctd.ctr_ok(&["tasks", "delete", "web"]);
    ctd.ctr_ok(&["containers", "delete", "web"]);
    ctd.wait_until("the shim to exit", || ctd.leftover_processes().is_empty());
    assert_eq!(ctd.leftover_mounts(), Vec::<String>::new());
    assert!(
        curl(&format!("http://{addr}/hello")).is_none(),
        "still serving"
    );
}

#[test]
fn without_a_grant_for_its_port_the_container_fails_with_the_denial_in_its_log() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    let addr = format!("127.0.0.1:{}", free_port());
    // The image even tries to grant itself the network through the shim's own variable.
    let forged = "WASOCK_SHIM_DEPLOYMENT={\"rules\":\"allow bind,accept tcp *\",\"trace\":false}";
    http_image(
        &ctd,
        "docker.io/wasock/http:denied",
        &["--env", forged],
        &["/http_server.wasm", &addr],
    );
    let out = ctd.run_wasm(
        "--rm",
        "wasock.net/rules=allow accept tcp 127.0.0.1",
        "docker.io/wasock/http:denied",
        "denied",
    );
    let shown = common::show(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    let denial = format!("wasock: denied bind tcp to {addr}");
    assert!(shown.contains(&denial), "{shown}");
    assert!(
        shown.contains(&format!("--net='allow bind tcp {addr}'")),
        "{shown}"
    );
    assert!(curl(&format!("http://{addr}/")).is_none());
}

#[test]
fn a_bad_policy_annotation_fails_the_start_naming_annotation_line_and_column() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    http_image(
        &ctd,
        "docker.io/wasock/http:bad",
        &[],
        &["/http_server.wasm"],
    );
    let out = ctd.run_wasm(
        "--rm",
        "wasock.net/rules=allow bind tcp 127.0.0.1:80\n  allow fly tcp *",
        "docker.io/wasock/http:bad",
        "bad",
    );
    let shown = common::show(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains("wasock.net/rules:2:3: invalid --net rule `allow fly tcp *`"),
        "{shown}"
    );
    ctd.wait_until("no shim left", || ctd.leftover_processes().is_empty());
}

#[test]
fn wasm_layer_images_are_compiled_once_and_run_from_the_cache() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    let wasm = common::compile_c("examples/c/http_server.c", false);
    let tar = ctd.dir.join("layer.tar");
    let script = common::repo_root().join("tests/containerd/oci_image.py");
    let name = "docker.io/wasock/http:layer";
    let out = Command::new("python3")
        .arg(script)
        .arg(&tar)
        .args([name, "--wasm", wasm.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oci_image.py:\n{}",
        common::show(&out)
    );
    ctd.ctr_ok(&[
        "images",
        "import",
        "--no-unpack",
        "--all-platforms",
        tar.to_str().unwrap(),
    ]);
    // The blobs of compiled code: runwasi labels each with the layer it was compiled from.
    let compiled = |ctd: &Containerd| -> Vec<String> {
        ctd.ctr_ok(&["content", "ls"])
            .lines()
            .filter(|l| l.contains("runwasi.io/precompiled/wasock/") && l.contains("/original="))
            .filter_map(|l| l.split_whitespace().next().map(String::from))
            .collect()
    };
    assert_eq!(compiled(&ctd), Vec::<String>::new());
    let mut first = None;
    for round in ["compiles", "loads the compiled code"] {
        let addr = format!("127.0.0.1:{}", free_port());
        let rules = format!("allow bind tcp {addr}\nallow accept tcp 127.0.0.1");
        let id = format!("layer{}", next_id());
        ctd.create_without_unpacking(&id, name, &["http_server.wasm", &addr, "--count=1"], &rules);
        ctd.ctr_ok(&["tasks", "start", "-d", &id]);
        let page = ctd.first_page(&format!("http://{addr}/hello"));
        assert_eq!(page, "hello\n", "{round}");
        ctd.wait_until("the task to exit", || {
            ctd.ctr_ok(&["tasks", "ls"]).contains("STOPPED")
        });
        ctd.ctr_ok(&["tasks", "delete", &id]);
        ctd.ctr_ok(&["containers", "delete", &id]);
        // Compiled once: the second container ran the same compiled blob, and runwasi
        // precompiled (it logs each time, to containerd's log) only for the first.
        let blobs = compiled(&ctd);
        assert_eq!(blobs.len(), 1, "{round}: {blobs:?}");
        assert_eq!(
            first.get_or_insert_with(|| blobs.clone()),
            &blobs,
            "{round}"
        );
        let log = std::fs::read_to_string(ctd.dir.join("containerd.log")).unwrap();
        assert_eq!(
            log.matches("precompiling layers for image").count(),
            1,
            "{round}"
        );
    }
}

#[test]
fn a_component_runs_with_the_same_policy() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    let component = common::compile_rust_guest(
        &common::repo_root().join("tests/guests/rust-net-p2"),
        "wasm32-wasip2",
    );
    // A native echo peer for the component's `tcp=ADDR` action.
    let addr = common::tcp_echo().to_string();
    let file = format!("{}=/net.wasm", component.display());
    let action = format!("tcp={addr}");
    ctd.import(
        "docker.io/wasock/net:p2",
        &["--file", &file, "--", "/net.wasm", &action],
    );
    let run = |id: &str, rules: &str| {
        let rules = format!("wasock.net/rules={rules}");
        ctd.run_wasm("--rm", &rules, "docker.io/wasock/net:p2", id)
    };
    let out = run("p2ok", &format!("allow connect tcp {addr}"));
    assert!(out.status.success(), "{}", common::show(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok tcp");
    let out = run("p2denied", "allow connect tcp 127.0.0.1:1");
    let shown = common::show(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains(&format!("wasock: denied connect tcp to {addr}")),
        "{shown}"
    );
}

#[test]
fn the_program_sees_the_containers_directories_but_not_proc_sys_or_dev() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    let wasm = common::compile_c("wasi/open_path.c", false);
    let data = ctd.dir.join("hello.txt");
    std::fs::write(&data, "hello").unwrap();
    let file = format!("{}=/open_path.wasm", wasm.display());
    let text = format!("{}=/data/hello.txt", data.display());
    ctd.import(
        "docker.io/wasock/open:test",
        &[
            "--file",
            &file,
            "--file",
            &text,
            "--",
            "/open_path.wasm",
            "/data/hello.txt",
            "/proc/self/mem",
            "/proc/self/maps",
            "/sys/kernel/hostname",
            "/dev/null",
        ],
    );
    let out = ctd.ctr(&[
        "run",
        "--rm",
        "--runtime",
        RUNTIME,
        "docker.io/wasock/open:test",
        "open",
    ]);
    let shown = common::show(&out);
    assert!(out.status.success(), "{shown}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().map(str::trim_end).collect();
    assert_eq!(lines.len(), 5, "{shown}");
    assert_eq!(lines[0], "/data/hello.txt: ok", "{shown}");
    for line in &lines[1..] {
        assert!(!line.ends_with(": ok"), "{shown}");
    }
}

#[test]
fn the_program_gets_the_containers_args_env_and_mounts_but_not_the_shims_variable() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    let wasm = common::compile_c("wasi/open_path.c", false);
    let file = format!("{}=/open_path.wasm", wasm.display());
    ctd.import(
        "docker.io/wasock/env:test",
        &[
            "--file",
            &file,
            "--env",
            "FROM_IMAGE=1",
            "--",
            "/open_path.wasm",
        ],
    );
    let mounted = ctd.dir.join("mounted");
    std::fs::create_dir_all(&mounted).unwrap();
    std::fs::write(mounted.join("file.txt"), "x").unwrap();
    let mount = format!(
        "type=bind,src={},dst=/mnt/data,options=rbind:ro",
        mounted.display()
    );
    let out = ctd.ctr(&[
        "run",
        "--rm",
        "--runtime",
        RUNTIME,
        "--env",
        "FOO=bar",
        "--mount",
        &mount,
        "docker.io/wasock/env:test",
        "env",
        "/open_path.wasm",
        "/mnt/data/file.txt",
        "/mnt/data/missing",
        "$FOO",
        "$FROM_IMAGE",
        "$WASOCK_SHIM_DEPLOYMENT",
    ]);
    let shown = common::show(&out);
    assert!(out.status.success(), "{shown}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().map(str::trim_end).collect();
    assert_eq!(
        lines,
        [
            "/mnt/data/file.txt: ok",
            "/mnt/data/missing: No such file or directory",
            "$FOO=bar",
            "$FROM_IMAGE=1",
            "$WASOCK_SHIM_DEPLOYMENT unset",
        ],
        "{shown}"
    );
}

#[test]
fn the_program_serves_in_the_pods_network_namespace() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    // A network namespace standing for a pod's (ip netns, as CNI plugins make them), with only
    // its loopback up: the server is reachable there and not on the host's loopback.
    let netns = format!("wsk-{}-{}", std::process::id(), next_id());
    let ip = |args: &[&str]| Command::new("ip").args(args).output().unwrap();
    assert!(ip(&["netns", "add", &netns]).status.success());
    struct DeleteNetns(String);
    impl Drop for DeleteNetns {
        fn drop(&mut self) {
            let _ = Command::new("ip")
                .args(["netns", "delete", &self.0])
                .status();
        }
    }
    let _netns = DeleteNetns(netns.clone());
    assert!(
        ip(&["netns", "exec", &netns, "ip", "link", "set", "lo", "up"])
            .status
            .success()
    );
    let addr = format!("127.0.0.1:{}", free_port());
    http_image(
        &ctd,
        "docker.io/wasock/http:netns",
        &[],
        &["/http_server.wasm", &addr],
    );
    let rules = format!("wasock.net/rules=allow bind tcp {addr}\nallow accept tcp 127.0.0.1");
    let with_ns = format!("network:/var/run/netns/{netns}");
    ctd.ctr_ok(&[
        "run",
        "-d",
        "--with-ns",
        &with_ns,
        "--runtime",
        RUNTIME,
        "--annotation",
        &rules,
        "docker.io/wasock/http:netns",
        "netns",
    ]);
    let url = format!("http://{addr}/hello");
    let mut page = String::new();
    ctd.wait_until("the page inside the namespace", || {
        let out = ip(&[
            "netns",
            "exec",
            &netns,
            "curl",
            "-sS",
            "--max-time",
            "10",
            &url,
        ]);
        page = String::from_utf8_lossy(&out.stdout).into_owned();
        out.status.success()
    });
    assert_eq!(page, "hello\n");
    assert!(curl(&url).is_none(), "reachable from the host's namespace");
}

#[test]
fn a_policy_file_in_the_image_named_by_an_annotation_grants_as_net_policy_does() {
    if !can_run() {
        return;
    }
    let ctd = Containerd::start();
    let addr = format!("127.0.0.1:{}", free_port());
    let policy = ctd.dir.join("policy.toml");
    std::fs::write(
        &policy,
        format!("rules = [\"allow bind tcp {addr}\", \"allow accept tcp 127.0.0.1\"]\n"),
    )
    .unwrap();
    let file = format!("{}=/etc/wasock.toml", policy.display());
    http_image(
        &ctd,
        "docker.io/wasock/http:policy",
        &["--file", &file],
        &["/http_server.wasm", &addr, "--count=1"],
    );
    ctd.run_wasm_ok(
        "-d",
        "wasock.net/policy=/etc/wasock.toml",
        "docker.io/wasock/http:policy",
        "policy",
    );
    assert_eq!(ctd.first_page(&format!("http://{addr}/hello")), "hello\n");
}

/// Start time, for bench/README.md (no assertion on time: run it on purpose with
/// `cargo test -p containerd-shim-wasock --test containerd -- --ignored --nocapture start_time`).
/// The same hello world as a cached Wasm-layer image under the shim and as a static native
/// program under runc, the same containerd, interleaved; timed is `ctr tasks start` of a
/// created container to the program's exit.
#[test]
#[ignore]
fn start_time() {
    if !can_run() {
        return;
    }
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let ctd = Containerd::start();
    let hello = common::repo_root().join("bench/guests/hello.c");
    let wasm = ctd.dir.join("hello.wasm");
    let native = ctd.dir.join("hello");
    let cc = common::repo_root().join("scripts/wasi-cc");
    for (compiler, out, flags) in [
        (&cc, &wasm, "-O2"),
        (&PathBuf::from("cc"), &native, "-static"),
    ] {
        let built = Command::new(compiler)
            .args([
                flags,
                "-O2",
                hello.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(built.status.success(), "{}", common::show(&built));
    }
    let tar = ctd.dir.join("hello-wasm.tar");
    let script = common::repo_root().join("tests/containerd/oci_image.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&tar)
        .args([
            "docker.io/bench/hello:wasm",
            "--wasm",
            wasm.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::show(&out));
    ctd.ctr_ok(&[
        "images",
        "import",
        "--no-unpack",
        "--all-platforms",
        tar.to_str().unwrap(),
    ]);
    let file = format!("{}=/hello", native.display());
    ctd.import(
        "docker.io/bench/hello:native",
        &["--file", &file, "--", "/hello"],
    );

    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for i in 0..=runs {
        for (k, kind) in ["wasm", "native"].iter().enumerate() {
            let id = format!("{kind}{i}");
            if k == 0 {
                ctd.create_without_unpacking(
                    &id,
                    "docker.io/bench/hello:wasm",
                    &["hello.wasm"],
                    "",
                );
            } else {
                ctd.ctr_ok(&["containers", "create", "docker.io/bench/hello:native", &id]);
            }
            let t0 = Instant::now();
            let out = ctd.ctr_ok(&["tasks", "start", &id]);
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(out.trim(), "hello", "{kind}");
            // An attached `tasks start` deletes the task itself.
            ctd.ctr_ok(&["containers", "delete", &id]);
            // Run 0 warms up: the shim compiles the layer, page caches fill.
            if i > 0 {
                times[k].push(ms);
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (w, n) = (median(&mut times[0]), median(&mut times[1]));
    println!("container start to exit, median of {runs}: wasock shim {w:.1} ms, runc {n:.1} ms, ratio {:.2}x", w / n);
}

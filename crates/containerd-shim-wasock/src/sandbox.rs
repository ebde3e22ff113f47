//! Running one container's Wasm program: inside the container (its root, its network
//! namespace), with its args and env, under the policy its deployment gave.

use crate::deploy::{self, Deployment};
use crate::seal;
use anyhow::Result;
use containerd_shim_wasm::sandbox::context::{RuntimeContext, Source};
use containerd_shim_wasm::sandbox::Sandbox;
use std::path::{Path, PathBuf};
use wasock::{Config, Engine, EngineOptions, Entrypoint};

/// The status of a container whose program could not start (bad policy file, bad module),
/// as the CLI's: 1, with the reason on the container's stderr.
const CANNOT_START: i32 = 1;

/// The engine both the precompiler and the container use: precompiled code is only accepted by
/// an engine with the same settings.
pub fn engine() -> Result<Engine> {
    // No cache directory: the container cannot see the node's, and images with Wasm layers are
    // precompiled once per node into containerd's content store (see compiler.rs).
    Ok(Engine::new(&EngineOptions::default())?)
}

/// wasock's [`Sandbox`]: one per container, made inside the container process.
#[derive(Default)]
pub struct WasockSandbox;

impl Sandbox for WasockSandbox {
    async fn run_wasi(&self, ctx: &impl RuntimeContext) -> Result<i32> {
        match run(ctx) {
            Ok(code) => Ok(code),
            Err(e) => {
                // The container's stderr: `ctr` shows it, and `kubectl logs`.
                eprintln!("wasock: {e:#}");
                Ok(CANNOT_START)
            }
        }
    }
}

fn run(ctx: &impl RuntimeContext) -> Result<i32> {
    let mut guest_env = Vec::new();
    let mut deployment = None;
    for kv in ctx.envs() {
        match kv.split_once('=') {
            Some((deploy::ENV, v)) => {
                deployment = seal::open(v).and_then(Deployment::from_env);
                if deployment.is_none() {
                    eprintln!(
                        "wasock: warning: {} is not sealed by this node's shim (set by the \
                         image?): the container is granted nothing",
                        deploy::ENV
                    );
                }
            }
            Some((k, v)) if !k.is_empty() => guest_env.push((k.to_string(), v.to_string())),
            _ => {}
        }
    }
    // Set and sealed by the shim's `start` for every container it prepared; without it
    // nothing is granted.
    let deployment = deployment.unwrap_or_default();
    let mut policy = deployment.rules_policy()?;
    if let Some(file) = &deployment.policy_file {
        if let Err(errors) = policy.add_file(Path::new(file)) {
            let more = match errors.len() {
                1 => String::new(),
                n => format!(" (and {} more: check it with wasock policy check)", n - 1),
            };
            anyhow::bail!("{}{more}", errors[0]);
        }
    }
    // The annotation overrides a policy file's max-sockets, as --max-sockets does.
    if deployment.max_sockets.is_some() {
        policy.set_max_sockets(deployment.max_sockets);
    }
    for w in policy.warnings() {
        eprintln!("wasock: warning: {w}");
    }

    let entrypoint = ctx.entrypoint();
    let engine = engine()?;
    let mut config = Config::new();
    let (program, name) = match &entrypoint.source {
        Source::File(path) => {
            let path = resolve(path);
            let bytes = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            config.module_file(&path);
            (engine.load_program_source(&bytes, &path)?, path)
        }
        Source::Oci([layer]) => {
            let name = PathBuf::from(entrypoint.name.as_deref().unwrap_or("module.wasm"));
            let program = if layer.precompiled {
                // Compiled by this shim's own engine (compiler.rs), kept in containerd's
                // content store under a label only the shim writes.
                engine.load_program_bytes(&layer.layer, &name)?
            } else {
                engine.load_program_source(&layer.layer, &name)?
            };
            (program, name)
        }
        Source::Oci(layers) => anyhow::bail!(
            "the image has {} Wasm layers; wasock runs one module or component",
            layers.len()
        ),
    };
    let args = ctx.args();
    match args.first() {
        Some(arg0) => config.arg(arg0.clone()),
        None => config.arg(name.to_string_lossy()),
    };
    config.args(args.iter().skip(1).cloned());
    for (k, v) in guest_env {
        config.env(k, v);
    }
    preopen_root(&mut config)?;
    config.policy(policy).trace_net(deployment.trace);
    config.skip_teardown(true);
    let entry = match entrypoint.func.as_str() {
        "_start" => Entrypoint::Start,
        f => Entrypoint::Function(f.to_string(), args.iter().skip(1).cloned().collect()),
    };
    // A thread of its own: runwasi calls the sandbox inside its tokio runtime, and a component
    // runs inside a runtime of its own (wasock::component::run), which tokio will not start
    // within another. The thread's native stack is sized for the engine's wasm stack.
    let ran = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("wasm-main".into())
            .stack_size(engine.native_stack_size())
            .spawn_scoped(s, || wasock::run_program(&engine, &program, config, entry))?
            .join()
            .map_err(|_| anyhow::anyhow!("the program's thread panicked"))
    })?;
    match ran {
        Ok(outcome) => Ok(outcome.exit_code),
        Err(wasock::Error::Trap { message, backtrace }) => {
            eprintln!("wasock: trap: {message}");
            if !backtrace.is_empty() {
                eprintln!("{}", backtrace.trim_end());
            }
            // As the CLI and wasmtime: 128 + SIGABRT.
            Ok(134)
        }
        Err(e) => Err(e.into()),
    }
}

/// The entrypoint as the image names it: a path, or a name looked up in `PATH` as runwasi does.
fn resolve(path: &Path) -> PathBuf {
    if path.components().count() > 1 || path.is_absolute() {
        return path.to_path_buf();
    }
    let search = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&search)
        .map(|dir| dir.join(path))
        .find(|p| p.is_file())
        .unwrap_or_else(|| path.to_path_buf())
}

/// Top-level directories of the container's root the guest never gets: the kernel's views of
/// the process (`/proc/self/mem` would let it write the host's memory, policy included), its
/// devices and its settings.
const HIDDEN: [&str; 3] = ["proc", "sys", "dev"];

/// Preopens every top-level directory of the container's root under its own name (mounts
/// below them included), except [`HIDDEN`]. `/` itself is not preopened: a preopen cannot leave
/// out what lies below it. Files directly in `/` are therefore not visible to the guest.
fn preopen_root(config: &mut Config) -> Result<()> {
    let mut names: Vec<String> = std::fs::read_dir("/")
        .map_err(|e| anyhow::anyhow!("cannot list the container's root: {e}"))?
        .flatten()
        .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !HIDDEN.contains(&n.as_str()))
        .collect();
    names.sort();
    for name in names {
        let path = format!("/{name}");
        config.preopen_dir(&path, &path);
    }
    Ok(())
}

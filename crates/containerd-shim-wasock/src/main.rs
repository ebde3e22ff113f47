//! `containerd-shim-wasock-v1`: containerd's runtime `io.containerd.wasock.v1`, on runwasi's
//! `containerd-shim-wasm`. Each container's Wasm program runs in the container under the
//! network policy its `wasock.net/*` annotations give (docs/kubernetes.md).

mod bundle;
mod compiler;
mod deploy;
mod sandbox;
mod seal;

use containerd_shim_wasm::shim::{Cli, Compiler, Config, Shim, Version};

/// The shim: runwasi does the containerd side, wasock runs the programs.
struct WasockShim;

impl Shim for WasockShim {
    type Sandbox = sandbox::WasockSandbox;

    fn name() -> &'static str {
        "wasock"
    }

    fn version() -> Version {
        containerd_shim_wasm::shim::version!()
    }

    async fn compiler() -> Option<impl Compiler> {
        // Without an engine nothing runs anyway; the container start says why.
        sandbox::engine().ok().map(compiler::WasockCompiler)
    }

    fn supported_layers_types() -> &'static [&'static str] {
        &[
            "application/vnd.wasm.content.layer.v1+wasm",
            "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm",
            "application/wasm",
        ]
    }
}

fn main() {
    // containerd runs `SHIM ... start` in the container's bundle directory before creating it:
    // the one moment the annotations can be read (bundle.rs).
    let starting = std::env::args().next_back().as_deref() == Some("start");
    // Every shim process holds the node's key before runwasi forks the container's process
    // from it (seal.rs).
    let keyed = seal::load_key(starting);
    if let (Err(e), false) = (&keyed, starting) {
        // Containers then get no network; their stderr says so (sandbox.rs).
        eprintln!("wasock: {e:#}");
    }
    if starting {
        let prepared = keyed
            .and_then(|()| std::env::current_dir().map_err(anyhow::Error::from))
            .and_then(|dir| bundle::prepare(&dir));
        if let Err(e) = prepared {
            // containerd shows a failed start's output in the error it returns.
            eprintln!("wasock: {e:#}");
            std::process::exit(1);
        }
    }
    WasockShim::run(Config::default());
}

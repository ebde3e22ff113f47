//! Precompiling images' Wasm layers once per node: runwasi keeps the compiled code in
//! containerd's content store, labelled for this shim and [`Compiler::cache_key`], and hands it
//! back (marked precompiled) to every later container of the same image.

use anyhow::Result;
use containerd_shim_wasm::sandbox::context::WasmLayer;
use containerd_shim_wasm::shim::Compiler;
use std::hash::Hash;
use std::path::Path;

/// Compiles with the engine the containers run with ([`crate::sandbox::engine`]).
pub struct WasockCompiler(pub wasock::Engine);

impl Compiler for WasockCompiler {
    fn cache_key(&self) -> impl Hash {
        // A new shim or different engine settings compile again; wasmtime also refuses code
        // compiled for another engine when it loads it.
        let mut settings = std::collections::hash_map::DefaultHasher::new();
        self.0
            .wasmtime()
            .precompile_compatibility_hash()
            .hash(&mut settings);
        (
            env!("CARGO_PKG_VERSION"),
            std::hash::Hasher::finish(&settings),
        )
    }

    async fn compile(&self, layers: &[WasmLayer]) -> Result<Vec<Option<Vec<u8>>>> {
        layers
            .iter()
            .map(|layer| {
                if wasock::Engine::is_precompiled(&layer.layer) {
                    // Never passed through as trusted: the sandbox refuses it as source.
                    return Ok(None);
                }
                let name = Path::new(layer.config.digest().as_ref());
                Ok(Some(self.0.precompile(&layer.layer, name)?))
            })
            .collect()
    }
}

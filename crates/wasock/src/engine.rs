//! The wasmtime engine and module loading: `.wasm`, `.wat` and precompiled `.cwasm`.

use crate::cache::ModuleCache;
use crate::error::{one_line, Error, Result};
use std::path::Path;
use wasmtime::{Module, OptLevel, Precompiled};

/// Engine knobs an embedder or the CLI may set.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Maximum native stack for wasm code, bytes (iwasm's `--stack-size` maps here).
    pub max_wasm_stack: Option<usize>,
    /// Cache compiled modules in this directory (see [`ModuleCache::default_dir`]).
    pub cache_dir: Option<std::path::PathBuf>,
}

/// A configured compiler + runtime; cheap to clone, share one per process.
#[derive(Clone)]
pub struct Engine {
    inner: wasmtime::Engine,
    cache: Option<ModuleCache>,
}

/// wasmtime's default stack limit; smaller values from iwasm-style flags would only cause
/// spurious stack-overflow traps, since iwasm's number sizes an interpreter stack.
const MIN_WASM_STACK: usize = 512 * 1024;

impl Engine {
    /// Builds an engine: Cranelift at speed, threads and shared memory enabled.
    pub fn new(opts: &EngineOptions) -> Result<Self> {
        let mut cfg = wasmtime::Config::new();
        cfg.cranelift_opt_level(OptLevel::Speed)
            .wasm_threads(true)
            .shared_memory(true);
        if let Some(n) = opts.max_wasm_stack {
            cfg.max_wasm_stack(n.max(MIN_WASM_STACK));
        }
        let inner = wasmtime::Engine::new(&cfg).map_err(|e| Error::Engine(one_line(&e)))?;
        let cache = opts.cache_dir.clone().and_then(ModuleCache::open);
        Ok(Engine { inner, cache })
    }

    /// The wasmtime engine underneath.
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.inner
    }

    /// Loads a module file: binary, text, or a `.cwasm` made by [`Engine::precompile`].
    pub fn load_file(&self, path: &Path) -> Result<Module> {
        let bytes = std::fs::read(path).map_err(|source| Error::ReadModule {
            path: path.into(),
            source,
        })?;
        self.load_bytes(&bytes, path)
    }

    /// Loads a module from bytes; `name` is used in error messages.
    pub fn load_bytes(&self, bytes: &[u8], name: &Path) -> Result<Module> {
        let invalid = |reason: String| Error::InvalidModule {
            path: name.into(),
            reason,
        };
        match wasmtime::Engine::detect_precompiled(bytes) {
            Some(Precompiled::Module) => {
                // SAFETY: a .cwasm is native code and trusted like the wasock binary itself
                // (as iwasm trusts wamrc output); wasmtime still checks its header, engine
                // version and settings, and refuses mismatches.
                unsafe { Module::deserialize(&self.inner, bytes) }
                    .map_err(|e| invalid(one_line(&e)))
            }
            Some(Precompiled::Component) => Err(invalid(
                "components are not supported (preview1 modules only)".into(),
            )),
            None => {
                if !bytes.starts_with(b"\0asm") && !looks_like_wat(bytes) {
                    return Err(invalid(
                        "missing the \\0asm magic header (is this a .wasm file?)".into(),
                    ));
                }
                match &self.cache {
                    Some(cache) => cache.load_or_compile(&self.inner, bytes),
                    None => Module::new(&self.inner, bytes),
                }
                .map_err(|e| invalid(one_line(&e)))
            }
        }
    }

    /// Compiles a module ahead of time to `.cwasm` bytes (`wasock compile`).
    pub fn precompile(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        self.inner
            .precompile_module(bytes)
            .map_err(|e| Error::Engine(one_line(&e)))
    }
}

fn looks_like_wat(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .map(|s| s.trim_start().starts_with('(') || s.trim_start().starts_with(";;"))
        .unwrap_or(false)
}

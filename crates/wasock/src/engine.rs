//! The wasmtime engine and module loading: `.wasm`, `.wat` and precompiled `.cwasm`.

use crate::cache::ModuleCache;
use crate::error::{one_line, Error, Result};
use std::path::Path;
#[cfg(feature = "components")]
use wasmtime::component::Component;
use wasmtime::{Module, OptLevel, Precompiled};

/// Engine knobs an embedder or the CLI may set.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Maximum native stack for wasm code, bytes (iwasm's `--stack-size` maps here).
    pub max_wasm_stack: Option<usize>,
    /// Cache compiled modules in this directory (see [`ModuleCache::default_dir`]).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Code generation and memory settings; the defaults are the measured best.
    pub tuning: Tuning,
    /// Print no warnings (a damaged cache entry that was recompiled) on stderr (`-v=0`).
    pub quiet: bool,
}

/// Cranelift's optimisation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeOpt {
    /// No optimisation: fastest compile, slowest code.
    None,
    /// Optimise for speed (the default).
    #[default]
    Speed,
    /// Optimise for speed and code size.
    SpeedAndSize,
}

/// Settings that trade compile time, run time and memory; `bench/README.md` has the
/// measurements behind the defaults. `wasock --engine KEY=VALUE` sets them for experiments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Cranelift's optimisation level.
    pub opt: CodeOpt,
    /// Check every linear-memory access explicitly instead of relying on a 4 GiB reservation
    /// with guard pages (which needs no checks).
    pub explicit_bounds_checks: bool,
    /// Initialise linear memory copy-on-write from the module image instead of copying.
    pub memory_init_cow: bool,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            opt: CodeOpt::Speed,
            explicit_bounds_checks: false,
            memory_init_cow: true,
        }
    }
}

impl Tuning {
    /// Applies one `KEY=VALUE` setting (`opt-level=none|speed|size`,
    /// `bounds-checks=guard|explicit`, `memory-cow=on|off`).
    pub fn set(&mut self, setting: &str) -> std::result::Result<(), String> {
        let (key, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("`{setting}`: expected KEY=VALUE"))?;
        let bad = |choices: &str| format!("`{setting}`: {key} takes {choices}");
        match key {
            "opt-level" => {
                self.opt = match value {
                    "none" => CodeOpt::None,
                    "speed" => CodeOpt::Speed,
                    "size" => CodeOpt::SpeedAndSize,
                    _ => return Err(bad("none, speed or size")),
                }
            }
            "bounds-checks" => {
                self.explicit_bounds_checks = match value {
                    "guard" => false,
                    "explicit" => true,
                    _ => return Err(bad("guard or explicit")),
                }
            }
            "memory-cow" => {
                self.memory_init_cow = match value {
                    "on" => true,
                    "off" => false,
                    _ => return Err(bad("on or off")),
                }
            }
            _ => {
                return Err(format!(
                    "`{setting}`: unknown setting `{key}` (expected opt-level, bounds-checks or \
                     memory-cow)"
                ))
            }
        }
        Ok(())
    }
}

/// A loaded program: a core module (preview1) or a WASI 0.2 component.
pub enum Program {
    /// A core module, run by [`crate::run`].
    Module(Module),
    /// A component, run by [`crate::component::run`].
    #[cfg(feature = "components")]
    Component(Component),
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

/// The largest [`EngineOptions::max_wasm_stack`] accepted: 1 GiB, 2048 times the default.
/// Every thread running wasm reserves that much address space for its native stack.
pub const MAX_WASM_STACK: usize = 1 << 30;

/// Native stack a thread running wasm code needs beyond the wasm stack, for host calls
/// (the system resolver, wasmtime's trap handling) made at the deepest wasm frame.
const HOST_STACK: usize = 2 << 20;

/// The native stack a thread needs to run wasm code limited to `max_wasm_stack` bytes: at least
/// 4 MiB, else the wasm stack plus 2 MiB for host calls. wasmtime checks only the wasm limit;
/// a native stack smaller than that would overflow (a crash, not a trap) first.
pub fn native_stack_size(max_wasm_stack: usize) -> usize {
    (max_wasm_stack.saturating_add(HOST_STACK)).max(4 << 20)
}

impl Engine {
    /// Builds an engine: Cranelift at speed, threads and shared memory enabled.
    pub fn new(opts: &EngineOptions) -> Result<Self> {
        let mut cfg = wasmtime::Config::new();
        let t = opts.tuning;
        cfg.cranelift_opt_level(match t.opt {
            CodeOpt::None => OptLevel::None,
            CodeOpt::Speed => OptLevel::Speed,
            CodeOpt::SpeedAndSize => OptLevel::SpeedAndSize,
        })
        .memory_init_cow(t.memory_init_cow)
        .wasm_threads(true)
        .shared_memory(true)
        // Only traps pay: the dump lets stack.rs read `__stack_pointer` to name an overflow.
        .coredump_on_trap(true);
        if t.explicit_bounds_checks {
            // No reservation beyond the memory itself and no guard: every access is checked.
            cfg.memory_reservation(0)
                .memory_guard_size(0)
                .memory_reservation_for_growth(1 << 20);
        }
        if let Some(n) = opts.max_wasm_stack {
            if n > MAX_WASM_STACK {
                return Err(Error::Engine(format!(
                    "a wasm stack of {n} bytes is over the limit of {MAX_WASM_STACK} bytes (1 GiB)"
                )));
            }
            let n = n.max(MIN_WASM_STACK);
            // wasmtime requires async stacks (components run on them) to hold the wasm stack.
            cfg.max_wasm_stack(n).async_stack_size(native_stack_size(n));
        }
        let inner = wasmtime::Engine::new(&cfg).map_err(|e| Error::Engine(one_line(&e)))?;
        let cache = opts
            .cache_dir
            .clone()
            .and_then(ModuleCache::open)
            .map(|c| c.quiet(opts.quiet));
        Ok(Engine { inner, cache })
    }

    /// The wasmtime engine underneath.
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.inner
    }

    /// The native stack a thread needs to run this engine's wasm code (see
    /// [`native_stack_size`]).
    pub fn native_stack_size(&self) -> usize {
        native_stack_size(self.inner.get_max_wasm_stack())
    }

    /// Calls `f`, which runs wasm code, on this thread when its stack (`RLIMIT_STACK`) can
    /// hold [`Engine::native_stack_size`] (the default wasm stack), else on a new thread with
    /// a native stack that size: a native stack smaller than the wasm stack would crash
    /// instead of trapping. Fails only when that thread cannot be created.
    pub fn with_native_stack<T: Send>(&self, f: impl FnOnce() -> T + Send) -> std::io::Result<T> {
        let need = self.native_stack_size();
        let have = rustix::process::getrlimit(rustix::process::Resource::Stack).current;
        if have.is_none_or(|have| need as u64 <= have) {
            return Ok(f());
        }
        std::thread::scope(|s| {
            let thread = std::thread::Builder::new()
                .name("wasm-main".into())
                .stack_size(need)
                .spawn_scoped(s, f)?;
            Ok(thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })
    }

    /// Loads a module file: binary, text, or a `.cwasm` made by [`Engine::precompile`].
    pub fn load_file(&self, path: &Path) -> Result<Module> {
        let bytes = read_program(path)?;
        self.load_bytes(&bytes, path)
    }

    /// Loads a file that is a core module (as [`Engine::load_file`]) or a WASI 0.2 component
    /// (binary, or a `.cwasm` of one).
    pub fn load_program(&self, path: &Path) -> Result<Program> {
        let bytes = read_program(path)?;
        self.load_program_bytes(&bytes, path)
    }

    /// As [`Engine::load_program`], from bytes; `name` is used in error messages.
    pub fn load_program_bytes(&self, bytes: &[u8], name: &Path) -> Result<Program> {
        let path = name;
        if !is_component(bytes) {
            return self.load_bytes(bytes, path).map(Program::Module);
        }
        #[cfg(feature = "components")]
        return self
            .load_component_bytes(bytes, path)
            .map(Program::Component);
        #[cfg(not(feature = "components"))]
        Err(Error::InvalidModule {
            path: path.into(),
            reason: "it is a WASI 0.2 component (this wasock was built without the `components` \
                     feature)"
                .into(),
        })
    }

    /// Whether `bytes` are compiled code (a `.cwasm` of a module or component).
    pub fn is_precompiled(bytes: &[u8]) -> bool {
        wasmtime::Engine::detect_precompiled(bytes).is_some()
    }

    /// As [`Engine::load_program_bytes`], but only source (binary or text), never compiled
    /// code: for programs not trusted like the wasock binary, such as a container image's. A
    /// `.cwasm` is native code that would run outside the sandbox and its policy.
    pub fn load_program_source(&self, bytes: &[u8], name: &Path) -> Result<Program> {
        if Self::is_precompiled(bytes) {
            return Err(Error::InvalidModule {
                path: name.into(),
                reason: "it is compiled code (.cwasm), which is only run from a trusted source; \
                         ship the .wasm instead"
                    .into(),
            });
        }
        self.load_program_bytes(bytes, name)
    }

    /// Loads a component from bytes (binary or `.cwasm`); `name` is used in error messages.
    #[cfg(feature = "components")]
    pub fn load_component_bytes(&self, bytes: &[u8], name: &Path) -> Result<Component> {
        let invalid = |reason: String| Error::InvalidComponent {
            path: name.into(),
            reason,
        };
        if wasmtime::Engine::detect_precompiled(bytes) == Some(Precompiled::Component) {
            // SAFETY: as for a core module's .cwasm in `load_bytes`.
            return unsafe { Component::deserialize(&self.inner, bytes) }
                .map_err(|e| invalid(one_line(&e)));
        }
        match &self.cache {
            Some(cache) => cache.load_or_compile(&self.inner, bytes),
            None => Component::new(&self.inner, bytes),
        }
        .map_err(|e| invalid(one_line(&e)))
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
                "it is a component (load it with Engine::load_program)".into(),
            )),
            None => {
                check_source(bytes).map_err(invalid)?;
                match &self.cache {
                    Some(cache) => cache.load_or_compile(&self.inner, bytes),
                    None => Module::new(&self.inner, bytes),
                }
                .map_err(|e| invalid(one_line(&e)))
            }
        }
    }

    /// Compiles a module or component ahead of time to `.cwasm` bytes (`wasock compile`);
    /// `name` is used in error messages, which read as [`Engine::load_bytes`]'s.
    pub fn precompile(&self, bytes: &[u8], name: &Path) -> Result<Vec<u8>> {
        #[cfg(feature = "components")]
        if wasmparser::Parser::is_component(bytes) {
            return self
                .inner
                .precompile_component(bytes)
                .map_err(|e| Error::InvalidModule {
                    path: name.into(),
                    reason: one_line(&e),
                });
        }
        self.precompile_module(bytes, name)
    }

    /// Compiles a core module (binary or text) ahead of time to `.cwasm` bytes, as
    /// [`Engine::precompile`] but never a component (so a caller that uses only this does not
    /// link wasmtime's component compiler).
    pub fn precompile_module(&self, bytes: &[u8], name: &Path) -> Result<Vec<u8>> {
        let invalid = |reason: String| Error::InvalidModule {
            path: name.into(),
            reason,
        };
        if wasmtime::Engine::detect_precompiled(bytes).is_some() {
            return Err(invalid("it is already compiled (run it as it is)".into()));
        }
        check_source(bytes).map_err(invalid)?;
        self.inner
            .precompile_module(bytes)
            .map_err(|e| invalid(one_line(&e)))
    }
}

/// Refuses bytes that are neither a binary module nor module text, before wasmtime's text
/// parser would (its complaint, e.g. that the bytes are not UTF-8, does not name the problem).
fn check_source(bytes: &[u8]) -> std::result::Result<(), String> {
    if bytes.starts_with(b"\0asm") || looks_like_wat(bytes) {
        Ok(())
    } else {
        Err("missing the \\0asm magic header (is this a .wasm file?)".into())
    }
}

fn looks_like_wat(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .map(|s| s.trim_start().starts_with('(') || s.trim_start().starts_with(";;"))
        .unwrap_or(false)
}

/// Whether `bytes` are a WASI 0.2 component: binary, or a `.cwasm` of one (its header only).
pub fn is_component(bytes: &[u8]) -> bool {
    wasmparser::Parser::is_component(bytes)
        || wasmtime::Engine::detect_precompiled(bytes) == Some(Precompiled::Component)
}

/// A program file read whole, unless its first 8 bytes are a WASI 0.2 component binary's
/// header: then `None`, and the caller hands the file to whatever runs components without
/// reading the rest (a component is often megabytes: reading 2.4 MB costs 1.4 ms).
pub fn read_unless_component(path: &Path) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let failed = |source| Error::ReadModule {
        path: path.into(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(8)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if wasmparser::Parser::is_component(&bytes) {
        return Ok(None);
    }
    file.read_to_end(&mut bytes).map_err(failed)?;
    Ok(Some(bytes))
}

/// A module's or component's file, read whole (`ReadModule` naming the path on failure).
pub fn read_program(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::ReadModule {
        path: path.into(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuning_settings_parse_and_refuse_with_the_choices() {
        let mut t = Tuning::default();
        for s in ["opt-level=none", "bounds-checks=explicit", "memory-cow=off"] {
            t.set(s).unwrap();
        }
        assert_eq!(
            t,
            Tuning {
                opt: CodeOpt::None,
                explicit_bounds_checks: true,
                memory_init_cow: false,
            }
        );
        t.set("opt-level=size").unwrap();
        assert_eq!(t.opt, CodeOpt::SpeedAndSize);
        for (bad, want) in [
            ("opt-level", "expected KEY=VALUE"),
            ("opt-level=fast", "none, speed or size"),
            ("bounds-checks=off", "guard or explicit"),
            ("memory-cow=1", "on or off"),
            ("jit=on", "unknown setting `jit`"),
        ] {
            let err = t.set(bad).unwrap_err();
            assert!(err.contains(want), "{bad}: {err}");
        }
    }

    #[test]
    fn read_unless_component_stops_at_a_component_header() {
        let dir = std::env::temp_dir().join(format!("wasock-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let component = dir.join("c.wasm");
        std::fs::write(&component, b"\0asm\x0d\0\x01\0 and megabytes more").unwrap();
        assert_eq!(read_unless_component(&component).unwrap(), None);
        let module = dir.join("m.wasm");
        let bytes = b"\0asm\x01\0\0\0 sections".repeat(1000);
        std::fs::write(&module, &bytes).unwrap();
        assert_eq!(read_unless_component(&module).unwrap(), Some(bytes));
        let short = dir.join("s.wasm");
        std::fs::write(&short, b"\0as").unwrap();
        assert_eq!(
            read_unless_component(&short).unwrap(),
            Some(b"\0as".to_vec())
        );
        assert!(matches!(
            read_unless_component(&dir.join("absent.wasm")),
            Err(Error::ReadModule { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_tuning_builds_an_engine_that_runs_code() {
        let wat = br#"(module (memory 1) (func (export "f") (result i32)
            (i32.store (i32.const 8) (i32.const 41))
            (i32.add (i32.load (i32.const 8)) (i32.const 1))))"#;
        for opt in [CodeOpt::None, CodeOpt::Speed, CodeOpt::SpeedAndSize] {
            for explicit_bounds_checks in [false, true] {
                let tuning = Tuning {
                    opt,
                    explicit_bounds_checks,
                    memory_init_cow: !explicit_bounds_checks,
                };
                let e = Engine::new(&EngineOptions {
                    tuning,
                    ..Default::default()
                })
                .unwrap();
                let m = e.load_bytes(wat, Path::new("t.wat")).unwrap();
                let mut store = wasmtime::Store::new(e.wasmtime(), ());
                let i = wasmtime::Instance::new(&mut store, &m, &[]).unwrap();
                let f = i.get_typed_func::<(), i32>(&mut store, "f").unwrap();
                assert_eq!(f.call(&mut store, ()).unwrap(), 42, "{tuning:?}");
            }
        }
    }
}

//! Builds a Store + Linker for a module under a [`Config`] and runs it.

use crate::config::Config;
use crate::engine::Engine;
use crate::error::{one_line, Error, Result};
use crate::fd::{Entry, FdTable};
use crate::stack::StackLayout;
use crate::wasi::{proc::ExitCode, Host, Mem, WasiCtx};
use std::sync::Arc;
use wasmtime::{ExternType, Linker, Module, SharedMemory, Store, Val, ValType, WasmBacktrace};

/// Default cap on open fds per instance (the C SDK's `getrlimit(RLIMIT_NOFILE)` reports it:
/// `WASOCK_MAX_FDS` in sdk/c/src/compat/compat.c; a test keeps the two equal).
const DEFAULT_MAX_FDS: usize = 16384;

/// What to call once the module is instantiated.
#[derive(Debug, Clone, Default)]
pub enum Entrypoint {
    /// WASI's `_start` (a command module).
    #[default]
    Start,
    /// An exported function called with these arguments (iwasm's `-f`); results are returned.
    Function(String, Vec<String>),
}

/// How a run ended without an error.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The process exit status (`proc_exit` code, or 0 when `_start` returned).
    pub exit_code: i32,
    /// For [`Entrypoint::Function`]: results in iwasm's `value:type` notation.
    pub results: Vec<String>,
}

/// Builds the shared WASI state from a config (stdio at 0–2, preopens from 3 in order).
pub fn build_ctx(config: Config) -> Result<Arc<WasiCtx>> {
    let fds = FdTable::new(config.max_fds.unwrap_or(DEFAULT_MAX_FDS));
    for (i, src) in config.stdio.into_iter().enumerate() {
        let fd = src
            .open(i as i32)
            .map_err(|e| Error::Instantiate(format!("cannot set up stdio fd {i}: {e}")))?;
        fds.insert(Entry::stdio(fd))
            .map_err(|e| Error::Instantiate(e.to_string()))?;
    }
    for p in &config.preopens {
        let dir = cap_std::fs::Dir::open_ambient_dir(&p.host, cap_std::ambient_authority())
            .and_then(|dir| p.check_no_procfs().map(|()| dir))
            .map_err(|source| Error::Preopen {
                path: p.host.clone(),
                source,
            })?;
        fds.insert(Entry::preopen(dir, p.guest.clone()))
            .map_err(|e| Error::Instantiate(e.to_string()))?;
    }
    let trace = crate::trace::NetTrace::new(config.trace_net);
    Ok(Arc::new(WasiCtx {
        args: config.args.into_iter().map(String::into_bytes).collect(),
        env: config
            .env
            .into_iter()
            .map(|(k, v)| format!("{k}={v}").into_bytes())
            .collect(),
        fds,
        net: crate::net::guard::NetState::new(&config.policy, config.hosts_file),
        policy: config.policy,
        denials: crate::trace::DenialLog::new(),
        trace,
        epoll_min_fds: config
            .epoll_min_fds
            .unwrap_or(crate::wasi::poll::DEFAULT_EPOLL_MIN_FDS),
    }))
}

/// Creates the linker with every import wasock provides.
pub fn linker(engine: &Engine) -> Result<Linker<Host>> {
    linker_for(engine, None)
}

/// Creates the linker with the imports `module` uses (every import for `None`): registering
/// all ~100 host functions was the largest single cost of a start-up (bench/README.md).
pub fn linker_for(engine: &Engine, module: Option<&Module>) -> Result<Linker<Host>> {
    let mut linker = Linker::new(engine.wasmtime());
    let mut host = crate::link::HostLinker::new(&mut linker, module);
    let engine_err = |e: wasmtime::Error| Error::Engine(one_line(&e));
    crate::wasi::add_to_linker(&mut host).map_err(engine_err)?;
    crate::net::add_to_linker(&mut host).map_err(engine_err)?;
    crate::threads::add_to_linker(&mut host).map_err(engine_err)?;
    Ok(linker)
}

/// Runs a core module (as [`run`]) or a WASI 0.2 component (as [`crate::component::run`];
/// it has no entry point to choose: only [`Entrypoint::Start`], its `wasi:cli/run`).
pub fn run_program(
    engine: &Engine,
    program: &crate::engine::Program,
    config: Config,
    entry: Entrypoint,
) -> Result<Outcome> {
    match program {
        crate::engine::Program::Module(m) => run(engine, m, config, entry),
        #[cfg(feature = "components")]
        crate::engine::Program::Component(c) => match entry {
            Entrypoint::Start => crate::component::run(engine, c, config),
            Entrypoint::Function(..) => Err(Error::Entry(
                "-f/--function is for core modules: a component runs its wasi:cli/run export"
                    .into(),
            )),
        },
    }
}

/// Instantiates `module` under `config` and runs the entry point to completion.
pub fn run(engine: &Engine, module: &Module, config: Config, entry: Entrypoint) -> Result<Outcome> {
    let max_threads = config
        .max_threads
        .unwrap_or(crate::threads::DEFAULT_MAX_THREADS);
    let skip_teardown = config.skip_teardown;
    let module_file = config.module_file.clone();
    let ctx = build_ctx(config)?;
    let mut linker = linker_for(engine, Some(module))?;
    let mut store = Store::new(
        engine.wasmtime(),
        Host {
            ctx: ctx.clone(),
            memory: None,
            threads: None,
        },
    );
    let mut shared_memory = None;

    // Imported memory (wasi-threads modules import a shared `env.memory`).
    for imp in module.imports() {
        if let ExternType::Memory(ty) = imp.ty() {
            let mem = if ty.is_shared() {
                let shared = SharedMemory::new(engine.wasmtime(), ty.clone())
                    .map_err(|e| Error::Instantiate(one_line(&e)))?;
                store.data_mut().memory = Some(Mem::Shared(shared.clone()));
                shared_memory = Some(shared.clone());
                wasmtime::Extern::SharedMemory(shared)
            } else {
                let m = wasmtime::Memory::new(&mut store, ty.clone())
                    .map_err(|e| Error::Instantiate(one_line(&e)))?;
                store.data_mut().memory = Some(Mem::Plain(m));
                wasmtime::Extern::Memory(m)
            };
            linker
                .define(&store, imp.module(), imp.name(), mem)
                .map_err(|e| Error::Instantiate(one_line(&e)))?;
        }
    }
    // WAMR links what it can and traps only when a missing import is called; do the same, but
    // say which imports are missing up front.
    for imp in module.imports() {
        if matches!(imp.ty(), ExternType::Func(_))
            && linker.get(&mut store, imp.module(), imp.name()).is_err()
        {
            eprintln!(
                "wasock: warning: import {}::{} is not provided by wasock; calling it will trap",
                imp.module(),
                imp.name()
            );
        }
    }
    linker
        .define_unknown_imports_as_traps(module)
        .map_err(|e| Error::Instantiate(one_line(&e)))?;
    if let Some(memory) = shared_memory {
        let shared = crate::threads::ThreadShared::new(
            engine.wasmtime().clone(),
            module,
            &linker,
            memory,
            ctx,
            max_threads,
        )
        .map_err(|e| Error::Instantiate(one_line(&e)))?;
        store.data_mut().threads = Some(Arc::new(shared));
    }

    let instance = linker
        .instantiate(&mut store, module)
        .map_err(|e| as_trap(&e).unwrap_or_else(|| Error::Instantiate(one_line(&e))))?;
    if store.data().memory.is_none() {
        store.data_mut().memory = match instance.get_export(&mut store, "memory") {
            Some(wasmtime::Extern::Memory(m)) => Some(Mem::Plain(m)),
            Some(wasmtime::Extern::SharedMemory(s)) => Some(Mem::Shared(s)),
            _ => None,
        };
    }

    let outcome = match entry {
        Entrypoint::Start => {
            let start = instance
                .get_typed_func::<(), ()>(&mut store, "_start")
                .map_err(|_| {
                    Error::Entry(
                        "the module exports no `_start` function (call an export with -f NAME)"
                            .into(),
                    )
                })?;
            match start.call(&mut store, ()) {
                Ok(()) => Ok(Outcome {
                    exit_code: 0,
                    results: vec![],
                }),
                Err(e) => main_thread_trap(e, &mut store, module_file.as_deref()),
            }
        }
        Entrypoint::Function(name, args) => {
            let func = instance
                .get_func(&mut store, &name)
                .ok_or_else(|| Error::Entry(format!("the module exports no function `{name}`")))?;
            let ty = func.ty(&store);
            let params: Vec<ValType> = ty.params().collect();
            if params.len() != args.len() {
                return Err(Error::Entry(format!(
                    "function `{name}` takes {} argument(s), {} given",
                    params.len(),
                    args.len()
                )));
            }
            let vals = params
                .iter()
                .zip(&args)
                .map(|(t, a)| parse_val(t, a))
                .collect::<Result<Vec<_>>>()?;
            let mut results = vec![Val::I32(0); ty.results().len()];
            match func.call(&mut store, &vals, &mut results) {
                Ok(()) => Ok(Outcome {
                    exit_code: 0,
                    results: results.iter().map(show_val).collect(),
                }),
                Err(e) => main_thread_trap(e, &mut store, module_file.as_deref()),
            }
        }
    };
    if skip_teardown {
        // The caller exits next (Config::skip_teardown); the kernel reclaims all of it.
        std::mem::forget(store);
        std::mem::forget(linker);
    }
    outcome
}

fn parse_val(ty: &ValType, s: &str) -> Result<Val> {
    let bad = || Error::Entry(format!("cannot parse `{s}` as {ty}"));
    Ok(match ty {
        ValType::I32 => Val::I32(
            parse_int(s)
                .and_then(|v| {
                    i32::try_from(v)
                        .ok()
                        .or(u32::try_from(v).ok().map(|u| u as i32))
                })
                .ok_or_else(bad)?,
        ),
        ValType::I64 => Val::I64(
            parse_int(s)
                .and_then(|v| {
                    i64::try_from(v)
                        .ok()
                        .or(u64::try_from(v).ok().map(|u| u as i64))
                })
                .ok_or_else(bad)?,
        ),
        ValType::F32 => Val::F32(s.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ValType::F64 => Val::F64(s.parse::<f64>().map_err(|_| bad())?.to_bits()),
        _ => {
            return Err(Error::Entry(format!(
                "arguments of type {ty} are not supported by -f"
            )))
        }
    })
}

fn parse_int(s: &str) -> Option<i128> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => i128::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

fn show_val(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("0x{:x}:i32", *x as u32),
        Val::I64(x) => format!("0x{:x}:i64", *x as u64),
        Val::F32(x) => format!("{:.6}:f32", f32::from_bits(*x)),
        Val::F64(x) => format!("{:.6}:f64", f64::from_bits(*x)),
        other => format!("{other:?}"),
    }
}

/// As [`exit_or_trap`], naming an overflow of the main thread's linear-memory stack (a bare
/// out-of-bounds access otherwise, issue 19); the module's layout is read only for a trap.
fn main_thread_trap(
    e: wasmtime::Error,
    store: &mut Store<Host>,
    module_file: Option<&std::path::Path>,
) -> Result<Outcome> {
    let overflow = module_file
        .filter(|_| StackLayout::may_be_overflow(&e))
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|bytes| StackLayout::of(&bytes))
        .filter(|s| s.overflowed(&e, store));
    match (exit_or_trap(e), overflow) {
        (Err(Error::Trap { backtrace, .. }), Some(stack)) => Err(Error::Trap {
            message: stack.overflow_message(),
            backtrace,
        }),
        (other, _) => other,
    }
}

fn exit_or_trap(e: wasmtime::Error) -> Result<Outcome> {
    if let Some(ExitCode(code)) = e.downcast_ref::<ExitCode>() {
        return Ok(Outcome {
            exit_code: *code,
            results: vec![],
        });
    }
    Err(as_trap(&e).unwrap_or_else(|| Error::Trap {
        message: one_line(&e),
        backtrace: String::new(),
    }))
}

/// How a wasm call that failed ended: `proc_exit`, or a trap with its backtrace.
pub(crate) enum ExitCodeOrTrap {
    /// `proc_exit(code)`.
    Exit(i32),
    /// A trap: message and backtrace.
    Trap(String, String),
}

/// Classifies a failed call for code that must act on it directly (spawned threads).
pub(crate) fn format_trap(e: wasmtime::Error) -> ExitCodeOrTrap {
    match exit_or_trap(e) {
        Ok(o) => ExitCodeOrTrap::Exit(o.exit_code),
        Err(Error::Trap { message, backtrace }) => ExitCodeOrTrap::Trap(message, backtrace),
        Err(other) => ExitCodeOrTrap::Trap(other.to_string(), String::new()),
    }
}

/// The trap (reason + wasm backtrace) an error carries, if it is one.
pub(crate) fn as_trap(e: &wasmtime::Error) -> Option<Error> {
    let backtrace = e.downcast_ref::<WasmBacktrace>().map(format_backtrace);
    if let Some(trap) = e.downcast_ref::<wasmtime::Trap>() {
        let message = trap.to_string();
        let message = message
            .strip_prefix("wasm trap: ")
            .unwrap_or(&message)
            .to_string();
        return Some(Error::Trap {
            message,
            backtrace: backtrace.unwrap_or_default(),
        });
    }
    // A host function's error raised inside wasm also carries a backtrace.
    backtrace.map(|backtrace| Error::Trap {
        message: e.root_cause().to_string(),
        backtrace,
    })
}

/// One line per frame: `  0: 0x5711 - app.wasm!main`.
fn format_backtrace(bt: &WasmBacktrace) -> String {
    let mut out = String::new();
    for (i, f) in bt.frames().iter().enumerate() {
        let module = f.module().name().unwrap_or("<module>");
        let func = f.func_name().map_or_else(
            || format!("<func {}>", f.func_index()),
            |n| format!("{:#}", rustc_demangle::demangle(n)),
        );
        let offset = f
            .module_offset()
            .map_or_else(|| "?".to_string(), |o| format!("{o:#x}"));
        out.push_str(&format!("  {i:>2}: {offset:>8} - {module}!{func}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    /// The C SDK's `getrlimit(RLIMIT_NOFILE)` reports the CLI's fd cap, so the two must agree.
    #[test]
    fn sdk_reports_the_default_fd_cap() {
        let compat = include_str!("../../../sdk/c/src/compat/compat.c");
        let want = format!("#define WASOCK_MAX_FDS {}\n", super::DEFAULT_MAX_FDS);
        assert!(compat.contains(&want), "compat.c lacks `{}`", want.trim());
    }
}

//! wasi-threads: `wasi::thread-spawn` runs `wasi_thread_start(tid, arg)` on a new OS thread,
//! in a new Store instantiating the same module over the same shared memory and WASI context.
//!
//! As in wasmtime's wasi-threads, `proc_exit` or a trap in a spawned thread ends the whole
//! process (status = the exit code, or 134 after printing the trap); the main thread returning
//! ends the run even while other threads are blocked (the CLI then exits the process).

use crate::instance::{format_trap, ExitCodeOrTrap};
use crate::link::HostLinker;
use crate::wasi::{Host, Mem, WasiCtx};
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::Arc;
use wasmtime::{Caller, Engine, Linker, Module, SharedMemory, Store};

/// Highest thread id the proposal allows.
const MAX_TID: i32 = 0x1FFF_FFFF;
/// Default cap on live spawned threads when `--max-threads` is not given.
pub const DEFAULT_MAX_THREADS: u32 = 1024;

/// What every thread of one instance shares.
pub struct ThreadShared {
    engine: Engine,
    module: Module,
    linker: Linker<Host>,
    memory: SharedMemory,
    ctx: Arc<WasiCtx>,
    next_tid: AtomicI32,
    live: AtomicU32,
    max: u32,
}

impl ThreadShared {
    /// Shared state for the threads of one run.
    pub fn new(
        engine: Engine,
        module: Module,
        linker: Linker<Host>,
        memory: SharedMemory,
        ctx: Arc<WasiCtx>,
        max: u32,
    ) -> Self {
        ThreadShared {
            engine,
            module,
            linker,
            memory,
            ctx,
            next_tid: AtomicI32::new(1),
            live: AtomicU32::new(0),
            max,
        }
    }
}

/// Whether a module is a wasi-threads module (imports `wasi::thread-spawn`).
pub fn wants_threads(module: &Module) -> bool {
    module
        .imports()
        .any(|i| i.module() == "wasi" && i.name() == "thread-spawn")
}

/// Registers `wasi::thread-spawn`.
pub fn add_to_linker(linker: &mut HostLinker<'_, '_>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "wasi",
        "thread-spawn",
        |caller: Caller<'_, Host>, arg: i32| -> i32 {
            match &caller.data().threads {
                Some(shared) => spawn(shared.clone(), arg),
                // A non-shared-memory module cannot run threads.
                None => -(crate::abi::Errno::NotSup as i32),
            }
        },
    )?;
    Ok(())
}

/// Starts one thread; returns its tid, or a negative errno (`EAGAIN` over the cap).
fn spawn(shared: Arc<ThreadShared>, arg: i32) -> i32 {
    let again = -(crate::abi::Errno::Again as i32);
    if shared.live.fetch_add(1, Ordering::SeqCst) >= shared.max {
        shared.live.fetch_sub(1, Ordering::SeqCst);
        return again;
    }
    let tid = shared.next_tid.fetch_add(1, Ordering::SeqCst);
    if tid > MAX_TID {
        shared.live.fetch_sub(1, Ordering::SeqCst);
        return again;
    }
    let s = shared.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("wasm-thread-{tid}"))
        // Room for the engine's wasm stack (`--stack-size`) plus host calls.
        .stack_size(crate::engine::native_stack_size(
            shared.engine.get_max_wasm_stack(),
        ))
        .spawn(move || {
            let outcome = run_thread(&s, tid, arg);
            s.live.fetch_sub(1, Ordering::SeqCst);
            match outcome {
                Ok(()) => {}
                Err(ExitCodeOrTrap::Exit(code)) => std::process::exit(code),
                Err(ExitCodeOrTrap::Trap(message, backtrace)) => {
                    eprintln!("wasock: trap in thread {tid}: {message}");
                    eprint!("{backtrace}");
                    std::process::exit(134);
                }
            }
        });
    match spawned {
        Ok(_) => tid,
        Err(_) => {
            shared.live.fetch_sub(1, Ordering::SeqCst);
            again
        }
    }
}

fn run_thread(shared: &Arc<ThreadShared>, tid: i32, arg: i32) -> Result<(), ExitCodeOrTrap> {
    let host = Host {
        ctx: shared.ctx.clone(),
        memory: Some(Mem::Shared(shared.memory.clone())),
        threads: Some(shared.clone()),
    };
    let mut store = Store::new(&shared.engine, host);
    let instance = shared
        .linker
        .instantiate(&mut store, &shared.module)
        .map_err(format_trap)?;
    let start = instance
        .get_typed_func::<(i32, i32), ()>(&mut store, "wasi_thread_start")
        .map_err(|_| {
            ExitCodeOrTrap::Trap(
                "the module exports no `wasi_thread_start(i32, i32)`".into(),
                String::new(),
            )
        })?;
    start.call(&mut store, (tid, arg)).map_err(format_trap)
}

//! wasi-threads: `wasi::thread-spawn` runs `wasi_thread_start(tid, arg)` on a new OS thread,
//! in a new Store instantiating the same module over the same shared memory and WASI context.
//!
//! As in wasmtime's wasi-threads, `proc_exit` or a trap in a spawned thread ends the whole
//! process (status = the exit code, or 134 after printing the trap; 101 for a wasock panic, as
//! on the main thread); the main thread returning
//! ends the run even while other threads are blocked (the CLI then exits the process).
//!
//! A spawn is costly next to a native `pthread_create` (a thread-per-connection server pays it
//! per client): an OS thread with a stack for the whole wasm stack, a Store and an instance.
//! So imports are resolved once (`InstancePre`), and an OS thread whose guest thread returned
//! waits a while ([`IDLE_WAIT`]) to run the next spawn instead of exiting.

use crate::instance::{format_trap, ExitCodeOrTrap};
use crate::link::HostLinker;
use crate::wasi::{Host, Mem, WasiCtx};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use wasmtime::{Caller, Engine, InstancePre, Linker, Module, SharedMemory, Store};

/// Highest thread id the proposal allows.
const MAX_TID: i32 = 0x1FFF_FFFF;
/// Default cap on live spawned threads when `--max-threads` is not given.
pub const DEFAULT_MAX_THREADS: u32 = 1024;

/// How long an OS thread whose guest thread returned waits for the next spawn before exiting.
const IDLE_WAIT: Duration = Duration::from_secs(5);
/// Most OS threads kept waiting at once; more exit when their guest thread returns.
const MAX_IDLE: usize = 64;

/// What every thread of one instance shares.
pub struct ThreadShared {
    engine: Engine,
    /// The module with its imports resolved once, for every spawn.
    pre: InstancePre<Host>,
    memory: SharedMemory,
    ctx: Arc<WasiCtx>,
    next_tid: AtomicI32,
    live: AtomicU32,
    max: u32,
    idle: Arc<IdleThreads>,
}

/// A guest thread to start: `wasi_thread_start(tid, arg)`.
struct Job {
    shared: Arc<ThreadShared>,
    tid: i32,
    arg: i32,
}

/// OS threads waiting for a job, and the jobs handed to them.
#[derive(Default)]
struct IdleThreads {
    state: Mutex<IdleState>,
    wake: Condvar,
}

#[derive(Default)]
struct IdleState {
    /// Threads waiting (including those a queued job is already meant for).
    waiting: usize,
    /// Jobs not yet taken; never more than `waiting`, so each has a thread to take it.
    jobs: VecDeque<Job>,
}

impl IdleThreads {
    // A panic while holding the lock cannot leave the counts inconsistent, so poison is ignored.
    fn lock(&self) -> std::sync::MutexGuard<'_, IdleState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands `job` to a waiting thread; gives it back when none is free.
    fn offer(&self, job: Job) -> Result<(), Job> {
        let mut st = self.lock();
        if st.waiting > st.jobs.len() {
            st.jobs.push_back(job);
            drop(st);
            self.wake.notify_one();
            Ok(())
        } else {
            Err(job)
        }
    }

    /// Waits up to [`IDLE_WAIT`] for a job; `None` means the calling thread should exit.
    fn next(&self) -> Option<Job> {
        let mut st = self.lock();
        if st.waiting >= MAX_IDLE {
            return None;
        }
        st.waiting += 1;
        let deadline = std::time::Instant::now() + IDLE_WAIT;
        loop {
            if let Some(job) = st.jobs.pop_front() {
                st.waiting -= 1;
                return Some(job);
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                // No job is queued (checked under the lock), so none is owed to this thread.
                st.waiting -= 1;
                return None;
            }
            st = self
                .wake
                .wait_timeout(st, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl ThreadShared {
    /// Shared state for the threads of one run.
    ///
    /// Fails when `linker` lacks one of the module's imports.
    pub fn new(
        engine: Engine,
        module: &Module,
        linker: &Linker<Host>,
        memory: SharedMemory,
        ctx: Arc<WasiCtx>,
        max: u32,
    ) -> wasmtime::Result<Self> {
        Ok(ThreadShared {
            engine,
            pre: linker.instantiate_pre(module)?,
            memory,
            ctx,
            next_tid: AtomicI32::new(1),
            live: AtomicU32::new(0),
            max,
            idle: Arc::default(),
        })
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
    let idle = shared.idle.clone();
    let job = match idle.offer(Job { shared, tid, arg }) {
        Ok(()) => return tid,
        Err(job) => job,
    };
    let stack = crate::engine::native_stack_size(job.shared.engine.get_max_wasm_stack());
    let shared = job.shared.clone();
    let spawned = std::thread::Builder::new()
        .name("wasm-thread".into())
        // Room for the engine's wasm stack (`--stack-size`) plus host calls.
        .stack_size(stack)
        .spawn(move || {
            let mut job = Some(job);
            while let Some(Job { shared, tid, arg }) = job.take() {
                run_job(shared, tid, arg);
                job = idle.next();
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

/// Runs one guest thread to its end; `proc_exit`, a trap or a panic there ends the process.
fn run_job(shared: Arc<ThreadShared>, tid: i32, arg: i32) {
    // A panic (a wasock bug, whose message the panic hook has printed) must end the run as it
    // does on the main thread: caught here, the other guest threads would wait for this one
    // forever, and its `--max-threads` slot would never come back.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_thread(&shared, tid, arg)
    }));
    shared.live.fetch_sub(1, Ordering::SeqCst);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(ExitCodeOrTrap::Exit(code))) => std::process::exit(code),
        Ok(Err(ExitCodeOrTrap::Trap(message, backtrace))) => {
            eprintln!("wasock: trap in thread {tid}: {message}");
            eprint!("{backtrace}");
            std::process::exit(134);
        }
        Err(_) => {
            eprintln!("wasock: internal error in thread {tid} (a wasock bug: please report it)");
            std::process::exit(PANIC_EXIT);
        }
    }
}

/// The status a panic ends the process with: Rust's own for a panicking `main`.
const PANIC_EXIT: i32 = 101;

fn run_thread(shared: &Arc<ThreadShared>, tid: i32, arg: i32) -> Result<(), ExitCodeOrTrap> {
    let host = Host {
        ctx: shared.ctx.clone(),
        memory: Some(Mem::Shared(shared.memory.clone())),
        threads: Some(shared.clone()),
    };
    let mut store = Store::new(&shared.engine, host);
    let instance = shared.pre.instantiate(&mut store).map_err(format_trap)?;
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

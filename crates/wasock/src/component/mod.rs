//! WASI 0.2 components: wasmtime-wasi's own implementation of `wasi:cli`, `wasi:filesystem`,
//! `wasi:clocks`, `wasi:random` and `wasi:sockets`, under wasock's network policy.
//!
//! Nothing here is on a core module's path: [`crate::Engine::load_program`] tells the two
//! apart by the binary's header, and core modules run through [`crate::run`] as before.

mod ctx;
mod policy;
mod poll;
mod quota;
mod sockets;
mod tcp;
mod tcp_stream;

pub use ctx::ComponentHost;

use crate::config::Config;
use crate::engine::Engine;
use crate::error::{one_line, Error, Result};
use crate::instance::Outcome;
use wasmtime::component::{Component, Linker};
use wasmtime::Store;
use wasmtime_wasi::p2::bindings::CommandPre;

/// The linker for components: wasmtime-wasi's WASI 0.2 (`wasi:cli/command` world; its async
/// bindings, as the guest waits inside a runtime on its own thread, see [`run`]), with the
/// policy wrappers of `sockets.rs` in place of the functions they shadow, wasock's own TCP
/// (`tcp.rs`), the runtime turns of `poll.rs`, and for a socket cap (`max_sockets`) the
/// counting UDP functions of `quota.rs`.
pub fn linker(engine: &Engine, max_sockets: bool) -> Result<Linker<ComponentHost>> {
    let engine_err = |e: wasmtime::Error| Error::Engine(one_line(&e));
    let mut linker = Linker::new(engine.wasmtime());
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(engine_err)?;
    sockets::add_to_linker(&mut linker).map_err(engine_err)?;
    tcp::add_to_linker(&mut linker, sockets::WASI_VERSION).map_err(engine_err)?;
    poll::add_to_linker(&mut linker, sockets::WASI_VERSION).map_err(engine_err)?;
    if max_sockets {
        quota::add_to_linker(&mut linker, sockets::WASI_VERSION).map_err(engine_err)?;
    }
    Ok(linker)
}

/// Instantiates `component` (a `wasi:cli/command`) under `config` and runs it to completion.
/// `config`'s wasi-threads, fd and epoll settings do not apply to components.
pub fn run(engine: &Engine, component: &Component, config: Config) -> Result<Outcome> {
    let skip_teardown = config.skip_teardown;
    let host = ctx::build(config)?;
    let linker = linker(engine, host.guard.max_sockets().is_some())?;
    let mut store = Store::new(engine.wasmtime(), host);
    // The guest runs on this thread inside a current-thread runtime, whose reactor this thread
    // drives while the guest waits: no other thread is woken for each readiness.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Engine(format!("tokio runtime: {e}")))?;
    // Unconstrained: tokio's cooperative budget is for fairness between tasks; counted against
    // the guest's one long future it ran out, and readiness then read "not ready" until the
    // guest waited, which a guest polling check-write never did (a busy loop).
    let pre = runnable(engine, component, &linker)?;
    let exit_code: Result<i32> = runtime.block_on(tokio::task::unconstrained(async {
        let command = pre.instantiate_async(&mut store).await.map_err(|e| {
            crate::instance::as_trap(&e).unwrap_or_else(|| Error::Instantiate(one_line(&e)))
        })?;
        match command.wasi_cli_run().call_run(&mut store).await {
            Ok(Ok(())) => Ok(0),
            // `run` returned `err`: the guest's `main` failed (Rust's std exits with 1 then).
            Ok(Err(())) => Ok(1),
            Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
                Some(exit) => Ok(exit.0),
                None => Err(crate::instance::as_trap(&e).unwrap_or_else(|| Error::Trap {
                    message: one_line(&e),
                    backtrace: String::new(),
                })),
            },
        }
    }));
    if skip_teardown {
        // The caller exits next (Config::skip_teardown).
        std::mem::forget(store);
        std::mem::forget(linker);
        std::mem::forget(runtime);
    }
    exit_code.map(|exit_code| Outcome {
        exit_code,
        results: vec![],
    })
}

/// `component` linked, once: it must import nothing but the WASI 0.2 interfaces `linker`
/// provides, and export `wasi:cli/run`. The errors say which failed, and what to do.
fn runnable(
    engine: &Engine,
    component: &Component,
    linker: &Linker<ComponentHost>,
) -> Result<CommandPre<ComponentHost>> {
    let pre = linker.instantiate_pre(component).map_err(|e| {
        // wasmtime names the first import it cannot satisfy.
        let why = one_line(&e);
        let what = if why.contains("wasi:http/") {
            "wasock does not provide wasi:http (programs that use it, and wasi:http proxies, \
             cannot run under it)"
        } else {
            "wasock provides WASI 0.2's wasi:cli, wasi:io, wasi:clocks, wasi:random, \
             wasi:filesystem and wasi:sockets"
        };
        Error::Component(format!("cannot run the component: {why}; {what}"))
    })?;
    let exports_run = component
        .component_type()
        .exports(engine.wasmtime())
        .any(|(name, _)| name.starts_with("wasi:cli/run@0.2."));
    if !exports_run {
        return Err(Error::Component(
            "the component exports no `wasi:cli/run@0.2`: it is not a command (a library?); \
             build a program with a `main`, e.g. a binary crate with \
             `cargo build --target wasm32-wasip2`"
                .into(),
        ));
    }
    CommandPre::new(pre).map_err(|e| Error::Instantiate(one_line(&e)))
}

//! wasock: a WebAssembly runtime that gives WASI preview1 programs real Berkeley sockets
//! (WAMR's socket ABI) under a capability policy.
//!
//! Embedding in one call:
//! ```no_run
//! let engine = wasock::Engine::new(&Default::default())?;
//! let module = engine.load_file("app.wasm".as_ref())?;
//! let mut config = wasock::Config::new();
//! config.arg("app.wasm");
//! let outcome = wasock::run(&engine, &module, config, wasock::Entrypoint::Start)?;
//! std::process::exit(outcome.exit_code);
//! # Ok::<(), wasock::Error>(())
//! ```

pub mod abi;
pub mod cache;
#[cfg(feature = "components")]
pub mod component;
pub mod config;
pub mod engine;
pub mod error;
pub mod fd;
pub mod instance;
pub mod link;
pub mod net;
pub mod policy;
pub mod stack;
pub mod threads;
pub mod trace;
pub mod wasi;

pub use abi::Errno;
pub use config::Config;
pub use engine::{CodeOpt, Engine, EngineOptions, Program, Tuning};
pub use error::{Error, Result};
pub use instance::{run, run_program, Entrypoint, Outcome};
pub use policy::Policy;
pub use wasi::StdioSource;

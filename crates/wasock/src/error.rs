//! The library's error type: every variant renders as one line naming the cause.

use std::path::PathBuf;

/// Why wasock could not load or run a module.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The module file could not be read.
    #[error("cannot read {path}: {source}")]
    ReadModule {
        /// The path given.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a module wasock can compile.
    #[error("{path}: not a valid WebAssembly module: {reason}")]
    InvalidModule {
        /// The path given (or `<bytes>`).
        path: PathBuf,
        /// What the validator said.
        reason: String,
    },
    /// The bytes are a component header, but not a component wasock can compile.
    #[error("{path}: not a valid WebAssembly component: {reason}")]
    InvalidComponent {
        /// The path given.
        path: PathBuf,
        /// What the validator said.
        reason: String,
    },
    /// A component that cannot run as a command: it exports no `wasi:cli/run`, or imports an
    /// interface wasock does not provide.
    #[error("{0}")]
    Component(String),
    /// A `--dir`/`--map-dir` directory could not be opened.
    #[error("cannot preopen directory {path}: {source} (check the --dir/--map-dir value)")]
    Preopen {
        /// The host path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Linking or instantiation failed.
    #[error("cannot instantiate the module: {0}")]
    Instantiate(String),
    /// The entry point to call does not exist or has the wrong type.
    #[error("{0}")]
    Entry(String),
    /// The guest trapped.
    #[error("trap: {message}")]
    Trap {
        /// The trap reason.
        message: String,
        /// The wasm backtrace, one frame per line (may be empty).
        backtrace: String,
    },
    /// Engine set-up or AOT compilation failed.
    #[error("engine: {0}")]
    Engine(String),
    /// A network policy value was invalid.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
}

/// `Result` with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Renders a wasmtime error chain on one line (wasmtime's own Display is multi-line).
pub(crate) fn one_line(e: &wasmtime::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        let s = s.lines().next().unwrap_or("").trim().to_string();
        if !s.is_empty() && !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

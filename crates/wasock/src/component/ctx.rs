//! The store state of a component: wasmtime-wasi's context built from a wasock [`Config`],
//! with the policy installed as its socket address check.

use super::policy::Guard;
use super::sockets::Lookup;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::wasi::StdioSource;
use std::collections::HashMap;
use std::sync::Arc;
use wasmtime_wasi::cli::{InputFile, OutputFile};
use wasmtime_wasi::{FsPerms, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// What a component's store holds.
pub struct ComponentHost {
    table: ResourceTable,
    wasi: WasiCtx,
    /// The policy, shared with wasmtime-wasi's address check.
    pub(crate) guard: Arc<Guard>,
    /// Lookups of pinned names in progress, by stream resource index.
    pub(crate) lookups: HashMap<u32, Lookup>,
    /// The peer of each outgoing datagram stream of a connected UDP socket, by stream index.
    pub(crate) connected: HashMap<u32, std::net::SocketAddr>,
    /// Sockets open (TCP ones always; UDP ones under a `--max-sockets` cap, see `quota`).
    pub(crate) open_sockets: usize,
}

impl ComponentHost {
    /// The resource table (wasock's own TCP sockets live in it beside wasmtime-wasi's).
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

impl WasiView for ComponentHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Builds the store state: arguments, environment, stdio, preopens, and the network under
/// `config`'s policy (TCP, UDP and name lookup are on; the policy decides every use).
pub fn build(config: Config) -> Result<ComponentHost> {
    let mut b = WasiCtxBuilder::new();
    b.args(&config.args);
    for (k, v) in &config.env {
        b.env(k, v);
    }
    let [stdin, stdout, stderr] = config.stdio;
    match stdin {
        StdioSource::Inherit => {
            b.inherit_stdin();
        }
        // wasmtime-wasi's default stdin is empty, its default stdout and stderr discard.
        StdioSource::Null => {}
        StdioSource::Fd(fd) => {
            b.stdin(InputFile::new(std::fs::File::from(fd)));
        }
    }
    match stdout {
        StdioSource::Inherit => {
            b.inherit_stdout();
        }
        StdioSource::Null => {}
        StdioSource::Fd(fd) => {
            b.stdout(OutputFile::new(std::fs::File::from(fd)));
        }
    }
    match stderr {
        StdioSource::Inherit => {
            b.inherit_stderr();
        }
        StdioSource::Null => {}
        StdioSource::Fd(fd) => {
            b.stderr(OutputFile::new(std::fs::File::from(fd)));
        }
    }
    for p in &config.preopens {
        p.check_no_procfs().map_err(|source| Error::Preopen {
            path: p.host.clone(),
            source,
        })?;
        b.preopened_dir(&p.host, &p.guest, FsPerms::ReadWrite)
            .map_err(|e| Error::Preopen {
                path: p.host.clone(),
                source: e
                    .downcast::<std::io::Error>()
                    .unwrap_or_else(|e| std::io::Error::other(crate::error::one_line(&e))),
            })?;
    }
    let guard = Arc::new(Guard::new(
        config.policy,
        crate::trace::NetTrace::new(config.trace_net),
    ));
    let check = guard.clone();
    // File operations run on the guest's thread: it has nothing else to do while one runs, and
    // a worker thread per operation would cost a hand-over each way.
    b.allow_blocking_current_thread(true);
    b.allow_tcp(true)
        .allow_udp(true)
        .allow_ip_name_lookup(true)
        .socket_addr_check(move |addr, use_| {
            // Called where wasmtime-wasi polls its future: for start-bind and stream, on the
            // guest's thread, inside the wrapper that set policy::Call.
            let ok = check.allows(addr, use_);
            Box::pin(async move { ok })
        });
    Ok(ComponentHost {
        table: ResourceTable::new(),
        wasi: b.build(),
        guard,
        lookups: HashMap::new(),
        connected: HashMap::new(),
        open_sockets: 0,
    })
}

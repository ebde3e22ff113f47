//! Diagnostics on stderr: each distinct policy denial once, and `--trace-net` call logging.

use crate::policy::Denial;
use std::collections::HashSet;
use std::io::Write;
use std::sync::Mutex;

/// Prints each distinct denial once (per instance, across its threads).
#[derive(Debug, Default)]
pub struct DenialLog {
    seen: Mutex<HashSet<Denial>>,
}

impl DenialLog {
    /// A log that has printed nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `wasock: <denial>` to stderr the first time this denial occurs.
    pub fn report(&self, denial: &Denial) {
        self.report_to(denial, &mut std::io::stderr());
    }

    /// As [`DenialLog::report`], to any sink; returns whether a line was written.
    pub fn report_to(&self, denial: &Denial, sink: &mut dyn Write) -> bool {
        let first = self
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(denial.clone());
        if first {
            let _ = writeln!(sink, "wasock: {denial}");
        }
        first
    }
}

/// `--trace-net`: one stderr line per socket call with its result.
#[derive(Debug)]
pub struct NetTrace {
    enabled: bool,
}

impl NetTrace {
    /// Tracing on or off.
    pub fn new(enabled: bool) -> Self {
        NetTrace { enabled }
    }

    /// Whether calls are logged (callers skip formatting otherwise).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Logs `wasock: trace: <op><detail> -> <result>`.
    pub fn log(&self, op: &str, detail: std::fmt::Arguments<'_>, result: &str) {
        if self.enabled {
            eprintln!("wasock: trace: {op}{detail} -> {result}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Op;

    #[test]
    fn each_denial_is_reported_once() {
        let log = DenialLog::new();
        let d = Denial::Addr {
            op: Op::Connect,
            addr: "127.0.0.2:80".parse().unwrap(),
            port_only: false,
        };
        let other = Denial::Addr {
            op: Op::Bind,
            addr: "127.0.0.2:80".parse().unwrap(),
            port_only: false,
        };
        let mut out = Vec::new();
        assert!(log.report_to(&d, &mut out));
        assert!(!log.report_to(&d, &mut out));
        assert!(log.report_to(&other, &mut out));
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with("wasock: denied connect to 127.0.0.2:80: not in --addr-pool"));
    }
}

//! Diagnostics on stderr: each distinct policy denial once, and `--trace-net` call logging.
//!
//! Writes go through `write_all` of one preformatted line (never `eprintln!`): a closed stderr
//! must not panic the host, and lines from concurrent guest threads must not interleave.

use crate::policy::{printable, Denial};
use std::collections::HashSet;
use std::io::Write;
use std::sync::Mutex;

/// How many distinct denials are reported before the log goes quiet. A guest scanning ports
/// would otherwise grow the set, and stderr, without bound.
pub const MAX_REPORTED_DENIALS: usize = 1000;

/// What has been reported so far.
#[derive(Debug, Default)]
struct Seen {
    keys: HashSet<String>,
    /// The "no further denials" notice has been printed.
    capped: bool,
}

/// Prints each distinct denial once per instance (shared by its threads).
#[derive(Debug, Default)]
pub struct DenialLog {
    seen: Mutex<Seen>,
}

impl DenialLog {
    /// A log that has printed nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `wasock: <denial>` to stderr the first time this (operation, address) or name
    /// is denied.
    pub fn report(&self, denial: &Denial) {
        self.report_to(denial, &mut std::io::stderr());
    }

    /// As [`DenialLog::report`], to any sink; returns whether a line was written.
    pub fn report_to(&self, denial: &Denial, sink: &mut dyn Write) -> bool {
        self.once_to(denial.key(), denial, sink)
    }

    /// Writes `wasock: <line>` to stderr the first time `key` is seen (quota notices and the
    /// like share the denials' once-only bookkeeping and cap).
    pub fn notice(&self, key: &str, line: &dyn std::fmt::Display) {
        self.once_to(format!("notice {key}"), line, &mut std::io::stderr());
    }

    fn once_to(&self, key: String, line: &dyn std::fmt::Display, sink: &mut dyn Write) -> bool {
        let line = {
            // A panic elsewhere while holding the lock leaves the set intact: keep using it.
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.keys.contains(&key) {
                return false;
            }
            if seen.keys.len() >= MAX_REPORTED_DENIALS {
                if seen.capped {
                    return false;
                }
                seen.capped = true;
                format!(
                    "wasock: {MAX_REPORTED_DENIALS} distinct network denials reported; \
                     further denials are not shown (they still fail with EACCES)\n"
                )
            } else {
                seen.keys.insert(key);
                format!("wasock: {line}\n")
            }
        };
        // Written after the lock is released: a slow stderr must not stall other threads.
        // A failed diagnostic write is not the guest's problem: ignore it.
        let _ = sink.write_all(line.as_bytes());
        true
    }
}

/// `--trace-net`: one stderr line per socket call with its result.
#[derive(Debug, Clone, Copy, Default)]
pub struct NetTrace {
    enabled: bool,
}

impl NetTrace {
    /// Tracing on or off.
    pub fn new(enabled: bool) -> Self {
        NetTrace { enabled }
    }

    /// Whether calls are logged (callers skip formatting arguments otherwise).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Logs `wasock: trace: <op><detail> -> <result>` to stderr when enabled.
    ///
    /// `detail` follows `op` directly, so callers choose the separator (e.g. `(fd=3, …)`).
    pub fn log(&self, op: &str, detail: std::fmt::Arguments<'_>, result: &str) {
        self.log_to(&mut std::io::stderr(), op, detail, result);
    }

    /// As [`NetTrace::log`], to any sink.
    pub fn log_to(
        &self,
        sink: &mut dyn Write,
        op: &str,
        detail: std::fmt::Arguments<'_>,
        result: &str,
    ) {
        if !self.enabled {
            return;
        }
        // Details can carry guest strings (host names): escape and bound them so one call is
        // one line of bounded length, with its result always shown.
        let detail = detail.to_string();
        let line = format!(
            "wasock: trace: {}{} -> {}\n",
            printable(op),
            printable(&detail),
            printable(result)
        );
        let _ = sink.write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{DnsPins, Op, Policy, Proto};

    fn denial(op: Op, addr: &str) -> Denial {
        Policy::new()
            .check_addr(op, Proto::Tcp, addr.parse().unwrap(), &DnsPins::default())
            .unwrap_err()
    }

    #[test]
    fn each_denial_is_reported_once() {
        let log = DenialLog::new();
        let mut out = Vec::new();
        // (denial, line written)
        let cases = [
            (denial(Op::Connect, "127.0.0.2:80"), true),
            (denial(Op::Connect, "127.0.0.2:80"), false),
            // The mapped form is the same address.
            (denial(Op::Connect, "[::ffff:127.0.0.2]:80"), false),
            (denial(Op::Bind, "127.0.0.2:80"), true),
            (denial(Op::Connect, "127.0.0.2:81"), true),
            (denial(Op::Connect, "[::1]:80"), true),
            (
                Policy::new()
                    .check_resolve("a.org", &DnsPins::default())
                    .unwrap_err(),
                true,
            ),
            (
                Policy::new()
                    .check_resolve("a.org", &DnsPins::default())
                    .unwrap_err(),
                false,
            ),
            (
                Policy::new()
                    .check_resolve("b.org", &DnsPins::default())
                    .unwrap_err(),
                true,
            ),
        ];
        for (i, (d, written)) in cases.iter().enumerate() {
            assert_eq!(log.report_to(d, &mut out), *written, "case {i}: {d}");
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "wasock: denied connect to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)",
                "wasock: denied bind to 127.0.0.2:80: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)",
                "wasock: denied connect to 127.0.0.2:81: not in --addr-pool (allow it with --addr-pool=127.0.0.2/32)",
                "wasock: denied connect to [::1]:80: not in --addr-pool (allow it with --addr-pool=::1/128)",
                "wasock: denied resolve of a.org: not in --allow-resolve (allow it with --allow-resolve=a.org)",
                "wasock: denied resolve of b.org: not in --allow-resolve (allow it with --allow-resolve=b.org)",
            ]
        );
    }

    #[test]
    fn reporting_stops_after_the_cap_with_one_notice() {
        let log = DenialLog::new();
        let mut out = Vec::new();
        for port in 0..(MAX_REPORTED_DENIALS as u16 + 50) {
            log.report_to(&denial(Op::Connect, &format!("10.0.0.1:{port}")), &mut out);
        }
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), MAX_REPORTED_DENIALS + 1);
        assert!(lines[MAX_REPORTED_DENIALS].contains("further denials are not shown"));
        // Already-seen denials stay quiet too.
        assert!(!log.report_to(&denial(Op::Connect, "10.0.0.1:0"), &mut Vec::new()));
    }

    #[test]
    fn concurrent_reports_print_once() {
        let log = std::sync::Arc::new(DenialLog::new());
        let d = denial(Op::SendTo, "192.0.2.1:53");
        let written: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| usize::from(log.report_to(&d, &mut Vec::new()))))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(written, 1);
    }

    #[test]
    fn a_failing_sink_does_not_panic() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let log = DenialLog::new();
        assert!(log.report_to(&denial(Op::Bind, "0.0.0.0:0"), &mut Broken));
        NetTrace::new(true).log_to(&mut Broken, "sock_bind", format_args!("(fd=3)"), "ok");
    }

    #[test]
    fn trace_lines() {
        let cases: &[(bool, &str, &str, &str, &str)] = &[
            (
                true,
                "sock_bind",
                "(fd=3, addr=1024)",
                "ok",
                "wasock: trace: sock_bind(fd=3, addr=1024) -> ok\n",
            ),
            (
                true,
                "sock_connect",
                " 10.0.0.1:80",
                "EACCES",
                "wasock: trace: sock_connect 10.0.0.1:80 -> EACCES\n",
            ),
            (
                true,
                "resolve",
                "(evil\nname)",
                "ok",
                "wasock: trace: resolve(evil\\nname) -> ok\n",
            ),
            (false, "sock_bind", "(fd=3)", "ok", ""),
        ];
        let long = format!("({})", "n".repeat(10 * 1024));
        let mut out = Vec::new();
        NetTrace::new(true).log_to(&mut out, "resolve", format_args!("{long}"), "EACCES");
        let line = String::from_utf8(out).unwrap();
        assert!(line.len() < 400, "{line}");
        assert!(line.ends_with("more bytes] -> EACCES\n"), "{line}");
        for (enabled, op, detail, result, want) in cases {
            let t = NetTrace::new(*enabled);
            assert_eq!(t.enabled(), *enabled);
            let mut out = Vec::new();
            t.log_to(&mut out, op, format_args!("{detail}"), result);
            assert_eq!(String::from_utf8(out).unwrap(), *want, "{op}{detail}");
        }
        assert!(!NetTrace::default().enabled());
    }
}

//! What one instance may see and do: arguments, environment, preopens, stdio, network policy.

use crate::policy::Policy;
use crate::wasi::StdioSource;
use std::path::PathBuf;

/// A directory granted to the guest.
#[derive(Debug, Clone)]
pub struct Preopen {
    /// The name the guest sees (`fd_prestat_dir_name`).
    pub guest: String,
    /// The host directory.
    pub host: PathBuf,
}

impl Preopen {
    /// Refuses a directory with a procfs mount at or below it (`/`, `/proc`): through
    /// `/proc/self/mem` a guest could write wasock's own memory, its policy included.
    pub(crate) fn check_no_procfs(&self) -> std::io::Result<()> {
        let dir = std::fs::canonicalize(&self.host)?;
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        match procfs_at_or_below(&dir, &mountinfo) {
            None => Ok(()),
            Some(mount) => Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "it holds {}, the kernel's view of processes, through which a guest could \
                     write wasock's own memory; preopen only the directories the program needs",
                    mount.display()
                ),
            )),
        }
    }
}

/// The first procfs mount point (from `/proc/self/mountinfo` text) at or below `dir`.
fn procfs_at_or_below(dir: &std::path::Path, mountinfo: &str) -> Option<PathBuf> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let (fields, rest) = line.split_once(" - ")?;
            let fstype = rest.split(' ').next()?;
            let mount_point = fields.split(' ').nth(4)?;
            (fstype == "proc").then(|| PathBuf::from(mount_point))
        })
        .find(|mount| mount.starts_with(dir))
}

/// The configuration of one instance (and all of its threads).
#[derive(Debug, Default)]
pub struct Config {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) preopens: Vec<Preopen>,
    pub(crate) policy: Policy,
    pub(crate) stdio: [StdioSource; 3],
    pub(crate) trace_net: bool,
    pub(crate) max_fds: Option<usize>,
    pub(crate) max_threads: Option<u32>,
    pub(crate) hosts_file: Option<PathBuf>,
    pub(crate) skip_teardown: bool,
    pub(crate) epoll_min_fds: Option<usize>,
    pub(crate) module_file: Option<std::path::PathBuf>,
}

impl Config {
    /// An empty configuration: no args, no env, no files, no network (deny by default).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one `argv` entry (the first is the program name).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several `argv` entries.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, args: I) -> &mut Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable.
    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Grants the host directory `host` to the guest under the name `guest`.
    pub fn preopen_dir(&mut self, host: impl Into<PathBuf>, guest: impl Into<String>) -> &mut Self {
        self.preopens.push(Preopen {
            guest: guest.into(),
            host: host.into(),
        });
        self
    }

    /// Sets the network capability policy.
    pub fn policy(&mut self, policy: Policy) -> &mut Self {
        self.policy = policy;
        self
    }

    /// Sets where the guest's stdin comes from.
    pub fn stdin(&mut self, s: StdioSource) -> &mut Self {
        self.stdio[0] = s;
        self
    }

    /// Sets where the guest's stdout goes.
    pub fn stdout(&mut self, s: StdioSource) -> &mut Self {
        self.stdio[1] = s;
        self
    }

    /// Sets where the guest's stderr goes.
    pub fn stderr(&mut self, s: StdioSource) -> &mut Self {
        self.stdio[2] = s;
        self
    }

    /// Logs every socket operation and its result to stderr (`--trace-net`).
    pub fn trace_net(&mut self, on: bool) -> &mut Self {
        self.trace_net = on;
        self
    }

    /// Caps the number of open fds (default 16384); more gives the guest `EMFILE`.
    pub fn max_fds(&mut self, n: usize) -> &mut Self {
        self.max_fds = Some(n);
        self
    }

    /// Answers the guest's `getaddrinfo` from an `/etc/hosts`-style file before the system
    /// resolver (`--hosts-file`); the file is read again on every lookup.
    pub fn hosts_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.hosts_file = Some(path.into());
        self
    }

    /// Caps the number of live wasi-threads (iwasm's `--max-threads`).
    pub fn max_threads(&mut self, n: u32) -> &mut Self {
        self.max_threads = Some(n);
        self
    }

    /// Leaves the instance (memory, host state, open fds) allocated when [`crate::run`]
    /// returns after calling the entry point (it returned, exited or trapped), for a caller
    /// that exits the process right after and so need not free it piece by piece (3% of a
    /// cached hello world's instructions, bench/README.md).
    pub fn skip_teardown(&mut self, on: bool) -> &mut Self {
        self.skip_teardown = on;
        self
    }

    /// `poll_oneoff` calls watching at least `n` fds may wait in a kept epoll set rather than
    /// `poll(2)`, when few of their fds are ready at a time (default
    /// [`crate::wasi::poll::DEFAULT_EPOLL_MIN_FDS`]; `usize::MAX`: never).
    pub fn epoll_min_fds(&mut self, n: usize) -> &mut Self {
        self.epoll_min_fds = Some(n);
        self
    }

    /// The file the module was loaded from: a trap from overflowing the main thread's
    /// linear-memory stack is then reported as such, with the stack's size (the layout is read
    /// from the file only after an out-of-bounds trap, so a run pays nothing for it).
    pub fn module_file(&mut self, path: impl Into<std::path::PathBuf>) -> &mut Self {
        self.module_file = Some(path.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const MOUNTINFO: &str = "\
22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid shared:7 - sysfs sysfs rw
90 22 0:40 / /srv/jail/proc rw - proc proc rw
91 22 0:41 / /srv/www rw - tmpfs tmpfs rw
";

    #[test]
    fn procfs_is_found_at_or_below_a_directory_only() {
        let found = |d: &str| procfs_at_or_below(Path::new(d), MOUNTINFO);
        assert_eq!(found("/"), Some(PathBuf::from("/proc")));
        assert_eq!(found("/proc"), Some(PathBuf::from("/proc")));
        assert_eq!(found("/srv"), Some(PathBuf::from("/srv/jail/proc")));
        assert_eq!(found("/srv/www"), None);
        assert_eq!(found("/sys"), None);
        // A prefix that is not a parent directory is not "below".
        assert_eq!(found("/pro"), None);
    }
}

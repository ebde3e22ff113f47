//! Command-line parsing and the `run` / `compile` commands.

use anyhow::{bail, Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use wasock::{Config, Engine, EngineOptions, Entrypoint, Outcome, Policy};

const ABOUT: &str =
    "Run WebAssembly programs with real Berkeley sockets under capability control.\n\
Binary-compatible with WAMR's socket extension; accepts iwasm's options.";

const AFTER_HELP: &str = "\
Network capabilities (deny by default):
  --addr-pool=ENTRY[,ENTRY...]   addresses the guest may bind, connect and send to.
      ENTRY is ADDRESS/MASK (CIDR, IPv4 or IPv6), a bare ADDRESS (= /32 or /128),
      optionally with a port or port range: 127.0.0.1/32:8000-8100, [::1]/128:443.
      0.0.0.0/0 or ::/0 grants every address of that family.
  --allow-resolve=PATTERN[,...]  names getaddrinfo may resolve: an exact name,
      *.suffix (any name below suffix), or * (everything). IP literals need no grant.
  --net='ACTION ROLES [PROTO] TARGET'  a rule; deny wins over allow. ACTION allow|deny,
      ROLES bind,connect,send,accept,recv,resolve; PROTO tcp|udp|any; TARGET an address
      as in --addr-pool, * (every address), or a host pattern (NAME, *.SUFFIX) with
      an optional :PORT[-PORT]. Host patterns grant the addresses those names resolved to.
  --net-policy=FILE  rules and max-sockets from a TOML file (check it: wasock policy check)
  wasock policy explain [RULE...] ROLE [PROTO] TARGET  which rule decides, and why
  Details: docs/network-policy.md

Examples:
  wasock --addr-pool=127.0.0.1/32 server.wasm 8080
  wasock --dir=. --env=HOME=/ app.wasm arg1
  wasock compile app.wasm -o app.cwasm && wasock app.cwasm
  wasock --net='allow bind tcp 127.0.0.1:8080' --net='allow accept tcp 127.0.0.0/8' srv.wasm";

#[derive(Parser, Debug)]
#[command(
    name = "wasock",
    version,
    about = ABOUT,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

// Parsed once at start-up: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Run a module (the same as the top-level form, in wasmtime's style).
    Run(RunArgs),
    /// Compile a module ahead of time to a .cwasm that `wasock` runs directly.
    Compile(CompileArgs),
    /// Explain or check a network policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Subcommand, Debug)]
pub(crate) enum PolicyCommand {
    /// Print which rule decides an operation, and why (exit 0 allowed, 1 denied).
    Explain(ExplainArgs),
    /// Validate a policy file: line-numbered errors (exit 1), warnings, or `FILE: ok`.
    Check {
        /// The TOML policy file.
        file: PathBuf,
    },
}

/// The flags that make up a policy, shared by `run` and `policy explain`.
#[derive(Args, Debug)]
pub(crate) struct PolicyArgs {
    /// Addresses the guest may use (see below); repeatable, entries accumulate.
    #[arg(long = "addr-pool", value_name = "ENTRIES")]
    addr_pool: Vec<String>,
    /// Names the guest may resolve (see below); repeatable.
    #[arg(long = "allow-resolve", value_name = "PATTERNS")]
    allow_resolve: Vec<String>,
    /// A network rule `ACTION ROLES [PROTO] TARGET` (see below); repeatable.
    #[arg(long = "net", value_name = "RULE")]
    net: Vec<String>,
    /// Rules (and max-sockets) from a TOML policy file; repeatable.
    #[arg(long = "net-policy", value_name = "FILE")]
    net_policy: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct ExplainArgs {
    #[command(flatten)]
    pub(crate) policy: PolicyArgs,
    /// Treat NAME as resolved to ADDRESS (for host-pattern rules); repeatable.
    #[arg(long = "pin", value_name = "NAME=ADDRESS")]
    pub(crate) pins: Vec<String>,
    /// Rules (each one quoted argument), then the operation: ROLE [PROTO] TARGET.
    #[arg(required = true, value_name = "[RULE]... ROLE [PROTO] TARGET")]
    pub(crate) words: Vec<String>,
}

#[derive(Args, Debug)]
pub(crate) struct CompileArgs {
    /// The module to compile (.wasm or .wat).
    module: PathBuf,
    /// Output path (default: the module path with a .cwasm extension).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// Preopen host directory PATH under the same name.
    #[arg(long = "dir", value_name = "PATH")]
    dirs: Vec<PathBuf>,
    /// Preopen HOST under the guest name GUEST.
    #[arg(long = "map-dir", value_name = "GUEST::HOST")]
    map_dirs: Vec<String>,
    /// Set an environment variable for the guest (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    envs: Vec<String>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Cap on the sockets open at once; past it socket() and accept() fail with EMFILE.
    #[arg(long = "max-sockets", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_sockets: Option<u32>,
    /// Answer getaddrinfo from this /etc/hosts-style file before the system resolver.
    #[arg(long = "hosts-file", value_name = "FILE")]
    hosts_file: Option<PathBuf>,
    /// Log every socket operation and its result to stderr.
    #[arg(long = "trace-net")]
    trace_net: bool,
    /// Call this exported function with the remaining arguments instead of _start.
    #[arg(short = 'f', long = "function", value_name = "NAME")]
    function: Option<String>,
    /// Maximum wasm stack in bytes (wasock uses at least 512 KiB, allows at most 1 GiB).
    #[arg(long = "stack-size", value_name = "BYTES")]
    stack_size: Option<usize>,
    /// Accepted for iwasm compatibility: wasi-libc's malloc manages the heap inside linear memory.
    #[arg(long = "heap-size", value_name = "BYTES")]
    heap_size: Option<u64>,
    /// Maximum number of live wasi-threads.
    #[arg(long = "max-threads", value_name = "N")]
    max_threads: Option<u32>,
    /// End the run after MS milliseconds, even if threads are blocked in socket calls (exit 1).
    #[arg(long = "timeout", value_name = "MS")]
    timeout: Option<u64>,
    /// Engine setting for experiments: opt-level=none|speed|size, bounds-checks=guard|explicit,
    /// memory-cow=on|off (defaults measured in bench/README.md).
    #[arg(long = "engine", value_name = "KEY=VALUE")]
    engine: Vec<String>,
    /// Do not use or fill the compiled-module cache (also: WASOCK_NO_CACHE=1).
    #[arg(long = "no-cache")]
    no_cache: bool,
    /// Log level 0-5 (iwasm's -v=N); 0 silences wasock's warnings.
    #[arg(short = 'v', value_name = "LEVEL", value_parser = clap::value_parser!(u8).range(0..=5))]
    verbose: Option<u8>,
    /// Accepted for iwasm compatibility; wasock always compiles with Cranelift.
    #[arg(long = "interp")]
    interp: bool,
    /// Accepted for iwasm compatibility; wasock always compiles with Cranelift.
    #[arg(long = "fast-jit")]
    fast_jit: bool,
    /// Accepted for iwasm compatibility; wasock always compiles with Cranelift.
    #[arg(long = "llvm-jit")]
    llvm_jit: bool,
    /// Accepted for iwasm compatibility; wasock always compiles with Cranelift.
    #[arg(long = "multi-tier-jit")]
    multi_tier_jit: bool,
    /// Not supported: wasock does not load native plugins into the sandbox.
    #[arg(long = "native-lib", value_name = "FILE", hide = true)]
    native_lib: Vec<String>,
    /// The module (.wasm, .wat or .cwasm) followed by the guest's arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        value_name = "MODULE [ARGS]..."
    )]
    module_and_args: Vec<String>,
}

/// A usage error (bad flag or value): exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Exit status for an error: 2 for usage, 1 otherwise (a trap is handled before this).
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<Usage>().is_some() {
        2
    } else {
        1
    }
}

pub(crate) fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

/// What a binary does with a WASI 0.2 component it is to run or compile: `wasock` execs its
/// sibling ([`Sibling`]), which runs it in its own process ([`InProcess`]). A type parameter,
/// not a value, so that `wasock` does not even link the code of the other.
pub(crate) trait ComponentHost {
    /// `wasock [run] ...` of a component, before anything but its header was read (its policy
    /// files may be pipes, readable once); `argv` the whole command line.
    fn run(r: &RunArgs, argv: &[OsString]) -> Result<u8>;
    /// `wasock compile ...` of the component in `bytes`.
    fn compile(c: &CompileArgs, bytes: &[u8], argv: &[OsString]) -> Result<u8>;
}

/// The file name of the component host, next to `wasock`.
const COMPONENT_HOST: &str = "wasock-component";

/// `wasock`: components run in `wasock-component`, exec'd with the same arguments.
pub(crate) struct Sibling;

impl ComponentHost for Sibling {
    fn run(r: &RunArgs, argv: &[OsString]) -> Result<u8> {
        Err(exec_component_host(&r.module_and_args[0], argv))
    }
    fn compile(c: &CompileArgs, _: &[u8], argv: &[OsString]) -> Result<u8> {
        Err(exec_component_host(&c.module.to_string_lossy(), argv))
    }
}

/// Replaces this process by `wasock-component` (next to this binary) with the command line
/// `argv`: only an error returns.
fn exec_component_host(module: &str, argv: &[OsString]) -> anyhow::Error {
    use std::os::unix::process::CommandExt;
    let host = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(COMPONENT_HOST),
        Err(e) => {
            return anyhow::Error::new(e).context(format!(
                "{module} is a WASI 0.2 component, run by {COMPONENT_HOST} next to wasock, \
                 but wasock cannot find its own path"
            ))
        }
    };
    let mut command = std::process::Command::new(&host);
    if let Some(arg0) = argv.first() {
        command.arg0(arg0);
    }
    let err = command.args(argv.iter().skip(1)).exec();
    if err.kind() == std::io::ErrorKind::NotFound {
        anyhow::anyhow!(
            "{module} is a WASI 0.2 component, run by {COMPONENT_HOST}, which is missing: \
             install {} (built next to wasock by `cargo build --release`)",
            host.display()
        )
    } else {
        anyhow::Error::new(err).context(format!(
            "{module} is a WASI 0.2 component: cannot run {}",
            host.display()
        ))
    }
}

/// `wasock-component`: components run in this process.
#[cfg(feature = "components")]
pub(crate) struct InProcess;

#[cfg(feature = "components")]
impl ComponentHost for InProcess {
    fn run(r: &RunArgs, _: &[OsString]) -> Result<u8> {
        let (module, args) = (&r.module_and_args[0], &r.module_and_args[1..]);
        let (mut config, warnings) = build_config(r, module, args)?;
        // A flag that only means something to wasock's own preview1 host.
        if r.hosts_file.is_some() {
            bail!(usage(
                "--hosts-file does not apply to components yet (wasmtime-wasi resolves names)"
            ));
        }
        if r.function.is_some() {
            return Err(wasock::Error::Entry(
                "-f/--function is for core modules: a component runs its wasi:cli/run export"
                    .into(),
            )
            .into());
        }
        print_warnings(r, warnings);
        let engine = engine_for(r)?;
        let bytes = wasock::engine::read_program(module.as_ref())?;
        let component = engine.load_component_bytes(&bytes, module.as_ref())?;
        config.module_file(module);
        // Freed by the process exit, as in `run`.
        let engine = std::mem::ManuallyDrop::new(engine);
        let component = std::mem::ManuallyDrop::new(component);
        execute(r, &engine, || {
            wasock::component::run(&engine, &component, config)
        })
    }
    fn compile(c: &CompileArgs, bytes: &[u8], _: &[OsString]) -> Result<u8> {
        let engine = Engine::new(&EngineOptions::default())?;
        write_compiled(c, engine.precompile(bytes, &c.module)?)
    }
}

/// Entry point for the command line `args` (argv[0] first): returns the process exit status.
pub(crate) fn main<H: ComponentHost>(args: Vec<OsString>) -> Result<u8> {
    // Kept whole for the component host, which gets the same command line.
    let argv = args.clone();
    let cli = match parse(args) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                e.print()?;
                return Ok(0);
            }
            return Err(usage(clap_one_line(&e)));
        }
    };
    match cli.command {
        Some(Command::Compile(c)) => compile::<H>(c, &argv),
        Some(Command::Run(r)) => run::<H>(r, &argv),
        Some(Command::Policy(p)) => crate::policy_cmd::main(p),
        None => run::<H>(cli.run, &argv),
    }
}

/// The names that select a subcommand of [`Cli`].
const SUBCOMMANDS: [&str; 4] = ["run", "compile", "policy", "help"];

/// The top-level form alone, `wasock [OPTIONS] MODULE [ARGS]...`: [`Cli`] without its
/// subcommands, which clap would otherwise build too (a third of its set-up cost).
#[derive(Parser, Debug)]
#[command(name = "wasock", disable_help_flag = true, disable_version_flag = true)]
struct TopLevel {
    #[command(flatten)]
    run: RunArgs,
}

/// Parses the command line. When no argument names a subcommand, [`TopLevel`] parses it,
/// which reads the same as [`Cli`] would then; help, version and every error come from
/// [`Cli`], so they read the same either way.
fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let names_subcommand = args
        .iter()
        .skip(1)
        .any(|a| SUBCOMMANDS.iter().any(|s| a == *s));
    if !names_subcommand {
        let top = TopLevel::command()
            .try_get_matches_from(&args)
            .and_then(|m| TopLevel::from_arg_matches(&m));
        if let Ok(top) = top {
            return Ok(Cli {
                command: None,
                run: top.run,
            });
        }
    }
    Cli::try_parse_from(args)
}

/// clap's errors span several lines; keep the first and point at --help. A first line that
/// ends in `:` introduces a list (the missing arguments): its items join that line.
fn clap_one_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let mut lines = text.lines();
    let mut first = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_string();
    if first.ends_with(':') {
        let items: Vec<&str> = lines.map(str::trim).take_while(|l| !l.is_empty()).collect();
        first = format!("{first} {}", items.join(", "));
    }
    format!("{} (see wasock --help)", first.trim_end())
}

fn compile<H: ComponentHost>(c: CompileArgs, argv: &[OsString]) -> Result<u8> {
    let bytes =
        std::fs::read(&c.module).with_context(|| format!("cannot read {}", c.module.display()))?;
    if wasock::engine::is_component(&bytes) {
        return H::compile(&c, &bytes, argv);
    }
    let engine = Engine::new(&EngineOptions::default())?;
    // The same message as running the file would give.
    write_compiled(&c, engine.precompile_module(&bytes, &c.module)?)
}

/// Writes `wasock compile`'s output.
fn write_compiled(c: &CompileArgs, compiled: Vec<u8>) -> Result<u8> {
    let out = c
        .output
        .clone()
        .unwrap_or_else(|| c.module.with_extension("cwasm"));
    std::fs::write(&out, compiled).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(0)
}

/// The run's configuration, and its policy's warnings (printed once the program is known to
/// run in this process).
fn build_config(r: &RunArgs, module: &str, args: &[String]) -> Result<(Config, Vec<String>)> {
    let mut config = Config::new();
    // WASI argv[0] is the module path as typed (iwasm does the same).
    config.arg(module).args(args.iter().cloned());
    for kv in &r.envs {
        match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                config.env(k, v);
            }
            _ => {
                return Err(usage(format!(
                    "invalid --env value `{kv}`: expected KEY=VALUE with a non-empty KEY"
                )))
            }
        }
    }
    for d in &r.dirs {
        let guest = d.to_string_lossy().into_owned();
        config.preopen_dir(d.clone(), guest);
    }
    for m in &r.map_dirs {
        match m.split_once("::") {
            Some((g, h)) if !g.is_empty() && !h.is_empty() => {
                config.preopen_dir(h, g);
            }
            _ => {
                return Err(usage(format!(
                    "invalid --map-dir value `{m}`: expected GUEST::HOST"
                )))
            }
        }
    }
    let mut policy = build_policy(&r.policy)?;
    if let Some(n) = r.max_sockets {
        policy.set_max_sockets(Some(n as usize));
    }
    let warnings = policy.warnings();
    config.policy(policy).trace_net(r.trace_net);
    // The process exits right after the run (main.rs).
    config.skip_teardown(true);
    if let Some(f) = &r.hosts_file {
        // Read again at every lookup, but a file that cannot be read is a mistake to report
        // now, not at the guest's first lookup.
        wasock::net::hosts::check(f)
            .with_context(|| format!("cannot read --hosts-file {}", f.display()))?;
        config.hosts_file(f);
    }
    if let Some(n) = r.max_threads {
        config.max_threads(n);
    }
    // A measurement knob (bench/README.md), not a flag: it compares poll(2) with the epoll set.
    if let Some(v) = std::env::var_os("WASOCK_EPOLL_MIN_FDS") {
        let n = v.to_str().and_then(|v| v.parse().ok()).ok_or_else(|| {
            usage(format!(
                "invalid WASOCK_EPOLL_MIN_FDS={}: expected a number of fds",
                v.to_string_lossy()
            ))
        })?;
        config.epoll_min_fds(n);
    }
    Ok((config, warnings))
}

/// Prints the policy's warnings unless `-v=0`.
fn print_warnings(r: &RunArgs, warnings: Vec<String>) {
    if r.verbose != Some(0) {
        for w in warnings {
            eprintln!("wasock: warning: {w}");
        }
    }
}

/// Builds the policy from its flags, in a fixed order: `--addr-pool`, `--allow-resolve`,
/// `--net-policy` files, then `--net` rules (order only matters for rule numbers).
pub(crate) fn build_policy(r: &PolicyArgs) -> Result<Policy> {
    let mut policy = Policy::default();
    for v in &r.addr_pool {
        policy
            .add_addr_pool(v)
            .map_err(|e| usage(format!("--addr-pool={v}: {e}")))?;
    }
    for v in &r.allow_resolve {
        policy
            .add_allow_resolve(v)
            .map_err(|e| usage(format!("--allow-resolve={v}: {e}")))?;
    }
    for f in &r.net_policy {
        if let Err(errors) = policy.add_file(f) {
            let more = match errors.len() {
                1 => String::new(),
                n => format!(
                    " (and {} more: see wasock policy check {})",
                    n - 1,
                    f.display()
                ),
            };
            bail!("{}{more}", errors[0]);
        }
    }
    for v in &r.net {
        policy
            .add_net_rule(v, "--net")
            .map_err(|e| usage(e.to_string()))?;
    }
    Ok(policy)
}

fn run<H: ComponentHost>(r: RunArgs, argv: &[OsString]) -> Result<u8> {
    if !r.native_lib.is_empty() {
        bail!(usage(
            "--native-lib is not supported: wasock does not load native code into the sandbox"
        ));
    }
    let _ = (
        r.heap_size,
        r.interp,
        r.fast_jit,
        r.llvm_jit,
        r.multi_tier_jit,
    );
    let (module, args) = r
        .module_and_args
        .split_first()
        .ok_or_else(|| usage("no module given (see wasock --help)"))?;
    if let Some(n) = r.stack_size.filter(|&n| n > wasock::engine::MAX_WASM_STACK) {
        bail!(usage(format!(
            "--stack-size={n}: wasock allows at most {} bytes (1 GiB)",
            wasock::engine::MAX_WASM_STACK
        )));
    }
    // First, before the flags' files are read (a --net-policy file may be a pipe, readable
    // once, and the component's host reads it).
    let bytes = match wasock::engine::read_unless_component(module.as_ref())? {
        Some(bytes) if !wasock::engine::is_component(&bytes) => bytes,
        // A component binary (known by its header), or a .cwasm of one.
        _ => return H::run(&r, argv),
    };
    let (mut config, warnings) = build_config(&r, module, args)?;
    print_warnings(&r, warnings);
    let engine = engine_for(&r)?;
    let loaded = engine.load_bytes(&bytes, module.as_ref())?;
    config.module_file(module);
    // Freed by the process exit that follows, not one by one by their destructors (unmapping
    // the code, unregistering its types): see Config::skip_teardown.
    let engine = std::mem::ManuallyDrop::new(engine);
    let loaded = std::mem::ManuallyDrop::new(loaded);
    let entry = match &r.function {
        Some(f) => Entrypoint::Function(f.clone(), args.to_vec()),
        None => Entrypoint::Start,
    };
    execute(&r, &engine, || wasock::run(&engine, &loaded, config, entry))
}

/// The engine `r` asks for.
fn engine_for(r: &RunArgs) -> Result<Engine> {
    let use_cache = !r.no_cache && std::env::var_os("WASOCK_NO_CACHE").is_none();
    let mut tuning = wasock::Tuning::default();
    for setting in &r.engine {
        tuning
            .set(setting)
            .map_err(|e| usage(format!("invalid --engine {e}")))?;
    }
    Ok(Engine::new(&EngineOptions {
        max_wasm_stack: r.stack_size,
        cache_dir: use_cache
            .then(wasock::cache::ModuleCache::default_dir)
            .flatten(),
        tuning,
        quiet: r.verbose == Some(0),
    })?)
}

/// Runs the program (`go`) under `r`'s `--timeout`, on a native stack that fits `engine`'s
/// wasm stack: the process exit status.
fn execute(
    r: &RunArgs,
    engine: &Engine,
    go: impl FnOnce() -> wasock::Result<Outcome> + Send,
) -> Result<u8> {
    if let Some(ms) = r.timeout {
        // As iwasm: the whole process ends, which also ends any blocked socket call.
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            // Not eprintln!: it panics on a closed stderr, and the exit must still happen.
            let _ = writeln!(
                std::io::stderr(),
                "wasock: terminated after --timeout={ms} ms"
            );
            std::process::exit(1);
        });
    }
    // A large --stack-size runs the guest on a thread with a native stack to match.
    let ran = engine
        .with_native_stack(go)
        .context("cannot start a thread with a native stack for --stack-size")?;
    match ran {
        Ok(outcome) => {
            if !outcome.results.is_empty() {
                println!("{}", outcome.results.join(","));
            }
            // The guest's proc_exit status, truncated to 8 bits as a process status is.
            Ok(outcome.exit_code as u8)
        }
        Err(wasock::Error::Trap { message, backtrace }) => {
            eprintln!("wasock: trap: {message}");
            if !backtrace.is_empty() {
                eprint!("{backtrace}");
                if !backtrace.ends_with('\n') {
                    eprintln!();
                }
            }
            // As wasmtime: 128 + SIGABRT.
            Ok(134)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path must step aside for every word that selects a subcommand.
    #[test]
    fn subcommands_lists_every_subcommand_name() {
        let mut names: Vec<String> = Cli::command()
            .get_subcommands()
            .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_all_aliases()))
            .map(String::from)
            .collect();
        names.push("help".into()); // clap's own
        names.sort();
        let mut listed: Vec<String> = SUBCOMMANDS.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(names, listed);
    }
}

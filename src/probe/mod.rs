//! The spawn-storm probe: runs a command under a hard task cap, watches its
//! process tree from outside the containment, and kills the whole tree when
//! the program nests itself `max_depth` deep or relaunches itself detached
//! `max_detached` times (a storm). Reports what happened: verdict,
//! containment used, peaks, timings, survivors, the tree.
//!
//! Containment layers are tried strongest first (see `os::contain`); the
//! watchdog, the child subreaper, the target's own process group, the
//! deadline and the kill sequence are always on. Platform code lives behind
//! `os`.

mod assemble;
mod capture;
#[cfg(unix)]
mod lineage;
#[cfg(target_os = "linux")]
#[path = "linux/mod.rs"]
mod os;
#[cfg(windows)]
#[path = "windows/mod.rs"]
mod os;
#[cfg(target_os = "macos")]
#[path = "macos/mod.rs"]
mod os;
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
#[path = "other.rs"]
mod os;
#[cfg(unix)]
mod signals;
mod watch;

use serde::Serialize;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// The largest `--timeout` accepted: a probe is a check, not a supervisor.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// What to run and the limits to run it under.
#[derive(Clone, Debug)]
pub struct Options {
    pub program: OsString,
    pub args: Vec<OsString>,
    /// Extra environment for the target (on top of the inherited one).
    pub env: Vec<(OsString, OsString)>,
    /// Hard cap on tasks (processes and threads) in the tree.
    pub cap: u32,
    /// Same-executable ancestry depth that counts as a storm.
    pub max_depth: u32,
    /// Copies of the program started detached from their parent (double
    /// forks, parents that exit at once) that count as a storm.
    pub max_detached: u32,
    pub timeout: Duration,
    /// How often the watchdog looks (at most 5 ms by design).
    pub poll: Duration,
    /// Run with the watchdog alone when no layer with a hard cap works.
    pub allow_uncontained: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "`{program}` was not found on PATH or is not a file\nhelp: pass a path to an executable, e.g. `cargo freeze probe -- ./target/debug/app`"
    )]
    NotFound { program: String },
    #[error("`{}` is not executable\nhelp: `chmod +x {}`, or run it through its interpreter", path.display(), path.display())]
    NotExecutable { path: PathBuf },
    #[error("--cap must be at least 1 task (got 0)")]
    ZeroCap,
    #[error("--max-depth must be at least 2 (got {0}): depth 1 is every program")]
    DepthTooSmall(u32),
    #[error("--max-detached must be at least 2 (got {0}): a program may daemonize itself once")]
    DetachedTooSmall(u32),
    #[error("--timeout must be between 1 ms and {} hours (got {secs} s)", MAX_TIMEOUT.as_secs() / 3600)]
    BadTimeout { secs: f64 },
    #[error("failed to start `{program}`")]
    Spawn { program: String, source: std::io::Error },
    #[error("failed to create the probe's temporary directory")]
    TempDir(#[source] std::io::Error),
    #[error("no containment with a hard process cap is available here:\n  {}\nhelp: run as root on a host with cgroup v1 pids, or as a non-root user (RLIMIT_NPROC); or pass --allow-uncontained to rely on the watchdog alone (it polls every 2 ms and kills the tree, but nothing caps a storm it is too slow to see)", reasons.join("\n  "))]
    NoContainment { reasons: Vec<String> },
    #[error(
        "the spawn-storm probe is not implemented on this platform (Linux, macOS and Windows only); use `cargo freeze check --static`"
    )]
    Unsupported,
    #[error(
        "no room for a probe under the limits cargo-freeze runs under: {0}\nhelp: raise that limit, or stop other processes counted by it"
    )]
    NoRoom(String),
    #[error(
        "interrupted by signal {signal}: the probed tree was killed and its cgroups and temporary directory removed"
    )]
    Interrupted { signal: i32 },
}

/// The outcome, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The same executable nested `max_depth` deep: killed.
    Storm,
    /// The task cap was hit without storm evidence (many workers or threads).
    Capped,
    /// The deadline passed without a storm (a server?): killed.
    Timeout,
    /// The root exited and the tree is empty.
    Pass,
}

/// How the root process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ExitStatus {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

/// One process seen in the tree.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Node {
    pub pid: u32,
    pub ppid: u32,
    /// Same-executable ancestors on its path from the root, itself included.
    pub depth: u32,
    pub same_exe: bool,
    pub argv: Vec<String>,
}

/// Everything the probe observed.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ProbeReport {
    pub verdict: Verdict,
    /// Why the verdict (storm trigger, cap note, timeout note).
    pub trigger: Option<String>,
    /// The containment layer used, e.g. `cgroup-v1 (pids+freezer)`.
    pub containment: String,
    /// Stronger layers that were skipped, and why.
    pub skipped: Vec<String>,
    /// The cap in force: the one asked for, or lower (see `cap_note`).
    pub cap: u32,
    /// Why the cap is lower than asked: the limit cargo-freeze runs under.
    pub cap_note: Option<String>,
    pub cap_hit: bool,
    pub peak_processes: u32,
    pub peak_tasks: u32,
    /// The deepest same-executable nesting seen.
    pub max_depth: u32,
    pub depth_limit: u32,
    /// Copies of the program seen started detached from their parent.
    pub relaunches: u32,
    pub detached_limit: u32,
    pub detected_after_ms: Option<f64>,
    pub kill_ms: Option<f64>,
    /// How the tree was killed, e.g. `cgroup.kill` (none on `pass`).
    pub kill_method: Option<String>,
    pub elapsed_ms: f64,
    /// Processes of the tree still alive after the probe finished.
    pub survivors: u32,
    pub exit_status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    /// The first processes seen, in order of discovery.
    pub tree: Vec<Node>,
    /// More processes were seen than `tree` lists.
    pub tree_truncated: bool,
    pub command: Vec<String>,
    /// The per-run TMPDIR (removed afterwards) and cgroup (removed): the
    /// one holding the cap (v1 pids, or the v2 leaf).
    pub tmpdir: PathBuf,
    pub cgroup: Option<PathBuf>,
    /// The cgroup v2 leaf (removed), also where it only adds the kill.
    pub cgroup_v2: Option<PathBuf>,
    /// Leftovers of earlier runs whose cargo-freeze died, removed first.
    pub reaped: Vec<String>,
}

/// `argv[1]` of the probe's namespace helper: cargo-freeze re-executed by
/// the probe. `main` tests for it before anything else (the child-dispatch
/// guard) and then calls [`helper_main`].
pub const HELPER_ARG: &str = "__cargo-freeze-probe-init";

/// Runs the namespace helper with the arguments after [`HELPER_ARG`];
/// returns the exit code to leave with.
pub fn helper_main(args: &[OsString]) -> i32 {
    os::helper_main(args)
}

/// `argv[1]` of the probe's sentinel: cargo-freeze re-executed to clean up
/// should the probing cargo-freeze die. Routed like [`HELPER_ARG`].
pub const SENTINEL_ARG: &str = "__cargo-freeze-probe-sentinel";

/// Runs the sentinel with the arguments after [`SENTINEL_ARG`].
pub fn sentinel_main(args: &[OsString]) -> i32 {
    os::sentinel_main(args)
}

/// Validates the options, then runs the probe.
pub fn run(options: &Options) -> Result<ProbeReport, Error> {
    validate(options)?;
    let program = resolve(&options.program)?;
    os::probe(options, &program)
}

fn validate(options: &Options) -> Result<(), Error> {
    if options.cap == 0 {
        return Err(Error::ZeroCap);
    }
    if options.max_depth < 2 {
        return Err(Error::DepthTooSmall(options.max_depth));
    }
    if options.max_detached < 2 {
        return Err(Error::DetachedTooSmall(options.max_detached));
    }
    if options.timeout.is_zero() || options.timeout > MAX_TIMEOUT {
        return Err(Error::BadTimeout { secs: options.timeout.as_secs_f64() });
    }
    Ok(())
}

/// The executable to run: a path as given, or a name looked up on PATH.
/// Checked before anything starts, so a typo never half-starts a tree.
fn resolve(program: &OsString) -> Result<PathBuf, Error> {
    let shown = program.to_string_lossy().into_owned();
    let path = PathBuf::from(program);
    let found = if path.components().count() > 1 { path.is_file().then_some(path) } else { which::which(program).ok() };
    let path = found.ok_or(Error::NotFound { program: shown })?;
    if !os::is_executable(&path) {
        return Err(Error::NotExecutable { path });
    }
    Ok(path)
}

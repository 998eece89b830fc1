//! The probe on Windows: the target starts suspended, joins a Job Object
//! (active-process limit = the cap, kill-on-close), then runs; the watchdog
//! in this process reads the job's members and ends the whole job on a
//! storm or at the deadline. Wine 8 accepts the limit but does not enforce
//! it, so there the watchdog alone stops a storm.

mod job;
mod tree;

use super::assemble::{self, Extra};
use super::capture;
use super::watch;
use super::{Error, Options, ProbeReport, Verdict};
use std::os::windows::io::AsRawHandle;
use std::os::windows::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use windows_sys::Win32::Foundation::CloseHandle;
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
};
use windows_sys::Win32::System::Threading::{CREATE_SUSPENDED, OpenThread, ResumeThread, THREAD_SUSPEND_RESUME};

pub(super) fn probe(options: &Options, program: &Path) -> Result<ProbeReport, Error> {
    let tmp = tempfile::Builder::new().prefix("cargo-freeze-probe-").tempdir().map_err(Error::TempDir)?;
    let tmpdir = tmp.path().to_path_buf();
    let job = job::Job::new(options.cap).map_err(|why| Error::Spawn {
        program: program.display().to_string(),
        source: std::io::Error::other(format!("no Job Object for the probe: {why}")),
    })?;
    let spawn_error = |source| Error::Spawn { program: program.display().to_string(), source };
    let mut cmd = Command::new(program);
    let (stdout, stderr) = capture::wire(&mut cmd, options).map_err(spawn_error)?;
    cmd.env("TEMP", &tmpdir).env("TMP", &tmpdir).creation_flags(CREATE_SUSPENDED);
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(spawn_error)?;
    // The pipes' write ends must close here for the readers to see the end.
    drop(cmd);
    if let Err(err) = job.assign(child.as_raw_handle()) {
        let _ = child.kill();
        return Err(spawn_error(err));
    }
    resume(child.id());
    let mut tree = tree::Tree::new(&job, child, program);
    let outcome = watch::watch(&mut tree, options, start, &|| None);
    let mut kill_ms = None;
    if outcome.verdict != Verdict::Pass || !job.members().is_empty() {
        let begun = Instant::now();
        job.terminate();
        while !job.members().is_empty() && begun.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        kill_ms = Some(begun.elapsed().as_secs_f64() * 1000.0);
    }
    let survivors = job.members().len() as u32;
    let root_status = outcome.root_status.or_else(|| {
        use super::watch::Source;
        tree.reap()
    });
    let outcome = watch::Outcome { root_status, ..outcome };
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
    drop(tmp);
    let skipped = vec!["cgroups and namespaces: Linux only".to_string()];
    let extra = Extra {
        kill_ms,
        survivors,
        elapsed_ms,
        stdout: stdout.text(),
        stderr: stderr.text(),
        tmpdir,
        kill_method: kill_ms.map(|_| "TerminateJobObject".to_string()),
        ..Extra::default()
    };
    let name = format!("job-object (active processes <= {}, kill on close)", options.cap);
    Ok(assemble::report(options, program, outcome, &name, skipped, extra))
}

/// Resumes the threads of a process started suspended.
fn resume(pid: u32) {
    // SAFETY: plain Win32 calls; the entry's size field is set first.
    unsafe {
        let snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
        let mut entry: THREADENTRY32 = std::mem::zeroed();
        entry.dwSize = std::mem::size_of::<THREADENTRY32>() as u32;
        let mut ok = Thread32First(snap, &mut entry);
        while ok != 0 {
            if entry.th32OwnerProcessID == pid {
                let thread = OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID);
                if !thread.is_null() {
                    ResumeThread(thread);
                    CloseHandle(thread);
                }
            }
            ok = Thread32Next(snap, &mut entry);
        }
        CloseHandle(snap);
    }
}

/// The probe starts no helper on this platform.
pub(super) fn helper_main(_args: &[std::ffi::OsString]) -> i32 {
    2
}

pub(super) fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Nor a sentinel (the Job Object dies with cargo-freeze: kill-on-close).
pub(super) fn sentinel_main(_args: &[std::ffi::OsString]) -> i32 {
    2
}

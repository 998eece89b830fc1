//! The sentinel: a small process started before the target that cleans up
//! if cargo-freeze dies mid-probe (SIGKILL, the OOM killer, a crash that
//! skips every destructor). It is cargo-freeze re-executed with
//! [`SENTINEL_ARG`] (`main` routes it there first thing), in a session of
//! its own so a signal to the terminal's or cargo-freeze's process group
//! does not reach it, and it blocks reading a pipe whose only writer is
//! cargo-freeze. cargo-freeze tells it the target's process group once the
//! target runs, and `done` when it has cleaned up itself. End of file
//! without `done` means cargo-freeze is gone: the sentinel kills what runs
//! in the run's cgroups and the target's process group, removes the
//! cgroups (undoing a move of cargo-freeze in a delegated v2 cgroup), and
//! removes the temporary directory.

use super::cgroup::v2::{Moved, remove_dir_retrying};
use super::stale::empty_cgroup;
use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::probe::SENTINEL_ARG;

/// What to remove if cargo-freeze dies.
#[derive(Debug, Default)]
pub(crate) struct Teardown {
    pub tmpdir: PathBuf,
    /// The run's cgroup directories.
    pub cgroups: Vec<PathBuf>,
    /// A delegated v2 cgroup cargo-freeze left for a leaf of its own.
    pub moved: Option<Moved>,
}

impl Teardown {
    fn to_args(&self) -> Vec<OsString> {
        let mut args = vec![OsString::from("--tmpdir"), self.tmpdir.clone().into_os_string()];
        for dir in &self.cgroups {
            args.extend([OsString::from("--cgroup"), dir.clone().into_os_string()]);
        }
        if let Some(m) = &self.moved {
            args.extend([OsString::from("--moved"), m.home.clone().into(), m.own.clone().into()]);
        }
        args
    }

    fn from_args(args: &[OsString]) -> Option<Teardown> {
        let mut t = Teardown::default();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            match flag.to_str()? {
                "--tmpdir" => t.tmpdir = it.next()?.into(),
                "--cgroup" => t.cgroups.push(it.next()?.into()),
                "--moved" => t.moved = Some(Moved { home: it.next()?.into(), own: it.next()?.into() }),
                _ => return None,
            }
        }
        Some(t)
    }
}

/// The running sentinel.
pub(crate) struct Sentinel {
    child: Child,
    pipe: Option<ChildStdin>,
}

impl Sentinel {
    pub(super) fn start(teardown: &Teardown) -> std::io::Result<Sentinel> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg(SENTINEL_ARG).args(teardown.to_args()).stdin(Stdio::piped()).stdout(Stdio::null());
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let mut child = cmd.spawn()?;
        let pipe = child.stdin.take();
        Ok(Sentinel { child, pipe })
    }

    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The target's process group, to kill if cargo-freeze dies.
    pub(super) fn watch_group(&mut self, pgid: u32) {
        if let Some(pipe) = &mut self.pipe {
            let _ = writeln!(pipe, "pgid {pgid}");
        }
    }

    /// cargo-freeze cleaned up itself: the sentinel leaves doing nothing.
    pub(super) fn dismiss(mut self) {
        if let Some(mut pipe) = self.pipe.take() {
            let _ = writeln!(pipe, "done");
        }
        let _ = self.child.wait();
    }
}

impl Drop for Sentinel {
    /// Not dismissed (a panic): closing the pipe makes it tear down now.
    fn drop(&mut self) {
        self.pipe.take();
    }
}

/// `cargo-freeze __cargo-freeze-probe-sentinel --tmpdir T [--cgroup D]...
/// [--moved HOME OWN]`, stdin the pipe from cargo-freeze.
pub(crate) fn sentinel_main(args: &[OsString]) -> i32 {
    let Some(teardown) = Teardown::from_args(args) else { return 2 };
    let mut pgid = None;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line == "done" {
            return 0;
        }
        pgid = line.strip_prefix("pgid ").and_then(|p| p.parse::<i32>().ok()).or(pgid);
    }
    tear_down(&teardown, pgid);
    0
}

fn tear_down(teardown: &Teardown, pgid: Option<i32>) {
    if let Some(pgid) = pgid.filter(|p| *p > 1) {
        // SAFETY: plain syscall on the target's process group.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
    for dir in &teardown.cgroups {
        empty_cgroup(dir);
        remove_dir_retrying(dir);
    }
    // The sentinel runs in cargo-freeze's own leaf (it was started from
    // there): it goes home itself, so the leaf can go.
    if let Some(moved) = &teardown.moved {
        moved.undo_for(std::process::id());
    }
    let _ = std::fs::remove_dir_all(&teardown.tmpdir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teardown_round_trips_through_arguments() {
        let t = Teardown {
            tmpdir: "/tmp/x y".into(),
            cgroups: vec!["/a".into(), "/b".into()],
            moved: Some(Moved { home: "/h".into(), own: "/h/own".into() }),
        };
        let back = Teardown::from_args(&t.to_args()).unwrap();
        assert_eq!(format!("{back:?}"), format!("{t:?}"));
        assert!(Teardown::from_args(&["--bogus".into()]).is_none());
    }
}

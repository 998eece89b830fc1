//! Deciding what cgroup v2 can give the probe here, before anything is
//! created: where the v2 hierarchy is mounted (a pure v2 host's
//! `/sys/fs/cgroup`, or a hybrid host's `unified` mount), the cgroup
//! cargo-freeze itself runs in (the `0::` line of `/proc/self/cgroup`), and
//! whether a leaf beneath it may be created and given `pids.max`. The
//! parsing and the decision are pure functions over the files' text, so
//! they are unit-tested with synthetic inputs; only [`facts`] reads a real
//! directory.
//!
//! cgroup v2 forbids enabling a controller (`+pids` in
//! `cgroup.subtree_control`) for the children of a cgroup that holds
//! processes, except at the root of the hierarchy (the "no internal
//! processes" rule; the kernel answers `EBUSY`, or `EOPNOTSUPP` for a
//! threaded cgroup). In a delegated cgroup (a systemd `user@.service`
//! subtree, a container's cgroup) where cargo-freeze is the only process,
//! it moves itself into a leaf of its own first, as `systemd-run --scope`
//! does, enables pids, and moves back afterwards: every limit of the
//! delegated cgroup still applies to both leaves. Where other processes
//! share the cgroup it never moves them (that would reshape the caller's
//! cgroup behind its back); the v2 leaf then only adds membership and
//! `cgroup.kill`, and the hard cap comes from another layer.

use std::path::{Path, PathBuf};

/// What the probe's v2 leaf can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layer {
    /// The cgroup cargo-freeze runs in; the leaf goes beneath it.
    pub parent: PathBuf,
    pub pids: Pids,
    /// `cgroup.kill` exists (kernel >= 5.14).
    pub kill: bool,
}

/// Whether the leaf gets a `pids.max`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pids {
    /// Already enabled for the parent's children.
    Ready,
    /// Delegated and the parent is the hierarchy's root (exempt from the
    /// no-internal-processes rule): enable it, then use it.
    Enable,
    /// Delegated to a cgroup that holds this process alone: move into a
    /// leaf of its own, enable it, use it, undo both afterwards.
    MoveSelf,
    /// Not available; why (for the report).
    No(String),
}

/// The state of this process's v2 cgroup directory.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    pub controllers: String,
    pub subtree_control: String,
    /// The directory is the hierarchy's mount root (no parent cgroup).
    pub is_root: bool,
    /// A leaf may be created here and processes moved into it (write access
    /// to the directory and to its `cgroup.procs`, the common ancestor of
    /// the target's old and new cgroup).
    pub writable: bool,
    /// `cgroup.kill` is there, or may be: the root cgroup never shows
    /// it (nor `cgroup.freeze`), its children do on kernels >= 5.14; the
    /// leaf is checked once created.
    pub has_kill: bool,
    /// The processes in the cgroup (`cgroup.procs`) other than this one.
    pub others: usize,
}

/// This process's directory in the v2 hierarchy, from `/proc/self/mountinfo`
/// and `/proc/self/cgroup`. The mount's root field (4th) is the part of the
/// hierarchy the mount shows (a container's mount may show a subtree).
/// Also says whether that directory is the hierarchy's root (the mount
/// shows the whole hierarchy and this process is at its top).
pub(crate) fn own_dir(mountinfo: &str, proc_cgroup: &str) -> Result<(PathBuf, bool), String> {
    locate(mountinfo, proc_cgroup).map(|(dir, _, is_root)| (dir, is_root))
}

/// [`own_dir`] and the mount point it is under (the top of what this
/// process can see of the hierarchy).
pub(crate) fn own_dir_and_mount(mountinfo: &str, proc_cgroup: &str) -> Result<(PathBuf, PathBuf), String> {
    locate(mountinfo, proc_cgroup).map(|(dir, mount, _)| (dir, mount))
}

fn locate(mountinfo: &str, proc_cgroup: &str) -> Result<(PathBuf, PathBuf, bool), String> {
    let own = proc_cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or("this process is in no cgroup v2 hierarchy (no `0::` line in /proc/self/cgroup)")?;
    let mut mounts = 0;
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else { continue };
        if right.split_whitespace().next() != Some("cgroup2") {
            continue;
        }
        mounts += 1;
        let fields: Vec<&str> = left.split_whitespace().collect();
        let (Some(root), Some(point)) = (fields.get(3), fields.get(4)) else { continue };
        let (root, point) = (unescape(root), unescape(point));
        if let Ok(rest) = Path::new(own).strip_prefix(&root) {
            let at_top = rest.as_os_str().is_empty();
            let dir = if at_top { PathBuf::from(&point) } else { Path::new(&point).join(rest) };
            return Ok((dir, PathBuf::from(point), at_top && root == "/"));
        }
    }
    Err(if mounts == 0 {
        "no cgroup2 file system is mounted".to_string()
    } else {
        format!("this process's cgroup {own} is outside every cgroup2 mount")
    })
}

/// mountinfo writes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 4).and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(b) => {
                out.push(char::from(b));
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a leaf beneath `dir` can do, or why the v2 layer is not usable.
pub(crate) fn decide(dir: &Path, facts: &Facts, uid: u32) -> Result<Layer, String> {
    if !facts.writable {
        return Err(format!(
            "{} is not writable for uid {uid}: not root and not a delegated subtree (as systemd's user@.service delegates)",
            dir.display()
        ));
    }
    let listed = |text: &str| text.split_whitespace().any(|c| c == "pids");
    let pids = if !listed(&facts.controllers) {
        Pids::No(format!(
            "no pids controller in {}/cgroup.controllers ({}); on a hybrid host pids is bound to cgroup v1",
            dir.display(),
            shown(&facts.controllers)
        ))
    } else if listed(&facts.subtree_control) {
        Pids::Ready
    } else if facts.is_root {
        Pids::Enable
    } else if facts.others == 0 {
        Pids::MoveSelf
    } else {
        Pids::No(format!(
            "pids is delegated to {} but not enabled for its children, and {} other process(es) run in it: \
             cgroup v2 refuses to enable it there (no internal processes) and cargo-freeze moves only itself",
            dir.display(),
            facts.others
        ))
    };
    if matches!(pids, Pids::No(_)) && !facts.has_kill {
        return Err(format!("no pids controller and no cgroup.kill (kernel < 5.14) in {}", dir.display()));
    }
    Ok(Layer { parent: dir.to_path_buf(), pids, kill: facts.has_kill })
}

/// Why writing `+pids` to `cgroup.subtree_control` failed.
pub(crate) fn enable_refused(dir: &Path, err: &std::io::Error) -> String {
    let file = dir.join("cgroup.subtree_control");
    match err.raw_os_error() {
        Some(libc::EBUSY) => format!(
            "enabling pids in {} was refused (EBUSY): the cgroup holds processes (no internal processes rule)",
            file.display()
        ),
        Some(libc::EOPNOTSUPP) => {
            format!("enabling pids in {} was refused (EOPNOTSUPP): the cgroup is threaded", file.display())
        }
        _ => format!("cannot enable pids in {}: {err}", file.display()),
    }
}

fn shown(list: &str) -> &str {
    if list.trim().is_empty() { "none" } else { list.trim() }
}

/// Reads the facts of a real (or synthetic) cgroup directory. `root` is the
/// mount point of the hierarchy.
pub(crate) fn facts(dir: &Path, root: bool) -> Facts {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let me = std::process::id();
    let others = read("cgroup.procs").lines().filter(|l| l.trim().parse() != Ok(me)).count();
    Facts {
        controllers: read("cgroup.controllers"),
        subtree_control: read("cgroup.subtree_control"),
        is_root: root,
        writable: writable(dir) && writable(&dir.join("cgroup.procs")),
        has_kill: root || dir.join("cgroup.kill").exists(),
        others,
    }
}

fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return false };
    // SAFETY: a valid NUL-terminated path; plain syscall.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;

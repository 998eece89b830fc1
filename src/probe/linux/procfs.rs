//! Reading processes from `/proc`: parent, thread count, start time,
//! executable identity and argv. A storm recycles pids fast, so a process
//! is keyed by (pid, start time), never by pid alone.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;

/// One process as `/proc/PID/stat` describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stat {
    pub pid: u32,
    pub ppid: u32,
    pub threads: u32,
    pub start: u64,
    pub zombie: bool,
}

/// `/proc/PID/stat`, or `None` once the process is gone.
pub(crate) fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(pid, &text)
}

/// The fields after `(comm)`, which may itself contain spaces and parens.
fn parse_stat(pid: u32, text: &str) -> Option<Stat> {
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    // rest[0] is field 3 (state); ppid is field 4, num_threads 20, starttime 22.
    Some(Stat {
        pid,
        ppid: fields.get(1)?.parse().ok()?,
        threads: fields.get(17)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
        zombie: matches!(*fields.first()?, "Z" | "X"),
    })
}

/// Every process on the system (one pass over `/proc`).
pub(crate) fn all() -> Vec<Stat> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).filter_map(stat).collect()
}

/// (device, inode) of the file a process runs: comparable with the
/// target's, whatever path or name it was started by.
pub(crate) fn exe_id(pid: u32) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(format!("/proc/{pid}/exe")).ok()?;
    Some((meta.dev(), meta.ino()))
}

/// The pid a process has in its own (innermost) PID namespace.
pub(crate) fn ns_pid(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix("NSpid:"))?.split_whitespace().last()?.parse().ok()
}

pub(crate) fn argv(pid: u32) -> Vec<String> {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return Vec::new() };
    raw.split(|b| *b == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect()
}

/// The descendants of `ancestor` among `procs` (not `ancestor` itself).
pub(crate) fn descendants(procs: &[Stat], ancestor: u32) -> Vec<Stat> {
    let mut children: HashMap<u32, Vec<&Stat>> = HashMap::new();
    for p in procs {
        children.entry(p.ppid).or_default().push(p);
    }
    let mut out = Vec::new();
    let mut stack = vec![ancestor];
    while let Some(pid) = stack.pop() {
        for child in children.get(&pid).into_iter().flatten() {
            if child.pid != ancestor {
                out.push(**child);
                stack.push(child.pid);
            }
        }
    }
    out
}

/// Processes whose real uid is `uid` (for an `RLIMIT_NPROC` that leaves
/// room for the cap on top of what the user already runs).
pub(crate) fn count_of_uid(uid: u32) -> u32 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
    let mut count = 0;
    for entry in dir.flatten() {
        if entry.file_name().to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            && entry.metadata().is_ok_and(|m| m.uid() == uid)
        {
            let threads =
                entry.file_name().to_str().and_then(|n| n.parse().ok()).and_then(stat).map_or(1, |s| s.threads);
            count += threads;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_spaces_and_parens_in_the_name() {
        let text = "42 (a (b) c) S 7 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 3 0 12345 1 2 3";
        let s = parse_stat(42, text).unwrap();
        assert_eq!((s.ppid, s.threads, s.start, s.zombie), (7, 3, 12345, false));
    }

    #[test]
    fn own_process_is_readable() {
        let me = std::process::id();
        let s = stat(me).unwrap();
        assert!(s.threads >= 1);
        assert!(ns_pid(me).is_some());
        assert_eq!(exe_id(me), std::fs::metadata(std::env::current_exe().unwrap()).ok().map(|m| (m.dev(), m.ino())));
    }
}

//! The running tree on Windows: the job's members, their parents and
//! thread counts from a Toolhelp snapshot, and whether each runs the
//! target's file (by full image path). Depth follows parent ids among the
//! members only, since Windows never re-parents and recycles ids; a copy of
//! the program whose parent is not a member when first seen is a detached
//! relaunch.

use super::job::Job;
use crate::probe::watch::{Snapshot, Source};
use crate::probe::{ExitStatus, Node};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Child;
use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::Threading::{
    OpenProcess, PROCESS_NAME_WIN32, PROCESS_QUERY_LIMITED_INFORMATION, QueryFullProcessImageNameW,
};

pub(crate) struct Tree<'j> {
    pub job: &'j Job,
    pub root: Child,
    pub root_status: Option<ExitStatus>,
    program: String,
    same: HashMap<u32, bool>,
    seen: HashSet<u32>,
}

impl<'j> Tree<'j> {
    pub(super) fn new(job: &'j Job, root: Child, program: &Path) -> Self {
        let program = program.canonicalize().unwrap_or_else(|_| program.to_path_buf());
        Tree { job, root, root_status: None, program: normal(&program), same: HashMap::new(), seen: HashSet::new() }
    }

    /// Cached once known: a process that just started may not answer yet.
    fn is_same(&mut self, pid: u32) -> bool {
        if let Some(&same) = self.same.get(&pid) {
            return same;
        }
        let Some(path) = image(pid) else { return false };
        let same = normal(&path) == self.program;
        self.same.insert(pid, same);
        same
    }
}

impl Source for Tree<'_> {
    fn snapshot(&mut self) -> Snapshot {
        let members: HashSet<u32> = self.job.members().into_iter().collect();
        let procs: Vec<(u32, u32, u32)> = processes().into_iter().filter(|(pid, _, _)| members.contains(pid)).collect();
        let parent: HashMap<u32, u32> = procs.iter().map(|&(pid, ppid, _)| (pid, ppid)).collect();
        let mut snap = Snapshot { processes: procs.len() as u32, ..Snapshot::default() };
        for &(pid, ppid, threads) in &procs {
            snap.tasks += threads;
            let same = self.is_same(pid);
            snap.same_exe += u32::from(same);
            let mut chain = vec![pid];
            let mut cur = pid;
            while let Some(&up) = parent.get(&cur) {
                // Only members count: an outside parent id may be recycled.
                if !parent.contains_key(&up) || chain.len() > procs.len() {
                    break;
                }
                chain.push(up);
                cur = up;
            }
            let depth = chain.iter().filter(|p| self.same.get(p).copied().unwrap_or(false)).count() as u32;
            if depth > snap.max_depth {
                snap.max_depth = depth;
                snap.deepest = chain.iter().rev().copied().collect();
            }
            if self.seen.insert(pid) {
                let argv = image(pid).map(|p| vec![p.display().to_string()]).unwrap_or_default();
                snap.new_nodes.push(Node { pid, ppid, depth, same_exe: same, argv });
                // Windows never re-parents: a copy whose parent is no
                // longer in the job was started by one that already exited.
                if same && pid != self.root.id() && !parent.contains_key(&ppid) {
                    snap.relaunched.push(pid);
                }
            }
        }
        snap
    }

    fn cap_hit(&self, cap: u32) -> bool {
        // Windows keeps no count of refused starts; a full job is the sign.
        self.job.members().len() as u32 >= cap
    }

    fn reap(&mut self) -> Option<ExitStatus> {
        if self.root_status.is_none()
            && let Ok(Some(status)) = self.root.try_wait()
        {
            self.root_status = Some(ExitStatus { code: status.code(), signal: None });
            return self.root_status;
        }
        None
    }
}

/// (pid, parent pid, threads) of every process.
fn processes() -> Vec<(u32, u32, u32)> {
    let mut out = Vec::new();
    // SAFETY: plain Win32 calls; the entry's size field is set first.
    unsafe {
        let snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
        if snap == INVALID_HANDLE_VALUE {
            return out;
        }
        let mut entry: PROCESSENTRY32W = std::mem::zeroed();
        entry.dwSize = std::mem::size_of::<PROCESSENTRY32W>() as u32;
        let mut ok = Process32FirstW(snap, &mut entry);
        while ok != 0 {
            out.push((entry.th32ProcessID, entry.th32ParentProcessID, entry.cntThreads));
            ok = Process32NextW(snap, &mut entry);
        }
        CloseHandle(snap);
    }
    out
}

/// The full path of the file a process runs.
fn image(pid: u32) -> Option<PathBuf> {
    // SAFETY: plain Win32 calls on a buffer of the declared size.
    unsafe {
        let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if handle.is_null() {
            return None;
        }
        let mut buf = [0u16; 1024];
        let mut len = buf.len() as u32;
        let ok = QueryFullProcessImageNameW(handle, PROCESS_NAME_WIN32, buf.as_mut_ptr(), &mut len);
        CloseHandle(handle);
        (ok != 0).then(|| PathBuf::from(String::from_utf16_lossy(&buf[..len as usize])))
    }
}

/// Paths compare case-insensitively, without the `\\?\` prefix.
fn normal(path: &Path) -> String {
    path.to_string_lossy().trim_start_matches(r"\\?\").to_lowercase()
}

//! Reading processes on macOS with libproc: every pid, each one's parent,
//! process group, start time, threads, owner and executable. A storm
//! recycles pids fast, so a process is keyed by (pid, start time).

use crate::probe::lineage::Proc;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// One process as `proc_pidinfo(PROC_PIDTBSDINFO)` describes it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Info {
    pub proc: Proc,
    pub pgid: u32,
    pub ruid: u32,
    pub zombie: bool,
}

/// Every pid on the system.
pub(crate) fn all_pids() -> Vec<u32> {
    // SAFETY: the first call sizes the buffer; the second fills it (with
    // room to spare for processes started in between).
    unsafe {
        let count = libc::proc_listallpids(std::ptr::null_mut(), 0);
        if count <= 0 {
            return Vec::new();
        }
        let mut pids = vec![0 as libc::c_int; count as usize + 64];
        let bytes = (pids.len() * std::mem::size_of::<libc::c_int>()) as libc::c_int;
        let got = libc::proc_listallpids(pids.as_mut_ptr().cast(), bytes);
        pids.truncate(got.max(0) as usize);
        pids.into_iter().filter(|p| *p > 0).map(|p| p as u32).collect()
    }
}

/// A process's BSD info and thread count, or `None` once it is gone.
pub(crate) fn info(pid: u32) -> Option<Info> {
    // SAFETY: zeroed plain-data structs sized as proc_pidinfo expects.
    unsafe {
        let mut bsd: libc::proc_bsdinfo = std::mem::zeroed();
        let size = std::mem::size_of::<libc::proc_bsdinfo>() as libc::c_int;
        let got = libc::proc_pidinfo(pid as libc::c_int, libc::PROC_PIDTBSDINFO, 0, (&raw mut bsd).cast(), size);
        if got != size {
            return None;
        }
        let mut task: libc::proc_taskinfo = std::mem::zeroed();
        let tsize = std::mem::size_of::<libc::proc_taskinfo>() as libc::c_int;
        let threads = if libc::proc_pidinfo(
            pid as libc::c_int,
            libc::PROC_PIDTASKINFO,
            0,
            (&raw mut task).cast(),
            tsize,
        ) == tsize
        {
            task.pti_threadnum.max(1) as u32
        } else {
            1
        };
        let start = bsd.pbi_start_tvsec * 1_000_000 + bsd.pbi_start_tvusec;
        Some(Info {
            proc: Proc { pid, ppid: bsd.pbi_ppid, start, threads },
            pgid: bsd.pbi_pgid,
            ruid: bsd.pbi_ruid,
            // SZOMB in <sys/proc.h>.
            zombie: bsd.pbi_status == 5,
        })
    }
}

/// The file a process runs.
pub(crate) fn path(pid: u32) -> Option<PathBuf> {
    let mut buf = vec![0u8; libc::PROC_PIDPATHINFO_MAXSIZE as usize];
    // SAFETY: a buffer of the size libproc documents.
    let len = unsafe { libc::proc_pidpath(pid as libc::c_int, buf.as_mut_ptr().cast(), buf.len() as u32) };
    if len <= 0 {
        return None;
    }
    buf.truncate(len as usize);
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(buf)))
}

/// (device, inode) of the file a process runs.
pub(crate) fn exe_id(pid: u32) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path(pid)?).ok()?;
    Some((meta.dev(), meta.ino()))
}

/// Processes whose real uid is `uid` (RLIMIT_NPROC counts them all).
pub(crate) fn count_of_uid(uid: u32) -> u32 {
    all_pids().into_iter().filter_map(info).filter(|i| i.ruid == uid).count() as u32
}

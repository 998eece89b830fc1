//! A Job Object holding the target's tree: an active-process limit (the
//! cap; Windows counts processes here, not threads), kill-on-close (if
//! cargo-freeze dies, the tree dies with it), the member list for the
//! watchdog, and termination of every member at once.

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_BASIC_PROCESS_ID_LIST, JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectBasicProcessIdList,
    JobObjectExtendedLimitInformation, QueryInformationJobObject, SetInformationJobObject, TerminateJobObject,
};

/// The most member ids read per query.
const MAX_IDS: usize = 4096;

pub(crate) struct Job(HANDLE);

impl Job {
    /// A new job with an active-process limit of `cap`, or why not.
    pub(super) fn new(cap: u32) -> Result<Job, String> {
        // SAFETY: plain Win32 calls; the structure is fully initialised.
        unsafe {
            let handle = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if handle.is_null() {
                return Err(format!("CreateJobObjectW failed: {}", std::io::Error::last_os_error()));
            }
            let job = Job(handle);
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags =
                JOB_OBJECT_LIMIT_ACTIVE_PROCESS | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            info.BasicLimitInformation.ActiveProcessLimit = cap;
            let size = std::mem::size_of_val(&info) as u32;
            if SetInformationJobObject(handle, JobObjectExtendedLimitInformation, (&raw const info).cast(), size) == 0 {
                return Err(format!("SetInformationJobObject failed: {}", std::io::Error::last_os_error()));
            }
            Ok(job)
        }
    }

    pub(super) fn assign(&self, process: HANDLE) -> std::io::Result<()> {
        // SAFETY: both handles are valid for the call.
        if unsafe { AssignProcessToJobObject(self.0, process) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// Process ids of the job's live members.
    pub(super) fn members(&self) -> Vec<u32> {
        #[repr(C)]
        struct List {
            head: JOBOBJECT_BASIC_PROCESS_ID_LIST,
            rest: [usize; MAX_IDS],
        }
        // SAFETY: the buffer is as large as its declared length.
        unsafe {
            let mut list: List = std::mem::zeroed();
            let size = std::mem::size_of::<List>() as u32;
            let ok = QueryInformationJobObject(
                self.0,
                JobObjectBasicProcessIdList,
                (&raw mut list).cast(),
                size,
                std::ptr::null_mut(),
            );
            if ok == 0 {
                return Vec::new();
            }
            let n = (list.head.NumberOfProcessIdsInList as usize).min(MAX_IDS + 1);
            let first = std::ptr::addr_of!(list.head.ProcessIdList).cast::<usize>();
            (0..n).map(|i| *first.add(i) as u32).collect()
        }
    }

    /// Ends every member.
    pub(super) fn terminate(&self) {
        // SAFETY: a valid job handle.
        unsafe {
            TerminateJobObject(self.0, 1);
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: the handle is owned; kill-on-close ends any member left.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

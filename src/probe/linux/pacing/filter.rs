//! The target's side of exec pacing: the seccomp filter (exec calls of
//! this architecture notify, everything else is allowed), installed in the
//! forked child right before its exec, and the socket message that carries
//! the filter's listener (or why there is none) to cargo-freeze. What runs
//! in the child is async-signal-safe: it was all prepared before the fork.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// What the target does before its exec, prepared before the fork (the
/// child may not allocate).
pub(crate) struct ChildEnd {
    socket: OwnedFd,
    filter: Box<[libc::sock_filter]>,
}

impl ChildEnd {
    /// The end of a fresh socket pair, with the filter built.
    pub(super) fn new(socket: OwnedFd) -> ChildEnd {
        ChildEnd { socket, filter: filter().into_boxed_slice() }
    }

    /// The end handed to the namespace helper as a file descriptor number.
    pub(crate) fn raw(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// The helper's copy of the end, by the number it was given.
    ///
    /// # Safety
    /// `fd` must be an open socket this process owns.
    pub(crate) unsafe fn from_raw(fd: RawFd) -> ChildEnd {
        // SAFETY: the caller passes an fd it owns.
        let socket = unsafe { OwnedFd::from_raw_fd(fd) };
        set_cloexec(fd, true);
        ChildEnd::new(socket)
    }

    /// Keeps the end open across the helper's exec (in its forked child).
    pub(crate) fn inherit(&self) {
        set_cloexec(self.raw(), false);
    }

    /// In the forked child, right before exec: installs the filter and
    /// sends its listener (or why not) to cargo-freeze. Never fails the
    /// start: unpaced, the probe still polls. Async-signal-safe.
    pub(crate) fn install(&self) {
        let prog = libc::sock_fprog { len: self.filter.len() as u16, filter: self.filter.as_ptr().cast_mut() };
        let seccomp = |prog: &libc::sock_fprog| {
            // SAFETY: a plain syscall on a filter that lives until exec.
            unsafe {
                libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
                    std::ptr::from_ref(prog),
                ) as RawFd
            }
        };
        let mut no_new_privs = 0;
        let mut listener = seccomp(&prog);
        if listener < 0 && errno() == libc::EACCES {
            // SAFETY: plain syscall.
            unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
            no_new_privs = 1;
            listener = seccomp(&prog);
        }
        let message = [if listener < 0 { errno() } else { 0 }, no_new_privs];
        send(self.raw(), message, listener);
        if listener >= 0 {
            // SAFETY: this process's own copy; the tree must not hold it.
            unsafe { libc::close(listener) };
        }
    }
}

pub(super) fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn set_cloexec(fd: RawFd, on: bool) {
    // SAFETY: plain syscall on a descriptor the caller owns.
    unsafe { libc::fcntl(fd, libc::F_SETFD, if on { libc::FD_CLOEXEC } else { 0 }) };
}

#[cfg(target_arch = "x86_64")]
pub(super) const ARCH: Option<u32> = Some(0xC000_003E); // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
pub(super) const ARCH: Option<u32> = Some(0xC000_00B7); // AUDIT_ARCH_AARCH64
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(super) const ARCH: Option<u32> = None;

/// The filter: exec calls of this architecture notify; everything else,
/// other architectures' calls included, is allowed.
fn filter() -> Vec<libc::sock_filter> {
    let stmt = |code: u32, k: u32| libc::sock_filter { code: code as u16, jt: 0, jf: 0, k };
    let jeq = |k: u32, jt: u8, jf: u8| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    };
    let load = |offset: u32| stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, offset);
    let Some(arch) = ARCH else { return vec![stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ALLOW)] };
    // seccomp_data: nr at offset 0, arch at 4.
    vec![
        load(4),
        jeq(arch, 0, 3),
        load(0),
        jeq(libc::SYS_execve as u32, 2, 0),
        jeq(libc::SYS_execveat as u32, 1, 0),
        stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ALLOW),
        stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_USER_NOTIF),
    ]
}

/// `sendmsg` of two ints and, when `fd >= 0`, the fd. Async-signal-safe.
fn send(socket: RawFd, message: [i32; 2], fd: RawFd) {
    let mut data = message;
    let mut iov = libc::iovec { iov_base: data.as_mut_ptr().cast(), iov_len: std::mem::size_of_val(&data) };
    let mut control = [0u64; 4];
    // SAFETY: msghdr and cmsg built in stack buffers large enough for one
    // fd (CMSG_SPACE(4) is 24 bytes here, the buffer 32).
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        if fd >= 0 {
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = libc::CMSG_SPACE(4) as usize;
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(4) as usize;
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<RawFd>(), fd);
        }
        libc::sendmsg(socket, &msg, libc::MSG_NOSIGNAL);
    }
}

/// What the target sent: its listener, or why it has none.
pub(super) fn receive(socket: RawFd) -> Result<(OwnedFd, bool), String> {
    let mut data = [0i32; 2];
    let mut iov = libc::iovec { iov_base: data.as_mut_ptr().cast(), iov_len: std::mem::size_of_val(&data) };
    let mut control = [0u64; 4];
    // SAFETY: as in `send`; the kernel fills at most the given lengths.
    let (got, fd) = unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control);
        let got = libc::recvmsg(socket, &mut msg, libc::MSG_CMSG_CLOEXEC);
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        let fd = (!cmsg.is_null() && (*cmsg).cmsg_type == libc::SCM_RIGHTS)
            .then(|| std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<RawFd>()));
        (got, fd)
    };
    match (got, fd) {
        // SAFETY: the kernel just installed this fd in this process.
        (8, Some(fd)) => Ok((unsafe { OwnedFd::from_raw_fd(fd) }, data[1] != 0)),
        (8, None) => Err(format!(
            "the target could not install a seccomp filter: {}",
            std::io::Error::from_raw_os_error(data[0])
        )),
        _ => Err("the target exited before it could install the filter".to_string()),
    }
}

use std::ffi::CString;

#[ctor::ctor]
fn early() {
    if std::env::var_os("CT_CHILD").is_some() {
        std::process::exit(0);
    }
}

fn main() {
    let path = CString::new("/proc/self/exe").unwrap();
    let argv = [path.as_ptr(), std::ptr::null()];
    unsafe {
        libc::execv(path.as_ptr(), argv.as_ptr());
    }
}

//! The cargo-freeze one-file bootloader: finds its own trailer, extracts the
//! payload once into a content-addressed cache dir, then hands off to the
//! extracted program (execve on Unix). See FORMAT.md in cargo-freeze.
//!
//! Size matters (the target is at most 400 KiB stripped): on Unix there is
//! no Rust `main` (the C `main` below skips std's runtime set-up, which the
//! bootloader does not need) and no `std::process::Command` (libc execve).
#![cfg_attr(unix, no_main)]

mod decode;
mod dirs;
mod entry;
mod extract;
mod fail;
#[expect(dead_code, reason = "shared with cargo-freeze, which also uses the packer's half (encoding)")]
mod format;
mod housekeeping;
mod launch;
mod trailer;
mod unpack;

use std::env;
use std::fs::File;
use std::path::Path;

pub use fail::{bad, io_fail, Fail, EXIT_BAD_BUNDLE, EXIT_FUSE, EXIT_IO};

#[cfg(unix)]
#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    // glibc hands argv and environ to std before this runs, and on macOS
    // std reads them through `_NSGetArgv`/`_NSGetEnviron`, so `env::args_os`
    // works without std's `lang_start`.
    finish(run())
}

#[cfg(not(unix))]
fn main() {
    std::process::exit(finish(run()))
}

#[allow(clippy::disallowed_macros, reason = "the bootloader's one printer: its own failure, then exit")]
fn finish(result: Result<i32, Fail>) -> i32 {
    match result {
        Ok(code) => code,
        Err((code, msg)) => {
            eprintln!("cargo-freeze bootloader: {msg}");
            i32::from(code)
        }
    }
}

fn run() -> Result<i32, Fail> {
    let exe = env::current_exe().map_err(|e| (EXIT_IO, format!("cannot find own executable: {e}")))?;
    // macOS gives the path the program was started by (`./app`, a
    // symlink); Linux's /proc/self/exe is the real, absolute one, which
    // CARGO_FREEZE_BUNDLE (and the fuse that compares it) is.
    #[cfg(target_os = "macos")]
    let exe = exe.canonicalize().unwrap_or(exe);
    start(&exe).map_err(|(code, msg)| match code {
        EXIT_BAD_BUNDLE => (
            code,
            format!(
                "{msg}\nhelp: {} is damaged or not a cargo-freeze one-file; download or build it again",
                exe.display()
            ),
        ),
        _ => (code, msg),
    })
}

fn start(exe: &Path) -> Result<i32, Fail> {
    let mut file = File::open(exe).map_err(|e| io_fail("open", exe, e))?;
    let trailer = trailer::read_trailer(&mut file, exe)?;
    let header = trailer::read_header(&mut file, &trailer)?;
    let depth = launch::fuse(exe, &trailer)?;
    let hash = trailer::hex16(&trailer.fields.hash);
    // No cache root (HOME unset or missing): a private temp dir instead.
    let Some(dir) = dirs::resolve_spec(&header.spec, &header.name, &hash)? else {
        return run_from_temp(exe, &mut file, &trailer, &header, depth, "no cache dir (HOME)".into());
    };
    // Warm path: one marker, locked shared for as long as the program runs.
    if let Some(lock) = entry::use_complete(&dir, &header.name, &trailer.raw)? {
        return launch::exec(exe, &dir, &header.name, depth, lock);
    }
    match extract::extract_cold(&mut file, &trailer, &header, &dir) {
        Ok(()) => {
            housekeeping::remove_old_versions(&dir, &header.name);
            let lock = entry::use_complete(&dir, &header.name, &trailer.raw)?;
            launch::exec(exe, &dir, &header.name, depth, lock.ok_or_else(|| bad("the extraction vanished"))?)
        }
        // The cache cannot be written (read-only, another user's).
        Err(extract::ColdError::Unwritable(why)) => run_from_temp(exe, &mut file, &trailer, &header, depth, why),
        Err(extract::ColdError::Fail(fail)) => Err(fail),
    }
}

/// Extracts into a private temp dir, runs the program as a child, deletes
/// the dir, and ends the way the program ended.
fn run_from_temp(
    exe: &Path,
    file: &mut File,
    trailer: &trailer::Trailer,
    header: &trailer::Header,
    depth: u32,
    why: String,
) -> Result<i32, Fail> {
    let tmp = dirs::private_temp_dir(&header.name).map_err(|e| (EXIT_IO, format!("{why}; and no temp dir: {e}")))?;
    let result = extract::extract_into(file, trailer, header, &tmp)
        .and_then(|_| launch::run_and_wait(exe, &tmp, &header.name, depth));
    let _ = std::fs::remove_dir_all(&tmp);
    result.map(launch::exit_like)
}

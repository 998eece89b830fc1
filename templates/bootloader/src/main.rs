//! The cargo-freeze one-file bootloader: finds its own trailer, extracts the
//! payload once into a content-addressed cache dir, then hands off to the
//! extracted program (execve on Unix). See FORMAT.md in cargo-freeze.

use sha2::{Digest, Sha256};
use std::env;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const MAGIC: &[u8; 8] = b"CFRZ1FIL";
const VERSION: u32 = 1;
const TRAILER_LEN: u64 = 80;
const MARKER: &str = ".cargo-freeze-complete";
/// Distinct exit codes so callers can tell the launcher failed, not the app.
const EXIT_BAD_BUNDLE: u8 = 120;
const EXIT_FUSE: u8 = 121;
const EXIT_IO: u8 = 122;

struct Trailer {
    fuse: u32,
    payload_offset: u64,
    payload_len: u64,
    unpacked: u64,
    header_len: u64,
    hash: [u8; 32],
}

struct Header {
    name: String,
    spec: String,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err((code, msg)) => {
            eprintln!("cargo-freeze bootloader: {msg}");
            ExitCode::from(code)
        }
    }
}

type Fail = (u8, String);

fn bad(msg: impl Into<String>) -> Fail {
    (EXIT_BAD_BUNDLE, msg.into())
}

fn io_fail(what: &str, path: &Path, e: io::Error) -> Fail {
    (EXIT_IO, format!("failed to {what} {}: {e}", path.display()))
}

fn run() -> Result<ExitCode, Fail> {
    let exe = env::current_exe().map_err(|e| (EXIT_IO, format!("cannot find own executable: {e}")))?;
    let mut file = File::open(&exe).map_err(|e| io_fail("open", &exe, e))?;
    let trailer = read_trailer(&mut file, &exe)?;
    let header = read_header(&mut file, &trailer)?;
    let depth = fuse(&exe, &trailer)?;
    let hex = hex16(&trailer.hash);
    let dir = resolve_spec(&header.spec, &header.name, &hex)?;
    if !is_complete(&dir)? {
        extract_cold(&mut file, &trailer, &header, &dir)?;
    }
    launch(&exe, &dir, &header.name, depth)
}

fn read_trailer(file: &mut File, exe: &Path) -> Result<Trailer, Fail> {
    let len = file.seek(SeekFrom::End(0)).map_err(|e| io_fail("read", exe, e))?;
    if len < TRAILER_LEN {
        return Err(bad(format!("{} is not a cargo-freeze one-file (too short)", exe.display())));
    }
    let mut t = [0u8; TRAILER_LEN as usize];
    file.seek(SeekFrom::Start(len - TRAILER_LEN)).and_then(|_| file.read_exact(&mut t)).map_err(|e| io_fail("read", exe, e))?;
    if &t[0..8] != MAGIC {
        return Err(bad(format!("{} has no cargo-freeze trailer (wrong magic); the file is truncated or not a one-file bundle", exe.display())));
    }
    let u32_at = |i: usize| u32::from_le_bytes(t[i..i + 4].try_into().unwrap());
    let u64_at = |i: usize| u64::from_le_bytes(t[i..i + 8].try_into().unwrap());
    let version = u32_at(8);
    if version != VERSION {
        return Err(bad(format!("format version {version} is not supported by this bootloader (supports {VERSION})")));
    }
    let trailer = Trailer {
        fuse: u32_at(12),
        payload_offset: u64_at(16),
        payload_len: u64_at(24),
        unpacked: u64_at(32),
        header_len: u64_at(40),
        hash: t[48..80].try_into().unwrap(),
    };
    let end = trailer.payload_offset.checked_add(trailer.payload_len).and_then(|e| e.checked_add(trailer.header_len));
    if end != Some(len - TRAILER_LEN) {
        return Err(bad("the trailer's offsets do not match the file size (truncated or corrupted)"));
    }
    Ok(trailer)
}

fn read_header(file: &mut File, t: &Trailer) -> Result<Header, Fail> {
    if t.header_len > 64 * 1024 {
        return Err(bad("header too large (corrupted)"));
    }
    let mut buf = vec![0u8; t.header_len as usize];
    file.seek(SeekFrom::Start(t.payload_offset + t.payload_len))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|e| bad(format!("cannot read header: {e}")))?;
    let text = String::from_utf8(buf).map_err(|_| bad("header is not UTF-8 (corrupted)"))?;
    let mut lines = text.splitn(2, '\n');
    let name = lines.next().unwrap_or_default().to_string();
    let spec = lines.next().unwrap_or_default().to_string();
    if name.is_empty() || name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return Err(bad("header has an invalid program name (corrupted)"));
    }
    Ok(Header { name, spec })
}

/// Counts nested launches of this same bundle. A child that comes back via
/// argv[0] inherits the counter and adds one; an unguarded program that
/// relaunches itself forever is stopped at the limit.
fn fuse(exe: &Path, t: &Trailer) -> Result<u32, Fail> {
    let same = env::var_os("CARGO_FREEZE_BUNDLE").map(PathBuf::from).as_deref() == Some(exe);
    let depth = if same { env::var("CARGO_FREEZE_DEPTH").ok().and_then(|d| d.parse::<u32>().ok()).unwrap_or(0) } else { 0 };
    if depth >= t.fuse {
        return Err((
            EXIT_FUSE,
            format!("refusing to launch: {} nested launches of this bundle reached the storm fuse limit ({}); the program keeps re-running itself (add a child-dispatch guard, see `cargo freeze check`)", depth, t.fuse),
        ));
    }
    Ok(depth + 1)
}

fn hex16(hash: &[u8; 32]) -> String {
    hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn resolve_spec(spec: &str, name: &str, hex: &str) -> Result<PathBuf, Fail> {
    let spec = if spec.is_empty() { "{cache}/cargo-freeze/{name}-{hash}" } else { spec };
    let mut out = spec.replace("{name}", name).replace("{hash}", hex);
    if out.contains("{cache}") {
        out = out.replace("{cache}", &cache_dir()?.to_string_lossy());
    }
    if out.contains("{tmp}") {
        out = out.replace("{tmp}", &env::temp_dir().to_string_lossy());
    }
    let dir = PathBuf::from(out);
    if !dir.is_absolute() {
        return Err(bad(format!("runtime dir {} is not absolute", dir.display())));
    }
    Ok(dir)
}

fn cache_dir() -> Result<PathBuf, Fail> {
    #[cfg(windows)]
    {
        if let Some(d) = env::var_os("LOCALAPPDATA") {
            return Ok(PathBuf::from(d));
        }
    }
    #[cfg(target_os = "macos")]
    {
        if let Some(h) = env::var_os("HOME") {
            return Ok(PathBuf::from(h).join("Library/Caches"));
        }
    }
    if let Some(d) = env::var_os("XDG_CACHE_HOME").filter(|d| Path::new(d).is_absolute()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(h) = env::var_os("HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(h).join(".cache"));
    }
    Err((EXIT_IO, "no cache dir: set XDG_CACHE_HOME or HOME, or build with --runtime-dir".into()))
}

/// Warm path: a finished extraction has the marker, written last before
/// the atomic rename, so its presence proves completeness. No hashing.
fn is_complete(dir: &Path) -> Result<bool, Fail> {
    if !dir.join(MARKER).exists() {
        return Ok(false);
    }
    check_safe(dir)?;
    Ok(true)
}

#[cfg(unix)]
fn check_safe(dir: &Path) -> Result<(), Fail> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(dir).map_err(|e| io_fail("inspect", dir, e))?;
    let uid = unsafe_uid();
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o022 != 0 {
        return Err((
            EXIT_IO,
            format!("refusing to use {}: it is not a directory owned by you (uid {uid}) and unwritable by others; remove it or fix its permissions (chmod go-w)", dir.display()),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_safe(_dir: &Path) -> Result<(), Fail> {
    Ok(())
}

#[cfg(unix)]
fn unsafe_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of a file we just could create would need libc; /proc/self
    // is owned by our effective uid on Linux, and $HOME-less systems too.
    fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or_else(|_| {
        let probe = env::temp_dir().join(format!(".cfz-uid-{}", std::process::id()));
        let uid = File::create(&probe).and_then(|f| f.metadata()).map(|m| m.uid()).unwrap_or(u32::MAX);
        let _ = fs::remove_file(&probe);
        uid
    })
}

fn create_private_dirs(dir: &Path) -> Result<(), Fail> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| io_fail("create", dir, e))
}

fn extract_cold(file: &mut File, t: &Trailer, h: &Header, dir: &Path) -> Result<(), Fail> {
    let parent = dir.parent().ok_or_else(|| bad("runtime dir has no parent"))?;
    create_private_dirs(parent)?;
    check_safe(parent)?;
    let payload = read_verified(file, t)?;
    let base = dir.file_name().unwrap().to_string_lossy().into_owned();
    clean_stale(parent, &h.name);
    let tmp = parent.join(format!(".{base}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    create_private_dirs(&tmp)?;
    let result = unpack(&payload, t, &tmp).and_then(|()| {
        let marker = tmp.join(MARKER);
        let mut m = File::create(&marker).map_err(|e| io_fail("write", &marker, e))?;
        m.write_all(b"complete\n").and_then(|()| m.sync_all()).map_err(|e| io_fail("write", &marker, e))?;
        sync_dir(&tmp);
        Ok(())
    });
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    match fs::rename(&tmp, dir) {
        Ok(()) => {
            sync_dir(parent);
            Ok(())
        }
        // Another first start won the race: use its result.
        Err(_) if dir.join(MARKER).exists() => {
            let _ = fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(io_fail("rename into place", dir, e))
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes temp dirs of killed extractions (their pid is gone). Other
/// versions' extraction dirs stay: a running older version may still read
/// its files (delete the cache dir to reclaim their space).
fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    let prefix = format!("{name}-");
    for entry in entries.flatten() {
        let fname = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = fname.strip_prefix('.') else { continue };
        let Some((_, pid)) = rest.rsplit_once(".tmp-") else { continue };
        if rest.starts_with(&prefix) && !pid_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn pid_alive(pid: &str) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid).exists()
    } else {
        true
    }
}

fn read_verified(file: &mut File, t: &Trailer) -> Result<Vec<u8>, Fail> {
    if t.payload_len > (1 << 40) {
        return Err(bad("payload too large (corrupted)"));
    }
    let mut buf = vec![0u8; t.payload_len as usize];
    file.seek(SeekFrom::Start(t.payload_offset))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|e| bad(format!("cannot read payload: {e}")))?;
    let mut hasher = Sha256::new();
    hasher.update(&buf);
    let mut header = vec![0u8; t.header_len as usize];
    file.read_exact(&mut header).map_err(|e| bad(format!("cannot read header: {e}")))?;
    hasher.update(&header);
    let got: [u8; 32] = hasher.finalize().into();
    if got != t.hash {
        return Err(bad("payload hash mismatch: the bundle is corrupted; download or build it again"));
    }
    Ok(buf)
}

fn unpack(payload: &[u8], t: &Trailer, root: &Path) -> Result<(), Fail> {
    let mut dec = ruzstd::decoding::StreamingDecoder::new(payload).map_err(|e| bad(format!("payload is not zstd: {e}")))?;
    let mut raw = Vec::with_capacity(t.unpacked.min(1 << 32) as usize);
    dec.read_to_end(&mut raw).map_err(|e| bad(format!("payload does not decompress: {e}")))?;
    if raw.len() as u64 != t.unpacked {
        return Err(bad("unpacked size differs from the trailer (corrupted)"));
    }
    let mut pos = 0usize;
    let mut take = |n: usize| -> Result<&[u8], Fail> {
        let end = pos.checked_add(n).filter(|e| *e <= raw.len()).ok_or_else(|| bad("payload entry list is truncated"))?;
        let s = &raw[pos..end];
        pos = end;
        Ok(s)
    };
    let count = u32::from_le_bytes(take(4)?.try_into().unwrap());
    for _ in 0..count {
        let path_len = u32::from_le_bytes(take(4)?.try_into().unwrap()) as usize;
        let path = std::str::from_utf8(take(path_len)?).map_err(|_| bad("entry name is not UTF-8"))?.to_string();
        let mode = u32::from_le_bytes(take(4)?.try_into().unwrap());
        let size = u64::from_le_bytes(take(8)?.try_into().unwrap());
        let data = take(usize::try_from(size).map_err(|_| bad("entry too large"))?)?;
        let rel = safe_relative(&path)?;
        write_entry(&root.join(rel), mode, data)?;
    }
    Ok(())
}

/// Entries are relative `/`-separated paths; `..`, absolute paths and empty
/// components would write outside the extraction dir.
fn safe_relative(path: &str) -> Result<PathBuf, Fail> {
    let mut out = PathBuf::new();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') || part.contains(':') {
            return Err(bad(format!("entry `{path}` escapes the extraction dir (corrupted or hostile bundle)")));
        }
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        return Err(bad("empty entry name"));
    }
    Ok(out)
}

fn write_entry(path: &Path, mode: u32, data: &[u8]) -> Result<(), Fail> {
    if let Some(parent) = path.parent() {
        create_private_dirs(parent)?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if mode & 0o111 != 0 { 0o700 } else { 0o600 });
    }
    let _ = mode;
    let mut f = opts.open(path).map_err(|e| io_fail("create", path, e))?;
    f.write_all(data).and_then(|()| f.sync_all()).map_err(|e| io_fail("write", path, e))
}

fn launch(exe: &Path, dir: &Path, name: &str, depth: u32) -> Result<ExitCode, Fail> {
    let program = if cfg!(windows) { dir.join(format!("{name}.exe")) } else { dir.join(name) };
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    let mut cmd = std::process::Command::new(&program);
    cmd.args(&args)
        .env("CARGO_FREEZE_BUNDLE", exe)
        .env("CARGO_FREEZE_DIR", dir)
        .env("CARGO_FREEZE_DEPTH", depth.to_string());
    hand_off(cmd, &program)
}

#[cfg(unix)]
fn hand_off(mut cmd: std::process::Command, program: &Path) -> Result<ExitCode, Fail> {
    use std::os::unix::process::CommandExt;
    // argv[0] stays the user's, so children that re-run argv[0] come back
    // through this bootloader (and take the warm path).
    if let Some(arg0) = env::args_os().next() {
        cmd.arg0(arg0);
    }
    let e = cmd.exec();
    Err(io_fail("execute", program, e))
}

#[cfg(windows)]
fn hand_off(mut cmd: std::process::Command, program: &Path) -> Result<ExitCode, Fail> {
    job::kill_on_close();
    let status = cmd.status().map_err(|e| io_fail("execute", program, e))?;
    let code = status.code().unwrap_or(1);
    std::process::exit(code)
}

#[cfg(windows)]
mod job {
    //! A Job Object with kill-on-close, so the child dies with us.
    use windows_sys::Win32::System::JobObjects::*;
    use windows_sys::Win32::System::Threading::GetCurrentProcess;

    pub fn kill_on_close() {
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return;
            }
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                &info as *const _ as *const _,
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            AssignProcessToJobObject(job, GetCurrentProcess());
            // The handle is deliberately leaked: it closes when we exit.
        }
    }
}

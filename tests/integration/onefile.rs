//! One-file bundles: a real fixture binary in a one-dir tree is packed with
//! the library API, run through the real bootloader, and read back with the
//! real `cargo freeze inspect`.

use crate::support::{freeze, output_of, spawn_of};
use cargo_freeze::bundle::onefile::{PackOptions, PackReport, pack};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const TARGET: &str = "x86_64-unknown-linux-gnu";

pub(crate) fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds `fixtures/onefile/hello` once, in the shared fixtures target dir.
pub(crate) fn hello_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--manifest-path"])
            .arg(repo().join("fixtures/onefile/hello/Cargo.toml"))
            .env("CARGO_TARGET_DIR", repo().join("target/fixtures"))
            .status()
            .expect("run cargo");
        assert!(status.success(), "fixture build failed");
        repo().join("target/fixtures/debug/hello")
    })
}

/// A one-dir tree: the program plus a data file.
pub(crate) fn tree(dir: &Path) -> PathBuf {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("data")).unwrap();
    std::fs::copy(hello_binary(), tree.join("hello")).unwrap();
    std::fs::write(tree.join("data/greeting.txt"), "hi from data\n").unwrap();
    tree
}

pub(crate) fn pack_into(dir: &Path, runtime_dir: Option<String>) -> (PathBuf, PackReport) {
    let out = dir.join("dist/hello");
    let report = pack_tree(tree(dir), &out, runtime_dir);
    (out, report)
}

/// Packs the one-dir `tree` (program `hello`) into the one-file `out`.
pub(crate) fn pack_tree(tree: PathBuf, out: &Path, runtime_dir: Option<String>) -> PackReport {
    pack(&PackOptions {
        tree_dir: tree,
        name: "hello".into(),
        target: TARGET.into(),
        runtime_dir,
        fuse_limit: 8,
        cache_dir: repo().join("target/fixtures/cargo-freeze"),
        out: out.to_path_buf(),
        upx: None,
    })
    .expect("pack")
}

pub(crate) fn run(exe: &Path, cache: &Path, args: &[&str]) -> Output {
    output_of(
        Command::new(exe)
            .args(args)
            .env("XDG_CACHE_HOME", cache)
            .env_remove("CARGO_FREEZE_BUNDLE")
            .env_remove("CARGO_FREEZE_DEPTH"),
    )
    .expect("run the one-file")
}

pub(crate) fn extraction_dirs(cache: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(cache.join("cargo-freeze")) else { return vec![] };
    rd.map(|e| e.unwrap().file_name().into_string().unwrap()).collect()
}

#[test]
fn onefile_runs_the_program_with_its_own_status_output_and_pid() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, report) = pack_into(tmp.path(), None);
    assert!(report.bootloader_size > 0 && report.entries == 2, "{report:?}");
    let cache = tmp.path().join("cache");
    let out = run(&exe, &cache, &["7", "x"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("args=7 x"), "{stdout}");
    assert!(stdout.contains("data=hi from data"), "{stdout}");
    assert!(stdout.contains(&format!("CARGO_FREEZE_BUNDLE={}", exe.display())), "{stdout}");
    assert!(stdout.contains("CARGO_FREEZE_DEPTH=1"), "{stdout}");
    let dirs = extraction_dirs(&cache);
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    assert!(dirs[0].starts_with("hello-"), "{dirs:?}");
    assert!(stdout.contains(&format!("CARGO_FREEZE_DIR={}", cache.join("cargo-freeze").join(&dirs[0]).display())));
    let mode = std::fs::metadata(cache.join("cargo-freeze")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn execve_keeps_the_pid() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    let child = spawn_of(
        Command::new(&exe).env("XDG_CACHE_HOME", tmp.path().join("cache")).stdout(std::process::Stdio::piped()),
    )
    .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("hello pid={pid}\n")));
}

#[test]
fn warm_start_does_not_re_extract() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    let cache = tmp.path().join("cache");
    assert!(run(&exe, &cache, &[]).status.success());
    let dir = cache.join("cargo-freeze").join(&extraction_dirs(&cache)[0]);
    // A file we add to the finished dir survives the warm start, and the
    // program's own inode is unchanged: nothing was rewritten.
    std::fs::write(dir.join("sentinel"), "x").unwrap();
    let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(dir.join("hello")).unwrap());
    assert!(run(&exe, &cache, &[]).status.success());
    assert!(dir.join("sentinel").exists());
    assert_eq!(inode, std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(dir.join("hello")).unwrap()));
}

#[test]
fn same_input_gives_byte_identical_files() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (x, _) = pack_into(a.path(), None);
    // Different mtimes on the second tree must not matter.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (y, _) = pack_into(b.path(), None);
    assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
}

#[test]
fn corrupted_and_truncated_files_are_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, report) = pack_into(tmp.path(), None);
    let bytes = std::fs::read(&exe).unwrap();
    let mut flipped = bytes.clone();
    flipped[report.bootloader_size as usize + 20] ^= 0xff;
    let truncated = bytes[..bytes.len() - 10].to_vec();
    for (label, data, message) in
        [("flipped", flipped, "payload hash mismatch"), ("truncated", truncated, "no cargo-freeze trailer")]
    {
        let path = tmp.path().join(label);
        std::fs::write(&path, data).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cache = tmp.path().join(format!("cache-{label}"));
        let out = run(&path, &cache, &[]);
        assert_eq!(out.status.code(), Some(120), "{label}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(message), "{label}: {out:?}");
        assert!(extraction_dirs(&cache).is_empty(), "{label}: nothing extracted");
        let inspect = freeze().arg("inspect").arg(&path).output().unwrap();
        assert_eq!(inspect.status.code(), Some(2), "{label}");
    }
}

#[test]
fn unsafe_cache_dir_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    let cache = tmp.path().join("cache");
    std::fs::create_dir_all(cache.join("cargo-freeze")).unwrap();
    std::fs::set_permissions(cache.join("cargo-freeze"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = run(&exe, &cache, &[]);
    assert_eq!(out.status.code(), Some(122));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to use"), "{out:?}");
}

#[test]
fn concurrent_first_starts_all_succeed_and_leave_one_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    let cache = tmp.path().join("cache");
    let children: Vec<_> = (0..16)
        .map(|_| {
            spawn_of(Command::new(&exe).env("XDG_CACHE_HOME", &cache).stdout(std::process::Stdio::null())).unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(extraction_dirs(&cache).len(), 1, "{:?}", extraction_dirs(&cache));
}

#[test]
fn the_fuse_refuses_deep_nesting() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    // Started as the bundle's own child at nesting `depth`.
    let at_depth = |depth: &str| {
        output_of(
            Command::new(&exe)
                .env("XDG_CACHE_HOME", tmp.path().join("cache"))
                .env("CARGO_FREEZE_BUNDLE", &exe)
                .env("CARGO_FREEZE_DEPTH", depth),
        )
        .unwrap()
    };
    let out = at_depth("8");
    assert_eq!(out.status.code(), Some(121));
    assert!(String::from_utf8_lossy(&out.stderr).contains("storm fuse"));
    // Below the limit, a launch through the same bundle is fine.
    let ok = at_depth("3");
    assert!(String::from_utf8_lossy(&ok.stdout).contains("CARGO_FREEZE_DEPTH=4"));
}

#[test]
fn inspect_lists_and_extracts_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), Some("{tmp}/x-{name}-{hash}".into()));
    let dir = tmp.path().join("out");
    let out = freeze().arg("inspect").arg(&exe).arg("--extract").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("format version: 2") && stdout.contains("(verified)") && stdout.contains("rwx"),
        "{stdout}"
    );
    assert!(stdout.contains("runtime dir: {tmp}/x-{name}-{hash}"), "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.join("data/greeting.txt")).unwrap(), "hi from data\n");
    assert!(std::fs::metadata(dir.join("hello")).unwrap().permissions().mode() & 0o100 != 0);
}

#[test]
fn windows_fixture_runs_under_wine() {
    let wine = Path::new("/usr/lib/wine/wine64");
    if !crate::support::require(wine.exists(), "/usr/lib/wine/wine64 is absent (../shared/tools/setup-wine.sh)") {
        return;
    }
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--target", "x86_64-pc-windows-gnu", "--manifest-path"])
        .arg(repo().join("fixtures/onefile/hello/Cargo.toml"))
        .env("CARGO_TARGET_DIR", repo().join("target/fixtures"))
        .status()
        .unwrap();
    assert!(status.success());
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(tree.join("data")).unwrap();
    std::fs::copy(repo().join("target/fixtures/x86_64-pc-windows-gnu/debug/hello.exe"), tree.join("hello.exe"))
        .unwrap();
    std::fs::write(tree.join("data/greeting.txt"), "hi from data\n").unwrap();
    let out = tmp.path().join("hello.exe");
    pack(&PackOptions {
        tree_dir: tree,
        name: "hello".into(),
        target: "x86_64-pc-windows-gnu".into(),
        runtime_dir: None,
        fuse_limit: 8,
        cache_dir: repo().join("target/fixtures/cargo-freeze"),
        out: out.clone(),
        upx: None,
    })
    .expect("pack for windows");
    let run = Command::new(wine).arg(&out).args(["5", "a"]).env("WINEDEBUG", "-all").output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(5), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("data=hi from data") && stdout.contains("args=5 a"), "{stdout}");
}

#[test]
fn killed_extractions_leave_nothing_that_looks_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tree(tmp.path());
    // Incompressible data so the extraction takes long enough to be hit.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let big: Vec<u8> = (0..8 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(tree.join("data/big.bin"), big).unwrap();
    let out = tmp.path().join("hello");
    pack(&PackOptions {
        tree_dir: tree,
        name: "hello".into(),
        target: TARGET.into(),
        runtime_dir: None,
        fuse_limit: 8,
        cache_dir: repo().join("target/fixtures/cargo-freeze"),
        out: out.clone(),
        upx: None,
    })
    .unwrap();
    let cache = tmp.path().join("cache");
    for round in 0..10u64 {
        let mut child =
            spawn_of(Command::new(&out).env("XDG_CACHE_HOME", &cache).stdout(std::process::Stdio::null())).unwrap();
        // Kill points spread over the extraction; not a timing assertion.
        std::thread::sleep(std::time::Duration::from_millis(round * 7));
        let _ = child.kill();
        let _ = child.wait();
        for name in extraction_dirs(&cache).iter().filter(|n| n.starts_with("hello-")) {
            let dir = cache.join("cargo-freeze").join(name);
            assert!(dir.join(".cargo-freeze-complete").exists(), "round {round}: {name} has no marker");
        }
    }
    let last = run(&out, &cache, &[]);
    assert!(last.status.success(), "{last:?}");
    let left = extraction_dirs(&cache);
    assert_eq!(left.len(), 1, "stale temp dirs are cleaned: {left:?}");
}

#[test]
fn runs_as_a_non_root_user() {
    let can_switch = nix_is_root() && Command::new("setpriv").arg("--version").output().is_ok();
    if !crate::support::require(can_switch, "needs root and setpriv to switch to uid 65534") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(exe.parent().unwrap(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    Command::new("chown").arg("65534:65534").arg(&home).status().unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .arg("3")
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("data=hi from data"));
}

pub(crate) fn nix_is_root() -> bool {
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0
}

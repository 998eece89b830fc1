//! `cargo freeze --onedir` end to end on the fixtures in `fixtures/bundle/`
//! (and a guarded self-spawner from `fixtures/probe/`): the bundle runs
//! where its libraries' original copies are gone, the unbundled binary
//! does not (so the tests test something), an existing bundle is never
//! replaced by a failed or unasked run, bad input leaves nothing behind.

use crate::support::require;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// One test moves the private library's build directory aside: the tests
/// that bundle that fixture run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo freeze --onedir --message-format json` on a fixture manifest.
fn onedir(manifest: &str, dist: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "--onedir", "--quiet", "--message-format", "json", "--manifest-path"])
        .arg(root().join(manifest))
        .arg("--dist")
        .arg(dist)
        .args(extra)
        .env("CARGO_TARGET_DIR", root().join("target/fixtures"))
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("run cargo-freeze --onedir")
}

fn manifest_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn file<'a>(manifest: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    manifest["files"].as_array().unwrap().iter().find(|f| f["kind"] == kind).expect(kind)
}

fn run(exe: &Path) -> Output {
    Command::new(exe).env_remove("LD_LIBRARY_PATH").output().expect("run")
}

#[test]
fn private_library_travels_with_the_bundle() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dist = tempfile::tempdir().unwrap();
    let out = onedir("fixtures/bundle/private-lib/Cargo.toml", dist.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = manifest_of(&out);
    let lib = file(&manifest, "library");
    assert_eq!(lib["path"], "lib/libgreet.so");
    let gate = &manifest["gate"];
    assert_eq!(gate["check"]["binaries"][0]["verdict"], "no-self-spawn", "{gate:#}");
    assert_eq!(gate["check"]["binaries"][0]["probe"]["verdict"], "pass", "{gate:#}");
    assert_eq!(gate["bundle_probe"]["verdict"], "pass", "the bundle itself was probed: {gate:#}");
    let unbundled = PathBuf::from(file(&manifest, "executable")["source"].as_str().unwrap());
    let bundled = dist.path().join("private-lib/private-lib");

    let failed = run(&unbundled);
    assert_eq!(failed.status.code(), Some(127), "the unbundled binary cannot find libgreet.so");
    assert!(String::from_utf8_lossy(&failed.stderr).contains("libgreet.so"));

    // Move the library's private build directory away: the bundle must not need it.
    let private = Path::new(lib["source"].as_str().unwrap()).parent().unwrap().to_path_buf();
    let moved = private.with_extension("moved");
    std::fs::rename(&private, &moved).unwrap();
    let ran = run(&bundled);
    std::fs::rename(&moved, &private).unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "the private library says 42\n", "{ran:?}");

    // The manifest's hashes are those of the files on disk.
    for f in manifest["files"].as_array().unwrap() {
        let path = dist.path().join("private-lib").join(f["path"].as_str().unwrap());
        let sum = Command::new("sha256sum").arg(&path).output().unwrap();
        let sum = String::from_utf8_lossy(&sum.stdout);
        assert_eq!(sum.split_whitespace().next(), f["sha256"].as_str(), "{}", path.display());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), f["size"].as_u64().unwrap());
    }
}

#[test]
fn system_library_is_used_from_the_bundle_when_hidden() {
    // SAFETY: plain syscall.
    if !require(unsafe { libc::geteuid() } == 0, "needs root to hide libsqlite3 in a mount namespace") {
        return;
    }
    let dist = tempfile::tempdir().unwrap();
    let out = onedir("fixtures/bundle/system-lib/Cargo.toml", dist.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = manifest_of(&out);
    let lib = file(&manifest, "library");
    assert_eq!(lib["path"], "lib/libsqlite3.so.0");
    let system = Path::new(lib["source"].as_str().unwrap());
    let hidden = |exe: &Path| {
        let script = format!("mount --bind /dev/null {} && exec {}", system.display(), exe.display());
        Command::new("unshare").args(["--mount", "--propagation", "private", "sh", "-c", &script]).output().unwrap()
    };
    let bundled = hidden(&dist.path().join("system-lib/system-lib"));
    assert!(String::from_utf8_lossy(&bundled.stdout).starts_with("sqlite 3."), "{bundled:?}");
    let unbundled = hidden(Path::new(file(&manifest, "executable")["source"].as_str().unwrap()));
    assert_ne!(unbundled.status.code(), Some(0), "the hidden system copy is really hidden: {unbundled:?}");
}

#[test]
fn an_existing_bundle_is_replaced_only_with_clean() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dist = tempfile::tempdir().unwrap();
    let manifest = "fixtures/bundle/private-lib/Cargo.toml";
    assert_eq!(onedir(manifest, dist.path(), &[]).status.code(), Some(0));
    let marker = dist.path().join("private-lib/keep-me");
    std::fs::write(&marker, "earlier bundle").unwrap();
    let again = onedir(manifest, dist.path(), &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"), "{again:?}");
    assert!(marker.exists(), "the earlier bundle is untouched");
    let clean = onedir(manifest, dist.path(), &["--clean"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(manifest_of(&clean)["replaced"], true);
    assert!(!marker.exists(), "--clean replaced the bundle");
    assert_eq!(leftovers(dist.path()), Vec::<String>::new());
    // A directory of that name that is not a bundle is never replaced.
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir(other.path().join("private-lib")).unwrap();
    std::fs::write(other.path().join("private-lib/notes.txt"), "mine").unwrap();
    let refused = onedir(manifest, other.path(), &["--clean"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a one-dir bundle"), "{refused:?}");
    assert!(other.path().join("private-lib/notes.txt").is_file());
}

/// What a bundle run needs is checked before the build starts: a crate
/// that does not compile fails on the missing UPX (or the taken
/// destination), not on its compile error minutes later.
#[test]
fn missing_tools_and_taken_destinations_fail_before_the_build() {
    let krate = crate::support::scratch_crate(&[
        ("Cargo.toml", crate::support::MANIFEST),
        ("src/main.rs", b"fn main() { this does not compile }"),
    ]);
    let manifest = krate.path().join("Cargo.toml");
    let dist = krate.path().join("dist");
    let upx = onedir(manifest.to_str().unwrap(), &dist, &["--upx-dir", "/nonexistent-upx-dir"]);
    assert_eq!(upx.status.code(), Some(2), "{upx:?}");
    assert!(String::from_utf8_lossy(&upx.stderr).contains("/nonexistent-upx-dir/upx"), "{upx:?}");
    std::fs::create_dir_all(dist.join("scratch")).unwrap();
    let taken = onedir(manifest.to_str().unwrap(), &dist, &[]);
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already exists"), "{taken:?}");
    for out in [&upx, &taken] {
        assert!(!String::from_utf8_lossy(&out.stderr).contains("could not compile"), "no build ran: {out:?}");
    }
}

/// Staging or set-aside directories left in DIST.
fn leftovers(dist: &Path) -> Vec<String> {
    std::fs::read_dir(dist)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn bad_input_leaves_nothing_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dist = tempfile::tempdir().unwrap();
    let manifest = "fixtures/bundle/private-lib/Cargo.toml";
    let missing = onedir(manifest, dist.path(), &["--add-data", "no/such/file.txt:assets"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/file.txt does not exist"), "{missing:?}");
    let escaping = onedir(manifest, dist.path(), &["--add-data", "Cargo.toml:../outside"]);
    assert_eq!(escaping.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&escaping.stderr).contains("without `..`"), "{escaping:?}");
    assert!(!dist.path().join("private-lib").exists());
    assert_eq!(leftovers(dist.path()), Vec::<String>::new());
}

#[test]
fn data_files_land_at_their_destination() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dist = tempfile::tempdir().unwrap();
    let data = root().join("fixtures/bundle/private-lib/c");
    let spec = format!("{}:share", data.display());
    let out = onedir("fixtures/bundle/private-lib/Cargo.toml", dist.path(), &["--add-data", &spec]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dist.path().join("private-lib/share/c/greet.c").is_file());
    assert_eq!(file(&manifest_of(&out), "data")["path"], "share/c/greet.c");
}

/// A guarded program that starts workers of itself through
/// `current_exe()` still does so from the bundle (run under the probe).
/// Its package sets the bundle's name and a data file in
/// `[package.metadata.freeze]`.
#[test]
fn guarded_self_spawner_works_from_the_bundle() {
    let dist = tempfile::tempdir().unwrap();
    let out = onedir("fixtures/probe/Cargo.toml", dist.path(), &["--bin", "workers"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dist.path().join("worker-pool/share/lib.rs").is_file(), "add-data from the manifest");
    let bundled = dist.path().join("worker-pool/worker-pool");
    let probe = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "probe", "--cap", "48", "--timeout", "20", "-f", "json", "--"])
        .arg(&bundled)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&probe.stdout).unwrap();
    assert_eq!(report["verdict"], "pass", "{report:#}");
    assert_eq!(report["stdout"], "8 workers done\n", "{report:#}");
    let from_bundle = report["tree"].as_array().unwrap().iter().filter(|n| n["same_exe"] == true).count();
    assert_eq!(from_bundle, 9, "the parent and 8 workers all run the bundled file: {report:#}");
}

/// `--onefile`: the same tree packed behind the bootloader (see
/// onefile.rs for the runtime itself) carries the private library too.
#[test]
fn onefile_carries_the_private_library() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dist = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "--onefile", "--quiet", "--message-format", "json", "--manifest-path"])
        .arg(root().join("fixtures/bundle/private-lib/Cargo.toml"))
        .arg("--dist")
        .arg(dist.path())
        .env("CARGO_TARGET_DIR", root().join("target/fixtures"))
        // The gate probes the one-file: its extraction goes here, not to ~/.cache.
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = manifest_of(&out);
    assert_eq!(report["entries"], 2, "the program and lib/libgreet.so: {report:#}");
    let single = dist.path().join("private-lib");
    assert!(single.is_file());
    assert_eq!(leftovers(dist.path()), Vec::<String>::new(), "the staged tree is gone");
    let ran = Command::new(&single).env("XDG_CACHE_HOME", cache.path()).env_remove("LD_LIBRARY_PATH").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "the private library says 42\n", "{ran:?}");
}

/// `--upx`: the real UPX compresses the executable (verified with `upx
/// -t`), the bundle still runs; a file UPX declines is kept with the
/// reason; a missing UPX is exit 2 naming where it looked.
#[test]
fn upx_compresses_the_executable_and_the_bundle_still_runs() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !require(which_upx().is_some(), "upx is not installed (tests/run.sh installs it)") {
        return;
    }
    let dist = tempfile::tempdir().unwrap();
    let manifest = "fixtures/bundle/private-lib/Cargo.toml";
    let out = onedir(manifest, dist.path(), &["--upx", "--upx-libs"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = manifest_of(&out);
    let rows = report["upx"].as_array().unwrap();
    let exe = rows.iter().find(|r| r["path"] == "private-lib").expect("the executable was given to UPX");
    assert_eq!(exe["outcome"], "compressed", "{report:#}");
    assert!(exe["after"].as_u64().unwrap() < exe["before"].as_u64().unwrap() / 2, "{exe:#}");
    let lib = rows.iter().find(|r| r["path"] == "lib/libgreet.so").expect("--upx-libs gives libraries too");
    assert!(lib["outcome"] == "compressed" || lib["outcome"] == "skipped", "{lib:#}");
    let size = std::fs::metadata(dist.path().join("private-lib/private-lib")).unwrap().len();
    assert_eq!(size, exe["after"].as_u64().unwrap(), "the manifest follows the compressed file");
    let ran = run(&dist.path().join("private-lib/private-lib"));
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "the private library says 42\n", "{ran:?}");
    let test = Command::new(which_upx().unwrap())
        .args(["-t", "-q"])
        .arg(dist.path().join("private-lib/private-lib"))
        .output()
        .unwrap();
    assert!(test.status.success(), "upx -t accepts the bundled executable");

    let missing = onedir(manifest, dist.path(), &["--clean", "--upx-dir", "/nonexistent-upx-dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent-upx-dir/upx"), "{missing:?}");
    assert!(dist.path().join("private-lib/private-lib").exists(), "the earlier bundle is intact");
}

fn which_upx() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("upx")).find(|f| f.is_file()))
}

/// The check gate: a binary that storms is not bundled (exit 1, with the
/// findings); `--no-check` bundles it anyway (without running it).
#[test]
fn a_storming_binary_is_refused() {
    let dist = tempfile::tempdir().unwrap();
    let refused = onedir("fixtures/check/Cargo.toml", dist.path(), &["--bin", "storm"]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refusing to bundle `storm`"), "{refused:?}");
    let check = manifest_of(&refused);
    assert_eq!(check["binaries"][0]["verdict"], "undecided", "a counter fuse the static check cannot bound");
    assert_eq!(check["binaries"][0]["probe"]["verdict"], "storm");
    assert_eq!(check["binaries"][0]["probe"]["survivors"], 0);
    assert!(!dist.path().join("storm").exists(), "nothing was bundled");
    let forced = onedir("fixtures/check/Cargo.toml", dist.path(), &["--bin", "storm", "--no-check"]);
    assert_eq!(forced.status.code(), Some(0), "{}", String::from_utf8_lossy(&forced.stderr));
    assert_eq!(manifest_of(&forced)["gate"]["check"], serde_json::Value::Null);
    assert!(dist.path().join("storm/storm").is_file());
}

//! Run paths without patchelf, on `fixtures/bundle/lib-chain`: the
//! program needs libouter.so, which needs libinner.so (found, on the build
//! machine, through libouter's own run path to a private directory), and
//! libbypath.so, linked by its full path. The bundle is made with a PATH
//! that has no `patchelf`, runs after the private directory is moved away
//! (the unbundled binary does not), `ldd` (the real loader) finds every
//! library in the bundle's `lib/`, and UPX packs the edited libraries into
//! a bundle that still runs.

use crate::support::{path_without, require};
use cargo_freeze::bundle::elf::ElfInfo;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// The tests move the fixture's private directory away: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo freeze --onedir` of the fixture into `dist`, with `path` as PATH.
fn bundle(dist: &Path, path: &std::ffi::OsStr, extra: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "--onedir", "--quiet", "--clean", "--message-format", "json", "--manifest-path"])
        .arg(root().join("fixtures/bundle/lib-chain/Cargo.toml"))
        .arg("--dist")
        .arg(dist)
        .args(extra)
        .env("CARGO_TARGET_DIR", root().join("target/fixtures"))
        .env("PATH", path)
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("run cargo-freeze");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the JSON summary")
}

fn library<'a>(summary: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let files = summary["files"].as_array().unwrap();
    files.iter().find(|f| f["path"] == format!("lib/{name}")).unwrap_or_else(|| panic!("lib/{name}: {summary:#}"))
}

fn run(exe: &Path) -> Output {
    Command::new(exe).env_remove("LD_LIBRARY_PATH").output().expect("run")
}

/// Runs `f` with the fixture's private library directory moved away.
fn without_private_dir<T>(summary: &serde_json::Value, f: impl FnOnce() -> T) -> T {
    let private =
        PathBuf::from(library(summary, "libinner.so")["source"].as_str().unwrap()).parent().unwrap().to_path_buf();
    let moved = private.with_extension("moved");
    std::fs::rename(&private, &moved).unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::fs::rename(&moved, &private).unwrap();
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[test]
fn a_chain_of_private_libraries_runs_from_the_bundle_without_patchelf() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let (_bin, path) = path_without("patchelf");
    assert!(which::which_in("patchelf", Some(&path), root()).is_err(), "patchelf is hidden");
    assert!(which::which_in("cargo", Some(&path), root()).is_ok(), "the rest of PATH is there");
    let dist = tempfile::tempdir().unwrap();
    let summary = bundle(dist.path(), &path, &[]);
    assert_eq!(summary["profile"], "release", "bundles are release builds by default");
    let bundled = dist.path().join("lib-chain/lib-chain");
    let exe = ElfInfo::read(&bundled).unwrap();
    assert_eq!((exe.rpath, exe.runpath), (vec!["$ORIGIN/lib".to_string()], vec![]), "linked in, as DT_RPATH");
    assert!(exe.needed.contains(&"libbypath.so".to_string()), "the path became a file name: {:?}", exe.needed);
    let outer = ElfInfo::read(&dist.path().join("lib-chain/lib/libouter.so")).unwrap();
    assert!(outer.runpath.is_empty() && outer.rpath.is_empty(), "its build-machine run path is gone: {outer:?}");
    let inner = library(&summary, "libinner.so");
    let original = std::fs::read(inner["source"].as_str().unwrap()).unwrap();
    let copy = std::fs::read(dist.path().join("lib-chain/lib/libinner.so")).unwrap();
    assert!(original == copy, "a library without run paths is copied byte for byte");
    let unbundled = PathBuf::from(summary["files"][0]["source"].as_str().unwrap());
    without_private_dir(&summary, || {
        assert_eq!(run(&unbundled).status.code(), Some(127), "the unbundled binary needs the private dir");
        let ran = run(&bundled);
        assert_eq!(String::from_utf8_lossy(&ran.stdout), "outer 42, by path 7\n", "{ran:?}");
        let ldd = Command::new("ldd").arg(&bundled).output().unwrap();
        let ldd = String::from_utf8_lossy(&ldd.stdout);
        let lib = dist.path().join("lib-chain/lib").canonicalize().unwrap();
        for name in ["libouter.so", "libinner.so", "libbypath.so"] {
            let line = ldd.lines().find(|l| l.trim_start().starts_with(name)).unwrap_or_default();
            let found = line.split("=> ").nth(1).and_then(|r| r.split(" (").next()).map(PathBuf::from);
            let found = found.and_then(|p| p.canonicalize().ok());
            assert_eq!(found, Some(lib.join(name)), "ldd: {name} from the bundle:\n{ldd}");
        }
    });
}

/// `--upx --upx-libs`: UPX accepts the libraries whose dynamic section was
/// edited (patchelf's rewrite made UPX 4.2 refuse them: "DT_GNU_HASH above
/// stub"), every packed file passes `upx -t`, and the bundle runs without
/// the private directory.
#[test]
fn upx_packs_the_edited_libraries_and_the_bundle_runs() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Ok(upx) = which::which("upx") else {
        require(false, "upx is not installed (tests/run.sh installs it)");
        return;
    };
    let dist = tempfile::tempdir().unwrap();
    let summary = bundle(dist.path(), &std::env::var_os("PATH").unwrap(), &["--upx", "--upx-libs"]);
    let rows = summary["upx"].as_array().unwrap();
    for path in ["lib-chain", "lib/libouter.so", "lib/libinner.so", "lib/libbypath.so"] {
        let row = rows.iter().find(|r| r["path"] == path).unwrap_or_else(|| panic!("{path}: {summary:#}"));
        assert_eq!(row["outcome"], "compressed", "{row:#}");
        let test = Command::new(&upx).args(["-t", "-q"]).arg(dist.path().join("lib-chain").join(path)).output();
        assert!(test.unwrap().status.success(), "upx -t {path}");
    }
    without_private_dir(&summary, || {
        let ran = run(&dist.path().join("lib-chain/lib-chain"));
        assert_eq!(String::from_utf8_lossy(&ran.stdout), "outer 42, by path 7\n", "{ran:?}");
    });
}

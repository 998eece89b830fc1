//! `cargo freeze --onedir/--onefile --target aarch64-apple-darwin` for
//! real, cross-built here with cargo-zigbuild: a fixture linking two dylibs
//! that zig builds into a private directory (libhelper by its full path,
//! libgreet as `@rpath/libgreet.dylib`, which loads libhelper), with that
//! directory as a run path. Nothing Mach-O can run on this host, so the
//! bundle is inspected: read with goblin (not the writer's own reader),
//! every load command points inside the bundle or at the system, the run
//! path is `@executable_path/lib` alone, nothing outside the load commands
//! and the signature changed, and every code signature matches its file
//! (the signature reader first agrees with the hashes zig's linker wrote).
//! The one-file packs the same tree behind the bootloader built for the
//! target, whose own signature covers everything the kernel maps.
//! Skipped, with a note, where the target or zig is missing (`tests/apple.sh`
//! installs them into target/apple; CI runs it first).

use crate::support::require;
use cargo_freeze::bundle::macho_edit::Commands;
use cargo_freeze::bundle::macho_sign::{self, Signature};
use goblin::mach::MachO;
use serde_json::Value;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "aarch64-apple-darwin";
const ARM64: u32 = 0x0100_000c;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with tests/apple.sh's zig and cargo-zigbuild first.
fn apple_path() -> OsString {
    let mut dirs = vec![root().join("target/apple/venv/bin"), root().join("target/apple/tools/bin")];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).expect("PATH")
}

fn ready() -> bool {
    let target = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let has_target = target.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l == TARGET));
    let path = apple_path();
    let zigbuild = which::which_in("cargo-zigbuild", Some(&path), root()).is_ok();
    let zig = Command::new("python3").args(["-m", "ziglang", "version"]).env("PATH", &path).output();
    has_target
        && zigbuild
        && (zig.is_ok_and(|o| o.status.success()) || which::which_in("zig", Some(&path), root()).is_ok())
}

/// `cargo freeze MODE --target aarch64-apple-darwin` of the fixture into
/// `dist`, with `extra` flags.
fn bundle(mode: &str, dist: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", mode, "--quiet", "--target", TARGET, "--manifest-path"])
        .arg(root().join("fixtures/bundle/macos-dylib/Cargo.toml"))
        .arg("--dist")
        .arg(dist)
        .args(extra)
        .env("CARGO_TARGET_DIR", root().join("target/fixtures"))
        .env("PATH", apple_path())
        .output()
        .expect("run cargo-freeze")
}

/// An image's load commands as goblin reads them: (id, loads, rpaths).
fn load_commands(bytes: &[u8]) -> (Option<String>, Vec<String>, Vec<String>) {
    let m = MachO::parse(bytes, 0).expect("goblin reads it");
    assert_eq!(m.header.cputype, ARM64);
    let loads = m.libs.iter().skip(1).map(std::string::ToString::to_string).collect();
    (m.name.map(str::to_string), loads, m.rpaths.iter().map(std::string::ToString::to_string).collect())
}

/// Where the first section's data starts and the signature's range: the
/// bytes outside `[0, data)` and the signature must not change.
fn layout(bytes: &[u8]) -> (usize, (usize, usize)) {
    let m = MachO::parse(bytes, 0).unwrap();
    let sections = m.segments.iter().flat_map(|s| s.sections().unwrap()).map(|(s, _)| s);
    let data = sections.filter(|s| s.size > 0 && s.offset > 0).map(|s| s.offset as usize).min().unwrap();
    (data, Commands::read(bytes).unwrap().code_signature().expect("signed"))
}

/// Segments and sections as (name, address, size, file offset): the same
/// in the bundle as in the build.
fn shape(bytes: &[u8]) -> Vec<(String, u64, u64, u64)> {
    let m = MachO::parse(bytes, 0).unwrap();
    let mut out = Vec::new();
    for seg in &m.segments {
        out.push((seg.name().unwrap().to_string(), seg.vmaddr, seg.vmsize, seg.fileoff));
        for (s, _) in seg.sections().unwrap() {
            out.push((s.name().unwrap().to_string(), s.addr, s.size, u64::from(s.offset)));
        }
    }
    out
}

fn valid_signature(bytes: &[u8]) -> bool {
    let sig = Commands::read(bytes).unwrap().code_signature().expect("signed");
    macho_sign::stale_pages(bytes, sig) == Ok(vec![])
}

/// The bundle as inspected against the build it came from.
fn check_file(bundled: &Path, source: &Path) {
    let (new, old) = (std::fs::read(bundled).unwrap(), std::fs::read(source).unwrap());
    let what = bundled.display();
    assert!(valid_signature(&old), "the linker's own signature reads as valid: {}", source.display());
    assert!(valid_signature(&new), "{what}: the signature matches the edited file");
    assert_eq!(macho_sign::kind(&new, Some(layout(&new).1)), Ok(Signature::AdHoc), "{what}");
    assert_eq!(new.len(), old.len(), "{what}: same size");
    assert_eq!(shape(&new), shape(&old), "{what}: same segments and sections");
    let (data, (sig, sig_len)) = layout(&old);
    assert_eq!(layout(&new), (data, (sig, sig_len)));
    assert_eq!(new[data..sig], old[data..sig], "{what}: nothing changed past the load commands");
    assert_eq!(new[sig + sig_len..], old[sig + sig_len..], "{what}");
    assert_ne!(new[..data], old[..data], "{what}: its load commands were edited");
}

#[test]
fn macos_dylibs_travel_with_the_bundle() {
    if !require(ready(), "the aarch64-apple-darwin target, cargo-zigbuild or zig is missing (bash tests/apple.sh)") {
        return;
    }
    let dist = tempfile::tempdir().unwrap();
    let out = bundle("--onedir", dist.path(), &["--message-format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<(&str, &str)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["signature"].as_str().unwrap_or("(none)")))
        .collect();
    assert_eq!(
        files,
        [("macos-dylib", "ad-hoc"), ("lib/libgreet.dylib", "ad-hoc"), ("lib/libhelper.dylib", "ad-hoc")],
        "the program and its two dylibs, nothing else: {manifest:#}"
    );
    let reason = manifest["gate"]["bundle_probe_skipped"].as_str().unwrap_or_default();
    assert!(reason.contains("cannot run"), "the gate says why it did not probe: {manifest:#}");
    let tree = dist.path().join("macos-dylib");
    let source = |i: usize| PathBuf::from(manifest["files"][i]["source"].as_str().unwrap());

    // The build: libhelper by its full path, the private dir as run path.
    let private = source(2).parent().unwrap().to_path_buf();
    let (_, loads, rpaths) = load_commands(&std::fs::read(source(0)).unwrap());
    assert!(loads.contains(&source(2).display().to_string()), "{loads:?}");
    assert_eq!(rpaths, ["@executable_path/lib".to_string(), private.display().to_string()]);

    // The bundle: everything inside it or the system's.
    let (_, loads, rpaths) = load_commands(&std::fs::read(tree.join("macos-dylib")).unwrap());
    assert_eq!(loads, ["/usr/lib/libSystem.B.dylib", "@rpath/libgreet.dylib", "@rpath/libhelper.dylib"]);
    assert_eq!(rpaths, ["@executable_path/lib"]);
    let (id, loads, rpaths) = load_commands(&std::fs::read(tree.join("lib/libgreet.dylib")).unwrap());
    assert_eq!(id.as_deref(), Some("@rpath/libgreet.dylib"));
    assert_eq!(loads, ["/usr/lib/libSystem.B.dylib", "@loader_path/libhelper.dylib"]);
    assert!(rpaths.is_empty());
    let (id, loads, rpaths) = load_commands(&std::fs::read(tree.join("lib/libhelper.dylib")).unwrap());
    assert_eq!(id.as_deref(), Some("@rpath/libhelper.dylib"));
    assert_eq!((loads, rpaths), (vec!["/usr/lib/libSystem.B.dylib".to_string()], vec![]));
    for (i, file) in ["macos-dylib", "lib/libgreet.dylib", "lib/libhelper.dylib"].iter().enumerate() {
        check_file(&tree.join(file), &source(i));
    }

    onefile_reads_back(dist.path());

    // Without the private directory, bundling is refused, naming the dylib.
    let aside = private.with_extension("moved-away");
    std::fs::rename(&private, &aside).unwrap();
    let refused = bundle("--onedir", &dist.path().join("refused"), &["--no-check"]);
    std::fs::rename(&aside, &private).unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("@rpath/libgreet.dylib (needed by "), "{stderr}");
    assert!(!dist.path().join("refused/macos-dylib").exists(), "nothing half-made");
}

/// `--onefile` of the same build: `inspect` reads the tree back, and the
/// file starts with the arm64 bootloader, whose signature is valid and
/// covers every segment (the payload after it is never mapped).
fn onefile_reads_back(dist: &Path) {
    let out = bundle("--onefile", &dist.join("onefile"), &["--no-check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let packed = dist.join("onefile/macos-dylib");
    let inspect = Command::new(env!("CARGO_BIN_EXE_cargo-freeze")).args(["freeze", "inspect"]).arg(&packed).output();
    let inspect = inspect.unwrap();
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(inspect.status.success(), "{text}{}", String::from_utf8_lossy(&inspect.stderr));
    for entry in ["lib/libgreet.dylib", "lib/libhelper.dylib", "macos-dylib", "(verified)", "entries: 3"] {
        assert!(text.contains(entry), "{entry}: {text}");
    }
    let size = text.lines().find_map(|l| l.strip_prefix("bootloader: ")?.strip_suffix(" bytes")?.parse().ok());
    let bytes = std::fs::read(&packed).unwrap();
    let boot = &bytes[..size.expect("the bootloader's size")];
    let m = MachO::parse(boot, 0).expect("the bootloader is a Mach-O");
    assert_eq!((m.header.cputype, m.header.filetype), (ARM64, 2));
    let (sig, len) = Commands::read(boot).unwrap().code_signature().expect("the linker signed the bootloader");
    assert!(valid_signature(boot));
    let mapped = m.segments.iter().map(|s| s.fileoff + s.filesize).max().unwrap();
    assert_eq!((mapped as usize, sig + len), (boot.len(), boot.len()), "the signature ends the mapped image");
}

/// `--strip` and `--upx` have no tool for Mach-O here: refused (exit 2)
/// with the reason and what to do instead, before anything is built.
#[test]
fn strip_and_upx_are_refused_for_macos() {
    let dist = tempfile::tempdir().unwrap();
    for (flag, message) in [
        (
            "--strip",
            "--strip is not available for a macOS (Mach-O) bundle: binutils' strip does not write Mach-O files\nhelp: let rustc strip the binary when it links it: `strip = true` in the profile ([profile.release])",
        ),
        (
            "--upx",
            "--upx is not available for a macOS (Mach-O) bundle: UPX 4 refuses macOS executables (what it packs does not run on macOS 13 and later)\nhelp: drop --upx (or pass --noupx) for this target",
        ),
    ] {
        let out = bundle("--onedir", dist.path(), &[flag]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
        assert!(!stderr.contains("Compiling"), "refused before the build: {stderr}");
    }
}

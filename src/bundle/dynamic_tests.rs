//! The dynamic-section edits on objects the C compiler builds here, read
//! back with goblin ([`ElfInfo`]) and, for executables, run: an edited file
//! must still load and run under the real loader.

use super::*;
use crate::bundle::elf::ElfInfo;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `cc ARGS -o DIR/out`; returns the output's path.
fn cc(dir: &Path, out: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(out);
    let status = Command::new("cc").current_dir(dir).args(args).arg("-o").arg(&path).status().expect("run cc");
    assert!(status.success(), "cc {args:?}");
    path
}

fn source(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A library `libgreet.so` in `dir/lib` and a program that calls it.
fn program(dir: &Path, link: &[&str]) -> PathBuf {
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    source(dir, "greet.c", "int greet(void) { return 42; }\n");
    source(
        dir,
        "main.c",
        "#include <stdio.h>\nint greet(void);\nint main(void) { printf(\"%d\\n\", greet()); return 0; }\n",
    );
    cc(dir, "lib/libgreet.so", &["-shared", "-fPIC", "-Wl,-soname,libgreet.so", "greet.c"]);
    let mut args = vec!["main.c", "-Llib", "-lgreet"];
    args.extend_from_slice(link);
    cc(dir, "app", &args)
}

fn edit(path: &Path, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).unwrap();
    f(&mut bytes);
    std::fs::write(path, bytes).unwrap();
}

fn runs(exe: &Path) -> bool {
    let out = Command::new(exe).env_remove("LD_LIBRARY_PATH").output().unwrap();
    out.status.success() && out.stdout == b"42\n"
}

#[test]
fn a_runpath_of_the_wanted_dir_becomes_an_rpath() {
    let dir = tempfile::tempdir().unwrap();
    let exe = program(dir.path(), &["-Wl,--enable-new-dtags,-rpath,$ORIGIN/lib"]);
    assert_eq!(ElfInfo::read(&exe).unwrap().runpath, ["$ORIGIN/lib"]);
    edit(&exe, |b| assert_eq!(set_rpath(b, "$ORIGIN/lib"), Ok(RpathEdit::Retagged)));
    let info = ElfInfo::read(&exe).unwrap();
    assert_eq!((info.rpath, info.runpath), (vec!["$ORIGIN/lib".to_string()], vec![]));
    assert!(runs(&exe));
    edit(&exe, |b| assert_eq!(set_rpath(b, "$ORIGIN/lib"), Ok(RpathEdit::Unchanged)));
}

/// A longer run path that nothing else shares is overwritten in place;
/// the file keeps its size and runs from the new place.
#[test]
fn a_long_enough_run_path_is_rewritten_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let exe = program(dir.path(), &["-Wl,--enable-new-dtags,-rpath,/nonexistent/private/dir"]);
    assert!(!runs(&exe), "the library is not on the old run path");
    let size = std::fs::metadata(&exe).unwrap().len();
    edit(&exe, |b| assert_eq!(set_rpath(b, "$ORIGIN/lib"), Ok(RpathEdit::Rewritten)));
    let info = ElfInfo::read(&exe).unwrap();
    assert_eq!((info.rpath, info.runpath), (vec!["$ORIGIN/lib".to_string()], vec![]));
    assert_eq!(std::fs::metadata(&exe).unwrap().len(), size);
    assert!(runs(&exe));
}

#[test]
fn no_run_path_or_a_short_one_is_no_room() {
    let dir = tempfile::tempdir().unwrap();
    let exe = program(dir.path(), &[]);
    let before = std::fs::read(&exe).unwrap();
    edit(&exe, |b| assert_eq!(set_rpath(b, "$ORIGIN/lib"), Err(None)));
    let short = program(&dir.path().join("short"), &["-Wl,-rpath,/x"]);
    edit(&short, |b| assert_eq!(set_rpath(b, "$ORIGIN/lib"), Err(None)));
    assert_eq!(std::fs::read(&exe).unwrap(), before, "nothing written when there is no room");
}

/// Run paths are removed from a library; the entries after them shift up,
/// and the library still loads (the program finds it through its own
/// run path).
#[test]
fn run_paths_are_removed_and_the_library_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let exe = program(dir.path(), &["-Wl,--disable-new-dtags,-rpath,$ORIGIN/lib"]);
    let lib = dir.path().join("lib/libgreet.so");
    cc(dir.path(), "lib/libgreet.so", &["-shared", "-fPIC", "-Wl,-soname,libgreet.so", "-Wl,-rpath,/opt/x", "greet.c"]);
    let before = ElfInfo::read(&lib).unwrap();
    assert_eq!(before.runpath, ["/opt/x"]);
    edit(&lib, |b| assert_eq!(clear_run_paths(b), Ok(vec!["/opt/x".to_string()])));
    let after = ElfInfo::read(&lib).unwrap();
    assert!(after.runpath.is_empty() && after.rpath.is_empty(), "{after:?}");
    assert_eq!((after.soname, after.needed), (before.soname, before.needed), "the other entries are kept");
    assert!(runs(&exe));
    edit(&lib, |b| assert_eq!(clear_run_paths(b), Ok(vec![])));
}

/// A library linked by path (no soname): its `DT_NEEDED` is the path; it
/// becomes the file name, found along the program's run path.
#[test]
fn a_needed_path_becomes_its_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("private");
    std::fs::create_dir_all(&private).unwrap();
    source(dir.path(), "greet.c", "int greet(void) { return 42; }\n");
    cc(dir.path(), "private/libbypath.so", &["-shared", "-fPIC", "greet.c"]);
    source(
        dir.path(),
        "main.c",
        "#include <stdio.h>\nint greet(void);\nint main(void) { printf(\"%d\\n\", greet()); return 0; }\n",
    );
    let by_path = private.join("libbypath.so");
    let exe =
        cc(dir.path(), "app", &["main.c", by_path.to_str().unwrap(), "-Wl,--disable-new-dtags,-rpath,$ORIGIN/lib"]);
    assert!(ElfInfo::read(&exe).unwrap().needed.contains(&by_path.display().to_string()));
    let names = vec!["libbypath.so".to_string()];
    edit(&exe, |b| assert_eq!(needed_by_file_name(b, &names).unwrap().len(), 1));
    assert!(ElfInfo::read(&exe).unwrap().needed.contains(&"libbypath.so".to_string()));
    std::fs::create_dir_all(dir.path().join("lib")).unwrap();
    std::fs::rename(&by_path, dir.path().join("lib/libbypath.so")).unwrap();
    assert!(runs(&exe), "found in lib/ through the run path");
}

#[test]
fn a_file_that_is_not_elf_is_an_error() {
    assert!(clear_run_paths(&mut b"#!/bin/sh\n".to_vec()).is_err());
    let mut static_exe = std::fs::read("/proc/self/exe").unwrap();
    // This test binary is dynamically linked: it has a dynamic section.
    assert!(clear_run_paths(&mut static_exe).is_ok());
}

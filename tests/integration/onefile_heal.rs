//! A one-file's cache heals, and a start never depends on a home dir: a
//! damaged extraction (program deleted, truncated, made non-executable) is
//! extracted again on the next start; a changed trailer byte (the storm
//! fuse) is refused whether the cache is cold or warm; a hand-made payload
//! without its program is refused and nothing is committed; without HOME
//! (or with a HOME that does not exist) the program runs from a private
//! temp dir that is gone afterwards, and no HOME is created.

use crate::onefile::{extraction_dirs, pack_into, run};
use crate::support::output_of;
use cargo_freeze::bundle::onefile::layout;
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The one extraction dir of `cache`.
fn only_dir(cache: &Path) -> PathBuf {
    let dirs: Vec<String> = extraction_dirs(cache).into_iter().filter(|d| !d.starts_with('.')).collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    cache.join("cargo-freeze").join(&dirs[0])
}

/// A way to damage the extracted program.
type Damage<'a> = (&'a str, &'a dyn Fn(&Path));
/// A payload entry: path, mode, data.
type RawEntry<'a> = (&'a str, u32, &'a [u8]);

fn ran_ok(out: &std::process::Output) -> bool {
    out.status.code() == Some(3) && String::from_utf8_lossy(&out.stdout).contains("data=hi from data")
}

#[test]
fn a_damaged_extraction_is_extracted_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    let cache = tmp.path().join("cache");
    assert!(ran_ok(&run(&exe, &cache, &["3"])));
    let dir = only_dir(&cache);
    let program = dir.join("hello");
    let size = std::fs::metadata(&program).unwrap().len();
    let damages: [Damage<'_>; 3] = [
        ("deleted", &|p| std::fs::remove_file(p).unwrap()),
        ("truncated", &|p| std::fs::write(p, b"\x7fELF").unwrap()),
        ("not executable", &|p| std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap()),
    ];
    for (what, damage) in damages {
        damage(&program);
        let out = run(&exe, &cache, &["3"]);
        assert!(ran_ok(&out), "{what}: {out:?}");
        assert_eq!(only_dir(&cache), dir, "{what}: the same dir, healed in place");
        assert_eq!(std::fs::metadata(&program).unwrap().len(), size, "{what}");
        let leftovers: Vec<String> = extraction_dirs(&cache).into_iter().filter(|d| d.starts_with('.')).collect();
        assert_eq!(leftovers, Vec::<String>::new(), "{what}: the damaged copy was removed");
    }
}

/// The storm-fuse limit sits in the trailer, which the hash covers: a
/// flipped byte is refused before anything runs, on a cold start and on a
/// warm one (the marker records the trailer the extraction was checked
/// against), and the good extraction is left alone.
#[test]
fn a_changed_fuse_limit_is_refused_cold_and_warm() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    let mut bytes = std::fs::read(&exe).unwrap();
    let fuse = bytes.len() - 80 + 12;
    assert_eq!(bytes[fuse], 8, "the fuse limit's low byte");
    bytes[fuse] = 247;
    let flipped = tmp.path().join("flipped/hello");
    std::fs::create_dir_all(flipped.parent().unwrap()).unwrap();
    std::fs::write(&flipped, &bytes).unwrap();
    std::fs::set_permissions(&flipped, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cold = tmp.path().join("cold");
    let out = run(&flipped, &cold, &["3"]);
    assert_eq!(out.status.code(), Some(120), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("hash mismatch"), "{out:?}");
    assert_eq!(extraction_dirs(&cold), Vec::<String>::new(), "nothing extracted");
    let warm = tmp.path().join("warm");
    assert!(ran_ok(&run(&exe, &warm, &["3"])));
    let out = run(&flipped, &warm, &["3"]);
    assert_eq!(out.status.code(), Some(120), "the warm extraction is not used: {out:?}");
    assert!(ran_ok(&run(&exe, &warm, &["3"])), "the good bundle still starts");
}

/// A payload written by hand whose program entry is a directory, or
/// missing: refused (exit 120) on every start, and never committed.
#[test]
fn a_payload_without_its_program_is_refused_and_not_committed() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, report) = pack_into(tmp.path(), None);
    let boot = &std::fs::read(&exe).unwrap()[..report.bootloader_size as usize];
    let cases: [(&str, &[RawEntry<'_>]); 2] =
        [("a dir", &[("hello/inner", 0o755, b"#!/bin/sh\n")]), ("missing", &[("other", 0o755, b"#!/bin/sh\n")])];
    for (what, entries) in cases {
        let file = tmp.path().join(format!("hand-made-{}", what.replace(' ', "-")));
        std::fs::write(&file, hand_made(boot, "hello", entries)).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cache = tmp.path().join(format!("cache-{}", what.replace(' ', "-")));
        for start in 0..2 {
            let out = run(&file, &cache, &[]);
            assert_eq!(out.status.code(), Some(120), "{what}, start {start}: {out:?}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("has no program `hello`"), "{what}: {out:?}");
            assert_eq!(extraction_dirs(&cache), Vec::<String>::new(), "{what}: nothing committed");
        }
    }
}

/// A one-file written by hand: `boot`, then a payload of `entries` (path,
/// mode, data) in one zstd frame, the header and a trailer whose hash
/// covers them (FORMAT.md), through the format module the bootloader uses.
fn hand_made(boot: &[u8], name: &str, entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut raw = (entries.len() as u32).to_le_bytes().to_vec();
    for (path, mode, data) in entries {
        raw.extend_from_slice(&(path.len() as u32).to_le_bytes());
        raw.extend_from_slice(path.as_bytes());
        raw.extend_from_slice(&mode.to_le_bytes());
        raw.extend_from_slice(&(data.len() as u64).to_le_bytes());
        raw.extend_from_slice(data);
    }
    let payload = zstd::bulk::compress(&raw, 3).unwrap();
    let header = layout::header(name, "");
    let mut trailer = layout::Trailer {
        fuse: 8,
        payload_offset: boot.len() as u64,
        payload_len: payload.len() as u64,
        unpacked: raw.len() as u64,
        header_len: header.len() as u64,
        hash: [0; 32],
    };
    let hashed = [&payload[..], &header, &trailer.encode()[..layout::HASHED_TRAILER]].concat();
    trailer.hash = Sha256::digest(&hashed).into();
    [boot, &payload, &header, &trailer.encode()].concat()
}

/// Without XDG_CACHE_HOME and HOME, or with a HOME that does not exist,
/// the program runs from a private 0700 dir under TMPDIR, removed
/// afterwards; the missing HOME is not created.
#[test]
fn without_a_home_the_program_runs_from_a_private_temp_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let missing_home = tmp.path().join("no/such/home");
    for home in [None, Some(&missing_home)] {
        let mut command = Command::new(&exe);
        command.arg("3").env_remove("XDG_CACHE_HOME").env("TMPDIR", &scratch);
        match home {
            Some(home) => command.env("HOME", home),
            None => command.env_remove("HOME"),
        };
        let out = output_of(command.env_remove("CARGO_FREEZE_BUNDLE").env_remove("CARGO_FREEZE_DEPTH")).unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(ran_ok(&out), "HOME={home:?}: {out:?}");
        let prefix = format!("CARGO_FREEZE_DIR={}/cargo-freeze-hello-", scratch.display());
        assert!(stdout.contains(&prefix), "HOME={home:?}: {stdout}");
        assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0, "HOME={home:?}: the private dir is removed");
    }
    assert!(!tmp.path().join("no").exists(), "a missing HOME is never created");
}

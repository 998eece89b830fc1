//! The one-file's cache upkeep with the real bootloader: older versions of
//! a bundle are removed when a new one is extracted (the newest three by
//! last use kept, none unused for a week), never one whose program is
//! still running; a warm start records its use; and a cache that cannot be
//! written falls back to a private temp dir that is gone when the program
//! ends, with its exit status or signal passed on.

use crate::onefile::{extraction_dirs, hello_binary, nix_is_root, pack_into, pack_tree, run};
use crate::support::{output_of, require, spawn_of};
use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// Version `i` of the hello bundle: its data file differs, so its hash does.
fn version(root: &Path, i: u32) -> PathBuf {
    let tree = root.join(format!("v{i}/tree"));
    std::fs::create_dir_all(tree.join("data")).unwrap();
    std::fs::copy(hello_binary(), tree.join("hello")).unwrap();
    std::fs::write(tree.join("data/greeting.txt"), format!("version {i}\n")).unwrap();
    let out = root.join(format!("v{i}/hello"));
    pack_tree(tree, &out, None);
    out
}

/// Runs `exe` once and returns the extraction dir it used.
fn extract(exe: &Path, cache: &Path) -> String {
    let before = extraction_dirs(cache);
    let out = run(exe, cache, &[]);
    assert!(out.status.success(), "{out:?}");
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("CARGO_FREEZE_DIR=").map(String::from));
    let dir = line.expect("CARGO_FREEZE_DIR printed");
    let name = Path::new(&dir).file_name().unwrap().to_string_lossy().into_owned();
    assert!(before.contains(&name) || extraction_dirs(cache).contains(&name));
    name
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.retain(|n| !n.starts_with('.'));
    names.sort();
    names
}

/// A one-file program kept running (it holds its extraction) until dropped.
struct Held {
    child: std::process::Child,
    /// Kept open: a closed pipe would end the program early.
    _out: std::io::BufReader<std::process::ChildStdout>,
    /// The name of the extraction it runs from.
    dir: String,
}

impl Held {
    /// Starts `exe` and waits until it runs (its `args=` line).
    fn start(exe: &Path, cache: &Path) -> Held {
        let mut child = spawn_of(
            Command::new(exe).env("XDG_CACHE_HOME", cache).env("HELLO_SLEEP_MS", "60000").stdout(Stdio::piped()),
        )
        .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let (mut line, mut dir) = (String::new(), String::new());
        while out.read_line(&mut line).unwrap() > 0 && !line.starts_with("args=") {
            if let Some(path) = line.trim().strip_prefix("CARGO_FREEZE_DIR=") {
                dir = Path::new(path).file_name().unwrap().to_string_lossy().into_owned();
            }
            line.clear();
        }
        assert!(!dir.is_empty(), "{} started", exe.display());
        Held { child, _out: out, dir }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn old_versions_go_but_not_one_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let exes: Vec<PathBuf> = (1..=5).map(|i| version(tmp.path(), i)).collect();
    // Version 1 stays running: it holds its extraction.
    let held = Held::start(&exes[0], &cache);
    let v1 = held.dir.clone();
    let v: Vec<String> = exes[1..].iter().map(|exe| extract(exe, &cache)).collect();
    let (v2, v3, v4, v5) = (&v[0], &v[1], &v[2], &v[3]);
    // Newest three kept (5, 4, 3); 2 removed; 1 kept because it runs.
    assert_eq!(sorted(extraction_dirs(&cache)), sorted(vec![v1.clone(), v3.clone(), v4.clone(), v5.clone()]));
    drop(held);
    // Version 2 again: extracted afresh, and now 1 (free) and 3 go.
    assert_eq!(&extract(&exes[1], &cache), v2);
    assert_eq!(sorted(extraction_dirs(&cache)), sorted(vec![v2.clone(), v4.clone(), v5.clone()]));
    assert!(run(&exes[4], &cache, &[]).status.success(), "a kept version still starts warm");
}

/// Sets the last use of the extraction `name` (its marker's mtime).
fn used_ago(cache: &Path, name: &str, ago: Duration) {
    let marker = cache.join("cargo-freeze").join(name).join(".cargo-freeze-complete");
    let file = std::fs::OpenOptions::new().write(true).open(marker).unwrap();
    file.set_modified(SystemTime::now() - ago).unwrap();
}

fn last_use(cache: &Path, name: &str) -> SystemTime {
    let marker = cache.join("cargo-freeze").join(name).join(".cargo-freeze-complete");
    std::fs::metadata(marker).unwrap().modified().unwrap()
}

/// A version not started for over a week goes at the next extraction,
/// though fewer than three are kept, unless it is running; a warm start
/// marks its version used (once an hour at most, so an hour back here).
#[test]
fn versions_unused_for_a_week_go_unless_running() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let exes: Vec<PathBuf> = (1..=3).map(|i| version(tmp.path(), i)).collect();
    let v1 = extract(&exes[0], &cache);
    let v2 = extract(&exes[1], &cache);
    let week = Duration::from_secs(8 * 24 * 3600);
    used_ago(&cache, &v1, week);
    used_ago(&cache, &v2, Duration::from_secs(7200));
    assert!(run(&exes[1], &cache, &[]).status.success());
    let touched = SystemTime::now().duration_since(last_use(&cache, &v2)).unwrap();
    assert!(touched < Duration::from_secs(3600), "a warm start records its use ({touched:?} ago)");
    // Version 2 runs meanwhile and is a week old too: it stays.
    let held = Held::start(&exes[1], &cache);
    used_ago(&cache, &v2, week);
    let v3 = extract(&exes[2], &cache);
    assert_eq!(sorted(extraction_dirs(&cache)), sorted(vec![v2.clone(), v3.clone()]), "version 1 went");
    drop(held);
}

/// `cargo freeze cache` lists the extractions of the real bootloader (in
/// the default cache root, from XDG_CACHE_HOME), says which one a running
/// program holds, and `prune` removes the others, never that one.
#[test]
fn cache_command_lists_and_prunes_but_not_one_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let exes: Vec<PathBuf> = (1..=2).map(|i| version(tmp.path(), i)).collect();
    let v1 = extract(&exes[0], &cache);
    let held = Held::start(&exes[1], &cache);
    let cache_json = |args: &[&str]| -> serde_json::Value {
        let out = crate::support::freeze()
            .arg("cache")
            .args(args)
            .args(["-f", "json"])
            .env("XDG_CACHE_HOME", &cache)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let listed = cache_json(&["list"]);
    assert_eq!(listed["dir"], cache.join("cargo-freeze").to_str().unwrap(), "{listed:#}");
    let entries = listed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{listed:#}");
    assert!(entries.iter().all(|e| e["state"] == "whole" && e["name"] == "hello"), "{listed:#}");
    let in_use: Vec<bool> = entries.iter().map(|e| e["in_use"] == true).collect();
    assert_eq!(in_use.iter().filter(|b| **b).count(), 1, "the running version is in use: {listed:#}");
    let pruned = cache_json(&["prune"]);
    assert_eq!(pruned["removed"].as_array().unwrap().len(), 1, "{pruned:#}");
    assert_eq!(pruned["removed"][0]["path"].as_str().map(|p| p.ends_with(&v1)), Some(true), "{pruned:#}");
    assert_eq!(pruned["in_use"].as_array().unwrap().len(), 1, "{pruned:#}");
    assert_eq!(extraction_dirs(&cache).len(), 1, "only the running version is left");
    drop(held);
    let human = crate::support::freeze().args(["cache", "prune"]).env("XDG_CACHE_HOME", &cache).output().unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("Pruned 1 entry"), "{human:?}");
    assert_eq!(extraction_dirs(&cache), Vec::<String>::new(), "free now, so pruned");
    let homeless = crate::support::freeze().arg("cache").env_remove("XDG_CACHE_HOME").env_remove("HOME").output();
    let homeless = homeless.unwrap();
    assert_eq!(homeless.status.code(), Some(2), "{homeless:?}");
    assert!(String::from_utf8_lossy(&homeless.stderr).contains("pass --dir DIR"), "{homeless:?}");
}

/// The cache root cannot be written (root's dir, run as uid 65534; or a
/// 0555 dir for a non-root run): the program still runs, from a private
/// temp dir that is gone afterwards; a signal ends it the same way.
#[test]
fn an_unwritable_cache_falls_back_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, _) = pack_into(tmp.path(), None);
    for dir in [tmp.path(), exe.parent().unwrap()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let cache = tmp.path().join("readonly-cache");
    std::fs::create_dir(&cache).unwrap();
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let as_user = nix_is_root() && Command::new("setpriv").arg("--version").output().is_ok();
    if as_user {
        Command::new("chown").arg("65534:65534").arg(&scratch).status().unwrap();
    } else {
        require(false, "needs root and setpriv: the unwritable cache is tested as a 0555 dir of our own instead");
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let command = |args: &[&str]| {
        let mut command = if as_user {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        command.args(args).env("XDG_CACHE_HOME", &cache).env("TMPDIR", &scratch).env("HOME", &scratch);
        command
    };
    let out = output_of(&mut command(&["7", "x"])).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("data=hi from data") && stdout.contains("args=7 x"), "{stdout}");
    assert!(stdout.contains(&format!("CARGO_FREEZE_DIR={}/cargo-freeze-hello-", scratch.display())), "{stdout}");
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0, "the private dir is removed");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 0, "nothing written to the cache");

    // SIGTERM to the bootloader reaches the program; the bootloader ends
    // by the same signal, after removing the dir.
    let mut child = command(&[]).env("HELLO_SLEEP_MS", "60000").stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    // Kept open until the end: a closed pipe would end the program early.
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("hello pid="), "{line}");
    // The bootloader is the child we started (setpriv execs it in place).
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(15), "{status:?}");
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0, "removed after a signal too");
    drop(reader);
}

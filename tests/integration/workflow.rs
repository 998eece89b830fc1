//! The workflow `cargo freeze init --ci github` writes, executed: in a
//! scratch git repository (a copy of the hello fixture whose origin's
//! default branch is `trunk`, checked out on another branch), every `run:`
//! step of both jobs runs in order with bash as GitHub runs it, with the
//! workflow's `env:` and the bundle job's matrix values, and the install
//! step installing from this checkout (`--path`) instead of `--git`. The
//! verify step must pass for this tool and fail for an impostor printing
//! what the crates.io `cargo-freeze` prints; the check writes SARIF; the
//! bundle step builds the bootloader (a progress step of its own) and
//! writes the one-file the upload step names.

use crate::support::freeze;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=trunk"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A copy of the hello fixture in a git repo whose origin's default branch
/// is `trunk`, checked out on `feature`.
fn scratch_repo(dir: &Path) -> PathBuf {
    let work = dir.join("work");
    let fixture = repo().join("fixtures/onefile/hello");
    std::fs::create_dir_all(work.join("src")).unwrap();
    std::fs::copy(fixture.join("Cargo.toml"), work.join("Cargo.toml")).unwrap();
    std::fs::copy(fixture.join("src/main.rs"), work.join("src/main.rs")).unwrap();
    std::fs::write(work.join(".gitignore"), "/target\n").unwrap();
    git(dir, &["init", "-q", "--bare", "origin.git"]);
    git(&work, &["init", "-q"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "hello"]);
    git(&work, &["remote", "add", "origin", dir.join("origin.git").to_str().unwrap()]);
    git(&work, &["push", "-q", "origin", "trunk"]);
    git(&work, &["remote", "set-head", "origin", "--auto"]);
    git(&work, &["checkout", "-q", "-b", "feature"]);
    work
}

/// One `run:` step: its job, its name (or first line) and its script.
#[derive(Debug)]
struct Step {
    job: String,
    name: String,
    script: String,
}

/// The workflow's top-level `env:` and every `run:` step, in order. Reads
/// the subset of YAML the template uses: `run: CMD` and `run: |` blocks.
fn parse(workflow: &str) -> (Vec<(String, String)>, Vec<Step>) {
    let (mut env, mut steps) = (Vec::new(), Vec::new());
    let (mut section, mut job, mut name) = (String::new(), String::new(), String::new());
    let mut lines = workflow.lines().peekable();
    while let Some(line) = lines.next() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if indent == 0 && text.ends_with(':') {
            section = text.trim_end_matches(':').to_string();
        } else if section == "env" && indent == 2 && !text.starts_with('#') {
            let (key, value) = text.split_once(": ").expect("KEY: value");
            env.push((key.to_string(), value.trim_matches('"').to_string()));
        } else if section == "jobs" && indent == 2 && text.ends_with(':') {
            job = text.trim_end_matches(':').to_string();
        }
        if let Some(step) = text.strip_prefix("- ") {
            name = step.strip_prefix("name: ").unwrap_or(step).to_string();
        }
        let run = text.strip_prefix("- run: ").or_else(|| text.strip_prefix("run: "));
        match run {
            Some("|") => {
                let mut script = String::new();
                while let Some(next) = lines.next_if(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
                {
                    script.push_str(next.get(indent + 2..).unwrap_or(""));
                    script.push('\n');
                }
                steps.push(Step { job: job.clone(), name: name.clone(), script });
            }
            Some(command) => steps.push(Step { job: job.clone(), name: name.clone(), script: format!("{command}\n") }),
            None => {}
        }
    }
    (env, steps)
}

/// Runs a step as GitHub does (`bash --noprofile --norc -eo pipefail`).
fn run_step(step: &Step, work: &Path, env: &[(String, String)]) -> Output {
    let file = work.join(".step.sh");
    std::fs::write(&file, &step.script).unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&file)
        .current_dir(work)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run bash");
    std::fs::remove_file(file).unwrap();
    out
}

/// A CARGO_HOME of its own (so cargo finds the cargo-freeze installed
/// here, not one in ~/.cargo/bin) sharing the registry cache, emptied of
/// installs. At a fixed place: the dependencies' sources are under it, and
/// a new path every run would rebuild them all (the install, zstd-sys).
fn cargo_home() -> PathBuf {
    let home = repo().join("target/tmp/workflow-cargo-home");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let real = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    for shared in ["registry", "git", "config.toml", "config"] {
        if real.join(shared).exists() {
            std::os::unix::fs::symlink(real.join(shared), home.join(shared)).unwrap();
        }
    }
    home
}

#[test]
fn the_generated_workflow_runs_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let work = scratch_repo(tmp.path());
    let (workflow_env, steps) = written_workflow(&work);
    let home = cargo_home();
    let env = step_env(workflow_env, &home, tmp.path());
    // The bootloader is built on the bundle step's first use: its cached
    // copy goes (cargo's own build of it stays, so this is quick).
    let bootloaders = repo().join("target/tmp/workflow-target/cargo-freeze/bootloader");
    for entry in std::fs::read_dir(bootloaders).into_iter().flatten().flatten() {
        if entry.file_name() != "target" {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    for step in &steps {
        let out = run_local(step, &work, &env);
        assert!(out.status.success(), "{} / {}: {out:?}", step.job, step.name);
        if step.name == "Verify cargo-freeze" {
            let said = String::from_utf8_lossy(&out.stdout);
            assert_eq!(said, format!("using cargo-freeze {}\n", env!("CARGO_PKG_VERSION")));
        }
        if step.name == "Bundle" {
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(said.contains("Building the one-file bootloader for x86_64-unknown-linux-gnu"), "{said}");
        }
    }
    let read_json = |file: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(work.join(file)).unwrap()).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    assert_eq!(read_json("cargo-freeze.sarif")["version"], "2.1.0");
    let summary = read_json("freeze-hello-x86_64-unknown-linux-gnu.json");
    assert_eq!(summary["artifacts"][0]["path"], "target/freeze/onefile/hello", "{summary:#}");
    assert!(work.join("target/freeze/onefile/hello").is_file(), "what the upload step names");

    // An impostor (the crates.io crate prints this) fails the verify step.
    std::fs::write(home.join("bin/cargo-freeze"), "#!/bin/sh\necho 'Hello, world!'\n").unwrap();
    let verify = steps.iter().find(|s| s.name == "Verify cargo-freeze").unwrap();
    let out = run_step(verify, &work, &env);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    let series = env!("CARGO_PKG_VERSION").rsplit_once('.').unwrap().0;
    let expected = format!("::error::expected cargo-freeze {series}.x from ");
    assert!(said.contains(&expected) && said.contains("got: Hello, world!"), "{said}");
}

/// `init --ci github` in `work`: what it says, the workflow's branch, no
/// crates.io install, apt-get update first; its `env:` and its steps,
/// which must be the expected ones in order.
fn written_workflow(work: &Path) -> (Vec<(String, String)>, Vec<Step>) {
    let init = freeze().args(["init", "--ci", "github", "--manifest-path"]).arg(work.join("Cargo.toml")).output();
    let init = init.unwrap();
    assert!(init.status.success(), "{init:?}");
    let said = String::from_utf8_lossy(&init.stdout);
    assert!(said.contains("on pushes to `trunk` (origin's default branch)"), "{said}");
    let text = std::fs::read_to_string(work.join(".github/workflows/cargo-freeze.yml")).unwrap();
    assert!(text.contains("    branches: [trunk]\n"), "{text}");
    assert!(!text.contains("cargo install cargo-freeze"), "never the crates.io name: {text}");
    for line in text.lines().filter(|l| l.contains("apt-get install")) {
        assert!(line.contains("apt-get update &&"), "apt-get update first: {line}");
    }
    let (env, steps) = parse(&text);
    let names: Vec<(&str, &str)> = steps.iter().map(|s| (s.job.as_str(), s.name.as_str())).collect();
    let jobs = [("check", "Check"), ("bundle", "Bundle")];
    let want: Vec<(&str, &str)> = jobs
        .iter()
        .flat_map(|(job, last)| ["Install cargo-freeze", "Verify cargo-freeze", last].map(|name| (*job, name)))
        .collect();
    assert_eq!(names, want, "{steps:#?}");
    (env, steps)
}

/// The steps' environment: the workflow's `env:`, a CARGO_HOME of its own
/// first on PATH, no network, a kept target dir, a private one-file cache.
fn step_env(mut env: Vec<(String, String)>, home: &Path, tmp: &Path) -> Vec<(String, String)> {
    let path = format!("{}:{}", home.join("bin").display(), std::env::var("PATH").unwrap());
    env.extend([
        ("CARGO_HOME".to_string(), home.display().to_string()),
        ("PATH".to_string(), path),
        ("CARGO_NET_OFFLINE".to_string(), "true".to_string()),
        // Its own, kept between runs: the install builds incrementally.
        ("CARGO_TARGET_DIR".to_string(), repo().join("target/tmp/workflow-target").display().to_string()),
        ("XDG_CACHE_HOME".to_string(), tmp.join("cache").display().to_string()),
        ("NO_COLOR".to_string(), "1".to_string()),
    ]);
    env
}

/// Runs a step with the install from this checkout (`--path`, a debug
/// build) and the bundle job's matrix values for this host.
fn run_local(step: &Step, work: &Path, env: &[(String, String)]) -> Output {
    let local = format!("--path \"{}\" --debug", repo().display());
    let script = step
        .script
        .replace("--git \"$CARGO_FREEZE_GIT\" cargo-freeze", &local)
        .replace("${{ matrix.bin }}", "hello")
        .replace("${{ matrix.target }}", "x86_64-unknown-linux-gnu");
    let started = std::time::Instant::now();
    let out = run_step(&Step { job: step.job.clone(), name: step.name.clone(), script }, work, env);
    crate::support::note(&format!("{} / {}: {:.1} s", step.job, step.name, started.elapsed().as_secs_f64()));
    out
}

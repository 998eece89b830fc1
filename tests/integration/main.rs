//! Integration tests: every test runs the real `cargo-freeze` binary.
//!
//! - [`fixtures`]: each crate under `fixtures/lint/` is checked; its verdicts
//!   and diagnostic codes must match its `expect.txt`, and the JSON report is
//!   snapshot-tested.
//! - [`fix`]: `check --fix` on copies of every unguarded fixture: the
//!   original storms under the probe, the fixed one builds and passes the
//!   check and the probe; idempotence, `--dry-run`, the depth fuse, `exec`
//!   sites, uncommitted changes.
//! - [`init`]: `init` keeps every byte of a manifest, documents only real
//!   keys, is idempotent, writes the GitHub workflow.
//! - [`cli`]: exit codes, level flags, config, output formats, `--help`, both
//!   invocation shapes, running as a non-root user.
//! - [`messages`]: every user-facing failure message, snapshot-tested as
//!   exact text with its exit code.
//! - [`bad_input`]: broken manifests, missing and unparsable files, huge
//!   files, hostile nesting (3,000 parentheses or blocks), mutated sources:
//!   a clear message naming the file and the right exit code, never an abort.
//! - [`probe`]: the spawn-storm probe on the fixtures in `fixtures/probe/`
//!   (storm shapes, threads, guarded workers, a server, an exit status),
//!   as root and as uid 65534, each under an outer backstop.
//! - [`probe_matrix`]: the storm-shape matrix (13 storms, 4 calm
//!   programs) under an outer cgroup whose limit is below the cap, as root
//!   and as uid 65534; cargo-freeze killed mid-probe.
//! - [`probe_pacing`]: exec pacing: a chain too short and fast for a
//!   polling watchdog is seen at every exec, as root and as uid 65534.
//! - [`probe_delegated`]: a delegated cgroup v2 subtree (VM lane only).
//! - [`probe_v2`]: the probe's cgroup v2 leaf: storms killed by
//!   `cgroup.kill` on top of the v1 cap, the fallbacks (no v2, uid 65534,
//!   no cap at all) and what this host cannot show.
//! - [`probe_wine`]: the Windows probe (Job Object), cross-built and run
//!   under Wine inside the Linux probe.
//! - [`deps`]: shared-library resolution against `ldd` on every ELF
//!   executable of `/usr/bin` (the loader oracle).
//! - [`onedir`]: `cargo freeze --onedir` on fixtures that link a private C
//!   library and the system's libsqlite3; atomic replacement; bad input.
//! - [`onedir_runpath`]: run paths set without patchelf (none on PATH) on a
//!   chain of private libraries, one linked by path: the bundle runs where
//!   they are gone, `ldd` finds each in `lib/`, UPX packs the edited ones.
//! - [`onedir_windows`]: `--onedir --target x86_64-pc-windows-gnu` of a
//!   fixture linking a MinGW-built private DLL: the DLL beside the exe, no
//!   system DLL, the bundle runs under Wine without the DLL's directory.
//! - [`onedir_macos`]: `--onedir`/`--onefile --target aarch64-apple-darwin`
//!   (cargo-zigbuild) of a fixture linking two zig-built private dylibs:
//!   both in `lib/`, every load command inside the bundle or the system's,
//!   nothing else changed, every code signature valid (inspected: nothing
//!   Mach-O runs here); the one-file reads back.
//! - [`onefile`]: a fixture packed as a one-file runs through the real
//!   bootloader (exec, cache, fuse, corruption, SIGKILL mid-extraction,
//!   non-root, Wine) and reads back with `inspect`.
//! - [`release`]: release-script ergonomics on a copy of the hello fixture:
//!   the `upx*` config keys (flags win), a file UPX cannot pack, a broken
//!   UPX rolled back and reported, the one JSON summary, progress output.
//! - [`onefile_cache`]: old versions removed (beyond three, or unused for a
//!   week) but never one in use; a warm start records its use; an
//!   unwritable cache falls back to a private temp dir (uid 65534), gone
//!   afterwards, signals passed on.
//! - [`onefile_heal`]: a damaged extraction is extracted again; a changed
//!   trailer byte is refused cold and warm; a payload without its program
//!   is never committed; without HOME the program runs from a temp dir.
//! - [`workflow`]: the CI workflow `init --ci github` writes, its `run:`
//!   steps executed in a scratch git repo (install from this checkout):
//!   default branch, tool verified (an impostor fails), SARIF, a one-file.
//! - [`architecture`]: the rooms never import each other; only `report/`
//!   prints.

// The suite drives real Linux process trees, cgroups and setpriv; on other
// targets (the Windows cross-build that CI lints) it compiles to nothing.
#![cfg(unix)]

mod architecture;
mod bad_input;
mod cli;
mod deps;
mod fix;
mod fixtures;
mod init;
mod messages;
mod onedir;
mod onedir_macos;
mod onedir_runpath;
mod onedir_windows;
mod onefile;
mod onefile_cache;
mod onefile_frames;
mod onefile_heal;
mod outer;
mod probe;
mod probe_delegated;
mod probe_matrix;
mod probe_pacing;
mod probe_v2;
mod probe_wine;
mod release;
mod support;
mod workflow;

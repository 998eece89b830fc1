//! The bootloader crate under `templates/bootloader/`, embedded in the tool,
//! built for the bundle's target on first use and cached by a key over its
//! files, the target and `rustc -vV` (for macOS on another OS through
//! cargo-zigbuild: [`cargo::zig`]). Concurrent builds each build in their
//! own dir and rename the result into place; the last rename wins and every
//! candidate is identical in purpose.

use super::Error;
use crate::cargo;
use fs_err as fs;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../../../templates/bootloader/Cargo.toml")),
    ("Cargo.lock", include_str!("../../../templates/bootloader/Cargo.lock")),
    ("src/main.rs", include_str!("../../../templates/bootloader/src/main.rs")),
    ("src/decode.rs", include_str!("../../../templates/bootloader/src/decode.rs")),
    ("src/dirs.rs", include_str!("../../../templates/bootloader/src/dirs.rs")),
    ("src/entry.rs", include_str!("../../../templates/bootloader/src/entry.rs")),
    ("src/extract.rs", include_str!("../../../templates/bootloader/src/extract.rs")),
    ("src/fail.rs", include_str!("../../../templates/bootloader/src/fail.rs")),
    ("src/format.rs", include_str!("../../../templates/bootloader/src/format.rs")),
    ("src/housekeeping.rs", include_str!("../../../templates/bootloader/src/housekeeping.rs")),
    ("src/launch.rs", include_str!("../../../templates/bootloader/src/launch.rs")),
    ("src/trailer.rs", include_str!("../../../templates/bootloader/src/trailer.rs")),
    ("src/unpack.rs", include_str!("../../../templates/bootloader/src/unpack.rs")),
];

pub(crate) struct Built {
    pub path: PathBuf,
    pub cached: bool,
}

/// Where the bootloader for `target` is (or will be) cached under `cache`.
fn cached_path(target: &str, cache: &Path) -> Result<(PathBuf, PathBuf, String), Error> {
    let key = key(target, &cargo::rustc_version()?);
    let dir = cache.join("bootloader").join(&key);
    let done = dir.join(if target.contains("windows") { "bootloader.exe" } else { "bootloader" });
    Ok((dir, done, key))
}

/// Whether the bootloader for `target` is cached; if not, that a C
/// compiler for the target is there to build it (its zstd decoder is C).
pub(crate) fn prerequisites(target: &str, cache: &Path) -> Result<bool, Error> {
    if cached_path(target, cache)?.1.is_file() {
        return Ok(true);
    }
    // zig is the C compiler of a macOS build on another OS.
    if cargo::zig::needed(Some(target)) {
        return cargo::zig::program(target).map(|_| false).map_err(Error::Bootloader);
    }
    let (looked, found) = c_compiler(target);
    match found {
        true => Ok(false),
        false => Err(Error::NoCCompiler { target: target.to_string(), looked }),
    }
}

/// The C compiler the `cc` crate would use for `target` (`CC_<target>`,
/// `TARGET_CC`, `CC`, else its default name), and whether it is on PATH.
fn c_compiler(target: &str) -> (String, bool) {
    let vars = [format!("CC_{target}"), format!("CC_{}", target.replace('-', "_")), "TARGET_CC".into(), "CC".into()];
    let from_env = vars.iter().find_map(|v| std::env::var(v).ok().filter(|c| !c.trim().is_empty()));
    let arch = target.split('-').next().unwrap_or("x86_64");
    let host = std::env::consts::ARCH == arch && target.contains(std::env::consts::OS);
    let program = from_env.unwrap_or_else(|| match target {
        _ if host => "cc".to_string(),
        t if t.contains("-windows-gnu") => format!("{arch}-w64-mingw32-gcc"),
        t if t.contains("-linux-") => format!("{arch}-linux-gnu-gcc"),
        _ => "cc".to_string(),
    });
    // `CC` may hold arguments (`ccache gcc`): the first word is the program.
    let first = program.split_whitespace().next().unwrap_or("cc").to_string();
    let found = which::which(&first).is_ok();
    (first, found)
}

/// The bootloader for `target`, built once per key under `cache`.
pub(crate) fn ensure(target: &str, cache: &Path) -> Result<Built, Error> {
    let (dir, done, key) = cached_path(target, cache)?;
    if done.is_file() {
        return Ok(Built { path: done, cached: true });
    }
    let work = cache.join("bootloader").join(format!(".{key}.build-{}", std::process::id()));
    for (name, text) in FILES {
        let path = work.join("src-tree").join(name);
        fs::create_dir_all(path.parent().unwrap_or(&work)).map_err(Error::io("stage the bootloader"))?;
        fs::write(&path, text).map_err(Error::io("stage the bootloader"))?;
    }
    let request = cargo::BuildRequest {
        manifest_path: Some(work.join("src-tree/Cargo.toml")),
        units: vec![cargo::Unit { package: PACKAGE.into(), name: PACKAGE.into(), example: false }],
        target: Some(target.into()),
        profile: cargo::Profile::Release,
        quiet: true,
        target_dir: Some(cache.join("bootloader/target")),
        rustc_args: rustc_args(target),
        env: c_env(target),
        zig: cargo::zig::needed(Some(target)),
        ..cargo::BuildRequest::default()
    };
    // Concurrent builds share cargo's target dir (cargo locks it), but one
    // cargo may re-link the output while another copies it: retry the copy.
    let mut attempt = 0;
    loop {
        let built = cargo::build(&request)?;
        match copy_into_cache(&built[0].executable, &work, &dir, &done) {
            Err(_) if done.is_file() || attempt < 3 => attempt += 1,
            other => other?,
        }
        if done.is_file() {
            break;
        }
    }
    let _ = fs::remove_dir_all(&work);
    Ok(Built { path: done, cached: false })
}

fn copy_into_cache(exe: &Path, work: &Path, dir: &Path, done: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(Error::io("cache the bootloader"))?;
    let staged = work.join("bootloader");
    fs::copy(exe, &staged).map_err(Error::io("cache the bootloader"))?;
    fs::rename(&staged, done).map_err(Error::io("cache the bootloader"))
}

const PACKAGE: &str = "cargo-freeze-bootloader";

/// On Linux the bootloader is linked as a non-PIE executable: no dynamic
/// relocations (12 KB of the 400 KiB budget, BENCHMARKS.md). It runs for
/// milliseconds and then execs the program, which keeps its own PIE.
fn rustc_args(target: &str) -> Vec<String> {
    match target.contains("-linux-") {
        true => vec!["-C".to_string(), "relocation-model=static".to_string()],
        false => Vec::new(),
    }
}

/// The C flags of the vendored zstd decoder, set whole so that a user's
/// `CFLAGS` (say `-march=native`) never reaches a bootloader that runs on
/// other machines. The defines keep one of each of zstd's alternative
/// decoding loops (the long-offset sequence decoder and the double-symbol
/// Huffman decoder, the ones level-19 payloads want) and leave out its
/// x86-64 assembly (no difference measurable over this VM's noise against
/// the C loop it falls back to; Windows builds never had it): ~24 KB of the
/// 400 KiB budget, while keeping the BMI2 variants, ~25% faster per core
/// where the CPU has them (BENCHMARKS.md).
fn c_env(target: &str) -> Vec<(String, String)> {
    let own = "-DZSTD_FORCE_DECOMPRESS_SEQUENCES_LONG -DHUF_FORCE_DECOMPRESS_X2 -DZSTD_DISABLE_ASM".to_string();
    vec![
        ("CFLAGS".into(), String::new()),
        ("TARGET_CFLAGS".into(), String::new()),
        (format!("CFLAGS_{}", target.replace('-', "_")), String::new()),
        (format!("CFLAGS_{target}"), own),
    ]
}

fn key(target: &str, rustc: &str) -> String {
    let mut h = Sha256::new();
    for (name, text) in FILES {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    h.update(target.as_bytes());
    h.update([0]);
    h.update(rustc_args(target).join(" ").as_bytes());
    h.update([0]);
    for (k, v) in c_env(target) {
        h.update(format!("{k}={v}\0").as_bytes());
    }
    h.update(rustc.as_bytes());
    h.finalize()[..12].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::FILES;

    /// Every file of the template is embedded (and so in the cache key).
    #[test]
    fn every_template_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/bootloader");
        let mut on_disk: Vec<String> = ["Cargo.toml", "Cargo.lock"].map(String::from).to_vec();
        for entry in std::fs::read_dir(root.join("src")).expect("template src") {
            on_disk.push(format!("src/{}", entry.expect("entry").file_name().to_string_lossy()));
        }
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(name, _)| name.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }
}

//! Fuzz target: the one-file bootloader's reader (trailer, header, payload
//! hash, zstd frames, entry list, extraction), compiled from the template
//! sources themselves. Properties: arbitrary bytes give an error or a clean
//! extraction, never a panic, an out-of-bounds read (the target builds with
//! sanitizers) or a file outside the extraction dir.
//!
//! The first byte picks how deep the input goes, since random bytes almost
//! never carry a matching sha256 or a valid zstd frame:
//! - `0`: the bytes are the whole file;
//! - `1`: the bytes are the payload (zstd frames, as given); the harness
//!   writes a header and a trailer with the right lengths and hash;
//! - else: the bytes are the unpacked entry list; the harness packs it into
//!   one to three zstd frames and a valid trailer, so the entry parser and
//!   the name checks see every mutation.
#![no_main]
#![allow(dead_code, unused_imports)]

#[path = "../../templates/bootloader/src/decode.rs"]
mod decode;
#[path = "../../templates/bootloader/src/dirs.rs"]
mod dirs;
#[path = "../../templates/bootloader/src/entry.rs"]
mod entry;
#[path = "../../templates/bootloader/src/extract.rs"]
mod extract;
#[path = "../../templates/bootloader/src/fail.rs"]
mod fail;
#[path = "../../templates/bootloader/src/format.rs"]
mod format;
#[path = "../../templates/bootloader/src/housekeeping.rs"]
mod housekeeping;
#[path = "../../templates/bootloader/src/trailer.rs"]
mod trailer;
#[path = "../../templates/bootloader/src/unpack.rs"]
mod unpack;

pub use fail::{bad, io_fail, Fail, EXIT_BAD_BUNDLE, EXIT_FUSE, EXIT_IO};

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = match mode {
        0 => rest.to_vec(),
        1 => bundle(rest, unpacked_guess(rest)),
        _ => {
            let frames = usize::from(mode % 3) + 1;
            bundle(&pack(rest, frames), rest.len() as u64)
        }
    };
    let root = scratch();
    let file_path = root.join("bundle");
    fs::write(&file_path, &bytes).unwrap();
    // Deep, so that an entry climbing out with `..` lands inside `root`.
    let out = root.join("x/y/z/out");
    fs::create_dir_all(&out).unwrap();
    let _ = read(&file_path, &out);
    assert_nothing_outside(&root, &out, &file_path);
    fs::remove_dir_all(&out).unwrap();
});

fn read(path: &Path, out: &Path) -> Result<(), Fail> {
    let mut file = File::open(path).unwrap();
    let t = trailer::read_trailer(&mut file, path)?;
    let h = trailer::read_header(&mut file, &t)?;
    extract::extract_into(&mut file, &t, &h, out).map(drop)
}

/// What a payload of arbitrary frames claims to unpack to: the sum of the
/// frames' recorded sizes when they parse, so the size check passes and the
/// decoder runs (capped: the fuzzer must not allocate gigabytes).
fn unpacked_guess(payload: &[u8]) -> u64 {
    let mut rest = payload;
    let mut sum = 0u64;
    while !rest.is_empty() {
        let len = unsafe { zstd_sys::ZSTD_findFrameCompressedSize(rest.as_ptr().cast(), rest.len()) };
        let size = unsafe { zstd_sys::ZSTD_getFrameContentSize(rest.as_ptr().cast(), rest.len()) };
        if unsafe { zstd_sys::ZSTD_isError(len) } != 0 || len == 0 || len > rest.len() || size >= u64::MAX - 1 {
            break;
        }
        sum = sum.saturating_add(size);
        rest = &rest[len..];
    }
    sum.min(16 << 20)
}

/// The entry list cut into `frames` zstd frames at level 1.
fn pack(raw: &[u8], frames: usize) -> Vec<u8> {
    let part = raw.len().div_ceil(frames).max(1);
    raw.chunks(part).flat_map(|c| zstd::bulk::compress(c, 1).unwrap()).collect()
}

/// A fake bootloader, the payload, a header and a trailer that matches
/// (its hash over payload, header and the trailer's fields, as the packer
/// writes it).
fn bundle(payload: &[u8], unpacked: u64) -> Vec<u8> {
    let boot = b"\x7fELF-not-really";
    let header = format::header("prog", "");
    let mut trailer = format::Trailer {
        fuse: 8,
        payload_offset: boot.len() as u64,
        payload_len: payload.len() as u64,
        unpacked,
        header_len: header.len() as u64,
        hash: [0; 32],
    };
    let mut hasher = Sha256::new();
    hasher.update(payload);
    hasher.update(&header);
    hasher.update(&trailer.encode()[..format::HASHED_TRAILER]);
    trailer.hash = hasher.finalize().into();
    [&boot[..], payload, &header, &trailer.encode()].concat()
}

/// A private dir per fuzzing process, reused across inputs.
fn scratch() -> PathBuf {
    let root = std::env::temp_dir().join(format!("cargo-freeze-fuzz-{}", std::process::id()));
    fs::create_dir_all(&root).unwrap();
    root
}

/// Everything under `root` is the bundle, a dir on the way to `out`, or
/// inside `out`.
fn assert_nothing_outside(root: &Path, out: &Path, bundle: &Path) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let allowed = path == bundle || out.starts_with(&path) || path.starts_with(out);
            assert!(allowed, "written outside the extraction dir: {}", path.display());
            if path.is_dir() && !path.starts_with(out) {
                stack.push(path);
            }
        }
    }
}

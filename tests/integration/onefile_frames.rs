//! One-file payloads of several zstd frames (the packer cuts payloads of
//! 16 MiB and more), decoded in parallel and written while later frames
//! decode: the files come out whole, and a frame that fails to decode (while
//! the files of earlier frames are being written) leaves nothing behind.

use crate::onefile::{extraction_dirs, hello_binary, pack_tree, run};
use crate::support::freeze;
use cargo_freeze::bundle::onefile::PackReport;
use sha2::{Digest, Sha256};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// 17 MiB of text that level 19 packs in well under a second (a 64 KiB
/// block repeated), so the payload is cut into two frames.
fn big_data() -> Vec<u8> {
    let block: Vec<u8> = (0..4000)
        .flat_map(|i| format!("item {i} value {}\n", (i * 7919) % 1_000_003).into_bytes())
        .take(65536)
        .collect();
    block.iter().copied().cycle().take(17 << 20).collect()
}

fn pack_big(dir: &Path, data: &[u8]) -> (PathBuf, PackReport) {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("data")).unwrap();
    std::fs::copy(hello_binary(), tree.join("hello")).unwrap();
    std::fs::write(tree.join("data/big.bin"), data).unwrap();
    let out = dir.join("dist/hello");
    let report = pack_tree(tree, &out, None);
    (out, report)
}

/// The (offset, length) of each zstd frame of the payload, in the file.
fn frames(bytes: &[u8], report: &PackReport) -> Vec<(usize, usize)> {
    let mut at = report.bootloader_size as usize;
    let end = at + report.payload_size as usize;
    let mut out = Vec::new();
    while at < end {
        let len = zstd::zstd_safe::find_frame_compressed_size(&bytes[at..end]).expect("a frame");
        out.push((at, len));
        at += len;
    }
    out
}

/// Where a frame's content size field starts and its width (RFC 8878,
/// 3.1.1.1): after the magic, the descriptor, the window byte (absent in
/// single-segment frames) and the dictionary id.
fn content_size_field(frame: &[u8]) -> (usize, usize) {
    let descriptor = frame[4];
    let single = descriptor >> 5 & 1 == 1;
    let field = 5 + usize::from(!single) + [0, 1, 2, 4][usize::from(descriptor & 3)];
    let size = [usize::from(single), 2, 4, 8][usize::from(descriptor >> 6)];
    assert!(size >= 4, "a frame of megabytes records its size in 4 or 8 bytes");
    (field, size)
}

fn mask(size: usize) -> u64 {
    if size == 8 { u64::MAX } else { (1 << (8 * size)) - 1 }
}

#[test]
fn a_large_payload_is_cut_into_frames_and_extracts_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let data = big_data();
    let (exe, report) = pack_big(tmp.path(), &data);
    let bytes = std::fs::read(&exe).unwrap();
    assert_eq!(frames(&bytes, &report).len(), 2, "17 MiB is cut into two frames");
    let again = tempfile::tempdir().unwrap();
    assert!(std::fs::read(pack_big(again.path(), &data).0).unwrap() == bytes, "packing is reproducible");
    let cache = tmp.path().join("cache");
    let out = run(&exe, &cache, &[]);
    assert!(out.status.success(), "{out:?}");
    let dirs = extraction_dirs(&cache);
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let extracted = cache.join("cargo-freeze").join(&dirs[0]);
    assert!(std::fs::read(extracted.join("data/big.bin")).unwrap() == data, "big.bin differs");
    assert_eq!(std::fs::read(extracted.join("hello")).unwrap(), std::fs::read(hello_binary()).unwrap());
    // The tool's own reader takes the frames as one stream.
    let copy = tmp.path().join("inspected");
    freeze().arg("inspect").arg(&exe).arg("--extract").arg(&copy).assert().success();
    assert!(std::fs::read(copy.join("data/big.bin")).unwrap() == data, "inspect --extract differs");
}

#[test]
fn a_frame_that_fails_to_decode_leaves_nothing_and_runs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (exe, report) = pack_big(tmp.path(), &big_data());
    let mut bytes = std::fs::read(&exe).unwrap();
    let frames = frames(&bytes, &report);
    // The last frame now declares one byte less than it holds, and the
    // trailer agrees: the frames still add up, so only decoding can tell.
    let (at, len) = *frames.last().unwrap();
    let (field, size) = content_size_field(&bytes[at..]);
    let declared = u64::from_le_bytes(bytes[at + field..][..8].try_into().unwrap()) & mask(size);
    bytes[at + field..at + field + size].copy_from_slice(&(declared - 1).to_le_bytes()[..size]);
    assert!(zstd::decode_all(&bytes[at..at + len]).is_err(), "the shortened frame must not decode");
    let trailer = bytes.len() - 80;
    let unpacked = u64::from_le_bytes(bytes[trailer + 32..trailer + 40].try_into().unwrap());
    bytes[trailer + 32..trailer + 40].copy_from_slice(&(unpacked - 1).to_le_bytes());
    // The hash covers payload ‖ header ‖ the trailer's fields (FORMAT.md).
    let covered = [&bytes[report.bootloader_size as usize..trailer], &bytes[trailer..trailer + 48]].concat();
    let hash: [u8; 32] = Sha256::digest(&covered).into();
    bytes[trailer + 48..].copy_from_slice(&hash);
    let bad = tmp.path().join("garbled");
    std::fs::write(&bad, &bytes).unwrap();
    std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cache = tmp.path().join("cache");
    let out = run(&bad, &cache, &[]);
    assert_eq!(out.status.code(), Some(120), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not decompress"), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hello"), "the program must not run: {out:?}");
    assert_eq!(extraction_dirs(&cache), Vec::<String>::new(), "no temp or final dir is left");
    freeze().arg("inspect").arg(&bad).assert().code(2);
}

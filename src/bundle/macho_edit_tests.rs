//! The load-command writer on small synthetic Mach-O images (there is no
//! macOS here; the real zig-linked files are edited in
//! `tests/integration/onedir_macos.rs`), read back with goblin, an
//! independent reader.

use super::*;
use crate::bundle::macho_sign::{self, Signature};
use goblin::mach::MachO;

pub(crate) const LC_LOAD: u32 = LC_LOAD_DYLIB;
pub(crate) const LC_ID: u32 = LC_ID_DYLIB;
pub(crate) const RPATH: u32 = LC_RPATH;
/// The code the synthetic images carry in their one section.
const CODE: [u8; 16] = [0xaa; 16];

/// A 64-bit arm64 image of `filetype` with a `__TEXT` segment whose one
/// section's data starts at `data_at` (so the header padding ends there),
/// then these (cmd, string) commands, and, with `signed`, an ad-hoc code
/// signature after the code (hashes filled in by `macho_sign::refresh`,
/// which the signature tests check against hashes of their own).
pub(crate) fn image(filetype: u32, commands: &[(u32, &str)], data_at: usize, signed: bool) -> Vec<u8> {
    let mut cmds: Vec<Vec<u8>> = vec![text_segment(data_at)];
    for (cmd, text) in commands {
        let offset = if *cmd == LC_RPATH { 12 } else { 24 };
        let size = (offset + text.len() + 1).div_ceil(8) * 8;
        let mut c = Vec::new();
        for word in [*cmd, size as u32, offset as u32] {
            c.extend_from_slice(&word.to_le_bytes());
        }
        if *cmd != LC_RPATH {
            c.extend_from_slice(&[2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]); // timestamp, versions
        }
        c.extend_from_slice(text.as_bytes());
        c.resize(size, 0);
        cmds.push(c);
    }
    let sig_at = (data_at + CODE.len()).div_ceil(16) * 16;
    let signature = signed.then(|| ad_hoc_signature(sig_at));
    if let Some(sig) = &signature {
        let mut c = Vec::new();
        for word in [LC_CODE_SIGNATURE, 16, sig_at as u32, sig.len() as u32] {
            c.extend_from_slice(&word.to_le_bytes());
        }
        cmds.push(c);
    }
    let body: Vec<u8> = cmds.concat();
    let mut out = Vec::new();
    for word in [0xfeed_facf_u32, 0x0100_000c, 0, filetype, cmds.len() as u32, body.len() as u32, 0, 0] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.extend(body);
    assert!(out.len() <= data_at, "the commands must fit before the data");
    out.resize(data_at, 0);
    out.extend_from_slice(&CODE);
    out.resize(sig_at, 0);
    if let Some(sig) = signature {
        let len = sig.len();
        out.extend(sig);
        macho_sign::refresh(&mut out, Some((sig_at, len))).unwrap();
    }
    out
}

fn text_segment(data_at: usize) -> Vec<u8> {
    let mut c = Vec::new();
    c.extend_from_slice(&LC_SEGMENT_64.to_le_bytes());
    c.extend_from_slice(&(72u32 + 80).to_le_bytes());
    c.extend_from_slice(b"__TEXT\0\0\0\0\0\0\0\0\0\0");
    for word in [0u64, 0x4000, 0, (data_at + CODE.len()) as u64] {
        c.extend_from_slice(&word.to_le_bytes()); // vmaddr, vmsize, fileoff, filesize
    }
    for word in [5u32, 5, 1, 0] {
        c.extend_from_slice(&word.to_le_bytes()); // maxprot, initprot, nsects, flags
    }
    c.extend_from_slice(b"__text\0\0\0\0\0\0\0\0\0\0__TEXT\0\0\0\0\0\0\0\0\0\0");
    for word in [data_at as u64, CODE.len() as u64] {
        c.extend_from_slice(&word.to_le_bytes()); // addr, size
    }
    for word in [data_at as u32, 2, 0, 0, 0x8000_0400, 0, 0, 0] {
        c.extend_from_slice(&word.to_le_bytes()); // offset, align, reloff, nreloc, flags, reserved1-3
    }
    c
}

/// A SuperBlob with one SHA-256 CodeDirectory (version 0x20400, ad-hoc and
/// linker-signed, as ld64 and zig write it) for an image of `limit` bytes;
/// the hashes are zeros until refreshed.
fn ad_hoc_signature(limit: usize) -> Vec<u8> {
    let slots = limit.div_ceil(4096);
    let ident = b"app\0";
    let hash_offset = 88 + ident.len();
    let cd_len = hash_offset + slots * 32;
    let mut cd = Vec::new();
    for word in [0xfade_0c02u32, cd_len as u32, 0x2_0400, 0x2_0002, hash_offset as u32, 88, 0, slots as u32] {
        cd.extend_from_slice(&word.to_be_bytes());
    }
    cd.extend_from_slice(&(limit as u32).to_be_bytes());
    cd.extend_from_slice(&[32, 2, 0, 12]); // hash size, SHA-256, platform, 4 KiB pages
    cd.resize(88, 0); // spare2, scatter, team, spare3, codeLimit64, exec segment
    cd.extend_from_slice(ident);
    cd.resize(cd_len, 0);
    let mut out = Vec::new();
    for word in [0xfade_0cc0u32, (20 + cd.len()) as u32, 1, 0, 20] {
        out.extend_from_slice(&word.to_be_bytes());
    }
    out.extend(cd);
    out
}

fn names(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let m = MachO::parse(bytes, 0).expect("goblin reads the edited image");
    (
        m.libs.iter().map(std::string::ToString::to_string).collect(),
        m.rpaths.iter().map(std::string::ToString::to_string).collect(),
    )
}

/// The bytes from the first section on: what an edit must never touch
/// (up to the signature, whose hashes it rewrites).
fn data(bytes: &[u8], data_at: usize) -> &[u8] {
    &bytes[data_at..data_at + CODE.len()]
}

#[test]
fn a_shorter_name_keeps_its_command_size_and_nothing_moves() {
    let long = "/Users/dev/project/target/release/build/out/libfoo.dylib";
    let mut bytes = image(2, &[(LC_LOAD, "/usr/lib/libSystem.B.dylib"), (LC_LOAD, long)], 4096, false);
    let before = bytes.clone();
    let mut c = Commands::read(&bytes).unwrap();
    assert_eq!(c.loads(), [(1, "/usr/lib/libSystem.B.dylib".to_string()), (2, long.to_string())]);
    c.set_name(2, "@rpath/libfoo.dylib").unwrap();
    c.write(&mut bytes).unwrap();
    assert_eq!(bytes.len(), before.len());
    assert_eq!(bytes[20..24], before[20..24], "sizeofcmds unchanged");
    let (libs, _) = names(&bytes);
    assert_eq!(libs, ["self", "/usr/lib/libSystem.B.dylib", "@rpath/libfoo.dylib"]);
    assert_eq!(data(&bytes, 4096), CODE);
}

#[test]
fn a_longer_name_grows_into_the_padding_and_later_commands_follow() {
    let mut bytes = image(2, &[(LC_LOAD, "libfoo.dylib"), (RPATH, "/opt/lib")], 4096, false);
    let mut c = Commands::read(&bytes).unwrap();
    c.set_name(1, "@rpath/libfoo.dylib").unwrap();
    c.write(&mut bytes).unwrap();
    let (libs, rpaths) = names(&bytes);
    assert_eq!((libs[1].as_str(), rpaths), ("@rpath/libfoo.dylib", vec!["/opt/lib".to_string()]));
    let m = MachO::parse(&bytes, 0).unwrap();
    assert_eq!(m.header.sizeofcmds, 152 + 48 + 24, "the dylib command grew from 40 to 48 bytes");
    assert_eq!(data(&bytes, 4096), CODE);
}

#[test]
fn run_paths_are_removed_and_added() {
    let mut bytes = image(2, &[(RPATH, "/build/a"), (LC_LOAD, "@rpath/libx.dylib"), (RPATH, "/build/b")], 1024, false);
    let mut c = Commands::read(&bytes).unwrap();
    c.retain_rpaths(&["/build/b"]);
    assert_eq!(c.rpaths(), ["/build/b"]);
    c.retain_rpaths(&[]);
    c.push_rpath("@executable_path/lib");
    c.write(&mut bytes).unwrap();
    let (libs, rpaths) = names(&bytes);
    assert_eq!((libs[1].as_str(), rpaths), ("@rpath/libx.dylib", vec!["@executable_path/lib".to_string()]));
    // The bytes the removed commands used are zeros again, up to the data.
    let end = 32 + MachO::parse(&bytes, 0).unwrap().header.sizeofcmds as usize;
    assert!(bytes[end..1024].iter().all(|b| *b == 0));
}

/// The padding ends at the first section's data: a list that needs more is
/// refused, with both sizes, and the image is not touched.
#[test]
fn no_room_is_an_error_and_the_image_is_unchanged() {
    let commands = [(LC_LOAD, "libfoo.dylib")];
    // Header 32 + segment 152 + dylib command 40 = 224: no padding at all.
    let mut bytes = image(2, &commands, 224, false);
    let before = bytes.clone();
    let mut c = Commands::read(&bytes).unwrap();
    c.set_name(1, "@rpath/libfoo.dylib").unwrap();
    assert_eq!(c.write(&mut bytes), Err(EditError::NoRoom { needed: 200, available: 192 }));
    assert_eq!(bytes, before);
    // A name that fits the old command needs no padding.
    let mut c = Commands::read(&bytes).unwrap();
    c.set_name(1, "@rpath/x").unwrap();
    c.write(&mut bytes).unwrap();
    assert_eq!(names(&bytes).0[1], "@rpath/x");
}

#[test]
fn padding_that_holds_data_is_not_written_over() {
    let mut bytes = image(2, &[(LC_LOAD, "libfoo.dylib")], 1024, false);
    bytes[600] = 1;
    let mut c = Commands::read(&bytes).unwrap();
    c.push_rpath(&"x".repeat(500));
    assert_eq!(c.write(&mut bytes), Err(EditError::Malformed("the header padding holds data".into())));
}

#[test]
fn malformed_images_are_refused_by_name() {
    let mut bytes = image(2, &[(LC_LOAD, "libfoo.dylib")], 1024, false);
    bytes[20..24].copy_from_slice(&5000u32.to_le_bytes());
    let err = Commands::read(&bytes).unwrap_err();
    assert_eq!(err, EditError::Malformed("the load commands run past the end of the file".into()));
    assert!(Commands::read(&[0xfe, 0xed, 0xfa, 0xcf, 0, 0, 0, 0]).is_err(), "big-endian");
}

#[test]
fn an_id_is_replaced_and_read_back() {
    let mut bytes = image(6, &[(LC_ID, "/opt/lib/libfoo.1.dylib"), (LC_LOAD, "/opt/lib/libbar.dylib")], 4096, true);
    let mut c = Commands::read(&bytes).unwrap();
    assert_eq!(c.id(), Some("/opt/lib/libfoo.1.dylib"));
    c.set_id("@rpath/libfoo.1.dylib").unwrap();
    c.write(&mut bytes).unwrap();
    assert_eq!(Commands::read(&bytes).unwrap().id(), Some("@rpath/libfoo.1.dylib"));
    assert_eq!(names(&bytes).0[0], "@rpath/libfoo.1.dylib", "goblin's libs[0] is the id");
}

/// A universal file's slices are found where its fat header says.
#[test]
fn the_slices_of_a_universal_file() {
    let slice = image(2, &[(LC_LOAD, "libfoo.dylib")], 1024, false);
    let at = [4096usize, 8192];
    let mut fat = Vec::new();
    for word in [0xcafe_babe_u32, 2] {
        fat.extend_from_slice(&word.to_be_bytes());
    }
    for (cpu, offset) in [(0x0100_000c_u32, at[0]), (0x0100_0007, at[1])] {
        for word in [cpu, 0, offset as u32, slice.len() as u32, 12] {
            fat.extend_from_slice(&word.to_be_bytes());
        }
    }
    fat.resize(at[0], 0);
    fat.extend_from_slice(&slice);
    fat.resize(at[1], 0);
    fat.extend_from_slice(&slice);
    assert_eq!(images(&fat).unwrap(), [at[0]..at[0] + slice.len(), at[1]..at[1] + slice.len()]);
    assert_eq!(images(&slice).unwrap(), std::iter::once(0..slice.len()).collect::<Vec<_>>());
}

/// Editing the header of a signed image leaves its first page's hash
/// stale; refreshing makes every hash match again (checked against
/// SHA-256 computed here, the last page cut at the code limit).
#[test]
fn a_refreshed_signature_matches_the_edited_pages() {
    use sha2::Digest;
    let mut bytes = image(2, &[(LC_LOAD, "/opt/lib/libfoo.dylib")], 5000, true);
    let sig = Commands::read(&bytes).unwrap().code_signature().unwrap();
    assert_eq!(sig.0, 5024, "signature after the code, 16-aligned");
    assert_eq!(macho_sign::stale_pages(&bytes, sig), Ok(vec![]));
    let mut c = Commands::read(&bytes).unwrap();
    c.set_name(1, "@rpath/libfoo.dylib").unwrap();
    c.write(&mut bytes).unwrap();
    assert_eq!(macho_sign::stale_pages(&bytes, sig), Ok(vec![0]));
    assert_eq!(macho_sign::refresh(&mut bytes, Some(sig)), Ok(Signature::AdHoc));
    assert_eq!(macho_sign::stale_pages(&bytes, sig), Ok(vec![]));
    // SuperBlob header 20 + the CodeDirectory's fixed part 88 + "app\0".
    let hashes = sig.0 + 20 + 92;
    assert_eq!(bytes[hashes..hashes + 32], sha2::Sha256::digest(&bytes[..4096])[..]);
    assert_eq!(bytes[hashes + 32..hashes + 64], sha2::Sha256::digest(&bytes[4096..sig.0])[..]);
    assert_eq!(macho_sign::kind(&bytes, Some(sig)), Ok(Signature::AdHoc));
}

/// A certificate's signature (a CMS blob with content, no ad-hoc flag)
/// cannot be renewed: it becomes ad-hoc, and says so.
#[test]
fn a_certificate_signature_becomes_ad_hoc() {
    let mut bytes = image(6, &[(LC_ID, "/opt/lib/libfoo.dylib")], 4096, true);
    let (at, len) = Commands::read(&bytes).unwrap().code_signature().unwrap();
    // Make it look certificate-signed: clear CS_ADHOC, set a team id
    // offset, append a CMS blob with 24 bytes of content to the SuperBlob.
    let cd = at + 20;
    bytes[cd + 12..cd + 16].copy_from_slice(&0x2_0000u32.to_be_bytes());
    bytes[cd + 48..cd + 52].copy_from_slice(&88u32.to_be_bytes());
    let mut sig = bytes.split_off(at);
    sig.truncate(len);
    let cms_at = sig.len();
    sig.extend_from_slice(&0xfade_0b01u32.to_be_bytes());
    sig.extend_from_slice(&32u32.to_be_bytes());
    sig.extend_from_slice(&[7; 24]);
    let mut superblob = Vec::new();
    for word in [0xfade_0cc0u32, (sig.len() + 8) as u32, 2, 0, 28, 0x1_0000, cms_at as u32 + 8] {
        superblob.extend_from_slice(&word.to_be_bytes());
    }
    superblob.extend_from_slice(&sig[20..]);
    bytes.extend(superblob);
    let sig = (at, bytes.len() - at);
    let c = Commands::read(&bytes).unwrap();
    let mut edited = c.clone();
    edited.list[c.list.len() - 1][12..16].copy_from_slice(&(sig.1 as u32).to_le_bytes());
    edited.write(&mut bytes).unwrap();
    assert_eq!(macho_sign::kind(&bytes, Some(sig)), Ok(Signature::Certificate));
    let mut c = Commands::read(&bytes).unwrap();
    c.set_id("@rpath/libfoo.dylib").unwrap();
    c.write(&mut bytes).unwrap();
    assert_eq!(macho_sign::refresh(&mut bytes, Some(sig)), Ok(Signature::CertificateReplaced));
    assert_eq!(macho_sign::kind(&bytes, Some(sig)), Ok(Signature::AdHoc));
    assert_eq!(macho_sign::stale_pages(&bytes, sig), Ok(vec![]));
    let cms = at + cms_at + 8;
    assert_eq!(bytes[cms + 4..cms + 8], 8u32.to_be_bytes(), "the CMS blob is empty");
    assert!(bytes[cms + 8..cms + 32].iter().all(|b| *b == 0));
    let cd = at + 28; // behind the two index entries now
    assert_eq!(bytes[cd + 48..cd + 52], [0; 4], "no team id");
}

#[test]
fn an_unsigned_image_is_reported_so() {
    let mut bytes = image(2, &[(LC_LOAD, "libfoo.dylib")], 1024, false);
    assert_eq!(Commands::read(&bytes).unwrap().code_signature(), None);
    assert_eq!(macho_sign::refresh(&mut bytes, None), Ok(Signature::UnsignedArm64));
    bytes[4..8].copy_from_slice(&0x0100_0007u32.to_le_bytes()); // x86_64
    assert_eq!(macho_sign::kind(&bytes, None), Ok(Signature::Unsigned));
}

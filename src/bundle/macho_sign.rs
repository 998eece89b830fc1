//! Keeping a Mach-O's embedded code signature valid after its load commands
//! were edited ([`super::macho_edit`]). macOS on Apple silicon kills a
//! process whose code signature does not match its pages (and one with no
//! signature at all), so an edit must re-sign, as delocate (`codesign
//! --force --sign -` after `install_name_tool`) and Apple's own
//! `install_name_tool` (which updates a linker-made signature) do. The
//! signature is updated in place: the linker (ld64, zig) signs every arm64
//! image ad-hoc, a CodeDirectory holding one hash per 4 KiB page of the
//! image up to the signature; an edit changes only header pages, so the
//! page hashes are computed again and written over the old ones. The
//! signature keeps its size, the file its length. A signature made with a
//! certificate (a CMS blob) cannot be renewed without the key: it becomes
//! ad-hoc (the CMS blob emptied, the team id dropped, the ad-hoc flag set),
//! what `codesign --sign -` would give, and the report says so (a
//! distributor signs the bundle with their identity on a Mac anyway). An
//! unsigned image is left unsigned and reported: Intel code runs so (zig
//! does not sign x86_64 output); unsigned arm64 code is refused by Apple
//! silicon, as the original was.
//!
//! Layout (big-endian, unlike the rest of Mach-O): a SuperBlob (magic
//! `0xfade0cc0`, length, count, then (type, offset) pairs) holding
//! CodeDirectories (`0xfade0c02`: the primary and any alternates),
//! requirements, entitlements and the CMS wrapper (`0xfade0b01`).

use sha2::Digest;

const SUPERBLOB: u32 = 0xfade_0cc0;
const CODE_DIRECTORY: u32 = 0xfade_0c02;
const CMS_WRAPPER: u32 = 0xfade_0b01;
/// `CS_ADHOC`: signed without an identity.
const CS_ADHOC: u32 = 0x2;

/// What a bundled image's signature is. Ordered from the best news to the
/// worst: a universal file reports its worst slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Signature {
    /// Ad-hoc (as the linker makes it), valid for the file as bundled.
    AdHoc,
    /// Signed with a certificate and not edited: the original signature.
    Certificate,
    /// It was signed with a certificate, which an edit cannot renew: now
    /// ad-hoc; sign it again with an identity on a Mac to distribute it.
    CertificateReplaced,
    /// No signature, in an image for Intel Macs, which run it.
    Unsigned,
    /// No signature, in arm64 code: Apple silicon refuses to run it.
    UnsignedArm64,
}

/// The kind of "no signature": only arm64 code must be signed.
fn unsigned(image: &[u8]) -> Signature {
    const CPU_TYPE_ARM64: [u8; 4] = 0x0100_000c_u32.to_le_bytes();
    match image.get(4..8) {
        Some(cpu) if cpu == CPU_TYPE_ARM64 => Signature::UnsignedArm64,
        _ => Signature::Unsigned,
    }
}

fn be(bytes: &[u8], at: usize) -> Result<u32, String> {
    let word = bytes.get(at..at.saturating_add(4)).ok_or("the code signature is truncated")?;
    Ok(u32::from_be_bytes(word.try_into().map_err(|_| "the code signature is truncated")?))
}

fn put(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

/// One CodeDirectory, as far as its page hashes go.
struct Directory {
    version: u32,
    hashes: usize,
    slots: usize,
    limit: usize,
    hash_size: usize,
    hash_type: u8,
    page: usize,
}

impl Directory {
    fn read(image: &[u8], at: usize) -> Result<Directory, String> {
        let byte = |o: usize| image.get(at + o).copied().ok_or("the code signature is truncated");
        let version = be(image, at + 8)?;
        if version >= 0x2_0100 && be(image, at + 44)? != 0 {
            return Err("a code signature with scatter vectors is not supported".into());
        }
        let mut limit = u64::from(be(image, at + 32)?);
        if version >= 0x2_0300 && limit == 0 {
            let (hi, lo) = (u64::from(be(image, at + 56)?), u64::from(be(image, at + 60)?));
            limit = hi << 32 | lo;
        }
        let page_shift = byte(39)?;
        let limit = usize::try_from(limit).map_err(|_| "the signed size is out of range")?;
        let page = if page_shift == 0 {
            limit.max(1)
        } else {
            1usize.checked_shl(page_shift.into()).ok_or("bad page size")?
        };
        let d = Directory {
            version,
            hashes: at + be(image, at + 16)? as usize,
            slots: be(image, at + 28)? as usize,
            limit,
            hash_size: byte(36)?.into(),
            hash_type: byte(37)?,
            page,
        };
        if d.limit > image.len() || d.slots != d.limit.div_ceil(d.page) {
            return Err("the code directory does not cover the image as it should".into());
        }
        let end = d.hashes.checked_add(d.slots * d.hash_size).filter(|&e| e <= image.len());
        end.ok_or("the code directory's hashes run past the end of the file")?;
        Ok(d)
    }

    /// The hash of one page: SHA-1, SHA-256, SHA-256 truncated to 20 bytes,
    /// SHA-384 (the kinds `codesign` and the linkers write).
    fn hash(&self, page: &[u8]) -> Result<Vec<u8>, String> {
        let full = match self.hash_type {
            1 => sha1::Sha1::digest(page).to_vec(),
            2 | 3 => sha2::Sha256::digest(page).to_vec(),
            4 => sha2::Sha384::digest(page).to_vec(),
            other => return Err(format!("unknown code signature hash type {other}")),
        };
        full.get(..self.hash_size).map(<[u8]>::to_vec).ok_or_else(|| "bad code signature hash size".into())
    }

    /// The expected hash of each page, the last one cut at the limit.
    fn expected(&self, image: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        (0..self.slots).map(|i| self.hash(&image[i * self.page..((i + 1) * self.page).min(self.limit)])).collect()
    }

    fn stored<'a>(&self, image: &'a [u8], slot: usize) -> &'a [u8] {
        &image[self.hashes + slot * self.hash_size..self.hashes + (slot + 1) * self.hash_size]
    }
}

/// The blobs of the SuperBlob at `range` of the image: (type, offset of
/// the blob in the image, its magic).
fn blobs(image: &[u8], (offset, size): (usize, usize)) -> Result<Vec<(u32, usize, u32)>, String> {
    image.get(offset..offset.saturating_add(size)).ok_or("the code signature lies past the end of the file")?;
    if be(image, offset)? != SUPERBLOB {
        return Err("the code signature is not an embedded signature".into());
    }
    let count = be(image, offset + 8)? as usize;
    let mut out = Vec::with_capacity(count.min(64));
    for i in 0..count {
        let kind = be(image, offset + 12 + i * 8)?;
        let at = offset + be(image, offset + 16 + i * 8)? as usize;
        if at + 8 > offset + size {
            return Err("a code signature blob lies outside the signature".into());
        }
        out.push((kind, at, be(image, at)?));
    }
    Ok(out)
}

/// Makes the signature at `signature` ((offset, size) from
/// `LC_CODE_SIGNATURE`, `None` for an unsigned image) valid for the image
/// as it is now.
pub fn refresh(image: &mut [u8], signature: Option<(usize, usize)>) -> Result<Signature, String> {
    let Some(range) = signature else { return Ok(unsigned(image)) };
    let blobs = blobs(image, range)?;
    let certificate = blobs.iter().find(|b| b.2 == CMS_WRAPPER && be(image, b.1 + 4).is_ok_and(|len| len > 8));
    let replaced = match certificate {
        Some(&(_, at, _)) => {
            let len = be(image, at + 4)? as usize;
            image.get(at..at + len).ok_or("the signature's CMS blob runs past the file")?;
            image[at + 8..at + len].fill(0);
            put(image, at + 4, 8);
            true
        }
        None => false,
    };
    for &(_, at, _) in blobs.iter().filter(|b| b.2 == CODE_DIRECTORY) {
        let d = Directory::read(image, at)?;
        if replaced {
            let flags = be(image, at + 12)?;
            put(image, at + 12, flags | CS_ADHOC);
            if d.version >= 0x2_0200 {
                put(image, at + 48, 0);
            }
        }
        for (slot, hash) in d.expected(image)?.into_iter().enumerate() {
            let start = d.hashes + slot * d.hash_size;
            image[start..start + d.hash_size].copy_from_slice(&hash);
        }
    }
    Ok(if replaced { Signature::CertificateReplaced } else { Signature::AdHoc })
}

/// The pages whose stored hash differs from the image's contents, for each
/// CodeDirectory: empty when the signature is valid for the file (the
/// tests' and the bundle check's reading of it).
pub fn stale_pages(image: &[u8], signature: (usize, usize)) -> Result<Vec<usize>, String> {
    let mut stale = Vec::new();
    for &(_, at, _) in blobs(image, signature)?.iter().filter(|b| b.2 == CODE_DIRECTORY) {
        let d = Directory::read(image, at)?;
        let expected = d.expected(image)?;
        stale.extend((0..d.slots).filter(|&slot| d.stored(image, slot) != expected[slot].as_slice()));
    }
    Ok(stale)
}

/// The kind of an image's signature as it is (unedited): ad-hoc when every
/// CodeDirectory has `CS_ADHOC` and no CMS blob holds a certificate's
/// signature.
pub fn kind(image: &[u8], signature: Option<(usize, usize)>) -> Result<Signature, String> {
    let Some(range) = signature else { return Ok(unsigned(image)) };
    for &(_, at, magic) in &blobs(image, range)? {
        match magic {
            CODE_DIRECTORY if be(image, at + 12)? & CS_ADHOC == 0 => return Ok(Signature::Certificate),
            CMS_WRAPPER if be(image, at + 4)? > 8 => return Ok(Signature::Certificate),
            _ => {}
        }
    }
    Ok(Signature::AdHoc)
}

//! Decompression of the payload: one or more zstd frames, each recording its
//! content size, decoded in parallel into disjoint parts of one buffer by the
//! C reference decoder (ruzstd, the pure-Rust one, decodes at a third of its
//! speed). The packer cuts large payloads into up to four frames, so a cold
//! start uses more than one core, and the caller reads the decoded prefix
//! while later frames are still decoding: writing files (and the disk's
//! writeback) overlaps with decompression.

use crate::{bad, Fail};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU8, Ordering};
use zstd_sys as z;

/// More frames than this are decoded by this many threads in turn: a
/// hostile payload of a million tiny frames must not start a million threads.
const MAX_THREADS: usize = 4;

const PENDING: u8 = 0;
const DONE: u8 = 1;
const FAILED: u8 = 2;

/// The payload being decoded: the caller asks for a prefix and waits only
/// for the frames that hold it.
pub struct Raw<'a> {
    buf: *mut u8,
    len: usize,
    /// End offset of each frame in `buf`, and whether it is decoded yet.
    ends: Vec<usize>,
    state: Vec<AtomicU8>,
    _payload: PhantomData<&'a [u8]>,
}

// SAFETY: decoding threads write only their own frames' ranges of `buf`
// (through the raw pointer); readers see only ranges whose frames are
// `DONE`, published with Release and observed with Acquire.
unsafe impl Sync for Raw<'_> {}

impl Raw<'_> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The first `end` bytes or more, once the frames holding them are
    /// decoded; an error if one of them failed or `end` is past the end.
    pub fn upto(&self, end: usize) -> Result<&[u8], Fail> {
        if end > self.len {
            return Err(bad("payload entry list is truncated (corrupted)"));
        }
        loop {
            let mut ready = 0;
            for (i, state) in self.state.iter().enumerate() {
                match state.load(Ordering::Acquire) {
                    DONE => ready = self.ends[i],
                    FAILED => return Err(bad("payload does not decompress (corrupted)")),
                    _ => break,
                }
            }
            if ready >= end {
                // SAFETY: `..ready` lies in frames that are DONE: no thread
                // writes there any more, and their writes happened before.
                return Ok(unsafe { std::slice::from_raw_parts(self.buf, ready) });
            }
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
    }
}

/// Starts decoding `payload`, runs `body` on the (growing) result, and
/// joins every decoding thread before returning, whatever `body` did.
pub fn with_decoded<R>(payload: &[u8], unpacked: u64, body: impl FnOnce(&Raw<'_>) -> R) -> Result<R, Fail> {
    let frames = frames(payload)?;
    let total = frames.iter().try_fold(0u64, |sum, f| sum.checked_add(f.1 as u64));
    if total != Some(unpacked) {
        return Err(bad("unpacked size differs from the trailer (corrupted)"));
    }
    let mut buf = usize::try_from(unpacked).ok().and_then(zeroed).ok_or_else(|| bad("payload too large for memory"))?;
    let mut end = 0;
    let raw = Raw {
        buf: buf.as_mut_ptr(),
        len: buf.len(),
        ends: frames
            .iter()
            .map(|f| {
                end += f.1;
                end
            })
            .collect(),
        state: frames.iter().map(|_| AtomicU8::new(PENDING)).collect(),
        _payload: PhantomData,
    };
    // No more threads than cores: then the first frames finish early and
    // their files go to disk while the rest decode.
    let threads = frames.len().min(MAX_THREADS).min(cpus());
    let jobs: Vec<Job<'_, '_>> = (0..threads)
        .map(|t| Job {
            raw: &raw,
            frames: frames.iter().enumerate().skip(t).step_by(threads).map(|(i, f)| (i, f.0)).collect(),
        })
        .collect();
    let out = parallel(jobs, || body(&raw));
    drop(raw);
    drop(buf);
    Ok(out)
}

/// `n` zero bytes, or None when memory runs out: the size comes from the
/// file (the trailer is not under the hash), and `vec![0; n]` would abort.
fn zeroed(n: usize) -> Option<Vec<u8>> {
    if n == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(n).ok()?;
    // SAFETY: a non-zero size; a non-null result is `n` initialised (zero)
    // bytes from the global allocator with the layout `Vec<u8>` frees with.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    (!ptr.is_null()).then(|| unsafe { Vec::from_raw_parts(ptr, n, n) })
}

/// Online CPUs.
#[cfg(unix)]
fn cpus() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    usize::try_from(n).unwrap_or(1).max(1)
}

#[cfg(not(unix))]
fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One thread's frames, in order: (index, compressed bytes).
struct Job<'r, 'a> {
    raw: &'r Raw<'a>,
    frames: Vec<(usize, &'a [u8])>,
}

impl Job<'_, '_> {
    fn run(&self) {
        // SAFETY: a fresh context, freed below. Each call writes at most the
        // frame's own range of the buffer (start..end, which no other thread
        // writes) and reads `src.len()` bytes of `src`.
        unsafe {
            let ctx = z::ZSTD_createDCtx();
            for &(i, src) in &self.frames {
                let start = if i == 0 { 0 } else { self.raw.ends[i - 1] };
                let cap = self.raw.ends[i] - start;
                let n = match ctx.is_null() {
                    true => usize::MAX,
                    false => {
                        z::ZSTD_decompressDCtx(ctx, self.raw.buf.add(start).cast(), cap, src.as_ptr().cast(), src.len())
                    }
                };
                let state = if n == cap && z::ZSTD_isError(n) == 0 { DONE } else { FAILED };
                self.raw.state[i].store(state, Ordering::Release);
            }
            z::ZSTD_freeDCtx(ctx);
        }
    }
}

/// Runs every job on a thread of its own while `body` runs on this one, and
/// joins them all before returning. On Unix through pthreads:
/// `std::thread` would cost the bootloader 20 KB.
#[cfg(unix)]
fn parallel<R>(jobs: Vec<Job<'_, '_>>, body: impl FnOnce() -> R) -> R {
    extern "C" fn work(arg: *mut libc::c_void) -> *mut libc::c_void {
        // SAFETY: `arg` is a `Job` that outlives the thread (joined below).
        unsafe { (*arg.cast::<Job<'_, '_>>()).run() };
        std::ptr::null_mut()
    }
    let mut threads = Vec::new();
    for job in &jobs {
        let arg = (job as *const Job<'_, '_>).cast_mut().cast();
        let mut id: libc::pthread_t = 0;
        // SAFETY: `work` matches pthread's start routine; `arg` is valid
        // until the join below.
        match unsafe { libc::pthread_create(&mut id, std::ptr::null(), work, arg) } {
            0 => threads.push(id),
            _ => job.run(),
        }
    }
    let out = body();
    for id in threads {
        // SAFETY: each id is a joinable thread started above, joined once.
        unsafe { libc::pthread_join(id, std::ptr::null_mut()) };
    }
    out
}

#[cfg(not(unix))]
fn parallel<R>(jobs: Vec<Job<'_, '_>>, body: impl FnOnce() -> R) -> R {
    std::thread::scope(|s| {
        for job in &jobs {
            s.spawn(move || job.run());
        }
        body()
    })
}

/// Each frame's compressed bytes and content size. A frame without a
/// recorded size (not written by cargo-freeze) is refused.
fn frames(mut payload: &[u8]) -> Result<Vec<(&[u8], usize)>, Fail> {
    let mut out = Vec::new();
    while !payload.is_empty() {
        // SAFETY: both functions only read `payload.len()` bytes of `payload`.
        let (len, size) = unsafe {
            let len = z::ZSTD_findFrameCompressedSize(payload.as_ptr().cast(), payload.len());
            let size = z::ZSTD_getFrameContentSize(payload.as_ptr().cast(), payload.len());
            (len, size)
        };
        // Error codes are huge values: `get` below fails on them.
        let frame = payload.get(..len).filter(|_| unsafe { z::ZSTD_isError(len) } == 0);
        // u64::MAX and u64::MAX - 1: size unknown, or not a frame.
        let size = usize::try_from(size).ok().filter(|_| size < u64::MAX - 1);
        match (frame, size) {
            (Some(frame), Some(size)) if !frame.is_empty() => out.push((frame, size)),
            _ => return Err(bad("payload is not a sequence of sized zstd frames (corrupted)")),
        }
        payload = &payload[len..];
    }
    Ok(out)
}

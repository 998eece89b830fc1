//! The threads the analysis runs on: every parse, lowering (including a
//! body lowered late) and walk runs on a thread with [`STACK_BYTES`] of
//! stack, never on the caller's (the main thread has 8 MiB, rayon's default
//! workers 2 MiB), so the nesting bounds of [`super::nesting`] are enough for
//! any file to be analysed or refused, never to abort the process.

use super::Error;
use super::nesting::STACK_BYTES;

/// Runs `work` on a pool of big-stack threads (one per core), which
/// rayon's parallel iterators inside `work` use too.
pub(crate) fn install<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES)
        .thread_name(|i| format!("freeze-lint-{i}"))
        .build()
        .map_err(|source| Error::Threads { source })?;
    Ok(pool.install(work))
}

/// Runs `work` on one big-stack thread (fuzzing and tests analyse one text).
pub(crate) fn one<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("freeze-lint".to_string())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, work)
            .expect("failed to start the analysis thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

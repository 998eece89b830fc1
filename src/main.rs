//! The `cargo-freeze` executable: everything lives in the library; this only
//! turns its result into the process exit code documented in README.md.

/// mimalloc, not the system allocator (issue 18): the static check builds
/// and drops millions of small IR nodes and values, and under glibc's malloc
/// the allocator took about a quarter of its CPU time. BENCHMARKS.md
/// ("Seventh round (issue 18)") has the paired runs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// With mimalloc's defaults the check's peak RSS was ~25% above glibc's: it
/// keeps freed pages a while and commits its arenas eagerly. Purging at once
/// and committing on demand keep the peak within a few percent. The options
/// must be set before mimalloc starts (its own constructor, priority 101,
/// reads them, and the first allocation reserves an arena), so this runs as
/// an ELF constructor of an earlier priority. Elsewhere the defaults apply.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[unsafe(link_section = ".init_array.00099")]
static ALLOC_OPTIONS: extern "C" fn() = alloc_options;

/// `mi_option_arena_eager_commit` and `mi_option_purge_delay` in mimalloc
/// v2's `mi_option_e` (libmimalloc-sys is pinned in Cargo.toml).
#[cfg(any(target_os = "linux", target_os = "android"))]
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
#[cfg(any(target_os = "linux", target_os = "android"))]
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(any(target_os = "linux", target_os = "android"))]
extern "C" fn alloc_options() {
    // SAFETY: plain stores into mimalloc's option table, before any thread
    // or allocation exists.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    // The child-dispatch guard: the probe re-executes this program as its
    // namespace helper and as its sentinel, which must never reach the
    // command line below.
    if args.get(1).is_some_and(|a| a == cargo_freeze::probe::HELPER_ARG) {
        std::process::exit(cargo_freeze::probe::helper_main(&args[2..]));
    }
    if args.get(1).is_some_and(|a| a == cargo_freeze::probe::SENTINEL_ARG) {
        std::process::exit(cargo_freeze::probe::sentinel_main(&args[2..]));
    }
    cargo_freeze::run(args)
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::{ARENA_EAGER_COMMIT, PURGE_DELAY};

    /// The constructor ran before mimalloc started: both options read 0,
    /// not mimalloc v2's defaults (2 and 10). A linker that dropped the
    /// `.init_array` entry would leave the defaults.
    #[test]
    fn allocator_options_are_set_before_main() {
        // SAFETY: reads of mimalloc's option table.
        let (commit, purge) = unsafe {
            (libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT), libmimalloc_sys::mi_option_get(PURGE_DELAY))
        };
        assert_eq!((commit, purge), (0, 0));
    }
}

//! The `cargo-freeze` executable: everything lives in the library; this only
//! turns its result into the process exit code documented in README.md.

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

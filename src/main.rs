//! The `cargo-freeze` executable: everything lives in the library; this only
//! turns its result into the process exit code documented in README.md.

fn main() -> std::process::ExitCode {
    cargo_freeze::run(std::env::args_os())
}

//! Fuzz target: `cargo_freeze::lint::analyze_source` must never panic,
//! whatever text it is given as a binary's `main.rs`.
//!
//! Bytes that are not valid UTF-8 are converted lossily rather than
//! discarded, so mutations that break one byte of a multi-byte character
//! still exercise the parser and the analysis.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = cargo_freeze::lint::analyze_source(&text);
});

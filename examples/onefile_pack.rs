//! Packs a one-dir tree with the library API until `cargo freeze --onefile`
//! is wired: `cargo run --example onefile_pack -- TREE NAME OUT` (used by
//! `benches/onefile.sh`).
#[expect(clippy::disallowed_macros, reason = "a command-line example reports its own error")]
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let [tree, name, out] = &a[..] else { std::process::exit(2) };
    let options = cargo_freeze::bundle::onefile::PackOptions {
        tree_dir: tree.into(),
        name: name.clone(),
        target: std::env::var("TARGET_TRIPLE").unwrap_or_else(|_| "x86_64-unknown-linux-gnu".into()),
        runtime_dir: None,
        fuse_limit: 8,
        cache_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fixtures/cargo-freeze"),
        out: out.into(),
    };
    if let Err(e) = cargo_freeze::bundle::onefile::pack(&options) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

//! Which of the crates a package can link a binary actually links: rustc
//! links a dependency only into targets that name it, so a binary whose
//! code never names `app` cannot run `app`'s code, even when its package
//! depends on `app` for another binary. A library's generic call matched by
//! name would otherwise reach an impl in a crate the binary never links.
//!
//! Naming is read from the text, as a superset: every identifier before
//! `::` or after `extern crate` (`use app::x`, `app::run()`, `::app::X`,
//! `extern crate app as a`). A crate is linked when the binary's own files
//! name it, or when a linked crate can see it (its path dependencies).

use super::CrateInput;
use super::load::Loaded;
use std::path::Path;

/// The identifiers `text` puts before `::` or after `extern crate`, sorted
/// and without repeats.
pub(crate) fn crate_refs(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find("::") {
        let end = at + found;
        let start = ident_start(bytes, end);
        if start < end {
            out.push(text[start..end].to_string());
        }
        at = end + 2;
    }
    let mut rest = text;
    while let Some(found) = rest.find("extern crate") {
        rest = &rest[found + "extern crate".len()..];
        let name: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out.sort_unstable();
    out.dedup();
    // Kept for the whole run, one list per file; most names repeat.
    out.shrink_to_fit();
    out
}

/// The start of the identifier that ends at `end` (`end` itself if none).
fn ident_start(bytes: &[u8], end: usize) -> usize {
    let mut start = end;
    while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        start -= 1;
    }
    start
}

/// Keeps the crates of `candidates` the binary whose own files are `own`
/// links. When the binary's own code could not all be read, nothing is
/// dropped: a crate it names may hide in the unread part.
pub(crate) fn linked(own: &[u32], candidates: Vec<CrateInput>, loaded: &Loaded) -> Vec<CrateInput> {
    let files = |ids: &[u32]| ids.iter().map(|&f| &loaded.files[f as usize]).collect::<Vec<_>>();
    let own_files = files(own);
    if own_files.is_empty() || own_files.iter().any(|f| f.error.is_some()) {
        return candidates;
    }
    let names = |name: &str| own_files.iter().any(|f| f.crate_refs.binary_search_by(|r| r.as_str().cmp(name)).is_ok());
    let mut kept: Vec<bool> = candidates.iter().map(|c| names(&c.name)).collect();
    // A linked crate links what it can see (its own code names it, or a
    // re-export passes it on; both are taken as linked).
    loop {
        let seen = |root: &Path| {
            candidates
                .iter()
                .zip(&kept)
                .any(|(c, &k)| k && c.sees.as_ref().is_some_and(|s| s.iter().any(|r| r == root)))
        };
        let more: Vec<usize> = (0..candidates.len()).filter(|&i| !kept[i] && seen(&candidates[i].root)).collect();
        if more.is_empty() {
            break;
        }
        more.into_iter().for_each(|i| kept[i] = true);
    }
    candidates.into_iter().zip(kept).filter_map(|(c, k)| k.then_some(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_before_paths_and_after_extern_crate() {
        let text = "use app::run;\nfn main() { ::core_lib::go(); x.y::<T>(); }\nextern crate old_dep as od;\n";
        assert_eq!(crate_refs(text), vec!["app", "core_lib", "old_dep", "y"]);
        assert!(crate_refs("fn main() {}").is_empty());
    }
}

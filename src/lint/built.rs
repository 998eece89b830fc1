//! Enum variants the analysed source never builds. A GUI framework calls
//! the program's `update(&mut self, message)` with the messages the
//! program makes; an arm for a variant that no code makes
//! (`Message::WindowNew` declared and matched, never written anywhere
//! else) is dead code, and a spawn there is no self-spawn (issue 14).
//!
//! Only enums whose derives make no values are asked about (`Deserialize`,
//! `Default`, clap's or strum's derives build variants the text never
//! names), and a variant counts as never built when its name occurs, as a
//! whole word, exactly twice in the text of the program's files (its own
//! crate's and those of the crates it links): its declaration and the one
//! arm being walked. Any doubt (a file that cannot be read, another
//! occurrence anywhere, a macro that pastes names) keeps the arm.

use super::index::Program;
use super::ir::{Name, Pat};

/// Derives that make no value of the type (so the text must name a
/// variant to build it).
const PLAIN: &[&str] = &["Debug", "Clone", "Copy", "PartialEq", "Eq", "Hash", "PartialOrd", "Ord", "Serialize"];

/// Whether every derive of an item is one of [`PLAIN`].
pub(crate) fn plain_derives(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).all(|a| {
        let mut plain = true;
        let parsed = a.parse_nested_meta(|meta| {
            plain &= meta.path.segments.last().is_some_and(|s| PLAIN.iter().any(|p| s.ident == p));
            Ok(())
        });
        plain && parsed.is_ok()
    })
}

impl Program<'_> {
    /// Whether an arm with pattern `pat`, in a method of `self_ty`, matches
    /// only variants the source never builds.
    pub(crate) fn never_built(&self, pat: &Pat, self_ty: Option<&str>) -> bool {
        match pat {
            Pat::Path(path) | Pat::TupleStruct(path, _) | Pat::Struct(path, _) => self.unbuilt(path, self_ty),
            Pat::Or(alts) => !alts.is_empty() && alts.iter().all(|p| self.never_built(p, self_ty)),
            _ => false,
        }
    }

    fn unbuilt(&self, path: &[Name], self_ty: Option<&str>) -> bool {
        let [.., ty, variant] = path else { return false };
        let ty = if ty == "Self" { self_ty.unwrap_or_default() } else { ty.as_str() };
        let mut defined = self.program_files().flat_map(|f| &f.enums).filter(|(name, _)| name == ty).peekable();
        if defined.peek().is_none() || !defined.all(|(_, plain)| *plain) {
            return false;
        }
        self.variant_named_twice(variant)
    }

    /// `variant` occurs as a whole word exactly twice in all files' text.
    fn variant_named_twice(&self, variant: &str) -> bool {
        if let Some(&known) = self.built_memo().lock().ok().as_deref().and_then(|m| m.get(variant)) {
            return known;
        }
        let mut count = 0;
        for file in self.program_files() {
            let Ok(text) = fs_err::read_to_string(&file.path) else { return false };
            count += words(&text, variant);
            if count > 2 {
                break;
            }
        }
        let answer = count == 2;
        if let Ok(mut memo) = self.built_memo().lock() {
            memo.insert(variant.to_string(), answer);
        }
        answer
    }
}

/// How often `word` occurs in `text` with no identifier character on
/// either side.
fn words(text: &str, word: &str) -> usize {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word)
        .filter(|(at, _)| !ident(text[..*at].chars().next_back()) && !ident(text[at + word.len()..].chars().next()))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_whole_words_only() {
        assert_eq!(words("WindowNew WindowNewer NewWindowNew Message::WindowNew(x)", "WindowNew"), 2);
    }

    #[test]
    fn only_derives_that_make_no_value_are_plain() {
        let plain: syn::ItemEnum = syn::parse_str("#[derive(Debug, Clone)] #[allow(x)] enum M { A }").unwrap();
        let made: syn::ItemEnum = syn::parse_str("#[derive(Debug, serde::Deserialize)] enum M { A }").unwrap();
        assert!(plain_derives(&plain.attrs));
        assert!(!plain_derives(&made.attrs));
    }
}

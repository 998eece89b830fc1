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

/// Whether every derive of an item is one of [`PLAIN`] (and the list parses).
pub(crate) fn plain_derives(attrs: &[syn::Attribute]) -> bool {
    super::lower::derives::names(attrs).is_some_and(|names| names.iter().all(|n| PLAIN.contains(&n.as_str())))
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

    /// Answered once per `Type::Variant` and program.
    fn unbuilt(&self, path: &[Name], self_ty: Option<&str>) -> bool {
        let [.., ty, variant] = path else { return false };
        let ty = if ty == "Self" { self_ty.unwrap_or_default() } else { ty.as_str() };
        let key = format!("{ty}::{variant}");
        if let Some(&known) = self.built_memo().lock().ok().as_deref().and_then(|m| m.get(&key)) {
            return known;
        }
        let answer = self.plain_enum(ty) && self.named_twice(variant);
        if let Ok(mut memo) = self.built_memo().lock() {
            memo.insert(key, answer);
        }
        answer
    }

    /// Whether `path` ends in `Enum::Variant` of an enum the program
    /// defines: calling it builds a value and runs no code (a glob import
    /// of an own module can leave such a path unresolved, and it was then
    /// taken for a call into another crate).
    pub(crate) fn is_own_variant(&self, path: &[Name]) -> bool {
        let [.., ty, variant] = path else { return false };
        let key = format!("{ty}::{variant}");
        self.program_files().any(|f| f.payloads.iter().any(|(k, _)| *k == key))
    }

    /// The program defines an enum `ty`, and every definition of that name
    /// derives only [`PLAIN`] traits.
    fn plain_enum(&self, ty: &str) -> bool {
        let mut defined = self.program_files().flat_map(|f| &f.enums).filter(|(name, _)| name == ty).peekable();
        defined.peek().is_some() && defined.all(|(_, plain)| *plain)
    }

    /// `variant` occurs as a whole word exactly twice in the program's text.
    /// The count in the linked crates' text is shared by the binaries that
    /// link them: each binary read every file of the program once per
    /// variant (5.7% of jj's check, issue 18).
    fn named_twice(&self, variant: &str) -> bool {
        let cached = self.lib_words().lock().ok().and_then(|counts| counts.get(variant).copied());
        let lib = cached.unwrap_or_else(|| {
            let counted = occurrences(self.lib_files(), variant);
            if let Ok(mut counts) = self.lib_words().lock() {
                counts.insert(variant.to_string(), counted);
            }
            counted
        });
        match lib {
            Some(n) if n <= 2 => occurrences(self.own_files(), variant).is_some_and(|own| n + own == 2),
            _ => false,
        }
    }
}

/// Whole-word occurrences of `word` in the text of `files`, counted up to
/// 3 (more cannot make "twice"); `None` when a file cannot be read.
fn occurrences<'f>(files: impl Iterator<Item = &'f super::ir::FileIr>, word: &str) -> Option<usize> {
    let mut count = 0;
    for file in files {
        count += words(&fs_err::read_to_string(&file.path).ok()?, word);
        if count > 2 {
            break;
        }
    }
    Some(count)
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

//! Interned identifiers: every path segment and name of the lowered IR is a
//! [`Name`], one shared copy of each distinct spelling.
//!
//! Why (issue 18): a path was a `Vec<String>`, so every segment of every
//! path of every lowered body was its own heap allocation. Most segments are
//! a few bytes, but an allocation costs at least 32 bytes of the allocator's
//! memory, and the process's peak RSS was ~1.6x the heap the IR asked for.
//! The names a program uses are few (its vocabulary), their uses many.
//!
//! A `&'static str` inside rather than a `u32` symbol: the analysis compares
//! names with literals (`"new"`, `["std", "process", "Command"]`) in many
//! places, and [`Name`] compares, hashes and derefs as the `str` it holds,
//! so those comparisons read the same as they did with `String`s. The text is
//! leaked on purpose: the IR lives until the end of a run anyway, and the
//! vocabulary of all the runs of one process (the test binary checks many
//! fixtures) is small.

use rustc_hash::FxHashSet;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::{Mutex, OnceLock};

/// An interned identifier. Equality, order and hashing are the text's
/// (so a `Name` can key a map looked up by `&str`).
///
/// A thin pointer (to the leaked `&str`), so a `Name` is 8 bytes, not the
/// 16 of a `&str` or the 24 of a `String`: names are in most IR nodes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Name(&'static &'static str);

impl Name {
    pub(crate) fn as_str(&self) -> &'static str {
        self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        intern(text)
    }
}

/// Module names are also directory and file names (`mod a;` is `a.rs`).
impl AsRef<std::path::Path> for Name {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(*self.0)
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(*self.0, f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == *other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self == *other.0
    }
}

/// Independent locks, so that the files lowered in parallel rarely wait
/// for each other.
const SHARDS: usize = 16;

type Shard = Mutex<FxHashSet<Name>>;

fn shards() -> &'static [Shard; SHARDS] {
    static SHARDS_: OnceLock<[Shard; SHARDS]> = OnceLock::new();
    SHARDS_.get_or_init(|| std::array::from_fn(|_| Mutex::new(FxHashSet::default())))
}

/// The one shared copy of `text`.
pub(crate) fn intern(text: &str) -> Name {
    let hash = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(text);
    let shard = &shards()[(hash >> 32) as usize % SHARDS];
    // A poisoned lock only means another thread panicked mid-insert; the set
    // itself is still a valid set of leaked strings.
    let mut set = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&name) = set.get(text) {
        return name;
    }
    let text: &'static str = Box::leak(Box::from(text));
    let name = Name(Box::leak(Box::new(text)));
    set.insert(name);
    name
}

/// Interns an identifier straight from its tokens.
pub(crate) fn ident(ident: &proc_macro2::Ident) -> Name {
    intern(&ident.to_string())
}

/// A path written `a::b::c`, for tests of functions that read canonical
/// paths.
#[cfg(test)]
pub(crate) fn path_of(text: &str) -> Vec<Name> {
    text.split("::").map(Name::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_copy_per_spelling() {
        let a = intern("spawn_worker");
        let b = intern(&String::from("spawn_worker"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()), "the same spelling gave two copies");
        assert_ne!(intern("spawn_worker"), intern("spawn_workers"));
    }
}

//! The crates a binary links (its package's library, its path
//! dependencies), indexed once per run and shared by every binary that
//! links the same crates under the same names: with 200 binaries over one
//! library, the library is indexed once, not 200 times (issue 18).

use super::clap_names::ClapNames;
use super::defs::{Defs, resolve_clap_consts};
use super::index::{CrateView, FnId};
use super::ir::{ClapToken, FileIr};
use super::load::Loaded;
use super::memo::Memo;
use super::{BinaryInput, CrateInput};
use std::path::PathBuf;

/// Which crates, under which names: binaries with the same key share a
/// [`Library`].
pub(crate) type LibraryKey = Vec<CrateInput>;

pub(crate) struct Library<'a> {
    /// Crates 1.. of every program that links this library.
    pub crates: Vec<CrateView>,
    pub defs: Defs<'a>,
    /// The library's clap tokens, its own constants resolved.
    pub clap: Vec<ClapToken>,
    /// The names in `clap`, looked up by name.
    pub clap_names: ClapNames,
    /// Answers about its functions, shared by the binaries whose own crate
    /// defines no methods.
    pub memo: Memo,
    /// Its callers, shared likewise ([`super::callers`]).
    pub callers: super::callers::Slot<'a>,
    /// Its functions in files that name an own-executable source, in id
    /// order: found once, not by every binary over the whole library.
    pub self_naming: Vec<FnId>,
    /// Whole-word counts of enum variant names in its text (up to 3;
    /// `None`: a file could not be read), for [`super::built`]: each
    /// binary read every file once per variant it asked about.
    pub words: std::sync::Mutex<rustc_hash::FxHashMap<String, Option<usize>>>,
}

impl<'a> Library<'a> {
    /// The library of `crates`, linked by `binaries` binaries.
    pub(super) fn new(files: &'a [FileIr], crates: Vec<CrateView>, binaries: usize) -> Library<'a> {
        let defs = Defs::new(files, &crates, 1, 0);
        let mut clap = defs.clap.clone();
        resolve_clap_consts(&mut clap, |name| defs.consts_named(name).first().map(|c| c.2.as_str()));
        // Shared closures pay off only across binaries: for one, each
        // library function its own crate calls would start a walk of its
        // own, and walks from different functions cover the same code
        // again (the crates.io corpus took ~40% more CPU).
        let memo = if binaries > 1 { Memo::for_library(defs.fns.len()) } else { Memo::new(defs.fns.len()) };
        let self_naming = (0..defs.fns.len()).filter(|&id| files[defs.fns[id].1 as usize].mentions_self).collect();
        let clap_names = ClapNames::of(&clap);
        Library {
            crates,
            defs,
            clap,
            clap_names,
            memo,
            callers: Default::default(),
            self_naming,
            words: Default::default(),
        }
    }

    /// A library of no crates (a single file analysed alone).
    pub(super) fn empty() -> Library<'a> {
        Library {
            crates: Vec::new(),
            defs: Defs::default(),
            clap: Vec::new(),
            clap_names: ClapNames::default(),
            memo: Memo::default(),
            callers: Default::default(),
            self_naming: Vec::new(),
            words: Default::default(),
        }
    }
}

/// The crates `bin` links that were loaded, other than its own root, in
/// the order the binary lists them: those its code names (see
/// [`super::refs`]).
pub(crate) fn key(bin: &BinaryInput, loaded: &Loaded) -> LibraryKey {
    let candidates =
        bin.crates.iter().filter(|c| c.root != bin.root && loaded.crates.contains_key(&c.root)).cloned().collect();
    let own = loaded.crates.get(&bin.root).map_or(&[][..], Vec::as_slice);
    super::refs::linked(own, candidates, loaded)
}

/// The library of `key`, linked by `binaries` binaries.
pub(crate) fn build<'a>(key: &LibraryKey, loaded: &'a Loaded, binaries: usize) -> Library<'a> {
    // Crate `i` of the key is crate `i + 1` of every program.
    let index = |roots: &Vec<PathBuf>| -> Vec<usize> {
        key.iter().enumerate().filter(|(_, c)| roots.contains(&c.root)).map(|(i, _)| i + 1).collect()
    };
    let crates = key
        .iter()
        .map(|c| CrateView {
            name: c.name.clone(),
            files: loaded.crates[&c.root].clone(),
            sees: c.sees.as_ref().map(index),
        })
        .collect();
    Library::new(&loaded.files, crates, binaries)
}

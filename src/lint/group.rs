//! The binaries that share one [`super::library::Library`], analysed so
//! that the work they share is done once and both cores stay busy.
//!
//! What the binaries over one library share (the callees of its functions,
//! their summaries, the bodies lowered on first use) is computed on first
//! use behind once-cells ([`super::memo`], [`super::body`]). Started
//! together, the first two binaries each needed the same cold cells: one
//! thread computed a cell while the other, wanting the same one, blocked on
//! it or computed a closure again. With 200 binaries over one library (the
//! synthetic workspace of `benches/synth.rs`), those first two binaries
//! took the whole analysis phase and each thread was idle about a quarter
//! of it (issue 18). So the first binary runs alone up to its spawn sites'
//! walks (its closures still hand each wave of functions to the pool, as a
//! single binary's do), and the other binaries start beside those walks,
//! which no other binary shares.

use super::BinaryInput;
use super::analyze::{self, Analysed};
use super::library::Library;
use super::load::Loaded;
use rayon::prelude::*;
use std::path::Path;

/// The reports of `members` (indices into `binaries`), each with its index.
pub(crate) fn analyze<'a>(
    members: &[usize],
    binaries: &[BinaryInput],
    loaded: &'a Loaded,
    lib: &'a Library<'a>,
    root: &Path,
) -> Vec<(usize, Analysed)> {
    let Some((&first, rest)) = members.split_first() else {
        return Vec::new();
    };
    let one = |i: usize| analyze::binary(&binaries[i], loaded, lib, root, || ()).0;
    let (head, tail) = analyze::binary(&binaries[first], loaded, lib, root, || {
        rest.par_iter().map(|&i| (i, one(i))).collect::<Vec<_>>()
    });
    let mut all = Vec::with_capacity(members.len());
    all.push((first, head));
    all.extend(tail);
    all
}

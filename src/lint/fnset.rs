//! A set of functions of one program, as bits: the call graph's closures
//! insert every edge's target, and a bit per function is much cheaper than
//! hashing (issue 18: the closures ran once per binary over the whole
//! reachable library).

use super::index::FnId;

#[derive(Clone, Debug, Default)]
pub(crate) struct FnSet {
    words: Vec<u64>,
}

impl FnSet {
    /// An empty set for ids `0..fns`.
    pub(super) fn new(fns: usize) -> FnSet {
        FnSet { words: vec![0; fns.div_ceil(64)] }
    }

    pub(super) fn contains(&self, id: &FnId) -> bool {
        self.words.get(id / 64).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// Adds `id`; whether it was new.
    pub(super) fn insert(&mut self, id: FnId) -> bool {
        let (word, bit) = (id / 64, 1u64 << (id % 64));
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let new = self.words[word] & bit == 0;
        self.words[word] |= bit;
        new
    }

    /// Adds every id of `other`.
    pub(super) fn union_with(&mut self, other: &FnSet) {
        if other.words.len() > self.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    /// Keeps only the ids `other` holds.
    pub(super) fn intersect(&mut self, other: &FnSet) {
        for (i, w) in self.words.iter_mut().enumerate() {
            *w &= other.words.get(i).copied().unwrap_or(0);
        }
    }

    /// Whether every id of `other` below `limit` is in this set.
    pub(super) fn covers(&self, other: &FnSet, limit: usize) -> bool {
        other.words.iter().enumerate().take(limit.div_ceil(64)).all(|(i, &o)| {
            let below = if (i + 1) * 64 <= limit { u64::MAX } else { (1u64 << (limit % 64)) - 1 };
            o & below & !self.words.get(i).copied().unwrap_or(0) == 0
        })
    }

    /// The ids in increasing order.
    pub(super) fn iter(&self) -> impl Iterator<Item = FnId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| Bits(w).map(move |b| i * 64 + b))
    }
}

/// The set bits of a word, lowest first: a step per member, not one per
/// bit (the analysis of each binary iterates sets over the whole library;
/// issue 18).
struct Bits(u64);

impl Iterator for Bits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(bit)
    }
}

impl Extend<FnId> for FnSet {
    fn extend<I: IntoIterator<Item = FnId>>(&mut self, ids: I) {
        for id in ids {
            self.insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_report_new_ids_and_iterate_in_order() {
        let mut set = FnSet::new(10);
        assert!(set.insert(3));
        assert!(!set.insert(3));
        assert!(set.insert(130), "grows past its first size");
        set.extend([64, 0, 63]);
        let mut other = FnSet::new(1);
        other.union_with(&set);
        assert_eq!(other.iter().collect::<Vec<_>>(), set.iter().collect::<Vec<_>>(), "a union grows too");
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![0, 3, 63, 64, 130]);
        assert!(set.contains(&64) && !set.contains(&65) && !set.contains(&1000));
        let small = FnSet::new(1);
        let mut some = FnSet::new(1);
        some.extend([0, 3]);
        assert!(set.covers(&some, 200) && !small.covers(&set, 200) && small.covers(&set, 0));
        assert!(small.covers(&set, 0) && !FnSet::new(1).covers(&some, 1), "limit 1 sees id 0 only");
        some.intersect(&small);
        assert!(some.iter().next().is_none());
    }
}

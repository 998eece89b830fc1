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

    /// The ids in increasing order.
    pub(super) fn iter(&self) -> impl Iterator<Item = FnId> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(i, &w)| (0..64).filter(move |b| w & (1 << b) != 0).map(move |b| i * 64 + b))
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
        set.extend([64, 0]);
        let mut other = FnSet::new(1);
        other.union_with(&set);
        assert_eq!(other.iter().collect::<Vec<_>>(), set.iter().collect::<Vec<_>>(), "a union grows too");
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![0, 3, 64, 130]);
        assert!(set.contains(&64) && !set.contains(&65) && !set.contains(&1000));
    }
}

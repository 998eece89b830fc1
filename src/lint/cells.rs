//! A fixed number of once-cells, stored in chunks made on first use.
//!
//! A [`super::memo::Memo`] has a cell per function for each answer it
//! keeps (~290 bytes a function), and a binary's memo over the crates it
//! links covers every function of them, although the analysis asks about
//! the few it reaches. Allocated whole, those cells were most of the
//! per-binary memory on workspaces with large libraries (issue 18: on
//! biome, two binaries analysed at once held ~60 MiB of them). Function
//! ids run file by file, so the reached ones fall in few chunks.

use std::sync::OnceLock;

/// Cells per chunk.
const CHUNK: usize = 64;

/// `CHUNK` cells (fewer in the last chunk).
type Chunk<T> = Box<[OnceLock<T>]>;

pub(crate) struct Cells<T> {
    chunks: Box<[OnceLock<Chunk<T>>]>,
    len: usize,
}

impl<T> Cells<T> {
    /// `len` empty cells; no chunk is allocated yet.
    pub(crate) fn new(len: usize) -> Cells<T> {
        Cells { chunks: std::iter::repeat_with(OnceLock::new).take(len.div_ceil(CHUNK)).collect(), len }
    }

    /// Cell `i`, its chunk made if it was not; `None` past the end.
    pub(crate) fn get(&self, i: usize) -> Option<&OnceLock<T>> {
        if i >= self.len {
            return None;
        }
        let first = i - i % CHUNK;
        let chunk = self.chunks[i / CHUNK]
            .get_or_init(|| std::iter::repeat_with(OnceLock::new).take(CHUNK.min(self.len - first)).collect());
        Some(&chunk[i % CHUNK])
    }
}

impl<T> Default for Cells<T> {
    fn default() -> Cells<T> {
        Cells::new(0)
    }
}

impl<T> std::ops::Index<usize> for Cells<T> {
    type Output = OnceLock<T>;

    fn index(&self, i: usize) -> &OnceLock<T> {
        match self.get(i) {
            Some(cell) => cell,
            None => panic!("cell {i} of {}", self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cells;

    #[test]
    fn cells_are_independent_and_bounded() {
        let cells: Cells<usize> = Cells::new(130);
        assert!(cells.get(130).is_none());
        for i in [0, 63, 64, 129] {
            assert_eq!(*cells[i].get_or_init(|| i), i);
        }
        assert_eq!(cells[64].get(), Some(&64));
        assert!(cells[65].get().is_none());
        assert!(Cells::<u8>::default().get(0).is_none());
    }
}

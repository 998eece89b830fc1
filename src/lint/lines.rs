//! Line and column of a position, computed from the file's text when a
//! finding or a reason names them. A [`Loc`] keeps only the file and the
//! byte range: the line and column were 8 of its 20 bytes, in most
//! expressions of the IR, and are read for a handful of them (issue 18).

use super::ir::{FileIr, Loc};

/// Where each line of a file starts, and where its multi-byte characters
/// are: enough to turn a byte offset into `proc_macro2`'s line (1-based,
/// lines end at `\n`) and column (characters since the line's start).
#[derive(Clone, Debug, Default)]
pub(crate) struct Lines {
    /// Byte offset of each line's first byte; the first is 0.
    starts: Vec<u32>,
    /// Byte offset of each UTF-8 continuation byte (not a character of
    /// its own); empty for ASCII text.
    continuations: Vec<u32>,
}

impl Lines {
    pub(crate) fn of(text: &str) -> Lines {
        let mut starts = vec![0];
        let mut continuations = Vec::new();
        for (i, &b) in text.as_bytes().iter().enumerate() {
            if b == b'\n' {
                starts.push(i as u32 + 1);
            } else if b & 0xC0 == 0x80 {
                continuations.push(i as u32);
            }
        }
        Lines { starts, continuations }
    }

    /// The 1-based line and column of byte `offset`.
    pub(crate) fn position(&self, offset: u32) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let wide = |at: u32| self.continuations.partition_point(|&c| c < at);
        let chars = offset - start - (wide(offset) - wide(start)) as u32;
        (line as u32, chars + 1)
    }
}

/// The line and column of `loc`, as the parser reported them. The default
/// `Loc` (made up, not read from a file) is line 0, column 0, as before
/// the line and column were dropped from it.
pub(crate) fn line_col(files: &[FileIr], loc: Loc) -> (u32, u32) {
    if loc == Loc::default() {
        return (0, 0);
    }
    if loc.start == 0 {
        // Also where a file that could not be read or parsed is reported.
        return (1, 1);
    }
    files.get(loc.file as usize).map_or((1, loc.start + 1), |f| f.lines().position(loc.start))
}

/// The line of `loc` ([`line_col`]).
pub(crate) fn line(files: &[FileIr], loc: Loc) -> u32 {
    line_col(files, loc).0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same line and column as `proc_macro2`'s spans, multi-byte
    /// characters, `\r` and a byte order mark included.
    #[test]
    fn positions_match_the_parser() {
        let text = "\u{feff}fn a() {}\r\n// é ü\nfn b() { \"ünï\"; c() }\n\nfn d() {}";
        let lines = Lines::of(text);
        let tokens: proc_macro2::TokenStream = text.parse().unwrap();
        let mut seen = 0;
        let mut stack: Vec<proc_macro2::TokenStream> = vec![tokens];
        while let Some(stream) = stack.pop() {
            for token in stream {
                let span = token.span();
                let start = span.start();
                let at = span.byte_range().start as u32;
                assert_eq!(lines.position(at), (start.line as u32, start.column as u32 + 1), "{token}");
                seen += 1;
                if let proc_macro2::TokenTree::Group(g) = token {
                    stack.push(g.stream());
                }
            }
        }
        assert!(seen > 10);
    }
}

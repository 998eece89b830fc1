//! Function bodies, lowered when the analysis first needs them. A binary
//! that links large libraries calls little of them: the loader lowers every
//! item (names, `use`s, constants, signatures) but keeps only the source
//! range of most bodies, and a body is parsed and lowered on first use.
//! Files that name an own-executable source are lowered whole at load time
//! (in parallel), since the analysis evaluates their functions anyway.

use super::ir::{Block, Loc};
use super::lower::{self, Base};
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// Where a file's text comes from when a body is lowered late. Only the
/// body's own bytes are read, never the whole file kept: holding the text
/// of every file with a reached body was ~8% of the peak heap on large
/// workspaces (issue 18).
#[derive(Debug)]
pub(crate) struct Source {
    pub path: PathBuf,
    pub file: u32,
    /// The first (by position) reached body that does not parse. The
    /// load's parse skips bodies ([`super::skip`]), so a syntax error in one
    /// is only seen here; it is reported as the file's `parse-error`.
    error: Mutex<Option<(String, Loc)>>,
}

impl Source {
    pub(super) fn new(path: PathBuf, file: u32) -> Arc<Source> {
        Arc::new(Source { path, file, error: Mutex::new(None) })
    }

    /// Why a reached body of this file could not be parsed, and where.
    pub(crate) fn body_error(&self) -> Option<(String, Loc)> {
        self.error.lock().ok()?.clone()
    }

    /// Keeps the first error by position, whatever order the binaries'
    /// threads reach the bodies in.
    fn record(&self, message: String, loc: Loc) {
        if let Ok(mut error) = self.error.lock()
            && error.as_ref().is_none_or(|(_, first)| loc < *first)
        {
            *error = Some((message, loc));
        }
    }

    /// The text of bytes `start..end` of the file, read again from disk.
    /// The file was read (and its items parsed) moments ago; if the range
    /// cannot be read now, or does not hold whole UTF-8 characters (as
    /// `str::get` on the whole text would refuse), the body counts as empty.
    fn slice(&self, start: u32, end: u32) -> Option<String> {
        let mut file = fs_err::File::open(&self.path).ok()?;
        file.seek(SeekFrom::Start(u64::from(start))).ok()?;
        let mut bytes = vec![0; end.checked_sub(start)? as usize];
        file.read_exact(&mut bytes).ok()?;
        String::from_utf8(bytes).ok()
    }
}

/// A function body: lowered now, or a byte range to lower on first use.
#[derive(Clone, Debug)]
pub(crate) struct Body {
    block: OnceLock<Block>,
    late: Option<Late>,
}

#[derive(Clone, Debug)]
struct Late {
    source: Arc<Source>,
    /// The body's `{ .. }` in the file: its byte range.
    start: u32,
    end: u32,
}

impl Body {
    pub(super) fn lowered(block: Block) -> Body {
        Body { block: OnceLock::from(block), late: None }
    }

    pub(super) fn late(source: &Arc<Source>, start: usize, end: usize) -> Body {
        let late = Late { source: Arc::clone(source), start: start as u32, end: end as u32 };
        Body { block: OnceLock::new(), late: Some(late) }
    }

    /// The lowered statements.
    pub(super) fn get(&self) -> &Block {
        self.block.get_or_init(|| self.late.as_ref().map(Late::lower).unwrap_or_default())
    }

    /// This body lowered now from `text`, the whole text of its file:
    /// `None` when it does not parse.
    pub(super) fn lowered_from(&self, text: &str) -> Option<Body> {
        let Some(late) = &self.late else { return Some(self.clone()) };
        let block = late.lower_text(text.get(late.start as usize..late.end as usize)?).ok()?;
        Some(Body::lowered(block))
    }
}

impl Late {
    fn lower(&self) -> Block {
        let Some(slice) = self.source.slice(self.start, self.end) else { return Block::default() };
        self.lower_text(&slice).unwrap_or_else(|(message, loc)| {
            self.source.record(message, loc);
            Block::default()
        })
    }

    /// Parses and lowers `slice`, the body's bytes.
    fn lower_text(&self, slice: &str) -> Result<Block, (String, Loc)> {
        let base = Base { byte: self.start };
        let ctx = lower::Ctx { file: self.source.file, base };
        // Bounded before `syn` recurses into it: the load's nesting check
        // did not see the body (issue 14).
        let block = match super::nesting::parse_block(slice) {
            Ok(block) => Ok(ctx.block(&block)),
            Err(err) => Err((err.message, ctx.loc(err.span))),
        };
        // The spans are copied into the IR; free this thread's span table.
        proc_macro2::extra::invalidate_current_thread_spans();
        block
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ir::FileIr;
    use crate::lint::load::parse_text;

    /// A body lowered late is the same IR, positions included, as one
    /// lowered at load time.
    #[test]
    fn late_bodies_equal_eager_ones() {
        let text = "use std::process::Command;\n\
            fn one() { let s = \"ünïcödé\"; if s.len() > 2 { two(s) } }\n\
            /* é */ fn two(x: &str) {\n    match x { \"a\" => { Command::new(x).arg(\"--w\"); } _ => {} }\n}\n\
            impl T { fn m(&self) -> u8 { fn inner() {} 1 } }\n\
            impl<X: Into<u8>> U<X> where X: Fn() -> u8 { pub(crate) const fn n(x: &'static str) -> Vec<u8> { vec![x] } }\n\
            trait Tr { fn d(&self) { self.e(\"x\") } }\nmod m { pub extern \"C\" fn f() { g() } }\n\
            fn inner_attr() {\n    #![allow(unused)]\n    two(\"a\")\n}\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        fs_err::write(&path, text).unwrap();
        let eager = parse_text(text, Vec::new(), 3, None);
        let late = parse_text(text, Vec::new(), 3, Some(&Source::new(path, 3)));
        assert!(late.fns.iter().all(|f| f.body.late.is_some()), "bodies are left for later");
        assert_eq!(eager.fns.len(), late.fns.len());
        for (a, b) in eager.fns.iter().zip(&late.fns) {
            assert_eq!(format!("{:?}", a.body.get()), format!("{:?}", b.body.get()), "fn {}", a.name);
        }
    }

    /// The load's parse skips bodies, so a syntax error in one is found
    /// when the body is reached: a located error, and an empty body.
    #[test]
    fn a_reached_body_that_does_not_parse_is_a_located_error() {
        let text = "fn ok() {}\nfn bad() {\n    let = 1;\n}\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        fs_err::write(&path, text).unwrap();
        let ir = parse_text(text, Vec::new(), 3, Some(&Source::new(path.clone(), 3)));
        assert!(ir.error.is_none(), "the items parse");
        let source = ir.late.as_ref().unwrap();
        assert!(source.body_error().is_none(), "not reached yet");
        let bad = ir.fns.iter().find(|f| f.name == "bad").unwrap();
        assert!(bad.body.get().is_empty());
        let (message, loc) = source.body_error().unwrap();
        assert!(message.starts_with("cannot parse the file"), "{message}");
        let mut file = ir.clone();
        file.path = path;
        let files = [FileIr::default(), FileIr::default(), FileIr::default(), file];
        assert_eq!((loc.file, crate::lint::lines::line_col(&files, loc)), (3, (3, 9)));
    }
}

//! How deeply a file nests, measured on its tokens before `syn` sees them.
//!
//! `syn` parses (and drops, and `syn::visit` walks) recursively, and so does
//! the lowering; a hostile file of 3,000 nested parentheses overflowed the
//! stack and aborted the whole process (issue 14). proc-macro2's lexer and
//! the token walk below use explicit stacks, so any text can be measured;
//! a file past the bounds is refused with a located `parse-error` and never
//! reaches a recursive parser. Together with the analysis threads' stack
//! ([`STACK_BYTES`]), this bounds every recursive walk of the analysis: the
//! depth of a syntax tree (and so of the IR lowered from it) is at most the
//! depth of its delimiters plus the chain of tokens that leads to it.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use std::borrow::Cow;

/// Nested `()`, `[]`, `{}` groups allowed in one file. Real code stays far
/// below: 45 at most in 7,195 files of a registry cache (`measure_dir`).
pub(crate) const MAX_DEPTH: usize = 256;

/// Tokens allowed on one chain: from the top of the file to any token, the
/// sum over its enclosing groups of the tokens since the last `;`, `,` or
/// `=>` in each. A chain is what one expression can nest through without a
/// delimiter (`!!!!x`, `a + a + ..`, `x.f().f()..`, `else if` chains).
/// Real code: 1,235 at most in the same files.
pub(crate) const MAX_CHAIN: usize = 8192;

/// Stack of every thread that parses, lowers or analyses: enough for a file
/// at both bounds in a debug build (tested in `tests/integration/bad_input.rs`),
/// reserved, not committed, until used.
pub(crate) const STACK_BYTES: usize = 256 << 20;

/// A file past the bounds: why, and where.
#[derive(Debug)]
pub(crate) struct TooDeep {
    pub message: String,
    pub span: Span,
}

/// Lexes `content`, checks its nesting, and parses it. A shebang line
/// (not `#![attr]`) is kept as in `syn::parse_file`; it and a byte order
/// mark keep their bytes in the text proc-macro2 reads, so every span's
/// byte offset is the file's (a late body is read back by its offsets).
pub(crate) fn parse_file(content: &str) -> Result<syn::File, TooDeep> {
    let (shebang, content) = shebang_as_comment(content);
    let mut file: syn::File = parse_checked(&content)?;
    file.shebang = shebang;
    Ok(file)
}

/// As [`parse_file`], but the insides of item-level function bodies are
/// skipped (their braces' spans kept) for a parse on first use, which
/// checks their nesting then ([`parse_block`]): see [`super::skip`]. Each
/// item is handed to `each` as it is parsed and dropped after, not kept
/// in a `syn::File`: the syntax tree of a large generated file's items
/// (biome's 1.9 MB `nodes.rs`) took ~90 MiB at once (issue 18).
pub(crate) fn parse_items(content: &str, each: &mut dyn FnMut(&syn::Item)) -> Result<(), TooDeep> {
    let (_, content) = shebang_as_comment(content);
    let content = super::skip::skeleton(&content);
    let tokens = lex_checked(&content)?;
    // What `syn::File`'s parser does, an item at a time.
    let items = |input: syn::parse::ParseStream<'_>| -> syn::Result<()> {
        input.call(syn::Attribute::parse_inner)?;
        while !input.is_empty() {
            each(&input.parse()?);
        }
        Ok(())
    };
    syn::parse::Parser::parse2(items, tokens)
        .map_err(|e| TooDeep { message: format!("cannot parse the file: {e}"), span: e.span() })
}

/// `content`'s tokens, when it lexes and is within the bounds.
fn lex_checked(content: &str) -> Result<TokenStream, TooDeep> {
    let tokens: TokenStream = content.parse().map_err(|e: proc_macro2::LexError| TooDeep {
        message: format!("cannot parse the file: {e}"),
        span: e.span(),
    })?;
    check(&tokens)?;
    Ok(tokens)
}

/// Whether `content` lexes and is within the bounds as a whole file: what
/// [`parse_file`] checks before `syn` parses it, without parsing it.
pub(crate) fn file_fits(content: &str) -> bool {
    let (_, content) = shebang_as_comment(content);
    let fits = content.parse::<TokenStream>().ok().is_some_and(|tokens| check(&tokens).is_ok());
    proc_macro2::extra::invalidate_current_thread_spans();
    fits
}

/// A function body (`{ .. }`) read back from its file, bounded like a file.
/// Inner attributes at its top (`#![allow(..)]`, as a function body may
/// have) are skipped: `syn::Block`'s own parser refuses them, so such a body
/// was a `parse-error` and its spawn sites were not seen.
pub(crate) fn parse_block(content: &str) -> Result<syn::Block, TooDeep> {
    let body = |input: syn::parse::ParseStream<'_>| -> syn::Result<syn::Block> {
        let inside;
        let brace_token = syn::braced!(inside in input);
        inside.call(syn::Attribute::parse_inner)?;
        Ok(syn::Block { brace_token, stmts: inside.call(syn::Block::parse_within)? })
    };
    syn::parse::Parser::parse2(body, lex_checked(content)?)
        .map_err(|e| TooDeep { message: format!("cannot parse the file: {e}"), span: e.span() })
}

fn parse_checked<T: syn::parse::Parse>(content: &str) -> Result<T, TooDeep> {
    syn::parse2(lex_checked(content)?)
        .map_err(|e| TooDeep { message: format!("cannot parse the file: {e}"), span: e.span() })
}

/// `#!/usr/bin/env run` (not `#![attr]`), after a byte order mark if any,
/// is a shebang line, as in `syn::parse_file`: returned, and made a line
/// comment of the same length in the text.
fn shebang_as_comment(content: &str) -> (Option<String>, Cow<'_, str>) {
    let bom = if content.starts_with('\u{feff}') { 3 } else { 0 };
    let line = &content[bom..];
    let Some(rest) = line.strip_prefix("#!") else { return (None, Cow::Borrowed(content)) };
    if rest.trim_start().starts_with('[') {
        return (None, Cow::Borrowed(content));
    }
    let shebang = line.find('\n').map_or(line, |i| &line[..i]).to_string();
    let mut bytes = content.as_bytes().to_vec();
    bytes[bom..bom + 2].copy_from_slice(b"//");
    // `///` and `//!` would be doc comments.
    if let Some(b @ (b'/' | b'!')) = bytes.get_mut(bom + 2) {
        *b = b' ';
    }
    let text = String::from_utf8(bytes).unwrap_or_else(|_| content.to_string());
    (Some(shebang), Cow::Owned(text))
}

/// One open group during the walk.
struct Frame {
    tokens: std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
    /// Tokens since the last separator in this group.
    run: usize,
    brace: bool,
}

/// The deepest group and the longest chain of a file.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Nesting {
    pub depth: usize,
    pub chain: usize,
}

/// Checks the bounds on a token stream without recursion.
pub(crate) fn check(tokens: &TokenStream) -> Result<Nesting, TooDeep> {
    let mut seen = Nesting::default();
    let mut stack = vec![Frame { tokens: tokens.clone().into_iter().peekable(), run: 0, brace: false }];
    // The sum of `run` over the stack.
    let mut chain = 0usize;
    // What came before the current token: after a closed `{}` group a
    // statement or arm may end; after an operand, an attribute starts one.
    let mut before = Before::Punct;
    while let Some(frame) = stack.last_mut() {
        let Some(token) = frame.tokens.next() else {
            chain -= frame.run;
            before = if frame.brace { Before::Brace } else { Before::Operand };
            stack.pop();
            continue;
        };
        if starts_fresh(before, &token) {
            chain -= frame.run;
            frame.run = 0;
        }
        before = match &token {
            TokenTree::Punct(_) => Before::Punct,
            TokenTree::Literal(_) => Before::Literal,
            _ => Before::Operand,
        };
        if let TokenTree::Punct(p) = &token
            && (matches!(p.as_char(), ';' | ',') || is_fat_arrow(p, &mut frame.tokens))
        {
            chain -= frame.run;
            frame.run = 0;
            continue;
        }
        frame.run += 1;
        chain += 1;
        seen.chain = seen.chain.max(chain);
        if chain > MAX_CHAIN {
            let message = format!(
                "an expression here nests through more than {MAX_CHAIN} tokens; the file is not analysed (a generated or hostile file?)"
            );
            return Err(TooDeep { message, span: token.span() });
        }
        if let TokenTree::Group(g) = token {
            if stack.len() > MAX_DEPTH {
                let message = format!(
                    "brackets or blocks nested more than {MAX_DEPTH} deep; the file is not analysed (a generated or hostile file?)"
                );
                return Err(TooDeep { message, span: g.span_open() });
            }
            // Only a closed `{}` group may end a statement; a `()` or `[]`
            // group's close is followed by the rest of its expression.
            seen.depth = seen.depth.max(stack.len());
            let brace = g.delimiter() == Delimiter::Brace;
            stack.push(Frame { tokens: g.stream().into_iter().peekable(), run: 0, brace });
        }
    }
    Ok(seen)
}

/// The kind of token before the current one.
#[derive(Clone, Copy, PartialEq)]
enum Before {
    /// A closed `{}` group.
    Brace,
    Literal,
    /// An identifier, a closed `()` or `[]` group.
    Operand,
    Punct,
}

/// Whether `token` starts a new statement, item or match arm. After a `{}`
/// group, an identifier other than `else`/`as` or a literal does (an
/// operator, `.` or `?` may continue the same chain); after a literal, an
/// identifier other than `as` does (`NAME 0 NAME 1` tables in a macro's
/// tokens); after any operand, a `#` does (an attribute or doc comment of
/// the next item). After an operator nothing does.
fn starts_fresh(before: Before, token: &TokenTree) -> bool {
    match (before, token) {
        (Before::Brace, TokenTree::Ident(i)) => i != "else" && i != "as",
        (Before::Literal, TokenTree::Ident(i)) => i != "as",
        (Before::Brace, TokenTree::Literal(_)) => true,
        (Before::Brace | Before::Literal | Before::Operand, TokenTree::Punct(p)) => p.as_char() == '#',
        _ => false,
    }
}

/// `=>` (a `=` joint with the `>` that follows): a match arm's body starts.
fn is_fat_arrow(p: &proc_macro2::Punct, rest: &mut std::iter::Peekable<proc_macro2::token_stream::IntoIter>) -> bool {
    p.as_char() == '='
        && p.spacing() == proc_macro2::Spacing::Joint
        && matches!(rest.peek(), Some(TokenTree::Punct(q)) if q.as_char() == '>')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_of(text: &str) -> Result<(), String> {
        let tokens: TokenStream = text.parse().unwrap();
        check(&tokens).map(drop).map_err(|e| e.message)
    }

    /// Measures every `.rs` file under `$NESTING_DIR` (a registry cache, a
    /// set of checkouts) and writes the deepest and longest to
    /// `$NESTING_REPORT`: how far real code stays from the bounds.
    /// `NESTING_DIR=~/.cargo/registry/src NESTING_REPORT=/tmp/nesting.txt
    /// cargo test --release --lib nesting::tests::measure_dir -- --ignored`
    #[test]
    #[ignore = "needs NESTING_DIR and NESTING_REPORT"]
    fn measure_dir() {
        let dir = std::env::var("NESTING_DIR").expect("NESTING_DIR");
        let (mut files, mut refused) = (0, Vec::new());
        let (mut depth, mut chain) = ((0, String::new()), (0, String::new()));
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(fs_err::read_dir(&path).unwrap().filter_map(std::result::Result::ok).map(|e| e.path()));
                continue;
            }
            let Some(text) = path.extension().filter(|e| *e == "rs").and_then(|_| fs_err::read_to_string(&path).ok())
            else {
                continue;
            };
            let Ok(tokens) = text.parse::<TokenStream>() else { continue };
            files += 1;
            match check(&tokens) {
                Ok(n) => {
                    if n.depth > depth.0 {
                        depth = (n.depth, path.display().to_string());
                    }
                    if n.chain > chain.0 {
                        chain = (n.chain, path.display().to_string());
                    }
                }
                Err(e) => refused.push((path.display().to_string(), e.message)),
            }
        }
        let report = format!(
            "{files} files; deepest {depth:?}; longest chain {chain:?}; refused {}: {refused:#?}\n",
            refused.len()
        );
        fs_err::write(std::env::var("NESTING_REPORT").expect("NESTING_REPORT"), report).unwrap();
    }

    #[test]
    fn ordinary_code_passes() {
        depth_of("fn main() { let x = (1 + 2) * [3][0]; match x { 1 => {} _ => { f(a, b).g()? } } }").unwrap();
    }

    #[test]
    fn deep_groups_are_refused() {
        let deep = format!("fn f() {{ {}1{} }}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert!(depth_of(&deep).unwrap_err().contains("nested more than"));
        let ok = format!("fn f() {{ {}1{} }}", "(".repeat(MAX_DEPTH - 2), ")".repeat(MAX_DEPTH - 2));
        depth_of(&ok).unwrap();
    }

    #[test]
    fn long_chains_are_refused_but_lists_and_statements_reset() {
        let unary = format!("fn f() {{ let x = {}true; }}", "!".repeat(MAX_CHAIN + 1));
        assert!(depth_of(&unary).unwrap_err().contains("more than"));
        let else_if = format!("fn f() {{ if a {{}} {} }}", "else if a {} ".repeat(MAX_CHAIN / 4));
        assert!(depth_of(&else_if).is_err(), "an else-if chain is one chain");
        let list = format!("const T: [u8; 3] = [{}];", "1, ".repeat(MAX_CHAIN * 2));
        depth_of(&list).unwrap();
        let stmts = format!("fn f() {{ {} }}", "x += 1; ".repeat(MAX_CHAIN));
        depth_of(&stmts).unwrap();
        let arms = format!("fn f() {{ match x {{ {} _ => {{}} }} }}", "A => {} B(x) => { y } ".repeat(MAX_CHAIN));
        depth_of(&arms).unwrap();
    }
}

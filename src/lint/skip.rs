//! Function bodies skipped in the text before the load's parse (issue 18).
//! Most bodies of a workspace's libraries are never reached from `main`,
//! and those that are get parsed again from their byte range on first use
//! ([`super::body`]): lexing and parsing them whole at load time too was
//! most of the check's cost. Here each item-level `fn` body's inside becomes
//! a block comment of the same length, found by the flat lexer
//! ([`super::flat`]) before proc-macro2 sees the text: proc-macro2 skips a
//! comment at a glance, `syn` sees an empty `{}`, and every byte offset,
//! line and column after it stays what it was in the file.
//!
//! Doc comments become plain comments the same way.
//!
//! A body is kept whole when its tokens might hold an item (`fn`, `impl`,
//! `use`, ...): items declared in a body are hoisted into the module while
//! loading, which needs them parsed. Only groups of `mod`, `impl`, `trait`
//! and `extern` items are entered; macro invocations, initialisers and
//! everything after `=` or `name!` keep their tokens as written.

use super::flat::{self, Kind, Tok};
use std::borrow::Cow;

/// Identifiers that start an item the lowering hoists out of a body
/// (`lower::nested_items`). A lifetime (`'static`) is not an identifier here.
const ITEM_KEYWORDS: &[&str] =
    &["fn", "impl", "trait", "mod", "use", "const", "static", "struct", "enum", "macro_rules"];

/// `text` with the insides of its item-level function bodies commented out,
/// or `text` itself when there are none, or the flat lexer gives up.
pub(crate) fn skeleton(text: &str) -> Cow<'_, str> {
    let Some(tokens) = flat::lex(text) else { return Cow::Borrowed(text) };
    let bodies = bodies(&tokens, text);
    let docs = tokens.iter().filter(|t| t.kind == Kind::Doc);
    if bodies.is_empty() && docs.clone().next().is_none() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    // Doc comments become plain ones: proc-macro2 turns each into an
    // escaped string literal, `syn` into an attribute, and the analysis
    // reads neither. They were an eighth of the bytes of a large workspace.
    for doc in docs {
        bytes[doc.start as usize + 2] = b' ';
    }
    for (start, end) in bodies {
        comment_out(&mut bytes[start..end]);
    }
    // Only ASCII bytes were replaced, by ASCII: still UTF-8.
    String::from_utf8(bytes).map_or(Cow::Borrowed(text), Cow::Owned)
}

/// Turns the inside of a body into one block comment of the same length:
/// `/*` and `*/` over its first and last two bytes (past the line breaks
/// at either end, which are kept so that every line number stays), every
/// other `*` and `/` made a space so that nothing inside opens or closes a
/// comment. A body too short for that, or with a line break or non-ASCII
/// character where the markers go, stays as it is.
fn comment_out(inside: &mut [u8]) {
    let is_break = |b: &u8| matches!(b, b'\n' | b'\r');
    let Some(first) = inside.iter().position(|b| !is_break(b)) else { return };
    let last = inside.iter().rposition(|b| !is_break(b)).unwrap_or(first);
    let inside = &mut inside[first..=last];
    let n = inside.len();
    let fits = |pair: &[u8]| pair.iter().all(|&b| b.is_ascii() && b != b'\n');
    if n < 4 || !fits(&inside[..2]) || !fits(&inside[n - 2..]) {
        return;
    }
    for b in inside.iter_mut() {
        if matches!(*b, b'*' | b'/') {
            *b = b' ';
        }
    }
    inside[..2].copy_from_slice(b"/*");
    inside[n - 2..].copy_from_slice(b"*/");
    // `/*!` would be an inner doc comment.
    if inside[2] == b'!' {
        inside[2] = b' ';
    }
}

/// The byte ranges of the insides of the bodies to skip: after `{`, before
/// `}`. Groups are entered with an explicit stack: a file may nest deep.
fn bodies(tokens: &[Tok], text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // The item being read in each entered group, and where that group ends.
    let mut stack = vec![(Item::default(), tokens.len())];
    let mut i = 0;
    while let Some((item, end)) = stack.last_mut() {
        if i >= *end {
            stack.pop();
            i += 1;
            continue;
        }
        let tok = tokens[i];
        i += 1;
        let word = || &text[tok.start as usize..tok.end as usize];
        match tok.kind {
            Kind::Punct(c, joint) => item.punct(c, joint),
            Kind::Ident => item.ident(word()),
            // proc-macro2's `'` punct, then the name.
            Kind::Lifetime => {
                item.punct(b'\'', true);
                item.ident(&word()[1..]);
            }
            Kind::Open(b'{', close) if item.angle == 0 => {
                let close = close as usize;
                let brace = item.brace();
                *item = Item::default();
                match brace {
                    Brace::Body if !may_hold_items(&tokens[i..close], text) => {
                        out.push((tok.end as usize, tokens[close].start as usize));
                    }
                    Brace::Items => {
                        stack.push((Item::default(), close));
                        continue;
                    }
                    Brace::Body | Brace::Keep => {}
                }
                i = close + 1;
            }
            Kind::Open(_, close) => {
                i = close as usize + 1;
                item.other();
            }
            Kind::Literal | Kind::Doc | Kind::Close => item.other(),
        }
    }
    out
}

/// What the tokens of the current item have shown so far.
#[derive(Default)]
struct Item {
    /// Unclosed `<` of generics (`->` is not one).
    angle: usize,
    /// `fn` seen: the next `{}` group is its body.
    func: bool,
    /// `mod`, `impl` or `trait` seen: the next `{}` holds items, and a
    /// `fn` before it is a type (`impl Tr for fn() {..}`).
    container: bool,
    /// `extern` seen: `extern "C" {..}` holds items, `extern "C" fn` is one.
    foreign: bool,
    /// `=` or `name!` seen: the rest is an expression or a macro's tokens.
    opaque: bool,
    after_ident: bool,
    /// The last token was a `-` joint with the next (`->`).
    after_minus: bool,
}

/// What a `{}` group that ends an item holds.
enum Brace {
    /// A function's body.
    Body,
    /// Items, to be read in turn.
    Items,
    /// Anything else, kept as written.
    Keep,
}

impl Item {
    fn punct(&mut self, c: u8, joint: bool) {
        match c {
            b'<' => self.angle += 1,
            b'>' if !self.after_minus => self.angle = self.angle.saturating_sub(1),
            b';' => *self = Item::default(),
            b',' if self.angle == 0 => *self = Item::default(),
            b'=' if self.angle == 0 => self.opaque = true,
            b'!' if self.after_ident => self.opaque = true,
            _ => {}
        }
        self.after_minus = c == b'-' && joint;
        self.after_ident = false;
    }

    fn ident(&mut self, word: &str) {
        self.after_ident = true;
        self.after_minus = false;
        if self.angle > 0 || self.opaque {
            return;
        }
        if word == "fn" && !self.container {
            self.func = true;
        } else if !self.func && matches!(word, "mod" | "impl" | "trait") {
            self.container = true;
        } else if word == "extern" {
            self.foreign = true;
        }
    }

    /// A literal, doc comment or skipped group.
    fn other(&mut self) {
        self.after_ident = false;
        self.after_minus = false;
    }

    fn brace(&self) -> Brace {
        if self.opaque {
            Brace::Keep
        } else if self.func {
            Brace::Body
        } else if self.container || self.foreign {
            Brace::Items
        } else {
            Brace::Keep
        }
    }
}

/// Whether a body's tokens, at any depth, hold an item keyword.
fn may_hold_items(tokens: &[Tok], text: &str) -> bool {
    tokens.iter().any(|t| t.kind == Kind::Ident && ITEM_KEYWORDS.contains(&&text[t.start as usize..t.end as usize]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::{Delimiter, TokenStream, TokenTree};

    /// The file as `syn` sees it after the bodies are skipped.
    fn tokens(text: &str) -> String {
        let skeleton = skeleton(text);
        assert_eq!(skeleton.len(), text.len(), "the skeleton keeps every offset");
        skeleton.parse::<TokenStream>().unwrap().to_string()
    }

    /// The first `{}` group's open and close byte ranges.
    fn first_brace(text: &str) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let tokens: TokenStream = text.parse().unwrap();
        let group = tokens.into_iter().find_map(|t| match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => Some(g),
            _ => None,
        });
        let group = group.unwrap();
        (group.span_open().byte_range(), group.span_close().byte_range())
    }

    #[test]
    fn item_bodies_are_emptied_with_their_spans() {
        let text = "fn a() -> u8 { 1 + 2 }\nimpl<T: Tr<X = u8>> S<T> { pub fn b(&self) -> Vec<u8> where T: Fn() -> u8 { vec![1] } }\n\
            trait T { fn c(); fn d() { c() } }\nmod m { extern \"C\" fn e() { f() } }\n";
        let out = tokens(text);
        assert!(
            !out.contains("1 + 2") && !out.contains("vec !") && !out.contains("{ c () }") && !out.contains("f ()"),
            "{out}"
        );
        assert!(out.contains("fn c () ;"), "{out}");
        assert_eq!(first_brace(&skeleton(text)), first_brace(text));
    }

    #[test]
    fn bodies_with_items_macros_and_initialisers_are_kept() {
        let kept = [
            "fn a() { fn inner() {} }",
            "fn a() { if x { use std::process::Command; } }",
            "fn a() { lazy_static! { static ref X: u8 = 1; } }",
            "const F: fn() -> u8 = { fn g() -> u8 { 1 } g };",
            "m! { fn a() { b() } }",
            "macro_rules! m { () => { fn a() { b() } } }",
            "impl Tr for fn() -> u8 { }",
            "struct S { f: fn() -> u8 }",
        ];
        for text in kept {
            assert_eq!(skeleton(text), text, "{text}");
        }
        let lifetime = tokens("fn a(x: &'static str) -> &'static str { let y: &'static str = x; y }");
        assert!(!lifetime.contains("let"), "a lifetime is not an item: {lifetime}");
        let in_impl = tokens("impl S { fn a() { fn inner() {} } fn b() { c() } }");
        assert!(in_impl.contains("inner") && !in_impl.contains("c ()"), "{in_impl}");
    }

    /// Comments, strings and characters inside a body cannot end the
    /// comment it becomes, and a non-ASCII character keeps its place.
    #[test]
    fn a_body_becomes_one_comment_whatever_it_holds() {
        let text = "fn a() {\n  /* x */ let s = \"*/ é\"; let c = '/'; // */\n  r#\"}\"#; }\nfn b() -> u8 { 22 }\n";
        let out = skeleton(text);
        assert!(out.contains('é'), "{out}");
        assert_eq!(tokens(text), "fn a () { } fn b () -> u8 { }");
        let (open, close) = first_brace(&out);
        assert_eq!((&text[open], &text[close]), ("{", "}"));
        assert_eq!(tokens("fn a() {  !xy}"), "fn a () { }", "not an inner doc comment");
        assert_eq!(tokens("fn a() { }"), "fn a () { }");
        assert_eq!(tokens("//! a\n/// b\n/** c */ fn a() {} /*! d */ /**/ /*** e */"), "fn a () { }");
        let lines = "fn a() {\r\n    b();\r\n    c();\r\n}\r\nfn d() {\n\n  e()\n\n}\n";
        assert_eq!(skeleton(lines), "fn a() {\r\n/*  b();\r\n    c(*/\r\n}\r\nfn d() {\n\n/*e*/\n\n}\n");
    }

    /// A body nested past any recursion limit is skipped (or scanned for
    /// items) without recursion.
    #[test]
    fn deep_bodies_are_skipped_without_recursion() {
        let deep = format!("fn a() {{ {}1{} }}", "{".repeat(200_000), "}".repeat(200_000));
        assert_eq!(tokens(&deep), "fn a () { }");
        let with_item = format!("fn a() {{ {}fn b() {{}}{} }}", "{".repeat(200_000), "}".repeat(200_000));
        assert_eq!(skeleton(&with_item), with_item);
    }

    /// Where the flat lexer gives up, nothing is skipped and the text is
    /// parsed as written.
    #[test]
    fn text_the_flat_lexer_refuses_is_kept_whole() {
        for text in ["fn naïve() { 1 }", "fn a() { 1 ", "fn a() { \"1 }", "fn a() { /* 1 }"] {
            assert_eq!(skeleton(text), text);
        }
    }

    /// On real code (this crate's sources and fixtures, and with
    /// `SKIP_DIR` set any other tree), the skeleton's tokens are the
    /// file's, but for the insides of skipped bodies, which hold no item.
    #[test]
    fn on_real_sources_only_item_free_bodies_are_skipped() {
        let mut skipped = 0;
        for path in crate::lint::corpus::rust_files("SKIP_DIR") {
            let Ok(text) = fs_err::read_to_string(&path) else { continue };
            let Ok(whole) = text.parse::<TokenStream>() else { continue };
            let out = skeleton(&text);
            assert_eq!(out.len(), text.len(), "{}", path.display());
            let items: TokenStream = out.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if flat::lex(&text).is_none() {
                assert_eq!(out, text, "{}: refused, so kept", path.display());
                continue;
            }
            skipped += same_but_skipped(whole, items, &text, &path);
        }
        assert!(skipped > 1000, "only {skipped} bodies skipped");
    }

    /// Walks both trees in step: equal tokens, except brace groups left
    /// empty in the skeleton, whose tokens in the file hold no item, and
    /// doc comments, which the skeleton has not. Returns how many bodies
    /// were skipped.
    fn same_but_skipped(whole: TokenStream, items: TokenStream, text: &str, path: &std::path::Path) -> usize {
        // A doc comment's `#`, `!` and `[doc = ..]` all span the comment.
        let code = |t: &TokenTree| !matches!(text[t.span().byte_range()].get(..2), Some("//" | "/*"));
        let whole: Vec<_> = whole.into_iter().filter(code).collect();
        let items: Vec<_> = items.into_iter().collect();
        assert_eq!(whole.len(), items.len(), "{}", path.display());
        let mut skipped = 0;
        for (w, i) in whole.into_iter().zip(items) {
            match (w, i) {
                (TokenTree::Group(w), TokenTree::Group(i)) => {
                    assert_eq!(w.span_open().byte_range(), i.span_open().byte_range(), "{}", path.display());
                    if i.stream().is_empty() && !w.stream().is_empty() {
                        assert!(!holds_item(w.stream()), "{}: {w}", path.display());
                        skipped += 1;
                    } else {
                        skipped += same_but_skipped(w.stream(), i.stream(), text, path);
                    }
                }
                (w, i) => assert_eq!(w.to_string(), i.to_string(), "{}", path.display()),
            }
        }
        skipped
    }

    /// An item keyword anywhere in the tokens, not as a lifetime's name.
    fn holds_item(tokens: TokenStream) -> bool {
        let mut after_quote = false;
        tokens.into_iter().any(|t| {
            let found = match &t {
                TokenTree::Ident(i) => !after_quote && ITEM_KEYWORDS.iter().any(|k| i == k),
                TokenTree::Group(g) => holds_item(g.stream()),
                _ => false,
            };
            after_quote = matches!(&t, TokenTree::Punct(p) if p.as_char() == '\'');
            found
        })
    }
}

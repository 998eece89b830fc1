use super::*;
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// proc-macro2's tokens of `text`, flattened the way [`lex`] gives them.
fn reference(text: &str) -> Vec<(Kind, usize, usize)> {
    let stream: TokenStream = text.parse().unwrap();
    let mut out = Vec::new();
    flatten(stream, text, &mut out);
    out
}

fn flatten(stream: TokenStream, text: &str, out: &mut Vec<(Kind, usize, usize)>) {
    let mut tokens = stream.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let range = token.span().byte_range();
        let kind = match &token {
            TokenTree::Ident(_) => Kind::Ident,
            TokenTree::Literal(_) => Kind::Literal,
            // A doc comment: `#`, perhaps `!`, and `[doc = ..]`, all with
            // the comment's span.
            TokenTree::Punct(p) if p.as_char() == '#' && text[range.clone()].starts_with('/') => {
                while tokens.next_if(|t| t.span().byte_range() == range).is_some() {}
                out.push((Kind::Doc, range.start, range.end));
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                let name = tokens.next().unwrap().span().byte_range();
                out.push((Kind::Lifetime, range.start, name.end));
                continue;
            }
            TokenTree::Punct(p) => Kind::Punct(p.as_char() as u8, p.spacing() == Spacing::Joint),
            TokenTree::Group(g) => {
                let (open, close) = (g.span_open().byte_range(), g.span_close().byte_range());
                let at = out.len();
                out.push((Kind::Open(text.as_bytes()[open.start], 0), open.start, open.end));
                flatten(g.stream(), text, out);
                out[at].0 = Kind::Open(text.as_bytes()[open.start], out.len() as u32);
                out.push((Kind::Close, close.start, close.end));
                if g.delimiter() == Delimiter::None {
                    unreachable!("no invisible groups in source text");
                }
                continue;
            }
        };
        out.push((kind, range.start, range.end));
    }
}

fn flat(text: &str) -> Option<Vec<(Kind, usize, usize)>> {
    Some(lex(text)?.into_iter().map(|t| (t.kind, t.start as usize, t.end as usize)).collect())
}

#[test]
fn tokens_are_the_ones_proc_macro2_makes() {
    let text = "fn a<'b>(x: &'b str) -> Result<u8, ()> where T: 'static {\n\
        /// doc\n //! inner\n /** block */ /*! inner */ /* plain /* nested */ */ //// not doc\n\
        let (c, d) = ('x', '\\'', '\\u{1F600}', b'y', 'é', \"s\\\"t\", r#\"r\"#, br\"b\", c\"c\", 1.5e-3, 0x1e-5, 1., 2..3, x.0.1, 1u8);\n\
        r#fn; 'r#async; 'outer: loop { a -= b->c; x /= 2; } }";
    assert_eq!(flat(text), Some(reference(text)));
}

/// Byte order mark and offsets after it, as proc-macro2 keeps them.
#[test]
fn a_byte_order_mark_is_skipped_and_counted() {
    let text = "\u{feff}fn a() {}";
    assert_eq!(flat(text), Some(reference(text)));
}

#[test]
fn refuses_what_it_does_not_lex() {
    for text in ["fn naïve() {}", "let x = 'é", "fn a() { (}", "fn a() {", "\"open", "/* open", "r#\"open\"", "a ` b"]
    {
        assert_eq!(flat(text), None, "{text}");
    }
}

/// Every file of this crate (and with `SKIP_DIR` set, any other tree) that
/// proc-macro2 lexes is lexed alike, or refused.
#[test]
fn real_sources_lex_alike() {
    let (mut alike, mut refused) = (0, 0);
    for path in crate::lint::corpus::rust_files("SKIP_DIR") {
        let Ok(text) = fs_err::read_to_string(&path) else { continue };
        if text.parse::<TokenStream>().is_err() {
            continue;
        }
        match flat(&text) {
            Some(tokens) => {
                let want = reference(&text);
                if let Some(at) = (0..tokens.len().max(want.len())).find(|&i| tokens.get(i) != want.get(i)) {
                    let show =
                        |t: Option<&(Kind, usize, usize)>| t.map(|&(k, a, b)| format!("{k:?} {:?}", &text[a..b]));
                    panic!(
                        "{}: token {at}: {:?}, proc-macro2 {:?}",
                        path.display(),
                        show(tokens.get(at)),
                        show(want.get(at))
                    );
                }
                alike += 1;
            }
            None => refused += 1,
        }
    }
    assert!(alike > 300 && refused * 50 < alike, "{alike} alike, {refused} refused");
}

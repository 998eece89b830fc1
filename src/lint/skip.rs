//! Function bodies skipped at the token level before the load's parse
//! (issue 18). Most bodies of a workspace's libraries are never reached
//! from `main`, and those that are get parsed again from their byte range
//! on first use ([`super::body`]): parsing them whole at load time too was
//! most of the check's cost. Here each item-level `fn` body becomes an empty
//! `{}` group that keeps the body's span, so `syn` parses only the items
//! and the lowering records the body's byte range as before.
//!
//! A body is kept whole when its tokens might hold an item (`fn`, `impl`,
//! `use`, ...): items declared in a body are hoisted into the module while
//! loading, which needs them parsed. Only groups of `mod`, `impl`, `trait`
//! and `extern` items are entered; macro invocations, initialisers and
//! everything after `=` or `name!` keep their tokens as written.

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};

/// Identifiers that start an item the lowering hoists out of a body
/// (`lower::nested_items`). `static` after `'` is a lifetime, not an item.
const ITEM_KEYWORDS: &[&str] =
    &["fn", "impl", "trait", "mod", "use", "const", "static", "struct", "enum", "macro_rules"];

/// Replaces the item-level function bodies of `tokens` (a file, already
/// bounded by [`super::nesting::check`], so the recursion over `mod` and
/// `impl` groups is at most `MAX_DEPTH` deep) with empty groups.
pub(crate) fn blank_bodies(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut item = Item::default();
    for token in tokens {
        let keep = match &token {
            TokenTree::Punct(p) => {
                item.punct(p);
                None
            }
            TokenTree::Ident(i) => {
                item.ident(i);
                None
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && item.angle == 0 => {
                let replaced = item.brace(g);
                item = Item::default();
                replaced
            }
            _ => None,
        };
        item.after_ident = matches!(token, TokenTree::Ident(_));
        if !matches!(token, TokenTree::Punct(_)) {
            item.after_minus = false;
        }
        out.push(keep.map_or(token, TokenTree::Group));
    }
    out.into_iter().collect()
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

impl Item {
    fn punct(&mut self, p: &proc_macro2::Punct) {
        match p.as_char() {
            '<' => self.angle += 1,
            '>' if !self.after_minus => self.angle = self.angle.saturating_sub(1),
            ';' => *self = Item::default(),
            ',' if self.angle == 0 => *self = Item::default(),
            '=' if self.angle == 0 => self.opaque = true,
            '!' if self.after_ident => self.opaque = true,
            _ => {}
        }
        self.after_minus = p.as_char() == '-' && p.spacing() == Spacing::Joint;
    }

    fn ident(&mut self, i: &proc_macro2::Ident) {
        if self.angle > 0 || self.opaque {
            return;
        }
        if i == "fn" && !self.container {
            self.func = true;
        } else if !self.func && (i == "mod" || i == "impl" || i == "trait") {
            self.container = true;
        } else if i == "extern" {
            self.foreign = true;
        }
    }

    /// The replacement for a `{}` group that ends this item, if any.
    fn brace(&self, g: &Group) -> Option<Group> {
        if self.opaque {
            return None;
        }
        let stream = if self.func {
            if may_hold_items(&g.stream()) {
                return None;
            }
            TokenStream::new()
        } else if self.container || self.foreign {
            blank_bodies(g.stream())
        } else {
            return None;
        };
        let mut group = Group::new(Delimiter::Brace, stream);
        // The body's byte range and position come from this span.
        group.set_span(g.span());
        Some(group)
    }
}

/// Whether a body's tokens, at any depth, hold an item keyword. Walked
/// with an explicit stack: a body may nest deep.
fn may_hold_items(tokens: &TokenStream) -> bool {
    let mut stack = vec![tokens.clone().into_iter()];
    let mut after_quote = false;
    while let Some(iter) = stack.last_mut() {
        let Some(token) = iter.next() else {
            stack.pop();
            continue;
        };
        match &token {
            TokenTree::Ident(i) if !after_quote && ITEM_KEYWORDS.iter().any(|k| i == k) => return true,
            TokenTree::Group(g) => stack.push(g.stream().into_iter()),
            _ => {}
        }
        after_quote = matches!(&token, TokenTree::Punct(p) if p.as_char() == '\'');
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file as `syn` sees it after the bodies are skipped.
    fn skeleton(text: &str) -> String {
        blank_bodies(text.parse().unwrap()).to_string()
    }

    #[test]
    fn item_bodies_are_emptied_with_their_spans() {
        let text = "fn a() -> u8 { 1 + 2 }\nimpl<T: Tr<X = u8>> S<T> { pub fn b(&self) -> Vec<u8> where T: Fn() -> u8 { vec![1] } }\n\
            trait T { fn c(); fn d() { c() } }\nmod m { extern \"C\" fn e() { f() } }\n";
        let out = skeleton(text);
        assert!(
            !out.contains("1 + 2") && !out.contains("vec !") && !out.contains("{ c () }") && !out.contains("f ()"),
            "{out}"
        );
        assert!(out.contains("fn c () ;"), "{out}");
        let tokens: TokenStream = text.parse().unwrap();
        let body = tokens.into_iter().find_map(|t| match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => Some(g),
            _ => None,
        });
        let body = body.unwrap();
        let blanked = blank_bodies(text.parse().unwrap()).into_iter().find_map(|t| match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => Some(g),
            _ => None,
        });
        let blanked = blanked.unwrap();
        assert_eq!(blanked.span_open().byte_range(), body.span_open().byte_range());
        assert_eq!(blanked.span_close().byte_range(), body.span_close().byte_range());
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
            assert_eq!(skeleton(text), text.parse::<TokenStream>().unwrap().to_string(), "{text}");
        }
        let lifetime = skeleton("fn a(x: &'static str) -> &'static str { let y: &'static str = x; y }");
        assert!(!lifetime.contains("let"), "a lifetime is not an item: {lifetime}");
        let in_impl = skeleton("impl S { fn a() { fn inner() {} } fn b() { c() } }");
        assert!(in_impl.contains("inner") && !in_impl.contains("c ()"), "{in_impl}");
    }

    /// A body nested past any recursion limit is skipped (or scanned for
    /// items) without recursion.
    #[test]
    fn deep_bodies_are_skipped_without_recursion() {
        let deep = format!("fn a() {{ {}1{} }}", "{".repeat(200_000), "}".repeat(200_000));
        assert_eq!(skeleton(&deep), "fn a () { }");
        let with_item = format!("{}fn b() {{}}{}", "{".repeat(200_000), "}".repeat(200_000));
        assert!(may_hold_items(&with_item.parse().unwrap()));
    }
}

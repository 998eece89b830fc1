//! The span of an expression (its first token to its last) without printing
//! it (issue 18).
//!
//! `syn`'s `Spanned::span` prints the whole expression back into tokens and
//! keeps the first and last token's spans. The lowering asks it for every
//! call, method call, `if`, `match` and `return`, so a chain of `n` method
//! calls printed `n` times a chain of up to `n` calls: a few percent of the
//! check's time on large workspaces went to printing. Here the first and
//! last token are found by walking to the leftmost and rightmost
//! sub-expression of the shapes that chains are made of; any other shape,
//! or one with attributes (they print first), asks `syn`, so the span is
//! always the one `Spanned::span` gives (the tests hold them equal on every
//! expression of real files).

use proc_macro2::Span;
use syn::Expr as E;
use syn::spanned::Spanned;

/// `e.span()`, found without printing `e` where its shape allows.
pub(super) fn of(e: &syn::Expr) -> Span {
    match (first(e), last(e)) {
        (Some(a), Some(b)) => a.join(b).unwrap_or(a),
        _ => e.span(),
    }
}

/// A macro call's span: its path to its closing delimiter.
pub(super) fn of_macro(mac: &syn::Macro) -> Span {
    match path_first(&mac.path) {
        Some(a) => a.join(delimiter(&mac.delimiter)).unwrap_or(a),
        None => mac.span(),
    }
}

/// The span of `e`'s first token, when its shape tells it.
fn first(e: &syn::Expr) -> Option<Span> {
    match e {
        E::Call(c) if c.attrs.is_empty() => first(&c.func),
        E::MethodCall(m) if m.attrs.is_empty() => first(&m.receiver),
        E::Field(f) if f.attrs.is_empty() => first(&f.base),
        E::Index(i) if i.attrs.is_empty() => first(&i.expr),
        E::Try(t) if t.attrs.is_empty() => first(&t.expr),
        E::Await(a) if a.attrs.is_empty() => first(&a.base),
        E::Binary(b) if b.attrs.is_empty() => first(&b.left),
        E::Cast(c) if c.attrs.is_empty() => first(&c.expr),
        E::Path(p) if p.attrs.is_empty() && p.qself.is_none() => path_first(&p.path),
        E::Lit(l) if l.attrs.is_empty() => Some(l.lit.span()),
        E::Macro(m) if m.attrs.is_empty() => path_first(&m.mac.path),
        E::Paren(p) if p.attrs.is_empty() => Some(p.paren_token.span.join()),
        E::Return(r) if r.attrs.is_empty() => Some(r.return_token.span),
        E::Reference(r) if r.attrs.is_empty() => Some(r.and_token.spans[0]),
        E::Unary(u) if u.attrs.is_empty() => match u.op {
            syn::UnOp::Deref(t) => Some(t.spans[0]),
            syn::UnOp::Not(t) => Some(t.spans[0]),
            syn::UnOp::Neg(t) => Some(t.spans[0]),
            _ => None,
        },
        _ => None,
    }
}

/// The span of `e`'s last token, when its shape tells it.
fn last(e: &syn::Expr) -> Option<Span> {
    match e {
        E::Call(c) if c.attrs.is_empty() => Some(c.paren_token.span.join()),
        E::MethodCall(m) if m.attrs.is_empty() => Some(m.paren_token.span.join()),
        E::Field(f) if f.attrs.is_empty() => Some(match &f.member {
            syn::Member::Named(ident) => ident.span(),
            syn::Member::Unnamed(index) => index.span,
        }),
        E::Index(i) if i.attrs.is_empty() => Some(i.bracket_token.span.join()),
        E::Try(t) if t.attrs.is_empty() => Some(t.question_token.spans[0]),
        E::Await(a) if a.attrs.is_empty() => Some(a.await_token.span),
        E::Binary(b) if b.attrs.is_empty() => last(&b.right),
        E::Path(p) if p.attrs.is_empty() && p.qself.is_none() => path_last(&p.path),
        E::Lit(l) if l.attrs.is_empty() => Some(l.lit.span()),
        E::Macro(m) if m.attrs.is_empty() => Some(delimiter(&m.mac.delimiter)),
        E::Paren(p) if p.attrs.is_empty() => Some(p.paren_token.span.join()),
        E::Return(r) if r.attrs.is_empty() => r.expr.as_deref().map_or(Some(r.return_token.span), last),
        E::Reference(r) if r.attrs.is_empty() => last(&r.expr),
        E::Unary(u) if u.attrs.is_empty() => last(&u.expr),
        _ => None,
    }
}

fn path_first(path: &syn::Path) -> Option<Span> {
    match &path.leading_colon {
        Some(colon) => Some(colon.spans[0]),
        None => path.segments.first().map(|s| s.ident.span()),
    }
}

fn path_last(path: &syn::Path) -> Option<Span> {
    let segment = path.segments.last()?;
    match &segment.arguments {
        syn::PathArguments::None => Some(segment.ident.span()),
        syn::PathArguments::AngleBracketed(args) => Some(args.gt_token.spans[0]),
        syn::PathArguments::Parenthesized(_) => None,
    }
}

fn delimiter(d: &syn::MacroDelimiter) -> Span {
    match d {
        syn::MacroDelimiter::Paren(p) => p.span.join(),
        syn::MacroDelimiter::Brace(b) => b.span.join(),
        syn::MacroDelimiter::Bracket(b) => b.span.join(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::visit::Visit;

    /// Every expression and macro call of a file: the span found here
    /// against the one `syn` prints for.
    struct Compare(usize);

    impl<'a> Visit<'a> for Compare {
        fn visit_expr(&mut self, e: &'a syn::Expr) {
            let (want, got) = (e.span(), of(e));
            assert_eq!((want.byte_range(), want.start()), (got.byte_range(), got.start()), "{e:?}");
            self.0 += 1;
            syn::visit::visit_expr(self, e);
        }

        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            assert_eq!(mac.span().byte_range(), of_macro(mac).byte_range());
            syn::visit::visit_macro(self, mac);
        }
    }

    /// This crate's own sources, tests and fixtures (tens of thousands of
    /// expressions, chains, macros, attributes on expressions), and, with
    /// `SPAN_DIR` set, any other tree (a registry cache, a checkout).
    #[test]
    fn spans_are_the_ones_syn_prints_for() {
        let mut seen = Compare(0);
        for path in crate::lint::corpus::rust_files("SPAN_DIR") {
            if let Ok(text) = fs_err::read_to_string(&path)
                && let Ok(file) = syn::parse_file(&text)
            {
                seen.visit_file(&file);
            }
        }
        assert!(seen.0 > 10_000, "only {} expressions compared", seen.0);
    }

    #[test]
    fn shapes_with_attributes_or_a_qualified_self_ask_syn() {
        for text in ["#[allow(unused)] f(x)", "<T as Tr>::f(x)", "(#[a] x).y()", "a.b::<u8>().c[0]?.d"] {
            let e: syn::Expr = syn::parse_str(text).unwrap();
            assert_eq!(e.span().byte_range(), of(&e).byte_range(), "{text}");
        }
    }
}

//! `select!` bodies as code the analysis walks. A daemon's loop waits in
//! `tokio::select!` (or futures' `select!`/`select_biased!`, crossbeam's
//! `select!`) on several futures and runs the handler of whichever is
//! ready first; the branches are not comma-separated expressions, so the
//! macro was opaque and a self-spawn (or a guard) in a handler went
//! unseen: a restart on a timer tick was `no-self-spawn`.
//!
//! Lowered as the futures, evaluated in order (a branch's `if`
//! precondition around its own), then a `match` on an unknown value with
//! one arm per branch: the pattern binds its names to unknown values, and
//! each arm's guard is the precondition and a test the check cannot read,
//! so that every branch may run whatever the child's markers (a test of
//! what the parent and child read alike: the child goes where the parent
//! went), and none is the `_ =>` that ends the match.

use super::expr::Ctx;
use super::span;
use crate::lint::ir::{Arm, BinOp, Expr, Macro, Pat, Stmt};
use syn::parse::ParseStream;

/// One branch of a `select!`.
pub(crate) struct Branch {
    /// What the ready future's output is matched against; `None` for
    /// `else`, `complete` and `default`.
    pub pat: Option<syn::Pat>,
    /// The future (tokio, futures), or the channel operation's operands
    /// (crossbeam's `recv(rx)`, `send(tx, v)`).
    pub futures: Vec<syn::Expr>,
    /// tokio's `, if cond`: the branch is disabled when it is false.
    pub precondition: Option<syn::Expr>,
    pub handler: syn::Expr,
}

/// The macro names read as a `select!`.
pub(crate) const NAMES: &[&str] = &["select", "select_biased"];

/// The branches of `mac` when it is a `select!` whose body parses.
pub(crate) fn branches(mac: &syn::Macro) -> Option<Vec<Branch>> {
    let name = mac.path.segments.last()?.ident.to_string();
    if !NAMES.contains(&name.as_str()) {
        return None;
    }
    mac.parse_body_with(parse_branches).ok().filter(|b| !b.is_empty())
}

fn parse_branches(input: ParseStream) -> syn::Result<Vec<Branch>> {
    // tokio's `biased;`: branches polled in order, still any may run.
    if input.peek(syn::Ident) && input.peek2(syn::Token![;]) {
        let word: syn::Ident = input.parse()?;
        if word != "biased" {
            return Err(syn::Error::new(word.span(), "not a select! branch"));
        }
        input.parse::<syn::Token![;]>()?;
    }
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(branch(input)?);
    }
    Ok(out)
}

fn branch(input: ParseStream) -> syn::Result<Branch> {
    let mut b = Branch { pat: None, futures: Vec::new(), precondition: None, handler: empty() };
    if input.peek(syn::Token![else]) {
        input.parse::<syn::Token![else]>()?;
    } else if input.peek2(syn::token::Paren)
        && input.cursor().ident().is_some_and(|(op, _)| op == "recv" || op == "send" || op == "default")
    {
        operation(input, &mut b)?;
    } else {
        let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
        // futures' `complete =>` and `default =>` run no future.
        let fallback = matches!(&pat, syn::Pat::Ident(i) if i.ident == "complete" || i.ident == "default");
        if !(fallback && input.peek(syn::Token![=>])) {
            input.parse::<syn::Token![=]>()?;
            b.futures.push(input.parse()?);
            b.pat = Some(pat);
            if input.peek(syn::Token![,]) && input.peek2(syn::Token![if]) {
                input.parse::<syn::Token![,]>()?;
                input.parse::<syn::Token![if]>()?;
                b.precondition = Some(input.parse()?);
            }
        }
    }
    input.parse::<syn::Token![=>]>()?;
    b.handler = handler(input)?;
    Ok(b)
}

/// crossbeam's `recv(rx) -> msg`, `send(tx, v) -> res`, `default(t)`.
fn operation(input: ParseStream, b: &mut Branch) -> syn::Result<()> {
    input.parse::<syn::Ident>()?;
    let operands;
    syn::parenthesized!(operands in input);
    b.futures =
        operands.parse_terminated(<syn::Expr as syn::parse::Parse>::parse, syn::Token![,])?.into_iter().collect();
    if input.peek(syn::Token![->]) {
        input.parse::<syn::Token![->]>()?;
        b.pat = Some(syn::Pat::parse_multi_with_leading_vert(input)?);
    }
    Ok(())
}

/// A handler: a block (the comma after it optional) or an expression.
fn handler(input: ParseStream) -> syn::Result<syn::Expr> {
    let e = if input.peek(syn::token::Brace) {
        let block: syn::Block = input.parse()?;
        syn::Expr::Block(syn::ExprBlock { attrs: Vec::new(), label: None, block })
    } else {
        input.parse()?
    };
    if !input.is_empty() {
        // After a block the comma may be left out.
        if matches!(e, syn::Expr::Block(_)) {
            input.parse::<Option<syn::Token![,]>>()?;
        } else {
            input.parse::<syn::Token![,]>()?;
        }
    }
    Ok(e)
}

fn empty() -> syn::Expr {
    syn::Expr::Tuple(syn::ExprTuple { attrs: Vec::new(), paren_token: Default::default(), elems: Default::default() })
}

/// Calls `f` on every expression of a `select!`'s branches (for the
/// passes over `syn` trees that look for `break` or a spawn site).
pub(crate) fn each_expr(mac: &syn::Macro, f: &mut dyn FnMut(&syn::Expr)) {
    for b in branches(mac).unwrap_or_default() {
        b.futures.iter().chain(&b.precondition).chain(std::iter::once(&b.handler)).for_each(&mut *f);
    }
}

impl Ctx {
    /// `select!` as the futures, then a `match` with one arm per branch
    /// (see the module's doc).
    pub(super) fn select(&self, mac: &syn::Macro, branches: &[Branch], path: crate::lint::ir::Path) -> Macro {
        let loc = self.loc(span::of_macro(mac));
        let mut stmts = Vec::with_capacity(branches.len() + 1);
        let mut arms = Vec::with_capacity(branches.len());
        for b in branches {
            let futures: Vec<Stmt> = b.futures.iter().map(|f| Stmt::Expr(self.expr(f), true)).collect();
            let precondition = b.precondition.as_ref().map(|c| (self.expr(c), self.loc(span::of(c))));
            match &precondition {
                Some((cond, at)) => stmts.push(Stmt::Expr(
                    Expr::If { cond: Box::new(cond.clone()), then: futures.into(), els: None, loc: *at },
                    true,
                )),
                None => stmts.extend(futures),
            }
            let unread = Expr::Other(Vec::new());
            let guard = match precondition {
                Some((cond, _)) => Expr::Binary(BinOp::And, Box::new(cond), Box::new(unread)),
                None => unread,
            };
            let pat = b.pat.as_ref().map_or(Pat::Wild, |p| self.pat(p));
            arms.push(Arm { pat, guard: Some(Box::new(guard)), body: self.expr(&b.handler) });
        }
        let at = self.loc(mac.path.segments.last().map_or_else(|| span::of_macro(mac), |s| s.ident.span()));
        stmts.push(Stmt::Expr(Expr::Match { scrut: Box::new(Expr::Other(Vec::new())), arms, loc: at }, false));
        Macro { path, args: vec![Expr::Block(stmts.into())], opaque: false, loc }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<Vec<Branch>> {
        let mac: syn::Macro = syn::parse_str(text).expect("a macro call");
        branches(&mac)
    }

    fn shape(text: &str) -> Vec<(bool, usize, bool)> {
        parsed(text)
            .expect("branches")
            .iter()
            .map(|b| (b.pat.is_some(), b.futures.len(), b.precondition.is_some()))
            .collect()
    }

    #[test]
    fn tokio_branches_with_biased_preconditions_and_else() {
        let text = "tokio::select! { biased; Some(m) = rx.recv(), if open => { handle(m) } \
                    _ = tick.tick() => restart(), else => break }";
        assert_eq!(shape(text), [(true, 1, true), (true, 1, false), (false, 0, false)]);
    }

    #[test]
    fn futures_branches_with_complete_and_default() {
        let text = "futures::select_biased! { x = a.next() => x, complete => break, default => {} }";
        assert_eq!(shape(text), [(true, 1, false), (false, 0, false), (false, 0, false)]);
    }

    #[test]
    fn crossbeam_operations() {
        let text = "select! { recv(rx) -> msg => run(msg), send(tx, 1) -> res => {} default(t) => {} }";
        assert_eq!(shape(text), [(true, 1, false), (true, 2, false), (false, 1, false)]);
    }

    #[test]
    fn other_macros_and_other_grammars_are_not_selects() {
        assert!(parsed("tokio::join!(a(), b())").is_none());
        assert!(parsed("select!(a, b)").is_none());
        assert!(parsed("select! { biased }").is_none());
    }

    #[test]
    fn lowered_as_futures_then_a_match_of_unread_arms() {
        let mac: syn::Macro = syn::parse_str("select! { a = f(), if c => g(a), _ = h() => {} }").unwrap();
        let ctx = Ctx { file: 0, base: Default::default() };
        let lowered = ctx.select(&mac, &branches(&mac).unwrap(), super::super::expr::path(&mac.path));
        let [Expr::Block(stmts)] = lowered.args.as_slice() else { panic!("{lowered:?}") };
        assert!(matches!(&stmts[0], Stmt::Expr(Expr::If { .. }, true)));
        assert!(matches!(&stmts[1], Stmt::Expr(Expr::Call { .. }, true)));
        let Stmt::Expr(Expr::Match { arms, .. }, false) = &stmts[2] else { panic!("{stmts:?}") };
        assert!(arms.iter().all(|a| a.guard.is_some()));
        assert!(matches!(arms[0].pat, Pat::Bind(..)));
    }
}

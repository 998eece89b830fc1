//! Lowering of `syn` expressions, statements and patterns to the IR.

use super::span;
use crate::lint::ir::{Arm, BinOp, Block, Expr, Lit, Loc, Macro, Name, Pat, Path, Segments, Stmt};
use crate::lint::name::{self, intern};

/// Turns spans into [`Loc`]s for one file.
pub(crate) struct Ctx {
    pub file: u32,
    /// Where the parsed text starts in the file (a body parsed on its own).
    pub base: Base,
}

/// The position of a parsed slice in its file: its byte offset.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Base {
    pub byte: u32,
}

impl Ctx {
    pub(crate) fn loc(&self, span: proc_macro2::Span) -> Loc {
        let range = span.byte_range();
        Loc { file: self.file, start: range.start as u32 + self.base.byte, end: range.end as u32 + self.base.byte }
    }

    pub(crate) fn block(&self, block: &syn::Block) -> Block {
        // Sized up front: collecting a `filter_map` grows the vector by
        // doubling, and that slack was a large share of the lowered bodies'
        // memory (issue 18). Only nested items and `test` code are dropped.
        let mut out = Vec::with_capacity(block.stmts.len());
        out.extend(block.stmts.iter().filter_map(|s| self.stmt_in_builds(s)));
        out.into_boxed_slice()
    }

    pub(super) fn stmt(&self, stmt: &syn::Stmt) -> Option<Stmt> {
        match stmt {
            syn::Stmt::Local(local) => {
                let ty = match &local.pat {
                    syn::Pat::Type(t) => super::type_name(&t.ty).map(|n| intern(&n)),
                    _ => None,
                };
                let mut init = local.init.as_ref().map(|i| self.boxed(&i.expr));
                if let (Some(ty), Some(init)) = (ty, init.as_deref_mut()) {
                    conversion_into(ty, init);
                }
                Some(self.local(local, ty, init))
            }
            syn::Stmt::Expr(e, semi) => Some(Stmt::Expr(self.expr(e), semi.is_some())),
            syn::Stmt::Macro(m) => Some(Stmt::Expr(Expr::Macro(Box::new(self.mac(&m.mac))), m.semi_token.is_some())),
            // Nested items are collected by the item pass, not executed here.
            syn::Stmt::Item(_) => None,
        }
    }

    fn local(&self, local: &syn::Local, ty: Option<Name>, init: Option<Box<Expr>>) -> Stmt {
        Stmt::Let {
            pat: self.pat(&local.pat),
            ty,
            init,
            els: local
                .init
                .as_ref()
                .and_then(|i| i.diverge.as_ref())
                .map(|(_, e)| Box::new([Stmt::Expr(self.expr(e), false)]) as Box<[Stmt]>),
        }
    }

    fn boxed(&self, e: &syn::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn list<'a>(&self, items: impl IntoIterator<Item = &'a syn::Expr>) -> Vec<Expr> {
        items.into_iter().map(|e| self.expr(e)).collect()
    }

    pub(crate) fn expr(&self, e: &syn::Expr) -> Expr {
        use syn::Expr as E;
        match e {
            E::Lit(l) => Expr::Lit(lit(&l.lit), self.loc(span::of(e))),
            E::Path(p) => Expr::Path(path(&p.path), self.loc(span::of(e))),
            E::Call(c) => handed(
                Expr::Call { func: self.boxed(&c.func), args: self.list(&c.args), loc: self.loc(span::of(e)) },
                match &*c.func {
                    E::Path(p) => p.path.segments.last().and_then(|s| match &s.arguments {
                        syn::PathArguments::AngleBracketed(a) => Some(a),
                        _ => None,
                    }),
                    _ => None,
                },
            ),
            E::MethodCall(m) => handed(
                Expr::Method {
                    recv: self.boxed(&m.receiver),
                    name: name::ident(&m.method),
                    args: self.list(&m.args).into_boxed_slice(),
                    loc: self.loc(m.method.span().join(span::of(e)).unwrap_or_else(|| span::of(e))),
                },
                m.turbofish.as_ref(),
            ),
            E::Field(f) => Expr::Field(self.boxed(&f.base), member(&f.member)),
            E::Index(i) => Expr::Index(self.boxed(&i.expr), self.boxed(&i.index)),
            E::Reference(r) => Expr::Ref(self.boxed(&r.expr)),
            E::Paren(p) => Expr::Ref(self.boxed(&p.expr)),
            E::Group(g) => Expr::Ref(self.boxed(&g.expr)),
            // `main as *const ()` takes a function's address (a backtrace
            // marker), it does not call it: walking it was a false recursion.
            E::Cast(c) if matches!(&*c.ty, syn::Type::Ptr(_)) && matches!(&*c.expr, E::Path(_)) => {
                Expr::Other(Vec::new())
            }
            E::Cast(c) => Expr::Ref(self.boxed(&c.expr)),
            E::Await(a) => Expr::Ref(self.boxed(&a.base)),
            E::Try(t) => Expr::Try(self.boxed(&t.expr)),
            E::Unary(u) => match u.op {
                syn::UnOp::Not(_) => Expr::Not(self.boxed(&u.expr)),
                _ => Expr::Ref(self.boxed(&u.expr)),
            },
            // `x += y` assigns `x`.
            E::Binary(b) if is_compound_assign(&b.op) => {
                let lhs = self.boxed(&b.left);
                // On booleans `|=` and `&=` are `||` and `&&` without the
                // short cut: `worker |= args.any(..)` keeps the test.
                let op = match b.op {
                    syn::BinOp::BitOrAssign(_) => BinOp::Or,
                    syn::BinOp::BitAndAssign(_) => BinOp::And,
                    _ => BinOp::Other,
                };
                Expr::Assign(lhs.clone(), Box::new(Expr::Binary(op, lhs, self.boxed(&b.right))))
            }
            E::Binary(b) => Expr::Binary(binop(&b.op), self.boxed(&b.left), self.boxed(&b.right)),
            E::If(i) => Expr::If {
                cond: self.boxed(&i.cond),
                then: self.block(&i.then_branch),
                els: i.else_branch.as_ref().map(|(_, e)| self.boxed(e)),
                loc: self.loc(i.if_token.span.join(span::of(&i.cond)).unwrap_or(i.if_token.span)),
            },
            E::Let(l) => Expr::Let(Box::new(self.pat(&l.pat)), self.boxed(&l.expr)),
            E::Match(m) => Expr::Match {
                scrut: self.boxed(&m.expr),
                arms: m.arms.iter().map(|a| self.arm(a)).collect(),
                loc: self.loc(m.match_token.span.join(span::of(&m.expr)).unwrap_or(m.match_token.span)),
            },
            E::Block(b) => Expr::Block(self.block(&b.block)),
            E::Unsafe(u) => Expr::Block(self.block(&u.block)),
            // An async block is a future: a `return` or `?` in it ends the
            // block, not the function around it, like a closure's.
            E::Async(a) => Expr::Closure(Vec::new(), Box::new(Expr::Block(self.block(&a.block)))),
            E::TryBlock(t) => Expr::Block(self.block(&t.block)),
            E::Const(c) => Expr::Block(self.block(&c.block)),
            E::Closure(c) => Expr::Closure(c.inputs.iter().map(|p| self.pat(p)).collect(), self.boxed(&c.body)),
            E::Loop(l) => Expr::Loop { body: self.block(&l.body), breaks: has_break(&l.body) },
            E::While(w) => Expr::While(self.boxed(&w.cond), self.block(&w.body)),
            E::ForLoop(f) => Expr::For(Box::new(self.pat(&f.pat)), self.boxed(&f.expr), self.block(&f.body)),
            E::Return(r) => Expr::Return(r.expr.as_ref().map(|e| self.boxed(e)), self.loc(span::of(e))),
            E::Break(b) => match &b.expr {
                Some(e) => Expr::Other(vec![self.expr(e), Expr::Break]),
                None => Expr::Break,
            },
            E::Continue(_) => Expr::Continue,
            E::Macro(m) => Expr::Macro(Box::new(self.mac(&m.mac))),
            E::Struct(s) => {
                Expr::Struct(path(&s.path), s.fields.iter().map(|f| (member(&f.member), self.expr(&f.expr))).collect())
            }
            E::Tuple(t) => Expr::Tuple(self.list(&t.elems)),
            E::Array(a) => Expr::Array(self.list(&a.elems)),
            E::Repeat(r) => Expr::Array(vec![self.expr(&r.expr)]),
            E::Assign(a) => Expr::Assign(self.boxed(&a.left), self.boxed(&a.right)),
            E::Range(r) => Expr::Other(r.start.iter().chain(r.end.iter()).map(|e| self.expr(e)).collect()),
            E::RawAddr(r) => Expr::Ref(self.boxed(&r.expr)),
            _ => Expr::Other(Vec::new()),
        }
    }

    fn arm(&self, arm: &syn::Arm) -> Arm {
        let (pat, guard) = match &arm.pat {
            syn::Pat::Guard(g) => (self.pat(&g.pat), Some(self.boxed(&g.guard))),
            other => (self.pat(other), None),
        };
        Arm { pat, guard, body: self.expr(&arm.body) }
    }

    /// Macro arguments are lowered when they parse as expressions (`format!`,
    /// `matches!` need a pattern: handled below); otherwise the macro is opaque.
    pub(crate) fn mac(&self, mac: &syn::Macro) -> Macro {
        let loc = self.loc(span::of_macro(mac));
        let p = path(&mac.path);
        if let Some(branches) = super::select::branches(mac) {
            return self.select(mac, &branches, p);
        }
        let name = p.last().map_or("", Name::as_str);
        if name == "matches"
            && let Ok(args) = mac.parse_body_with(parse_matches)
        {
            let (scrut, pat) = args;
            let arm = Expr::Match {
                scrut: Box::new(self.expr(&scrut)),
                arms: vec![
                    Arm { pat: self.pat(&pat), guard: None, body: Expr::Lit(Lit::Bool(true), loc) },
                    Arm { pat: Pat::Wild, guard: None, body: Expr::Lit(Lit::Bool(false), loc) },
                ],
                loc,
            };
            return Macro { path: p, args: vec![arm], opaque: false, loc };
        }
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        match mac.parse_body_with(parser) {
            Ok(args) => Macro { path: p, args: self.list(&args), opaque: false, loc },
            Err(_) => Macro { path: p, args: Vec::new(), opaque: !mac.tokens.is_empty(), loc },
        }
    }

    pub(crate) fn pat(&self, p: &syn::Pat) -> Pat {
        use syn::Pat as P;
        match p {
            // `use Step::*; match step { SelfUpdate => .. }`: a bare upper-case
            // name is a unit variant or a constant (rustc reads it so when one
            // is in scope, and nobody names a binding that way), not a binding
            // that matches anything.
            P::Ident(i)
                if i.subpat.is_none()
                    && i.by_ref.is_none()
                    && i.mutability.is_none()
                    && i.ident.to_string().starts_with(|c: char| c.is_uppercase()) =>
            {
                Pat::Path(Segments::One(name::ident(&i.ident)))
            }
            P::Ident(i) => Pat::Bind(name::ident(&i.ident), i.subpat.as_ref().map(|(_, s)| Box::new(self.pat(s)))),
            P::Wild(_) => Pat::Wild,
            P::Rest(_) => Pat::Rest,
            P::Lit(l) => Pat::Lit(lit(&l.lit)),
            P::Path(p) => Pat::Path(path(&p.path)),
            P::TupleStruct(t) => Pat::TupleStruct(path(&t.path), t.elems.iter().map(|p| self.pat(p)).collect()),
            P::Struct(s) => {
                Pat::Struct(path(&s.path), s.fields.iter().map(|f| (member(&f.member), self.pat(&f.pat))).collect())
            }
            P::Tuple(t) => Pat::Tuple(t.elems.iter().map(|p| self.pat(p)).collect()),
            P::Slice(s) => Pat::Slice(s.elems.iter().map(|p| self.pat(p)).collect()),
            P::Or(o) => Pat::Or(o.cases.iter().map(|p| self.pat(p)).collect()),
            P::Reference(r) => self.pat(&r.pat),
            P::Paren(p) => self.pat(&p.pat),
            P::Type(t) => self.pat(&t.pat),
            P::Guard(g) => Pat::Guard(Box::new(self.pat(&g.pat)), Box::new(self.expr(&g.guard))),
            _ => Pat::Other,
        }
    }
}

fn parse_matches(input: syn::parse::ParseStream) -> syn::Result<(syn::Expr, syn::Pat)> {
    let scrut: syn::Expr = input.parse()?;
    input.parse::<syn::Token![,]>()?;
    let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
    let pat = if input.peek(syn::Token![if]) {
        let if_token: syn::Token![if] = input.parse()?;
        let guard: syn::Expr = input.parse()?;
        syn::Pat::Guard(syn::PatGuard { attrs: Vec::new(), pat: Box::new(pat), if_token, guard: Box::new(guard) })
    } else {
        pat
    };
    let _ = input.parse::<Option<syn::Token![,]>>();
    Ok((scrut, pat))
}

/// `let s: Session = config.try_into()?;` is a call of `Session::try_from`
/// (std's blanket `TryInto`/`Into` run the target's `TryFrom`/`From`), and
/// is lowered as one, so that it resolves to the program's own impl
/// (issue 14: a self-spawn reached only through such a conversion was not
/// seen). Adapters around the conversion (`?`, `.context(..)`) stay.
fn conversion_into(ty: Name, e: &mut Expr) {
    match e {
        Expr::Try(inner) => conversion_into(ty, inner),
        Expr::Method { recv, name, .. } if crate::lint::passing::KEEPS_TYPE.contains(&name.as_str()) => {
            conversion_into(ty, recv);
        }
        Expr::Method { recv, name, args, loc } if args.is_empty() && (*name == "into" || *name == "try_into") => {
            let func = if *name == "into" { "from" } else { "try_from" };
            let recv = std::mem::replace(&mut **recv, Expr::Other(Vec::new()));
            let loc = *loc;
            *e = Expr::Call { func: Box::new(Expr::Path([ty, intern(func)].into(), loc)), args: vec![recv], loc };
        }
        _ => {}
    }
}

/// `call` wrapped in [`Expr::Handed`] when its turbofish names types that
/// may be the analysed crates' (`run::<App>`), not std's (`collect::<Vec<_>>`).
fn handed(call: Expr, turbofish: Option<&syn::AngleBracketedGenericArguments>) -> Expr {
    const STD: &[&str] = &[
        "Vec", "String", "Option", "Result", "Box", "Arc", "Rc", "HashMap", "HashSet", "BTreeMap", "BTreeSet",
        "VecDeque", "PathBuf", "OsString", "Path", "Self",
    ];
    let Some(args) = turbofish else { return call };
    let types: Box<[Name]> = args
        .args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(syn::Type::Path(t)) if t.qself.is_none() => t.path.segments.last(),
            _ => None,
        })
        .map(|s| s.ident.to_string())
        .filter(|t| t.starts_with(char::is_uppercase) && !STD.contains(&t.as_str()))
        .map(|t| intern(&t))
        .collect();
    if types.is_empty() { call } else { Expr::Handed(Box::new(call), types) }
}

pub(crate) fn path(p: &syn::Path) -> Path {
    p.segments.iter().map(|s| name::ident(&s.ident)).collect()
}

fn member(m: &syn::Member) -> Name {
    match m {
        syn::Member::Named(i) => name::ident(i),
        syn::Member::Unnamed(i) => intern(&i.index.to_string()),
    }
}

pub(crate) fn lit(l: &syn::Lit) -> Lit {
    match l {
        syn::Lit::Str(s) => Lit::Str(s.value()),
        syn::Lit::CStr(s) => Lit::Str(s.value().to_string_lossy().into_owned()),
        syn::Lit::ByteStr(s) => Lit::Str(String::from_utf8_lossy(&s.value()).into_owned()),
        syn::Lit::Bool(b) => Lit::Bool(b.value),
        syn::Lit::Int(i) => i.base10_parse().map(Lit::Int).unwrap_or(Lit::Other),
        _ => Lit::Other,
    }
}

fn binop(op: &syn::BinOp) -> BinOp {
    match op {
        syn::BinOp::Eq(_) => BinOp::Eq,
        syn::BinOp::Ne(_) => BinOp::Ne,
        syn::BinOp::And(_) => BinOp::And,
        syn::BinOp::Or(_) => BinOp::Or,
        syn::BinOp::Lt(_) => BinOp::Lt,
        syn::BinOp::Le(_) => BinOp::Le,
        syn::BinOp::Gt(_) => BinOp::Gt,
        syn::BinOp::Ge(_) => BinOp::Ge,
        _ => BinOp::Other,
    }
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::AddAssign(_)
            | B::SubAssign(_)
            | B::MulAssign(_)
            | B::DivAssign(_)
            | B::RemAssign(_)
            | B::BitXorAssign(_)
            | B::BitAndAssign(_)
            | B::BitOrAssign(_)
            | B::ShlAssign(_)
            | B::ShrAssign(_)
    )
}

/// Whether a `break` (of this loop, not a nested one) occurs in the body.
fn has_break(body: &syn::Block) -> bool {
    use syn::visit::Visit;
    struct Finder(bool);
    impl<'a> Visit<'a> for Finder {
        fn visit_expr_break(&mut self, _: &'a syn::ExprBreak) {
            self.0 = true;
        }
        fn visit_expr_loop(&mut self, _: &'a syn::ExprLoop) {}
        fn visit_expr_while(&mut self, _: &'a syn::ExprWhile) {}
        fn visit_expr_for_loop(&mut self, _: &'a syn::ExprForLoop) {}
        fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'a syn::Item) {}
        // `loop { select! { .. => break } }`: the branches are lowered.
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            super::select::each_expr(mac, &mut |e| self.visit_expr(e));
        }
    }
    let mut finder = Finder(false);
    finder.visit_block(body);
    finder.0
}

//! Initialisers of statics and constants as functions of the program.
//!
//! A handler table often lives in a lazily built static: `lazy_static! {
//! static ref T: Vec<Module> = vec![..]; }`, `static T: Lazy<..> =
//! Lazy::new(|| ..)` (once_cell, `std::sync::LazyLock`), `thread_local! {
//! static T: .. = ..; }`. Its entries (`entry: daemon_main`) are functions
//! the program can call (issue 14, cause 4). Each such initialiser becomes a
//! function named like the static, so code that names the static reaches
//! its entries as it reaches a function named as a value.

use crate::lint::body::Body;
use crate::lint::ir::{FnAttrs, FnDef, Name, Stmt};
use crate::lint::lower::Ctx;
use syn::parse::{Parse, ParseStream};

/// One `static`/`const` (or `static ref`) with its initialiser.
pub(crate) struct Init<'a> {
    pub ident: &'a syn::Ident,
    pub expr: &'a syn::Expr,
}

/// The initialiser as a function named like the static, when it can name
/// or call a function; literal tables are left alone (nothing to reach,
/// and lowering a large one costs time).
pub(crate) fn function(ctx: &Ctx, module: &[Name], init: &Init<'_>) -> Option<FnDef> {
    if !may_call(init.expr) {
        return None;
    }
    Some(FnDef {
        name: crate::lint::name::ident(init.ident),
        module: module.to_vec(),
        self_ty: None,
        params: Vec::new(),
        param_types: Vec::new(),
        ret: None,
        never: false,
        inherent: false,
        trait_default: false,
        of_trait: None,
        attrs: FnAttrs { table: true, ..FnAttrs::default() },
        body: Body::lowered(Box::new([Stmt::Expr(ctx.expr(init.expr), false)])),
        loc: ctx.loc(init.ident.span()),
    })
}

/// `lazy_static! { .. }` and `thread_local! { .. }`: the statics declared.
pub(crate) fn macro_statics(mac: &syn::Macro) -> Vec<(syn::Ident, syn::Expr)> {
    let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
    if name != "lazy_static" && name != "thread_local" {
        return Vec::new();
    }
    mac.parse_body::<Statics>().map(|s| s.0).unwrap_or_default()
}

/// `[#[attr]] [pub(..)] static [ref] NAME: Type = expr;` repeated; a
/// `thread_local!` initialiser may be `const { expr }`.
struct Statics(Vec<(syn::Ident, syn::Expr)>);

impl Parse for Statics {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut out = Vec::new();
        while !input.is_empty() {
            input.call(syn::Attribute::parse_outer)?;
            input.parse::<syn::Visibility>()?;
            input.parse::<syn::Token![static]>()?;
            input.parse::<Option<syn::Token![ref]>>()?;
            let ident: syn::Ident = input.parse()?;
            input.parse::<syn::Token![:]>()?;
            input.parse::<syn::Type>()?;
            input.parse::<syn::Token![=]>()?;
            let expr: syn::Expr = input.parse()?;
            out.push((ident, expr));
            if input.is_empty() {
                break;
            }
            input.parse::<syn::Token![;]>()?;
        }
        Ok(Statics(out))
    }
}

/// Whether an expression can name or call a function: a call, a method, a
/// closure, a macro, a struct literal or a lower-case path.
fn may_call(expr: &syn::Expr) -> bool {
    use syn::visit::Visit;
    struct Finder(bool);
    impl<'a> Visit<'a> for Finder {
        fn visit_expr(&mut self, e: &'a syn::Expr) {
            if self.0 {
                return;
            }
            self.0 = match e {
                syn::Expr::Call(_)
                | syn::Expr::MethodCall(_)
                | syn::Expr::Closure(_)
                | syn::Expr::Macro(_)
                | syn::Expr::Struct(_) => true,
                syn::Expr::Path(p) => {
                    p.path.segments.last().is_some_and(|s| s.ident.to_string().starts_with(|c: char| c.is_lowercase()))
                }
                _ => false,
            };
            syn::visit::visit_expr(self, e);
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lazy_static_and_thread_local_bodies() {
        let mac: syn::Macro =
            syn::parse_str("lazy_static! { /// doc\n pub static ref A: Vec<M> = vec![m()]; static ref B: u8 = 1; }")
                .unwrap();
        let names: Vec<String> = macro_statics(&mac).iter().map(|(i, _)| i.to_string()).collect();
        assert_eq!(names, ["A", "B"]);
        let mac: syn::Macro = syn::parse_str("thread_local! { static T: Cell<u8> = const { Cell::new(0) } }").unwrap();
        assert_eq!(macro_statics(&mac).len(), 1);
        let mac: syn::Macro = syn::parse_str("vec![1, 2]").unwrap();
        assert!(macro_statics(&mac).is_empty());
    }

    #[test]
    fn literal_tables_are_not_functions() {
        assert!(!may_call(&syn::parse_str("[(1, 2), (3, 4)]").unwrap()));
        assert!(!may_call(&syn::parse_str("&[Kind::A, Kind::B]").unwrap()));
        assert!(may_call(&syn::parse_str("&[(\"a\", run_a as fn())]").unwrap()));
        assert!(may_call(&syn::parse_str("Lazy::new(|| 1)").unwrap()));
    }
}

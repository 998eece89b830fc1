//! Where an edit goes, found by re-parsing the file with `syn` and matching
//! the byte spans the analysis reported: the first line of `main`'s body,
//! and, for a spawn site, the `Command::new(..)` call and the syntax around
//! it (a method chain, a `let`, or anything else).

use proc_macro2::Span;
use syn::visit::Visit;

/// Where the guard goes: just after `main`'s opening brace.
pub(super) struct MainBody {
    /// Byte offset just after `{`.
    pub open: usize,
    /// Indentation of the body's statements.
    pub indent: String,
}

/// How a marker joins the `Command` built at a spawn site.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum SiteShape {
    /// `Command::new(exe).arg(..).spawn()`: a method call after the `new`.
    Chain { end: usize, newline_indent: Option<String> },
    /// `let mut cmd = Command::new(exe);`: a statement after the `let`.
    Let { after: usize, var: String, indent: String },
    /// Anything else (returned, passed on): wrapped in a block.
    Wrap { start: usize, end: usize },
}

/// Why a site cannot be located.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NotFound {
    /// The analysis's span is not a call in this text (edited meanwhile?).
    NoCall,
    /// The call is not a `...::new(..)` builder (an `exec*` function).
    NotBuilder(String),
    /// The builder is passed as a function, not called
    /// (`current_exe().map(Command::new)`): there is no call to mark.
    FnValue(String),
}

fn range(span: Span) -> (usize, usize) {
    let r = span.byte_range();
    (r.start, r.end)
}

/// An expression's whole byte range (proc-macro2's fallback spans, with
/// `span-locations`, join first and last token).
fn expr_range(expr: &syn::Expr) -> (usize, usize) {
    range(syn::spanned::Spanned::span(expr))
}

/// The leading whitespace of the line holding byte `at`.
pub(super) fn line_indent(text: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect()
}

/// `fn main`'s body, the function whose name starts at byte `ident_start`.
pub(super) fn main_body(file: &syn::File, text: &str, ident_start: usize) -> Option<MainBody> {
    struct Find<'a>(usize, Option<&'a syn::ItemFn>);
    impl<'a> Visit<'a> for Find<'a> {
        fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
            if range(item.sig.ident.span()).0 == self.0 {
                self.1 = Some(item);
            }
            syn::visit::visit_item_fn(self, item);
        }
    }
    let mut find = Find(ident_start, None);
    find.visit_file(file);
    let item = find.1?;
    let open = range(item.block.brace_token.span.open()).1;
    let indent = match item.block.stmts.first() {
        Some(stmt) => line_indent(text, range(syn::spanned::Spanned::span(stmt)).0),
        None => format!("{}    ", line_indent(text, range(item.sig.fn_token.span).0)),
    };
    Some(MainBody { open, indent })
}

/// The shape of the spawn site whose call starts at byte `start`.
pub(super) fn site(file: &syn::File, text: &str, start: usize) -> Result<SiteShape, NotFound> {
    let mut find = FindSite { text, start, call: None, shape: None, cleared: None, path: None };
    find.visit_file(file);
    if find.call.is_none() && find.path.is_none() {
        // A site in a `select!` branch: `syn` leaves macro tokens alone,
        // so look in the branches, parsed as the analysis lowered them.
        let branches = in_select(file, start);
        let mut inner = FindSite { text, start, call: None, shape: None, cleared: None, path: None };
        branches.iter().for_each(|e| inner.visit_expr(e));
        return shape_of(inner, text, start);
    }
    shape_of(find, text, start)
}

fn shape_of(find: FindSite<'_>, text: &str, start: usize) -> Result<SiteShape, NotFound> {
    let call = match (find.call, find.path) {
        (Some(call), _) => call,
        (None, Some(path)) => return Err(NotFound::FnValue(path)),
        (None, None) => return Err(NotFound::NoCall),
    };
    let syn::Expr::Path(path) = &*call.func else { return Err(NotFound::NoCall) };
    let last = path.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
    if last != "new" {
        return Err(NotFound::NotBuilder(last));
    }
    let end = range(syn::spanned::Spanned::span(call)).1;
    Ok(find.shape.unwrap_or(SiteShape::Wrap { start, end })).map(|shape| match shape {
        // After the chain's last `.env_clear()`, which would drop a marker
        // set before it.
        SiteShape::Chain { end, .. } => {
            let end = find.cleared.unwrap_or(end).max(end);
            SiteShape::Chain { end, newline_indent: chain_indent(text, end) }
        }
        other => other,
    })
}

/// The expressions of the innermost `select!` around byte `start` (none
/// when no `select!` holds it).
fn in_select(file: &syn::File, start: usize) -> Vec<syn::Expr> {
    struct Around(usize, Vec<syn::Expr>);
    impl<'a> Visit<'a> for Around {
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            let (from, to) = range(syn::spanned::Spanned::span(mac));
            if (from..to).contains(&self.0) {
                let mut found = Vec::new();
                crate::lint::lower::select::each_expr(mac, &mut |e| found.push(e.clone()));
                if !found.is_empty() {
                    self.1 = found;
                }
            }
        }
    }
    let mut around = Around(start, Vec::new());
    around.visit_file(file);
    // A `select!` in a branch of another.
    loop {
        let mut deeper = Around(start, Vec::new());
        around.1.iter().for_each(|e| deeper.visit_expr(e));
        if deeper.1.is_empty() {
            return around.1;
        }
        around = deeper;
    }
}

/// When the chain after the call is laid out one method per line, the
/// indentation of those lines (the marker gets its own line too).
fn chain_indent(text: &str, end: usize) -> Option<String> {
    let rest = &text[end..];
    let newline = rest.find(|c: char| !c.is_whitespace())?;
    let gap = &rest[..newline];
    (gap.contains('\n') && rest[newline..].starts_with('.')).then(|| gap.rsplit('\n').next().unwrap_or("").to_string())
}

struct FindSite<'a> {
    text: &'a str,
    start: usize,
    call: Option<&'a syn::ExprCall>,
    shape: Option<SiteShape>,
    /// The end of the last `.env_clear()` in the site's chain.
    cleared: Option<usize>,
    /// A path at the site's position, when it is not called (`Command::new`
    /// passed to `.map`).
    path: Option<String>,
}

impl<'a> FindSite<'a> {
    fn is_site(&self, expr: &syn::Expr) -> bool {
        matches!(expr, syn::Expr::Call(_)) && expr_range(expr).0 == self.start
    }

    /// Whether a method chain ending in `expr` starts at the site.
    fn chain_from_site(&self, mut expr: &syn::Expr) -> bool {
        while let syn::Expr::MethodCall(m) = expr {
            expr = &m.receiver;
        }
        self.is_site(expr)
    }
}

impl<'a> Visit<'a> for FindSite<'a> {
    fn visit_expr_call(&mut self, call: &'a syn::ExprCall) {
        if self.call.is_none() && range(syn::spanned::Spanned::span(&call.func)).0 == self.start {
            self.call = Some(call);
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_path(&mut self, path: &'a syn::ExprPath) {
        let (start, end) = range(syn::spanned::Spanned::span(path));
        if start == self.start && self.path.is_none() && path.path.segments.len() >= 2 {
            self.path = Some(self.text[start..end].to_string());
        }
        syn::visit::visit_expr_path(self, path);
    }

    fn visit_expr_method_call(&mut self, method: &'a syn::ExprMethodCall) {
        if self.is_site(&method.receiver) {
            self.shape = Some(SiteShape::Chain { end: expr_range(&method.receiver).1, newline_indent: None });
        }
        if method.method == "env_clear" && self.chain_from_site(&method.receiver) {
            let end = range(syn::spanned::Spanned::span(method)).1;
            self.cleared = Some(self.cleared.map_or(end, |e| e.max(end)));
        }
        syn::visit::visit_expr_method_call(self, method);
    }

    fn visit_local(&mut self, local: &'a syn::Local) {
        if let (Some(init), Some(var)) = (&local.init, pattern_var(&local.pat))
            && self.is_site(&init.expr)
            && init.diverge.is_none()
        {
            let after = range(local.semi_token.span).1;
            let indent = line_indent(self.text, range(local.let_token.span).0);
            self.shape = Some(SiteShape::Let { after, var, indent });
        }
        syn::visit::visit_local(self, local);
    }
}

/// The variable a `let` binds, through `mut` and a type ascription.
fn pattern_var(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(ident) if ident.subpat.is_none() => Some(ident.ident.to_string()),
        syn::Pat::Type(typed) => pattern_var(&typed.pat),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str, needle: &str) -> Result<SiteShape, NotFound> {
        let file = syn::parse_file(text).expect("parses");
        site(&file, text, text.find(needle).expect("needle"))
    }

    #[test]
    fn a_chain_a_let_and_a_returned_command() {
        let chain = "fn main() { Command::new(exe).arg(\"x\").spawn(); }";
        let end = chain.find(".arg").unwrap();
        assert_eq!(shape(chain, "Command::new"), Ok(SiteShape::Chain { end, newline_indent: None }));

        let laid_out = "fn main() {\n    Command::new(exe)\n        .arg(\"x\")\n        .spawn();\n}";
        let got = shape(laid_out, "Command::new").unwrap();
        assert!(matches!(got, SiteShape::Chain { newline_indent: Some(ref i), .. } if i == "        "), "{got:?}");

        let bound = "fn main() {\n    let mut cmd: Command = Command::new(exe);\n    cmd.spawn();\n}";
        let after = bound.find(";\n").unwrap() + 1;
        let want = SiteShape::Let { after, var: "cmd".to_string(), indent: "    ".to_string() };
        assert_eq!(shape(bound, "Command::new"), Ok(want));

        let cleared = "fn main() { Command::new(exe).env(\"A\", \"1\").env_clear().spawn(); }";
        let end = cleared.find(".spawn").unwrap();
        assert_eq!(shape(cleared, "Command::new"), Ok(SiteShape::Chain { end, newline_indent: None }));

        let returned = "fn cmd() -> Command { Command::new(exe) }";
        let start = returned.find("Command::new").unwrap();
        let end = returned.find(" }").unwrap();
        assert_eq!(shape(returned, "Command::new"), Ok(SiteShape::Wrap { start, end }));
    }

    #[test]
    fn a_site_in_a_select_branch() {
        let text = "fn main() { loop { tokio::select! { _ = t.tick() => { \
                    select! { _ = u => Command::new(exe).arg(\"x\").spawn(), } } } } }";
        let end = text.find(".arg").unwrap();
        assert_eq!(shape(text, "Command::new"), Ok(SiteShape::Chain { end, newline_indent: None }));
    }

    #[test]
    fn exec_functions_are_not_builders() {
        let text = "fn main() { unsafe { libc::execv(path, argv) }; }";
        assert_eq!(shape(text, "libc::execv"), Err(NotFound::NotBuilder("execv".to_string())));
        assert_eq!(shape(text, "path"), Err(NotFound::NoCall));
        let passed = "fn main() { let c = current_exe().map(Command::new); }";
        assert_eq!(shape(passed, "Command::new"), Err(NotFound::FnValue("Command::new".to_string())));
    }

    #[test]
    fn main_body_indentation() {
        let text = "fn main() {\n\tlet x = 1;\n}\n";
        let file = syn::parse_file(text).unwrap();
        let body = main_body(&file, text, text.find("main").unwrap()).unwrap();
        assert_eq!((body.open, body.indent.as_str()), (text.find('{').unwrap() + 1, "\t"));
        let empty = "mod m {\n    fn main() {}\n}\n";
        let file = syn::parse_file(empty).unwrap();
        assert_eq!(main_body(&file, empty, empty.find("main").unwrap()).unwrap().indent, "        ");
    }
}

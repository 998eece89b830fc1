//! Lowers one parsed file to [`FileIr`]: functions (free, methods, trait
//! defaults, nested), `use` aliases, string constants, `mod` declarations,
//! clap derive tokens and self-spawning `macro_rules!`.

mod bpaf;
mod cfg;
mod clap;
pub(crate) mod derives;
mod expr;
pub(crate) mod select;
mod span;
mod statics;
mod types;

use crate::lint::body::{Body, Source};
use crate::lint::ir::{FileIr, FnAttrs, FnDef, ModDecl, Name, UseDef};
use crate::lint::name::{self, intern};
pub(crate) use clap::{CONST_TOKEN, kebab};
pub(crate) use expr::{Base, Ctx};
use quote_free::{tokens_mention_self_exe, tokens_read_markers};
use std::sync::Arc;
pub(crate) use types::type_name;
use types::{Generic, return_type};

/// Lowers `file`; `module` is the module path the file defines. With a
/// `late` source, function bodies are left to be lowered on first use.
pub(crate) fn file(file: &syn::File, module: Vec<Name>, ctx: &Ctx, late: Option<&Arc<Source>>) -> FileIr {
    let mut out = FileIr { module: module.clone(), ..FileIr::default() };
    let mut lower = Lower { ctx, late, out: &mut out, generic: Generic::default() };
    lower.items(&file.items, &module, &[]);
    out.shrink();
    out
}

/// As [`file()`], for a file whose items `parse` hands over one at a time
/// ([`crate::lint::nesting::parse_items`]); bodies are left for later.
pub(crate) fn file_by_item<E>(
    module: Vec<Name>,
    ctx: &Ctx,
    late: &Arc<Source>,
    parse: impl FnOnce(&mut dyn FnMut(&syn::Item)) -> Result<(), E>,
) -> Result<FileIr, E> {
    let mut out = FileIr { module: module.clone(), ..FileIr::default() };
    let mut lower = Lower { ctx, late: Some(late), out: &mut out, generic: Generic::default() };
    parse(&mut |item| lower.items(std::slice::from_ref(item), &module, &[]))?;
    out.shrink();
    Ok(out)
}

struct Lower<'a> {
    ctx: &'a Ctx,
    late: Option<&'a Arc<Source>>,
    out: &'a mut FileIr,
    /// The type parameters of the `impl` or trait being lowered.
    generic: Generic,
}

impl Lower<'_> {
    fn items(&mut self, items: &[syn::Item], module: &[Name], inline: &[Name]) {
        for item in items {
            if cfg::compiled_out(item_attrs(item)) {
                continue;
            }
            self.item(item, module, inline);
        }
    }

    fn item(&mut self, item: &syn::Item, module: &[Name], inline: &[Name]) {
        match item {
            syn::Item::Fn(f) => self.function(&f.attrs, &f.sig, &f.block, module, None),
            syn::Item::Impl(i) => {
                let self_ty = type_name(&i.self_ty).map(|n| intern(&n));
                self.generic = Generic::default().with(&i.generics);
                // `impl Command for X`; a longer path (`fmt::Display`) is
                // taken for another crate's trait.
                let of_trait = i.trait_.as_ref().map(|t| &t.0).and_then(|path: &syn::Path| {
                    (path.segments.len() == 1).then(|| name::ident(&path.segments[0].ident))
                });
                for item in &i.items {
                    match item {
                        syn::ImplItem::Fn(f) if !cfg::compiled_out(&f.attrs) => {
                            let at = self.out.fns.len();
                            self.function(&f.attrs, &f.sig, &f.block, module, self_ty);
                            self.out.fns[at].inherent = i.trait_.is_none();
                            self.out.fns[at].of_trait.clone_from(&of_trait);
                        }
                        syn::ImplItem::Const(c) => self.constant(module, &c.ident, &c.expr),
                        _ => {}
                    }
                }
                self.generic = Generic::default();
            }
            syn::Item::Trait(t) => {
                self.out.traits.push(t.ident.to_string());
                self.generic = Generic::default().with(&t.generics);
                for item in &t.items {
                    if let syn::TraitItem::Fn(f) = item
                        && let Some(block) = &f.default
                    {
                        let at = self.out.fns.len();
                        self.function(&f.attrs, &f.sig, block, module, Some(name::ident(&t.ident)));
                        self.out.fns[at].trait_default = true;
                    }
                }
                self.generic = Generic::default();
            }
            syn::Item::Mod(m) => self.module(m, module, inline),
            syn::Item::Use(u) => use_tree(&u.tree, Vec::new(), module, &mut self.out.uses),
            syn::Item::Const(c) => self.constant(module, &c.ident, &c.expr),
            syn::Item::Static(s) => self.constant(module, &s.ident, &s.expr),
            syn::Item::Macro(m) => {
                for (ident, expr) in statics::macro_statics(&m.mac) {
                    self.constant(module, &ident, &expr);
                }
                if let Some(ident) = &m.ident
                    && m.mac.path.is_ident("macro_rules")
                    && tokens_mention_self_exe(&m.mac.tokens)
                {
                    self.out.self_spawn_macros.push(ident.to_string());
                }
                if let Some(ident) = &m.ident
                    && m.mac.path.is_ident("macro_rules")
                    && tokens_read_markers(&m.mac.tokens)
                {
                    self.out.marker_macros.push(ident.to_string());
                }
            }
            syn::Item::Enum(e) => {
                clap::enum_tokens(e, &mut self.out.clap);
                bpaf::enum_tokens(e, &mut self.out.clap);
                self.out.enums.push((e.ident.to_string(), crate::lint::built::plain_derives(&e.attrs)));
                for v in &e.variants {
                    // Fields by position (`A(x)`) or by name (`A { x }`).
                    let types: crate::lint::ir::Fields = v
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            let name = f.ident.as_ref().map_or_else(|| i.to_string(), std::string::ToString::to_string);
                            (name, type_name(&f.ty))
                        })
                        .collect();
                    // Keyed by `Enum::Variant`, and by the bare variant name
                    // for patterns that import it.
                    self.out.payloads.push((format!("{}::{}", e.ident, v.ident), types.clone()));
                    self.out.payloads.push((v.ident.to_string(), types));
                }
            }
            syn::Item::Struct(s) => {
                clap::struct_tokens(s, &mut self.out.clap);
                bpaf::struct_tokens(s, &mut self.out.clap);
                let generic = Generic::default().with(&s.generics);
                for f in &s.fields {
                    if let (Some(name), Some(ty)) = (&f.ident, generic.concrete(type_name(&f.ty))) {
                        self.out.fields.push((s.ident.to_string(), name.to_string(), ty));
                    }
                }
            }
            _ => {}
        }
    }

    fn module(&mut self, m: &syn::ItemMod, module: &[Name], inline: &[Name]) {
        let mut path = module.to_vec();
        // `mod r#ref;` lives in `ref.rs`.
        let name = intern(m.ident.to_string().trim_start_matches("r#"));
        path.push(name);
        match &m.content {
            Some((_, items)) => {
                let mut inline = inline.to_vec();
                inline.push(name);
                self.items(items, &path, &inline);
            }
            None => self.out.mods.push(ModDecl {
                module: path,
                inline_prefix: inline.to_vec(),
                path_attr: path_attr(&m.attrs),
                cfg_paths: cfg_attr_paths(&m.attrs),
                loc: self.ctx.loc(m.ident.span()),
            }),
        }
    }

    fn constant(&mut self, module: &[Name], ident: &syn::Ident, value: &syn::Expr) {
        if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = value {
            self.out.consts.push((module.to_vec(), ident.to_string(), s.value()));
        } else if let Some(f) = statics::function(self.ctx, module, &statics::Init { ident, expr: value }) {
            self.out.fns.push(f);
        }
    }

    fn function(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        block: &syn::Block,
        module: &[Name],
        self_ty: Option<Name>,
    ) {
        let generic = self.generic.with(&sig.generics);
        let params = sig
            .inputs
            .iter()
            .map(|arg| match arg {
                syn::FnArg::Receiver(_) => crate::lint::ir::Pat::Bind("self".into(), None),
                syn::FnArg::Typed(t) => self.ctx.pat(&t.pat),
            })
            .collect();
        let param_types = sig
            .inputs
            .iter()
            .map(|arg| match arg {
                syn::FnArg::Receiver(_) => None,
                syn::FnArg::Typed(t) => generic.concrete(type_name(&t.ty)).map(|n| intern(&n)),
            })
            .collect();
        let ret = match &sig.output {
            syn::ReturnType::Type(_, ty) => generic.concrete(return_type(ty)).map(|n| intern(&n)),
            syn::ReturnType::Default => None,
        };
        let never = matches!(&sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_)));
        self.out.fns.push(FnDef {
            name: name::ident(&sig.ident),
            module: module.to_vec(),
            self_ty,
            params,
            param_types,
            ret,
            never,
            inherent: false,
            trait_default: false,
            of_trait: None,
            attrs: fn_attrs(attrs),
            body: self.body(block),
            loc: self.ctx.loc(sig.ident.span()),
        });
        // Items declared inside a body (at any depth) are visible to it:
        // hoist functions and constants into the enclosing module.
        // An item in a body cannot use the outer type parameters.
        let outer = std::mem::take(&mut self.generic);
        for item in nested_items(block).into_iter().filter(|i| !cfg::compiled_out(item_attrs(i))) {
            self.item(item, module, &[]);
        }
        self.generic = outer;
    }
}

impl Lower<'_> {
    fn body(&self, block: &syn::Block) -> Body {
        let Some(source) = self.late else { return Body::lowered(self.ctx.block(block)) };
        let (open, close) = (block.brace_token.span.open(), block.brace_token.span.close());
        Body::late(source, open.byte_range().start, close.byte_range().end)
    }
}

/// Items declared in a block or its nested blocks (not in nested items).
fn nested_items(block: &syn::Block) -> Vec<&syn::Item> {
    use syn::visit::Visit;
    struct Items<'a>(Vec<&'a syn::Item>);
    impl<'a> Visit<'a> for Items<'a> {
        fn visit_item(&mut self, item: &'a syn::Item) {
            // The item's own body is handled when the item is lowered.
            self.0.push(item);
        }
    }
    let mut items = Items(Vec::new());
    items.visit_block(block);
    items.0
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        _ => &[],
    }
}

fn fn_attrs(attrs: &[syn::Attribute]) -> FnAttrs {
    let mut out = FnAttrs::default();
    for attr in attrs {
        let segments: Vec<String> = attr.path().segments.iter().map(|s| s.ident.to_string()).collect();
        match segments.last().map(String::as_str) {
            Some("ctor") => out.ctor = true,
            Some("main") if segments.len() > 1 => out.async_main = Some(segments.join("::")),
            _ => {}
        }
    }
    out
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
        syn::Meta::NameValue(nv) => match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// The last segment of a type, looking through `Box<T>`.
/// `#[cfg_attr(unix, path = "unix.rs")]`: paths that apply under some cfg.
fn cfg_attr_paths(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cfg_attr")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("path") && meta.input.peek(syn::Token![=]) {
                if let Ok(syn::Lit::Str(s)) = meta.value()?.parse::<syn::Lit>() {
                    out.push(s.value());
                }
            } else if meta.input.peek(syn::token::Paren) {
                // The predicate (`unix`, `all(..)`): skip its arguments.
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    out
}

fn use_tree(tree: &syn::UseTree, prefix: Vec<Name>, module: &[Name], out: &mut Vec<UseDef>) {
    let push = |alias: String, path: Vec<Name>, glob: bool, out: &mut Vec<UseDef>| {
        out.push(UseDef { module: module.to_vec(), alias, path: path.into(), glob });
    };
    match tree {
        syn::UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(name::ident(&p.ident));
            use_tree(&p.tree, prefix, module, out);
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last().cloned() {
                    push(last.to_string(), prefix, false, out);
                }
            } else {
                let mut path = prefix;
                path.push(intern(&name));
                push(name, path, false, out);
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix;
            if r.ident != "self" {
                path.push(name::ident(&r.ident));
            }
            push(r.rename.to_string(), path, false, out);
        }
        syn::UseTree::Glob(_) => push(String::new(), prefix, true, out),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                use_tree(item, prefix.clone(), module, out);
            }
        }
    }
}

/// Token-level checks that need no parse.
mod quote_free {
    use proc_macro2::{TokenStream, TokenTree};

    /// Whether a token stream names a self-executable source.
    pub(crate) fn tokens_mention_self_exe(tokens: &TokenStream) -> bool {
        tokens.clone().into_iter().any(|tt| match tt {
            TokenTree::Ident(i) => i == "current_exe",
            TokenTree::Literal(l) => l.to_string().contains("/proc/self/exe"),
            TokenTree::Group(g) => tokens_mention_self_exe(&g.stream()),
            TokenTree::Punct(_) => false,
        })
    }

    /// Whether a macro body reads the env or argv (`env::var`, `env::var_os`,
    /// `env::args`, `env::args_os`: a local named `args` is not one) and
    /// may leave (`return`, `exit`).
    pub(crate) fn tokens_read_markers(tokens: &TokenStream) -> bool {
        /// Whether the stream holds `env::<one of names>`, at any depth.
        fn env_call(tokens: &TokenStream, names: &[&str]) -> bool {
            let mut after_env = false;
            tokens.clone().into_iter().any(|tt| match tt {
                TokenTree::Ident(i) => {
                    let hit = after_env && names.iter().any(|n| i == n);
                    after_env = i == "env";
                    hit
                }
                TokenTree::Punct(p) => {
                    after_env &= p.as_char() == ':';
                    false
                }
                TokenTree::Group(g) => {
                    after_env = false;
                    env_call(&g.stream(), names)
                }
                TokenTree::Literal(_) => {
                    after_env = false;
                    false
                }
            })
        }
        fn leaves(tokens: &TokenStream) -> bool {
            tokens.clone().into_iter().any(|tt| match tt {
                TokenTree::Ident(i) => i == "return" || i == "exit",
                TokenTree::Group(g) => leaves(&g.stream()),
                _ => false,
            })
        }
        env_call(tokens, &["var", "var_os", "args", "args_os"]) && leaves(tokens)
    }

    #[cfg(test)]
    mod tests {
        use super::tokens_read_markers;

        fn reads(text: &str) -> bool {
            tokens_read_markers(&text.parse().expect("tokens"))
        }

        #[test]
        fn a_guard_macro_reads_the_env_and_leaves() {
            assert!(reads("() => { if std::env::var_os(\"W\").is_some() { return; } }"));
            assert!(reads("() => { if env::args().any(|a| a == \"--w\") { std::process::exit(0) } }"));
            // A local named `args`, or a read that cannot leave, is not one.
            assert!(!reads("($args:expr) => { let args = $args; if args.is_empty() { return; } }"));
            assert!(!reads("() => { let w = std::env::var(\"W\"); drop(w); }"));
        }
    }
}

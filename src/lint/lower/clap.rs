//! clap (and structopt) derive attributes -> the argv tokens that select a
//! subcommand variant or set a flag, so a `match cli.command` can be read as
//! a test of the child's argv.

use crate::lint::ir::ClapToken;

const DERIVES: &[&str] = &["Parser", "Subcommand", "Args", "StructOpt"];

fn derives_clap(attrs: &[syn::Attribute]) -> bool {
    super::derives::any(attrs, DERIVES)
}

/// Values of `name = "..."`/`long = "..."` style keys inside
/// `#[command(..)]`, `#[arg(..)]`, `#[clap(..)]`, `#[structopt(..)]`.
#[derive(Default)]
struct Keys {
    name: Option<String>,
    long: Option<Option<String>>,
    short: Option<Option<char>>,
    aliases: Vec<String>,
    /// `env = "K"`, or a bare `env` (the field's name in upper case).
    env: Option<Option<String>>,
    subcommand: bool,
    /// `#[command(flatten)]`: the members come from the inner type.
    flatten: bool,
}

fn keys(attrs: &[syn::Attribute]) -> Keys {
    let mut keys = Keys::default();
    for attr in attrs {
        let p = attr.path();
        if !["command", "arg", "clap", "structopt"].iter().any(|n| p.is_ident(n)) {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(std::string::ToString::to_string).unwrap_or_default();
            let value = |meta: &syn::meta::ParseNestedMeta| meta_value(meta).ok().flatten();
            match key.as_str() {
                "name" | "rename" => keys.name = value(&meta).and_then(lit_str),
                "long" => keys.long = Some(value(&meta).and_then(lit_str)),
                "short" => {
                    keys.short = Some(value(&meta).and_then(|l| match l {
                        syn::Lit::Char(c) => Some(c.value()),
                        _ => None,
                    }));
                }
                "alias" | "visible_alias" => keys.aliases.extend(value(&meta).and_then(lit_str)),
                "env" => keys.env = Some(value(&meta).and_then(lit_str)),
                "subcommand" => keys.subcommand = true,
                "flatten" => {
                    keys.subcommand = true;
                    keys.flatten = true;
                }
                _ => {
                    // Skip the value of keys we do not read (`help = ..`, `hide = true`).
                    let _ = value(&meta);
                }
            }
            Ok(())
        });
    }
    keys
}

/// Prefix of a token that names a constant, resolved once all files are
/// loaded (`#[command(name = DoubleSpawnInfo::SUBCOMMAND_NAME)]`).
pub(crate) const CONST_TOKEN: &str = "\u{0}const:";

/// `key = "lit"` or `key("lit")`; a constant path becomes a [`CONST_TOKEN`]
/// string; other value shapes are skipped.
fn meta_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Option<syn::Lit>> {
    if meta.input.peek(syn::Token![=]) {
        let expr: syn::Expr = meta.value()?.parse()?;
        return Ok(match expr {
            syn::Expr::Lit(l) => Some(l.lit),
            syn::Expr::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| syn::Lit::Str(syn::LitStr::new(&format!("{CONST_TOKEN}{}", s.ident), s.ident.span()))),
            _ => None,
        });
    }
    if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        let expr: syn::Expr = content.parse()?;
        return Ok(match expr {
            syn::Expr::Lit(l) => Some(l.lit),
            _ => None,
        });
    }
    Ok(None)
}

fn lit_str(lit: syn::Lit) -> Option<String> {
    match lit {
        syn::Lit::Str(s) => Some(s.value()),
        _ => None,
    }
}

/// `WorkerTask` -> `worker-task`, `server_path` -> `server-path`.
pub(crate) fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(ch.to_lowercase());
        } else if ch == '_' {
            out.push('-');
        } else {
            out.push(ch);
        }
    }
    out.trim_start_matches("r#").to_string()
}

pub(crate) fn enum_tokens(e: &syn::ItemEnum, out: &mut Vec<ClapToken>) {
    if !derives_clap(&e.attrs) {
        return;
    }
    for variant in &e.variants {
        let keys = keys(&variant.attrs);
        // `#[command(flatten)]`: its own enum carries the tokens. A variant
        // with `#[command(subcommand)]` is a subcommand by its own name
        // whose payload holds nested ones (`zellij action ..`).
        if keys.flatten {
            continue;
        }
        let mut tokens = vec![keys.name.unwrap_or_else(|| kebab(&variant.ident.to_string()))];
        tokens.extend(keys.aliases);
        out.push(ClapToken {
            type_name: e.ident.to_string(),
            member: variant.ident.to_string(),
            tokens,
            subcommand: true,
            env: None,
            parser: None,
        });
    }
}

pub(crate) fn struct_tokens(s: &syn::ItemStruct, out: &mut Vec<ClapToken>) {
    if !derives_clap(&s.attrs) {
        return;
    }
    for field in &s.fields {
        let Some(ident) = &field.ident else { continue };
        let name = ident.to_string().trim_start_matches("r#").to_string();
        let keys = keys(&field.attrs);
        let mut tokens = Vec::new();
        if let Some(long) = keys.long {
            tokens.push(format!("--{}", long.unwrap_or_else(|| kebab(&name))));
        }
        if let Some(short) = keys.short {
            tokens.push(format!("-{}", short.unwrap_or_else(|| name.chars().next().unwrap_or('?'))));
        }
        tokens.extend(keys.aliases.into_iter().map(|a| format!("--{a}")));
        let env = keys.env.map(|e| e.unwrap_or_else(|| name.to_uppercase()));
        out.push(ClapToken {
            type_name: s.ident.to_string(),
            member: name,
            tokens,
            subcommand: keys.subcommand,
            env,
            parser: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_matches_clap() {
        assert_eq!(kebab("WorkerTask"), "worker-task");
        assert_eq!(kebab("server_path"), "server-path");
        assert_eq!(kebab("Run"), "run");
    }

    #[test]
    fn reads_subcommand_names_and_flags() {
        let e: syn::ItemEnum = syn::parse_str(
            r#"#[derive(Subcommand)] enum Cmd { Run, #[command(hide = true, name = "__worker")] Worker { id: u32 } }"#,
        )
        .unwrap();
        let mut out = Vec::new();
        enum_tokens(&e, &mut out);
        assert_eq!(out[1].tokens, vec!["__worker".to_string()]);
        assert_eq!(out[0].tokens, vec!["run".to_string()]);
        let s: syn::ItemStruct = syn::parse_str(
            r#"#[derive(Parser)] struct Cli { #[arg(long, hide = true)] server: Option<String>, #[arg(long = "x-y", short)] quiet: bool, #[command(subcommand)] cmd: Cmd }"#,
        )
        .unwrap();
        let mut out = Vec::new();
        struct_tokens(&s, &mut out);
        assert_eq!(out[0].tokens, vec!["--server".to_string()]);
        assert_eq!(out[1].tokens, vec!["--x-y".to_string(), "-q".to_string()]);
        assert!(out[2].subcommand);
    }
}

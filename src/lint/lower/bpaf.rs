//! bpaf derive attributes -> the same [`ClapToken`] facts clap derive gives:
//! which argv token selects a `#[bpaf(command)]` variant, which names set a
//! field, and the function the derive generates (`BiomeCommand` ->
//! `biome_command()`, returning the type's parser), so that
//! `biome_command().fallback_to_usage().run()` reads as the parsed argv.
//!
//! bpaf's rules differ from clap's enough to keep apart: a named field with
//! no naming attribute is `--field-name` (`-x` for a one-letter name), an
//! explicit `short` alone suppresses the long name, every `long`/`short`
//! adds a name, `positional` and `external` (another parser's fields, like
//! clap's `flatten`) take no name of their own.

use super::clap::kebab;
use crate::lint::ir::ClapToken;

fn derives_bpaf(attrs: &[syn::Attribute]) -> bool {
    super::derives::any(attrs, &["Bpaf"])
}

/// The keys of `#[bpaf(..)]` the routing needs; the rest are skipped.
#[derive(Default)]
struct Keys {
    /// `command` (`Some(None)`) or `command("name")`.
    command: Option<Option<String>>,
    longs: Vec<Option<String>>,
    shorts: Vec<Option<char>>,
    env: Option<String>,
    /// `positional` or `external`: no name of its own on the command line.
    unnamed: bool,
    /// `generate(name)`: the generated function's name.
    generate: Option<String>,
}

/// The single literal or path inside `key(..)`, if there is one.
enum Arg {
    None,
    Str(String),
    Char(char),
    Ident(String),
}

fn arg(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Arg> {
    if !meta.input.peek(syn::token::Paren) {
        return Ok(Arg::None);
    }
    let content;
    syn::parenthesized!(content in meta.input);
    // `guard(f, "msg")`, `fallback(x + 1)`: anything else is read and dropped.
    let tokens: proc_macro2::TokenStream = content.parse()?;
    Ok(match syn::parse2::<syn::Expr>(tokens) {
        Ok(syn::Expr::Lit(l)) => match l.lit {
            syn::Lit::Str(s) => Arg::Str(s.value()),
            syn::Lit::Char(c) => Arg::Char(c.value()),
            _ => Arg::None,
        },
        Ok(syn::Expr::Path(p)) => p.path.segments.last().map_or(Arg::None, |s| Arg::Ident(s.ident.to_string())),
        _ => Arg::None,
    })
}

fn keys(attrs: &[syn::Attribute]) -> Keys {
    let mut keys = Keys::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("bpaf")) {
        let _ = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let value = arg(&meta)?;
            match (key.as_str(), value) {
                ("command", Arg::Str(name)) => keys.command = Some(Some(name)),
                ("command", _) => keys.command = Some(None),
                ("long", Arg::Str(name)) => keys.longs.push(Some(name)),
                ("long", _) => keys.longs.push(None),
                ("short", Arg::Char(c)) => keys.shorts.push(Some(c)),
                ("short", _) => keys.shorts.push(None),
                ("env", Arg::Str(k)) => keys.env = Some(k),
                ("positional" | "external", _) => keys.unnamed = true,
                ("generate", Arg::Ident(name)) => keys.generate = Some(name),
                _ => {}
            }
            Ok(())
        });
    }
    keys
}

/// `PgLSCommand` -> `pg_l_s_command`: bpaf names the generated function
/// after the type, an underscore before every capital.
fn snake(name: &str) -> String {
    kebab(name).replace('-', "_")
}

/// The entry that names the generated function (no member, no tokens).
fn parser_entry(ident: &syn::Ident, attrs: &[syn::Attribute]) -> ClapToken {
    let name = keys(attrs).generate.unwrap_or_else(|| snake(&ident.to_string()));
    ClapToken {
        type_name: ident.to_string(),
        member: String::new(),
        tokens: Vec::new(),
        subcommand: false,
        env: None,
        parser: Some(name),
    }
}

/// A named field's command-line names, by bpaf's defaults.
fn field_entry(type_name: &str, field: &syn::Field) -> Option<ClapToken> {
    let name = field.ident.as_ref()?.to_string().trim_start_matches("r#").to_string();
    let keys = keys(&field.attrs);
    let mut tokens = Vec::new();
    if !keys.unnamed {
        let first = name.chars().next().unwrap_or('?');
        if keys.longs.is_empty() && keys.shorts.is_empty() {
            tokens.push(if name.chars().count() == 1 { format!("-{name}") } else { format!("--{}", kebab(&name)) });
        }
        tokens.extend(keys.longs.into_iter().map(|l| format!("--{}", l.unwrap_or_else(|| kebab(&name)))));
        tokens.extend(keys.shorts.into_iter().map(|s| format!("-{}", s.unwrap_or(first))));
    }
    Some(ClapToken {
        type_name: type_name.to_string(),
        member: name,
        tokens,
        subcommand: false,
        env: keys.env,
        parser: None,
    })
}

pub(crate) fn enum_tokens(e: &syn::ItemEnum, out: &mut Vec<ClapToken>) {
    if !derives_bpaf(&e.attrs) {
        return;
    }
    out.push(parser_entry(&e.ident, &e.attrs));
    let type_name = e.ident.to_string();
    for variant in &e.variants {
        let keys = keys(&variant.attrs);
        // A variant without `command` is picked by its flags, which the
        // check does not model: no tokens, so a match on it stays unknown.
        if let Some(command) = keys.command {
            let mut tokens = vec![command.unwrap_or_else(|| kebab(&variant.ident.to_string()))];
            // `command, short('b'), long("bld")`: aliases of the command word.
            tokens.extend(keys.longs.into_iter().flatten());
            tokens.extend(keys.shorts.into_iter().flatten().map(String::from));
            out.push(ClapToken {
                type_name: type_name.clone(),
                member: variant.ident.to_string(),
                tokens,
                subcommand: true,
                env: None,
                parser: None,
            });
        }
        // `RunServer { stop_on_disconnect: bool }`: its fields are flags.
        out.extend(variant.fields.iter().filter_map(|f| field_entry(&type_name, f)));
    }
}

pub(crate) fn struct_tokens(s: &syn::ItemStruct, out: &mut Vec<ClapToken>) {
    if !derives_bpaf(&s.attrs) {
        return;
    }
    out.push(parser_entry(&s.ident, &s.attrs));
    let type_name = s.ident.to_string();
    out.extend(s.fields.iter().filter_map(|f| field_entry(&type_name, f)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enum_out(src: &str) -> Vec<ClapToken> {
        let mut out = Vec::new();
        enum_tokens(&syn::parse_str(src).unwrap(), &mut out);
        out
    }

    #[test]
    fn names_the_generated_function_like_bpaf() {
        let out = enum_out("#[derive(Debug, Bpaf)] #[bpaf(options)] enum PgLSCommand { #[bpaf(command)] Version }");
        assert_eq!(out[0].parser.as_deref(), Some("pg_l_s_command"));
        let out = enum_out("#[derive(bpaf::Bpaf)] #[bpaf(options, generate(cli))] enum Cmd { A }");
        assert_eq!(out[0].parser.as_deref(), Some("cli"));
        assert!(enum_out("#[derive(clap::Subcommand)] enum Cmd { A }").is_empty());
    }

    #[test]
    fn reads_commands_and_their_fields() {
        let out = enum_out(
            r#"#[derive(Bpaf)] enum Cmd {
                #[bpaf(command)] Version(#[bpaf(external(cli_options), hide_usage)] CliOptions),
                #[bpaf(command("__run_server"), hide)] RunServer {
                    #[bpaf(external(log_options))] log_options: LogOptions,
                    #[bpaf(long("stop-on-disconnect"), hide_usage)] stop_on_disconnect: bool,
                    #[bpaf(positional("PATH"), many)] paths: Vec<String>,
                    #[bpaf(short, long, env("APP_DEBUG"), guard(check, "msg"))] debug: bool,
                    quiet: bool,
                    q: bool,
                    #[bpaf(short('x'))] exact: bool,
                },
                #[bpaf(long)] Flagged,
            }"#,
        );
        let find = |m: &str| out.iter().find(|t| t.member == m).unwrap();
        assert_eq!(find("Version").tokens, vec!["version"]);
        assert_eq!(find("RunServer").tokens, vec!["__run_server"]);
        assert!(find("RunServer").subcommand);
        assert!(find("log_options").tokens.is_empty());
        assert_eq!(find("stop_on_disconnect").tokens, vec!["--stop-on-disconnect"]);
        assert!(find("paths").tokens.is_empty());
        assert_eq!(find("debug").tokens, vec!["--debug", "-d"]);
        assert_eq!(find("debug").env.as_deref(), Some("APP_DEBUG"));
        assert_eq!(find("quiet").tokens, vec!["--quiet"]);
        assert_eq!(find("q").tokens, vec!["-q"]);
        assert_eq!(find("exact").tokens, vec!["-x"]);
        assert!(out.iter().all(|t| t.member != "Flagged"));
    }
}

//! Pattern binding: what the names in a `let`, `if let` or `match` arm
//! pattern stand for (`Some(x)` takes the value itself, slice patterns over
//! argv take argv items, enum-variant fields take their declared type).

use super::index::Program;
use super::ir::{FnDef, Name, Pat};
use super::value::{Locals, Val};

/// Binds the names a pattern introduces; a plain name or `Some(x)`/`Ok(x)`
/// takes the value itself, slice patterns over argv take argv items.
pub(crate) fn bind(pat: &Pat, val: Val, locals: &mut Locals) {
    match pat {
        Pat::Bind(name, None) => {
            locals.insert(name.to_string(), val);
        }
        Pat::TupleStruct(path, items)
            if items.len() == 1 && matches!(path.last().map(Name::as_str), Some("Some" | "Ok")) =>
        {
            // `Some((_, f))` on a table entry the child's markers chose.
            let inner = match val {
                Val::Opt(Some(found)) => *found,
                val => val,
            };
            bind(&items[0], inner, locals);
        }
        Pat::Slice(items) if matches!(val, Val::Argv { .. }) => {
            let Val::Argv { skip, pushed } = val else { return };
            for (i, item) in items.iter().enumerate() {
                match item {
                    Pat::Rest => break,
                    // `[exe, rest @ ..]`: the arguments after the ones
                    // named, handed on as a list (`.args(rest)`).
                    Pat::Bind(name, Some(sub)) if matches!(**sub, Pat::Rest) => {
                        locals.insert(name.to_string(), Val::Argv { skip: skip + i, pushed });
                        break;
                    }
                    _ => bind(item, Val::ArgvItem(Some(skip + i)), locals),
                }
            }
        }
        // `let (name, sub) = matches.subcommand().unwrap()`, `Some((name,
        // sub))`: the subcommand's name and its own matches.
        Pat::Tuple(items) if items.len() == 2 && matches!(val, Val::ClapSub) => {
            bind(&items[0], Val::ClapSub, locals);
            bind(&items[1], Val::ClapMatches, locals);
        }
        // `let (child, verbose) = flags();` on a tuple the check knows.
        Pat::Tuple(items) if matches!(&val, Val::Tuple(vals) if vals.len() == items.len()) => {
            let Val::Tuple(vals) = val else { return };
            for (item, v) in items.iter().zip(vals) {
                bind(item, v, locals);
            }
        }
        Pat::Guard(p, _) => bind(p, val, locals),
        other => {
            let mut names = Vec::new();
            other.bindings(&mut names);
            // Parts of a value computed from the markers are too.
            let part = if val.is_marker_source() { Val::derived([&val]) } else { Val::Unknown };
            for name in names {
                locals.insert(name, part.clone());
            }
        }
    }
}

/// `let cli: Cli = Parser::parse();`: the annotation gives a value of
/// unknown type its type (a clap-derived one routes like `Cli::parse()`).
pub(crate) fn annotated(prog: &Program<'_>, ty: Option<&str>, val: Val) -> Val {
    let Some(ty) = ty else { return val };
    // An annotation types what foreign code returned (`let cli: Cli =
    // Parser::parse()`).
    if !matches!(val, Val::Unknown | Val::Foreign(_)) {
        return val;
    }
    if let Some(handle) = super::framework::declared(prog, ty) {
        return handle;
    }
    // clap's parsed arguments (or a subcommand's): read from argv, never
    // "the same as in the parent".
    if ty == "ArgMatches" && !prog.has_methods(ty) {
        Val::ClapMatches
    } else if prog.clap_names.is_type(ty) {
        Val::Clap(Some(ty.to_string()))
    } else if matches!(val, Val::Foreign(_)) {
        // What code the check does not read made stays that: typing it
        // would make a `match` on it look decided by nothing.
        val
    } else if prog.has_methods(ty) || prog.is_struct(ty) {
        // A struct without methods is typed too: its fields are its own
        // (`options.command` of `RunOptions` is not another struct's).
        Val::Typed(ty.to_string())
    } else {
        val
    }
}

/// `self` is of the `impl` block's type (a method's receiver).
pub(crate) fn receiver_type<'a>(def: &'a FnDef, param: &Pat) -> Option<&'a str> {
    matches!(param, Pat::Bind(name, None) if name == "self").then_some(def.self_ty.as_deref()).flatten()
}

/// After [`bind`]: names bound to a tuple variant's fields get the field's
/// type (`Command::Run(opts) => opts.exec()` calls `RunOpts::exec`). Over a
/// clap-routed value (`scrut`), a payload of a clap type stays routed by
/// argv, one subcommand deeper, and a struct variant's fields are flags.
pub(crate) fn type_payloads(prog: &Program<'_>, self_ty: Option<&str>, pat: &Pat, scrut: &Val, locals: &mut Locals) {
    let typing = Typing { prog, self_ty, depth: clap_depth(scrut) };
    typing.payloads(pat, locals);
}

/// How many subcommands deep a clap-routed value's enum lies (the parsed
/// struct's own subcommand field is 0), or `None` when argv does not route it.
fn clap_depth(val: &Val) -> Option<usize> {
    match val {
        Val::Clap(_) | Val::ClapField(..) => Some(0),
        Val::ClapNested(_, depth) => Some(*depth),
        _ => None,
    }
}

struct Typing<'p, 'a> {
    prog: &'p Program<'a>,
    self_ty: Option<&'p str>,
    depth: Option<usize>,
}

impl Typing<'_, '_> {
    fn payloads(&self, pat: &Pat, locals: &mut Locals) {
        match pat {
            Pat::TupleStruct(path, items) => {
                let variant = variant_key(path, self.self_ty);
                for (i, item) in items.iter().enumerate() {
                    self.field(&variant, &i.to_string(), item, locals);
                }
            }
            Pat::Struct(path, fields) => {
                let variant = variant_key(path, self.self_ty);
                for (field, item) in fields {
                    // `Self::Share { active, .. }` over argv-routed `self`:
                    // `active` is that flag as the child's argv sets it.
                    if let (Some(_), Pat::Bind(name, None)) = (self.depth, item) {
                        locals.insert(name.to_string(), Val::ClapField(field.to_string(), None));
                        continue;
                    }
                    self.field(&variant, field, item, locals);
                }
            }
            Pat::Or(items) | Pat::Tuple(items) => items.iter().for_each(|p| self.payloads(p, locals)),
            Pat::Guard(p, _) => self.payloads(p, locals),
            _ => {}
        }
    }

    fn field(&self, variant: &str, field: &str, item: &Pat, locals: &mut Locals) {
        match item {
            Pat::Bind(name, None) => {
                let bare = variant.rsplit("::").next().unwrap_or(variant);
                let prog = self.prog;
                if let Some(ty) = prog.payload_type(variant, field).or_else(|| prog.payload_type(bare, field)) {
                    locals.insert(name.to_string(), self.payload_val(bare, ty));
                }
            }
            other => self.payloads(other, locals),
        }
    }

    /// A payload of clap type `ty` in variant `bare` of an argv-routed enum:
    /// the variant's own subcommand name (`#[command(subcommand)]`) puts it
    /// one positional deeper; without tokens (`#[command(flatten)]`) its
    /// variants are chosen at the same depth.
    fn payload_val(&self, bare: &str, ty: &str) -> Val {
        let clap = &self.prog.clap;
        match self.depth {
            Some(depth) if self.prog.clap_names.is_subcommand_type(ty) => {
                let named = clap.iter().any(|t| t.subcommand && t.member == bare && !t.tokens.is_empty());
                Val::ClapNested(ty.to_string(), if named { depth + 1 } else { depth })
            }
            _ => Val::Typed(ty.to_string()),
        }
    }
}

/// `Enum::Variant` (with `Self` as the impl type), or the bare variant.
fn variant_key(path: &[Name], self_ty: Option<&str>) -> String {
    match path {
        [.., ty, variant] => format!("{}::{variant}", if ty == "Self" { self_ty.unwrap_or("Self") } else { ty }),
        [variant] => variant.to_string(),
        [] => String::new(),
    }
}

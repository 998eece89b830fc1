//! Conditions on clap-parsed values: a flag or option named by its struct
//! field, and the subcommand selected by argv, through nested
//! (`#[command(subcommand)]`) and flattened (`#[command(flatten)]`) enums.

use super::cond::Cond;
use super::ir::Name;
use super::lower::kebab;
use super::value::{Truth, Val};

impl Cond<'_, '_, '_> {
    /// A clap flag or option named by its struct field (or builder id).
    pub(super) fn flag(&mut self, field: &str) -> Truth {
        let entry = self.prog.clap.iter().find(|t| !t.subcommand && t.member == field && !t.tokens.is_empty());
        if self.prog.clap.iter().any(|t| t.subcommand && t.member == field) {
            // `if let Some(cmd) = cli.command`: some subcommand was given.
            let all: Vec<String> =
                self.prog.clap.iter().filter(|t| !t.type_name.is_empty()).flat_map(|t| t.tokens.clone()).collect();
            let t = self.child.has_subcommand(&all);
            self.tested.extend(all);
            return t;
        }
        let tokens = entry.map_or_else(|| vec![format!("--{}", kebab(field))], |e| e.tokens.clone());
        self.tested.extend(tokens.iter().cloned());
        let given = tokens.iter().fold(Truth::False, |acc, t| acc.or(self.child.has_flag(t)));
        match entry.and_then(|e| e.env.as_deref()) {
            Some(key) => given.or(self.env_flag(key)),
            None => given,
        }
    }

    /// A flag clap also reads from env var `key` (`#[arg(env = "K")]`):
    /// set by a value clap takes for true (a bool flag's falsey values
    /// are `0`, `false`, `no`, `off`, `n`, `f` and the empty string).
    fn env_flag(&mut self, key: &str) -> Truth {
        self.tested.push(key.to_string());
        let present = self.child.env_present(Some(key));
        let falsey = ["0", "false", "no", "off", "n", "f", ""];
        match falsey.iter().map(|f| self.child.env_equals(Some(key), f)).find(|t| *t != Truth::False) {
            Some(Truth::True) => Truth::False,
            Some(_) if present == Truth::True => Truth::Unknown,
            _ => present,
        }
    }

    /// `Commands::Worker { .. }`: the clap subcommand selected by argv.
    pub(super) fn variant(&mut self, path: &[Name], val: &Val) -> Truth {
        let Some(name) = path.last() else { return self.opaque(val) };
        if let Val::Variant(v) = val {
            return Truth::from_bool(v == name);
        }
        if let Val::OneOf(all) = val {
            return self.alike(all, |c, v| c.variant(path, v));
        }
        if let Val::ClapNested(ty, depth) = val {
            return self.nested_variant(ty, *depth, name);
        }
        let entry = self.prog.clap.iter().find(|t| t.subcommand && &t.member == name && !t.tokens.is_empty());
        match (entry, val) {
            (Some(entry), Val::ClapField(..) | Val::Clap(_)) => {
                self.tested.extend(entry.tokens.iter().cloned());
                self.child.subcommand_is(&entry.tokens)
            }
            _ => self.opaque(val),
        }
    }

    /// A variant of the subcommand enum `ty` that lies `depth` subcommands
    /// deep: the child's positional at that depth names it. Several enums
    /// may share the last name `ty`; a variant none of them names is not
    /// known, never "the same as the parent".
    fn nested_variant(&mut self, ty: &str, depth: usize, name: &str) -> Truth {
        let tokens: Vec<String> = self
            .prog
            .clap
            .iter()
            .filter(|t| t.subcommand && t.type_name == ty && t.member == name)
            .flat_map(|t| t.tokens.clone())
            .collect();
        if tokens.is_empty() {
            return Truth::Unknown;
        }
        self.tested.extend(tokens.iter().cloned());
        self.child.subcommand_at(depth, &tokens)
    }

    /// A clap-routed value matched against a variant that has no tokens of
    /// its own but a payload enum whose variants do (`#[command(flatten)]`).
    pub(super) fn is_flattened(&self, path: &[Name], val: &Val) -> bool {
        matches!(val, Val::ClapField(..) | Val::Clap(_))
            && path.last().is_some_and(|name| !self.prog.clap.iter().any(|t| t.subcommand && &t.member == name))
            && self.flattened_type(path).is_some()
    }

    /// The payload type of a flattened variant, when clap tokens name its variants.
    fn flattened_type(&self, path: &[Name]) -> Option<String> {
        let key = path.iter().rev().take(2).rev().cloned().collect::<Vec<_>>().join("::");
        let ty = self.prog.payload_type(&key, "0").or_else(|| self.prog.payload_type(path.last()?, "0"))?;
        self.prog.clap_names.is_subcommand_type(ty).then(|| ty.to_string())
    }

    /// Any variant of a flattened payload enum was selected.
    pub(super) fn flattened_any(&mut self, path: &[Name]) -> Truth {
        let Some(ty) = self.flattened_type(path) else { return Truth::Unknown };
        let tokens: Vec<String> = self
            .prog
            .clap
            .iter()
            .filter(|t| t.subcommand && t.type_name == ty)
            .flat_map(|t| t.tokens.clone())
            .collect();
        self.tested.extend(tokens.iter().cloned());
        self.child.subcommand_is(&tokens)
    }
}

//! The names in a program's clap and bpaf tokens, looked up by name
//! (issue 18): the evaluation asks at every call of code it does not read
//! whether the path names a parsed type (`Cli::parse`) or a bpaf parser
//! (`cli_command()`). Scanning the token list for each answer was 7% of
//! jj's check, whose CLI derives several thousand tokens.

use super::ir::ClapToken;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Built once per token list: the library's, shared by the binaries that
/// link it, and a binary's own when its crate adds tokens.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClapNames {
    /// Every type the tokens belong to.
    types: HashSet<String>,
    /// Types with a subcommand entry.
    subcommand_types: HashSet<String>,
    /// bpaf's generated parser function -> its type; the first entry
    /// naming a parser wins, as in the token list's order.
    parsers: HashMap<String, String>,
    /// Types with an entry naming a parser.
    parsed_types: HashSet<String>,
}

impl ClapNames {
    pub(crate) fn of(tokens: &[ClapToken]) -> ClapNames {
        let mut names = ClapNames::default();
        for t in tokens {
            if !names.types.contains(&t.type_name) {
                names.types.insert(t.type_name.clone());
            }
            if t.subcommand && !names.subcommand_types.contains(&t.type_name) {
                names.subcommand_types.insert(t.type_name.clone());
            }
            if let Some(parser) = &t.parser {
                names.parsers.entry(parser.clone()).or_insert_with(|| t.type_name.clone());
                names.parsed_types.insert(t.type_name.clone());
            }
        }
        names
    }

    /// Whether some token belongs to type `ty`.
    pub(crate) fn is_type(&self, ty: &str) -> bool {
        self.types.contains(ty)
    }

    /// Whether type `ty` has a subcommand entry.
    pub(crate) fn is_subcommand_type(&self, ty: &str) -> bool {
        self.subcommand_types.contains(ty)
    }

    /// The type whose bpaf parser function is named `name`.
    pub(crate) fn parser_type(&self, name: &str) -> Option<&str> {
        self.parsers.get(name).map(String::as_str)
    }

    /// Whether type `ty` has a bpaf parser function.
    pub(crate) fn has_parser(&self, ty: &str) -> bool {
        self.parsed_types.contains(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::{ClapNames, ClapToken};

    fn token(ty: &str, subcommand: bool, parser: Option<&str>) -> ClapToken {
        ClapToken {
            type_name: ty.into(),
            member: String::new(),
            tokens: Vec::new(),
            subcommand,
            env: None,
            parser: parser.map(Into::into),
        }
    }

    #[test]
    fn answers_as_a_scan_of_the_tokens_would() {
        let tokens = [
            token("Cli", false, None),
            token("Cmd", true, None),
            token("Opts", false, Some("opts")),
            token("Other", false, Some("opts")),
        ];
        let names = ClapNames::of(&tokens);
        for ty in ["Cli", "Cmd", "Opts", "Other", "Missing"] {
            assert_eq!(names.is_type(ty), tokens.iter().any(|t| t.type_name == ty), "{ty}");
            assert_eq!(names.is_subcommand_type(ty), tokens.iter().any(|t| t.subcommand && t.type_name == ty));
            assert_eq!(names.has_parser(ty), tokens.iter().any(|t| t.type_name == ty && t.parser.is_some()));
        }
        assert_eq!(names.parser_type("opts"), Some("Opts"), "the first entry wins");
        assert_eq!(names.parser_type("cli"), None);
    }
}

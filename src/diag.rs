//! The shared vocabulary of findings: [`Code`], [`Level`], [`Location`] and
//! [`Diagnostic`]. Rooms produce these, `report` renders them. No I/O here.

use serde::Serialize;
use std::path::PathBuf;

/// How seriously a finding is taken. `Deny` findings make the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $level:ident, $desc:literal;)*) => {
        /// Stable kebab-case identifiers of every finding; README documents each.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn default_level(self) -> Level {
                match self { $(Code::$variant => Level::$level,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $desc,)* }
            }
        }
    };
}

codes! {
    UnguardedSelfSpawn = "unguarded-self-spawn", Deny,
        "the binary spawns itself and the child can reach the same spawn site again (a spawn storm)";
    MarkerMismatch = "marker-mismatch", Deny,
        "the spawn site marks the child with one env var or argument but the guard tests another";
    LateGuard = "late-guard", Warn,
        "the guard works, but work that must not run twice happens before it, in every child too";
    Argv0SelfSpawn = "argv0-self-spawn", Warn,
        "the binary re-executes argv[0], which may be relative, a symlink or a one-file launcher";
    RuntimeBeforeGuard = "runtime-before-guard", Warn,
        "an async runtime starts before the guard runs, so every child starts one too";
    UndecidedSelfSpawn = "undecided-self-spawn", Warn,
        "the binary spawns itself but the static check cannot decide whether the child is guarded";
    ParseError = "parse-error", Warn,
        "a source file could not be read or parsed; the rest of the crate is still analysed";
}

impl Code {
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One of the stable kebab-case names.
impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({ "type": "string", "enum": names })
    }
}

/// A place in a source file. `file` is relative to the workspace root;
/// `line` and `column` are 1-based; `span` is a byte range into the file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub span: (u32, u32),
}

/// A secondary place that explains a finding ("the guard is here").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub location: Location,
    pub message: String,
}

/// One finding. Rooms push these into a list; only `report` renders them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub level: Level,
    pub message: String,
    pub location: Location,
    /// What the primary location is (rendered under the caret).
    pub label: String,
    pub notes: Vec<Label>,
    pub help: Option<String>,
    /// `package/bin` this finding belongs to, if any.
    pub binary: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>, location: Location) -> Diagnostic {
        Diagnostic {
            code,
            level: code.default_level(),
            message: message.into(),
            location,
            label: String::new(),
            notes: Vec::new(),
            help: None,
            binary: None,
        }
    }

    pub fn label(mut self, text: impl Into<String>) -> Diagnostic {
        self.label = text.into();
        self
    }

    pub fn note(mut self, location: Location, message: impl Into<String>) -> Diagnostic {
        self.notes.push(Label { location, message: message.into() });
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }
}

/// A path as the reports show it: `/`-separated on every platform.
pub fn slash_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{name}");
            assert_eq!(Code::parse(name), Some(*code));
            assert!(!code.description().is_empty());
        }
    }
}

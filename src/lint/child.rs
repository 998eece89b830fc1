//! The child a spawn site starts (its argv and env) and how the guard's
//! conditions evaluate in it: "started with this argv and env, does this
//! branch run?"

use super::value::{Marker, Truth, Via};

/// An argv position in the child.
#[derive(Debug, PartialEq)]
enum Arg<'m> {
    Lit(&'m str),
    /// Present, but not a literal.
    Dynamic,
    /// Not passed.
    Absent,
    /// Whatever the parent had (forwarded arguments, unchanged `argv[0]`).
    Inherited,
}

pub(crate) struct Child<'m> {
    pub marker: &'m Marker,
    /// The self-spawning library that started it, if any.
    pub lib: Option<Via>,
}

impl Child<'_> {
    pub(super) fn env_present(&self, key: Option<&str>) -> Truth {
        let Some(key) = key else {
            return if self.marker.env.is_empty() { Truth::Same } else { Truth::Unknown };
        };
        if self.marker.env.iter().any(|(k, _)| k.as_deref() == Some(key)) {
            return Truth::True;
        }
        if self.marker.env.iter().any(|(k, _)| k.is_none()) {
            return Truth::Unknown;
        }
        if self.marker.env_clear || self.marker.env_removed.iter().any(|k| k == key) {
            return Truth::False;
        }
        Truth::Same
    }

    pub(super) fn env_equals(&self, key: Option<&str>, value: &str) -> Truth {
        match self.marker.env.iter().find(|(k, _)| key.is_some() && k.as_deref() == key) {
            Some((_, Some(v))) => Truth::from_bool(v == value),
            Some((_, None)) => Truth::Unknown,
            None => self.env_present(key),
        }
    }

    /// `stream().is_terminal()` in the child: the parent's answer unless
    /// the spawn redirected that stream; a redirect to a null device or a
    /// pipe is surely not a terminal, any other target might be one.
    pub fn stream_is_terminal(&self, stream: &str) -> Truth {
        match self.marker.stdio.iter().rev().find(|(s, _)| s == stream) {
            None => Truth::Same,
            Some((_, true)) => Truth::False,
            Some((_, false)) => Truth::Unknown,
        }
    }

    fn arg(&self, index: usize) -> Arg<'_> {
        if index == 0 {
            return match &self.marker.arg0 {
                Some(Some(s)) => Arg::Lit(s),
                Some(None) => Arg::Dynamic,
                None => Arg::Inherited,
            };
        }
        match self.marker.args.get(index - 1) {
            Some(Some(s)) => Arg::Lit(s),
            Some(None) => Arg::Dynamic,
            None if self.marker.unknown_args => Arg::Dynamic,
            None if self.marker.forwards_args => Arg::Inherited,
            None => Arg::Absent,
        }
    }

    /// `argv[index] == value`.
    pub(super) fn arg_equals(&self, index: usize, value: &str) -> Truth {
        match self.arg(index) {
            Arg::Lit(s) => Truth::from_bool(s == value),
            Arg::Dynamic => Truth::Unknown,
            Arg::Absent => Truth::False,
            Arg::Inherited => Truth::Same,
        }
    }

    /// `argv.len() > index`.
    pub(super) fn arg_present(&self, index: usize) -> Truth {
        match self.arg(index) {
            Arg::Lit(_) => Truth::True,
            Arg::Dynamic if self.marker.args.len() >= index => Truth::True,
            Arg::Dynamic => Truth::Unknown,
            Arg::Absent => Truth::False,
            Arg::Inherited => Truth::Same,
        }
    }

    /// What of the child's argv and env is not known statically, in words
    /// (`None` when everything at the spawn site is a literal).
    pub(super) fn unknown_parts(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.marker.unknown_args {
            parts.push("its arguments include a list built at run time".to_string());
        }
        let dynamic: Vec<String> = self
            .marker
            .args
            .iter()
            .enumerate()
            .filter(|(i, a)| a.is_none() && !flag_before(&self.marker.args, *i))
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if !dynamic.is_empty() {
            parts.push(format!("its argument {} is not a literal at the spawn site", dynamic.join(", ")));
        }
        if self.marker.appended.contains(&None) {
            parts.push("an argument appended to the parent's is not a literal".to_string());
        }
        for (key, value) in &self.marker.env {
            match (key, value) {
                (None, _) => parts.push("an env var it gets has a name computed at run time".to_string()),
                (Some(k), None) => parts.push(format!("the value of its env var `{k}` is not a literal")),
                _ => {}
            }
        }
        if self.marker.arg0 == Some(None) {
            parts.push("its argv[0] is not a literal".to_string());
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The number of argv items, when known.
    pub(super) fn argc(&self) -> Option<usize> {
        (!self.marker.unknown_args && !self.marker.forwards_args).then(|| self.marker.args.len() + 1)
    }

    /// Some argument equals `token` (or starts with it, for `prefix`);
    /// `--flag=value` counts as `--flag`.
    pub(super) fn has_token(&self, token: &str, prefix: bool) -> Truth {
        let hit = self.marker.args.iter().chain(&self.marker.appended).flatten().any(|a| {
            a == token
                || (prefix && a.starts_with(token))
                || (token.starts_with("--") && a.starts_with(&format!("{token}=")))
        });
        if hit {
            Truth::True
        } else if self.marker.unknown_args || self.free_dynamic_arg() || self.marker.appended.contains(&None) {
            Truth::Unknown
        } else if self.marker.forwards_args {
            Truth::Same
        } else {
            Truth::False
        }
    }

    /// A dynamic argument that is not the value of the flag before it
    /// (`.arg("--server").arg(&path)`: `path` is a value, not a flag).
    fn free_dynamic_arg(&self) -> bool {
        let args = &self.marker.args;
        args.iter().enumerate().any(|(i, a)| a.is_none() && !flag_before(args, i))
    }

    /// The first argument that is not a flag is one of `tokens` (clap
    /// subcommand selection).
    pub(super) fn subcommand_is(&self, tokens: &[String]) -> Truth {
        self.subcommand_at(0, tokens)
    }

    /// The argument that is not a flag at position `depth` among those
    /// (a nested subcommand: `share start` has `start` at depth 1) is one
    /// of `tokens`.
    pub(super) fn subcommand_at(&self, depth: usize, tokens: &[String]) -> Truth {
        let mut seen = 0;
        for (i, arg) in self.marker.args.iter().enumerate() {
            match arg {
                Some(a) if a.starts_with('-') => continue,
                Some(_) if seen < depth => seen += 1,
                Some(a) => return Truth::from_bool(tokens.iter().any(|t| t == a)),
                None if flag_before(&self.marker.args, i) => continue,
                None => return Truth::Unknown,
            }
        }
        if self.marker.unknown_args {
            Truth::Unknown
        } else if self.marker.forwards_args {
            Truth::Same
        } else {
            Truth::False
        }
    }
}

/// Whether argument `i` follows a literal `--flag` (so it is that flag's value).
fn flag_before(args: &[Option<String>], i: usize) -> bool {
    i > 0 && args[i - 1].as_deref().is_some_and(|f| f.starts_with('-') && !f.contains('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(args: &[&str], env: &[(&str, &str)]) -> Marker {
        Marker {
            args: args.iter().map(|a| Some(a.to_string())).collect(),
            env: env.iter().map(|(k, v)| (Some(k.to_string()), Some(v.to_string()))).collect(),
            ..Marker::default()
        }
    }

    #[test]
    fn env_tests() {
        let m = marker(&[], &[("W", "1")]);
        let child = Child { marker: &m, lib: None };
        assert_eq!(child.env_present(Some("W")), Truth::True);
        assert_eq!(child.env_present(Some("X")), Truth::Same);
        assert_eq!(child.env_equals(Some("W"), "1"), Truth::True);
        assert_eq!(child.env_equals(Some("W"), "2"), Truth::False);
    }

    #[test]
    fn argv_tests() {
        let m = marker(&["--verbose", "worker"], &[]);
        let child = Child { marker: &m, lib: None };
        assert_eq!(child.arg_equals(2, "worker"), Truth::True);
        assert_eq!(child.arg_equals(3, "x"), Truth::False);
        assert_eq!(child.has_token("--spawn", false), Truth::False);
        assert_eq!(child.subcommand_is(&["worker".into()]), Truth::True);
        let mut forwarded = m.clone();
        forwarded.forwards_args = true;
        let child = Child { marker: &forwarded, lib: None };
        assert_eq!(child.has_token("--spawn", false), Truth::Same);
    }

    #[test]
    fn nested_subcommands_by_depth() {
        let m = marker(&["--quiet", "share", "start", "--active"], &[]);
        let child = Child { marker: &m, lib: None };
        assert_eq!(child.subcommand_at(0, &["share".into()]), Truth::True);
        assert_eq!(child.subcommand_at(1, &["start".into()]), Truth::True);
        assert_eq!(child.subcommand_at(1, &["share".into()]), Truth::False);
        assert_eq!(child.subcommand_at(2, &["start".into()]), Truth::False);
        let mut dynamic = m.clone();
        dynamic.args[2] = None;
        let child = Child { marker: &dynamic, lib: None };
        assert_eq!(child.subcommand_at(1, &["start".into()]), Truth::Unknown);
    }
}

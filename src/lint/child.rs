//! The child a spawn site starts (its argv and env) and how the guard's
//! conditions evaluate in it: "started with this argv and env, does this
//! branch run?"

use super::text::TextTest;
use super::value::{Marker, Origin, Truth, Via};
use std::cell::Cell;
use std::path::Path;

/// An argv position in the child.
#[derive(Debug, PartialEq)]
enum Arg<'m> {
    Lit(&'m str),
    /// Present, but not a literal.
    Dynamic,
    /// Not passed.
    Absent,
    /// Whatever the parent had (forwarded arguments, `argv[0]` when the
    /// parent's own `argv[0]` names the program).
    Inherited,
    /// The path of rustc: `argv[1]` of a rustc wrapper cargo runs (its
    /// file name is `rustc`; the directory is not known).
    RustcPath,
    /// The path of the executable cargo built: `argv[1]` of a runner
    /// (`CARGO_TARGET_<TRIPLE>_RUNNER`), in the target directory.
    BuiltPath,
    /// `argv[0]` when the program is named by `current_exe()` (or
    /// `/proc/self/exe`, or a library's choice): the executable's path. Its
    /// file name is not the name the parent was started by when that was a
    /// symlink (Linux resolves it), but is on a hard link or a renamed copy.
    ExePath,
}

pub(crate) struct Child<'m> {
    pub marker: &'m Marker,
    /// The self-spawning library that started it, if any.
    pub lib: Option<Via>,
    /// How the site names the program: sets the child's `argv[0]`.
    pub origin: Origin,
    /// A condition asked about an `argv[0]` the check could not know.
    pub asked_exe_path: Cell<bool>,
    /// For a spawn that forwards the parent's arguments and then appends a
    /// positional one ([`Child::splits`]): whether the parent is taken to
    /// have had a subcommand of its own (the site is walked both ways).
    pub parent_had_subcommand: bool,
}

impl<'m> Child<'m> {
    pub(crate) fn new(marker: &'m Marker, lib: Option<Via>, origin: Origin) -> Self {
        Child { marker, lib, origin, asked_exe_path: Cell::new(false), parent_had_subcommand: false }
    }

    /// Whether the child's subcommand depends on the parent's: it gets the
    /// parent's arguments and then a positional one, which is its
    /// subcommand only when the parent had none.
    pub(crate) fn splits(&self) -> bool {
        self.marker.forwards_args && self.appended_positional().is_some()
    }

    fn appended_positional(&self) -> Option<&Option<String>> {
        self.marker.appended.iter().find(|a| !a.as_deref().is_some_and(|s| s.starts_with('-')))
    }

    pub(super) fn env_present(&self, key: Option<&str>) -> Truth {
        let Some(key) = key else {
            return if self.marker.env.is_empty() && self.marker.maybe_env.is_empty() {
                Truth::Same
            } else {
                Truth::Unknown
            };
        };
        if self.marker.maybe_env.iter().any(|k| k == key) {
            return Truth::Unknown;
        }
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
        self.env_test(key, |v| v == value)
    }

    /// `test` of env var `key`'s value in the child (`== "1"`,
    /// `starts_with("worker")`).
    pub(super) fn env_test(&self, key: Option<&str>, test: impl Fn(&str) -> bool) -> Truth {
        // Set unconditionally, then maybe changed or removed in a branch.
        if key.is_some_and(|k| self.marker.maybe_env.iter().any(|m| m == k)) {
            return Truth::Unknown;
        }
        match self.marker.env.iter().find(|(k, _)| key.is_some() && k.as_deref() == key) {
            Some((_, Some(v))) => Truth::from_bool(test(v)),
            Some((_, None)) => Truth::Unknown,
            None => self.env_present(key),
        }
    }

    /// Whether the child gets anything its parent did not have: an env
    /// var set or removed, an argument, an `argv[0]`, another program or a
    /// launcher that runs it. A spawn with none gives code the check does
    /// not read the parent's inputs again.
    pub(super) fn gets_marker(&self) -> bool {
        let m = self.marker;
        !m.is_empty()
            || !m.appended.is_empty()
            || !m.env_removed.is_empty()
            || m.env_clear
            || m.run_by.is_some()
            || m.launcher.is_some()
            || self.lib.is_some()
    }

    /// The child's marker (an env var's name or an argument) that is named
    /// after crate `krate` (`WORKERLIB_ROLE`, `--workerlib-child` for
    /// `workerlib`): a library's own marker, which that library tests.
    pub(super) fn marker_named_after(&self, krate: &str) -> Option<String> {
        let squash = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
        let krate = squash(krate);
        if krate.len() < 4 {
            return None;
        }
        let m = self.marker;
        let keys = m.env.iter().filter_map(|(k, _)| k.as_deref()).chain(m.maybe_env.iter().map(String::as_str));
        let args = m.args.iter().chain(&m.appended).chain(&m.maybe_args).flatten().map(String::as_str);
        keys.chain(args).find(|name| squash(name).contains(&krate)).map(str::to_string)
    }

    /// Whether the child's argv is its parent's, item for item.
    pub(super) fn same_argv(&self) -> bool {
        let m = self.marker;
        m.forwards_args && m.args.is_empty() && m.appended.is_empty() && m.maybe_args.is_empty() && m.arg0.is_none()
    }

    /// Whether the child is root: surely when a launcher elevated it
    /// (`sudo`), otherwise as its parent.
    pub(super) fn is_root(&self) -> Truth {
        if self.marker.root { Truth::True } else { Truth::Same }
    }

    /// `stream().is_terminal()` in the child: the parent's answer unless
    /// the spawn redirected that stream; a redirect to a null device or a
    /// pipe is surely not a terminal, any other target might be one.
    pub(super) fn stream_is_terminal(&self, stream: &str) -> Truth {
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
                None if self.origin == Origin::Argv0 => Arg::Inherited,
                None => Arg::ExePath,
            };
        }
        if index == 1 && self.marker.run_by.as_deref().is_some_and(super::other::passes_rustc) {
            return Arg::RustcPath;
        }
        if index == 1 && self.marker.run_by.as_deref().is_some_and(super::other::passes_executable) {
            return Arg::BuiltPath;
        }
        if !self.marker.maybe_args.is_empty() {
            // A flag that may come first moves every position.
            return Arg::Dynamic;
        }
        if self.marker.unknown_from.is_some_and(|from| index > from) {
            return Arg::Dynamic;
        }
        match self.marker.args.get(index - 1) {
            Some(Some(s)) => Arg::Lit(s),
            Some(None) => Arg::Dynamic,
            None if self.marker.unknown_args => Arg::Dynamic,
            // The parent's arguments shifted by the literal ones before
            // them: the same position holds another argument.
            None if self.marker.forwards_args && !self.marker.args.is_empty() => Arg::Dynamic,
            None if self.marker.forwards_args => Arg::Inherited,
            None => Arg::Absent,
        }
    }

    /// `argv[index] == value`.
    pub(super) fn arg_equals(&self, index: usize, value: &str) -> Truth {
        self.arg_test(index, |s| s == value)
    }

    /// `test` of the file name (`stem`: without its extension) of
    /// `argv[index]` (`ends_with("-worker")`).
    pub(super) fn name_test(&self, index: usize, stem: bool, test: impl Fn(&str) -> bool) -> Truth {
        self.arg_test(index, |s| {
            let path = Path::new(s);
            let name = if stem { path.file_stem() } else { path.file_name() };
            name.and_then(|n| n.to_str()).is_some_and(&test)
        })
    }

    /// Any function of `argv[index]`: the parent's answer when the child
    /// inherits it, unknown otherwise.
    pub(super) fn arg_opaque(&self, index: usize) -> Truth {
        match self.arg(index) {
            Arg::Inherited => Truth::Same,
            Arg::ExePath => {
                self.asked_exe_path.set(true);
                Truth::Unknown
            }
            _ => Truth::Unknown,
        }
    }

    /// `test` of `argv[index]` (`starts_with("--worker=")`).
    pub(super) fn arg_test(&self, index: usize, test: impl Fn(&str) -> bool) -> Truth {
        match self.arg(index) {
            Arg::Lit(s) => Truth::from_bool(test(s)),
            Arg::Dynamic => Truth::Unknown,
            Arg::ExePath => {
                self.asked_exe_path.set(true);
                Truth::Unknown
            }
            Arg::Absent => Truth::False,
            Arg::Inherited => Truth::Same,
            // What the test says of a bare `rustc` and of one in a
            // toolchain directory: `== "auditable"` is false for both,
            // `== "rustc"` depends on which cargo passes.
            Arg::RustcPath => match (test("rustc"), test("/toolchain/bin/rustc")) {
                (true, true) => Truth::True,
                (false, false) => Truth::False,
                _ => Truth::Unknown,
            },
            // Likewise of what `cargo run` and `cargo test` pass.
            Arg::BuiltPath => match (test("target/debug/app"), test("/src/target/debug/deps/app-0123456789abcdef")) {
                (true, true) => Truth::True,
                (false, false) => Truth::False,
                _ => Truth::Unknown,
            },
        }
    }

    /// `argv.len() > index`.
    pub(super) fn arg_present(&self, index: usize) -> Truth {
        match self.arg(index) {
            Arg::Lit(_) | Arg::RustcPath | Arg::BuiltPath => Truth::True,
            Arg::Dynamic | Arg::ExePath if self.marker.args.len() >= index => Truth::True,
            Arg::Dynamic | Arg::ExePath => Truth::Unknown,
            Arg::Absent => Truth::False,
            Arg::Inherited => Truth::Same,
        }
    }

    /// What of the child's argv and env is not known statically, in words
    /// (`None` when everything at the spawn site is a literal).
    pub(super) fn unknown_parts(&self) -> Option<String> {
        let mut parts = Vec::new();
        let run_by = self.marker.run_by.as_deref();
        match run_by {
            Some(var) => parts.push(format!("its arguments are the ones the program that runs it as `{var}` passes")),
            None if self.marker.unknown_args => {
                parts.push("its arguments include a list built at run time".to_string());
            }
            None => {}
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
        let flags: Vec<&str> = self.marker.maybe_args.iter().flatten().map(String::as_str).collect();
        if !flags.is_empty() {
            parts.push(format!("it gets `{}` only in a branch that may not run", flags.join(" ")));
        }
        for key in &self.marker.maybe_env {
            parts.push(format!("its env var `{key}` is set or removed only in a branch that may not run"));
        }
        for (key, value) in &self.marker.env {
            match (key, value) {
                (None, _) => parts.push("an env var it gets has a name computed at run time".to_string()),
                (Some(k), None) if Some(k.as_str()) != run_by => {
                    parts.push(format!("the value of its env var `{k}` is not a literal"));
                }
                _ => {}
            }
        }
        if self.marker.root {
            parts.push(
                "it runs as root, and a user id is read only in `== 0`, `!= 0` and `is_root()` tests".to_string(),
            );
        }
        if self.marker.arg0 == Some(None) {
            parts.push("its argv[0] is not a literal".to_string());
        }
        if self.asked_exe_path.get() {
            parts.push(
                "its argv[0] is the path of the executable, whose file name is the installed file's, \
                 not necessarily the name the parent was started by"
                    .to_string(),
            );
        }
        // Several env vars with computed names say so once.
        let mut said = Vec::new();
        parts.retain(|p| {
            !said.contains(p) && {
                said.push(p.clone());
                true
            }
        });
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The number of argv items, when known.
    pub(super) fn argc(&self) -> Option<usize> {
        let known = !self.marker.unknown_args && !self.marker.forwards_args && self.marker.maybe_args.is_empty();
        known.then(|| self.marker.args.len() + 1)
    }

    /// Some argument passes `test` against `token` (`==`, a prefix, ..).
    pub(super) fn has_token(&self, token: &str, test: TextTest) -> Truth {
        self.has_arg(|a| test.holds(a, token))
    }

    /// Whether the child gets the option `flag` as a parser reads it: the
    /// token itself, or `--flag=value`.
    pub(super) fn has_flag(&self, flag: &str) -> Truth {
        self.has_arg(|a| a == flag || (flag.starts_with("--") && a.starts_with(&format!("{flag}="))))
    }

    fn has_arg(&self, is: impl Fn(&String) -> bool) -> Truth {
        let hit = self.marker.args.iter().chain(&self.marker.appended).flatten().any(&is);
        let maybe = self.marker.maybe_args.iter().flatten().any(&is);
        if hit {
            Truth::True
        } else if maybe || self.marker.unknown_args || self.free_dynamic_arg() || self.marker.appended.contains(&None) {
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
        self.subcommand_test(depth, tokens, false)
    }

    /// Some subcommand (one of `all`) is given.
    pub(super) fn has_subcommand(&self, all: &[String]) -> Truth {
        self.subcommand_test(0, all, true)
    }

    fn subcommand_test(&self, depth: usize, tokens: &[String], any: bool) -> Truth {
        let mut seen = 0;
        let before_unknown = self.marker.unknown_from.unwrap_or(usize::MAX);
        for (i, arg) in self.marker.args.iter().enumerate().take(before_unknown) {
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
            self.after_forwarded(depth - seen, tokens, any)
        } else {
            Truth::False
        }
    }

    /// The subcommand test on a child given the parent's arguments and then
    /// `appended` (`.args(env::args().skip(1)).arg("daemon")`), `rest`
    /// positionals past the literal ones: the parent's subcommand when it
    /// had one (so some subcommand is given), else the positionals appended.
    fn after_forwarded(&self, rest: usize, tokens: &[String], any: bool) -> Truth {
        if self.appended_positional().is_none() {
            return Truth::Same;
        }
        if self.parent_had_subcommand {
            return if any && rest == 0 { Truth::True } else { Truth::Same };
        }
        let mut positionals = self.marker.appended.iter().filter(|a| !a.as_deref().is_some_and(|s| s.starts_with('-')));
        match positionals.nth(rest) {
            Some(Some(p)) => Truth::from_bool(tokens.contains(p)),
            Some(None) => Truth::Unknown,
            None => Truth::False,
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
        let child = Child::new(&m, None, Origin::CurrentExe);
        assert_eq!(child.env_present(Some("W")), Truth::True);
        assert_eq!(child.env_present(Some("X")), Truth::Same);
        assert_eq!(child.env_equals(Some("W"), "1"), Truth::True);
        assert_eq!(child.env_equals(Some("W"), "2"), Truth::False);
        assert_eq!(child.env_test(Some("W"), |v| v.starts_with('1')), Truth::True);
    }

    #[test]
    fn argv_tests() {
        let m = marker(&["--verbose", "worker"], &[]);
        let child = Child::new(&m, None, Origin::CurrentExe);
        assert_eq!(child.arg_equals(2, "worker"), Truth::True);
        assert_eq!(child.arg_equals(3, "x"), Truth::False);
        assert_eq!(child.has_token("--spawn", TextTest::Exact), Truth::False);
        assert_eq!(child.subcommand_is(&["worker".into()]), Truth::True);
        let mut forwarded = m.clone();
        forwarded.forwards_args = true;
        let child = Child::new(&forwarded, None, Origin::CurrentExe);
        assert_eq!(child.has_token("--spawn", TextTest::Exact), Truth::Same);
        // `.args(["--verbose", "worker"]).args(env::args().skip(1))`: the
        // parent's argv[3] is the child's argv[5], not its argv[3].
        assert_eq!(child.arg_equals(3, "x"), Truth::Unknown);
        let mut only = marker(&[], &[]);
        only.forwards_args = true;
        let child = Child::new(&only, None, Origin::CurrentExe);
        assert_eq!(child.arg_equals(3, "x"), Truth::Same);
    }

    #[test]
    fn a_marker_named_after_a_crate() {
        let m = marker(&["--workerlib-child"], &[("APP_ROLE", "w")]);
        let child = Child::new(&m, None, Origin::CurrentExe);
        assert_eq!(child.marker_named_after("workerlib").as_deref(), Some("--workerlib-child"));
        assert_eq!(child.marker_named_after("app"), None, "names under 4 letters match too much");
        assert_eq!(child.marker_named_after("env_logger"), None);
        let m = marker(&[], &[("WORKER_LIB_ROLE", "w")]);
        let child = Child::new(&m, None, Origin::CurrentExe);
        assert_eq!(child.marker_named_after("worker-lib").as_deref(), Some("WORKER_LIB_ROLE"));
        assert!(child.gets_marker());
        assert!(!Child::new(&marker(&[], &[]), None, Origin::CurrentExe).gets_marker());
    }

    #[test]
    fn unknown_parts_are_named_once() {
        let mut m = marker(&["--job"], &[]);
        m.env = vec![(None, None), (Some("K".into()), None), (None, None)];
        let child = Child::new(&m, None, Origin::CurrentExe);
        let parts = child.unknown_parts().expect("parts");
        assert_eq!(parts.matches("computed at run time").count(), 1, "{parts}");
        assert!(parts.contains("`K`"), "{parts}");
    }

    #[test]
    fn argv0_of_an_exe_path_child() {
        let m = marker(&[], &[]);
        let exe = Child::new(&m, None, Origin::CurrentExe);
        assert_eq!(exe.name_test(0, false, |n| n == "tool"), Truth::Unknown);
        assert!(exe.unknown_parts().is_some_and(|p| p.contains("path of the executable")));
        let inherited = Child::new(&m, None, Origin::Argv0);
        assert_eq!(inherited.name_test(0, false, |n| n == "tool"), Truth::Same);
        let mut named = m.clone();
        named.arg0 = Some(Some("/usr/bin/tool.exe".into()));
        let named = Child::new(&named, None, Origin::CurrentExe);
        assert_eq!(named.name_test(0, false, |n| n == "tool.exe"), Truth::True);
        assert_eq!(named.name_test(0, true, |n| n == "tool"), Truth::True);
        assert_eq!(named.name_test(0, false, |n| n == "tool"), Truth::False);
    }

    #[test]
    fn a_subcommand_appended_after_forwarded_args() {
        let mut m = marker(&[], &[]);
        m.forwards_args = true;
        m.appended = vec![Some("--quiet".into()), Some("daemon".into())];
        let all = ["daemon".to_string(), "status".to_string()];
        let mut child = Child::new(&m, None, Origin::CurrentExe);
        assert!(child.splits());
        // The parent had no subcommand: the child's is `daemon`.
        assert_eq!(child.has_subcommand(&all), Truth::True);
        assert_eq!(child.subcommand_is(&["daemon".into()]), Truth::True);
        assert_eq!(child.subcommand_is(&["status".into()]), Truth::False);
        // The parent had one: the child's is the same.
        child.parent_had_subcommand = true;
        assert_eq!(child.has_subcommand(&all), Truth::True);
        assert_eq!(child.subcommand_is(&["status".into()]), Truth::Same);
    }

    #[test]
    fn nested_subcommands_by_depth() {
        let m = marker(&["--quiet", "share", "start", "--active"], &[]);
        let child = Child::new(&m, None, Origin::CurrentExe);
        assert_eq!(child.subcommand_at(0, &["share".into()]), Truth::True);
        assert_eq!(child.subcommand_at(1, &["start".into()]), Truth::True);
        assert_eq!(child.subcommand_at(1, &["share".into()]), Truth::False);
        assert_eq!(child.subcommand_at(2, &["start".into()]), Truth::False);
        let mut dynamic = m.clone();
        dynamic.args[2] = None;
        let child = Child::new(&dynamic, None, Origin::CurrentExe);
        assert_eq!(child.subcommand_at(1, &["start".into()]), Truth::Unknown);
    }
}

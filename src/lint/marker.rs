//! What a spawn site gives its child: argv, env, streams, and, when
//! another program runs it, that program's part (the env var it was handed
//! in, the launcher and whether it runs the child as root).

use serde::Serialize;

/// The argv and env a spawn site gives its child.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct Marker {
    /// Env vars set: key (None when not a literal) and value.
    pub env: Vec<(Option<String>, Option<String>)>,
    pub env_removed: Vec<String>,
    pub env_clear: bool,
    /// Arguments after `argv[0]`; `None` for values not known statically.
    pub args: Vec<Option<String>>,
    /// Some arguments come from a collection of unknown length.
    pub unknown_args: bool,
    /// How many of `args` come before the first such collection: the
    /// positions of those after it are not known (`.args(extra).arg("--quiet")`
    /// does not make `--quiet` `argv[1]`).
    #[serde(skip)]
    pub unknown_from: Option<usize>,
    /// The parent's own arguments are passed on (`.args(env::args().skip(1))`).
    pub forwards_args: bool,
    /// Arguments after the forwarded ones (`args.push("--wait")` on a
    /// collected argv that is then passed on).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appended: Vec<Option<String>>,
    /// `arg0` override, if any (`Some(None)`: not a literal).
    pub arg0: Option<Option<String>>,
    /// Standard streams the spawn redirects (`stdin`, `stdout`, `stderr`),
    /// and whether the new target is surely not a terminal
    /// (`Stdio::null()`, `Stdio::piped()`): a child that tests
    /// `stdout().is_terminal()` then takes another branch than its parent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stdio: Vec<(String, bool)>,
    /// Flags (and their values) given only in a branch that may not run:
    /// the child may or may not have them, and its positional arguments
    /// may sit after them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub maybe_args: Vec<Option<String>>,
    /// Env vars set or removed only in a branch that may not run: the
    /// child may or may not have them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub maybe_env: Vec<String>,
    /// The env var through which another program runs the executable
    /// (`RUSTC_WRAPPER`): that program chooses the child's arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_by: Option<String>,
    /// The launcher that runs the executable (`sudo`, `systemd-run`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launcher: Option<String>,
    /// The child runs as root (a launcher that elevates: `sudo`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub root: bool,
    /// The `Command` was surely launched (`spawn`, `status`, ...) in the
    /// body that made it: that child got the marker as it was then, and a
    /// builder call after it (`c.spawn(); c.env("W", "1")`) is not its.
    #[serde(skip)]
    pub launched: bool,
}

impl Marker {
    /// Arguments given by `.arg`/`.args`: after the parent's own when those
    /// were forwarded first (`.args(env::args().skip(1)).arg("daemon")`).
    pub(super) fn push_args(&mut self, items: impl IntoIterator<Item = Option<String>>) {
        if self.forwards_args {
            self.appended.extend(items);
        } else {
            self.args.extend(items);
        }
    }

    /// Arguments from a collection of unknown length come next.
    pub(super) fn unknown_list(&mut self) {
        self.unknown_args = true;
        self.unknown_from.get_or_insert(self.args.len());
    }

    pub(super) fn is_empty(&self) -> bool {
        self.env.is_empty()
            && self.maybe_env.is_empty()
            && self.args.is_empty()
            && self.maybe_args.is_empty()
            && !self.unknown_args
            && self.arg0.is_none()
    }

    /// A short human description: `env APP_WORKER=1, args ["--worker"]`.
    pub(super) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(var) = &self.run_by {
            parts.push(format!("run by another program as its `{var}`, with arguments that program chooses"));
        }
        if let Some(launcher) = &self.launcher {
            let user = if self.root { " as root" } else { "" };
            parts.push(format!("run by `{launcher}`{user}"));
        }
        if !self.env.is_empty() {
            let env: Vec<String> = self
                .env
                .iter()
                .map(|(k, v)| format!("{}={}", k.as_deref().unwrap_or("<dynamic>"), v.as_deref().unwrap_or("…")))
                .collect();
            parts.push(format!("env {}", env.join(" ")));
        }
        if !self.maybe_env.is_empty() {
            parts.push(format!("maybe env {}", self.maybe_env.join(" ")));
        }
        if !self.args.is_empty() {
            let args: Vec<String> = self.args.iter().map(|a| a.as_deref().unwrap_or("<dynamic>").to_string()).collect();
            parts.push(format!("args `{}`", args.join(" ")));
        }
        if self.forwards_args {
            parts.push("the parent's own arguments".to_string());
        }
        if !self.appended.is_empty() {
            let args: Vec<&str> = self.appended.iter().map(|a| a.as_deref().unwrap_or("<dynamic>")).collect();
            parts.push(format!("then `{}`", args.join(" ")));
        }
        if !self.maybe_args.is_empty() {
            let args: Vec<&str> = self.maybe_args.iter().map(|a| a.as_deref().unwrap_or("<dynamic>")).collect();
            parts.push(format!("maybe `{}`", args.join(" ")));
        }
        if self.unknown_args && self.run_by.is_none() {
            parts.push("arguments built at run time".to_string());
        }
        if parts.is_empty() { "no marker".to_string() } else { parts.join(", ") }
    }
}

//! Launchers: programs that run the command line after their own options
//! (`sudo <own exe> args`, `systemd-run --unit x <own exe>`, `nohup`,
//! `ssh host <own exe>`). Handed the own executable, they start it with
//! the arguments after it, and with the env and user the launcher gives.

use super::{At, Change, env_changes};
use crate::lint::value::Marker;

/// What a launcher gives the program it runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Launcher {
    /// The caller's env (`env`, `nohup`, `nice`, `timeout`, ...).
    Inherits,
    /// A fresh env (`ssh`: a login on the other machine).
    Clears,
    /// A fresh env and the root user (`sudo`, `doas`, `pkexec`, `run0`);
    /// `sudo -E` / `--preserve-env` keeps the caller's env.
    Elevates,
    /// A fresh env in a systemd unit, which sets `INVOCATION_ID`.
    Systemd,
}

/// The launcher a program is, by its file name.
pub(crate) fn launcher(program: &str) -> Option<Launcher> {
    match program.rsplit('/').next()? {
        "env" | "nohup" | "setsid" | "nice" | "ionice" | "timeout" | "stdbuf" | "taskset" | "chrt" | "time"
        | "xvfb-run" | "unbuffer" => Some(Launcher::Inherits),
        "ssh" => Some(Launcher::Clears),
        "sudo" | "doas" | "pkexec" | "run0" => Some(Launcher::Elevates),
        "systemd-run" => Some(Launcher::Systemd),
        _ => None,
    }
}

/// Positional arguments a launcher takes before the command it runs
/// (`ssh HOST cmd`, `timeout DURATION cmd`, `taskset MASK cmd`).
fn positionals(program: &str) -> usize {
    match program.rsplit('/').next().unwrap_or(program) {
        "ssh" | "timeout" | "taskset" | "chrt" => 1,
        _ => 0,
    }
}

/// Whether the next argument of a launcher whose arguments so far are
/// `before` is the command it runs (`sudo -u root <exe>`), not an argument
/// of another command (`sudo chown root <exe>`). A word right after a bare
/// option may be its value; `K=V` words are env assignments (`sudo env
/// K=V <exe>`), and a launcher's name starts a nested launcher; a word not
/// known statically may be any of these.
pub(crate) fn runs_next(program: &str, before: &[(Change, At)]) -> bool {
    let mut left = positionals(program);
    let mut after_option = false;
    for (change, _) in before {
        let word = match change {
            Change::Arg(Some(w)) => w.as_str(),
            Change::Arg(None) | Change::Args | Change::Forward(_) => {
                after_option = false;
                continue;
            }
            Change::Exe => return false,
            _ => continue,
        };
        let option_value = std::mem::replace(&mut after_option, word.starts_with('-') && !word.contains('='));
        if word.starts_with('-') || option_value || env_word(word).is_some() {
            continue;
        }
        if launcher(word).is_some() {
            left = positionals(word);
        } else if left > 0 {
            left -= 1;
        } else {
            return false;
        }
    }
    true
}

/// The marker a launch starts with, before its changes are known.
pub(crate) fn base(launcher: Launcher, program: &str) -> Marker {
    let name = program.rsplit('/').next().unwrap_or(program);
    Marker { launcher: Some(name.to_string()), root: launcher == Launcher::Elevates, ..Marker::default() }
}

/// The child's marker: the launcher's env (its own options may say more:
/// `sudo -E`, `env K=V`), then the arguments after the executable
/// (`changes[index]`); `at` is where it was handed over.
pub(crate) fn marker(marker: &mut Marker, launcher: Launcher, changes: &[(Change, At)], index: usize, at: &At) {
    let before = &changes[..index.min(changes.len())];
    let after = changes.get(index + 1..).unwrap_or_default();
    let text = |c: &Change| match c {
        Change::Arg(Some(a)) => Some(a.clone()),
        _ => None,
    };
    let options: Vec<Option<String>> = before.iter().filter(|(c, _)| is_arg(c)).map(|(c, _)| text(c)).collect();
    let preserves = options.iter().flatten().any(|o| o == "-E" || o.starts_with("--preserve-env"));
    if launcher == Launcher::Inherits || (launcher == Launcher::Elevates && preserves) {
        env_changes(marker, changes, at);
    } else {
        marker.env_clear = true;
        // An option not known statically may pass env vars on.
        if options.iter().any(Option::is_none) {
            marker.env.push((None, None));
        }
    }
    if launcher == Launcher::Systemd {
        marker.env.push((Some("INVOCATION_ID".to_string()), None));
    }
    marker.env.extend(env_words(&options));
    for (change, change_at) in after {
        let certain = change_at.encloses(at);
        match change {
            Change::Arg(a) if certain => marker.push_args([a.clone()]),
            Change::Exe if certain => marker.push_args([None]),
            Change::Forward(pushed) if certain => {
                marker.forwards_args = true;
                marker.appended.extend(pushed.iter().cloned());
            }
            c if is_arg(c) => marker.unknown_list(),
            _ => {}
        }
    }
}

fn is_arg(c: &Change) -> bool {
    matches!(c, Change::Arg(_) | Change::Args | Change::Forward(_) | Change::Exe)
}

/// `KEY=value` words after an `env` word among the launcher's options
/// (`sudo env RUST_LOG=debug <own exe>`): the child's env.
fn env_words(options: &[Option<String>]) -> Vec<(Option<String>, Option<String>)> {
    let Some(start) = options.iter().position(|o| o.as_deref().is_some_and(|o| o.rsplit('/').next() == Some("env")))
    else {
        return Vec::new();
    };
    options[start + 1..]
        .iter()
        .flatten()
        .filter_map(|o| env_word(o))
        .map(|(k, v)| (Some(k.to_string()), Some(v.to_string())))
        .collect()
}

/// `KEY=value`: an env assignment word.
fn env_word(word: &str) -> Option<(&str, &str)> {
    let is_name = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    word.split_once('=').filter(|(k, _)| is_name(k))
}

#[cfg(test)]
mod tests {
    use super::{At, Change, Launcher, env_words, launcher, runs_next};

    fn runs(program: &str, words: &[&str]) -> bool {
        let at = At { fn_id: 0, open: Vec::new() };
        let before: Vec<(Change, At)> = words
            .iter()
            .map(|w| (if *w == "?" { Change::Arg(None) } else { Change::Arg(Some(w.to_string())) }, at.clone()))
            .collect();
        runs_next(program, &before)
    }

    #[test]
    fn the_command_a_launcher_runs() {
        assert!(runs("sudo", &[]));
        assert!(runs("sudo", &["-u", "root", "--"]));
        assert!(runs("sudo", &["--set-home", "env", "A=1"]));
        assert!(runs("ssh", &["-t", "host"]));
        assert!(runs("ssh", &["?"]));
        assert!(runs("timeout", &["10"]));
        assert!(!runs("sudo", &["chown", "root"]));
        assert!(!runs("ssh", &["host", "ls"]));
        assert!(!runs("nohup", &["cp"]));
    }

    #[test]
    fn launchers_by_file_name() {
        assert_eq!(launcher("/usr/bin/sudo"), Some(Launcher::Elevates));
        assert_eq!(launcher("systemd-run"), Some(Launcher::Systemd));
        assert_eq!(launcher("nohup"), Some(Launcher::Inherits));
        assert_eq!(launcher("ssh"), Some(Launcher::Clears));
        for other in ["cargo", "git", "sh", "bash", "codesign", "strip", "cp"] {
            assert_eq!(launcher(other), None, "{other}");
        }
    }

    #[test]
    fn env_words_after_env() {
        let words = |w: &[&str]| w.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
        assert_eq!(
            env_words(&words(&["--set-home", "env", "A=1", "B=x=y", "-i"])),
            [(Some("A".into()), Some("1".into())), (Some("B".into()), Some("x=y".into()))]
        );
        assert!(env_words(&words(&["-u", "A=1"])).is_empty());
    }
}

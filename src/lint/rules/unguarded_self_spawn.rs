//! `unguarded-self-spawn`: the child this site starts can reach the same
//! site again: every generation spawns the next, a spawn storm.

use super::SiteContext;
use crate::diag::{Code, Diagnostic};
use crate::lint::value::Via;
use crate::lint::walk::Reach;

pub(crate) fn check(ctx: &SiteContext<'_>) -> Option<Diagnostic> {
    if ctx.outcome.reach != Some(Reach::Yes) {
        return None;
    }
    let marker = &ctx.site.marker;
    let (message, help) = match ctx.site.via {
        Via::Procspawn => (
            "procspawn spawns this program again, but `procspawn::init()` does not run first in `main`".to_string(),
            "call `procspawn::init()` as the first statement of `main`".to_string(),
        ),
        Via::Mitosis => (
            "mitosis spawns this program again, but `mitosis::init()` does not run first in `main`".to_string(),
            "call `mitosis::init()` as the first statement of `main`".to_string(),
        ),
        Via::EnvWrapper => (
            format!(
                "the program hands its own executable to another program as `{}`, and the child that program starts can reach this spawn again",
                marker.run_by.as_deref().unwrap_or_default()
            ),
            "set a variable of your own beside it on this `Command` (e.g. `.env(\"MY_APP_WRAPPING\", \"1\")`) and, first thing in `main`, send a process that has it to the wrapper's job and exit".to_string(),
        ),
        Via::Launcher => (
            format!(
                "the program has `{}` run its own executable again, and that child can reach this spawn again",
                marker.launcher.as_deref().unwrap_or_default()
            ),
            "give the child an argument of its own after the executable (a launcher may drop env vars) and, first thing in `main`, send a process that has it to its work and exit".to_string(),
        ),
        Via::Restart => (
            "the framework's restart starts the program again with the same arguments, and the new process can reach this restart again".to_string(),
            "before restarting, put a marker in the process's own env (`std::env::set_var(\"MY_APP_RESTARTED\", \"1\")`, which the new process inherits) and, first thing in `main`, keep a process that has it off the way to this restart".to_string(),
        ),
        _ if marker.forwards_args && marker.env.is_empty() => (
            "the program spawns itself with its own arguments, so the child does the same again".to_string(),
            "mark the child (e.g. `.env(\"MY_APP_WORKER\", \"1\")`) instead of forwarding the parent's arguments, and divert it at the top of `main`".to_string(),
        ),
        _ => (
            "the program spawns itself and the child can reach this spawn again".to_string(),
            "mark the child here (e.g. `.env(\"MY_APP_WORKER\", \"1\")`) and, first thing in `main`, send it to its worker code and exit: `if std::env::var_os(\"MY_APP_WORKER\").is_some() { return worker(); }`".to_string(),
        ),
    };
    Some(
        Diagnostic::new(Code::UnguardedSelfSpawn, message, (ctx.locate)(ctx.site.loc))
            .label(super::site_label(ctx.site))
            .note((ctx.locate)(ctx.main_loc), through(&ctx.outcome.path))
            .help(help),
    )
}

/// "the child gets here through `main` → `run` → `spawn_worker`".
pub(crate) fn through(path: &[String]) -> String {
    if path.len() <= 1 {
        return "no guard in `main` sends the child elsewhere before it gets here".to_string();
    }
    let chain: Vec<String> = path.iter().map(|f| format!("`{f}`")).collect();
    format!("no guard sends the child elsewhere: it gets there through {}", chain.join(" → "))
}

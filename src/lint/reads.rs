//! What a function's body reads of the markers a spawn can change: env
//! vars (by name when the name is a literal) and argv. A function that
//! reads them and returns a value the analysis does not follow (`fn
//! from_env() -> bool { static W: OnceLock<bool> = ..; *W.get_or_init(||
//! env::var_os("APP_WORKER").is_some()) }`) returns something computed from
//! them: a condition on it is not "the same as in the parent" in a child
//! whose markers differ there (issue 14: such guards were false `unguarded`).

use super::api::{self, Call, literal_text};
use super::index::{FnId, Program, Target};
use super::ir::Expr;
use super::value::Val;
use super::visit::for_each_expr;

/// The marker source `id`'s own body reads, if any: `env::var(K)` with
/// `K` a literal when that is all it reads, else argv or an env var not
/// known by name (both unknown in any child with a marker there).
pub(crate) fn marker_read(prog: &Program<'_>, id: FnId) -> Option<Val> {
    super::memo::reads(prog, id, || scan(prog, id))
}

fn scan(prog: &Program<'_>, id: FnId) -> Option<Val> {
    let mut keys: Vec<String> = Vec::new();
    let mut other = None;
    for_each_expr(prog.def(id).body.get(), &mut |e| {
        let Expr::Call { func, args, .. } = e else { return };
        let Expr::Path(path, _) = func.peel() else { return };
        let Target::External(canon) = prog.resolve_from(id, path) else { return };
        match api::classify_call(&canon, false) {
            Call::EnvVar => match args.first().and_then(literal_text) {
                Some(key) if !keys.contains(&key) => keys.push(key),
                Some(_) => {}
                None => other = Some(Val::Env(None)),
            },
            Call::EnvVars => other = Some(Val::Env(None)),
            Call::Args => other = other.take().or(Some(Val::Argv { skip: 0, pushed: Vec::new() })),
            _ => {}
        }
    });
    match (other, keys.as_slice()) {
        (Some(v), _) => Some(v),
        (None, [key]) => Some(Val::Env(Some(key.clone()))),
        (None, []) => None,
        (None, _) => Some(Val::Env(None)),
    }
}

//! The env an `exec*e` call gives the new image: its `envp` argument, a
//! list of `KEY=value` texts. A literal list is the whole env; a local
//! list built from `env::vars()`/`vars_os()` is the parent's env, then the
//! entries pushed after it (`envs.push(CString::new(format!("KEY={v}"))?)`).
//! Before, `envp` was not read and the new image was taken to inherit the
//! parent's env unchanged, so a re-exec that sets the var its guard tests
//! (`if env::var("DYLD_LIBRARY_PATH").is_err() { reexec() }`) was a false
//! `unguarded` (held-out-15). A list the check cannot read (another use of
//! the local, a push of unknown text under a condition) leaves the marker
//! as it was: the env is not known to change.

use super::api::literal_text;
use super::formatted::shape;
use super::ir::{Expr, Lit, Stmt};
use super::marker::Marker;
use super::mentions::{all_known, is_local};
use super::shapes::list_items;
use super::value::Val;

/// One entry of the list: the key when its text starts with a literal
/// `KEY=`, and the value when all of it is literal.
type Entry = (Option<String>, Option<String>);

/// What an env list holds.
#[derive(Debug, Default, PartialEq)]
struct EnvList {
    /// The parent's env comes first (`env::vars_os().map(..).collect()`).
    inherits: bool,
    entries: Vec<Entry>,
    /// Keys pushed only under a condition or in a loop.
    maybe: Vec<String>,
}

/// Records on `marker` the env that `func(args..)`, an `exec*` call in
/// `body`, gives the new image, when the call takes one and it can be read.
pub(crate) fn record_exec_env(func: &str, args: &[Expr], body: &[Stmt], marker: &mut Marker) {
    let index = match func {
        "execve" | "execvpe" | "fexecve" => 2,
        "execveat" => 3,
        _ => return,
    };
    let Some(list) = args.get(index).and_then(|envp| env_list(envp, body)) else { return };
    marker.env_clear |= !list.inherits;
    marker.env.extend(list.entries);
    marker.maybe_env.extend(list.maybe);
}

fn env_list(envp: &Expr, body: &[Stmt]) -> Option<EnvList> {
    if let Some(list) = literal_list(envp) {
        return Some(list);
    }
    match envp.peel() {
        Expr::Path(p, _) if p.len() == 1 => local_env(body, &p[0]),
        _ => None,
    }
}

/// The list a local `name` holds where it is handed to the call: its `let`
/// and the pushes after it in the same block, when nothing else uses it.
fn local_env(body: &[Stmt], name: &str) -> Option<EnvList> {
    if !only_pushed_and_passed(body, name) {
        return None;
    }
    let mut lets = Vec::new();
    super::arglist::find_lets(body, name, &mut lets);
    let [(block, at)] = lets.as_slice() else { return None };
    let Stmt::Let { init: Some(init), .. } = &block[*at] else { return None };
    let mut list = initial(init)?;
    for stmt in &block[at + 1..] {
        match stmt {
            Stmt::Expr(Expr::Method { recv, name: m, args, .. }, _) if is_local(recv, name) && m == "push" => {
                list.entries.extend(args.first().map(entry));
            }
            // A push under a condition or in a loop: the child may get it.
            _ => {
                for (key, _) in nested_pushes(stmt, name) {
                    list.maybe.push(key?);
                }
            }
        }
    }
    Some(list)
}

/// The env a list starts with: a literal list, an empty one, or the
/// parent's own (the `let` reads `env::vars()`/`vars_os()`).
fn initial(init: &Expr) -> Option<EnvList> {
    if let Some(list) = literal_list(init) {
        return Some(list);
    }
    if let Expr::Call { func, .. } = init.peel()
        && let Expr::Path(p, _) = func.peel()
        && p.len() >= 2
        && p[p.len() - 2] == "Vec"
        && matches!(p[p.len() - 1].as_str(), "new" | "with_capacity")
    {
        return Some(EnvList::default());
    }
    let mut parent = false;
    super::visit::expr(init, &mut |e| {
        if let Expr::Call { func, .. } = e
            && let Expr::Path(p, _) = func.peel()
        {
            parent |= p.last().is_some_and(|n| matches!(n.as_str(), "vars" | "vars_os"));
        }
    });
    parent.then(|| EnvList { inherits: true, ..EnvList::default() })
}

/// A literal list (`[..]`, `vec![..]`): the whole env.
fn literal_list(e: &Expr) -> Option<EnvList> {
    let items = list_items(e.peel())?;
    Some(EnvList { inherits: false, entries: items.iter().map(entry).collect(), maybe: Vec::new() })
}

/// `"KEY=value"`, `format!("KEY={v}")`, either wrapped in `CString::new(..)`,
/// `OsString::from(..)`, `.unwrap()`, `?`.
fn entry(item: &Expr) -> Entry {
    let text = match unwrap(item) {
        Expr::Macro(m) if m.path.last().is_some_and(|n| n == "format") => match m.args.first() {
            Some(Expr::Lit(Lit::Str(template), _)) => shape(template),
            _ => Val::Unknown,
        },
        e => literal_text(e).map_or(Val::Unknown, Val::Str),
    };
    let (Val::Str(s) | Val::Format(s)) = &text else { return (None, None) };
    let Some((key, value)) = s.split_once('=') else { return (None, None) };
    if key.is_empty() || key.contains("{}") {
        return (None, None);
    }
    let value = matches!(text, Val::Str(_)).then(|| value.to_string());
    (Some(key.to_string()), value)
}

fn unwrap(e: &Expr) -> &Expr {
    match e.peel() {
        Expr::Try(inner) => unwrap(inner),
        Expr::Method { recv, name, .. } if matches!(name.as_str(), "unwrap" | "expect" | "into" | "to_owned") => {
            unwrap(recv)
        }
        Expr::Call { func, args, .. }
            if args.len() == 1
                && matches!(func.peel(), Expr::Path(p, _) if p.last().is_some_and(|l| matches!(l.as_str(), "new" | "from"))) =>
        {
            unwrap(&args[0])
        }
        other => other,
    }
}

fn is_exec(func: &Expr) -> bool {
    matches!(func.peel(), Expr::Path(p, _) if p.last().is_some_and(|l| l.starts_with("exec") || l == "fexecve"))
}

/// The entries pushed onto the local anywhere inside `stmt`.
fn nested_pushes(stmt: &Stmt, name: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    super::visit::for_each_expr(std::slice::from_ref(stmt), &mut |e| {
        if let Expr::Method { recv, name: m, args, .. } = e
            && m == "push"
            && is_local(recv, name)
        {
            out.extend(args.first().map(entry));
        }
    });
    out
}

/// Every mention of the local is the receiver of `push` or of a read, or
/// an argument of the `exec*` call: nothing else changes it (a call that
/// takes `&mut list` may).
fn only_pushed_and_passed(body: &[Stmt], name: &str) -> bool {
    all_known(body, name, |e| match e {
        Expr::Method { recv, name: m, .. }
            if is_local(recv, name) && matches!(m.as_str(), "push" | "len" | "is_empty" | "iter") =>
        {
            1
        }
        Expr::Call { func, args, .. } if is_exec(func) => args.iter().filter(|a| is_local(a, name)).count(),
        _ => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ir::{Loc, Macro, Segments};

    fn lit(s: &str) -> Expr {
        Expr::Lit(Lit::Str(s.to_string()), Loc::default())
    }

    fn format(template: &str) -> Expr {
        let m = Macro {
            path: Segments::One("format".into()),
            args: vec![lit(template)],
            opaque: false,
            loc: Loc::default(),
        };
        Expr::Macro(Box::new(m))
    }

    #[test]
    fn an_entry_names_its_key_when_the_text_before_the_equals_sign_is_literal() {
        assert_eq!(entry(&lit("APP_CHILD=1")), (Some("APP_CHILD".to_string()), Some("1".to_string())));
        assert_eq!(entry(&format("APP_LIB_DIR={dir}/lib")), (Some("APP_LIB_DIR".to_string()), None));
        assert_eq!(entry(&format("{}={}")), (None, None));
        assert_eq!(entry(&lit("no equals sign")), (None, None));
    }

    #[test]
    fn a_literal_list_is_the_whole_env() {
        let mut marker = Marker::default();
        let args = [lit("/proc/self/exe"), lit("argv"), Expr::Array(vec![lit("W=1")])];
        record_exec_env("execve", &args, &[], &mut marker);
        assert!(marker.env_clear);
        assert_eq!(marker.env, vec![(Some("W".to_string()), Some("1".to_string()))]);
        let mut untouched = Marker::default();
        record_exec_env("execv", &args, &[], &mut untouched);
        assert_eq!(untouched, Marker::default());
    }
}

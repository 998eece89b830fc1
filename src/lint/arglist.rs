//! Argument lists built in a local before they reach a self-spawn:
//! `let mut args = vec!["run".to_string()]; args.push(task); ..;
//! Command::new(exe).args(&args)`. The items pushed unconditionally, in
//! order, right after the `let` are what the child surely gets first; from
//! the first push that is conditional (in an `if`, a loop) or of unknown
//! length on, the rest is unknown. Any other use of the local that could
//! change it (a `&mut` loan, an assignment, `insert`, `clear`) makes the
//! whole list unknown, as before (issue 14: mise's `mise run <task>`).

use super::api::literal_text;
use super::ir::{Expr, Stmt};
use super::mentions::{all_known, is_local};
use super::shapes::list_items;

/// Methods on the local that only read it.
const READS: &[&str] =
    &["len", "is_empty", "iter", "first", "last", "get", "contains", "join", "clone", "as_slice", "to_vec"];
/// Methods that add items at the end.
const ADDS: &[&str] = &["push", "extend", "extend_from_slice", "append"];

/// The arguments a local list `name` passed to `.args(..)` holds: the known
/// first items, and whether they are all of them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ArgList {
    pub items: Vec<Option<String>>,
    /// Options added only under a condition (`if let Some(p) = config {
    /// args.push("-c"); args.push(p) }`) before a sure item: the child may
    /// get them; to a parser a flag and its value take no positional
    /// place, so the items after them stay known (`.push("worker")`).
    pub maybe: Vec<Option<String>>,
    pub complete: bool,
}

/// The list held by local `name` of a body, when its `let` and every use
/// of it can be read.
pub(crate) fn local_list(body: &[Stmt], name: &str) -> Option<ArgList> {
    if !only_pushes_and_reads(body, name) {
        return None;
    }
    let mut lets = Vec::new();
    find_lets(body, name, &mut lets);
    let [(block, at)] = lets.as_slice() else { return None };
    let Stmt::Let { init: Some(init), .. } = &block[*at] else { return None };
    let mut list = ArgList { items: new_list(init)?, maybe: Vec::new(), complete: true };
    // Conditional options not yet followed by a sure item: if none
    // follows, they are where the known items end (raw argv positions
    // after them are not known), as any conditional push.
    let mut pending = Vec::new();
    for stmt in &block[at + 1..] {
        if passes_on(stmt, name) {
            // `if c { args.push(x); cmd.args(&args) }`: x may come too.
            list.complete &= !mentions_add(stmt, name) && pending.is_empty();
            return Some(list);
        }
        let direct = match stmt {
            Stmt::Expr(Expr::Method { recv, name: method, args, .. }, _) if is_local(recv, name) => {
                let known = append(&mut list, method, args);
                if known && ADDS.contains(&method.as_str()) {
                    list.maybe.append(&mut pending);
                }
                Some(known)
            }
            _ => None,
        };
        if direct.is_none()
            && let Some(options) = optional_options(stmt, name)
        {
            pending.extend(options);
            continue;
        }
        // An add the items are not known for, or one under a condition or
        // in a loop: what follows is not known.
        if direct == Some(false) || (direct.is_none() && mentions_add(stmt, name)) {
            list.complete = false;
            return Some(list);
        }
    }
    list.complete &= pending.is_empty();
    Some(list)
}

/// `if c { args.push("--config"); args.push(path) }`, with `else`
/// branches of the same kind: the items a statement adds only under a
/// condition, when every branch adds nothing but options (a literal flag,
/// maybe followed by one value).
fn optional_options(stmt: &Stmt, name: &str) -> Option<Vec<Option<String>>> {
    let Stmt::Expr(e @ Expr::If { .. }, _) = stmt else { return None };
    let mut out = Vec::new();
    branch_options(e, name, &mut out).then_some(out)
}

fn branch_options(e: &Expr, name: &str, out: &mut Vec<Option<String>>) -> bool {
    match e {
        Expr::If { cond, then, els, .. } => {
            !mentions_add(&Stmt::Expr((**cond).clone(), false), name)
                && block_options(then, name, out)
                && els.as_deref().is_none_or(|els| branch_options(els, name, out))
        }
        Expr::Block(block) => block_options(block, name, out),
        _ => false,
    }
}

/// A block of pushes onto the local whose items are options: a value only
/// right after a flag.
fn block_options(block: &[Stmt], name: &str, out: &mut Vec<Option<String>>) -> bool {
    let mut after_flag = false;
    for stmt in block {
        let Stmt::Expr(Expr::Method { recv, name: method, args, .. }, _) = stmt else { return false };
        let ([item], true) = (&args[..], method == "push" && is_local(recv, name)) else { return false };
        let text = literal_text(item);
        let flag = text.as_deref().is_some_and(|t| t.starts_with('-') && t.len() > 1);
        if !flag && !after_flag {
            return false;
        }
        after_flag = flag && !text.as_deref().is_some_and(|t| t.contains('='));
        out.push(text);
    }
    true
}

/// `init` makes a new list [`local_list`] can read.
pub(crate) fn is_new_list(init: &Expr) -> bool {
    new_list(init).is_some()
}

/// `vec![..]` of items, `Vec::new()`, `Vec::with_capacity(n)`.
fn new_list(init: &Expr) -> Option<Vec<Option<String>>> {
    match init.peel() {
        Expr::Call { func, .. } => match func.peel() {
            Expr::Path(p, _) if p.len() >= 2 && p[p.len() - 2] == "Vec" => {
                matches!(p[p.len() - 1].as_str(), "new" | "with_capacity").then(Vec::new)
            }
            _ => None,
        },
        e => list_items(e).map(|items| items.iter().map(literal_text).collect()),
    }
}

/// A read-only method call, or one that adds items: `true` when the
/// items are known (and recorded).
fn append(list: &mut ArgList, method: &str, args: &[Expr]) -> bool {
    match (method, args) {
        (m, _) if READS.contains(&m) => true,
        ("push", [item]) => {
            list.items.push(literal_text(item));
            true
        }
        ("extend" | "extend_from_slice", [items]) => match list_items(items) {
            Some(items) => {
                list.items.extend(items.iter().map(literal_text));
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Every mention of the local is the receiver of a read or an add (or an
/// indexed read: pitchfork's `args[1..].join(" ")` in an error message),
/// or the argument of `.args(..)`: nothing else can change it.
fn only_pushes_and_reads(body: &[Stmt], name: &str) -> bool {
    all_known(body, name, |e| match e {
        Expr::Method { recv, name: m, .. }
            if is_local(recv, name) && (READS.contains(&m.as_str()) || ADDS.contains(&m.as_str())) =>
        {
            1
        }
        Expr::Method { name: m, args, .. } if m == "args" && args.len() == 1 && is_local(&args[0], name) => 1,
        // Moved whole into a field or a call (see [`super::carried`]).
        e if moves(e, name) => 1,
        // `args[1..].join(" ")`, `args[0].clone()`: a read of some items.
        Expr::Method { recv, name: m, .. }
            if READS.contains(&m.as_str()) && matches!(recv.peel(), Expr::Index(base, _) if is_local(base, name)) =>
        {
            1
        }
        _ => 0,
    })
}

/// The statement hands the list to `.args(..)`, or moves it away: later
/// pushes come too late.
fn passes_on(stmt: &Stmt, name: &str) -> bool {
    let mut found = false;
    super::visit::for_each_expr(std::slice::from_ref(stmt), &mut |e| {
        found |= matches!(e, Expr::Method { name: m, args, .. } if m == "args" && args.len() == 1 && is_local(&args[0], name))
            || moves(e, name);
    });
    found
}

/// `e` moves the whole list by value (not a loan: `&mut list` lets the
/// callee change it): into a struct's field (`Job { args: list }`), a
/// field by assignment (`job.args = list`) or a call's argument
/// (`launch(list)`, `Job::new(exe, list)`). After a move the local cannot
/// change any more; where the list went, [`super::carried`] follows it.
pub(crate) fn moves(e: &Expr, name: &str) -> bool {
    let bare = |a: &Expr| matches!(a, Expr::Path(p, _) if p.len() == 1 && p[0] == name);
    match e {
        Expr::Struct(_, fields) => fields.iter().any(|(_, v)| bare(v)),
        Expr::Assign(lhs, rhs) => matches!(**lhs, Expr::Field(..)) && bare(rhs),
        Expr::Call { args, .. } => args.iter().any(bare),
        Expr::Method { name: m, args, .. } => m != "args" && !ADDS.contains(&m.as_str()) && args.iter().any(bare),
        _ => false,
    }
}

/// The statement adds to the list somewhere inside (under a condition or
/// in a loop).
fn mentions_add(stmt: &Stmt, name: &str) -> bool {
    let mut found = false;
    super::visit::for_each_expr(std::slice::from_ref(stmt), &mut |e| {
        found |= matches!(e, Expr::Method { recv, name: m, .. } if is_local(recv, name) && ADDS.contains(&m.as_str()));
    });
    found
}

/// Every `let name = ..` of the body, as (its statement list, index).
pub(crate) fn find_lets<'a>(stmts: &'a [Stmt], name: &str, out: &mut Vec<(&'a [Stmt], usize)>) {
    for (i, stmt) in stmts.iter().enumerate() {
        match stmt {
            Stmt::Let { pat, init, .. } => {
                let mut names = Vec::new();
                pat.bindings(&mut names);
                if names.iter().any(|n| n == name) {
                    out.push((stmts, i));
                }
                if let Some(e) = init {
                    lets_in(e, name, out);
                }
            }
            Stmt::Expr(e, _) => lets_in(e, name, out),
        }
    }
}

fn lets_in<'a>(e: &'a Expr, name: &str, out: &mut Vec<(&'a [Stmt], usize)>) {
    match e {
        Expr::Block(b) | Expr::Loop { body: b, .. } | Expr::While(_, b) | Expr::For(_, _, b) => find_lets(b, name, out),
        Expr::If { then, els, .. } => {
            find_lets(then, name, out);
            if let Some(els) = els {
                lets_in(els, name, out);
            }
        }
        Expr::Match { arms, .. } => arms.iter().for_each(|a| lets_in(&a.body, name, out)),
        Expr::Closure(_, body) => lets_in(body, name, out),
        // `tokio::spawn(async move { let mut args = ..; .. })`.
        Expr::Call { args, .. } => args.iter().for_each(|a| lets_in(a, name, out)),
        Expr::Method { recv, args, .. } => std::iter::once(&**recv).chain(args).for_each(|a| lets_in(a, name, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ir::{Loc, Segments};

    fn path(n: &str) -> Expr {
        Expr::Path(Segments::One(n.into()), Loc::default())
    }
    fn lit(s: &str) -> Expr {
        Expr::Lit(crate::lint::ir::Lit::Str(s.to_string()), Loc::default())
    }
    fn call(recv: Expr, name: &str, args: Vec<Expr>) -> Expr {
        Expr::Method { recv: Box::new(recv), name: name.into(), args: args.into(), loc: Loc::default() }
    }
    fn let_vec(name: &str, items: Vec<Expr>) -> Stmt {
        let init = Expr::Macro(Box::new(crate::lint::ir::Macro {
            path: Segments::One("vec".into()),
            args: items,
            opaque: false,
            loc: Loc::default(),
        }));
        Stmt::Let {
            pat: crate::lint::ir::Pat::Bind(name.into(), None),
            ty: None,
            init: Some(Box::new(init)),
            els: None,
        }
    }
    fn spawn(name: &str) -> Stmt {
        Stmt::Expr(call(path("cmd"), "args", vec![Expr::Ref(Box::new(path(name)))]), true)
    }

    #[test]
    fn unconditional_pushes_are_known_in_order() {
        let body = vec![
            let_vec("a", vec![lit("run")]),
            Stmt::Expr(call(path("a"), "push", vec![path("task")]), true),
            spawn("a"),
            Stmt::Expr(call(path("a"), "push", vec![lit("late")]), true),
        ];
        let list = local_list(&body, "a").expect("readable");
        assert_eq!(list.items, vec![Some("run".to_string()), None]);
        assert!(list.complete);
    }

    fn if_pushes(items: Vec<Expr>) -> Expr {
        let then: Vec<Stmt> = items.into_iter().map(|i| Stmt::Expr(call(path("a"), "push", vec![i]), true)).collect();
        Expr::If { cond: Box::new(path("c")), then: then.into(), els: None, loc: Loc::default() }
    }

    #[test]
    fn a_conditional_positional_push_ends_what_is_known() {
        let cond = if_pushes(vec![path("task")]);
        let body = vec![
            let_vec("a", vec![lit("run")]),
            Stmt::Expr(cond, false),
            Stmt::Expr(call(path("a"), "push", vec![lit("x")]), true),
            spawn("a"),
        ];
        let list = local_list(&body, "a").expect("readable");
        assert_eq!(list.items, vec![Some("run".to_string())]);
        assert!(!list.complete);
    }

    #[test]
    fn conditional_options_may_come_and_the_items_after_them_are_known() {
        let body = vec![
            let_vec("a", vec![]),
            Stmt::Expr(if_pushes(vec![lit("-c"), path("config")]), false),
            Stmt::Expr(if_pushes(vec![lit("--quiet")]), false),
            Stmt::Expr(call(path("a"), "push", vec![lit("worker")]), true),
            spawn("a"),
        ];
        let list = local_list(&body, "a").expect("readable");
        assert_eq!(list.items, vec![Some("worker".to_string())]);
        assert_eq!(list.maybe, vec![Some("-c".to_string()), None, Some("--quiet".to_string())]);
        assert!(list.complete);
        // Options after the last sure item: the list ends there, as before.
        let body = vec![let_vec("a", vec![lit("run")]), Stmt::Expr(if_pushes(vec![lit("-v")]), false), spawn("a")];
        let list = local_list(&body, "a").expect("readable");
        assert!(list.maybe.is_empty() && !list.complete);
        // A value that follows no flag is a positional: not an option.
        let body = vec![let_vec("a", vec![]), Stmt::Expr(if_pushes(vec![lit("-v"), lit("x"), path("y")]), false)];
        assert!(!local_list(&body, "a").expect("readable").complete);
    }

    #[test]
    fn an_indexed_read_keeps_it_readable_and_an_indexed_write_does_not() {
        let index = || Expr::Index(Box::new(path("a")), Box::new(lit("1..")));
        let read = Stmt::Expr(call(index(), "join", vec![lit(" ")]), true);
        let list = local_list(&[let_vec("a", vec![lit("start")]), spawn("a"), read], "a").expect("readable");
        assert_eq!(list.items, vec![Some("start".to_string())]);
        let write = Stmt::Expr(Expr::Assign(Box::new(index()), Box::new(lit("x"))), true);
        assert!(local_list(&[let_vec("a", vec![lit("start")]), write, spawn("a")], "a").is_none());
        let change = Stmt::Expr(call(index(), "push_str", vec![lit("x")]), true);
        assert!(local_list(&[let_vec("a", vec![lit("start")]), change, spawn("a")], "a").is_none());
    }

    #[test]
    fn a_move_by_value_passes_it_on_and_a_later_push_comes_too_late() {
        let moved =
            Stmt::Expr(Expr::Call { func: Box::new(path("launch")), args: vec![path("a")], loc: Loc::default() }, true);
        let late = Stmt::Expr(call(path("a"), "push", vec![lit("late")]), true);
        let body = [let_vec("a", vec![lit("worker")]), moved, late];
        let list = local_list(&body, "a").expect("readable");
        assert_eq!(list.items, vec![Some("worker".to_string())]);
        assert!(list.complete);
        let assigned = Expr::Assign(Box::new(Expr::Field(Box::new(path("job")), "args".into())), Box::new(path("a")));
        assert!(moves(&assigned, "a"));
        let into_local = Expr::Assign(Box::new(path("b")), Box::new(path("a")));
        assert!(!moves(&into_local, "a"));
    }

    #[test]
    fn a_loan_or_other_method_makes_it_unreadable() {
        let lend = Stmt::Expr(
            Expr::Call {
                func: Box::new(path("fill")),
                args: vec![Expr::Ref(Box::new(path("a")))],
                loc: Loc::default(),
            },
            true,
        );
        assert!(local_list(&[let_vec("a", vec![]), lend, spawn("a")], "a").is_none());
        let insert = Stmt::Expr(call(path("a"), "insert", vec![lit("0"), lit("x")]), true);
        assert!(local_list(&[let_vec("a", vec![]), insert, spawn("a")], "a").is_none());
    }
}

//! `if` and `match` in the walk: which branches the child takes, which
//! conditions count as its guard, and which make later arrivals uncertain.

use super::assign::{Code, carry_out};
use super::{Flow, Reach, Walker, scan};
use crate::lint::cond::{DIFFERS, UNREAD};
use crate::lint::eval::{bind, type_payloads};
use crate::lint::ir::{Arm, Expr, Loc, Stmt};
use crate::lint::lines::line;
use crate::lint::value::{Locals, Truth, Val};

impl Walker<'_, '_, '_> {
    pub(super) fn if_expr(
        &mut self,
        cond: &Expr,
        then: &[Stmt],
        els: Option<&Expr>,
        loc: Loc,
        locals: &mut Locals,
    ) -> Flow {
        let flow = self.expr(cond, &mut locals.clone());
        if flow.stops() {
            return flow;
        }
        let mut inner = locals.clone();
        let mut c = self.cond();
        let t = c.truth(cond, &mut inner);
        let routes = c.routes();
        let tested = c.tested;
        self.saw(&tested);
        // A test counts as a guard (for explaining mismatches) when its
        // branch leaves without reaching the site, like a guard would.
        let else_reaches = els.is_some_and(|e| self.expr_reaches_site(e));
        let then_reaches = self.block_reaches_site(then);
        if !then_reaches && (scan::block_leaves(then) || else_reaches) {
            self.note_tested(&tested, loc);
        }
        let work_before = self.work;
        let result = match t {
            Truth::True => {
                let a = self.dispatch(routes, loc, |w| w.block(then, &mut inner));
                // The child leaves here, or is kept from an `else` that
                // leads to the site: this test is its guard.
                if routes && (a.diverges || else_reaches) {
                    self.guard(loc, work_before);
                }
                carry_out(locals, &[Code::Block(then)], &[(!a.diverges).then_some(&inner)], false, Truth::Same, routes);
                a
            }
            Truth::False => {
                // Kept from a branch that leads to the site: a guard.
                if routes && then_reaches {
                    self.guard(loc, work_before);
                }
                els.map_or_else(Flow::none, |e| self.dispatch(routes, loc, |w| w.expr(e, locals)))
            }
            Truth::Same | Truth::Unknown => self.both_ways(t, (then, els), inner, locals, loc, &tested),
        };
        Flow { reach: result.reach.max(flow.reach), ..result }
    }

    /// An `if` whose test the child may pass or not (`t`: the same as the
    /// parent, or unknown): both branches, with what each leaves behind.
    fn both_ways(
        &mut self,
        t: Truth,
        (then, els): (&[Stmt], Option<&Expr>),
        mut inner: Locals,
        locals: &mut Locals,
        loc: Loc,
        tested: &[String],
    ) -> Flow {
        let saved = self.unsure.clone();
        let replaced = self.replaced.clone();
        let unknown = t == Truth::Unknown;
        let a = self.chosen_by_markers(unknown, |w| w.block(then, &mut inner));
        let after_a = std::mem::replace(&mut self.unsure, saved);
        // A self-update in one branch is not on the other's way.
        let replaced_a = std::mem::replace(&mut self.replaced, replaced.clone());
        let mut other = if els.is_some() { locals.clone() } else { Locals::default() };
        let b = els.map_or_else(Flow::none, |e| self.chosen_by_markers(unknown, |w| w.expr(e, &mut other)));
        self.unsure = self.unsure.take().or(after_a);
        let replaced_b = self.replaced.take().filter(|_| !b.diverges);
        self.replaced = replaced.or(replaced_a.filter(|_| !a.diverges)).or(replaced_b);
        // Without an `else`, the way around `then` keeps the locals.
        let ways = [(!a.diverges).then_some(&inner), (els.is_some() && !b.diverges).then_some(&other)];
        let code = [Code::Block(then), els.map_or(Code::Block(&[]), Code::Expr)];
        carry_out(locals, &code, &ways, els.is_none(), t, false);
        if t == Truth::Unknown && a.diverges != b.diverges && self.unsure.is_none() {
            let why = format!(
                "whether the child leaves at the branch on line {} depends on {}",
                line(self.prog.files, loc),
                self.unknown_value(tested)
            );
            let leaving = match (a.diverges, els) {
                (true, _) | (false, None) => self.leaving_scope(then),
                (false, Some(e)) => self.leaving_scope(std::slice::from_ref(&Stmt::Expr(e.clone(), false))),
            };
            self.unsure = Some((why, loc, leaving));
        }
        let reach = self.uncertain(a.reach.max(b.reach), t, loc, tested);
        let reach = self.runtime_choice(reach, t, loc, a.reach.min(b.reach) == Reach::Yes && els.is_some());
        let val = chosen_by(t, branch_value(&a, &b, els.is_some()));
        Flow { reach, diverges: a.diverges && b.diverges && els.is_some(), val }
    }

    pub(super) fn match_expr(&mut self, scrut: &Expr, arms: &[Arm], loc: Loc, locals: &mut Locals) -> Flow {
        let flow = self.valued(scrut, locals);
        if flow.stops() {
            return flow;
        }
        let val = flow.val.clone();
        let work_before = self.work;
        let mut reach = flow.reach;
        let mut all_diverge = true;
        let mut any_ran = false;
        let mut value = Val::Error;
        let mut unsure = Truth::Same;
        let routes = arms.iter().any(|a| self.expr_reaches_site(&a.body));
        // What each arm that goes on leaves in the locals, for `carry_out`.
        let mut ways: Vec<(Code<'_>, Locals)> = Vec::new();
        // A self-update in one arm is not on another's way.
        let replaced_before = self.replaced.clone();
        let mut earlier_unknown: Vec<Vec<String>> = Vec::new();
        let mut replaced_after = None;
        // The child's markers kept it from an earlier arm: an arm it then
        // takes (`"" => {}` then `_ => return` for a child given a role)
        // is chosen by them too.
        let mut kept_before = false;
        for arm in arms {
            self.replaced = replaced_before.clone();
            let mut inner = locals.clone();
            let (t, decides, tested) = self.arm_test(arm, &val, &mut inner, &mut earlier_unknown);
            // A message variant no code builds: the arm never runs.
            let self_ty = || self.prog.def(self.fn_id()).self_ty;
            if t != Truth::False && !decides && self.prog.never_built(&arm.pat, self_ty().as_deref()) {
                continue;
            }
            let leaves =
                scan::block_leaves(std::slice::from_ref(&crate::lint::ir::Stmt::Expr(arm.body.clone(), false)));
            if (leaves || routes) && !self.expr_reaches_site(&arm.body) {
                self.note_tested(&tested, loc);
            }
            if t == Truth::False {
                // Kept by its markers from an arm that leads to the site
                // (`Some("build") => respawn()`, the child has no `build`):
                // a guard, as for an `if` whose test is false.
                if decides && self.expr_reaches_site(&arm.body) {
                    self.guard(loc, work_before);
                }
                kept_before |= decides;
                continue;
            }
            let decides = decides || (t == Truth::True && kept_before);
            any_ran = true;
            let body = if t == Truth::True {
                self.dispatch(decides, loc, |w| w.valued(&arm.body, &mut inner))
            } else {
                self.chosen_by_markers(t == Truth::Unknown, |w| w.valued(&arm.body, &mut inner))
            };
            // Only worth scanning every arm when the rule can apply.
            let asked =
                (self.dispatched.is_some() || self.replaced.is_some()) && t == Truth::Same && body.reach == Reach::Yes;
            let every_arm = asked && arms.iter().all(|a| self.expr_reaches_site(&a.body));
            let body_reach = self.runtime_choice(body.reach, t, loc, every_arm);
            reach = reach.max(self.uncertain(body_reach, t, loc, &tested));
            all_diverge &= body.diverges;
            if !body.diverges {
                value = value.either(body.val.clone());
                if t == Truth::Unknown {
                    unsure = Truth::Unknown;
                }
            }
            if t == Truth::True {
                if decides && (body.diverges || body.reach == Reach::No) {
                    self.guard(loc, work_before);
                }
                self.note_routed(&val, arms, arm, loc);
                let way = (!body.diverges).then_some(&inner);
                carry_out(locals, &[Code::Expr(&arm.body)], &[way], false, Truth::Same, decides);
                return Flow { reach, diverges: body.diverges, val: value };
            }
            if !body.diverges {
                ways.push((Code::Expr(&arm.body), inner));
            }
            replaced_after = replaced_after.or(self.replaced.take().filter(|_| !body.diverges));
            if reach == Reach::Yes {
                break;
            }
        }
        self.replaced = replaced_after.or(replaced_before);
        let code: Vec<Code<'_>> = ways.iter().map(|(c, _)| *c).collect();
        let outs: Vec<Option<&Locals>> = ways.iter().map(|(_, l)| Some(l)).collect();
        carry_out(locals, &code, &outs, false, unsure, false);
        let value = if matches!(value, Val::Error) { Val::Unknown } else { value };
        Flow { reach, diverges: !any_ran || all_diverge, val: chosen_by(unsure, value) }
    }

    /// Whether the child takes `arm` of a `match` on `val`, whether that
    /// depends on its markers, and what the test names; binds the arm's
    /// names into `inner`.
    fn arm_test(
        &mut self,
        arm: &Arm,
        val: &Val,
        inner: &mut Locals,
        earlier_unknown: &mut Vec<Vec<String>>,
    ) -> (Truth, bool, Vec<String>) {
        let mut c = self.cond();
        // A table lookup, in this child (`Some((_, f))` then binds `f`).
        let settled = c.settle(val);
        let val = &settled;
        let mut t = c.pattern(&arm.pat, val, inner);
        bind(&arm.pat, val.clone(), inner);
        type_payloads(self.prog, self.prog.def(self.fn_id()).self_ty.as_deref(), &arm.pat, val, inner);
        // `[_, m] if m == "worker" =>`: the arm's guard is part of the test.
        if let Some(guard) = &arm.guard
            && t != Truth::False
        {
            t = t.and(c.truth(guard, inner));
        }
        let decides = c.routes();
        let mut tested = c.tested;
        // An arm after one the check could not decide runs only if that
        // one did not match: not known either (`Some("--quiet") =>` on an
        // argv[1] built at run time, then `_ =>`).
        if t == Truth::True && !earlier_unknown.is_empty() {
            t = Truth::Unknown;
            tested.extend(earlier_unknown.iter().flatten().cloned());
        }
        if t == Truth::Unknown {
            earlier_unknown.push(tested.clone());
        }
        self.saw(&tested);
        (t, decides, tested)
    }

    /// Walks `f` as code the child was sent to by a test of its markers
    /// (`routes`) at `loc`.
    fn dispatch(&mut self, routes: bool, loc: Loc, f: impl FnOnce(&mut Self) -> Flow) -> Flow {
        let saved = self.dispatched;
        if routes {
            self.dispatched = Some((loc, self.fn_id()));
        }
        let flow = self.chosen_by_markers(routes, f);
        self.dispatched = saved;
        flow
    }

    /// Walks `f` as a way the child takes or not by its markers (`yes`):
    /// a call in there that repeats one under way is not the same walk
    /// ([`Walker::repeats`]): `if worker { unset(); return main() }` leaves
    /// no way the outer walk took.
    fn chosen_by_markers(&mut self, yes: bool, f: impl FnOnce(&mut Self) -> Flow) -> Flow {
        self.chosen += usize::from(yes);
        let flow = f(self);
        self.chosen -= usize::from(yes);
        flow
    }

    /// "The child goes where the parent went" holds for the parent's own
    /// code. Code the child was sent to by its markers is its own: a test
    /// there that does not depend on them (a request read at run time) is
    /// not known to go the parent's way (sozu's new main process upgrades
    /// itself again only when a client asks). Unless every way leads to the
    /// site (`every_way`), the arrival is only "maybe".
    /// Likewise past a self-update: the child is the build the parent
    /// installed, whose tests of its version (or of anything else) the
    /// source does not show.
    fn runtime_choice(&mut self, reach: Reach, t: Truth, loc: Loc, every_way: bool) -> Reach {
        if reach != Reach::Yes || t != Truth::Same || every_way {
            return reach;
        }
        let why = if let Some((sent, in_fn)) = self.dispatched {
            format!(
                "the child is sent to code of its own at line {} of `{}`, which reaches this spawn only if the branch on line {} goes its way; that depends on a value computed at run time, not on the child's markers",
                line(self.prog.files, sent),
                self.prog.def(in_fn).name,
                line(self.prog.files, loc)
            )
        } else if let Some(how) = &self.replaced {
            format!(
                "the parent replaced its own executable before this spawn ({how}): the child is the build it installed, so whether it takes the branch on line {} again is not known from this source",
                line(self.prog.files, loc)
            )
        } else {
            return reach;
        };
        self.maybe(why, loc);
        Reach::Maybe
    }

    /// A site reached only through an undecidable condition is "maybe".
    fn uncertain(&mut self, reach: Reach, t: Truth, loc: Loc, tested: &[String]) -> Reach {
        if reach == Reach::Yes && t == Truth::Unknown {
            let why = format!(
                "whether the child takes the branch on line {} depends on {}",
                line(self.prog.files, loc),
                self.unknown_value(tested)
            );
            self.maybe(why, loc);
            return Reach::Maybe;
        }
        reach
    }

    /// Names the value an undecidable condition depends on: what it tests,
    /// and which part of the child's argv or env is not known statically.
    fn unknown_value(&self, tested: &[String]) -> String {
        let (differs, tested): (Vec<&String>, Vec<&String>) = tested.iter().partition(|t| t.starts_with(DIFFERS));
        let (unread, markers): (Vec<&String>, Vec<&String>) = tested.into_iter().partition(|t| t.starts_with(UNREAD));
        let mut parts = Vec::new();
        let mut differs: Vec<&str> = differs.iter().map(|t| &t[DIFFERS.len()..]).collect();
        differs.dedup();
        if !differs.is_empty() {
            parts.push(format!("{}: not the same in a child as in its parent", differs.join(" and ")));
        }
        if !markers.is_empty() {
            let names: Vec<String> = markers.iter().map(|t| format!("`{t}`")).collect();
            parts.push(format!("whether the child has {}", names.join(" or ")));
        }
        if let Some(first) = unread.first() {
            parts.push(format!(
                "{first}, code the check does not read, which may test what the child gets ({})",
                self.child.marker.describe()
            ));
        }
        let what = match parts.is_empty() {
            true => "a value computed at run time".to_string(),
            false => parts.join(", and "),
        };
        match self.child.unknown_parts() {
            Some(parts) => format!("{what}, and {parts}"),
            None if unread.is_empty() && differs.is_empty() => format!("{what}, which the check cannot compute"),
            None => what,
        }
    }

    /// A match on an enum variant computed earlier that takes `taken` while
    /// another arm leads to the site (see [`super::Outcome::routed`]).
    fn note_routed(&mut self, val: &Val, arms: &[Arm], taken: &Arm, loc: Loc) {
        if matches!(val, Val::Variant(_))
            && !self.out.routed.contains(&loc)
            && arms.iter().any(|a| !std::ptr::eq(a, taken) && self.expr_reaches_site(&a.body))
        {
            self.out.routed.push(loc);
        }
    }

    fn note_tested(&mut self, tested: &[String], loc: Loc) {
        self.out.tested.extend(tested.iter().map(|t| (t.clone(), loc)));
    }

    pub(super) fn guard(&mut self, loc: Loc, work_before: Option<Loc>) {
        if self.out.guards.is_empty()
            && let Some(work) = work_before
        {
            self.out.late = Some((work, loc));
        }
        if !self.out.guards.contains(&loc) {
            self.out.guards.push(loc);
        }
    }
}

/// The value of an `if`/`else` both of whose branches may run.
/// The value of a branch or `match` that a test of the child's markers the
/// check could not decide chose among (`match (serve, flag) { (true, None)
/// => Mode::Serve, _ => Mode::Start }`): not known, and never "the same as
/// in the parent": a later test on it depends on the child's markers.
pub(super) fn chosen_by(t: Truth, val: Val) -> Val {
    match (t, val) {
        (Truth::Unknown, Val::Unknown) => Val::Truth(Truth::Unknown),
        (_, val) => val,
    }
}

fn branch_value(a: &Flow, b: &Flow, has_else: bool) -> Val {
    match (a.diverges, b.diverges || !has_else) {
        (true, true) => Val::Unknown,
        (true, false) => b.val.clone(),
        (false, true) if has_else => a.val.clone(),
        _ => a.val.clone().either(b.val.clone()),
    }
}

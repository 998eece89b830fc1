//! The argument values a call into the analysed crates hands on to the
//! callee's parameters, for the next pass to bind: the own executable, a
//! `Command` (own or another program's), and the name of an env var another
//! program runs (`set_key(&mut cmd, "RUSTC_WRAPPER", &exe)` with
//! `cmd.env(key, exe)` inside: without the name the hand-over is lost).

use super::other::runs_value;
use super::value::Val;
use rustc_hash::FxHashMap as HashMap;

type Slots = HashMap<(usize, usize), Val>;

/// Records what argument `val` hands on to parameter `slot` (a function id
/// and a parameter index); `known`: what the last pass recorded.
pub(super) fn record(known: &Slots, rec: &mut Slots, slot: (usize, usize), val: &Val) {
    if val.exe_origin().is_some() || matches!(val, Val::Cmd(_)) {
        rec.insert(slot, val.clone());
    } else if let Val::Prog(_) = val {
        // Another program's `Command` never hides the own executable
        // another caller passes.
        let kept = rec.entry(slot).or_insert(Val::Unknown);
        if matches!(kept, Val::Unknown | Val::Prog(_)) {
            *kept = std::mem::replace(kept, Val::Unknown).join(val.clone());
        }
    } else {
        name(known, rec, slot, val);
    }
}

/// A parameter named after an env var another program runs only when every
/// call seen names the same one: the body is evaluated once for all its
/// callers, so a helper also called with `"MY_TOOL_PATH"` (a variable no
/// program runs) must not look like it hands over a wrapper, and since a
/// spawn site once seen is kept, not even for one pass. So a name is first
/// kept pending (bound as unknown), and bound only after a whole pass of
/// calls agreed with it; two calls that disagree keep `Val::Unknown` there
/// for good. Only slots some caller fills with such a name are followed,
/// not every literal, so other helpers stay quiet.
fn name(known: &Slots, rec: &mut Slots, slot: (usize, usize), val: &Val) {
    let named = match val {
        Val::Str(name) | Val::Format(name) => runs_value(name),
        _ => false,
    };
    let kept = match (rec.get(&slot), known.get(&slot)) {
        (None, Some(seen)) if is_name(seen) => {
            Some(if named_as(seen) == Some(val) { confirmed(seen) } else { Val::Unknown })
        }
        (None, Some(Val::Unknown)) => Some(Val::Unknown),
        (None, _) if named => Some(Val::Derived(Box::new(val.clone()))),
        (Some(seen), _) if is_name(seen) && named_as(seen) != Some(val) => Some(Val::Unknown),
        _ => None,
    };
    if let Some(kept) = kept {
        rec.insert(slot, kept);
    }
}

/// A name kept for a slot, pending (`Val::Derived`, never kept here
/// otherwise) or confirmed.
fn is_name(val: &Val) -> bool {
    named_as(val).is_some()
}

fn named_as(val: &Val) -> Option<&Val> {
    match val {
        Val::Str(_) | Val::Format(_) => Some(val),
        Val::Derived(inner) if matches!(**inner, Val::Str(_) | Val::Format(_)) => Some(inner),
        _ => None,
    }
}

fn confirmed(val: &Val) -> Val {
    named_as(val).cloned().unwrap_or(Val::Unknown)
}

/// The value a parameter is bound to: a pending name is not known yet.
pub(super) fn bound(kept: Option<&Val>) -> Val {
    match kept {
        Some(Val::Derived(inner)) if is_name(inner) => Val::Unknown,
        Some(val) => val.clone(),
        None => Val::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::{Slots, Val, bound, record};

    /// One pass of calls of slot (0, 0) with `args`, over what the last
    /// pass kept; what the next pass binds, and what it keeps.
    fn pass(known: &Slots, args: &[Val]) -> (Val, Slots) {
        let mut rec = Slots::default();
        for arg in args {
            record(known, &mut rec, (0, 0), arg);
        }
        (bound(rec.get(&(0, 0))), rec)
    }

    #[test]
    fn a_name_all_calls_agree_on_is_bound_after_a_pass() {
        let wrapper = Val::Str("RUSTC_WRAPPER".into());
        let (first, kept) = pass(&Slots::default(), &[wrapper.clone(), wrapper.clone()]);
        assert_eq!(first, Val::Unknown, "pending for one pass");
        let (second, _) = pass(&kept, &[wrapper.clone(), wrapper.clone()]);
        assert_eq!(second, wrapper);
    }

    #[test]
    fn disagreeing_calls_keep_it_unknown_in_either_order() {
        let wrapper = Val::Str("RUSTC_WRAPPER".into());
        let other = Val::Str("MY_TOOL_PATH".into());
        for args in [[wrapper.clone(), other.clone()], [other.clone(), wrapper.clone()]] {
            let mut known = Slots::default();
            for _ in 0..3 {
                let (val, kept) = pass(&known, &args);
                assert_eq!(val, Val::Unknown, "{args:?}");
                known = kept;
            }
        }
    }

    #[test]
    fn other_literals_are_not_followed() {
        let (_, kept) = pass(&Slots::default(), &[Val::Str("--quiet".into())]);
        assert!(kept.is_empty());
    }
}

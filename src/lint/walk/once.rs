//! A call's values read once. The walk of a call's receiver and arguments
//! runs their effects on the locals (`args.next()` moves a local argv
//! iterator on); reading the receiver's value again afterwards would move
//! it twice (`match args.next().as_deref()` read `argv[2]` for `argv[1]`).
//! When the receiver or an argument has such an effect, values are read
//! from the locals as they were before the walk, and the call's effects
//! are applied once.

use super::Walker;
use crate::lint::ir::Expr;
use crate::lint::value::{Locals, Val};
use crate::lint::visit;

/// Methods that change the local they are called on (see `Eval::method`).
const EFFECTS: &[&str] = &["next", "nth", "push", "set_file_name", "set_extension", "pop", "clear"];

pub(super) struct Once {
    before: Option<Locals>,
}

impl Once {
    /// Before walking `parts` (a receiver and arguments) with `locals`.
    pub(super) fn new<'e>(parts: impl IntoIterator<Item = &'e Expr>, locals: &Locals) -> Once {
        let mut effect = false;
        for part in parts {
            visit::expr(part, &mut |e| {
                effect |= matches!(e, Expr::Method { recv, name, .. }
                    if EFFECTS.contains(&name.as_str()) && matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1));
            });
        }
        Once { before: effect.then(|| locals.clone()) }
    }

    /// The value of a part, as of before the walk.
    pub(super) fn read(&self, w: &Walker<'_, '_, '_>, e: &Expr, locals: &mut Locals) -> Val {
        match &self.before {
            Some(before) => w.eval(e, &mut before.clone()),
            None => w.eval(e, locals),
        }
    }

    /// The value of the whole call, with its effects on `locals` applied once.
    pub(super) fn settle(&self, w: &Walker<'_, '_, '_>, call: &Expr, locals: &mut Locals) -> Val {
        match &self.before {
            Some(before) => {
                let mut after = before.clone();
                let val = w.eval(call, &mut after);
                *locals = after;
                val
            }
            None => w.eval(call, locals),
        }
    }
}

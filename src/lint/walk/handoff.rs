//! A value of the analysed crates' types handed to code outside them: the
//! methods that code can call on it ([`crate::lint::handoff`]) may run
//! inside the call, so the walk goes through them there.

use super::{Reach, Walker};
use crate::lint::handoff;
use crate::lint::index::FnId;
use crate::lint::ir::{Expr, Loc};
use crate::lint::value::{Locals, Val};

impl Walker<'_, '_, '_> {
    /// `event_loop.run_app(&mut app)`: walks the methods of `app`'s impls of
    /// other crates' traits that lead to the site, as code the call may run,
    /// like a closure handed on: arriving at the site there counts, a way
    /// out there is not the caller's.
    pub(super) fn handed_on(&mut self, args: &[Expr], loc: Loc, locals: &Locals) -> Reach {
        let mut reach = Reach::No;
        for arg in args {
            let Val::Typed(ty) = self.eval(handoff::held(arg), &mut locals.clone()) else { continue };
            let methods: Vec<FnId> =
                handoff::trait_methods(self.prog, &ty).into_iter().filter(|id| self.reaches.contains(id)).collect();
            for id in methods {
                let saved = self.unsure.clone();
                let name = self.prog.def(id).name.to_string();
                let flow = self.call_fns(&[id], vec![Val::Typed(ty.clone())], true, &name, loc);
                // Whether it left there does not decide the way after it.
                if flow.reach == Reach::No {
                    self.unsure = saved;
                }
                reach = reach.max(flow.reach);
                if reach == Reach::Yes {
                    return reach;
                }
            }
        }
        reach
    }
}

//! A value of the analysed crates' types handed to code outside them: the
//! methods that code can call on it ([`crate::lint::handoff`]) may run
//! inside the call, so the walk goes through them there.

use super::{Flow, Reach, Walker};
use crate::lint::handoff;
use crate::lint::index::FnId;
use crate::lint::ir::{Expr, Loc, Name};
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
            let methods = handoff::trait_methods(self.prog, &ty);
            reach = reach.max(self.hand_type(&ty, methods, loc));
            if reach == Reach::Yes {
                break;
            }
        }
        reach
    }

    /// `cosmic::app::run::<App>(settings, flags)`: the call, then, when it
    /// is another crate's, the types its turbofish names are handed on as
    /// a value of theirs would be (the framework makes the `App` and calls
    /// its trait methods).
    pub(super) fn handed_types(&mut self, call: &Expr, types: &[Name], locals: &mut Locals) -> Flow {
        let flow = self.expr(call, locals);
        if flow.stops() || !self.outside(call) {
            return flow;
        }
        let loc = call.loc().unwrap_or_default();
        let mut reach = flow.reach;
        for ty in types {
            let methods = handoff::type_methods(self.prog, ty);
            reach = reach.max(self.hand_type(ty, methods, loc));
            if reach == Reach::Yes {
                break;
            }
        }
        Flow { reach, ..flow }
    }

    /// Whether `call` runs another crate's code ([`handoff::runs_outside`]).
    fn outside(&mut self, call: &Expr) -> bool {
        let (prog, id) = (self.prog, self.fn_id());
        let values = self.foreign_values.entry(id).or_insert_with(|| super::StdValues::new(prog, id));
        handoff::runs_outside(prog, id, call, values)
    }

    /// Those of `methods` (of `ty`, which other crates' code can call)
    /// that lead to the site, walked as called at `loc`.
    fn hand_type(&mut self, ty: &str, mut methods: Vec<FnId>, loc: Loc) -> Reach {
        methods.retain(|id| self.reaches.contains(id));
        let mut reach = Reach::No;
        for id in methods {
            let saved = self.unsure.clone();
            let def = self.prog.def(id);
            let name = def.name.to_string();
            // A `self` method gets the value; a maker (`from_iter`) makes it.
            let vals = if handoff::takes_self(def) { vec![Val::Typed(ty.to_string())] } else { Vec::new() };
            let flow = self.call_fns(&[id], vals, true, &name, loc);
            // Whether it left there does not decide the way after it.
            if flow.reach == Reach::No {
                self.unsure = saved;
            }
            reach = reach.max(flow.reach);
            if reach == Reach::Yes {
                break;
            }
        }
        reach
    }
}

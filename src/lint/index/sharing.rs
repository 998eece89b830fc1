//! Which answers about a program's functions live in its library's memo,
//! shared with every binary that links the same crates, and which in the
//! program's own (issue 18: computed once per run, not once per binary).

use super::{FnId, Program};
use crate::lint::callers::Slot;
use crate::lint::defs::Defs;
use crate::lint::memo::Memo;

/// What a program shares with the binaries that link the same library,
/// decided by its own crate's definitions.
pub(crate) struct Shares {
    /// The library's callees and callers: the own crate defines no methods
    /// ([`Defs::defines_methods`]).
    calls: bool,
    /// The library's evaluations: the own crate is private
    /// ([`Defs::is_private`]).
    eval: bool,
}

impl Shares {
    pub(super) fn of(own: &Defs<'_>) -> Shares {
        Shares { calls: !own.defines_methods(), eval: own.is_private() }
    }
}

impl<'a> Program<'a> {
    /// Where the answers about function `id` are kept, and its index
    /// there: the library's memo for a library function when the own crate
    /// cannot change what it calls (see [`crate::lint::memo`]).
    pub(crate) fn memo_of(&self, id: FnId) -> (&Memo, usize) {
        self.memo_where(id, self.shares.calls)
    }

    /// The library's memo, when it holds the answers about function `id`
    /// ([`Program::memo_of`]).
    pub(crate) fn shared_memo(&self, id: FnId) -> Option<&Memo> {
        (id < self.own.first_fn && self.shares.calls).then_some(&self.lib.memo)
    }

    /// How many of the program's functions are the library's (ids below).
    pub(crate) fn lib_fn_count(&self) -> usize {
        self.own.first_fn
    }

    /// The program's functions in files that name an own-executable
    /// source (`FileIr::mentions_self`), in id order: they can put one in
    /// a field or static that reachable code reads, even when the call
    /// graph does not see them called (trait dispatch, `Default`). The
    /// library's were found once for every binary that links it.
    pub(crate) fn self_naming_fns(&self) -> Vec<FnId> {
        let own =
            (self.own.first_fn..self.fn_count()).filter(|&id| self.files[self.def(id).loc.file as usize].mentions_self);
        self.lib.self_naming.iter().copied().chain(own).collect()
    }

    /// The library's shared callers, when it holds the answers about its
    /// functions ([`Program::memo_of`]).
    pub(crate) fn shared_callers(&self) -> Option<&'a Slot<'a>> {
        self.shares.calls.then_some(&self.lib.callers)
    }

    /// Where the answers that depend on evaluating function `id` are
    /// kept: the library's memo for a library function when the own crate
    /// is private (see [`crate::lint::defs::Defs::is_private`]).
    pub(crate) fn memo_for_eval(&self, id: FnId) -> (&Memo, usize) {
        self.memo_where(id, self.shares.eval)
    }

    /// The memo of function `id`: the library's when `shared` and it is
    /// one of the library's functions, else this program's own.
    fn memo_where(&self, id: FnId, shared: bool) -> (&Memo, usize) {
        match id.checked_sub(self.own.first_fn) {
            Some(own) => (&self.own_memo, own),
            None if shared => (&self.lib.memo, id),
            None => (self.lib_memo.get_or_init(|| Memo::new(self.own.first_fn)), id),
        }
    }
}

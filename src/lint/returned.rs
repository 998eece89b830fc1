//! What a call of the program's own function is known to give when no
//! summary says what it returns: the type it declares when the analysed
//! crates give that type methods, what it is computed from (argv handed
//! to it, the markers its body reads), or the path it makes from nothing
//! it is given, as the file that path names ([`super::differs`]).

use super::eval::Eval;
use super::index::FnId;
use super::ir::Name;
use super::made_path::makes_path;
use super::shapes::constructed_type;
use super::value::Val;

impl Eval<'_, '_> {
    /// The value of a call of `ids` (by `path`, with `vals`) whose
    /// summary is unknown; `read`: the marker source their body reads.
    pub(super) fn unsummarised(&self, ids: &[FnId], path: &[Name], vals: &[Val], read: Option<Val>) -> Val {
        let val = self.declared_return(ids).unwrap_or_else(|| constructed_type(path)).parsed_from(vals);
        match (val, ids) {
            // A path made from the markers (`env::var("APP_DIR")`) is
            // computed from them: that is kept.
            (Val::Unknown, &[id]) if vals.is_empty() && read.is_none() && makes_path(self.prog, id) => {
                Val::MadePath(id)
            }
            (val, _) => val.read_from(read),
        }
    }

    /// The type every candidate declares it returns, when the analysed
    /// crates give that type methods (`fn load() -> Result<Config>`).
    /// `-> Result<Self, E>` in `impl Server` is a `Server`.
    fn declared_return(&self, ids: &[FnId]) -> Option<Val> {
        let ret = |id: FnId| {
            let def = self.prog.def(id);
            match def.ret.as_deref()? {
                "Self" if !def.trait_default => def.self_ty.as_deref(),
                ty => Some(ty),
            }
        };
        let first = ret(*ids.first()?)?;
        let same = ids.iter().all(|&id| ret(id) == Some(first));
        if same && let Some(handle) = super::framework::declared(self.prog, first) {
            return Some(handle);
        }
        (same && first != "Self" && self.prog.has_methods(first)).then(|| Val::Typed(first.to_string()))
    }
}

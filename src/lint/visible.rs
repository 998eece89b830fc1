//! Which crate's code can call which method: the rule that narrows method
//! calls matched by name to the methods the calling crate can name (its own
//! and its path dependencies' types and traits).

use super::index::{FnId, Program};

impl Program<'_> {
    /// Whether function `caller` can call method `callee`: a type's own
    /// (inherent) methods and a trait's default methods only from code
    /// that can name the type or trait, i.e. its crate or one that depends
    /// on it. Matching method calls by name linked a library's `.run()` to
    /// the binary's `Cli::run` (issue 14). A trait impl's method can be
    /// called from upstream, through generics.
    pub(crate) fn can_call(&self, caller: FnId, callee: FnId) -> bool {
        let (from, to) = (self.krate_of(caller), self.krate_of(callee));
        let def = self.def(callee);
        if def.inherent || def.trait_default {
            return self.sees(from, to);
        }
        // A trait impl's method, through a trait the caller must name: one
        // of the analysed crates' of that name, or another crate's. (Traits
        // are matched by name: an impl of an imported trait that shares its
        // name with an analysed crate's trait is taken for the latter.)
        let Some(name) = &def.of_trait else { return true };
        let mut defined = self.trait_crates(name).peekable();
        defined.peek().is_none() || defined.any(|k| self.sees(from, k))
    }

    /// Whether code of crate `from` can name items of crate `to`.
    fn sees(&self, from: usize, to: usize) -> bool {
        // No library depends on the binary's own crate (0).
        from == to || (to != 0 && self.krate(from).sees.as_ref().is_none_or(|sees| sees.contains(&to)))
    }
}

//! Tests on a value that is one of several constants ([`Val::OneOf`]):
//! decided where every constant answers alike.

use super::cond::Cond;
use super::value::{Truth, Val};

impl Cond<'_, '_, '_> {
    /// `test` of each of `all`: their common answer, else "the same as in
    /// the parent". The walk itself marks a value chosen by a test it could
    /// not decide (see `chosen_by` in the walk), so a choice that reaches
    /// here was made as in the parent, like an unknown value's (issue 14).
    pub(super) fn alike(&mut self, all: &[Val], mut test: impl FnMut(&mut Self, &Val) -> Truth) -> Truth {
        let mut answers = all.iter().map(|v| test(self, v));
        let first = answers.next().unwrap_or(Truth::Same);
        if answers.all(|t| t == first) { first } else { Truth::Same }
    }
}

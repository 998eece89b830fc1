//! The segments of a path in the IR (`std::process::Command::new`, or just
//! `x`), read as a `&[Name]` through `Deref`.
//!
//! Why not a boxed slice (issue 18): most paths in a body are one segment (a
//! local, a function of the same module), and a one-segment boxed slice is
//! an 8-byte allocation that costs the allocator 32. One segment is kept
//! inline, in the same 16 bytes a boxed slice takes.

use super::name::Name;

#[derive(Clone)]
pub(crate) enum Segments {
    One(Name),
    /// Zero, or two and more.
    Many(Box<[Name]>),
}

impl std::ops::Deref for Segments {
    type Target = [Name];
    fn deref(&self) -> &[Name] {
        match self {
            Segments::One(name) => std::slice::from_ref(name),
            Segments::Many(names) => names,
        }
    }
}

impl From<Vec<Name>> for Segments {
    fn from(names: Vec<Name>) -> Segments {
        match <[Name; 1]>::try_from(names) {
            Ok([name]) => Segments::One(name),
            Err(names) => Segments::Many(names.into_boxed_slice()),
        }
    }
}

impl<const N: usize> From<[Name; N]> for Segments {
    fn from(names: [Name; N]) -> Segments {
        Segments::from(Vec::from(names))
    }
}

impl FromIterator<Name> for Segments {
    fn from_iter<I: IntoIterator<Item = Name>>(iter: I) -> Segments {
        Segments::from(iter.into_iter().collect::<Vec<_>>())
    }
}

/// As the slice: `["std", "env"]`, the same as the `Vec<String>` it was.
impl std::fmt::Debug for Segments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_segment_is_inline_and_reads_as_a_slice() {
        let one = Segments::from(vec![Name::from("x")]);
        assert!(matches!(one, Segments::One(_)));
        assert_eq!(&*one, &[Name::from("x")]);
        let many: Segments = ["std", "env", "args"].into_iter().map(Name::from).collect();
        assert!(matches!(many, Segments::Many(_)));
        assert_eq!(many.len(), 3);
        assert_eq!(format!("{many:?}"), r#"["std", "env", "args"]"#);
        assert!(Segments::from(Vec::new()).is_empty());
    }
}

//! How a condition compares a text with a literal: `==`, `starts_with`,
//! `ends_with` or `contains`. Each is decided on the child's literal
//! markers as written (issue 14: `starts_with` and `contains` on an env
//! value were once read as `==`, a false `unguarded`).

/// The comparison a test makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextTest {
    Exact,
    Prefix,
    Suffix,
    Contains,
}

impl TextTest {
    /// The test a string method makes (`None` for any other method).
    pub(crate) fn of_method(name: &str) -> Option<TextTest> {
        match name {
            "eq" => Some(TextTest::Exact),
            "starts_with" => Some(TextTest::Prefix),
            "ends_with" => Some(TextTest::Suffix),
            "contains" => Some(TextTest::Contains),
            _ => None,
        }
    }

    /// Whether `text` passes the test against `lit`.
    pub(crate) fn holds(self, text: &str, lit: &str) -> bool {
        match self {
            TextTest::Exact => text == lit,
            TextTest::Prefix => text.starts_with(lit),
            TextTest::Suffix => text.ends_with(lit),
            TextTest::Contains => text.contains(lit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TextTest;

    #[test]
    fn each_test_on_a_marker() {
        assert!(TextTest::Exact.holds("worker", "worker"));
        assert!(!TextTest::Exact.holds("worker-1", "worker"));
        assert!(TextTest::Prefix.holds("worker-1", "worker"));
        assert!(TextTest::Suffix.holds("pool-worker", "worker"));
        assert!(TextTest::Contains.holds("a-worker-1", "worker"));
        assert!(!TextTest::Contains.holds("work", "worker"));
        assert_eq!(TextTest::of_method("ends_with"), Some(TextTest::Suffix));
        assert_eq!(TextTest::of_method("len"), None);
    }
}

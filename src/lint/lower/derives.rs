//! What an item's `#[derive(..)]` attributes name: clap's and bpaf's
//! derives make an argv parser of it, and derives such as `Deserialize` or
//! `Default` make values of it that the text never names
//! ([`crate::lint::built`]).

/// The last path segment of every derive (`serde::Deserialize` ->
/// `Deserialize`); `None` when a derive list does not parse.
pub(crate) fn names(attrs: &[syn::Attribute]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        attr.parse_nested_meta(|meta| {
            names.extend(meta.path.segments.last().map(|s| s.ident.to_string()));
            Ok(())
        })
        .ok()?;
    }
    Some(names)
}

/// Whether a derive of the item is one of `wanted`.
pub(crate) fn any(attrs: &[syn::Attribute], wanted: &[&str]) -> bool {
    names(attrs).unwrap_or_default().iter().any(|n| wanted.contains(&n.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_last_segment_of_each_derive() {
        let e: syn::ItemEnum = syn::parse_str("#[derive(Debug, serde::Deserialize)] #[allow(x)] enum M { A }").unwrap();
        assert_eq!(names(&e.attrs), Some(vec!["Debug".to_string(), "Deserialize".to_string()]));
        assert!(any(&e.attrs, &["Deserialize"]));
        assert!(!any(&e.attrs, &["Bpaf"]));
    }
}

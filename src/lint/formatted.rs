//! What `format!` gives when its template is a literal: the text itself
//! when there is nothing to fill in, else its shape (`CARGO_TARGET_{}_RUNNER`),
//! which is enough to tell an env var another program runs by its name.

use super::value::Val;

/// The value of `format!(template, ..)`: the text when it has no holes,
/// else its shape with each hole written `{}` (`{{` and `}}` are braces).
pub(crate) fn shape(template: &str) -> Val {
    let mut shape = String::with_capacity(template.len());
    let mut holes = false;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' if chars.peek() == Some(&c) => {
                chars.next();
                shape.push(c);
            }
            '{' => {
                holes = true;
                chars.by_ref().take_while(|&c| c != '}').for_each(drop);
                shape.push_str("{}");
            }
            c => shape.push(c),
        }
    }
    if holes { Val::Format(shape) } else { Val::Str(shape) }
}

#[cfg(test)]
mod tests {
    use super::shape;
    use crate::lint::value::Val;

    #[test]
    fn holes_become_braces_and_escapes_stay_text() {
        assert_eq!(shape("CARGO_TARGET_{host}_RUNNER"), Val::Format("CARGO_TARGET_{}_RUNNER".into()));
        assert_eq!(shape("{}-{:>4}"), Val::Format("{}-{}".into()));
        assert_eq!(shape("plain {{braces}}"), Val::Str("plain {braces}".into()));
        assert_eq!(shape("no holes"), Val::Str("no holes".into()));
    }
}

//! What `format!` gives when its template is a literal: the text itself
//! when there is nothing to fill in, else its shape (`CARGO_TARGET_{}_RUNNER`),
//! which is enough to tell an env var another program runs by its name.

use super::ir::{Expr, Lit, Macro};
use super::value::{Locals, Val};

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

/// `format!` of a value that differs in the child ([`Val::Differs`]), as
/// an argument or captured by a hole (`"{ppid}"`): a value computed from it.
pub(crate) fn differing(m: &Macro, vals: &[Val], locals: &Locals) -> Option<Val> {
    if let Some(v) = vals.iter().find(|v| v.differs()) {
        return Some(Val::derived([v]));
    }
    let Some(Expr::Lit(Lit::Str(template), _)) = m.args.first() else { return None };
    let captured = template.split('{').skip(1).filter_map(|hole| {
        let name = hole.split(['}', ':']).next()?;
        let ident = name.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        ident.then_some(name)
    });
    captured.filter_map(|name| locals.get(name)).find(|v| v.differs()).map(|v| Val::derived([v]))
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

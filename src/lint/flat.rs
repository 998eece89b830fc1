//! A flat lexer for the load's body skipping (issue 18): the tokens of a
//! file as proc-macro2 would split them, but only as kinds and byte ranges,
//! with no allocation per token and no token trees. Lexing every file with
//! proc-macro2 and dropping the bodies' trees again was a quarter of the
//! check's instructions; this scan finds the bodies to skip before
//! proc-macro2 sees the text ([`super::skip`]).
//!
//! It handles what real code holds and gives up on the rest: `None` for
//! non-ASCII outside literals and comments (identifiers, odd whitespace),
//! unbalanced delimiters and unterminated literals or comments. Giving up
//! only costs speed: the file is then lexed and parsed whole, as written.

/// What a token is, as far as finding item bodies needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    /// `'a`: proc-macro2's `'` punct and identifier, as one token.
    Lifetime,
    Literal,
    /// A punctuation character, and whether the next one joins it (`->`).
    Punct(u8, bool),
    /// `(`, `[` or `{`, and the index of its closing token.
    Open(u8, u32),
    Close,
    /// A doc comment: proc-macro2's `#` (`!`) `[doc = ".."]`.
    Doc,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

/// proc-macro2's punctuation characters.
const PUNCT: &[u8] = b"~!@#$%^&*-=+|;:,<.>/?";

/// The tokens of `text`, or `None` where this lexer gives up.
pub(crate) fn lex(text: &str) -> Option<Vec<Tok>> {
    let bytes = text.as_bytes();
    u32::try_from(bytes.len()).ok()?;
    let mut out: Vec<Tok> = Vec::with_capacity(bytes.len() / 5);
    let mut open: Vec<usize> = Vec::new();
    // proc-macro2 skips a byte order mark, keeping the offsets after it.
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while i < bytes.len() {
        let start = i;
        let kind = match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => match comment(bytes, &mut i)? {
                true => Kind::Doc,
                false => continue,
            },
            b'(' | b'[' | b'{' => {
                open.push(out.len());
                i += 1;
                Kind::Open(bytes[start], 0)
            }
            b')' | b']' | b'}' => {
                let at = open.pop()?;
                let Kind::Open(delim, _) = out[at].kind else { return None };
                if closing(delim) != bytes[i] {
                    return None;
                }
                out[at].kind = Kind::Open(delim, out.len() as u32);
                i += 1;
                Kind::Close
            }
            b'\'' => quote(bytes, &mut i)?,
            b'"' => {
                string(bytes, &mut i)?;
                Kind::Literal
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                Kind::Literal
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => prefixed(bytes, &mut i)?,
            b if PUNCT.contains(&b) => {
                i += 1;
                Kind::Punct(b, joins(&bytes[i..]))
            }
            _ => return None,
        };
        out.push(Tok { kind, start: start as u32, end: i as u32 });
    }
    open.is_empty().then_some(out)
}

fn closing(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// Whether a punct is joint with what follows: proc-macro2 asks whether
/// the next character is punctuation too (`'` included, comments not).
fn joins(rest: &[u8]) -> bool {
    match rest {
        [b'/', b'/' | b'*', ..] => false,
        [b, ..] => PUNCT.contains(b) || *b == b'\'',
        [] => false,
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn ident_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_ident_byte(bytes[i]) {
        i += 1;
    }
    i
}

/// The end of a number from `i`: digits, letters (radix, suffix, `e`),
/// a fraction (`1.5`, `1.`, but not `1..` or `1.max`), an exponent sign.
fn number_end(bytes: &[u8], i: usize) -> usize {
    let mut j = ident_end(bytes, i);
    if bytes.get(j) == Some(&b'.') && bytes.get(j + 1).is_none_or(|&b| b != b'.' && !is_ident_start(b)) {
        j += 1;
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            j = ident_end(bytes, j);
        }
    }
    let radix = bytes.get(i + 1).is_some_and(|b| matches!(b, b'x' | b'o' | b'b')) && bytes[i] == b'0';
    if !radix
        && matches!(bytes[j - 1], b'e' | b'E')
        && matches!(bytes.get(j), Some(b'+' | b'-'))
        && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
    {
        j = ident_end(bytes, j + 1);
    }
    j
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// A comment at `*i` (`//` or `/*`), skipped; whether it is a doc comment,
/// by proc-macro2's rules (`///` but not `////`, `/**` but not `/***` or
/// `/**/`, and the inner `//!`, `/*!`).
fn comment(bytes: &[u8], i: &mut usize) -> Option<bool> {
    let rest = &bytes[*i..];
    if rest[1] == b'/' {
        let doc = (rest.starts_with(b"///") && !rest.starts_with(b"////")) || rest.starts_with(b"//!");
        *i += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        return Some(doc);
    }
    let doc = !rest.starts_with(b"/**/")
        && ((rest.starts_with(b"/**") && !rest.starts_with(b"/***")) || rest.starts_with(b"/*!"));
    let mut depth = 0usize;
    let mut j = 0;
    while j + 1 < rest.len() {
        match (rest[j], rest[j + 1]) {
            (b'/', b'*') => {
                depth += 1;
                j += 1;
            }
            (b'*', b'/') => {
                depth -= 1;
                j += 1;
                if depth == 0 {
                    *i += j + 1;
                    return Some(doc);
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// A `"` string from `*i`, escapes and suffix included.
fn string(bytes: &[u8], i: &mut usize) -> Option<()> {
    let mut j = *i + 1;
    loop {
        match bytes.get(j)? {
            b'\\' => j += 2,
            b'"' => break,
            _ => j += 1,
        }
    }
    *i = ident_end(bytes, j + 1);
    Some(())
}

/// A raw string from `*i` at its `r`: `r"..."`, `r#"..."#`, with its suffix.
fn raw_string(bytes: &[u8], i: &mut usize) -> Option<()> {
    let hashes = bytes[*i + 1..].iter().take_while(|&&b| b == b'#').count();
    let body = *i + 1 + hashes;
    if bytes.get(body) != Some(&b'"') {
        return None;
    }
    let mut j = body + 1;
    loop {
        let at = j + bytes.get(j..)?.iter().position(|&b| b == b'"')?;
        let end = at + 1 + hashes;
        if bytes.get(at + 1..end)?.iter().all(|&b| b == b'#') {
            *i = ident_end(bytes, end);
            return Some(());
        }
        j = at + 1;
    }
}

/// An identifier, or a literal its letters prefix (`b"`, `b'`, `br"`,
/// `c"`, `cr#"`, `r"`, `r#"`), or a raw identifier (`r#fn`).
fn prefixed(bytes: &[u8], i: &mut usize) -> Option<Kind> {
    let rest = &bytes[*i..];
    let (prefix, raw) = match rest {
        [b'b' | b'c', b'r', b'"' | b'#', ..] => (1, true),
        [b'r', b'"', ..] | [b'r', b'#', b'#' | b'"', ..] => (0, true),
        [b'b' | b'c', b'"', ..] => (1, false),
        [b'b', b'\'', ..] => {
            *i += 1;
            return quote(bytes, i);
        }
        [b'r', b'#', b, ..] if is_ident_byte(*b) => {
            *i = ident_end(bytes, *i + 2);
            return Some(Kind::Ident);
        }
        _ => {
            *i = ident_end(bytes, *i);
            return ends_in_ascii(bytes, *i).then_some(Kind::Ident);
        }
    };
    *i += prefix;
    if raw { raw_string(bytes, i) } else { string(bytes, i) }?;
    Some(Kind::Literal)
}

/// Whether a word ends here in ASCII: one that goes on in non-ASCII
/// letters (`naïve`) is not lexed here.
fn ends_in_ascii(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_none_or(u8::is_ascii)
}

/// A `'` at `*i`: a character literal (`'a'`, `'\n'`, `'\u{1F600}'`,
/// `'é'`) or a lifetime (`'a`, `'static`), told apart as proc-macro2 does:
/// a character followed by `'` is a literal.
fn quote(bytes: &[u8], i: &mut usize) -> Option<Kind> {
    let at = *i + 1;
    let first = *bytes.get(at)?;
    if first == b'\\' {
        let close = at + 2 + bytes.get(at + 2..)?.iter().position(|&b| b == b'\'')?;
        *i = ident_end(bytes, close + 1);
        return Some(Kind::Literal);
    }
    let width = match first {
        0..0x80 => 1,
        0xc0..0xe0 => 2,
        0xe0..0xf0 => 3,
        _ => 4,
    };
    if bytes.get(at + width) == Some(&b'\'') {
        *i = ident_end(bytes, at + width + 1);
        return Some(Kind::Literal);
    }
    if !is_ident_start(first) {
        return None;
    }
    // A raw lifetime: `'r#async`.
    let raw = bytes[at..].starts_with(b"r#") && bytes.get(at + 2).is_some_and(|&b| is_ident_start(b));
    *i = ident_end(bytes, if raw { at + 2 } else { at });
    ends_in_ascii(bytes, *i).then_some(Kind::Lifetime)
}

#[cfg(test)]
#[path = "flat_tests.rs"]
mod tests;

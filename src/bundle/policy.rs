//! Which libraries a bundle leaves to the host: the never-bundle list kept
//! as data in `templates/never-bundle.txt`, plus the user's
//! `--exclude-lib` globs.

const NEVER_BUNDLE: &str = include_str!("../../templates/never-bundle.txt");
const WINDOWS_SYSTEM: &str = include_str!("../../templates/windows-system-dlls.txt");

fn globs(list: &str) -> impl Iterator<Item = &str> {
    list.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty())
}

/// Whether a DLL comes with Windows (never bundled, never looked for).
pub fn windows_system(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    globs(WINDOWS_SYSTEM).any(|glob| matches(glob, &name))
}

/// The globs of the built-in policy.
pub fn never_bundle() -> Vec<&'static str> {
    globs(NEVER_BUNDLE).collect()
}

/// Whether `name` (a library file name) is left to the host.
pub fn excluded(name: &str, extra: &[String]) -> bool {
    never_bundle().iter().copied().chain(extra.iter().map(String::as_str)).any(|glob| matches(glob, name))
}

/// `*` matches any run of characters; everything else literally.
pub fn matches(glob: &str, text: &str) -> bool {
    let mut parts = glob.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let pieces: Vec<&str> = parts.collect();
    for (i, piece) in pieces.iter().enumerate() {
        if i + 1 == pieces.len() {
            return rest.ends_with(piece);
        }
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_c_library_family_stays_on_the_host() {
        for name in ["libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libgcc_s.so.1", "libpthread.so.0"] {
            assert!(excluded(name, &[]), "{name}");
        }
        for name in ["libstdc++.so.6", "libsqlite3.so.0", "libssl.so.3", "libcurl.so.4"] {
            assert!(!excluded(name, &[]), "{name}");
        }
        assert!(excluded("libssl.so.3", &["libssl*".to_string()]));
    }

    #[test]
    fn windows_system_dlls_in_any_case() {
        for name in ["KERNEL32.dll", "msvcrt.dll", "api-ms-win-core-synch-l1-2-0.dll", "WS2_32.dll", "ntdll.dll"] {
            assert!(windows_system(name), "{name}");
        }
        for name in ["libgreet.dll", "libgcc_s_seh-1.dll", "libwinpthread-1.dll", "sqlite3.dll"] {
            assert!(!windows_system(name), "{name}");
        }
    }

    #[test]
    fn glob_matching() {
        assert!(matches("ld-linux*.so*", "ld-linux-x86-64.so.2"));
        assert!(matches("libc.so*", "libc.so.6") && !matches("libc.so*", "libcurl.so.4"));
        assert!(matches("exact", "exact") && !matches("exact", "exactly"));
    }
}

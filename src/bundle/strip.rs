//! `--strip`: the bundle's own copies (never the build in `target/` or a
//! user's file) lose their debug info and static symbol table with the
//! platform's `strip --strip-unneeded`: the dynamic symbols the loader needs
//! stay. Runs before run paths are edited (strip rewrites the file; the
//! edits after it are in place) and before UPX (a packed file cannot be
//! stripped).

use super::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Strip {
    program: PathBuf,
}

impl Strip {
    /// `strip` for ELF; MinGW's `x86_64-w64-mingw32-strip` for Windows PE.
    pub fn find(windows: bool) -> Result<Strip, Error> {
        let (tool, hint) = match windows {
            false => ("strip", "install binutils (Debian: `apt-get install binutils`)"),
            true => (
                "x86_64-w64-mingw32-strip",
                "install MinGW's binutils (Debian: `apt-get install binutils-mingw-w64-x86-64`)",
            ),
        };
        let program = which::which(tool).map_err(|_| Error::MissingTool { tool, hint })?;
        Ok(Strip { program })
    }

    /// Strips `file` in place.
    pub fn strip(&self, file: &Path) -> Result<(), Error> {
        let out = Command::new(&self.program).arg("--strip-unneeded").arg(file).output();
        let command = format!("{} --strip-unneeded {}", self.program.display(), file.display());
        let out = out.map_err(|e| Error::Tool { command: command.clone(), message: e.to_string() })?;
        if !out.status.success() {
            let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(Error::Tool { command, message });
        }
        Ok(())
    }
}

//! The GitHub workflow `cargo freeze init --ci github` writes, from
//! `templates/ci/github.yml`: the binaries to bundle, the branch pushes to
//! which run it (the repository's default branch: git's `origin/HEAD`,
//! else the current branch), and how CI gets this tool: `cargo install
//! --git` from the `repository` of cargo-freeze's own Cargo.toml (the
//! crates.io name `cargo-freeze` belongs to an unrelated project), then a
//! check that `cargo freeze --version` names this tool at a compatible
//! version before anything relies on it.

use std::path::Path;
use std::process::Command;

const GITHUB: &str = include_str!("../../templates/ci/github.yml");

/// Where the branch came from, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BranchSource {
    /// `origin/HEAD`: the remote's default branch.
    OriginHead,
    /// The checked-out branch (no `origin/HEAD`).
    Current,
    /// Not a git repository (or a detached HEAD): `main`.
    Fallback,
}

/// The workflow's text, the branch it runs on pushes to, and why that one.
pub(crate) fn github(bins: &[&str], root: &Path) -> (String, String, BranchSource) {
    let (branch, source) = default_branch(root);
    let quoted: Vec<String> = bins.iter().map(|b| format!("\"{b}\"")).collect();
    let version = env!("CARGO_PKG_VERSION");
    let series = version.rsplit_once('.').map_or(version, |(series, _)| series);
    let text = GITHUB
        .replace("@BINS@", &quoted.join(", "))
        .replace("@BRANCH@", &branch)
        .replace("@REPOSITORY@", env!("CARGO_PKG_REPOSITORY"))
        .replace("@SERIES@", series)
        .replace("@VERSION@", version);
    (text, branch, source)
}

fn default_branch(root: &Path) -> (String, BranchSource) {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    if let Some(head) = git(&["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]) {
        let branch = head.strip_prefix("origin/").unwrap_or(&head).to_string();
        return (branch, BranchSource::OriginHead);
    }
    match git(&["symbolic-ref", "--quiet", "--short", "HEAD"]) {
        Some(branch) => (branch, BranchSource::Current),
        None => ("main".to_string(), BranchSource::Fallback),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_placeholder_is_filled() {
        let dir = tempfile::tempdir().unwrap();
        let (text, branch, source) = super::github(&["a", "b"], dir.path());
        assert_eq!((branch.as_str(), source), ("main", super::BranchSource::Fallback));
        for placeholder in ["@BINS@", "@BRANCH@", "@REPOSITORY@", "@SERIES@", "@VERSION@"] {
            assert!(!text.contains(placeholder), "{placeholder}: {text}");
        }
        assert!(text.contains("bin: [\"a\", \"b\"]") && text.contains(env!("CARGO_PKG_REPOSITORY")), "{text}");
    }
}

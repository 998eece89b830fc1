//! Env vars whose value another program runs as a program: handing the
//! own executable over in one (`cmd.env("RUSTC_WRAPPER", exe)`) makes that
//! program start it again, with arguments of its choosing.

/// Env vars another program runs on its own (not only when a user asks):
/// cargo's and rustc's wrappers, linkers and runners (also per target:
/// `CARGO_TARGET_<TRIPLE>_LINKER`, `CC_<target>`), and the helpers git,
/// ssh and sudo start (editors, pagers, askpass programs). Not `SHELL`: a
/// shell that sets it to itself for the programs it runs is started again
/// only when a user asks.
const RUNS_VALUE: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC",
    "RUSTDOC",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC",
    "CARGO_BUILD_RUSTDOC",
    "CC",
    "CXX",
    "AR",
    "TARGET_CC",
    "HOST_CC",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_SSH",
    "GIT_ASKPASS",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "SSH_ASKPASS",
    "SUDO_ASKPASS",
    "EDITOR",
    "VISUAL",
    "PAGER",
];

/// Whether another program runs the value of env var `key`.
pub(crate) fn runs_value(key: &str) -> bool {
    let per_target = (key.starts_with("CARGO_TARGET_") && (key.ends_with("_LINKER") || key.ends_with("_RUNNER")))
        || ["CC_", "CXX_", "AR_"].iter().any(|p| key.starts_with(p));
    per_target || RUNS_VALUE.contains(&key)
}

/// Wrapper vars cargo runs as `<wrapper> <rustc> <rustc's args>`: the
/// child's first argument is the path of rustc (cargo's `RUSTC`, which
/// names rustc unless a user points it elsewhere).
pub(crate) fn passes_rustc(key: &str) -> bool {
    matches!(
        key,
        "RUSTC_WRAPPER"
            | "RUSTC_WORKSPACE_WRAPPER"
            | "CARGO_BUILD_RUSTC_WRAPPER"
            | "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER"
    )
}

/// Runner vars cargo runs as `<runner> <built executable> <its args>`:
/// the child's first argument is a path into the target directory.
pub(crate) fn passes_executable(key: &str) -> bool {
    key.starts_with("CARGO_TARGET_") && key.ends_with("_RUNNER")
}

#[cfg(test)]
mod tests {
    use super::{passes_executable, runs_value};

    #[test]
    fn runners_by_shape() {
        assert!(runs_value("CARGO_TARGET_{}_RUNNER"));
        assert!(passes_executable("CARGO_TARGET_{}_RUNNER"));
        assert!(passes_executable("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"));
        assert!(!passes_executable("CARGO_TARGET_{}_LINKER"));
        assert!(!runs_value("{}_RUNNER"));
    }

    #[test]
    fn vars_that_name_a_program() {
        for var in [
            "RUSTC_WRAPPER",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
            "CC_aarch64_unknown_linux_gnu",
            "GIT_EDITOR",
        ] {
            assert!(runs_value(var), "{var}");
        }
        for var in ["CARGO_EXPAND_RUSTC_WRAPPER", "PATH", "CARGO_TARGET_DIR", "RUST_LOG", "CCACHE_DIR", "SHELL"] {
            assert!(!runs_value(var), "{var}");
        }
    }
}

//! The snippets `--fix` inserts, kept as files under `templates/fix/` and
//! embedded at build time, rendered for one binary.

const GUARD: &str = include_str!("../../../templates/fix/guard.rs");
const WORKER: &str = include_str!("../../../templates/fix/worker.rs");
const MARKER: &str = include_str!("../../../templates/fix/marker.rs");

/// The name of the function the guard calls: its presence in a file means
/// the guard was inserted before (the fix is idempotent).
pub(super) const WORKER_FN: &str = "fn freeze_worker(";

/// The values one binary's snippets are rendered with.
pub(super) struct Vars<'a> {
    pub bin: &'a str,
    pub marker: &'a str,
    pub max_depth: u32,
}

impl Vars<'_> {
    fn render(&self, template: &str) -> String {
        template
            .replace("@MARKER@", self.marker)
            .replace("@MAX_DEPTH@", &self.max_depth.to_string())
            .replace("@BIN@", self.bin)
    }

    /// The guard, each line indented, starting with a newline (it goes just
    /// after `main`'s opening brace).
    pub(super) fn guard(&self, indent: &str) -> String {
        indented(&self.render(GUARD), indent)
    }

    /// The worker function, appended at the end of the file.
    pub(super) fn worker(&self) -> String {
        self.render(WORKER)
    }

    /// The `.env(..)` call that marks a child, without a trailing newline.
    pub(super) fn marker(&self) -> String {
        self.render(MARKER).trim_end().to_string()
    }
}

/// `lib::init();` for a spawner library whose own guard is its `init`.
pub(super) fn library_init(library: &str, indent: &str) -> String {
    indented(
        &format!("// The {library} child-dispatch guard (`cargo freeze check --fix`).\n{library}::init();\n"),
        indent,
    )
}

fn indented(text: &str, indent: &str) -> String {
    text.lines().map(|line| if line.is_empty() { "\n".to_string() } else { format!("\n{indent}{line}") }).collect()
}

/// The environment variable that marks a child of binary `bin`:
/// `my-app` -> `MY_APP_FREEZE_WORKER`.
pub(super) fn marker_name(bin: &str) -> String {
    let stem: String =
        bin.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("{stem}_FREEZE_WORKER")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_placeholder() {
        let vars = Vars { bin: "my-app", marker: &marker_name("my-app"), max_depth: 8 };
        for text in [vars.guard("    "), vars.worker(), vars.marker()] {
            assert!(!text.contains('@'), "unrendered placeholder in {text}");
            assert!(text.contains("MY_APP_FREEZE_WORKER"), "{text}");
        }
        assert!(vars.worker().contains(WORKER_FN));
        assert!(vars.guard("\t").lines().skip(1).all(|l| l.starts_with('\t')));
        assert_eq!(marker_name("a.b-c_9"), "A_B_C_9_FREEZE_WORKER");
    }
}

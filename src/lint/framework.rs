//! Application frameworks that restart the program for it. tauri's
//! `AppHandle::restart()` (and `request_restart()`, and the free function
//! `tauri::process::restart`) start the program's own executable with the
//! arguments it was started with, then exit: a self-spawn whose child gets
//! no marker, so a restart the child reaches again is a storm.
//!
//! The handle's type comes from declarations (a parameter `app:
//! &AppHandle`, `let h: AppHandle`, an own function `-> &'static
//! AppHandle`) or from tauri's own calls, and only in a program that names
//! `tauri`: `restart()` is too common a method name to match on its own.

use super::index::Program;
use super::value::Val;

/// The path a tauri handle's value is known by ([`Val::Foreign`]).
const TAURI_HANDLE: &str = "tauri::AppHandle";

/// The value a declared type `ty` gives: tauri's handle when the analysed
/// crates do not define an `AppHandle` of their own and name `tauri`.
pub(crate) fn declared(prog: &Program<'_>, ty: &str) -> Option<Val> {
    let tauri = || prog.program_files().any(|f| f.crate_refs.binary_search_by(|r| r.as_str().cmp("tauri")).is_ok());
    (ty == "AppHandle" && !prog.has_methods(ty) && !prog.is_struct(ty) && tauri())
        .then(|| Val::Foreign(TAURI_HANDLE.to_string()))
}

/// Whether `.name(..)` with `args` arguments on what tauri's code made
/// (`path`, the call that made it) restarts the program.
pub(crate) fn restarts(path: &str, name: &str, args: usize) -> bool {
    args == 0 && matches!(name, "restart" | "request_restart") && path.starts_with("tauri::")
}

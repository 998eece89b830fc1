//! The program one binary sees: its own crate plus the crates it can call
//! (its package's library, path dependencies). Resolves paths the way the
//! code wrote them (`use` aliases, `crate::`, `super::`, other crates) to
//! functions of the analysed crates or to canonical external paths.

use super::clap_names::ClapNames;
use super::defs::{CrateDefs, Defs};
use super::ir::{ClapToken, FileIr, FnDef, Name, Pat, UseDef};
use super::library::Library;
use super::memo::Memo;
use std::borrow::Cow;
use std::sync::OnceLock;

mod resolve;
mod sharing;

pub(crate) type FnId = usize;

/// One crate in the program; `name` is how other crates refer to it.
pub(crate) struct CrateView {
    pub name: String,
    pub files: Vec<u32>,
    /// The other crates of the program its code can name (see
    /// [`super::CrateInput::sees`]); `None`: every one.
    pub sees: Option<Vec<usize>>,
}

pub(crate) struct Program<'a> {
    pub files: &'a [FileIr],
    /// The binary's own crate (crate 0; crates 1.. are the library's).
    own_view: CrateView,
    /// The binary's own crate: crate 0, its functions numbered after the
    /// library's.
    own: Defs<'a>,
    /// The crates it links (crates 1..), shared with the other binaries
    /// that link the same ones; their functions are numbered from 0.
    lib: &'a Library<'a>,
    pub clap: Cow<'a, [ClapToken]>,
    /// The names in `clap`, looked up by name.
    pub clap_names: Cow<'a, ClapNames>,
    pub self_spawn_macros: Vec<&'a str>,
    pub marker_macros: Vec<&'a str>,
    /// The binary's own file name (its `[[bin]]` name): a path beside the
    /// executable with this name is the executable ([`super::own_file`]).
    pub bin_name: String,
    /// Answers about the own crate's functions (indexed from `first_fn`).
    own_memo: Memo,
    /// Answers about the library's functions when they cannot be shared
    /// with the library's memo; allocated only then (issue 18: sized to
    /// the whole library, it was allocated and dropped once per binary).
    lib_memo: OnceLock<Memo>,
    /// Whether an arm's `Type::Variant` is never built ([`super::built`]).
    built: std::sync::Mutex<rustc_hash::FxHashMap<String, bool>>,
    /// What the library's memo may hold for this program (see
    /// [`super::index::sharing`]): asked at every memo lookup, so found once.
    shares: sharing::Shares,
}

/// What a path in the code refers to.
#[derive(Debug, PartialEq)]
pub(crate) enum Target {
    /// Functions of the analysed crates (several when ambiguous).
    Fns(Vec<FnId>),
    /// Outside the analysed crates: the canonical path (`std::env::current_exe`).
    External(Vec<Name>),
}

impl<'a> Program<'a> {
    pub(super) fn built_memo(&self) -> &std::sync::Mutex<rustc_hash::FxHashMap<String, bool>> {
        &self.built
    }

    /// The files of the binary's own crate and of the crates it links.
    pub(super) fn program_files(&self) -> impl Iterator<Item = &'a FileIr> + '_ {
        self.own_files().chain(self.lib_files())
    }

    /// The files of the binary's own crate.
    pub(super) fn own_files(&self) -> impl Iterator<Item = &'a FileIr> + '_ {
        self.own_view.files.iter().filter_map(|&f| self.files.get(f as usize))
    }

    /// The files of the crates it links.
    pub(super) fn lib_files(&self) -> impl Iterator<Item = &'a FileIr> + '_ {
        self.lib.crates.iter().flat_map(|c| &c.files).filter_map(|&f| self.files.get(f as usize))
    }

    /// Word counts in the text of the crates it links, shared with the
    /// binaries that link the same ones ([`super::built`]).
    pub(super) fn lib_words(&self) -> &'a std::sync::Mutex<rustc_hash::FxHashMap<String, Option<usize>>> {
        &self.lib.words
    }

    /// The program of a binary whose own crate is `own` (crate 0) and
    /// which links `lib` (crates 1.., described by `crates[1..]`).
    pub(super) fn new(files: &'a [FileIr], own_view: CrateView, lib: &'a Library<'a>) -> Program<'a> {
        let own = Defs::new(files, std::slice::from_ref(&own_view), 0, lib.defs.fns.len());
        let (clap, clap_names) = if own.clap.is_empty() && own.consts.is_empty() {
            (Cow::Borrowed(lib.clap.as_slice()), Cow::Borrowed(&lib.clap_names))
        } else {
            // Constants of the own crate come first, as its clap tokens do.
            let mut clap: Vec<ClapToken> = own.clap.iter().chain(&lib.defs.clap).cloned().collect();
            let first = |name: &str| {
                own.consts_named(name).first().or(lib.defs.consts_named(name).first()).map(|c| c.2.as_str())
            };
            super::defs::resolve_clap_consts(&mut clap, first);
            let names = ClapNames::of(&clap);
            (Cow::Owned(clap), Cow::Owned(names))
        };
        let self_spawn_macros = own.self_spawn_macros.iter().chain(&lib.defs.self_spawn_macros).copied().collect();
        let marker_macros = own.marker_macros.iter().chain(&lib.defs.marker_macros).copied().collect();
        let own_memo = Memo::new(own.fns.len());
        let shares = sharing::Shares::of(&own);
        Program {
            files,
            own_view,
            own,
            lib,
            clap,
            clap_names,
            self_spawn_macros,
            marker_macros,
            bin_name: String::new(),
            own_memo,
            lib_memo: OnceLock::new(),
            built: std::sync::Mutex::default(),
            shares,
        }
    }

    /// Crate `krate` of the program: 0 is the binary's own.
    pub(super) fn krate(&self, krate: usize) -> &CrateView {
        if krate == 0 { &self.own_view } else { &self.lib.crates[krate - 1] }
    }

    /// Every crate of the program, the own crate first.
    pub(super) fn crates(&self) -> impl Iterator<Item = &CrateView> {
        std::iter::once(&self.own_view).chain(&self.lib.crates)
    }

    /// The definitions that hold function `id`.
    fn defs_of(&self, id: FnId) -> &Defs<'a> {
        if id < self.own.first_fn { &self.lib.defs } else { &self.own }
    }

    fn krate_defs(&self, krate: usize) -> Option<&CrateDefs<'a>> {
        if krate == 0 { self.own.krate(0) } else { self.lib.defs.krate(krate) }
    }

    pub(super) fn def(&self, id: FnId) -> &'a FnDef {
        let defs = self.defs_of(id);
        let (_, file, i) = defs.fns[id - defs.first_fn];
        &self.files[file as usize].fns[i]
    }

    pub(super) fn krate_of(&self, id: FnId) -> usize {
        let defs = self.defs_of(id);
        defs.fns[id - defs.first_fn].0
    }

    /// How many functions the program has (ids are `0..fn_count()`).
    pub(super) fn fn_count(&self) -> usize {
        self.own.first_fn + self.own.fns.len()
    }

    /// A function's place in the order the analysis visits them: the own
    /// crate's first, then the library's, each in definition order. (Ids
    /// number the library first so that they are the same in every program
    /// that links it.)
    pub(super) fn order_of(&self, id: FnId) -> usize {
        if id >= self.own.first_fn { id - self.own.first_fn } else { self.own.fns.len() + id }
    }

    /// The function at place `n` of [`Program::order_of`].
    pub(super) fn at_order(&self, n: usize) -> FnId {
        if n < self.own.fns.len() { self.own.first_fn + n } else { n - self.own.fns.len() }
    }

    /// Own ids and the library's, own first (the order code was written in
    /// before the library was shared): a borrowed slice when one is empty.
    fn both<'s>(own: &'s [FnId], lib: &'s [FnId]) -> Cow<'s, [FnId]> {
        match (own.is_empty(), lib.is_empty()) {
            (true, _) => Cow::Borrowed(lib),
            (_, true) => Cow::Borrowed(own),
            _ => Cow::Owned(own.iter().chain(lib).copied().collect()),
        }
    }

    /// Functions named `main` at the root of crate 0 (the binary).
    pub(super) fn main(&self) -> Option<FnId> {
        self.own.krate(0)?.by_path.get(&[][..])?.get("main").and_then(|ids| ids.first().copied())
    }

    pub(super) fn ctors(&self) -> Vec<FnId> {
        self.own.ctors.iter().chain(&self.lib.defs.ctors).copied().collect()
    }

    /// The type of field `field` (a name, or an index for tuple variants)
    /// of enum variant `variant`, if known.
    pub(super) fn payload_type(&self, variant: &str, field: &str) -> Option<&str> {
        let fields = match (self.own.payloads.get(variant), self.lib.defs.payloads.get(variant)) {
            (Some(a), Some(b)) => a.as_ref().filter(|a| Some(*a) == b.as_ref())?,
            (Some(one), None) | (None, Some(one)) => one.as_ref()?,
            (None, None) => return None,
        };
        fields.iter().find(|(name, _)| name == field)?.1.as_deref()
    }

    /// The declared type of struct `ty`'s field `field`, if known (the
    /// library's declaration wins, as the last one indexed did).
    pub(super) fn field_type(&self, ty: &str, field: &str) -> Option<&'a str> {
        self.lib.defs.fields.get(&(ty, field)).or_else(|| self.own.fields.get(&(ty, field))).copied()
    }

    /// The crates that define a trait named `name`.
    pub(super) fn trait_crates(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        self.own.traits.get(name).into_iter().chain(self.lib.defs.traits.get(name)).flatten().copied()
    }

    /// Whether a declared type name is surely not one of the analysed
    /// crates' types with methods (`Self` and one-letter generics are not
    /// known).
    pub(super) fn is_external_type(&self, ty: &str) -> bool {
        ty != "Self" && ty.len() > 1 && !self.has_methods(ty)
    }

    /// Whether the analysed crates define methods for `ty`.
    pub(super) fn has_methods(&self, ty: &str) -> bool {
        self.own.has_methods(ty) || self.lib.defs.has_methods(ty)
    }

    /// Whether `ty` is a struct with named fields in the analysed crates.
    pub(super) fn is_struct(&self, ty: &str) -> bool {
        self.own.structs.contains(ty) || self.lib.defs.structs.contains(ty)
    }

    /// Methods named `name` of type `ty` (`impl Ty { fn name(..) }`).
    pub(super) fn methods_of(&self, ty: &str, name: &str) -> Cow<'_, [FnId]> {
        Self::both(self.own.of_type(ty, name), self.lib.defs.of_type(ty, name))
    }

    /// Every method of type `ty`, in id order.
    pub(super) fn all_methods_of(&self, ty: &str) -> Vec<FnId> {
        let mut ids: Vec<FnId> = self.own.all_of_type(ty).chain(self.lib.defs.all_of_type(ty)).collect();
        ids.sort_unstable();
        ids
    }

    /// The `drop` of `impl Drop for T` when `path` names a type `T` of the
    /// analysed crates (`Guard`, `Guard { .. }`, `Self { .. }` inside
    /// function `from`): a value made here runs it when it is dropped, on
    /// every way out of its scope, a guard's early `return` included.
    pub(super) fn drops_of(&self, from: FnId, path: &[Name]) -> Vec<FnId> {
        let ty = match path.last() {
            Some(last) if *last == "Self" => self.def(from).self_ty,
            last => last.copied(),
        };
        let Some(ty) = ty.filter(|t| t.starts_with(|c: char| c.is_ascii_uppercase())) else { return Vec::new() };
        let drops = self.methods_of(&ty, "drop");
        drops.iter().copied().filter(|&id| self.def(id).of_trait.is_some_and(|t| t == "Drop")).collect()
    }

    /// Methods of the analysed crates named `name` (call `x.name()`).
    pub(super) fn methods_named(&self, name: &str) -> Cow<'_, [FnId]> {
        Self::both(self.own.methods_named(name), self.lib.defs.methods_named(name))
    }

    /// Whether `recv.name(..)` with `n` arguments can call method `id`: it
    /// takes `self` and exactly `n` more. Rust has neither overloading nor
    /// default arguments, so a same-named method of another arity belongs to
    /// some other type (std's `Metadata::is_file()` is never a workspace's
    /// `is_file(&self, path)`; following it made a false recursion, issue 14).
    pub(super) fn takes_args(&self, id: FnId, n: usize) -> bool {
        let params = &self.def(id).params;
        matches!(params.first(), Some(Pat::Bind(name, None)) if name == "self") && params.len() == n + 1
    }

    /// Methods named `name` that a value of a std type can have: those of
    /// trait impls and trait defaults, unless the impl's type has inherent
    /// methods (then the analysed crates define it).
    pub(super) fn trait_methods_named(&self, name: &str) -> Vec<FnId> {
        self.methods_named(name).iter().copied().filter(|&id| self.is_trait_method(id)).collect()
    }

    /// Whether method `id` can be called on a value of another crate's type.
    pub(super) fn is_trait_method(&self, id: FnId) -> bool {
        let local_type = |ty: &str| self.own.inherent_types.contains(ty) || self.lib.defs.inherent_types.contains(ty);
        let def = self.def(id);
        !def.inherent && !def.self_ty.as_deref().is_some_and(local_type)
    }

    fn by_name_anywhere(&self, path: &[Name]) -> Target {
        let name = path.last().map(Name::as_str).unwrap_or_default();
        // Not another type's inherent method: `Self` there is a type whose
        // own methods were looked up first, or a trait's implementor, on
        // which only trait methods can be called (`Self::new(..)` inside
        // `impl From<E> for io::Error` is never some `SearchState::new`).
        let ids: Vec<FnId> = self.methods_named(name).iter().copied().filter(|&id| !self.def(id).inherent).collect();
        match ids.is_empty() {
            false => Target::Fns(ids),
            true => Target::External(path.to_vec()),
        }
    }

    /// Functions named `name` in module `module` of crate `krate`.
    fn fns_at(&self, krate: usize, module: &[Name], name: &str) -> Option<&[FnId]> {
        self.krate_defs(krate)?.by_path.get(module)?.get(name).map(Vec::as_slice)
    }

    fn uses_in(&self, krate: usize, module: &[Name]) -> &[&'a UseDef] {
        self.krate_defs(krate).and_then(|c| c.uses.get(module)).map(Vec::as_slice).unwrap_or(&[])
    }

    fn use_named(&self, krate: usize, module: &[Name], name: &str) -> Option<&'a UseDef> {
        self.uses_in(krate, module).iter().find(|u| !u.glob && u.alias == name).copied()
    }

    fn globs(&self, krate: usize, module: &[Name]) -> Vec<&'a UseDef> {
        self.uses_in(krate, module).iter().filter(|u| u.glob).copied().collect()
    }

    fn module_exists(&self, krate: usize, module: &[Name]) -> bool {
        self.krate_defs(krate).is_some_and(|c| c.modules.contains(module))
    }

    /// The value of a `const`/`static` string named by `path`, if unique.
    pub(super) fn const_str(&self, krate: usize, module: &[Name], path: &[Name]) -> Option<&str> {
        let name = path.last()?;
        let (own, lib) = (self.own.consts_named(name), self.lib.defs.consts_named(name));
        match (own, lib) {
            ([], []) => return None,
            ([one], []) | ([], [one]) => return Some(one.2.as_str()),
            _ => {}
        }
        // Several constants share the name: prefer this module, then this crate.
        let candidates = || own.iter().chain(lib);
        candidates()
            .find(|(k, m, _)| *k == krate && m == module)
            .or_else(|| candidates().find(|(k, _, _)| *k == krate))
            .map(|(_, _, v)| v.as_str())
    }

    /// The canonical form of a path for matching known APIs: use aliases
    /// expanded; unresolvable paths are returned as written.
    pub(super) fn canonical(&self, krate: usize, module: &[Name], path: &[Name]) -> Vec<Name> {
        match self.resolve(krate, module, path) {
            Target::External(p) if !p.is_empty() => p,
            _ => path.to_vec(),
        }
    }
}

//! What a list of crates defines, indexed for lookups by name: functions by
//! module path and by type, methods by name, `use`s, modules, constants,
//! clap tokens, enum payloads and struct fields.
//!
//! A binary's [`super::index::Program`] is two of these: its own crate, and
//! the crates it links (its package's library, path dependencies). The
//! second is built once per run for all the binaries that link the same
//! crates (issue 18: 200 binaries sharing a library index it once), and its
//! functions are numbered first, so its ids are the same in every program
//! that uses it. Lookups take `&str` and `&[Name]` keys and allocate
//! nothing.

use super::index::{CrateView, FnId};
use super::ir::{ClapToken, Fields, FileIr, Name, UseDef};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// One crate's names: where its functions, modules and `use`s are.
#[derive(Default)]
pub(crate) struct CrateDefs<'a> {
    /// Module path -> function name -> ids.
    pub by_path: HashMap<Vec<Name>, HashMap<Name, Vec<FnId>>>,
    pub uses: HashMap<Vec<Name>, Vec<&'a UseDef>>,
    /// Every module path (and prefix) that exists.
    pub modules: HashSet<Vec<Name>>,
}

/// The definitions of a list of crates, numbered from `first_krate` and
/// `first_fn` in the program that uses them.
#[derive(Default)]
pub(crate) struct Defs<'a> {
    /// Every function: (program crate index, file id, index in the file).
    pub fns: Vec<(usize, u32, usize)>,
    pub first_fn: FnId,
    pub first_krate: usize,
    pub crates: Vec<CrateDefs<'a>>,
    /// Type -> method name -> ids (`impl Ty { fn name(..) }`).
    pub by_type: HashMap<Name, HashMap<Name, Vec<FnId>>>,
    /// Method name -> ids, over every type.
    pub methods: HashMap<Name, Vec<FnId>>,
    /// Constant name -> (program crate index, module, value).
    pub consts: HashMap<String, Vec<(usize, Vec<Name>, String)>>,
    /// Clap tokens as written (constants not yet resolved).
    pub clap: Vec<ClapToken>,
    /// Tuple-variant payload types by variant name (None when ambiguous).
    pub payloads: HashMap<String, Option<Fields>>,
    pub self_spawn_macros: Vec<&'a str>,
    pub marker_macros: Vec<&'a str>,
    /// Types with inherent methods.
    pub inherent_types: HashSet<&'a str>,
    /// Struct field types by (struct, field).
    pub fields: HashMap<(&'a str, &'a str), &'a str>,
    /// Structs with named fields.
    pub structs: HashSet<&'a str>,
    /// The crates that define a trait of that name.
    pub traits: HashMap<&'a str, Vec<usize>>,
    /// Functions that run before `main` (`#[ctor]`).
    pub ctors: Vec<FnId>,
}

impl<'a> Defs<'a> {
    /// Indexes `crates`, the first of which is crate `first_krate` of the
    /// program and whose first function gets id `first_fn`.
    pub(super) fn new(files: &'a [FileIr], crates: &[CrateView], first_krate: usize, first_fn: FnId) -> Defs<'a> {
        let mut d = Defs { first_fn, first_krate, ..Defs::default() };
        for (i, view) in crates.iter().enumerate() {
            let mut names = CrateDefs::default();
            for &file in &view.files {
                d.add_file(&files[file as usize], file, first_krate + i, &mut names);
            }
            d.crates.push(names);
        }
        d
    }

    fn add_file(&mut self, ir: &'a FileIr, file: u32, krate: usize, names: &mut CrateDefs<'a>) {
        for module in std::iter::once(&ir.module).chain(ir.fns.iter().map(|f| &f.module)) {
            for len in 0..=module.len() {
                if !names.modules.contains(&module[..len]) {
                    names.modules.insert(module[..len].to_vec());
                }
            }
        }
        for (i, f) in ir.fns.iter().enumerate() {
            let id = self.first_fn + self.fns.len();
            self.fns.push((krate, file, i));
            // A path names a free function only: a method is reached through
            // its type (`Type::f`, `Self::f`, `x.f()`). Indexed by its module
            // too, `spawn(..)` inside `impl Ctx { fn spawn(&self, ..) }`
            // resolved to that method, not to the `use`d free function it
            // calls, and the own executable passed on was lost (issue 14).
            if f.self_ty.is_none() {
                names.by_path.entry(f.module.clone()).or_default().entry(f.name).or_default().push(id);
            }
            if let Some(ty) = &f.self_ty {
                let of_type = self.by_type.entry(*ty).or_default();
                of_type.entry(f.name).or_default().push(id);
                self.methods.entry(f.name).or_default().push(id);
                if f.inherent {
                    self.inherent_types.insert(ty.as_str());
                }
            }
            if f.attrs.ctor {
                self.ctors.push(id);
            }
        }
        for name in &ir.traits {
            self.traits.entry(name.as_str()).or_default().push(krate);
        }
        for u in &ir.uses {
            names.uses.entry(u.module.clone()).or_default().push(u);
        }
        for (module, name, value) in &ir.consts {
            self.consts.entry(name.clone()).or_default().push((krate, module.clone(), value.clone()));
        }
        self.clap.extend(ir.clap.iter().cloned());
        for (ty, field, field_ty) in &ir.fields {
            self.fields.insert((ty.as_str(), field.as_str()), field_ty.as_str());
            self.structs.insert(ty.as_str());
        }
        for (variant, types) in &ir.payloads {
            self.payloads
                .entry(variant.clone())
                .and_modify(|known| {
                    if known.as_ref() != Some(types) {
                        *known = None;
                    }
                })
                .or_insert_with(|| Some(types.clone()));
        }
        self.self_spawn_macros.extend(ir.self_spawn_macros.iter().map(String::as_str));
        self.marker_macros.extend(ir.marker_macros.iter().map(String::as_str));
    }

    /// The crate with program index `krate`, if it is one of these.
    pub(super) fn krate(&self, krate: usize) -> Option<&CrateDefs<'a>> {
        krate.checked_sub(self.first_krate).and_then(|i| self.crates.get(i))
    }

    /// Whether `ty` has methods here (inherent or of a trait impl).
    pub(super) fn has_methods(&self, ty: &str) -> bool {
        self.inherent_types.contains(ty) || self.by_type.contains_key(ty)
    }

    pub(super) fn of_type(&self, ty: &str, name: &str) -> &[FnId] {
        self.by_type.get(ty).and_then(|m| m.get(name)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every method of type `ty` here, whatever its name.
    pub(super) fn all_of_type(&self, ty: &str) -> impl Iterator<Item = FnId> + '_ {
        self.by_type.get(ty).into_iter().flat_map(|m| m.values().flatten().copied())
    }

    pub(super) fn methods_named(&self, name: &str) -> &[FnId] {
        self.methods.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    pub(super) fn consts_named(&self, name: &str) -> &[(usize, Vec<Name>, String)] {
        self.consts.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether these definitions define methods (`impl` blocks, trait
    /// defaults): a call by method name, `Type::f` or `Self::f` in any
    /// crate can reach them.
    pub(super) fn defines_methods(&self) -> bool {
        !self.methods.is_empty()
    }

    /// Whether these definitions (a binary's own crate) can change what
    /// the code of other crates resolves to or evaluates to: they define
    /// methods (reached by name or type from anywhere), constants, clap
    /// tokens, enum payloads, struct fields or self-spawning macros. A
    /// binary whose own crate defines none of them sees the crates it links
    /// exactly as every other such binary does, so what is computed about
    /// their functions can be shared (see [`super::index::Program::memo_for_eval`]).
    pub(super) fn is_private(&self) -> bool {
        self.methods.is_empty()
            && self.by_type.is_empty()
            && self.inherent_types.is_empty()
            && self.consts.is_empty()
            && self.clap.is_empty()
            && self.payloads.is_empty()
            && self.fields.is_empty()
            && self.self_spawn_macros.is_empty()
            && self.marker_macros.is_empty()
    }
}

/// Clap names given as constants become the constants' values (`lookup`
/// gives the first constant of a name, in program order).
pub(crate) fn resolve_clap_consts<'c>(clap: &mut [ClapToken], lookup: impl Fn(&str) -> Option<&'c str>) {
    for entry in clap {
        for token in &mut entry.tokens {
            if let Some(name) = token.strip_prefix(crate::lint::lower::CONST_TOKEN)
                && let Some(value) = lookup(name)
            {
                *token = value.to_string();
            }
        }
    }
}

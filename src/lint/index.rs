//! The program one binary sees: its own crate plus the crates it can call
//! (its package's library, path dependencies). Resolves paths the way the
//! code wrote them (`use` aliases, `crate::`, `super::`, other crates) to
//! functions of the analysed crates or to canonical external paths.

use super::ir::{ClapToken, Fields, FileIr, FnDef, Pat, Path, UseDef};
use std::collections::{HashMap, HashSet};

pub(crate) type FnId = usize;

/// One crate in the program; `name` is how other crates refer to it.
pub(crate) struct CrateView {
    pub name: String,
    pub files: Vec<u32>,
}

pub(crate) struct Program<'a> {
    pub files: &'a [FileIr],
    pub crates: Vec<CrateView>,
    /// Every function: (crate index, file id, index in the file).
    pub fns: Vec<(usize, u32, usize)>,
    by_path: HashMap<(usize, Vec<String>, String), Vec<FnId>>,
    by_type: HashMap<(String, String), Vec<FnId>>,
    methods: HashMap<String, Vec<FnId>>,
    uses: HashMap<(usize, Vec<String>), Vec<&'a UseDef>>,
    consts: HashMap<String, Vec<(usize, Vec<String>, String)>>,
    /// Every module path (and prefix) that exists, per crate.
    modules: HashSet<(usize, Vec<String>)>,
    pub clap: Vec<ClapToken>,
    /// Tuple-variant payload types by variant name (None when ambiguous).
    payloads: HashMap<String, Option<Fields>>,
    pub self_spawn_macros: Vec<&'a str>,
    /// Types with inherent methods: the analysed crates define them.
    inherent_types: HashSet<&'a str>,
    /// Struct field types by (struct, field).
    fields: HashMap<(&'a str, &'a str), &'a str>,
}

/// What a path in the code refers to.
#[derive(Debug, PartialEq)]
pub(crate) enum Target {
    /// Functions of the analysed crates (several when ambiguous).
    Fns(Vec<FnId>),
    /// Outside the analysed crates: the canonical path (`std::env::current_exe`).
    External(Path),
}

impl<'a> Program<'a> {
    pub fn new(files: &'a [FileIr], crates: Vec<CrateView>) -> Program<'a> {
        let mut p = Program {
            files,
            crates,
            fns: Vec::new(),
            by_path: HashMap::new(),
            by_type: HashMap::new(),
            methods: HashMap::new(),
            uses: HashMap::new(),
            consts: HashMap::new(),
            modules: HashSet::new(),
            payloads: HashMap::new(),
            clap: Vec::new(),
            self_spawn_macros: Vec::new(),
            inherent_types: HashSet::new(),
            fields: HashMap::new(),
        };
        for (krate, view) in p.crates.iter().enumerate() {
            for &file in &view.files {
                let ir = &files[file as usize];
                for module in std::iter::once(&ir.module).chain(ir.fns.iter().map(|f| &f.module)) {
                    for len in 0..=module.len() {
                        p.modules.insert((krate, module[..len].to_vec()));
                    }
                }
                for (i, f) in ir.fns.iter().enumerate() {
                    let id = p.fns.len();
                    p.fns.push((krate, file, i));
                    p.by_path.entry((krate, f.module.clone(), f.name.clone())).or_default().push(id);
                    if let Some(ty) = &f.self_ty {
                        p.by_type.entry((ty.clone(), f.name.clone())).or_default().push(id);
                        p.methods.entry(f.name.clone()).or_default().push(id);
                        if f.inherent {
                            p.inherent_types.insert(ty.as_str());
                        }
                    }
                }
                for u in &ir.uses {
                    p.uses.entry((krate, u.module.clone())).or_default().push(u);
                }
                for (module, name, value) in &ir.consts {
                    p.consts.entry(name.clone()).or_default().push((krate, module.clone(), value.clone()));
                }
                p.clap.extend(ir.clap.iter().cloned());
                for (ty, field, field_ty) in &ir.fields {
                    p.fields.insert((ty.as_str(), field.as_str()), field_ty.as_str());
                }
                for (variant, types) in &ir.payloads {
                    p.payloads
                        .entry(variant.clone())
                        .and_modify(|known| {
                            if known.as_ref() != Some(types) {
                                *known = None;
                            }
                        })
                        .or_insert_with(|| Some(types.clone()));
                }
                p.self_spawn_macros.extend(ir.self_spawn_macros.iter().map(String::as_str));
            }
        }
        p.resolve_clap_consts();
        p
    }

    /// Clap names given as constants become the constants' values.
    fn resolve_clap_consts(&mut self) {
        let mut clap = std::mem::take(&mut self.clap);
        for entry in &mut clap {
            for token in &mut entry.tokens {
                if let Some(name) = token.strip_prefix(crate::lint::lower::CONST_TOKEN).map(str::to_string)
                    && let Some(value) = self.consts.get(&name).and_then(|c| c.first())
                {
                    *token = value.2.clone();
                }
            }
        }
        self.clap = clap;
    }

    pub fn def(&self, id: FnId) -> &'a FnDef {
        let (_, file, i) = self.fns[id];
        &self.files[file as usize].fns[i]
    }

    pub fn krate_of(&self, id: FnId) -> usize {
        self.fns[id].0
    }

    /// Functions named `main` at the root of crate 0 (the binary).
    pub fn main(&self) -> Option<FnId> {
        self.by_path.get(&(0, Vec::new(), "main".to_string())).and_then(|ids| ids.first().copied())
    }

    pub fn ctors(&self) -> Vec<FnId> {
        (0..self.fns.len()).filter(|&id| self.def(id).attrs.ctor).collect()
    }

    /// The type of field `field` (a name, or an index for tuple variants)
    /// of enum variant `variant`, if known.
    pub fn payload_type(&self, variant: &str, field: &str) -> Option<&str> {
        let fields = self.payloads.get(variant)?.as_ref()?;
        fields.iter().find(|(name, _)| name == field)?.1.as_deref()
    }

    /// The declared type of struct `ty`'s field `field`, if known.
    pub fn field_type(&self, ty: &str, field: &str) -> Option<&'a str> {
        self.fields.get(&(ty, field)).copied()
    }

    /// Whether a declared type name is surely not one of the analysed
    /// crates' types with methods (`Self` and one-letter generics are not
    /// known).
    pub fn is_external_type(&self, ty: &str) -> bool {
        ty != "Self" && ty.len() > 1 && !self.has_methods(ty)
    }

    /// Whether the analysed crates define methods for `ty`.
    pub fn has_methods(&self, ty: &str) -> bool {
        self.inherent_types.contains(ty) || self.by_type.keys().any(|(t, _)| t == ty)
    }

    /// Methods named `name` of type `ty` (`impl Ty { fn name(..) }`).
    pub fn methods_of(&self, ty: &str, name: &str) -> &[FnId] {
        self.by_type.get(&(ty.to_string(), name.to_string())).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Methods of the analysed crates named `name` (call `x.name()`).
    pub fn methods_named(&self, name: &str) -> &[FnId] {
        self.methods.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether `recv.name(..)` with `n` arguments can call method `id`: it
    /// takes `self` and exactly `n` more. Rust has neither overloading nor
    /// default arguments, so a same-named method of another arity belongs to
    /// some other type (std's `Metadata::is_file()` is never a workspace's
    /// `is_file(&self, path)`; following it made a false recursion, issue 14).
    pub fn takes_args(&self, id: FnId, n: usize) -> bool {
        let params = &self.def(id).params;
        matches!(params.first(), Some(Pat::Bind(name, None)) if name == "self") && params.len() == n + 1
    }

    /// Methods named `name` that a value of a std type can have: those of
    /// trait impls and trait defaults, unless the impl's type has inherent
    /// methods (then the analysed crates define it).
    pub fn trait_methods_named(&self, name: &str) -> Vec<FnId> {
        let local_type = |ty: &str| self.inherent_types.contains(ty);
        self.methods_named(name)
            .iter()
            .copied()
            .filter(|&id| {
                let def = self.def(id);
                !def.inherent && !def.self_ty.as_deref().is_some_and(local_type)
            })
            .collect()
    }

    /// Resolves `path` as written inside function `id`: its crate, its
    /// module, and `Self` as its `impl` type.
    pub fn resolve_from(&self, id: FnId, path: &[String]) -> Target {
        let def = self.def(id);
        if path.first().is_some_and(|s| s == "Self")
            && let Some(ty) = &def.self_ty
            && path.len() == 2
            && let Some(ids) = self.by_type.get(&(ty.clone(), path[1].clone()))
        {
            return Target::Fns(ids.clone());
        }
        self.resolve(self.krate_of(id), &def.module, path)
    }

    /// Resolves `path` as written in module `module` of crate `krate`.
    pub fn resolve(&self, krate: usize, module: &[String], path: &[String]) -> Target {
        self.resolve_depth(krate, module, path, 0)
    }

    fn resolve_depth(&self, krate: usize, module: &[String], path: &[String], depth: u8) -> Target {
        let Some(first) = path.first() else {
            return Target::External(Vec::new());
        };
        if depth > 6 {
            return Target::External(path.to_vec());
        }
        let rest = &path[1..];
        match first.as_str() {
            "crate" => return self.absolute(krate, Vec::new(), rest, depth),
            "self" => return self.absolute(krate, module.to_vec(), rest, depth),
            "super" => {
                let parent = module[..module.len().saturating_sub(1)].to_vec();
                return self.resolve_depth(krate, &parent, &prefixed("self", rest), depth + 1);
            }
            "Self" => return self.by_name_anywhere(path),
            _ => {}
        }
        if rest.is_empty()
            && let Some(ids) = self.by_path.get(&(krate, module.to_vec(), first.clone()))
        {
            return Target::Fns(ids.clone());
        }
        // `use evcxr::{self};` or `use evcxr;` names the crate by itself:
        // expanding it would only loop.
        if let Some(u) = self.use_named(krate, module, first)
            && u.path != [first.clone()]
        {
            let mut expanded = u.path.clone();
            expanded.extend_from_slice(rest);
            return self.resolve_depth(krate, module, &expanded, depth + 1);
        }
        if let Some(other) = self.crates.iter().position(|c| &c.name == first) {
            return self.absolute(other, Vec::new(), rest, depth);
        }
        let mut local = module.to_vec();
        local.push(first.clone());
        if self.module_exists(krate, &local) {
            return self.absolute(krate, local, rest, depth);
        }
        if self.module_exists(krate, std::slice::from_ref(first)) {
            return self.absolute(krate, vec![first.clone()], rest, depth);
        }
        if rest.is_empty() {
            for u in self.globs(krate, module) {
                let mut expanded = u.path.clone();
                expanded.push(first.clone());
                if let Target::Fns(ids) = self.resolve_depth(krate, module, &expanded, depth + 1) {
                    return Target::Fns(ids);
                }
            }
        }
        // `Type::function` with a type of the analysed crates. A longer path
        // that reached here starts outside them (`std::process::Command::new`
        // is not some analysed `Command::new`).
        if let [ty, func] = path
            && let Some(ids) = self.by_type.get(&(ty.clone(), func.clone()))
        {
            return Target::Fns(ids.clone());
        }
        Target::External(path.to_vec())
    }

    /// `crate::a::b::f` style: walk modules from the crate root.
    fn absolute(&self, krate: usize, mut module: Vec<String>, rest: &[String], depth: u8) -> Target {
        let Some((name, mods)) = rest.split_last() else {
            return Target::External(Vec::new());
        };
        for (i, seg) in mods.iter().enumerate() {
            let mut next = module.clone();
            next.push(seg.clone());
            if self.module_exists(krate, &next) {
                module = next;
                continue;
            }
            // A re-export (`pub use`) or a type: resolve the remainder there.
            let remainder = &rest[i..];
            if let Some(u) = self.use_named(krate, &module, seg) {
                let mut expanded = u.path.clone();
                expanded.extend_from_slice(&remainder[1..]);
                return self.resolve_depth(krate, &module, &expanded, depth + 1);
            }
            if let Some(ids) = self.by_type.get(&(seg.clone(), name.clone())) {
                return Target::Fns(ids.clone());
            }
            return Target::External(rest.to_vec());
        }
        if let Some(ids) = self.by_path.get(&(krate, module.clone(), name.clone())) {
            return Target::Fns(ids.clone());
        }
        if let Some(u) = self.use_named(krate, &module, name) {
            return self.resolve_depth(krate, &module, &u.path.clone(), depth + 1);
        }
        Target::External(rest.to_vec())
    }

    fn by_name_anywhere(&self, path: &[String]) -> Target {
        let name = path.last().cloned().unwrap_or_default();
        match self.methods.get(&name) {
            Some(ids) => Target::Fns(ids.clone()),
            None => Target::External(path.to_vec()),
        }
    }

    fn use_named(&self, krate: usize, module: &[String], name: &str) -> Option<&'a UseDef> {
        self.uses.get(&(krate, module.to_vec()))?.iter().find(|u| !u.glob && u.alias == name).copied()
    }

    fn globs(&self, krate: usize, module: &[String]) -> Vec<&'a UseDef> {
        self.uses
            .get(&(krate, module.to_vec()))
            .map(|list| list.iter().filter(|u| u.glob).copied().collect())
            .unwrap_or_default()
    }

    fn module_exists(&self, krate: usize, module: &[String]) -> bool {
        self.modules.contains(&(krate, module.to_vec()))
    }

    /// The value of a `const`/`static` string named by `path`, if unique.
    pub fn const_str(&self, krate: usize, module: &[String], path: &[String]) -> Option<&str> {
        let name = path.last()?;
        let candidates = self.consts.get(name)?;
        if candidates.len() == 1 {
            return Some(candidates[0].2.as_str());
        }
        // Several constants share the name: prefer this module, then this crate.
        candidates
            .iter()
            .find(|(k, m, _)| *k == krate && m == module)
            .or_else(|| candidates.iter().find(|(k, _, _)| *k == krate))
            .map(|(_, _, v)| v.as_str())
    }

    /// The canonical form of a path for matching known APIs: use aliases
    /// expanded; unresolvable paths are returned as written.
    pub fn canonical(&self, krate: usize, module: &[String], path: &[String]) -> Path {
        match self.resolve(krate, module, path) {
            Target::External(p) if !p.is_empty() => p,
            _ => path.to_vec(),
        }
    }
}

fn prefixed(first: &str, rest: &[String]) -> Vec<String> {
    let mut out = vec![first.to_string()];
    out.extend_from_slice(rest);
    out
}

//! Path resolution: a path as the code wrote it (`use` aliases, `crate::`,
//! `super::`, other crates, glob imports) to the functions of the analysed
//! crates it names, or to its canonical external path.
//!
//! Glob imports branch: `name` in a module with twenty `pub use
//! self::x::*;` is looked for in twenty modules, each of which may import
//! the first one's globs back (`use crate::models::*;` in every model file).
//! Followed as a tree, an unknown name cost up to 20^6 lookups, and one
//! public workspace took 22 s of CPU per binary (issue 18). A search that
//! found nothing is remembered for the rest of the resolution, so each
//! (crate, module, name) is searched at most once per depth.

use super::{FnId, Program, Target};
use crate::lint::ir::Name;
use crate::lint::name::intern;
use rustc_hash::FxHashMap;

/// How many `use`s, `super`s and glob imports one resolution follows.
const MAX_DEPTH: u8 = 6;

impl Program<'_> {
    /// Resolves `path` as written inside function `id`: its crate, its
    /// module, and `Self` as its `impl` type.
    pub(crate) fn resolve_from(&self, id: FnId, path: &[Name]) -> Target {
        let def = self.def(id);
        if path.first().is_some_and(|s| s == "Self")
            && let Some(ty) = &def.self_ty
            && path.len() == 2
            && let ids = self.methods_of(ty, &path[1])
            && !ids.is_empty()
        {
            return Target::Fns(ids.into_owned());
        }
        self.resolve(self.krate_of(id), &def.module, path)
    }

    /// Resolves `path` as written in module `module` of crate `krate`.
    pub(crate) fn resolve(&self, krate: usize, module: &[Name], path: &[Name]) -> Target {
        Search::new(self).resolve(krate, module, path, 0)
    }
}

/// One resolution.
struct Search<'p, 'a> {
    prog: &'p Program<'a>,
    /// Glob searches that found nothing: (crate, module, name) -> the
    /// smallest depth one started at. A search is a function of these and
    /// of its depth, and one with less depth left explores part of what one
    /// with more explored, so it finds nothing either.
    fruitless: FxHashMap<(usize, Vec<Name>, Name), u8>,
    /// Calls of [`Search::resolve`], for the test of the bound.
    steps: usize,
}

impl<'p, 'a> Search<'p, 'a> {
    fn new(prog: &'p Program<'a>) -> Search<'p, 'a> {
        Search { prog, fruitless: FxHashMap::default(), steps: 0 }
    }

    fn resolve(&mut self, krate: usize, module: &[Name], path: &[Name], depth: u8) -> Target {
        self.steps += 1;
        let prog = self.prog;
        let Some(first) = path.first() else {
            return Target::External(Vec::new());
        };
        if depth > MAX_DEPTH {
            return Target::External(path.to_vec());
        }
        let rest = &path[1..];
        match first.as_str() {
            "crate" => return self.absolute(krate, Vec::new(), rest, depth),
            "self" => return self.absolute(krate, module.to_vec(), rest, depth),
            "super" => {
                let parent = module[..module.len().saturating_sub(1)].to_vec();
                let mut expanded = vec![intern("self")];
                expanded.extend_from_slice(rest);
                return self.resolve(krate, &parent, &expanded, depth + 1);
            }
            "Self" => return prog.by_name_anywhere(path),
            _ => {}
        }
        if rest.is_empty()
            && let Some(ids) = prog.fns_at(krate, module, first)
        {
            return Target::Fns(ids.to_vec());
        }
        // `use evcxr::{self};` or `use evcxr;` names the crate by itself:
        // expanding it would only loop.
        if let Some(u) = prog.use_named(krate, module, first)
            && *u.path != [*first]
        {
            let mut expanded = u.path.to_vec();
            expanded.extend_from_slice(rest);
            return self.resolve(krate, module, &expanded, depth + 1);
        }
        if let Some(other) = prog.crates().position(|c| &c.name == first) {
            return self.absolute(other, Vec::new(), rest, depth);
        }
        let mut local = module.to_vec();
        local.push(*first);
        if prog.module_exists(krate, &local) {
            return self.absolute(krate, local, rest, depth);
        }
        if prog.module_exists(krate, std::slice::from_ref(first)) {
            return self.absolute(krate, vec![*first], rest, depth);
        }
        if rest.is_empty()
            && let Some(found) = self.through_globs(krate, module, *first, depth)
        {
            return found;
        }
        // `Type::function` with a type of the analysed crates. A longer path
        // that reached here starts outside them (`std::process::Command::new`
        // is not some analysed `Command::new`).
        if let [ty, func] = path
            && let ids = prog.methods_of(ty, func)
            && !ids.is_empty()
        {
            return Target::Fns(ids.into_owned());
        }
        Target::External(path.to_vec())
    }

    /// `crate::a::b::f` style: walk modules from the crate root.
    fn absolute(&mut self, krate: usize, mut module: Vec<Name>, rest: &[Name], depth: u8) -> Target {
        let prog = self.prog;
        let Some((name, mods)) = rest.split_last() else {
            return Target::External(Vec::new());
        };
        for (i, seg) in mods.iter().enumerate() {
            let mut next = module.clone();
            next.push(*seg);
            if prog.module_exists(krate, &next) {
                module = next;
                continue;
            }
            // A re-export (`pub use`) or a type: resolve the remainder there.
            let remainder = &rest[i..];
            if let Some(u) = prog.use_named(krate, &module, seg) {
                let mut expanded = u.path.to_vec();
                expanded.extend_from_slice(&remainder[1..]);
                return self.resolve(krate, &module, &expanded, depth + 1);
            }
            let ids = prog.methods_of(seg, name);
            if !ids.is_empty() {
                return Target::Fns(ids.into_owned());
            }
            return Target::External(rest.to_vec());
        }
        if let Some(ids) = prog.fns_at(krate, &module, name) {
            return Target::Fns(ids.to_vec());
        }
        if let Some(u) = prog.use_named(krate, &module, name) {
            return self.resolve(krate, &module, &u.path, depth + 1);
        }
        // `pub use client::*;` in that module re-exports `client`'s functions.
        self.through_globs(krate, &module, *name, depth).unwrap_or_else(|| Target::External(rest.to_vec()))
    }

    /// `name` as one of the names the glob imports of `module` bring in.
    fn through_globs(&mut self, krate: usize, module: &[Name], name: Name, depth: u8) -> Option<Target> {
        let globs = self.prog.globs(krate, module);
        if globs.is_empty() {
            return None;
        }
        let key = (krate, module.to_vec(), name);
        if self.fruitless.get(&key).is_some_and(|&searched| searched <= depth) {
            return None;
        }
        let found = globs.into_iter().find_map(|u| {
            let mut expanded = u.path.to_vec();
            expanded.push(name);
            match self.resolve(krate, module, &expanded, depth + 1) {
                Target::Fns(ids) => Some(Target::Fns(ids)),
                Target::External(_) => None,
            }
        });
        if found.is_none() {
            let searched = self.fruitless.entry(key).or_insert(depth);
            *searched = (*searched).min(depth);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::index::CrateView;
    use crate::lint::library::Library;
    use crate::lint::load::{Loaded, parse_text};

    /// `modules` inline modules, each importing every other's names by
    /// glob and defining a function (a module is known by its items), the
    /// first also `found`.
    fn glob_web(modules: usize) -> String {
        let mut text = String::new();
        for i in 0..modules {
            text.push_str(&format!("mod m{i} {{\n"));
            for j in (0..modules).filter(|&j| j != i) {
                text.push_str(&format!("    pub use crate::m{j}::*;\n"));
            }
            text.push_str(&format!("    pub fn f{i}() {{}}\n"));
            if i == 0 {
                text.push_str("    pub fn found() {}\n");
            }
            text.push_str("}\n");
        }
        text
    }

    #[test]
    fn a_web_of_glob_imports_is_searched_once_per_depth() {
        let modules = 12;
        let loaded =
            Loaded { files: vec![parse_text(&glob_web(modules), Vec::new(), 0, None)], crates: Default::default() };
        let lib = Library::empty();
        let prog = Program::new(&loaded.files, CrateView { name: "crate".into(), files: vec![0], sees: None }, &lib);
        let in_last = [intern(&format!("m{}", modules - 1))];
        let mut search = Search::new(&prog);
        assert!(matches!(search.resolve(0, &in_last, &[intern("found")], 0), Target::Fns(ids) if ids.len() == 1));
        let mut search = Search::new(&prog);
        assert!(matches!(search.resolve(0, &in_last, &[intern("missing")], 0), Target::External(_)));
        // Followed as a tree: 11 globs at each of 7 levels, 21 million steps.
        let bound = modules * modules * (usize::from(MAX_DEPTH) + 2);
        assert!(search.steps <= bound, "{} steps (bound {bound})", search.steps);
    }
}

//! Values of the analysed crates' types handed to code outside them
//! (`event_loop.run_app(&mut app)`, `serve(Box::new(handler))`). That code
//! cannot name their types, only its own traits (and std's), so what it can
//! call on the value are the methods of the value's impls of traits the
//! analysed crates do not define (winit's `ApplicationHandler`, std's
//! `Iterator`), inside the call and when it chooses. The call graph had no
//! edge to them, so a GUI program whose key handler starts a copy of itself
//! was `no-self-spawn` (issue 14).

use super::index::{FnId, Program, Target};
use super::ir::{Expr, FnDef, Name, Pat, Stmt};
use super::receiver::StdValues;
use super::receiver::WRAPPERS;
use super::shapes::constructed_type;
use super::visit::for_each_expr;
use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

/// The methods code outside the analysed crates can call on a value of
/// type `ty`: those of its impls of other crates' traits that take `self`.
/// Not `drop`, which runs where the value is dropped
/// ([`Program::drops_of`]).
pub(crate) fn trait_methods(prog: &Program<'_>, ty: &str) -> Vec<FnId> {
    let mut ids = type_methods(prog, ty);
    ids.retain(|&id| takes_self(prog.def(id)));
    ids
}

/// The functions code outside the analysed crates can call given the
/// type `ty` itself (`run::<App>()`, `collect::<App>()`): those of its impls
/// of other crates' traits, `self` or not (`FromIterator::from_iter` and a
/// GUI framework's `Application::init` make the value).
pub(crate) fn type_methods(prog: &Program<'_>, ty: &str) -> Vec<FnId> {
    let mut ids = prog.all_methods_of(ty);
    ids.retain(|&id| {
        let def = prog.def(id);
        // A trait written as a path (`fmt::Display`) is another crate's.
        let foreign = def.of_trait.as_ref().is_none_or(|t| prog.trait_crates(t).next().is_none());
        !def.inherent && !def.trait_default && foreign && def.name != "drop"
    });
    ids
}

pub(crate) fn takes_self(def: &FnDef) -> bool {
    matches!(def.params.first(), Some(Pat::Bind(name, None)) if name == "self")
}

/// The value an argument hands on, through `&`, `&mut` and the wrappers
/// that only hold it (`Box::new(app)`, `Some(app)`).
pub(crate) fn held(e: &Expr) -> &Expr {
    match e.peel() {
        Expr::Call { func, args, .. } if args.len() == 1 && is_wrapper(func) => held(&args[0]),
        other => other,
    }
}

/// A wrapper's constructor (`Box::new`, `Arc::new`, `Some`, `Ok`): it keeps
/// the value and calls none of its methods, so it hands nothing on.
pub(crate) fn is_wrapper(func: &Expr) -> bool {
    matches!(func.peel(), Expr::Path(p, _) if p.iter().any(|s| WRAPPERS.contains(&s.as_str()) || s == "Err"))
}

/// Whether `recv.name(..)` with `args` arguments can only be another
/// crate's method: no method of the analysed crates takes that many.
pub(crate) fn outside_method(prog: &Program<'_>, name: &str, args: usize) -> bool {
    !prog.methods_named(name).iter().any(|&id| prog.takes_args(id, args))
}

/// Whether `call`, in function `id`, runs another crate's code: a path that
/// resolves outside, or a method no analysed type has with that many
/// arguments, or one called on another crate's value.
pub(crate) fn runs_outside(prog: &Program<'_>, id: FnId, call: &Expr, values: &StdValues<'_, '_>) -> bool {
    match call.peel() {
        Expr::Call { func, .. } => {
            matches!(func.peel(), Expr::Path(path, _) if matches!(prog.resolve_from(id, path), Target::External(_)))
        }
        Expr::Method { recv, name, args, .. } => outside_method(prog, name, args.len()) || values.is_foreign(recv),
        _ => false,
    }
}

/// The analysed types of the values a function's body hands on, as its
/// syntax tells them (the call graph's view; the walk has the values).
pub(crate) struct Typing<'p, 'a> {
    prog: &'p Program<'a>,
    id: FnId,
    /// Locals every `let` of which gives them one type, computed on first use.
    lets: OnceCell<HashMap<Name, Option<Name>>>,
}

impl<'p, 'a> Typing<'p, 'a> {
    pub(crate) fn new(prog: &'p Program<'a>, id: FnId) -> Self {
        Typing { prog, id, lets: OnceCell::new() }
    }

    /// The methods another crate's code may call on the values of `args`,
    /// handed to it by a call.
    pub(crate) fn handed(&self, args: &[Expr]) -> Vec<FnId> {
        args.iter().filter_map(|a| self.type_of(held(a))).flat_map(|ty| trait_methods(self.prog, &ty)).collect()
    }

    /// `self` in a method of that type, a parameter declared of it, a
    /// struct literal, a constructor (`App::new(..)`), or a local every
    /// `let` of which is one of these: a type the analysed crates give
    /// methods.
    fn type_of(&self, e: &Expr) -> Option<Name> {
        let def = self.prog.def(self.id);
        let ty = match e {
            Expr::Path(p, _) if p.len() == 1 && p[0] == "self" => def.self_ty.filter(|_| !def.trait_default),
            Expr::Path(p, _) if p.len() == 1 => match self.lets().get(&p[0]) {
                Some(ty) => *ty,
                None => param_type(def, &p[0]),
            },
            _ => literal_type(def, e),
        };
        ty.filter(|t| self.prog.has_methods(t))
    }

    fn lets(&self) -> &HashMap<Name, Option<Name>> {
        self.lets.get_or_init(|| typed_lets(self.prog.def(self.id)))
    }
}

/// The declared type of parameter `name`.
fn param_type(def: &FnDef, name: &str) -> Option<Name> {
    let i = def.params.iter().position(|p| matches!(p, Pat::Bind(n, None) if n == name))?;
    def.param_types.get(i).copied().flatten()
}

/// `Type { .. }` (`Self { .. }` in its impl) or `Type::new(..)`.
fn literal_type(def: &FnDef, e: &Expr) -> Option<Name> {
    match e {
        Expr::Struct(path, _) => match path.last() {
            Some(last) if *last == "Self" => def.self_ty,
            last => last.copied(),
        },
        Expr::Call { func, .. } => match func.peel() {
            Expr::Path(path, _) => match constructed_type(path) {
                super::value::Val::Typed(_) => path.get(path.len().wrapping_sub(2)).copied(),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Locals by name: the type every `let` of that name gives it (annotated
/// or a literal's), `None` where they differ or one is not known.
fn typed_lets(def: &FnDef) -> HashMap<Name, Option<Name>> {
    let mut lets: HashMap<Name, Option<Name>> = HashMap::default();
    let mut direct = |stmts: &[Stmt]| {
        for stmt in stmts {
            if let Stmt::Let { pat: Pat::Bind(name, None), ty, init, .. } = stmt {
                let found = ty.or_else(|| init.as_deref().and_then(|e| literal_type(def, held(e))));
                let slot = lets.entry(*name).or_insert(found);
                if *slot != found {
                    *slot = None;
                }
            }
        }
    };
    direct(def.body.get());
    for_each_expr(def.body.get(), &mut |e| match e {
        Expr::Block(b) | Expr::Loop { body: b, .. } | Expr::While(_, b) | Expr::For(_, _, b) => direct(b),
        Expr::If { then, .. } => direct(then),
        _ => {}
    });
    lets
}

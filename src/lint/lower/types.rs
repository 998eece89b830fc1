//! Type names as the analysis keys types: the last segment of a path, seen
//! through `&` and the wrappers that hold one value. A generic type
//! parameter names no type: `ctx: &mut A` with `A: Actions`, or a field
//! `ctx: A` of `Processor<A>`, holds whatever the caller passes, whose
//! methods are found from that value or by name. Taken for a type `A`, it
//! had no methods, and a call through it led nowhere (issue 14).

/// A function's return type as a name: through `Result<T, _>` (its `?`
/// gives the `T`), then as [`type_name`].
pub(super) fn return_type(ty: &syn::Type) -> Option<String> {
    if let syn::Type::Path(p) = ty
        && let Some(last) = p.path.segments.last()
        && last.ident == "Result"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        return type_name(inner);
    }
    type_name(ty)
}

pub(crate) fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => {
            let last = p.path.segments.last()?;
            // Through the wrappers that hold one value: `Box<T>`, `Option<T>`,
            // `Arc<T>`, `Rc<T>` (`Some(x)` binds `x` to the value itself).
            if matches!(last.ident.to_string().as_str(), "Box" | "Option" | "Arc" | "Rc")
                && let syn::PathArguments::AngleBracketed(args) = &last.arguments
                && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
            {
                return type_name(inner);
            }
            Some(last.ident.to_string())
        }
        syn::Type::Reference(r) => type_name(&r.elem),
        _ => None,
    }
}

/// The names of the type parameters in scope.
#[derive(Clone, Debug, Default)]
pub(super) struct Generic(Vec<String>);

impl Generic {
    /// These and the type parameters `generics` declares.
    pub(super) fn with(&self, generics: &syn::Generics) -> Generic {
        let mut names = self.0.clone();
        names.extend(generics.type_params().map(|p| p.ident.to_string()));
        Generic(names)
    }

    /// `name`, unless it is one of the type parameters.
    pub(super) fn concrete(&self, name: Option<String>) -> Option<String> {
        name.filter(|n| !self.0.contains(n))
    }
}

//! Registering host functions: only those the module imports, since each registration costs
//! (a type interned, a name hashed) and start-up pays for all of them.

use crate::wasi::Host;
use wasmtime::{IntoFunc, Linker, Module};

/// A linker that takes only the functions a module imports (or every one, for `None`).
pub struct HostLinker<'a, 'm> {
    linker: &'a mut Linker<Host>,
    wanted: Option<Vec<(&'m str, &'m str)>>,
}

impl<'a, 'm> HostLinker<'a, 'm> {
    /// Wraps `linker`; with a module, only its function imports get registered.
    pub fn new(linker: &'a mut Linker<Host>, module: Option<&'m Module>) -> Self {
        let wanted = module.map(|m| m.imports().map(|i| (i.module(), i.name())).collect());
        HostLinker { linker, wanted }
    }

    /// As `Linker::func_wrap`, skipping a function the module does not import.
    pub fn func_wrap<Params, Args>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<Host, Params, Args>,
    ) -> wasmtime::Result<&mut Self> {
        let wanted = self
            .wanted
            .as_ref()
            .is_none_or(|w| w.iter().any(|&(m, n)| m == module && n == name));
        if wanted {
            self.linker.func_wrap(module, name, func)?;
        }
        Ok(self)
    }
}

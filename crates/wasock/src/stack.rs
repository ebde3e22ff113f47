//! The guest's linear-memory stack: where the linker put it (read from the module's bytes),
//! and whether a trap came from running off its bottom, so that the trap can say so instead
//! of a bare out-of-bounds access.
//!
//! wasm-ld keeps C's stack (arrays, address-taken locals) in linear memory, below a mutable
//! global `__stack_pointer` that each function's prologue lowers by its frame size and writes
//! back. With `--stack-first` (scripts/wasi-cc and the CMake toolchain pass it) the stack is
//! `[0, top)`: a frame that does not fit makes that subtraction wrap below address 0, the
//! global holds an address near 4 GiB, and the frame's first access is out of bounds.
//! Reading the global after such a trap tells an overflow from any other bad access.

use crate::wasi::{Host, Mem};
use wasmparser::{DataKind, KnownCustom, Name, Operator, Parser, Payload, TypeRef, ValType};
use wasmtime::{Store, Trap, Val, WasmCoreDump};

/// Where a module's main-thread stack lies, as wasm-ld laid it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackLayout {
    /// `__stack_pointer`'s index among the module's defined (not imported) globals.
    defined_index: u32,
    /// How many globals the module defines (a check that a core dump lists ours).
    defined_globals: u32,
    /// `__stack_pointer`'s initial value: the top of the main thread's stack.
    top: u32,
    /// The stack's size in bytes, when the layout tells it exactly: with `--stack-first` no
    /// data lies below the top, so the stack is `[0, top)`.
    size: Option<u32>,
}

impl StackLayout {
    /// Reads the layout from a module's bytes; `None` when the module has no recognisable
    /// `__stack_pointer` (named so in its name section, or, with the names stripped,
    /// wasm-ld's first defined global: a mutable i32 set by `i32.const`).
    pub fn of(bytes: &[u8]) -> Option<StackLayout> {
        let mut imported_globals = 0u32;
        let mut globals: Vec<(bool, Option<u32>)> = Vec::new(); // (mutable i32, const init)
        let mut data_offsets: Vec<u32> = Vec::new();
        let mut named: Option<u32> = None;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.ok()? {
                Payload::ImportSection(r) => {
                    for imp in r.into_imports() {
                        if matches!(imp.ok()?.ty, TypeRef::Global(_)) {
                            imported_globals += 1;
                        }
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g.ok()?;
                        let mutable_i32 = g.ty.mutable && g.ty.content_type == ValType::I32;
                        globals.push((mutable_i32, i32_const(&g.init_expr)));
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        if let DataKind::Active { offset_expr, .. } = d.ok()?.kind {
                            data_offsets.extend(i32_const(&offset_expr));
                        }
                    }
                }
                Payload::CustomSection(c) => {
                    if let KnownCustom::Name(names) = c.as_known() {
                        for name in names.into_iter().flatten() {
                            if let Name::Global(map) = name {
                                named = map
                                    .into_iter()
                                    .flatten()
                                    .find(|n| n.name == "__stack_pointer")
                                    .map(|n| n.index);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let index = named.unwrap_or(imported_globals);
        let defined_index = index.checked_sub(imported_globals)?;
        let (mutable_i32, init) = *globals.get(defined_index as usize)?;
        let top = init.filter(|_| mutable_i32)?;
        let size = data_offsets.iter().all(|&o| o >= top).then_some(top);
        Some(StackLayout {
            defined_index,
            defined_globals: globals.len() as u32,
            top,
            size,
        })
    }

    /// The stack's size in bytes, when the layout tells it exactly (`--stack-first`).
    pub fn size(&self) -> Option<u32> {
        self.size
    }

    /// The trap message for an overflow of this stack.
    pub fn overflow_message(&self) -> String {
        let size = self
            .size
            .map_or_else(String::new, |s| format!("{} KiB ", s / 1024));
        format!(
            "guest stack overflow ({size}linear-memory stack; relink with -Wl,-z,stack-size=...)"
        )
    }

    /// Whether `e` is the kind of trap an overflow makes (an out-of-bounds access with a core
    /// dump), worth reading the module's layout for.
    pub(crate) fn may_be_overflow(e: &wasmtime::Error) -> bool {
        e.downcast_ref::<Trap>() == Some(&Trap::MemoryOutOfBounds)
            && e.downcast_ref::<WasmCoreDump>().is_some()
    }

    /// Whether the failed call `e` ran the main thread's stack below address 0: an
    /// out-of-bounds trap after which `__stack_pointer` lies above the stack's top and outside
    /// memory, where only a wrapped subtraction can put it. Needs the core dump wasmtime
    /// attaches to traps (`Config::coredump_on_trap`), the one way to read a global the
    /// module does not export.
    pub(crate) fn overflowed(&self, e: &wasmtime::Error, store: &mut Store<Host>) -> bool {
        if !Self::may_be_overflow(e) {
            return false;
        }
        let Some(dump) = e.downcast_ref::<WasmCoreDump>() else {
            return false;
        };
        // The dump lists host-made globals first, then each instance's defined ones; wasock
        // makes none and runs one instance per store, so the lists must agree in length.
        if dump.globals().len() != self.defined_globals as usize {
            return false;
        }
        let Some(global) = dump.globals().get(self.defined_index as usize) else {
            return false;
        };
        let Val::I32(sp) = global.get(&mut *store) else {
            return false;
        };
        let memory_size = match &store.data().memory {
            Some(Mem::Plain(m)) => m.data_size(&*store),
            Some(Mem::Shared(s)) => s.data_size(),
            None => return false,
        };
        let sp = sp as u32;
        sp > self.top && sp as usize >= memory_size
    }
}

/// The value of a constant expression that is a single `i32.const`.
fn i32_const(expr: &wasmparser::ConstExpr<'_>) -> Option<u32> {
    match expr.get_operators_reader().read().ok()? {
        Operator::I32Const { value } => Some(value as u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(wat: &str) -> Option<StackLayout> {
        StackLayout::of(&wat::parse_str(wat).expect("valid wat"))
    }

    #[test]
    fn stack_first_layout_has_an_exact_size() {
        let l = layout(
            r#"(module (memory 17)
                 (global $__stack_pointer (mut i32) (i32.const 1048576))
                 (global i32 (i32.const 0))
                 (data (i32.const 1048576) "x"))"#,
        )
        .unwrap();
        assert_eq!(l.size(), Some(1 << 20));
        assert_eq!(
            l.overflow_message(),
            "guest stack overflow (1024 KiB linear-memory stack; relink with -Wl,-z,stack-size=...)"
        );
    }

    #[test]
    fn data_below_the_stack_leaves_the_size_unknown() {
        let l = layout(
            r#"(module (memory 2)
                 (global $__stack_pointer (mut i32) (i32.const 71296))
                 (data (i32.const 1024) "x"))"#,
        )
        .unwrap();
        assert_eq!(l.size(), None);
        assert!(l
            .overflow_message()
            .starts_with("guest stack overflow (linear-memory"));
    }

    #[test]
    fn the_named_global_wins_and_imports_shift_the_index() {
        let l = layout(
            r#"(module (import "env" "g" (global i32)) (memory 1)
                 (global $other (mut i32) (i32.const 5))
                 (global $__stack_pointer (mut i32) (i32.const 4096)))"#,
        )
        .unwrap();
        assert_eq!((l.defined_index, l.defined_globals, l.top), (1, 2, 4096));
    }

    #[test]
    fn no_stack_pointer_no_layout() {
        assert_eq!(layout("(module (memory 1))"), None);
        assert_eq!(layout("(module (global i32 (i32.const 7)))"), None);
        assert_eq!(StackLayout::of(b"not wasm"), None);
    }
}

//! The ABI boundary: errno values, guest memory access, preview1 types and WAMR address layouts.

pub mod errno;
pub mod memory;
pub mod types;

pub use errno::{Errno, WasiResult};
pub use memory::GuestMemory;

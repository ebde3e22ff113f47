//! `lookup_host` over `sock_addr_resolve`.

use crate::sys::{self, cvt, WasiAddrInfo, WasiHints};
use std::ffi::CString;
use std::io;
use std::net::SocketAddr;

/// Resolves `host` (subject to the runtime's `--allow-resolve`) and returns its addresses with
/// `port`, one per address (stream entries; duplicates removed, resolver order kept).
pub fn lookup_host(host: &str, port: u16) -> io::Result<std::vec::IntoIter<SocketAddr>> {
    let host = CString::new(host)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "host contains NUL"))?;
    let service = CString::new(port.to_string()).map_err(|_| io::ErrorKind::InvalidInput)?;
    // Ask for stream entries of any family (hints: SOCKET_STREAM, INET_UNSPEC, enabled).
    let mut hints = WasiHints::default();
    hints.0[0..4].copy_from_slice(&1i32.to_le_bytes());
    hints.0[4..8].copy_from_slice(&2i32.to_le_bytes());
    hints.0[8] = 1;
    let mut cap = 16u32;
    loop {
        let mut buf = vec![WasiAddrInfo([0; 28]); cap as usize];
        let mut total = 0u32;
        // SAFETY: strings are NUL-terminated; `buf` holds `cap` entries; `total` is valid.
        let rc = unsafe {
            sys::sock_addr_resolve(
                host.as_ptr().cast(),
                service.as_ptr().cast(),
                &hints,
                buf.as_mut_ptr(),
                cap,
                &mut total,
            )
        };
        if rc == 28 {
            // WAMR's "unknown name" is EINVAL; report it as std does on Unix.
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("failed to lookup address information: {host:?}"),
            ));
        }
        cvt(rc)?;
        if total > cap {
            cap = total;
            continue;
        }
        let mut out: Vec<SocketAddr> = Vec::new();
        for e in &buf[..total as usize] {
            let mut a = sys::WasiAddr::default();
            a.0.copy_from_slice(&e.0[..24]);
            let addr = sys::decode(&a)?;
            if !out.contains(&addr) {
                out.push(addr);
            }
        }
        return Ok(out.into_iter());
    }
}

//! `sock_addr_resolve`: name resolution behind the `--allow-resolve` list.

use super::addr::{decode_hints, encode_addr_info, ADDR_INFO_SIZE, HINTS_SIZE};
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::wasi::WasiCtx;
use dns_lookup::{AddrInfoHints, LookupErrorKind};

const SOCKET_ANY: i32 = -1;
const SOCKET_STREAM: i32 = 1;
const INET4: i32 = 0;
const INET_UNSPEC: i32 = 2;

/// `sock_addr_resolve(host, service, hints, buf, buf_len) -> total`: writes the first
/// `min(n, total)` entries and the full count; `n = 0` is a count-only query.
pub fn sock_addr_resolve(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    host: u32,
    service: u32,
    hints: u32,
    out: u32,
    n: u32,
    total_out: u32,
) -> WasiResult<()> {
    let host = std::str::from_utf8(mem.cstr(host)?)
        .map_err(|_| Errno::Inval)?
        .to_string();
    let service = std::str::from_utf8(mem.cstr(service)?)
        .map_err(|_| Errno::Inval)?
        .to_string();
    let h = decode_hints(&mem.array::<{ HINTS_SIZE as usize }>(hints)?);
    mem.slice(out, n.checked_mul(ADDR_INFO_SIZE).ok_or(Errno::Fault)?)?;
    mem.slice(total_out, 4)?;

    let literal = crate::policy::ResolveAllowList::is_literal(&host);
    if !literal {
        cx.policy.check_resolve(&host).map_err(|denial| {
            cx.denials.report(&denial);
            Errno::Acces
        })?;
    }
    let mut ai = AddrInfoHints {
        socktype: 0,
        protocol: 0,
        address: 0,
        flags: 0,
    };
    if h.enabled {
        if h.sock_type != SOCKET_ANY {
            ai.socktype = if h.sock_type == SOCKET_STREAM {
                libc::SOCK_STREAM
            } else {
                libc::SOCK_DGRAM
            };
        }
        if h.family != INET_UNSPEC {
            ai.address = if h.family == INET4 {
                libc::AF_INET
            } else {
                libc::AF_INET6
            };
        }
    }
    if literal {
        // Guarantees no DNS traffic for an address literal.
        ai.flags |= libc::AI_NUMERICHOST;
    }
    let service = (!service.is_empty()).then_some(service.as_str());
    let results =
        dns_lookup::getaddrinfo(Some(&host), service, Some(ai)).map_err(|e| match e.kind() {
            LookupErrorKind::Again => Errno::Again,
            LookupErrorKind::Memory => Errno::NoMem,
            LookupErrorKind::Fail => Errno::Io,
            LookupErrorKind::System => Errno::from(std::io::Error::from(e)),
            // EAI_NONAME and the rest: WAMR's mapping for an unknown name.
            _ => Errno::Inval,
        })?;
    let entries: Vec<_> = results
        .filter_map(Result::ok)
        .filter(|a| a.socktype == libc::SOCK_STREAM || a.socktype == libc::SOCK_DGRAM)
        .filter(|a| [0, libc::IPPROTO_TCP, libc::IPPROTO_UDP].contains(&a.protocol))
        .collect();
    for (i, a) in entries.iter().take(n as usize).enumerate() {
        let bytes = encode_addr_info(&a.sockaddr, a.socktype == libc::SOCK_STREAM);
        mem.write(out + i as u32 * ADDR_INFO_SIZE, &bytes)?;
    }
    mem.write_u32(total_out, entries.len() as u32)
}

//! `sock_addr_resolve`: name resolution behind the policy's `resolve` rules, answered from the
//! `--hosts-file` first, with DNS pinning for names that host-pattern rules grant by.

use super::addr::{decode_hints, encode_addr_info, ADDR_INFO_SIZE, HINTS_SIZE};
use super::hosts;
use crate::abi::{Errno, GuestMemory, WasiResult};
use crate::policy::MAX_PINNED_NAMES;
use crate::wasi::WasiCtx;
use dns_lookup::{AddrInfoHints, LookupErrorKind};
use std::net::{IpAddr, SocketAddr};

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
        super::guard::check_resolve(cx, &host)?;
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
    let from_file = match &cx.net.hosts_file {
        Some(path) if !literal => hosts::lookup(path, &host).map_err(|e| {
            cx.denials.notice(
                "hosts-file",
                &format!("cannot read --hosts-file {}: {e}", path.display()),
            );
            Errno::Io
        })?,
        _ => None,
    };
    let mut entries = match from_file {
        Some(ips) => file_entries(&ips, service, ai)?,
        None => system_entries(&host, service, ai)?,
    };
    if !literal && cx.policy.pins_name(&host) {
        pin(cx, &host, &mut entries)?;
    }
    for (i, (addr, stream)) in entries.iter().take(n as usize).enumerate() {
        let bytes = encode_addr_info(addr, *stream);
        mem.write(out + i as u32 * ADDR_INFO_SIZE, &bytes)?;
    }
    mem.write_u32(total_out, entries.len() as u32)
}

/// One answer: an address and whether it is for a stream socket.
type Answer = (SocketAddr, bool);

fn lookup_error(e: dns_lookup::LookupError) -> Errno {
    match e.kind() {
        LookupErrorKind::Again => Errno::Again,
        LookupErrorKind::Memory => Errno::NoMem,
        // The ABI's mapping of EAI_FAIL (the SDK turns it back into EAI_FAIL).
        LookupErrorKind::Fail => Errno::Fault,
        LookupErrorKind::System => Errno::from(std::io::Error::from(e)),
        // EAI_NONAME and the rest: WAMR's mapping for an unknown name.
        _ => Errno::Inval,
    }
}

/// The system resolver's answer, stream and datagram entries only.
fn system_entries(host: &str, service: Option<&str>, ai: AddrInfoHints) -> WasiResult<Vec<Answer>> {
    let results = dns_lookup::getaddrinfo(Some(host), service, Some(ai)).map_err(lookup_error)?;
    Ok(results
        .filter_map(Result::ok)
        .filter(|a| a.socktype == libc::SOCK_STREAM || a.socktype == libc::SOCK_DGRAM)
        .filter(|a| [0, libc::IPPROTO_TCP, libc::IPPROTO_UDP].contains(&a.protocol))
        .map(|a| (a.sockaddr, a.socktype == libc::SOCK_STREAM))
        .collect())
}

/// The hosts file's addresses, shaped as getaddrinfo would: filtered by family, one entry per
/// socket type (both when the hints leave it open), the service's port.
fn file_entries(
    ips: &[IpAddr],
    service: Option<&str>,
    ai: AddrInfoHints,
) -> WasiResult<Vec<Answer>> {
    let port = match service {
        None => 0,
        Some(s) => match s.parse::<u16>() {
            Ok(p) => p,
            // A service name: let the C library map it, without any host lookup.
            Err(_) => {
                let numeric = AddrInfoHints {
                    flags: libc::AI_NUMERICHOST,
                    ..ai
                };
                system_entries("0.0.0.0", Some(s), numeric)?
                    .first()
                    .map_or(0, |(a, _)| a.port())
            }
        },
    };
    let kinds: &[bool] = match ai.socktype {
        libc::SOCK_STREAM => &[true],
        libc::SOCK_DGRAM => &[false],
        _ => &[true, false],
    };
    let family_ok = |ip: &IpAddr| match ai.address {
        libc::AF_INET => ip.is_ipv4(),
        libc::AF_INET6 => ip.is_ipv6(),
        _ => true,
    };
    let answers: Vec<Answer> = ips
        .iter()
        .filter(|ip| family_ok(ip))
        .flat_map(|ip| kinds.iter().map(move |s| (SocketAddr::new(*ip, port), *s)))
        .collect();
    if answers.is_empty() {
        // The name is known, but not in this family: what getaddrinfo says then.
        return Err(Errno::Inval);
    }
    Ok(answers)
}

/// DNS pinning: the first answer for `host` fixes the addresses it grants; later answers keep
/// only those, and an answer with none of them fails as an unknown name.
fn pin(cx: &WasiCtx, host: &str, entries: &mut Vec<Answer>) -> WasiResult<()> {
    let ips: Vec<IpAddr> = entries.iter().map(|(a, _)| a.ip()).collect();
    let admitted = cx.net.pins().admit(host, &ips).map_err(|_| {
        cx.denials.notice(
            "pins full",
            &format!(
                "denied resolve of {}: {MAX_PINNED_NAMES} names are pinned already (DNS pinning \
                 keeps at most that many per instance)",
                crate::policy::printable(host)
            ),
        );
        Errno::NoMem
    })?;
    let before = entries.len();
    entries.retain(|(a, _)| admitted.contains(&a.ip().to_canonical()));
    if entries.len() < before {
        cx.denials.notice(
            &format!("pinned {}", crate::policy::printable(host)),
            &format!(
                "resolve of {}: dropped addresses outside its first answer (DNS pinning: a name \
                 grants only what it first resolved to)",
                crate::policy::printable(host)
            ),
        );
        if entries.is_empty() {
            return Err(Errno::Inval);
        }
    }
    Ok(())
}

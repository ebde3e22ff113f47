//! `wasock policy explain` and `wasock policy check`.

use crate::cli::{build_policy, usage, ExplainArgs, PolicyCommand};
use anyhow::Result;
use std::net::{IpAddr, SocketAddr};
use wasock::policy::{canonicalize, destination, DnsPins, Op, Proto, Query, Role, Subject};
use wasock::Policy;

/// Runs a `policy` subcommand; returns the exit status.
pub fn main(cmd: PolicyCommand) -> Result<u8> {
    match cmd {
        PolicyCommand::Explain(a) => explain(a),
        PolicyCommand::Check { file } => {
            let name = file.display().to_string();
            let mut policy = Policy::new();
            match policy.add_file(&file) {
                Ok(n) => {
                    for w in policy.warnings() {
                        eprintln!("wasock: warning: {w}");
                    }
                    println!("{name}: ok, {n} rule{}", if n == 1 { "" } else { "s" });
                    Ok(0)
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("{e}");
                    }
                    Ok(1)
                }
            }
        }
    }
}

fn explain(a: ExplainArgs) -> Result<u8> {
    let mut policy = build_policy(&a.policy)?;
    // The operation is the last two or three words; everything before is a rule.
    let words = &a.words;
    let (target, rest) = words
        .split_last()
        .ok_or_else(|| usage("policy explain needs ROLE [PROTO] TARGET"))?;
    let (proto_word, rest) = match rest.split_last() {
        Some((p, r)) => match Proto::from_name(p) {
            Some(proto) => (Some(proto), r),
            None => (None, rest),
        },
        None => (None, rest),
    };
    let (role, rules) = rest.split_last().ok_or_else(|| {
        usage("policy explain needs ROLE [PROTO] TARGET, e.g. connect tcp 10.0.0.1:80")
    })?;
    // `join` is not a role but the operation that needs two (send and recv of the group).
    let join = role.as_str() == "join";
    let role = match Role::from_name(role) {
        Some(r) => r,
        None if join => Role::Send,
        None => {
            return Err(usage(format!(
                "unknown role `{role}` (expected bind, connect, send, accept, recv, resolve, or \
                 join for a multicast join)"
            )))
        }
    };
    for (i, r) in rules.iter().enumerate() {
        policy
            .add_net_rule(r, &format!("argument {}", i + 1))
            .map_err(|e| usage(e.to_string()))?;
    }
    let mut pins = DnsPins::default();
    for p in &a.pins {
        let (name, ip) = p
            .split_once('=')
            .and_then(|(n, ip)| Some((n, ip.parse::<IpAddr>().ok()?)))
            .ok_or_else(|| usage(format!("invalid --pin `{p}`: expected NAME=ADDRESS")))?;
        pins.pin(name, &[ip])
            .map_err(|_| usage("too many --pin values"))?;
    }

    let proto = match proto_word {
        _ if role == Role::Resolve => Proto::Any,
        Some(p) => p,
        None if join => Proto::Udp,
        None => Proto::Tcp,
    };
    if join {
        return explain_join(&policy, &pins, proto, target);
    }
    let (subject, shown) = if role == Role::Resolve {
        if proto_word.is_some() {
            return Err(usage("a protocol does not apply to resolve"));
        }
        if target.parse::<IpAddr>().is_ok() {
            println!("resolve {target}: allowed: IP literals need no grant");
            return Ok(0);
        }
        (Subject::Name(target), format!("resolve {target}"))
    } else {
        let addr: SocketAddr = target.parse().map_err(|_| {
            usage(format!(
                "invalid target `{target}`: {role} takes ADDRESS:PORT, e.g. 10.0.0.1:80 or [::1]:80"
            ))
        })?;
        let matched = destination(role, addr);
        let mut shown = format!("{role} {proto} {addr}");
        if matched != canonicalize(addr) {
            shown.push_str(&format!(
                " (matched as {matched}: the kernel sends the unspecified address to the local host)"
            ));
        } else if matched != addr {
            shown.push_str(&format!(" (matched as {matched})"));
        }
        (Subject::Addr(matched), shown)
    };
    let q = Query {
        role,
        proto,
        subject,
    };
    let allowed = report(&policy, &pins, &q, &shown, "");
    Ok(if allowed { 0 } else { 1 })
}

/// `policy explain … join [PROTO] GROUP`: a multicast join needs `send` and `recv` of the
/// group with port 0; each is explained on its own line.
fn explain_join(policy: &Policy, pins: &DnsPins, proto: Proto, target: &str) -> Result<u8> {
    let group: IpAddr = target
        .parse()
        .or_else(|_| target.parse::<SocketAddr>().map(|a| a.ip()))
        .map_err(|_| {
            usage(format!(
                "invalid target `{target}`: join takes a group address, e.g. 239.1.2.3 or ff15::1:3"
            ))
        })?;
    if !group.is_multicast() {
        println!("join {proto} {group}: not a multicast group; the kernel refuses the join (EINVAL), no policy check is made");
        return Ok(1);
    }
    let at = SocketAddr::new(group, 0);
    println!("join {proto} {group}: needs send and recv of {at}");
    let mut allowed = true;
    for &role in Op::Join.roles() {
        let q = Query {
            role,
            proto,
            subject: Subject::Addr(destination(role, at)),
        };
        allowed &= report(policy, pins, &q, &format!("{role} {proto} {at}"), "  ");
    }
    Ok(if allowed { 0 } else { 1 })
}

/// Prints which rule decides `q` (`shown` names it), indented by `indent`; returns the verdict.
fn report(policy: &Policy, pins: &DnsPins, q: &Query<'_>, shown: &str, indent: &str) -> bool {
    let rules: Vec<_> = policy.rules().collect();
    let describe = |i: usize| format!("rule {} `{}` ({})", i + 1, rules[i].0, rules[i].1);
    let d = policy.decide(q, pins);
    match d.by {
        Some(i) => println!(
            "{indent}{shown}: {} by {}",
            if d.allowed { "allowed" } else { "denied" },
            describe(i)
        ),
        None => println!("{indent}{shown}: denied: no rule matches (default deny)"),
    }
    if !d.also.is_empty() {
        let list: Vec<String> = d.also.iter().map(|&i| describe(i)).collect();
        let why = if d.allowed {
            ""
        } else {
            "; deny wins over allow"
        };
        println!("{indent}  also matched: {}{why}", list.join(", "));
    }
    if let Some(i) = d.by {
        if !rules[i].0.roles.contains(q.role) {
            // Only a `deny send` rule can decide a UDP connect without naming connect.
            println!(
                "{indent}  a UDP connect fixes the destination of every later send(), so deny \
                 send rules apply to it"
            );
        }
    }
    d.allowed
}

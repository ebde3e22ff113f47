//! Start-up warnings about grants that are easy to get wrong (docs/network-policy.md).

use super::{Action, HostPattern, Policy, Role, Roles, Target};

/// The warnings for `p`, one line each (without the `wasock: warning: ` prefix).
pub(super) fn lints(p: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    let has_deny = p.rules.iter().any(|r| r.rule.action == Action::Deny);
    let outbound = [Role::Bind, Role::Connect, Role::Send];
    let mut name_denies = Vec::new();
    for placed in p.rules.iter().filter(|r| !r.implied) {
        let (rule, origin) = (&placed.rule, &placed.origin);
        if rule.action == Action::Deny {
            // A host pattern matches the addresses the guest got by resolving the name: a
            // guest that writes the address as a literal, never resolving, is not covered.
            if matches!(rule.target, Target::Host { .. }) && rule.roles.has_address_role() {
                name_denies.push(placed);
            }
            continue;
        }
        if !has_deny
            && rule.target.is_everything()
            && outbound.iter().any(|r| rule.roles.contains(*r))
        {
            out.push(format!(
                "rule `{rule}` ({origin}) allows every address and no deny rule narrows it: \
                 grant only the networks the program needs, or add deny rules"
            ));
        }
        if let Target::Host { pattern, .. } = &rule.target {
            if pattern.is_broad() {
                let what = match pattern {
                    HostPattern::Below(tld) => {
                        format!("every name in the top-level domain `{tld}`")
                    }
                    _ => "every name".to_string(),
                };
                out.push(format!(
                    "rule `{rule}` ({origin}) allows {what}: a wildcard name without a dot is \
                     rarely meant (write *.example.com or an exact name)"
                ));
            }
        }
    }
    // One warning for all such rules: a generated policy may hold thousands.
    if let Some(first) = name_denies.first() {
        let rule = &first.rule;
        let more = match name_denies.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more such rule)".to_string(),
            n => format!(" (and {n} more such rules)"),
        };
        out.push(format!(
            "rule `{rule}` ({}){more} denies only addresses the guest got by resolving a \
             matching name: the same host written as an IP literal is not covered (deny its \
             addresses too, e.g. --net='deny {} {} ADDRESS')",
            first.origin,
            Roles::of(
                &rule
                    .roles
                    .iter()
                    .filter(|r| *r != Role::Resolve)
                    .collect::<Vec<_>>()
            ),
            rule.proto
        ));
    }
    let allows = |role: Role| {
        p.rules
            .iter()
            .any(|r| r.rule.action == Action::Allow && r.rule.roles.contains(role))
    };
    if p.uses_rules && !allows(Role::Accept) && !allows(Role::Recv) {
        if allows(Role::Bind) {
            out.push(
                "rules allow bind but none allows accept or recv: every incoming connection \
                 and datagram will be refused (add e.g. --net='allow accept tcp 127.0.0.1')"
                    .to_string(),
            );
        } else if allows(Role::Send) {
            out.push(
                "rules allow send but none allows recv: every reply datagram will be dropped \
                 (add e.g. --net='allow recv udp 127.0.0.1:53' for the peers that answer)"
                    .to_string(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Policy;

    fn warnings(rules: &[&str], pools: &[&str], resolves: &[&str]) -> Vec<String> {
        let mut p = Policy::new();
        for r in rules {
            p.add_net_rule(r, "--net").unwrap();
        }
        for v in pools {
            p.add_addr_pool(v).unwrap();
        }
        for v in resolves {
            p.add_allow_resolve(v).unwrap();
        }
        p.warnings()
    }

    /// Rules, `--addr-pool` values, `--allow-resolve` values, text of each expected warning.
    type Case<'a> = (&'a [&'a str], &'a [&'a str], &'a [&'a str], &'a [&'a str]);

    #[test]
    fn risky_grants_warn() {
        let cases: &[Case] = &[
            (&["allow connect tcp 127.0.0.1"], &[], &[], &[]),
            (
                &["allow connect any 0.0.0.0/0"],
                &[],
                &[],
                &["allows every address"],
            ),
            (
                &["allow send udp *"],
                &[],
                &[],
                &["allows every address", "every reply datagram"],
            ),
            (
                &["allow connect any ::/0", "deny connect any ::1"],
                &[],
                &[],
                &[],
            ),
            // Every port of a family, or one port of every address, is not "everything".
            (&["allow connect any *:443"], &[], &[], &[]),
            // Inbound from everywhere is what a server usually wants.
            (
                &["allow bind tcp 127.0.0.1", "allow accept tcp *"],
                &[],
                &[],
                &[],
            ),
            (&[], &["0.0.0.0/0"], &[], &["allows every address"]),
            (&[], &["127.0.0.1/32"], &[], &[]),
            (
                &[],
                &["0.0.0.0/8"],
                &[],
                &["allows only 0.0.0.0 to 0.255.255.255"],
            ),
            (&[], &[], &["*"], &["allows every name"]),
            (&[], &[], &["*.com"], &["top-level domain `com`"]),
            (&[], &[], &["*.example.com,localhost"], &[]),
            (
                &["allow connect tcp *.test:443"],
                &[],
                &[],
                &["top-level domain `test`"],
            ),
            (
                &["allow bind tcp 127.0.0.1"],
                &[],
                &[],
                &["none allows accept or recv"],
            ),
            (
                &["allow bind udp 127.0.0.1", "allow recv udp 127.0.0.1"],
                &[],
                &[],
                &[],
            ),
            (
                &["allow send udp 127.0.0.1:53"],
                &[],
                &[],
                &["every reply datagram"],
            ),
            (
                &["allow send udp 127.0.0.1:53", "allow recv udp 127.0.0.1:53"],
                &[],
                &[],
                &[],
            ),
            (&["allow connect tcp 127.0.0.1:80"], &[], &[], &[]),
            // A deny by name cannot cover IP literals (issue 17 item 7).
            (
                &["allow connect tcp 127.0.0.1", "deny connect tcp evil.example"],
                &[],
                &[],
                &["the same host written as an IP literal is not covered (deny its addresses too, e.g. --net='deny connect tcp ADDRESS')"],
            ),
            (
                &["allow connect tcp 127.0.0.1", "deny connect,resolve *.evil.example"],
                &[],
                &[],
                &["rule `deny connect,resolve any *.evil.example` (--net) denies only addresses the guest got by resolving a matching name: the same host written as an IP literal is not covered (deny its addresses too, e.g. --net='deny connect any ADDRESS')"],
            ),
            // One warning however many such rules.
            (
                &[
                    "allow connect tcp 127.0.0.1",
                    "deny connect tcp a.example",
                    "deny send udp b.example",
                    "deny connect any c.example",
                ],
                &[],
                &[],
                &["rule `deny connect tcp a.example` (--net) (and 2 more such rules) denies only"],
            ),
            // Denying only the resolution is a name rule: nothing to warn about.
            (
                &["allow connect tcp 127.0.0.1", "deny resolve evil.example"],
                &[],
                &[],
                &[],
            ),
            // WAMR's flags grant inbound themselves: no such warning.
            (&[], &["127.0.0.1/32"], &[], &[]),
        ];
        for (rules, pools, resolves, want) in cases {
            let got = warnings(rules, pools, resolves);
            assert_eq!(
                got.len(),
                want.len(),
                "{rules:?} {pools:?} {resolves:?}: {got:?}"
            );
            for (g, w) in got.iter().zip(want.iter()) {
                assert!(g.contains(w), "{g} lacks {w}");
            }
        }
    }
}

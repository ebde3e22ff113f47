//! DNS pinning: which addresses the guest got from which names, fixed at each name's first
//! answer, so that host-pattern rules grant exactly those addresses (docs/network-policy.md).

use super::resolve::normalize;
use std::collections::HashMap;
use std::net::IpAddr;

/// How many names are pinned at most per instance: a guest resolving ever new names under an
/// allowed wildcard must not grow host memory without bound.
pub const MAX_PINNED_NAMES: usize = 10_000;

/// The pinned answers of one instance (all threads).
#[derive(Debug, Clone, Default)]
pub struct DnsPins {
    by_name: HashMap<String, Vec<IpAddr>>,
    by_addr: HashMap<IpAddr, Vec<String>>,
}

/// Why an answer could not be admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinError {
    /// [`MAX_PINNED_NAMES`] names are pinned already.
    Full,
}

impl DnsPins {
    /// Takes an answer for `name` and returns the addresses the guest may see: the whole first
    /// answer (which becomes the pin), and for later answers only the addresses the pin holds.
    /// Addresses are canonicalised (IPv4-mapped IPv6 is IPv4).
    pub fn admit(&mut self, name: &str, answer: &[IpAddr]) -> Result<Vec<IpAddr>, PinError> {
        let name = normalize(name);
        let answer: Vec<IpAddr> = answer.iter().map(IpAddr::to_canonical).collect();
        if let Some(pinned) = self.by_name.get(&name) {
            return Ok(answer.into_iter().filter(|a| pinned.contains(a)).collect());
        }
        if self.by_name.len() >= MAX_PINNED_NAMES {
            return Err(PinError::Full);
        }
        let mut pinned = answer.clone();
        pinned.sort();
        pinned.dedup();
        for a in &pinned {
            self.by_addr.entry(*a).or_default().push(name.clone());
        }
        self.by_name.insert(name, pinned);
        Ok(answer)
    }

    /// The names (normalised) whose pinned answer holds `ip` (canonicalised first).
    pub fn names_of(&self, ip: IpAddr) -> &[String] {
        self.by_addr
            .get(&ip.to_canonical())
            .map_or(&[], Vec::as_slice)
    }

    /// The pinned addresses of `name`, if it was resolved.
    pub fn addrs_of(&self, name: &str) -> Option<&[IpAddr]> {
        self.by_name.get(&normalize(name)).map(Vec::as_slice)
    }

    /// Pins `name` to `addrs` as if the guest had resolved it (for `policy explain --pin`).
    pub fn pin(&mut self, name: &str, addrs: &[IpAddr]) -> Result<(), PinError> {
        self.admit(name, addrs).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn first_answer_pins_and_later_answers_are_filtered() {
        let mut p = DnsPins::default();
        let first = ips(&["127.0.0.1", "::1"]);
        assert_eq!(p.admit("Api.Test.", &first).unwrap(), first);
        assert_eq!(p.addrs_of("api.test").unwrap(), ips(&["127.0.0.1", "::1"]));
        // Rebinding: a new address is not admitted; a known one still is.
        assert!(p
            .admit("api.test", &ips(&["127.0.0.2"]))
            .unwrap()
            .is_empty());
        assert_eq!(
            p.admit("api.test", &ips(&["127.0.0.2", "127.0.0.1"]))
                .unwrap(),
            ips(&["127.0.0.1"])
        );
        assert!(p.names_of("127.0.0.2".parse().unwrap()).is_empty());
        assert_eq!(p.names_of("127.0.0.1".parse().unwrap()), ["api.test"]);
        // Mapped addresses are the IPv4 address, in answers and in look-ups.
        assert_eq!(
            p.names_of("::ffff:127.0.0.1".parse().unwrap()),
            ["api.test"]
        );
        p.admit("m.test", &ips(&["::ffff:10.0.0.1"])).unwrap();
        assert_eq!(p.names_of("10.0.0.1".parse().unwrap()), ["m.test"]);
    }

    #[test]
    fn several_names_share_an_address() {
        let mut p = DnsPins::default();
        p.admit("a.test", &ips(&["127.0.0.1"])).unwrap();
        p.admit("b.test", &ips(&["127.0.0.1", "127.0.0.1"]))
            .unwrap();
        assert_eq!(
            p.names_of("127.0.0.1".parse().unwrap()),
            ["a.test", "b.test"]
        );
    }

    #[test]
    fn the_number_of_names_is_capped() {
        let mut p = DnsPins::default();
        for i in 0..MAX_PINNED_NAMES {
            p.admit(&format!("h{i}.test"), &ips(&["127.0.0.1"]))
                .unwrap();
        }
        assert_eq!(
            p.admit("one-more.test", &ips(&["127.0.0.1"])),
            Err(PinError::Full)
        );
        // Names already pinned keep working.
        assert_eq!(
            p.admit("h0.test", &ips(&["127.0.0.1"])).unwrap(),
            ips(&["127.0.0.1"])
        );
    }
}

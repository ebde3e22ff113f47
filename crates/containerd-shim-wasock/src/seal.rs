//! Sealing the deployment's policy on its way into the container: an HMAC-SHA256 under a key
//! only root on the node can read, so a value an image sets for itself (in its `Env`) is
//! refused, even where containerd creates a container without the shim's `start` step
//! (containerd 1.7+'s sandbox API skips it).
//!
//! The key lives in `/run/wasock-shim/key` (tmpfs: a new one each boot), created by the first
//! `start`; every shim process reads it at launch, before runwasi forks the process that becomes
//! the container, which therefore holds it in memory after the container's root is switched.

use anyhow::{Context, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::sync::OnceLock;

/// Where the node's key lives.
const KEY_DIR: &str = "/run/wasock-shim";

static KEY: OnceLock<Vec<u8>> = OnceLock::new();

/// Reads the node's key, creating it first if `create` (the `start` step) and it is missing.
/// Without a key nothing can be sealed or opened, and every container is denied the network.
pub fn load_key(create: bool) -> Result<()> {
    let dir = Path::new(KEY_DIR);
    let path = dir.join("key");
    if create && !path.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no random key: {e}"))?;
        // create_new: of two starts racing, one writes and the other reads its key.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut f) => f.write_all(&key)?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        }
    }
    let key = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    anyhow::ensure!(key.len() == 32, "{} is not a 32-byte key", path.display());
    let _ = KEY.set(key);
    Ok(())
}

fn mac() -> Option<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(KEY.get()?).ok()
}

/// `value` with its seal in front: `HEX-MAC:value`.
pub fn seal(value: &str) -> Result<String> {
    let mut mac = mac().context("no key to seal the deployment with")?;
    mac.update(value.as_bytes());
    let tag = mac.finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{hex}:{value}"))
}

/// The value inside a sealed string, if its seal is this node's; `None` otherwise.
pub fn open(sealed: &str) -> Option<&str> {
    let (hex, value) = sealed.split_once(':')?;
    if hex.len() != 64 {
        return None;
    }
    let tag: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    let mut mac = mac()?;
    mac.update(value.as_bytes());
    // Constant-time comparison (hmac's verify).
    mac.verify_slice(&tag).ok()?;
    Some(value)
}

/// A fixed key for unit tests.
#[cfg(test)]
pub fn test_key() {
    let _ = KEY.set(vec![7; 32]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_sealed_with_the_key_open() {
        test_key();
        let sealed = seal(r#"{"rules":"allow bind tcp *"}"#).unwrap();
        assert_eq!(open(&sealed), Some(r#"{"rules":"allow bind tcp *"}"#));
        // Another value under the same seal, a forged seal, no seal.
        let (tag, _) = sealed.split_once(':').unwrap();
        assert_eq!(open(&format!("{tag}:{{\"rules\":\"\"}}")), None);
        assert_eq!(open(&format!("{}:x", "0".repeat(64))), None);
        assert_eq!(open(r#"{"rules":"allow bind tcp *"}"#), None);
        assert_eq!(open("zz:"), None);
    }
}

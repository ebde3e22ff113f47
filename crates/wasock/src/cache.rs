//! A transparent on-disk cache of compiled modules, keyed by the module's SHA-256 and a hash of
//! the engine's version and settings, so a stale entry is never looked up.
//!
//! Loading cached native code is as trusted as loading a `.cwasm`: entries are only used from a
//! directory owned by the current user and writable by nobody else, and an entry that fails to
//! load is recompiled and replaced.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use wasmtime::Module;

/// A directory of compiled modules.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
}

/// Feeds `Hash` output into SHA-256 (std's hashers are not stable across builds).
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ModuleCache {
    /// `$WASOCK_CACHE_DIR`, else `$XDG_CACHE_HOME/wasock`, else `~/.cache/wasock`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("WASOCK_CACHE_DIR") {
            return Some(d.into());
        }
        if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
            return Some(Path::new(&d).join("wasock"));
        }
        std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/wasock"))
    }

    /// Opens (creating with mode 0700) a cache directory; `None` if it is unusable or unsafe.
    pub fn open(dir: PathBuf) -> Option<ModuleCache> {
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir);
        let meta = std::fs::metadata(&dir).ok()?;
        if !meta.is_dir() || !owned_privately(&meta) {
            return None;
        }
        Some(ModuleCache { dir })
    }

    fn entry_path(&self, engine: &wasmtime::Engine, bytes: &[u8]) -> PathBuf {
        let mut h = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut h);
        let engine_key = hex(&h.0.finalize()[..8]);
        let module_key = hex(&Sha256::digest(bytes));
        self.dir.join(format!("{module_key}-{engine_key}.cwasm"))
    }

    /// The cached compilation of `bytes`, compiling (and storing) it on a miss.
    pub fn load_or_compile(
        &self,
        engine: &wasmtime::Engine,
        bytes: &[u8],
    ) -> wasmtime::Result<Module> {
        let path = self.entry_path(engine, bytes);
        if let Ok(meta) = std::fs::metadata(&path) {
            if owned_privately(&meta) {
                // SAFETY: the entry was written by this user into a private directory, under a
                // key that pins the engine version and settings; wasmtime re-checks its header.
                if let Ok(m) = unsafe { Module::deserialize_file(engine, &path) } {
                    return Ok(m);
                }
            }
        }
        let module = Module::new(engine, bytes)?;
        // A cache write failure only costs the next start-up a compile.
        let _ = self.store(&path, &module);
        Ok(module)
    }

    fn store(&self, path: &Path, module: &Module) -> std::io::Result<()> {
        let data = module
            .serialize()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let tmp = self.dir.join(format!(
            ".tmp-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

/// Owned by the current user and not writable by group or others.
fn owned_privately(meta: &std::fs::Metadata) -> bool {
    meta.uid() == rustix::process::geteuid().as_raw() && meta.mode() & 0o022 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_and_refuses_unsafe_dirs() {
        let dir = std::env::temp_dir().join(format!("wasock-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = ModuleCache::open(dir.clone()).expect("private dir is usable");
        let engine = wasmtime::Engine::default();
        let wat = b"(module (func (export \"f\") (result i32) i32.const 7))";
        cache.load_or_compile(&engine, wat).unwrap();
        let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(entries.len(), 1);
        // A corrupted entry is recompiled and replaced, never trusted.
        std::fs::write(entries[0].path(), b"garbage").unwrap();
        cache.load_or_compile(&engine, wat).unwrap();
        assert_ne!(std::fs::read(entries[0].path()).unwrap(), b"garbage");
        // A world-writable directory is refused.
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
        assert!(ModuleCache::open(dir.clone()).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

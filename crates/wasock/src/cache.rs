//! A transparent on-disk cache of compiled modules, keyed by the module's SHA-256 and a hash of
//! the engine's version and settings, so a stale entry is never looked up.
//!
//! Loading cached native code is as trusted as loading a `.cwasm`: entries are only used from a
//! directory owned by the current user and writable by nobody else. An entry carries the
//! SHA-256 of its artifact and is checked against it before wasmtime sees a byte: damage on
//! disk (flipped bytes, truncation, garbage, an entry without a digest) is machine code that
//! wasmtime's header check does not catch and that would crash the run. A damaged entry is
//! recompiled and replaced, with one warning. Entries are written to a temporary file and
//! renamed into place, so a reader never sees half of one.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
#[cfg(feature = "components")]
use wasmtime::component::Component;
use wasmtime::Module;

/// Compiled code the cache holds: a core module or a component.
pub trait Artifact: Sized {
    /// Compiles `bytes`.
    fn compile(engine: &wasmtime::Engine, bytes: &[u8]) -> wasmtime::Result<Self>;
    /// The bytes to store.
    fn serialize(&self) -> wasmtime::Result<Vec<u8>>;
    /// Maps a stored entry.
    ///
    /// # Safety
    /// `file` must hold what [`Artifact::serialize`] wrote (see `load`).
    unsafe fn deserialize_open_file(
        engine: &wasmtime::Engine,
        file: std::fs::File,
    ) -> wasmtime::Result<Self>;
}

impl Artifact for Module {
    fn compile(engine: &wasmtime::Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        Module::new(engine, bytes)
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Module::serialize(self)
    }
    unsafe fn deserialize_open_file(
        engine: &wasmtime::Engine,
        file: std::fs::File,
    ) -> wasmtime::Result<Self> {
        // SAFETY: the caller's contract.
        unsafe { Module::deserialize_open_file(engine, file) }
    }
}

#[cfg(feature = "components")]
impl Artifact for Component {
    fn compile(engine: &wasmtime::Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        Component::new(engine, bytes)
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Component::serialize(self)
    }
    unsafe fn deserialize_open_file(
        engine: &wasmtime::Engine,
        file: std::fs::File,
    ) -> wasmtime::Result<Self> {
        // wasmtime maps no open file for components: read it (the file checked by `load`).
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut bytes)?;
        // SAFETY: the caller's contract.
        unsafe { Component::deserialize(engine, &bytes) }
    }
}

/// A directory of compiled modules.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
    quiet: bool,
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
        Some(ModuleCache { dir, quiet: false })
    }

    /// Does not print the warning about a damaged entry (`-v=0`).
    pub fn quiet(self, quiet: bool) -> Self {
        ModuleCache { quiet, ..self }
    }

    fn entry_path(&self, engine: &wasmtime::Engine, bytes: &[u8]) -> PathBuf {
        let mut h = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut h);
        // The entry layout (artifact + digest + tag): entries of an older layout are a plain
        // miss, not a "damaged entry" warning after an upgrade.
        MAGIC.hash(&mut h);
        let engine_key = hex(&h.0.finalize()[..8]);
        let module_key = hex(&Sha256::digest(bytes));
        self.dir.join(format!("{module_key}-{engine_key}.cwasm"))
    }

    /// The cached compilation of `bytes`, compiling (and storing) it on a miss; a damaged entry
    /// is recompiled and replaced, with a warning on stderr.
    pub fn load_or_compile<A: Artifact>(
        &self,
        engine: &wasmtime::Engine,
        bytes: &[u8],
    ) -> wasmtime::Result<A> {
        let path = self.entry_path(engine, bytes);
        let damage = match load(engine, &path) {
            Ok(Some(module)) => return Ok(module),
            Ok(None) => None,
            Err(why) => Some(why),
        };
        let module = A::compile(engine, bytes)?;
        // A cache write failure only costs the next start-up a compile.
        let stored = self.store(&path, &module);
        if let Some(why) = damage.filter(|_| !self.quiet) {
            let outcome = match stored {
                Ok(()) => "recompiled and replaced it".to_string(),
                Err(e) => format!("recompiled (cannot replace it: {e})"),
            };
            eprintln!(
                "wasock: warning: compile cache entry {} {why}; {outcome}",
                path.display()
            );
        }
        Ok(module)
    }

    fn store<A: Artifact>(&self, path: &Path, module: &A) -> std::io::Result<()> {
        let data = module
            .serialize()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let tmp = self.dir.join(format!(
            ".tmp-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = write_entry(&tmp, &data).and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }
}

/// An entry is the artifact (wasmtime's ELF, which ignores bytes past its sections), its
/// SHA-256, then this tag, so that wasmtime can map the file itself rather than a copy.
const MAGIC: &[u8; 16] = b"wasock-cache-v1\n";
const DIGEST_LEN: usize = 32;

/// The module cached at `path`: `None` when there is no entry, `Err(why)` when there is one
/// that must not be run (it is not private, or does not match its digest).
fn load<A: Artifact>(engine: &wasmtime::Engine, path: &Path) -> Result<Option<A>, String> {
    let unreadable = |e: std::io::Error| format!("cannot be read ({e})");
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e)),
    };
    let meta = file.metadata().map_err(unreadable)?;
    if !owned_privately(&meta) {
        return Err("is not private to this user".into());
    }
    verify(&file, meta.len())?;
    // SAFETY: the file holds byte for byte what this user's wasock serialized into a private
    // directory (its SHA-256 matches), under a key that pins the engine version and settings;
    // wasmtime re-checks its header. Writers replace entries by rename, never in place, so the
    // open file wasmtime maps is the one just checked.
    match unsafe { A::deserialize_open_file(engine, file) } {
        Ok(m) => Ok(Some(m)),
        Err(e) => Err(format!("was refused by the engine ({e})")),
    }
}

/// Whether the `len` bytes of an entry end in the tag and a digest that matches the artifact
/// before them; why not otherwise.
fn verify(file: &std::fs::File, len: u64) -> Result<(), String> {
    let unreadable = |e: std::io::Error| format!("cannot be read ({e})");
    let no_digest = || "has no digest (truncated, or written by an older wasock)".to_string();
    let mut trailer = [0u8; DIGEST_LEN + MAGIC.len()];
    let artifact_len = len
        .checked_sub(trailer.len() as u64)
        .ok_or_else(no_digest)?;
    file.read_exact_at(&mut trailer, artifact_len)
        .map_err(unreadable)?;
    let (digest, tag) = trailer.split_at(DIGEST_LEN);
    if tag != MAGIC {
        return Err(no_digest());
    }
    // Streamed through one buffer: reading a large entry whole cost as much again in page
    // faults as hashing it.
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; artifact_len.min(64 << 10) as usize];
    let mut at = 0;
    while at < artifact_len {
        let n = buf.len().min((artifact_len - at) as usize);
        file.read_exact_at(&mut buf[..n], at).map_err(unreadable)?;
        hasher.update(&buf[..n]);
        at += n as u64;
    }
    if hasher.finalize().as_slice() != digest {
        return Err("does not match its digest (damaged on disk)".into());
    }
    Ok(())
}

/// Writes a new private file holding `artifact`, its digest and the tag, synced to disk.
fn write_entry(path: &Path, artifact: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(artifact)?;
    f.write_all(&Sha256::digest(artifact))?;
    f.write_all(MAGIC)?;
    f.sync_all()
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
        cache.load_or_compile::<Module>(&engine, wat).unwrap();
        let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(entries.len(), 1);
        // A corrupted entry is recompiled and replaced, never trusted.
        std::fs::write(entries[0].path(), b"garbage").unwrap();
        cache.load_or_compile::<Module>(&engine, wat).unwrap();
        assert_ne!(std::fs::read(entries[0].path()).unwrap(), b"garbage");
        // A stored entry loads as it is (wasmtime maps the file, digest and tag included).
        let good = std::fs::read(entries[0].path()).unwrap();
        assert!(load::<Module>(&engine, &entries[0].path())
            .unwrap()
            .is_some());
        // Every kind of damage is caught before wasmtime sees the artifact.
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        let artifact = &good[..good.len() - MAGIC.len() - DIGEST_LEN];
        let bad_path = dir.join("bad");
        for (bad, why) in [
            (&flipped[..], "does not match"),
            (&good[1..], "does not match"),
            (&good[..good.len() - 1], "has no digest"),
            (artifact, "has no digest"),
            (&MAGIC[..], "has no digest"),
            (b"", "has no digest"),
        ] {
            std::fs::write(&bad_path, bad).unwrap();
            let f = std::fs::File::open(&bad_path).unwrap();
            let err = verify(&f, bad.len() as u64).unwrap_err();
            assert!(err.contains(why), "{why}: {err}");
        }
        std::fs::remove_file(&bad_path).unwrap();
        // A world-writable directory is refused.
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .unwrap();
        assert!(ModuleCache::open(dir.clone()).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

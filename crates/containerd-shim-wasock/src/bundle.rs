//! The shim's `start` step: read the container's annotations from its OCI bundle and hand
//! them to the container process.
//!
//! Why the bundle is touched: runwasi's `RuntimeContext` (containerd-shim-wasm 1.0.1) gives a
//! sandbox only the args, env and entrypoint, and the sandbox runs after `pivot_root`, where
//! the bundle is out of sight. containerd runs `SHIM start` in the bundle directory before it
//! creates each container, so that is where the annotations are read, checked (a bad policy
//! fails the container's creation with `ANNOTATION:LINE:COL: ...`), and written into the
//! process environment the sandbox reads back, sealed with the node's key (seal.rs): a value an
//! image sets for itself is refused, and the guest never sees the variable.

use crate::deploy::{self, Deployment};
use crate::seal;
use anyhow::{Context, Result};
use std::path::Path;

/// Reads `dir/config.json`, checks its `wasock.net/*` annotations, and sets [`deploy::ENV`] in
/// its process environment (replacing any value the image gave).
pub fn prepare(dir: &Path) -> Result<()> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the OCI spec {}", path.display()))?;
    let mut spec: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let deployment = deployment_of(&spec)?;
    let Some(process) = spec.get_mut("process").and_then(|p| p.as_object_mut()) else {
        // No process: nothing will run, and runwasi reports that itself.
        return Ok(());
    };
    let env = process
        .entry("env")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    let Some(env) = env.as_array_mut() else {
        anyhow::bail!("{}: process.env is not a list", path.display());
    };
    let prefix = format!("{}=", deploy::ENV);
    env.retain(|e| !e.as_str().is_some_and(|s| s.starts_with(&prefix)));
    env.push(format!("{prefix}{}", seal::seal(&deployment.to_env())?).into());
    let tmp = dir.join("config.json.wasock");
    std::fs::write(&tmp, serde_json::to_vec(&spec)?)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    let perms = std::fs::metadata(&path)?.permissions();
    std::fs::set_permissions(&tmp, perms)?;
    // A rename: containerd or a reader never sees half a file.
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))
}

/// The deployment the spec's annotations describe.
fn deployment_of(spec: &serde_json::Value) -> Result<Deployment> {
    let annotations = spec
        .get("annotations")
        .and_then(|a| a.as_object())
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)));
    Ok(Deployment::from_annotations(annotations)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(spec: serde_json::Value) -> tempdir::Dir {
        seal::test_key();
        let dir = tempdir::Dir::new();
        std::fs::write(dir.path().join("config.json"), spec.to_string()).unwrap();
        dir
    }

    fn env_of(dir: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
        let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
        spec["process"]["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn annotations_become_the_one_deployment_variable() {
        let dir = bundle(serde_json::json!({
            "ociVersion": "1.0.2",
            "annotations": {"wasock.net/rules": "allow bind tcp 0.0.0.0:80", "other": "x"},
            "process": {"args": ["/app.wasm"], "env": [
                "PATH=/bin", "WASOCK_SHIM_DEPLOYMENT={\"rules\":\"allow connect tcp *\",\"trace\":false}"
            ]},
            "root": {"path": "rootfs"}
        }));
        prepare(dir.path()).unwrap();
        let env = env_of(dir.path());
        assert_eq!(env[0], "PATH=/bin");
        let ours: Vec<&String> = env.iter().filter(|e| e.starts_with("WASOCK_")).collect();
        assert_eq!(ours.len(), 1, "{env:?}");
        let sealed = ours[0].split_once('=').unwrap().1;
        let d = Deployment::from_env(seal::open(sealed).unwrap()).unwrap();
        assert_eq!(d.rules, "allow bind tcp 0.0.0.0:80");
        // The rest of the spec is kept as it was.
        let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
        assert!(text.contains("\"ociVersion\":\"1.0.2\""), "{text}");
    }

    #[test]
    fn without_annotations_the_container_is_denied_everything() {
        let dir = bundle(serde_json::json!({"process": {"args": ["/app.wasm"]}}));
        prepare(dir.path()).unwrap();
        let env = env_of(dir.path());
        let sealed = env[0].split_once('=').unwrap().1;
        let d = Deployment::from_env(seal::open(sealed).unwrap()).unwrap();
        assert_eq!(d, Deployment::default());
    }

    #[test]
    fn a_bad_rule_fails_and_leaves_the_spec_alone() {
        let spec = serde_json::json!({
            "annotations": {"wasock.net/rules": "allow bind tcp 0.0.0.0:80\nallow bind tcpp *"},
            "process": {"args": ["/app.wasm"], "env": []}
        });
        let dir = bundle(spec.clone());
        let e = prepare(dir.path()).unwrap_err().to_string();
        assert!(e.starts_with("wasock.net/rules:2:1: "), "{e}");
        let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
        assert_eq!(text, spec.to_string());
    }

    /// A temporary directory removed on drop (std has none).
    mod tempdir {
        use std::path::{Path, PathBuf};

        pub struct Dir(PathBuf);

        impl Dir {
            pub fn new() -> Self {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static N: AtomicUsize = AtomicUsize::new(0);
                let p = std::env::temp_dir().join(format!(
                    "wasock-shim-test-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
            pub fn path(&self) -> &Path {
                &self.0
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}

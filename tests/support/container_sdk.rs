//! The second runtime's image (issue 23): `molecule-e2e-a2a-sdk-runtime:local`, an agent on
//! the pinned official a2a-sdk (docker/a2a-sdk-runtime/), built by its script when missing
//! or stale. Its label holds the sha256 of `app.py` and `requirements.txt`, so an image
//! built from other sources is rebuilt, never tested.

use std::path::PathBuf;
use std::process::Command;

use sha2::{Digest, Sha256};

/// The second runtime's image, as testcontainers names it.
pub const A2A_SDK_IMAGE: (&str, &str) = ("molecule-e2e-a2a-sdk-runtime", "local");
const SOURCE_LABEL: &str = "org.molecule.a2a-sdk-runtime.source-sha256";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docker/a2a-sdk-runtime")
}

/// sha256 of `app.py` then `requirements.txt`, as the build script labels the image.
fn source_sha() -> Result<String, String> {
    let mut h = Sha256::new();
    for f in ["app.py", "requirements.txt"] {
        let path = dir().join(f);
        h.update(std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The image, built once per test process when it is missing or holds other sources.
pub async fn a2a_sdk_image() -> Result<(String, String), String> {
    static BUILT: tokio::sync::OnceCell<Result<(), String>> = tokio::sync::OnceCell::const_new();
    BUILT.get_or_init(build).await.clone()?;
    Ok((A2A_SDK_IMAGE.0.to_owned(), A2A_SDK_IMAGE.1.to_owned()))
}

async fn build() -> Result<(), String> {
    let sha = source_sha()?;
    let (name, tag) = A2A_SDK_IMAGE;
    let docker = testcontainers::core::client::docker_client_instance().await.map_err(|e| format!("Docker: {e}"))?;
    if let Ok(img) = docker.inspect_image(&format!("{name}:{tag}")).await {
        let label = img.config.and_then(|c| c.labels).and_then(|l| l.get(SOURCE_LABEL).cloned());
        if label.as_deref() == Some(sha.as_str()) {
            eprintln!("container tier: reusing {name}:{tag} (sources sha256 {})", &sha[..12]);
            return Ok(());
        }
    }
    eprintln!("container tier: building {name}:{tag} (docker/a2a-sdk-runtime/build-image.sh)");
    let script = dir().join("build-image.sh");
    let status = tokio::task::spawn_blocking(move || Command::new(&script).env("A2A_SDK_IMAGE", format!("{name}:{tag}")).status())
        .await
        .map_err(|e| format!("build task: {e}"))?
        .map_err(|e| format!("cannot run docker/a2a-sdk-runtime/build-image.sh: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("docker/a2a-sdk-runtime/build-image.sh failed ({status})")) }
}

//! The stated minimum Rust is true: `rust-version` in Cargo.toml (and the README, which says
//! it) is at least what every crate the binary builds with asks for. This machine has one
//! toolchain, so CI cannot build with the minimum itself; cargo's metadata says what each
//! dependency declares, and a dependency that raises it fails here.

use std::process::Command;

/// `1.89` as `[1, 89, 0]`: major, minor, patch.
fn version(text: &str) -> [u64; 3] {
    let mut parts = text.split('.').map(|p| p.parse().unwrap_or(0));
    [0; 3].map(|_| parts.next().unwrap_or(0))
}

#[test]
fn the_stated_minimum_rust_builds_every_dependency() {
    let host = Command::new("rustc").arg("-vV").output().expect("rustc");
    let host = String::from_utf8_lossy(&host.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("host");
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let packages = meta["packages"].as_array().expect("packages");
    let stated = packages
        .iter()
        .find(|p| p["name"] == "mentorflow")
        .and_then(|p| p["rust_version"].as_str())
        .expect("the binary states a rust-version")
        .to_string();
    // Every crate the binary builds with (normal and build dependencies, not the tests').
    let nodes = meta["resolve"]["nodes"].as_array().expect("nodes");
    let node = |id: &str| nodes.iter().find(|n| n["id"] == id).expect("node");
    let root = packages
        .iter()
        .find(|p| p["name"] == "mentorflow")
        .and_then(|p| p["id"].as_str())
        .expect("id");
    let (mut seen, mut stack) = (std::collections::BTreeSet::new(), vec![root.to_string()]);
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        for dep in node(&id)["deps"].as_array().into_iter().flatten() {
            let built = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if built {
                stack.push(dep["pkg"].as_str().expect("pkg").to_string());
            }
        }
    }
    let newest = packages
        .iter()
        .filter(|p| seen.contains(p["id"].as_str().unwrap_or_default()))
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p["name"].to_string())))
        .max()
        .expect("dependencies");
    assert!(
        newest.0 <= version(&stated),
        "rust-version {stated} is below what {} asks for ({:?}): raise it in Cargo.toml and the README",
        newest.1,
        newest.0
    );
    let readme = std::fs::read_to_string("README.md").expect("README");
    assert!(
        readme.contains(&format!("Rust {stated} or later")),
        "the README names another minimum than rust-version {stated}"
    );
}

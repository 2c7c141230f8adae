//! Builds an example program and says where cargo put it.
//!
//! The path of a built example depends on where cargo builds (`CARGO_TARGET_DIR`,
//! `build.target-dir`, a workspace above the package, a `--target` triple), so it is not
//! guessed from the manifest or the test's own directories: the helper runs
//! `cargo build --example NAME --message-format=json` in the package and reads the
//! `executable` of the example's `compiler-artifact` message. Each example is built once
//! per test binary. Include it with `#[path = "support/example.rs"] mod example;`.
// A helper that cannot build the program it was asked for is a failed test.
// Indexing a `serde_json::Value` yields `Null` for a missing key; it never panics.
#![allow(
    dead_code,
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The examples built so far by this test binary, by name.
static BUILT: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();

/// The path of the example program `name`, built (in the debug profile, default features)
/// on the first call for that name.
///
/// Concurrent callers wait for one build rather than start their own.
pub(crate) fn path(name: &str) -> PathBuf {
    path_with_features(name, &[])
}

/// The path of the example program `name` built with `features` (as `--features` takes
/// them) besides the default ones, built on the first call for that name and features:
/// `path_with_features("keygen", &["dnssec"])` for an example with
/// `required-features`.
pub(crate) fn path_with_features(name: &str, features: &[&str]) -> PathBuf {
    let built = BUILT.get_or_init(Mutex::default);
    // A build that panicked left nothing in the map; the next caller tries again.
    let mut built = built.lock().unwrap_or_else(PoisonError::into_inner);
    let features = features.join(",");
    let id = format!("{name} {features}");
    if let Some(path) = built.get(&id) {
        return path.clone();
    }
    let path = build(name, &features);
    built.insert(id, path.clone());
    path
}

/// Runs `cargo build --example NAME --message-format=json` (with `--features FEATURES`
/// unless empty) in the package and returns the `executable` of the example's
/// `compiler-artifact` message.
fn build(name: &str, features: &str) -> PathBuf {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "build",
        "--quiet",
        "--example",
        name,
        "--message-format=json",
    ]);
    if !features.is_empty() {
        command.args(["--features", features]);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build the {name} example: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let messages: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    if !output.status.success() {
        // With JSON output, rustc's diagnostics are on stdout, rendered inside messages.
        let diagnostics: String = messages
            .iter()
            .filter_map(|m| m["message"]["rendered"].as_str())
            .collect();
        panic!(
            "cargo build --example {name} failed ({}):\n{diagnostics}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let executables: Vec<PathBuf> = messages
        .iter()
        .filter(|m| {
            m["reason"] == "compiler-artifact"
                && m["target"]["name"] == name
                && m["target"]["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|kind| kind == "example"))
        })
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .collect();
    match executables.as_slice() {
        [executable] => executable.clone(),
        other => panic!(
            "cargo build --example {name} reported {} executables for it: {other:?}\n{stdout}",
            other.len()
        ),
    }
}

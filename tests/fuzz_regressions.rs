//! The fuzz targets' seed corpus (`fuzz/corpus/<target>/`, real files) and
//! every crash, hang or huge allocation the fuzzer found
//! (`fuzz/regressions/<target>/`, each named after what it broke), run
//! through the same code as the fuzz binaries (`fuzz/targets.rs`) on
//! every `cargo test`, without AFL++.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

fn inputs(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(folder).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn every_seed_and_every_finding_runs_clean_through_its_target() {
    let mut ran = 0;
    for target in targets::TARGETS {
        let seeds = inputs("corpus", target);
        assert!(!seeds.is_empty(), "fuzz/corpus/{target} has no seed");
        for (name, data) in seeds.iter().chain(&inputs("regressions", target)) {
            let started = std::time::Instant::now();
            let result = std::panic::catch_unwind(|| targets::run(target, data));
            assert!(result.is_ok(), "{target} panics on {name}");
            // A hang found by the fuzzer must stay fixed (debug build: generous).
            assert!(started.elapsed().as_secs() < 20, "{target} takes {:?} on {name}", started.elapsed());
            ran += 1;
        }
    }
    assert!(ran >= 40, "only {ran} inputs");
}

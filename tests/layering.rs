//! DESIGN.md invariant 1: only `src/ui/` and `src/main.rs` may use egui or
//! eframe. This test reads the source tree and fails on any other file that
//! does.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_ui_and_main_use_egui_or_eframe() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 5, "found too few source files: {files:?}");
    let allowed = |p: &Path| p.starts_with(src.join("ui")) || p == src.join("main.rs");
    let offenders: Vec<String> = files
        .iter()
        .filter(|p| !allowed(p))
        .filter(|p| {
            let text = std::fs::read_to_string(p).expect("read file");
            text.lines().any(|line| {
                let code = line.split("//").next().unwrap_or("");
                code.contains("egui") || code.contains("eframe")
            })
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "egui/eframe used outside src/ui and src/main.rs: {offenders:?}");
}

//! Embeds every `decks/*.json` into the binary, so the bundled decks travel
//! with it and `cargo run` from anywhere finds them.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=decks");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("decks"))
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    let mut code = String::from(
        "/// The bundled deck files: (path relative to the repository, bytes).\npub static BUNDLED_FILES: &[(&str, &[u8])] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let _ = writeln!(code, "    (\"decks/{name}\", include_bytes!({:?})),", path.display().to_string());
    }
    code.push_str("];\n");
    fsrs_version(&root);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("bundled_decks.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}

/// Tells the code which `fsrs` version it is built with (from
/// `Cargo.lock`), to key the snapshot cache: another scheduler version may
/// replay to other states.
fn fsrs_version(root: &std::path::Path) {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    let mut version = String::from("unknown");
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"fsrs\""
            && let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = "))
        {
            v.trim_matches('"').clone_into(&mut version);
            break;
        }
    }
    println!("cargo:rustc-env=YADGAR_FSRS_VERSION={version}");
}

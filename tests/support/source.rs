//! The source article the bundled decks come from. It may not be copied into
//! the project, so tests find it through `YADGAR_SOURCE` or beside the
//! repository (`../shared/source/…`). When neither exists they skip with one
//! line saying so, except on CI (`CI=true`), where they fail.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The source text's path, or `None` (after saying why) when it is not on
/// this machine. Panics on CI, which must run every test.
pub fn source_path() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = std::env::var_os("YADGAR_SOURCE")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::iter::once(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/source/000_83dd1603bd5d726b.txt")))
        .collect();
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Some(found.clone());
    }
    let message = format!(
        "the source article is not here (set YADGAR_SOURCE, or put it at {})",
        candidates.last().map(|p| p.display().to_string()).unwrap_or_default()
    );
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}; CI must run this test");
    // Straight to stderr, past the test harness's capture, so the skip is seen.
    let _ = writeln!(std::io::stderr(), "skipped: {message}");
    None
}

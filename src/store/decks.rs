//! Reading deck files from disk. A file that fails is reported with its path
//! and left untouched; the other decks still load.

use std::io::Read as _;
use std::path::Path;

use crate::deck::{Deck, DeckError, DeckOrigin, Library, MAX_DECK_BYTES, bundled_parse_results};

/// Reads and validates one deck file. The size is checked before reading,
/// so an enormous stray file is refused without filling memory.
///
/// # Errors
/// The file cannot be read, is too large, or is not a valid deck.
pub fn load_deck_file(path: &Path) -> Result<Deck, DeckError> {
    let file = path.display().to_string();
    let mut handle = std::fs::File::open(path).map_err(|e| DeckError::unreadable(&file, &e))?;
    let size = handle.metadata().map_err(|e| DeckError::unreadable(&file, &e))?.len();
    if size > MAX_DECK_BYTES {
        return Err(DeckError::too_large(&file, size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grew.
    handle.by_ref().take(MAX_DECK_BYTES + 1).read_to_end(&mut bytes).map_err(|e| DeckError::unreadable(&file, &e))?;
    Deck::from_json(&file, &bytes)
}

/// Loads every `*.json` file in `dir`, in file-name order. A missing folder
/// holds no decks.
pub fn load_deck_dir(dir: &Path) -> Vec<(String, DeckOrigin, Result<Deck, DeckError>)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            let file = dir.display().to_string();
            return vec![(file.clone(), DeckOrigin::Profile, Err(DeckError::unreadable(&file, &e)))];
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
        .collect();
    paths.sort();
    paths.into_iter().map(|p| (p.display().to_string(), DeckOrigin::Profile, load_deck_file(&p))).collect()
}

/// The bundled decks followed by the decks in `profile_decks`, with the
/// profile's edits of bundled cards (`overrides.json` beside that folder)
/// applied. An unreadable `overrides.json` is reported among the errors and
/// the bundled cards show as shipped.
pub fn load_library(profile_decks: &Path) -> Library {
    let mut results = bundled_parse_results();
    results.extend(load_deck_dir(profile_decks));
    let mut library = Library::from_results(results);
    if let Some(profile_dir) = profile_decks.parent() {
        let file = profile_dir.join(super::OVERRIDES_FILE).display().to_string();
        match super::read_overrides(profile_dir) {
            Ok(overrides) => library.apply_overrides(&file, &overrides),
            Err(e) => library.errors.push(e),
        }
    }
    library
}

//! The set of decks a profile sees: the bundled ones and the profile's own,
//! with the errors of those that failed to load.

use std::collections::{HashMap, HashSet};

use super::{CardId, Deck, DeckError, DeckErrorKind, DeckId};

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_decks.rs"));
}

/// Where a deck came from. Bundled decks are read-only (DESIGN.md,
/// invariant 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeckOrigin {
    /// Shipped inside the binary.
    Bundled,
    /// A file in the profile's `decks/` folder.
    Profile,
}

/// A deck that loaded, with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedDeck {
    /// The deck's file, as shown to the user.
    pub file: String,
    /// Bundled or the profile's own.
    pub origin: DeckOrigin,
    /// The deck itself.
    pub deck: Deck,
}

/// Every deck available to a profile, and every deck that failed to load.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Decks that loaded, bundled first, each group in file-name order.
    pub decks: Vec<LoadedDeck>,
    /// Files that failed, with what to do about them.
    pub errors: Vec<DeckError>,
    /// Bundled cards shown with the profile's edits (`overrides.json`).
    pub edited: HashSet<(DeckId, CardId)>,
}

/// The bundled deck files, as (file, bytes).
pub fn bundled_files() -> &'static [(&'static str, &'static [u8])] {
    bundled::BUNDLED_FILES
}

impl Library {
    /// The profile's own decks (not the bundled ones), as id and title.
    pub fn own_decks(&self) -> Vec<(DeckId, String)> {
        self.decks
            .iter()
            .filter(|d| d.origin == DeckOrigin::Profile)
            .map(|d| (d.deck.id.clone(), d.deck.title.clone()))
            .collect()
    }

    /// Builds a library from parse results in order. A deck whose id is
    /// already taken by an earlier deck is reported and left out, so one bad
    /// file never hides another deck's progress.
    pub fn from_results(results: impl IntoIterator<Item = (String, DeckOrigin, Result<Deck, DeckError>)>) -> Library {
        let mut library = Library::default();
        let mut files_by_id: HashMap<String, String> = HashMap::new();
        for (file, origin, result) in results {
            match result {
                Ok(deck) => {
                    if let Some(other) = files_by_id.get(deck.id.0.as_str()) {
                        library.errors.push(DeckError {
                            file,
                            line: None,
                            column: None,
                            kind: DeckErrorKind::DuplicateDeckId { id: deck.id.0.to_string(), other: other.clone() },
                        });
                        continue;
                    }
                    files_by_id.insert(deck.id.0.to_string(), file.clone());
                    library.decks.push(LoadedDeck { file, origin, deck });
                }
                Err(e) => library.errors.push(e),
            }
        }
        library
    }

    /// The bundled decks alone, parsed from the bytes inside the binary.
    pub fn bundled() -> Library {
        Library::from_results(bundled_parse_results())
    }

    /// The loaded deck with this id.
    pub fn deck(&self, id: &DeckId) -> Option<&LoadedDeck> {
        self.decks.iter().find(|d| d.deck.id == *id)
    }

    /// The card a sibling link in deck `deck` names (`card-id` in the same
    /// deck, or `deck-id/card-id`), as (deck, card), if it is loaded.
    pub fn resolve_sibling(&self, deck: &str, link: &str) -> Option<(DeckId, CardId)> {
        let (deck, card) = link.split_once('/').unwrap_or((deck, link));
        let loaded = self.decks.iter().find(|d| d.deck.id.0 == deck)?;
        let found = loaded.deck.cards.iter().find(|c| c.id.0 == card)?;
        Some((loaded.deck.id.clone(), found.id.clone()))
    }

    /// Every sibling link that resolves, both ways, as ("deck/card",
    /// "deck/card") pairs: links are symmetric whichever card declares them.
    pub fn sibling_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for loaded in &self.decks {
            for card in &loaded.deck.cards {
                for link in &card.siblings {
                    if let Some((d, c)) = self.resolve_sibling(&loaded.deck.id.0, link) {
                        let a = format!("{}/{}", loaded.deck.id.0, card.id.0);
                        let b = format!("{}/{}", d.0, c.0);
                        out.push((b.clone(), a.clone()));
                        out.push((a, b));
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The siblings of each card, both ways, keyed by (deck, card).
    pub fn siblings(&self) -> HashMap<(DeckId, CardId), Vec<(DeckId, CardId)>> {
        let mut out: HashMap<(DeckId, CardId), Vec<(DeckId, CardId)>> = HashMap::new();
        for loaded in &self.decks {
            for card in &loaded.deck.cards {
                for link in &card.siblings {
                    if let Some(other) = self.resolve_sibling(&loaded.deck.id.0, link) {
                        let me = (loaded.deck.id.clone(), card.id.clone());
                        out.entry(other.clone()).or_default().push(me.clone());
                        out.entry(me).or_default().push(other);
                    }
                }
            }
        }
        for list in out.values_mut() {
            list.sort();
            list.dedup();
        }
        out
    }

    /// The number of cards in every loaded deck.
    pub fn card_count(&self) -> usize {
        self.decks.iter().map(|d| d.deck.cards.len()).sum()
    }
}

/// Parse results of the bundled decks, ready to be combined with others.
/// The decks are parsed and checked once per process (they are in the
/// binary, so they cannot change); each call returns a copy.
pub fn bundled_parse_results() -> Vec<(String, DeckOrigin, Result<Deck, DeckError>)> {
    type Parsed = Vec<(String, DeckOrigin, Result<Deck, DeckError>)>;
    static PARSED: std::sync::OnceLock<Parsed> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| {
            bundled_files()
                .iter()
                .map(|(file, bytes)| ((*file).to_owned(), DeckOrigin::Bundled, Deck::from_json(file, bytes)))
                .collect()
        })
        .clone()
}

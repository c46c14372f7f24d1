//! Import and export: Anki packages (`apkg`), CSV/TSV (`csv`) and Yadgar's
//! own deck JSON. Each format turns a file into a validated [`Deck`] plus
//! review-log [`Event`]s, or the other way round; writing them into a
//! profile is the store's job (`Collection::import_deck`).
//!
//! The one exception to "only the store touches files": `apkg::read` and
//! `apkg::write` open the file they are given (a zip holding an SQLite
//! database cannot be handled as bytes alone). They read no clock and no
//! other file, and leave nothing behind when they fail or are cancelled.

pub mod apkg;
pub mod csv;
mod html;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use thiserror::Error;

use crate::deck::{Card, CardId, Deck, DeckError, DeckId, FORMAT_VERSION};
use crate::revlog::Event;
use crate::text::normalise;

pub use html::{escape_html, strip_html};

/// A shared handle between a long import or export and the screen that
/// shows it: the fraction done, and a cancel flag that the work polls.
/// Clone it; every clone sees the same state.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    inner: Arc<ProgressInner>,
}

#[derive(Debug, Default)]
struct ProgressInner {
    /// The fraction done, in millionths.
    millionths: AtomicU32,
    cancelled: AtomicBool,
}

impl Progress {
    /// A handle at 0% and not cancelled.
    pub fn new() -> Progress {
        Progress::default()
    }

    /// The fraction done, 0.0 to 1.0.
    pub fn fraction(&self) -> f32 {
        self.inner.millionths.load(Ordering::Relaxed) as f32 / 1_000_000.0
    }

    /// Asks the work to stop; it returns [`InteropError::Cancelled`] at its
    /// next check and removes what it wrote.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Relaxed)
    }

    /// Records the fraction done (clamped to 0..=1) and checks for cancel.
    ///
    /// # Errors
    /// [`InteropError::Cancelled`] once [`Progress::cancel`] was called.
    pub fn step(&self, fraction: f64) -> Result<(), InteropError> {
        let millionths = (fraction.clamp(0.0, 1.0) * 1_000_000.0) as u32;
        self.inner.millionths.store(millionths, Ordering::Relaxed);
        if self.is_cancelled() { Err(InteropError::Cancelled) } else { Ok(()) }
    }
}

/// What can go wrong importing or exporting. Messages name the file (or
/// line) and say what to do.
#[derive(Debug, Error)]
pub enum InteropError {
    /// The file could not be read or written.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not a zip archive, or a broken one.
    #[error(
        "{path} is not an Anki package ({reason}): export the deck again from Anki with File > Export, \"Anki Deck Package (*.apkg)\""
    )]
    NotAPackage {
        /// The file.
        path: PathBuf,
        /// What the zip reader said.
        reason: String,
    },
    /// The zip holds no Anki collection.
    #[error(
        "{path} holds no Anki collection (collection.anki21b, collection.anki21 or collection.anki2): it is not an Anki deck package; export the deck again from Anki"
    )]
    NoCollection {
        /// The file.
        path: PathBuf,
    },
    /// The collection inside the package unpacks to more than the limit.
    #[error(
        "{path}: the collection inside unpacks to more than {} MiB, far more than any deck: it was not imported (a damaged or malicious package); export the deck again from Anki",
        limit >> 20
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The temporary folder is nearly full.
    #[error(
        "the temporary folder {} has only {} MiB free, too little to unpack the package: free some space and import again",
        dir.display(),
        free >> 20
    )]
    NoSpace {
        /// The temporary folder.
        dir: PathBuf,
        /// Bytes free.
        free: u64,
    },
    /// The collection inside the package cannot be read as a database.
    #[error("{path}: the collection inside ({entry}) cannot be read: {reason}; export the deck again from Anki")]
    BadCollection {
        /// The file.
        path: PathBuf,
        /// The entry of the zip.
        entry: String,
        /// What went wrong.
        reason: String,
    },
    /// A database error while writing a package.
    #[error("cannot write the Anki collection for {path}: {reason}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A CSV/TSV line that cannot be read.
    #[error("line {line}: {reason}")]
    Csv {
        /// The 1-based line.
        line: u64,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The imported cards do not make a valid deck.
    #[error("the imported deck is not valid: {0}")]
    Deck(#[from] DeckError),
    /// No card could be made from the file.
    #[error("nothing to import: {0}")]
    Empty(String),
    /// The user cancelled; nothing was left behind.
    #[error("cancelled")]
    Cancelled,
}

/// A card or row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it was: `note 1712…` or `line 12`.
    pub what: String,
    /// Why it was left out.
    pub reason: String,
}

/// What an import produced: a valid deck, its review history (empty for
/// formats without one), and what was left out.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The deck, validated as a deck file would be.
    pub deck: Deck,
    /// Review-log events for the deck's cards, with deterministic ids, in
    /// replay order.
    pub events: Vec<Event>,
    /// Cards or rows left out, with reasons.
    pub skipped: Vec<Skipped>,
}

impl Imported {
    /// The number of reviews in [`Imported::events`].
    pub fn reviews(&self) -> usize {
        self.events.iter().filter(|e| matches!(e.action, crate::revlog::Action::Review { .. })).count()
    }
}

/// A deck id made from a name: lowercase letters and digits, other runs of
/// characters turned into one `-`, at most 64 characters. A name that is
/// already a valid id is kept as it is.
pub fn deck_id_from_name(name: &str) -> DeckId {
    DeckId(slug(name, 64, "imported").into())
}

/// `text` as an id: `a`-`z`, `0`-`9` and single `-`, at most `max_len`
/// characters, `fallback` when nothing is left.
pub(crate) fn slug(text: &str, max_len: usize, fallback: &str) -> String {
    let mut out = String::new();
    for c in normalise(text).chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= max_len {
            break;
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() { fallback.to_owned() } else { out }
}

/// A tag cleaned to the deck rules: lowercase, no spaces; Anki's `a::b`
/// hierarchy becomes `a-b`. `None` if nothing is left.
pub(crate) fn clean_tag(tag: &str) -> Option<String> {
    let mut out = String::new();
    for c in tag.to_lowercase().chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

/// Makes a valid deck of `cards`: cards whose question repeats an earlier
/// one (as the deck rules compare them) or whose id repeats are skipped,
/// events of skipped cards dropped, and the result checked by the same
/// parser that loads deck files.
pub(crate) fn finish(
    id: DeckId,
    title: &str,
    cards: Vec<(String, Card)>,
    mut events: Vec<Event>,
    mut skipped: Vec<Skipped>,
) -> Result<Imported, InteropError> {
    let mut questions: HashMap<String, CardId> = HashMap::new();
    let mut ids: HashMap<CardId, ()> = HashMap::new();
    let mut kept = Vec::with_capacity(cards.len());
    for (what, card) in cards {
        if ids.contains_key(&card.id) {
            skipped.push(Skipped { what, reason: format!("card id {} appears twice", card.id) });
            continue;
        }
        if let Some(other) = questions.get(&normalise(&card.question)) {
            skipped.push(Skipped { what, reason: format!("same question as card {other}") });
            continue;
        }
        questions.insert(normalise(&card.question), card.id.clone());
        ids.insert(card.id.clone(), ());
        kept.push(card);
    }
    if kept.is_empty() {
        let reasons: Vec<String> = skipped.iter().take(3).map(|s| format!("{}: {}", s.what, s.reason)).collect();
        return Err(InteropError::Empty(if reasons.is_empty() {
            "the file holds no cards".to_owned()
        } else {
            format!("every card was skipped ({})", reasons.join("; "))
        }));
    }
    let title = if title.trim().is_empty() { id.0.to_string() } else { title.trim().to_owned() };
    let deck = Deck {
        format: FORMAT_VERSION,
        id,
        title,
        source_sha256: None,
        description: String::new(),
        covers: Vec::new(),
        cards: kept,
        retired: Vec::new(),
    };
    // The same checks as a deck file gets, so an import never writes a deck
    // the app would then refuse to load.
    let json = serde_json::to_vec(&deck).map_err(|e| InteropError::Empty(e.to_string()))?;
    let file = format!("{}.json", deck.id);
    // One copy of a large deck at a time.
    drop(deck);
    let deck = Deck::from_json(&file, &json)?;
    drop(json);
    events.retain(|e| ids.contains_key(&e.card));
    for event in &mut events {
        if event.deck != deck.id {
            event.deck = deck.id.clone();
        }
    }
    // Two events with the same time and id are the same event (ids are
    // derived from what they record), so this order is a stable sort's,
    // without a stable sort's buffer of half the events.
    events.sort_unstable_by_key(Event::order_key);
    Ok(Imported { deck, events, skipped })
}

/// Reads a Yadgar deck file's bytes (`Deck::from_json`); `file` names it in
/// errors.
///
/// # Errors
/// The bytes are not a valid deck.
pub fn read_json(file: &str, bytes: &[u8]) -> Result<Imported, InteropError> {
    let deck = Deck::from_json(file, bytes)?;
    Ok(Imported { deck, events: Vec::new(), skipped: Vec::new() })
}

/// A deck as pretty JSON in the documented format, ending in a newline.
///
/// # Errors
/// Never in practice: plain data always serialises.
pub fn write_json(deck: &Deck) -> Result<Vec<u8>, InteropError> {
    let mut bytes = serde_json::to_vec_pretty(deck).map_err(|e| InteropError::Empty(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The file formats Yadgar imports and exports, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An Anki deck package, `.apkg`.
    Apkg,
    /// Comma-separated values, `.csv`.
    Csv,
    /// Tab-separated values, `.tsv` or `.txt`.
    Tsv,
    /// A Yadgar deck file, `.json`.
    Json,
}

impl Format {
    /// The format for a file name's extension (case ignored), if known.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "apkg" => Some(Format::Apkg),
            "csv" => Some(Format::Csv),
            "tsv" | "txt" => Some(Format::Tsv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

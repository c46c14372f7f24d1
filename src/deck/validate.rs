//! Parsing a deck file and checking its rules, with errors that name the
//! file, the line and column or the card, and say what to do.

use std::collections::HashMap;

use thiserror::Error;

use super::{ANSWER_SLOT, Card, Deck, FORMAT_VERSION};
use crate::text::normalise;

/// The largest deck file read, in bytes. A bigger file is refused before it
/// is read, so a stray multi-gigabyte file cannot exhaust memory.
pub const MAX_DECK_BYTES: u64 = 64 * 1024 * 1024;

/// A deck that could not be loaded: which file, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}{}: {kind}", location(*.line, *.column))]
pub struct DeckError {
    /// The file, as the user would find it.
    pub file: String,
    /// The 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// The 1-based column of the problem, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub kind: DeckErrorKind,
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// What is wrong with a deck file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeckErrorKind {
    /// The file has no content at all.
    #[error("the file is empty: a deck is a JSON object, see docs/deck-format.md")]
    Empty,
    /// The file is larger than [`MAX_DECK_BYTES`].
    #[error("the file is {megabytes} MB, more than the 64 MB a deck may be: split it into several decks")]
    TooLarge {
        /// The file's size, in whole megabytes.
        megabytes: u64,
    },
    /// The file could not be read at all.
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    /// The bytes are not UTF-8 text.
    #[error("the file is not UTF-8 text: save it as UTF-8 and try again")]
    NotUtf8,
    /// The JSON is broken or a field has the wrong type.
    #[error("{0}: fix the JSON (see docs/deck-format.md)")]
    Json(String),
    /// The `format` number is not one this build reads.
    #[error(
        "deck format {found} is not known to this version of Yadgar, which reads format {FORMAT_VERSION}: update Yadgar"
    )]
    UnknownFormat {
        /// The version the file declares.
        found: u64,
    },
    /// The deck id is empty or uses characters outside the id set.
    #[error(
        "deck id {0:?} is not valid: use 1 to 64 characters from a-z, 0-9, '-' and '_', starting with a letter or digit"
    )]
    BadDeckId(String),
    /// The title is blank.
    #[error("the deck has no title: give it a \"title\"")]
    BlankTitle,
    /// A card id is empty or uses characters outside the id set.
    #[error(
        "card id {0:?} is not valid: use 1 to 100 characters from a-z, 0-9, '-' and '_', starting with a letter or digit"
    )]
    BadCardId(String),
    /// Two cards share an id.
    #[error("card {0:?} appears twice: give each card its own id, and never reuse an old one")]
    DuplicateCardId(String),
    /// A required text is blank.
    #[error("card {card:?}: {field} is blank: write it, or remove the card")]
    Blank {
        /// The card's id.
        card: String,
        /// Which field is blank.
        field: &'static str,
    },
    /// A tag is blank or contains a space.
    #[error("card {card:?}: tag {tag:?} is not valid: tags are single words without spaces (use '-' to join words)")]
    BadTag {
        /// The card's id.
        card: String,
        /// The offending tag.
        tag: String,
    },
    /// `source.paragraph` is 0.
    #[error("card {0:?}: source paragraph 0 does not exist: paragraphs are numbered from 1")]
    ZeroParagraph(String),
    /// The deck's `covers` names a kind that none of its cards has.
    #[error("the deck says it covers {0} cards but has none: add one, or remove {0:?} from \"covers\"")]
    UncoveredKind(&'static str),
    /// Two deck files declare the same deck id.
    #[error("deck id {id:?} is already used by {other}: give this deck its own id")]
    DuplicateDeckId {
        /// The id both files use.
        id: String,
        /// The file that loaded first and keeps the id.
        other: String,
    },
    /// A card uses the id of a card the deck retired.
    #[error("card {0:?} uses a retired id: ids of removed cards are never reused, give it a new id")]
    RetiredId(String),
    /// An exam field (`statement`, `distractors`, `event`, `siblings`)
    /// breaks its rule.
    #[error("card {card:?}: {field} {why}")]
    ExamField {
        /// The card's id.
        card: String,
        /// The field.
        field: &'static str,
        /// What is wrong and what to do.
        why: String,
    },
    /// Two cards ask the same question once normalised.
    #[error("card {card:?} asks the same question as card {other:?}: reword one of them or remove it")]
    DuplicateQuestion {
        /// The later card's id.
        card: String,
        /// The earlier card's id.
        other: String,
    },
}

impl DeckError {
    fn new(file: &str, kind: DeckErrorKind) -> Self {
        Self { file: file.to_owned(), line: None, column: None, kind }
    }

    fn at(file: &str, line: usize, column: Option<usize>, kind: DeckErrorKind) -> Self {
        Self { file: file.to_owned(), line: Some(line), column, kind }
    }

    /// An error for a file that could not be read; the store uses it.
    pub fn unreadable(file: &str, reason: &std::io::Error) -> Self {
        Self::new(file, DeckErrorKind::Unreadable(reason.to_string()))
    }

    /// An error for a file larger than [`MAX_DECK_BYTES`].
    pub fn too_large(file: &str, bytes: u64) -> Self {
        Self::new(file, DeckErrorKind::TooLarge { megabytes: bytes / (1024 * 1024) })
    }
}

#[derive(serde::Deserialize)]
struct FormatProbe {
    format: Option<serde_json::Value>,
}

pub(super) fn parse(file: &str, bytes: &[u8]) -> Result<Deck, DeckError> {
    if bytes.len() as u64 > MAX_DECK_BYTES {
        return Err(DeckError::too_large(file, bytes.len() as u64));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DeckError::new(file, DeckErrorKind::Empty));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        DeckError::at(file, line, Some(column), DeckErrorKind::NotUtf8)
    })?;
    // A deck of this version that reads as one needs no probe: read it in
    // one pass (a large deck of the student's own takes a while to read).
    if let Ok(deck) = serde_json::from_str::<Deck>(text)
        && deck.format == FORMAT_VERSION
    {
        check_rules(file, text, &deck)?;
        return Ok(deck);
    }
    // Read the version first, so that a deck from a newer Yadgar is reported
    // as such rather than as a puzzling type error in a field we don't know.
    let probe: FormatProbe = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    if let Some(found) = probe.format.as_ref().and_then(serde_json::Value::as_u64)
        && found != u64::from(FORMAT_VERSION)
    {
        return Err(DeckError::new(file, DeckErrorKind::UnknownFormat { found }));
    }
    let deck: Deck = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    check_rules(file, text, &deck)?;
    Ok(deck)
}

fn json_error(file: &str, e: &serde_json::Error) -> DeckError {
    // serde_json appends " at line L column C" to its message; we give the
    // position in the usual file:line:column form instead.
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    DeckError::at(file, e.line(), Some(e.column()), DeckErrorKind::Json(message))
}

fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    (line, offset - line_start + 1)
}

/// Ids are stable keys: a small character set keeps them safe in file names,
/// URLs and other tools.
pub(crate) fn is_valid_id(id: &str, max_len: usize) -> bool {
    let mut chars = id.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok
        && id.len() <= max_len
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

pub(super) fn check_rules(file: &str, text: &str, deck: &Deck) -> Result<(), DeckError> {
    if !is_valid_id(&deck.id.0, 64) {
        return Err(DeckError::new(file, DeckErrorKind::BadDeckId(deck.id.0.to_string())));
    }
    if deck.title.trim().is_empty() {
        return Err(DeckError::new(file, DeckErrorKind::BlankTitle));
    }
    // A fast hash: a deck of the student's own can hold 100,000 cards.
    let mut ids: HashMap<&str, usize, foldhash::fast::RandomState> = HashMap::default();
    let mut questions: HashMap<String, &str, foldhash::fast::RandomState> = HashMap::default();
    ids.reserve(deck.cards.len());
    questions.reserve(deck.cards.len());
    for card in &deck.cards {
        let id = card.id.0.as_str();
        let seen = ids.entry(id).or_insert(0);
        *seen += 1;
        let at_card = |kind| match card_line(text, id, *seen) {
            Some(line) => DeckError::at(file, line, None, kind),
            None => DeckError::new(file, kind),
        };
        if !is_valid_id(id, 100) {
            return Err(at_card(DeckErrorKind::BadCardId(id.to_owned())));
        }
        if *seen > 1 {
            return Err(at_card(DeckErrorKind::DuplicateCardId(id.to_owned())));
        }
        if let Some(field) = blank_field(card) {
            return Err(at_card(DeckErrorKind::Blank { card: id.to_owned(), field }));
        }
        if let Some(tag) = card.tags.iter().find(|t| t.is_empty() || t.chars().any(char::is_whitespace)) {
            return Err(at_card(DeckErrorKind::BadTag { card: id.to_owned(), tag: tag.clone() }));
        }
        if card.source.as_ref().is_some_and(|s| s.paragraph == 0) {
            return Err(at_card(DeckErrorKind::ZeroParagraph(id.to_owned())));
        }
        if deck.retired.iter().any(|r| r.0 == id) {
            return Err(at_card(DeckErrorKind::RetiredId(id.to_owned())));
        }
        if let Some((field, why)) = exam_field_problem(card) {
            return Err(at_card(DeckErrorKind::ExamField { card: id.to_owned(), field, why }));
        }
        if let Some(other) = questions.insert(normalise(&card.question), id) {
            return Err(at_card(DeckErrorKind::DuplicateQuestion { card: id.to_owned(), other: other.to_owned() }));
        }
    }
    if let Some(kind) = deck.covers.iter().find(|&&kind| !deck.cards.iter().any(|c| c.kind == kind)) {
        return Err(DeckError::new(file, DeckErrorKind::UncoveredKind(kind.name())));
    }
    Ok(())
}

/// The first broken rule of a card's exam fields, if any. These rules need
/// only the card; `yadgar check --source` checks the rest against the text.
pub(crate) fn exam_field_problem(card: &Card) -> Option<(&'static str, String)> {
    if !card.statement.is_empty() {
        let s = card.statement.trim();
        let why = if s.matches(ANSWER_SLOT).count() != 1 {
            Some(format!("must hold {ANSWER_SLOT} exactly once, where the answer goes"))
        } else if s.contains('?') {
            Some("must be a statement, not a question: remove the \"?\"".to_owned())
        } else if !s.ends_with('.') {
            Some("must end with a full stop".to_owned())
        } else {
            None
        };
        if let Some(why) = why {
            return Some(("the statement", why));
        }
    }
    if !card.distractors.is_empty() {
        let n = card.distractors.len();
        if !(MIN_DISTRACTORS..=MAX_DISTRACTORS).contains(&n) {
            return Some((
                "distractors",
                format!("has {n}: give {MIN_DISTRACTORS} to {MAX_DISTRACTORS} wrong answers, or none"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for d in &card.distractors {
            if d.trim().is_empty() {
                return Some(("distractors", "has a blank entry: remove it".to_owned()));
            }
            if !seen.insert(normalise(d)) {
                return Some(("distractors", format!("lists {:?} twice", cut(d))));
            }
            if crate::answer::check(d, &card.answer, &card.accept) == crate::answer::Verdict::Correct {
                return Some((
                    "distractors",
                    format!("lists {:?}, which is the answer or one of its accept forms: remove it", cut(d)),
                ));
            }
        }
    }
    if !card.event.is_empty() {
        if card.kind != super::CardKind::Date {
            return Some(("event", "is for date cards only: remove it, or make the card a date card".to_owned()));
        }
        if card.event.trim().is_empty() || card.event.contains('?') {
            return Some(("event", "must be a short headline, not blank and not a question".to_owned()));
        }
    }
    for s in &card.siblings {
        let (deck, id) = s.split_once('/').map_or((None, s.as_str()), |(d, c)| (Some(d), c));
        if !is_valid_id(id, 100) || deck.is_some_and(|d| !is_valid_id(d, 64)) {
            return Some(("siblings", format!("has {:?}, which is not a card id or deck-id/card-id", cut(s))));
        }
        if deck.is_none() && id == card.id.0 {
            return Some(("siblings", "links the card to itself: remove that entry".to_owned()));
        }
    }
    None
}

/// The fewest and most curated distractors a card may have.
pub const MIN_DISTRACTORS: usize = 3;
/// See [`MIN_DISTRACTORS`].
pub const MAX_DISTRACTORS: usize = 6;

/// A quoted value cut to a readable length for a message.
pub fn cut(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        format!("{}…", value.chars().take(MAX).collect::<String>())
    }
}

fn blank_field(card: &Card) -> Option<&'static str> {
    if card.question.trim().is_empty() {
        Some("the question")
    } else if card.answer.trim().is_empty() {
        Some("the answer")
    } else if card.accept.iter().any(|a| a.trim().is_empty()) {
        Some("an accept form")
    } else {
        None
    }
}

/// The line of the `nth` card whose `"id"` is `id`, found by scanning the
/// text, since serde does not keep positions of values.
fn card_line(text: &str, id: &str, nth: usize) -> Option<usize> {
    let quoted = format!("\"{id}\"");
    let mut found = 0;
    for (offset, _) in text.match_indices(&quoted) {
        let before = text.get(..offset)?.trim_end();
        let Some(before) = before.strip_suffix(':') else { continue };
        if before.trim_end().ends_with("\"id\"") {
            found += 1;
            if found == nth {
                return Some(line_column(text.as_bytes(), offset).0);
            }
        }
    }
    None
}

//! Decks and cards: the deck file format (version 1, see
//! `docs/deck-format.md`), parsing from bytes and the validation rules.
//! Reading files is the store's job; this module only sees bytes.

mod library;
mod overrides;
mod validate;

use std::fmt;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

pub use library::{DeckOrigin, Library, LoadedDeck, bundled_files, bundled_parse_results};
pub use overrides::{CardOverride, OVERRIDES_FORMAT, Overrides, card_problem, check_deck, new_id};
pub use validate::{DeckError, DeckErrorKind, MAX_DECK_BYTES, MAX_DISTRACTORS, MIN_DISTRACTORS, cut};

/// Whether `id` is a valid card id: 1 to 100 characters from `a`-`z`,
/// `0`-`9`, `-` and `_`, starting with a letter or digit.
pub fn is_valid_card_id(id: &str) -> bool {
    validate::is_valid_id(id, 100)
}

/// The deck format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A deck's stable id, such as `soviet-iran-dates`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeckId(pub CompactString);

/// A card's stable id within its deck, such as `treaty-1921-signing-date`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardId(pub CompactString);

impl fmt::Display for DeckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of thing a card's answer is. Exams draw distractors from cards
/// of the same kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardKind {
    /// A date or a year.
    Date,
    /// A treaty clause: its number or what it said.
    Clause,
    /// A person or a named group of people.
    Actor,
    /// A figure: an amount, a percentage, a length, a count.
    Number,
    /// A city, region, river, port or country as a place.
    Place,
    /// A company, bank, commission, party or other body.
    Organization,
    /// An event.
    Event,
    /// A term, a policy, an office or an idea.
    #[default]
    Concept,
}

impl CardKind {
    /// Every kind, in the order the deck format documents them.
    pub const ALL: [CardKind; 8] = [
        CardKind::Date,
        CardKind::Clause,
        CardKind::Actor,
        CardKind::Number,
        CardKind::Place,
        CardKind::Organization,
        CardKind::Event,
        CardKind::Concept,
    ];

    /// The name used in deck files.
    pub fn name(self) -> &'static str {
        match self {
            CardKind::Date => "date",
            CardKind::Clause => "clause",
            CardKind::Actor => "actor",
            CardKind::Number => "number",
            CardKind::Place => "place",
            CardKind::Organization => "organization",
            CardKind::Event => "event",
            CardKind::Concept => "concept",
        }
    }
}

/// Where in the source text a card's answer is stated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The 1-based paragraph (blocks separated by a blank line).
    pub paragraph: u32,
}

/// One question and its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Stable forever: progress is keyed by it.
    pub id: CardId,
    /// What kind of thing the answer is.
    pub kind: CardKind,
    /// The prompt shown to the student.
    pub question: String,
    /// The answer, short, as a student would write it.
    pub answer: String,
    /// Other forms of the answer that count as correct.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// Era and topic tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Where the source states the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// One or two sentences of context.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The fact as one declarative sentence, true with the answer in place
    /// of [`ANSWER_SLOT`]; true-or-false questions are built from it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub statement: String,
    /// Wrong answers of the same kind, shape and era, for multiple choice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distractors: Vec<String>,
    /// A timeline headline (date cards): "Soviet troops enter northern Iran".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub event: String,
    /// Cards that give this one away (or are given away by it): a card id
    /// of the same deck, or `deck-id/card-id`. Links are symmetric.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub siblings: Vec<String>,
}

/// Where a statement puts the answer.
pub const ANSWER_SLOT: &str = "{answer}";

impl Card {
    /// The statement with `value` in the answer's place (`None`: the card
    /// has no statement).
    pub fn statement_with(&self, value: &str) -> Option<String> {
        fill_statement(&self.statement, value)
    }

    /// The card's era: its first tag that names a span of years, such as
    /// `1917-1921` or `1920s`, with the first and last year.
    pub fn era(&self) -> Option<(&str, (i32, i32))> {
        era_of(&self.tags)
    }
}

/// `statement` with `value` in the answer's place (`None` for no statement).
pub fn fill_statement(statement: &str, value: &str) -> Option<String> {
    (!statement.is_empty()).then(|| statement.replacen(ANSWER_SLOT, value, 1))
}

/// The first of `tags` that names an era, with its first and last year.
pub fn era_of(tags: &[String]) -> Option<(&str, (i32, i32))> {
    tags.iter().find_map(|t| era_years(t).map(|span| (t.as_str(), span)))
}

/// The years an era tag spans: `1917-1921` is 1917 to 1921, `1920s` is
/// 1920 to 1929. Other tags are not eras.
pub fn era_years(tag: &str) -> Option<(i32, i32)> {
    let year =
        |s: &str| (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<i32>().ok()).flatten();
    if let Some((a, b)) = tag.split_once('-') {
        let (a, b) = (year(a)?, year(b)?);
        return (a <= b).then_some((a, b));
    }
    let decade = year(tag.strip_suffix('s')?)?;
    (decade % 10 == 0).then_some((decade, decade + 9))
}

/// A deck file: a titled list of cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    /// The format version, [`FORMAT_VERSION`].
    pub format: u32,
    /// Stable forever: progress is keyed by it.
    pub id: DeckId,
    /// The name shown to the student.
    pub title: String,
    /// The SHA-256 (lower-case hex) of the source text the deck was written
    /// from, line ends normalised to LF ([`crate::ground::fingerprint`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sha256: Option<String>,
    /// What the deck covers, in a sentence.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The kinds of card this deck promises to hold; each must have at least
    /// one card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<CardKind>,
    /// The cards, in deck order.
    pub cards: Vec<Card>,
    /// Ids of cards removed from the deck, which no card may use again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<CardId>,
}

impl Deck {
    /// Parses and validates a deck from the bytes of a deck file. `file`
    /// names the file in error messages.
    ///
    /// # Errors
    /// Returns the first problem found: bytes that are not UTF-8 or not JSON
    /// (with line and column), an unknown format version, or a broken rule
    /// (with the card id).
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<Deck, DeckError> {
        validate::parse(file, bytes)
    }

    /// The deck as pretty JSON in the documented format.
    ///
    /// # Errors
    /// Fails only if serialisation itself fails, which plain data cannot.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

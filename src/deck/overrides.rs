//! Edits of bundled cards, kept in the profile (`overrides.json`) because
//! bundled decks are read-only (DESIGN.md, invariant 5). An override holds
//! only the fields the user changed, keyed by deck and card id, so a new
//! release of a deck keeps both the user's edits and every field they left
//! alone. Also the new-id rule for cards and decks the user makes.

use serde::{Deserialize, Deserializer, Serialize};

use super::{Card, CardId, CardKind, Deck, DeckError, DeckErrorKind, DeckId, Library, Source};
use crate::text::normalise;

/// The `overrides.json` format this build reads and writes.
pub const OVERRIDES_FORMAT: u32 = 1;

/// `overrides.json`: every edited bundled card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// The file format, [`OVERRIDES_FORMAT`].
    pub format: u32,
    /// One entry per edited card.
    #[serde(default)]
    pub cards: Vec<CardOverride>,
}

/// The changed fields of one bundled card; `None` means "as bundled".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardOverride {
    /// The bundled deck.
    pub deck: DeckId,
    /// The bundled card.
    pub card: CardId,
    /// A new kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CardKind>,
    /// A new question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// A new answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// New accept forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<String>>,
    /// New tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// A new source (`null`: none).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub source: Option<Option<Source>>,
    /// A new note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A new statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// New distractors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distractors: Option<Vec<String>>,
    /// A new timeline headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// A field that is present, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Source>>, D::Error> {
    Option::<Source>::deserialize(d).map(Some)
}

impl CardOverride {
    /// The override that turns `bundled` into `edited` (same id), holding
    /// only the fields that differ.
    pub fn between(deck: &DeckId, bundled: &Card, edited: &Card) -> CardOverride {
        fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        CardOverride {
            deck: deck.clone(),
            card: bundled.id.clone(),
            kind: changed(&bundled.kind, &edited.kind),
            question: changed(&bundled.question, &edited.question),
            answer: changed(&bundled.answer, &edited.answer),
            accept: changed(&bundled.accept, &edited.accept),
            tags: changed(&bundled.tags, &edited.tags),
            source: changed(&bundled.source, &edited.source),
            note: changed(&bundled.note, &edited.note),
            statement: changed(&bundled.statement, &edited.statement),
            distractors: changed(&bundled.distractors, &edited.distractors),
            event: changed(&bundled.event, &edited.event),
        }
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.question.is_none()
            && self.answer.is_none()
            && self.accept.is_none()
            && self.tags.is_none()
            && self.source.is_none()
            && self.note.is_none()
            && self.statement.is_none()
            && self.distractors.is_none()
            && self.event.is_none()
    }

    /// `card` with this override's fields.
    pub fn apply(&self, card: &Card) -> Card {
        let mut out = card.clone();
        if let Some(v) = self.kind {
            out.kind = v;
        }
        if let Some(v) = &self.question {
            out.question.clone_from(v);
        }
        if let Some(v) = &self.answer {
            out.answer.clone_from(v);
        }
        if let Some(v) = &self.accept {
            out.accept.clone_from(v);
        }
        if let Some(v) = &self.tags {
            out.tags.clone_from(v);
        }
        if let Some(v) = &self.source {
            out.source.clone_from(v);
        }
        if let Some(v) = &self.note {
            out.note.clone_from(v);
        }
        if let Some(v) = &self.statement {
            out.statement.clone_from(v);
        }
        if let Some(v) = &self.distractors {
            out.distractors.clone_from(v);
        }
        if let Some(v) = &self.event {
            out.event.clone_from(v);
        }
        out
    }
}

impl Overrides {
    /// Parses `overrides.json`; `file` names it in errors.
    ///
    /// # Errors
    /// The bytes are not JSON of this shape, or come from a newer Yadgar.
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<Overrides, DeckError> {
        let overrides: Overrides = serde_json::from_slice(bytes).map_err(|e| DeckError {
            file: file.to_owned(),
            line: Some(e.line()),
            column: Some(e.column()),
            kind: DeckErrorKind::Json(e.to_string().split(" at line ").next().unwrap_or_default().to_owned()),
        })?;
        if overrides.format != OVERRIDES_FORMAT {
            return Err(DeckError {
                file: file.to_owned(),
                line: None,
                column: None,
                kind: DeckErrorKind::UnknownFormat { found: u64::from(overrides.format) },
            });
        }
        Ok(overrides)
    }

    /// The override of one card, if any.
    pub fn find(&self, deck: &DeckId, card: &CardId) -> Option<&CardOverride> {
        self.cards.iter().find(|o| o.deck == *deck && o.card == *card)
    }

    /// Sets (or, when empty, removes) the override of its card.
    pub fn set(&mut self, entry: CardOverride) {
        self.cards.retain(|o| !(o.deck == entry.deck && o.card == entry.card));
        if !entry.is_empty() {
            self.cards.push(entry);
        }
    }
}

impl Library {
    /// Applies `overrides` to the bundled decks and marks those cards as
    /// edited. An override of a card that is no longer bundled is ignored
    /// (and kept in the file); one that would break a deck rule (say, a
    /// question a new release now also asks) is left out and reported.
    pub fn apply_overrides(&mut self, file: &str, overrides: &Overrides) {
        for entry in &overrides.cards {
            let Some(loaded) =
                self.decks.iter_mut().find(|d| d.origin == super::DeckOrigin::Bundled && d.deck.id == entry.deck)
            else {
                continue;
            };
            let Some(position) = loaded.deck.cards.iter().position(|c| c.id == entry.card) else { continue };
            let mut deck = loaded.deck.clone();
            let Some(slot) = deck.cards.get_mut(position) else { continue };
            *slot = entry.apply(slot);
            match super::validate::check_rules(file, "", &deck) {
                Ok(()) => {
                    loaded.deck = deck;
                    self.edited.insert((entry.deck.clone(), entry.card.clone()));
                }
                Err(e) => self.errors.push(e),
            }
        }
    }

    /// Whether the card is a bundled card with an override.
    pub fn is_edited(&self, deck: &DeckId, card: &CardId) -> bool {
        !self.edited.is_empty() && self.edited.contains(&(deck.clone(), card.clone()))
    }
}

/// Checks a deck against every rule of the deck format, as a file would be.
///
/// # Errors
/// The first broken rule.
pub fn check_deck(file: &str, deck: &Deck) -> Result<(), DeckError> {
    super::validate::check_rules(file, "", deck)
}

/// The first rule of the deck format that `card` breaks on its own (an id,
/// a blank field, a tag, its exam fields), if any.
pub fn card_problem(card: &Card) -> Option<DeckError> {
    let deck = Deck {
        format: super::FORMAT_VERSION,
        id: DeckId("card".into()),
        title: "card".to_owned(),
        source_sha256: None,
        description: String::new(),
        covers: Vec::new(),
        cards: vec![card.clone()],
        retired: Vec::new(),
    };
    super::validate::check_rules("", "", &deck).err()
}

/// An id for a new card or deck: the slug of `text` (ASCII letters and
/// digits of its normalised words, joined by `-`, at most about 40
/// characters), then `-` and six hex digits of a hash, so two cards with a
/// similar question still get different ids. `taken` says whether an id is
/// already used (in the deck, or by a deleted card with history); another
/// hash is tried until one is free.
pub fn new_id(text: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut slug = String::new();
    for word in normalise(text).split(' ') {
        let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
        if word.is_empty() {
            continue;
        }
        if slug.len() + word.len() > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word);
    }
    if slug.is_empty() {
        slug.push_str("card");
    }
    let mut salt: u64 = 0;
    loop {
        let hash = text
            .bytes()
            .chain(salt.to_le_bytes())
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        let id = format!("{slug}-{:06x}", hash & 0xff_ffff);
        if !taken(&id) {
            return id;
        }
        salt += 1;
    }
}

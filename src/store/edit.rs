//! Changing cards and decks, as content events in this device's log
//! (`crate::content`). No deck file is ever written: files in `decks/`,
//! the bundled decks and the `overrides.json` of earlier builds are inputs,
//! and the library is their fold with every device's events (DESIGN.md,
//! invariants 2, 3 and 5). Each change checks the deck rules first, then is
//! one append and one fsync; on any error nothing is written.

use std::path::Path;

use super::log::LogLine;
use super::ops::Op;
use super::{Collection, StoreError};
use crate::content::{ContentEvent, Edit, changed_fields};
use crate::deck::{
    Card, CardId, Deck, DeckError, DeckId, DeckOrigin, FORMAT_VERSION, Library, OVERRIDES_FORMAT, Overrides,
    check_deck, new_id,
};
use crate::revlog::{Event, EventId};
use crate::time::Moment;

/// The file that holds the edits of bundled cards made by earlier builds
/// (read as an input; never written).
pub const OVERRIDES_FILE: &str = "overrides.json";

/// What [`Collection::move_cards`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoveReport {
    /// Cards moved.
    pub moved: usize,
    /// Of the cards moved, those whose review history moved with them.
    pub with_history: usize,
    /// Bundled cards left in place.
    pub bundled: usize,
}

/// Reads `overrides.json` from a profile folder; a missing file is no
/// overrides.
///
/// # Errors
/// The file cannot be read or parsed.
pub fn read_overrides(profile_dir: &Path) -> Result<Overrides, DeckError> {
    let path = profile_dir.join(OVERRIDES_FILE);
    let file = path.display().to_string();
    match std::fs::read(&path) {
        Ok(bytes) => Overrides::from_json(&file, &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Overrides { format: OVERRIDES_FORMAT, cards: Vec::new() })
        }
        Err(e) => Err(DeckError::unreadable(&file, &e)),
    }
}

fn invalid(e: DeckError) -> StoreError {
    StoreError::InvalidDeck(e)
}

fn deck_index(library: &Library, deck: &DeckId) -> Result<usize, StoreError> {
    library.decks.iter().position(|d| d.deck.id == *deck).ok_or_else(|| StoreError::NoSuchDeck(deck.0.to_string()))
}

fn own_deck_index(library: &Library, deck: &DeckId) -> Result<usize, StoreError> {
    let index = deck_index(library, deck)?;
    match library.decks.get(index) {
        Some(loaded) if loaded.origin == DeckOrigin::Profile => Ok(index),
        _ => Err(StoreError::BundledDeckChange(deck.0.to_string())),
    }
}

impl Collection {
    /// Content events for `edits`, a millisecond apart from `now` on.
    pub(super) fn content_lines(&mut self, edits: Vec<Edit>, now: Moment) -> Vec<LogLine> {
        let start = self.stamp_many(now, edits.len());
        let mut first = None;
        edits
            .into_iter()
            .zip(start..)
            .map(|(edit, at_ms)| {
                let mut event = ContentEvent::new(EventId(rand::random::<u128>()), at_ms, now.offset_s, edit);
                event.op = first;
                first = first.or(Some(event.id));
                LogLine::Content(Box::new(event))
            })
            .collect()
    }

    /// Adds `card` (its id is ignored) to the own deck `deck`, with a new id
    /// made from its question, free in the deck and in the log (a deleted
    /// card's history never passes to a new card). Shorthand for
    /// [`Collection::apply`] with [`Op::AddCard`]; returns the new id.
    ///
    /// # Errors
    /// The deck is bundled or missing, the card breaks a deck rule (blank
    /// question, the same question as another card ...), or the write failed.
    pub fn add_card(&mut self, deck: &DeckId, card: Card) -> Result<CardId, StoreError> {
        let change = self.apply(Op::AddCard { deck: deck.clone(), card }, super::now())?;
        change.card.ok_or_else(|| StoreError::NoSuchDeck(deck.0.to_string()))
    }

    pub(super) fn add_card_lines(
        &mut self,
        deck: &DeckId,
        mut card: Card,
        now: Moment,
    ) -> Result<(Vec<LogLine>, CardId), StoreError> {
        let library = self.library();
        let index = own_deck_index(&library, deck)?;
        let Some(loaded) = library.decks.get(index) else { return Err(StoreError::NoSuchDeck(deck.0.to_string())) };
        let history = self.progress().states.get(deck);
        let deleted = self.deleted_cards();
        let id = new_id(&card.question, |id| {
            let id = CardId(id.into());
            loaded.deck.cards.iter().any(|c| c.id == id)
                || history.is_some_and(|h| h.contains_key(&id))
                || deleted.iter().any(|d| d.deck == *deck && d.card.id == id)
        });
        card.id = CardId(id.into());
        let mut new_deck = loaded.deck.clone();
        new_deck.cards.push(card.clone());
        check_deck(&loaded.file, &new_deck).map_err(invalid)?;
        let id = card.id.clone();
        Ok((self.content_lines(vec![Edit::CardAdd { deck: deck.clone(), card }], now), id))
    }

    /// Saves edited cards: each replaces the card of the same id in its
    /// deck, as one event per card holding the fields that changed.
    /// Shorthand for [`Collection::apply`] with [`Op::EditCards`].
    ///
    /// # Errors
    /// A deck or card is missing, an edit breaks a deck rule, or the write
    /// failed (then nothing is saved).
    pub fn edit_cards(&mut self, edits: Vec<(DeckId, Card)>) -> Result<(), StoreError> {
        self.apply(Op::EditCards(edits), super::now()).map(drop)
    }

    /// Saves one edited card, as [`Collection::edit_cards`].
    ///
    /// # Errors
    /// As [`Collection::edit_cards`].
    pub fn edit_card(&mut self, deck: &DeckId, card: Card) -> Result<(), StoreError> {
        self.edit_cards(vec![(deck.clone(), card)])
    }

    pub(super) fn edit_lines(&mut self, edits: Vec<(DeckId, Card)>, now: Moment) -> Result<Vec<LogLine>, StoreError> {
        let library = self.library();
        let mut changed: Vec<(usize, Deck)> = Vec::new();
        let mut out = Vec::new();
        for (deck, card) in edits {
            let index = deck_index(&library, &deck)?;
            let slot = match changed.iter().position(|(i, _)| *i == index) {
                Some(slot) => slot,
                None => {
                    let Some(loaded) = library.decks.get(index) else {
                        return Err(StoreError::NoSuchDeck(deck.0.into()));
                    };
                    changed.push((index, loaded.deck.clone()));
                    changed.len() - 1
                }
            };
            let Some((_, new_deck)) = changed.get_mut(slot) else { continue };
            let Some(target) = new_deck.cards.iter_mut().find(|c| c.id == card.id) else {
                return Err(StoreError::NoSuchCard { deck: deck.0.into(), card: card.id.0.into() });
            };
            let fields = changed_fields(target, &card);
            target.clone_from(&card);
            if !fields.is_empty() {
                out.push(Edit::CardEdit { deck, card, fields });
            }
        }
        for (index, deck) in &changed {
            if let Some(loaded) = library.decks.get(*index) {
                check_deck(&loaded.file, deck).map_err(invalid)?;
            }
        }
        Ok(self.content_lines(out, now))
    }

    /// Takes a card out of its own deck. Its text and review history stay
    /// in the log; undo, or [`Collection::restore_card`], puts it back.
    /// Returns the delete's event id.
    ///
    /// # Errors
    /// The deck is bundled or missing, the card is missing, or the write failed.
    pub fn delete_card(&mut self, deck: &DeckId, card: &CardId) -> Result<EventId, StoreError> {
        let change = self.apply(Op::DeleteCards(vec![(deck.clone(), card.clone())]), super::now())?;
        change.event.ok_or_else(|| StoreError::NoSuchCard { deck: deck.0.to_string(), card: card.0.to_string() })
    }

    pub(super) fn delete_lines(&mut self, cards: &[(DeckId, CardId)], now: Moment) -> Result<Vec<LogLine>, StoreError> {
        let library = self.library();
        let mut edits = Vec::new();
        for (deck, card) in cards {
            let index = own_deck_index(&library, deck)?;
            let has = library.decks.get(index).is_some_and(|d| d.deck.cards.iter().any(|c| c.id == *card));
            if !has {
                return Err(StoreError::NoSuchCard { deck: deck.0.to_string(), card: card.0.to_string() });
            }
            edits.push(Edit::CardDelete { deck: deck.clone(), card: card.clone(), moved_to: None });
        }
        Ok(self.content_lines(edits, now))
    }

    /// Puts a deleted card back in its deck.
    ///
    /// # Errors
    /// The card is not deleted, it would break a rule (a card with the same
    /// question was added meanwhile), or the write failed.
    pub fn restore_card(&mut self, deck: &DeckId, card: &CardId) -> Result<(), StoreError> {
        self.apply(Op::RestoreCards(vec![(deck.clone(), card.clone())]), super::now()).map(drop)
    }

    pub(super) fn restore_lines(
        &mut self,
        cards: &[(DeckId, CardId)],
        now: Moment,
    ) -> Result<Vec<LogLine>, StoreError> {
        let library = self.library();
        let deleted = self.deleted_cards();
        let mut edits = Vec::new();
        for (deck, card) in cards {
            let Some(gone) = deleted.iter().find(|d| d.deck == *deck && d.card.id == *card) else {
                return Err(StoreError::NoSuchCard { deck: deck.0.to_string(), card: card.0.to_string() });
            };
            let index = deck_index(&library, deck)?;
            if let Some(loaded) = library.decks.get(index) {
                let mut new_deck = loaded.deck.clone();
                new_deck.cards.push(gone.card.clone());
                check_deck(&loaded.file, &new_deck).map_err(invalid)?;
            }
            edits.push(Edit::CardRestore { deck: deck.clone(), card: card.clone() });
        }
        Ok(self.content_lines(edits, now))
    }

    /// Moves cards from own decks into the own deck `to`, keeping their ids
    /// when free there. Progress is keyed by deck and card, so a studied
    /// card's events are copied to its new place (the originals stay in the
    /// log, unshown). A bundled card stays where it is and is counted in the
    /// report. Everything is one append: the copies, the adds and the
    /// deletes.
    ///
    /// # Errors
    /// The target is bundled or missing, a moved card breaks a rule of the
    /// target (the same question), or the write failed.
    pub fn move_cards(&mut self, cards: &[(DeckId, CardId)], to: &DeckId) -> Result<MoveReport, StoreError> {
        let change = self.apply(Op::MoveCards { cards: cards.to_vec(), to: to.clone() }, super::now())?;
        Ok(change.moved.unwrap_or_default())
    }

    pub(super) fn move_lines(
        &mut self,
        cards: &[(DeckId, CardId)],
        to: &DeckId,
        now: Moment,
    ) -> Result<(Vec<LogLine>, MoveReport), StoreError> {
        let library = self.library();
        let target = own_deck_index(&library, to)?;
        let mut report = MoveReport::default();
        let mut carried: Vec<((DeckId, CardId), CardId)> = Vec::new();
        let Some(target_loaded) = library.decks.get(target) else {
            return Err(StoreError::NoSuchDeck(to.0.to_string()));
        };
        let mut new_target = target_loaded.deck.clone();
        let mut edits = Vec::new();
        let mut deletes = Vec::new();
        for (deck, card) in cards {
            if deck == to {
                continue;
            }
            let index = deck_index(&library, deck)?;
            let Some(loaded) = library.decks.get(index) else { continue };
            if loaded.origin != DeckOrigin::Profile {
                report.bundled += 1;
                continue;
            }
            let Some(found) = loaded.deck.cards.iter().find(|c| c.id == *card) else {
                return Err(StoreError::NoSuchCard { deck: deck.0.to_string(), card: card.0.to_string() });
            };
            let mut moved = found.clone();
            let history = self.progress().states.get(to);
            let taken = |id: &CardId| {
                new_target.cards.iter().any(|c| c.id == *id) || history.is_some_and(|h| h.contains_key(id))
            };
            if taken(&moved.id) {
                moved.id = CardId(new_id(&moved.question, |id| taken(&CardId(id.into()))).into());
            }
            if self.progress().state(deck, card).is_some() {
                carried.push(((deck.clone(), card.clone()), moved.id.clone()));
            }
            edits.push(Edit::CardAdd { deck: to.clone(), card: moved.clone() });
            deletes.push(Edit::CardDelete {
                deck: deck.clone(),
                card: card.clone(),
                moved_to: Some(crate::content::Place { deck: to.clone(), card: moved.id.clone() }),
            });
            new_target.cards.push(moved);
            report.moved += 1;
        }
        if report.moved == 0 {
            return Ok((Vec::new(), report));
        }
        check_deck(&target_loaded.file, &new_target).map_err(invalid)?;
        report.with_history = carried.len();
        let mut lines = Vec::new();
        if !carried.is_empty() {
            let new_keys: std::collections::HashMap<(DeckId, CardId), CardId> = carried.into_iter().collect();
            for event in self.history_events()? {
                let Some(new_card) = new_keys.get(&(event.deck.clone(), event.card.clone())) else { continue };
                let id = crate::revlog::copy_id(event.id, &(to.clone(), new_card.clone()));
                lines.push(LogLine::Review(Event { id, deck: to.clone(), card: new_card.clone(), ..event }));
            }
        }
        edits.extend(deletes);
        lines.extend(self.content_lines(edits, now));
        Ok((lines, report))
    }

    /// Makes a new, empty own deck titled `title`, with an id made from the
    /// title. Returns its id.
    ///
    /// # Errors
    /// A blank title, or the write failed.
    pub fn create_deck(&mut self, title: &str) -> Result<DeckId, StoreError> {
        let change = self.apply(Op::CreateDeck { title: title.to_owned() }, super::now())?;
        change.deck.ok_or_else(|| StoreError::NoSuchDeck(title.to_owned()))
    }

    pub(super) fn create_deck_lines(&mut self, title: &str, now: Moment) -> Result<(Vec<LogLine>, DeckId), StoreError> {
        let library = self.library();
        let deleted = self.deleted_decks();
        let dir = self.profile().decks_dir();
        let id = new_id(title, |id| {
            library.decks.iter().any(|d| d.deck.id.0 == id)
                || deleted.iter().any(|(d, _)| d.0 == id)
                || dir.join(format!("{id}.json")).exists()
        });
        let deck = Deck {
            format: FORMAT_VERSION,
            id: DeckId(id.as_str().into()),
            title: title.trim().to_owned(),
            source_sha256: None,
            description: String::new(),
            covers: Vec::new(),
            cards: Vec::new(),
            retired: Vec::new(),
        };
        check_deck(&format!("deck {id}"), &deck).map_err(invalid)?;
        let edit = Edit::DeckCreate { deck: deck.id.clone(), title: deck.title };
        Ok((self.content_lines(vec![edit], now), DeckId(id.into())))
    }

    /// Gives an own deck a new title (its id, and so its progress, stays).
    ///
    /// # Errors
    /// The deck is bundled or missing, the title is blank, or the write failed.
    pub fn rename_deck(&mut self, deck: &DeckId, title: &str) -> Result<(), StoreError> {
        self.apply(Op::RenameDeck { deck: deck.clone(), title: title.to_owned() }, super::now()).map(drop)
    }

    pub(super) fn rename_lines(&mut self, deck: &DeckId, title: &str, now: Moment) -> Result<Vec<LogLine>, StoreError> {
        let library = self.library();
        let index = own_deck_index(&library, deck)?;
        let Some(loaded) = library.decks.get(index) else { return Err(StoreError::NoSuchDeck(deck.0.to_string())) };
        let mut new_deck = Deck { cards: Vec::new(), covers: Vec::new(), ..loaded.deck.clone() };
        title.trim().clone_into(&mut new_deck.title);
        check_deck(&loaded.file, &new_deck).map_err(invalid)?;
        Ok(self.content_lines(vec![Edit::DeckRename { deck: deck.clone(), title: new_deck.title }], now))
    }

    /// Takes an own deck away (its cards and history stay in the log;
    /// undo, or [`Collection::restore_deck`], brings it back). Returns the
    /// event's id.
    ///
    /// # Errors
    /// The deck is bundled or missing, or the write failed.
    pub fn delete_deck(&mut self, deck: &DeckId) -> Result<EventId, StoreError> {
        let change = self.apply(Op::DeleteDeck(deck.clone()), super::now())?;
        change.event.ok_or_else(|| StoreError::NoSuchDeck(deck.0.to_string()))
    }

    pub(super) fn delete_deck_lines(&mut self, deck: &DeckId, now: Moment) -> Result<Vec<LogLine>, StoreError> {
        own_deck_index(&self.library(), deck)?;
        Ok(self.content_lines(vec![Edit::DeckDelete { deck: deck.clone() }], now))
    }

    /// Brings back a deleted deck.
    ///
    /// # Errors
    /// No deleted deck has this id, or the write failed.
    pub fn restore_deck(&mut self, deck: &DeckId) -> Result<(), StoreError> {
        self.apply(Op::RestoreDeck(deck.clone()), super::now()).map(drop)
    }

    pub(super) fn restore_deck_lines(&mut self, deck: &DeckId, now: Moment) -> Result<Vec<LogLine>, StoreError> {
        if !self.deleted_decks().iter().any(|(d, _)| d == deck) {
            return Err(StoreError::NoSuchDeck(deck.0.to_string()));
        }
        Ok(self.content_lines(vec![Edit::DeckRestore { deck: deck.clone() }], now))
    }
}

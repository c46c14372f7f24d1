//! Changing cards and decks. The profile's own decks (`decks/*.json`) are
//! rewritten atomically; a bundled card gets an override in
//! `overrides.json` and its bundled deck never changes (DESIGN.md,
//! invariant 5). Progress is keyed by deck and card id, which no edit
//! changes, so it always stays with the card. Each call checks the deck
//! rules first, writes, and only then updates the `Library` in memory: on
//! any error nothing changed and the caller still has its form.

use std::path::{Path, PathBuf};

use super::atomic::write_atomic;
use super::{Collection, StoreError};
use crate::deck::{
    Card, CardId, CardOverride, Deck, DeckError, DeckId, DeckOrigin, FORMAT_VERSION, Library, LoadedDeck,
    OVERRIDES_FORMAT, Overrides, bundled_parse_results, check_deck, new_id,
};
use crate::revlog::{Event, EventId};

/// The file that holds the edits of bundled cards.
pub const OVERRIDES_FILE: &str = "overrides.json";

/// A card taken out of an own deck, with what is needed to put it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedCard {
    /// Its deck.
    pub deck: DeckId,
    /// Its place in the deck.
    pub index: usize,
    /// The card, with its id (its history in the log is kept).
    pub card: Card,
}

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
/// The file cannot be read or parsed (it is then never overwritten).
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

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io { path: path.to_path_buf(), source }
}

fn write_deck(path: &Path, deck: &Deck) -> Result<(), StoreError> {
    let mut bytes = deck.to_json().map_err(|e| io(path, std::io::Error::other(e)))?.into_bytes();
    bytes.push(b'\n');
    write_atomic(path, &bytes).map_err(|source| io(path, source))
}

/// Appends a deleted card, with its deck and when, to
/// `trash/deleted-cards.jsonl` (one JSON object a line, fsynced).
fn keep_deleted_card(trash: &Path, deck: &DeckId, card: &Card) -> Result<(), StoreError> {
    use std::io::Write as _;
    std::fs::create_dir_all(trash).map_err(|s| io(trash, s))?;
    let path = trash.join("deleted-cards.jsonl");
    let line = serde_json::json!({ "deleted_at_ms": super::now().unix_ms, "deck": deck, "card": card });
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|s| io(&path, s))?;
    writeln!(file, "{line}").and_then(|()| file.sync_data()).map_err(|s| io(&path, s))
}

fn deck_index(library: &Library, deck: &DeckId) -> Result<usize, StoreError> {
    library.decks.iter().position(|d| d.deck.id == *deck).ok_or_else(|| StoreError::NoSuchDeck(deck.0.clone()))
}

fn own_deck_index(library: &Library, deck: &DeckId) -> Result<usize, StoreError> {
    let index = deck_index(library, deck)?;
    match library.decks.get(index) {
        Some(loaded) if loaded.origin == DeckOrigin::Profile => Ok(index),
        _ => Err(StoreError::BundledDeckChange(deck.0.clone())),
    }
}

impl Collection {
    fn check_writable(&self) -> Result<(), StoreError> {
        match self.read_only_reason() {
            Some(reason) => Err(StoreError::ReadOnly(reason.to_owned())),
            None => Ok(()),
        }
    }

    /// Adds `card` (its id is ignored) to the own deck `deck`, with a new id
    /// made from its question, free in the deck and in the log (a deleted
    /// card's history never passes to a new card). Returns the new id.
    ///
    /// # Errors
    /// The deck is bundled or missing, the card breaks a deck rule (blank
    /// question, the same question as another card ...), or the write failed.
    pub fn add_card(&mut self, library: &mut Library, deck: &DeckId, mut card: Card) -> Result<CardId, StoreError> {
        self.check_writable()?;
        let index = own_deck_index(library, deck)?;
        let Some(loaded) = library.decks.get(index) else { return Err(StoreError::NoSuchDeck(deck.0.clone())) };
        let history = self.progress().states.get(deck);
        let id = new_id(&card.question, |id| {
            let id = CardId(id.to_owned());
            loaded.deck.cards.iter().any(|c| c.id == id) || history.is_some_and(|h| h.contains_key(&id))
        });
        card.id = CardId(id);
        let mut new_deck = loaded.deck.clone();
        new_deck.cards.push(card.clone());
        check_deck(&loaded.file, &new_deck).map_err(invalid)?;
        write_deck(Path::new(&loaded.file), &new_deck)?;
        if let Some(loaded) = library.decks.get_mut(index) {
            loaded.deck = new_deck;
        }
        Ok(card.id)
    }

    /// Saves edited cards: each replaces the card of the same id in its deck.
    /// Own decks are rewritten once each; bundled cards get overrides (only
    /// the fields that differ from the bundled card, none when it is back
    /// as bundled), written once. All are checked before anything is written.
    ///
    /// # Errors
    /// A deck or card is missing, an edit breaks a deck rule, or a write
    /// failed (own decks written before it stay written, and are then shown).
    pub fn edit_cards(&mut self, library: &mut Library, edits: Vec<(DeckId, Card)>) -> Result<(), StoreError> {
        self.check_writable()?;
        // New decks, by library index, with the edits applied.
        let mut changed: Vec<(usize, Deck)> = Vec::new();
        for (deck, card) in edits {
            let index = deck_index(library, &deck)?;
            let slot = match changed.iter().position(|(i, _)| *i == index) {
                Some(slot) => slot,
                None => {
                    let Some(loaded) = library.decks.get(index) else { return Err(StoreError::NoSuchDeck(deck.0)) };
                    changed.push((index, loaded.deck.clone()));
                    changed.len() - 1
                }
            };
            let Some((_, new_deck)) = changed.get_mut(slot) else { continue };
            let Some(target) = new_deck.cards.iter_mut().find(|c| c.id == card.id) else {
                return Err(StoreError::NoSuchCard { deck: deck.0, card: card.id.0 });
            };
            *target = card;
        }
        for (index, deck) in &changed {
            if let Some(loaded) = library.decks.get(*index) {
                check_deck(&loaded.file, deck).map_err(invalid)?;
            }
        }
        // Overrides of bundled cards first: one write for all.
        let bundled: Vec<&(usize, Deck)> = changed
            .iter()
            .filter(|(i, _)| library.decks.get(*i).is_some_and(|d| d.origin == DeckOrigin::Bundled))
            .collect();
        let mut edited = Vec::new();
        if !bundled.is_empty() {
            let mut overrides = read_overrides(&self.profile().dir).map_err(|e| StoreError::ReadOnly(e.to_string()))?;
            let originals = bundled_parse_results();
            for (_, deck) in &bundled {
                let Some(original) = originals.iter().find_map(|(_, _, d)| d.as_ref().ok().filter(|d| d.id == deck.id))
                else {
                    continue;
                };
                for card in &deck.cards {
                    let Some(before) = original.cards.iter().find(|c| c.id == card.id) else { continue };
                    let entry = CardOverride::between(&deck.id, before, card);
                    edited.push(((deck.id.clone(), card.id.clone()), !entry.is_empty()));
                    overrides.set(entry);
                }
            }
            let path = self.profile().dir.join(super::edit::OVERRIDES_FILE);
            let mut bytes = serde_json::to_vec_pretty(&overrides).map_err(|e| io(&path, std::io::Error::other(e)))?;
            bytes.push(b'\n');
            write_atomic(&path, &bytes).map_err(|source| io(&path, source))?;
        }
        for (key, is_edited) in edited {
            if is_edited {
                library.edited.insert(key);
            } else {
                library.edited.remove(&key);
            }
        }
        // Bundled decks need no write, so they cannot fail halfway: first.
        changed.sort_by_key(|(i, _)| library.decks.get(*i).is_some_and(|d| d.origin == DeckOrigin::Profile));
        for (index, deck) in changed {
            let Some(loaded) = library.decks.get_mut(index) else { continue };
            if loaded.origin == DeckOrigin::Profile {
                write_deck(Path::new(&loaded.file), &deck)?;
            }
            loaded.deck = deck;
        }
        Ok(())
    }

    /// Saves one edited card, as [`Collection::edit_cards`].
    ///
    /// # Errors
    /// As [`Collection::edit_cards`].
    pub fn edit_card(&mut self, library: &mut Library, deck: &DeckId, card: Card) -> Result<(), StoreError> {
        self.edit_cards(library, vec![(deck.clone(), card)])
    }

    /// Takes a card out of its own deck. Its review history stays in the
    /// log; [`Collection::restore_card`] puts it back with that history. The
    /// card itself is first appended to `<profile>/trash/deleted-cards.jsonl`,
    /// so what the student wrote is never lost, even after the app closes.
    ///
    /// # Errors
    /// The deck is bundled or missing, the card is missing, or the write failed.
    pub fn delete_card(
        &mut self,
        library: &mut Library,
        deck: &DeckId,
        card: &CardId,
    ) -> Result<DeletedCard, StoreError> {
        self.check_writable()?;
        let index = own_deck_index(library, deck)?;
        let Some(loaded) = library.decks.get_mut(index) else { return Err(StoreError::NoSuchDeck(deck.0.clone())) };
        let Some(position) = loaded.deck.cards.iter().position(|c| c.id == *card) else {
            return Err(StoreError::NoSuchCard { deck: deck.0.clone(), card: card.0.clone() });
        };
        let mut new_deck = loaded.deck.clone();
        let removed = new_deck.cards.remove(position);
        let trash = self.profile().dir.join("trash");
        keep_deleted_card(&trash, deck, &removed)?;
        write_deck(Path::new(&loaded.file), &new_deck)?;
        loaded.deck = new_deck;
        Ok(DeletedCard { deck: deck.clone(), index: position, card: removed })
    }

    /// Puts a deleted card back where it was (or at the end, if the deck
    /// is shorter now).
    ///
    /// # Errors
    /// The deck is gone, the card would break a rule (a card with the same
    /// question was added meanwhile), or the write failed.
    pub fn restore_card(&mut self, library: &mut Library, deleted: DeletedCard) -> Result<(), StoreError> {
        self.check_writable()?;
        let index = own_deck_index(library, &deleted.deck)?;
        let Some(loaded) = library.decks.get_mut(index) else { return Err(StoreError::NoSuchDeck(deleted.deck.0)) };
        let mut new_deck = loaded.deck.clone();
        let at = deleted.index.min(new_deck.cards.len());
        new_deck.cards.insert(at, deleted.card);
        check_deck(&loaded.file, &new_deck).map_err(invalid)?;
        write_deck(Path::new(&loaded.file), &new_deck)?;
        loaded.deck = new_deck;
        Ok(())
    }

    /// Moves cards from own decks into the own deck `to`, keeping their ids
    /// when free there. Progress is keyed by deck and card, so a studied
    /// card's events are copied to its new place first (the originals stay
    /// in the log, unshown). A bundled card stays where it is and is counted
    /// in the report. The target is written before the sources, so a crash
    /// between the two leaves a card in both decks rather than in neither.
    ///
    /// # Errors
    /// The target is bundled or missing, a moved card breaks a rule of the
    /// target (the same question), or a write failed.
    pub fn move_cards(
        &mut self,
        library: &mut Library,
        cards: &[(DeckId, CardId)],
        to: &DeckId,
    ) -> Result<MoveReport, StoreError> {
        self.check_writable()?;
        let target = own_deck_index(library, to)?;
        let mut report = MoveReport::default();
        let mut carried: Vec<((DeckId, CardId), CardId)> = Vec::new();
        let Some(target_loaded) = library.decks.get(target) else { return Err(StoreError::NoSuchDeck(to.0.clone())) };
        let mut new_target = target_loaded.deck.clone();
        let mut sources: Vec<(usize, Deck)> = Vec::new();
        for (deck, card) in cards {
            if deck == to {
                continue;
            }
            let index = deck_index(library, deck)?;
            let Some(loaded) = library.decks.get(index) else { continue };
            if loaded.origin != DeckOrigin::Profile {
                report.bundled += 1;
                continue;
            }
            let slot = match sources.iter().position(|(i, _)| *i == index) {
                Some(slot) => slot,
                None => {
                    sources.push((index, loaded.deck.clone()));
                    sources.len() - 1
                }
            };
            let Some((_, source)) = sources.get_mut(slot) else { continue };
            let Some(position) = source.cards.iter().position(|c| c.id == *card) else {
                return Err(StoreError::NoSuchCard { deck: deck.0.clone(), card: card.0.clone() });
            };
            let mut moved = source.cards.remove(position);
            let history = self.progress().states.get(to);
            let taken = |id: &CardId| {
                new_target.cards.iter().any(|c| c.id == *id) || history.is_some_and(|h| h.contains_key(id))
            };
            if taken(&moved.id) {
                moved.id = CardId(new_id(&moved.question, |id| taken(&CardId(id.to_owned()))));
            }
            if self.progress().state(deck, card).is_some() {
                carried.push(((deck.clone(), card.clone()), moved.id.clone()));
            }
            new_target.cards.push(moved);
            report.moved += 1;
        }
        if report.moved == 0 {
            return Ok(report);
        }
        check_deck(&target_loaded.file, &new_target).map_err(invalid)?;
        // Progress is keyed by deck and card, so a studied card's events are
        // copied to its new place (the originals stay in the log, with
        // nothing left to show them). The copies go first: a crash before
        // the deck files are written leaves copies that nothing shows.
        report.with_history = carried.len();
        let mut copies = Vec::new();
        if !carried.is_empty() {
            let new_keys: std::collections::HashMap<(DeckId, CardId), CardId> = carried.into_iter().collect();
            for event in self.history_events()? {
                let Some(new_card) = new_keys.get(&(event.deck.clone(), event.card.clone())) else { continue };
                let id = EventId::derived(&["move", &event.id.to_string(), &to.0, &new_card.0]);
                copies.push(Event { id, deck: to.clone(), card: new_card.clone(), ..event });
            }
            self.append_events(&copies)?;
        }
        write_deck(Path::new(&target_loaded.file), &new_target)?;
        if let Some(loaded) = library.decks.get_mut(target) {
            loaded.deck = new_target;
        }
        for (index, deck) in sources {
            let Some(loaded) = library.decks.get_mut(index) else { continue };
            write_deck(Path::new(&loaded.file), &deck)?;
            loaded.deck = deck;
        }
        if !copies.is_empty() {
            self.rebuild_after_saved_write();
        }
        Ok(report)
    }

    /// Makes a new, empty own deck titled `title`, in `decks/<id>.json`
    /// with an id made from the title. Returns its id.
    ///
    /// # Errors
    /// A blank title, or the write failed.
    pub fn create_deck(&mut self, library: &mut Library, title: &str) -> Result<DeckId, StoreError> {
        self.check_writable()?;
        let dir = self.profile().decks_dir();
        let id = new_id(title, |id| {
            library.decks.iter().any(|d| d.deck.id.0 == id) || dir.join(format!("{id}.json")).exists()
        });
        let deck = Deck {
            format: FORMAT_VERSION,
            id: DeckId(id.clone()),
            title: title.trim().to_owned(),
            source_sha256: None,
            description: String::new(),
            covers: Vec::new(),
            cards: Vec::new(),
            retired: Vec::new(),
        };
        let path = dir.join(format!("{id}.json"));
        let file = path.display().to_string();
        check_deck(&file, &deck).map_err(invalid)?;
        write_deck(&path, &deck)?;
        library.decks.push(LoadedDeck { file, origin: DeckOrigin::Profile, deck });
        Ok(DeckId(id))
    }

    /// Gives an own deck a new title (its id, and so its progress, stays).
    ///
    /// # Errors
    /// The deck is bundled or missing, the title is blank, or the write failed.
    pub fn rename_deck(&mut self, library: &mut Library, deck: &DeckId, title: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        let index = own_deck_index(library, deck)?;
        let Some(loaded) = library.decks.get_mut(index) else { return Err(StoreError::NoSuchDeck(deck.0.clone())) };
        let mut new_deck = loaded.deck.clone();
        title.trim().clone_into(&mut new_deck.title);
        check_deck(&loaded.file, &new_deck).map_err(invalid)?;
        write_deck(Path::new(&loaded.file), &new_deck)?;
        loaded.deck = new_deck;
        Ok(())
    }

    /// Moves an own deck's file into `<profile>/trash/` (nothing is erased;
    /// moving it back restores it, with its history). Returns where it went.
    ///
    /// # Errors
    /// The deck is bundled or missing, or the move failed.
    pub fn delete_deck(&mut self, library: &mut Library, deck: &DeckId) -> Result<PathBuf, StoreError> {
        self.check_writable()?;
        let index = own_deck_index(library, deck)?;
        let Some(loaded) = library.decks.get(index) else { return Err(StoreError::NoSuchDeck(deck.0.clone())) };
        let from = PathBuf::from(&loaded.file);
        let to = self.trash_path(&from)?;
        std::fs::rename(&from, &to).map_err(|s| io(&from, s))?;
        if let Some(parent) = to.parent() {
            super::atomic::sync_dir(parent).map_err(|s| io(parent, s))?;
        }
        if let Some(parent) = from.parent() {
            super::atomic::sync_dir(parent).map_err(|s| io(parent, s))?;
        }
        library.decks.remove(index);
        Ok(to)
    }

    /// Moves a deck file that [`Collection::delete_deck`] put in the trash
    /// back to where it was (undo). The caller reloads the library.
    ///
    /// # Errors
    /// A file is already at the old place (it is not overwritten), or the
    /// move failed.
    pub fn restore_deck(&mut self, trashed: &Path, to: &Path) -> Result<(), StoreError> {
        self.check_writable()?;
        if to.exists() {
            return Err(StoreError::ReadOnly(format!(
                "{} exists again, so the deck was left in {}",
                to.display(),
                trashed.display()
            )));
        }
        std::fs::rename(trashed, to).map_err(|s| io(trashed, s))?;
        for dir in [to.parent(), trashed.parent()].into_iter().flatten() {
            super::atomic::sync_dir(dir).map_err(|s| io(dir, s))?;
        }
        Ok(())
    }

    /// Copies a deck file into `<profile>/trash/` before it is replaced.
    /// Returns the copy's path.
    ///
    /// # Errors
    /// The copy failed (then nothing is replaced).
    pub(super) fn keep_in_trash(&self, file: &Path) -> Result<PathBuf, StoreError> {
        let to = self.trash_path(file)?;
        std::fs::copy(file, &to).map_err(|s| io(file, s))?;
        // Windows flushes only a handle opened for writing (a read-only one
        // gets "access denied"), so the copy is opened for writing to sync it.
        std::fs::OpenOptions::new().write(true).open(&to).and_then(|f| f.sync_all()).map_err(|s| io(&to, s))?;
        if let Some(parent) = to.parent() {
            super::atomic::sync_dir(parent).map_err(|s| io(parent, s))?;
        }
        Ok(to)
    }

    /// A free path in `<profile>/trash/` for `file`'s name (made if needed).
    fn trash_path(&self, file: &Path) -> Result<PathBuf, StoreError> {
        let trash = self.profile().dir.join("trash");
        std::fs::create_dir_all(&trash).map_err(|s| io(&trash, s))?;
        let name = file.file_name().map_or_else(|| "deck.json".to_owned(), |n| n.to_string_lossy().into_owned());
        let mut to = trash.join(&name);
        let mut n = 1;
        while to.exists() {
            n += 1;
            to = trash.join(format!("{}-{n}.json", name.trim_end_matches(".json")));
        }
        Ok(to)
    }
}

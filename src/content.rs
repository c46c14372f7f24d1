//! What the student writes besides grades, as events: cards added, edited,
//! deleted, restored; decks created, renamed, deleted, restored, imported;
//! the student's settings; mock-exam attempts and appeals. They are lines
//! of the same per-device log as the grades (DESIGN.md, invariants 2-3),
//! and the decks, settings and exams the student sees are a pure fold of
//! them over the inputs (the bundled decks, deck files in `decks/`, and
//! the files earlier builds wrote).
//!
//! The fold is deterministic for any set of events in any order:
//! - every event applies in `(at_ms, id)` order, and an event taken back
//!   by a `revert` is skipped wherever the revert sorts;
//! - a card's fields are separate registers: each field has the value of
//!   the latest event that set it (last writer wins, by `(at_ms, id)`), so
//!   two computers editing different fields of one card both keep theirs;
//! - whether a card (or deck) is deleted is one more register, set only by
//!   delete, restore, add and import events. An edit never brings a
//!   deleted card back and a delete never loses an edit: the card stays
//!   deleted, holding the edit, and restoring it shows the latest text;
//! - a settings key, and the exam date, likewise take the latest value.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::deck::{Card, CardId, Deck, DeckId, DeckOrigin, FORMAT_VERSION, Library, LoadedDeck};
use crate::revlog::{Carries, Carry, EventId, LOG_FORMAT};

/// The fields of a card that edits set one by one, as the deck format
/// names them.
pub const CARD_FIELDS: [&str; 11] =
    ["kind", "question", "answer", "accept", "tags", "source", "note", "statement", "distractors", "event", "siblings"];

/// The student's settings key that holds the exam date (`YYYY-MM-DD` or
/// null), beside the scheduling settings.
pub const EXAM_DATE_KEY: &str = "exam_date";

/// What a content event does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Edit {
    /// A new card (or a card moved here): every field, and not deleted.
    CardAdd {
        /// Its deck.
        deck: DeckId,
        /// The card, with its id.
        card: Card,
    },
    /// Some fields of a card changed: `card` is the whole card after the
    /// edit, `fields` the names of those that changed.
    CardEdit {
        /// Its deck.
        deck: DeckId,
        /// The card after the edit.
        card: Card,
        /// The fields the edit changed ([`CARD_FIELDS`]).
        fields: Vec<String>,
    },
    /// A card taken out of its deck (its history stays).
    CardDelete {
        /// Its deck.
        deck: DeckId,
        /// The card.
        card: CardId,
        /// For a move, the card's new place: its events at the old place
        /// count there too (see `revlog::Carries`). Older builds read the
        /// move as a plain delete, as they wrote it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved_to: Option<Place>,
    },
    /// A deleted card put back.
    CardRestore {
        /// Its deck.
        deck: DeckId,
        /// The card.
        card: CardId,
    },
    /// A new, empty deck.
    DeckCreate {
        /// Its id.
        deck: DeckId,
        /// Its title.
        title: String,
    },
    /// A deck's new title.
    DeckRename {
        /// The deck.
        deck: DeckId,
        /// The new title.
        title: String,
    },
    /// A deck taken away (its cards and history stay, hidden).
    DeckDelete {
        /// The deck.
        deck: DeckId,
    },
    /// A deleted deck put back.
    DeckRestore {
        /// The deck.
        deck: DeckId,
    },
    /// A whole deck imported: its title and cards replace the deck's (cards
    /// not in it are deleted).
    DeckImport {
        /// The deck, in the deck format.
        deck: Deck,
    },
    /// Settings that belong to the student (scheduling, limits, the exam
    /// date), by key; `null` puts a key back to its default.
    Settings {
        /// Keys and their new values.
        values: Map<String, Value>,
    },
    /// A finished mock exam, as `exams.jsonl` holds one.
    ExamAttempt {
        /// The attempt.
        attempt: Value,
    },
    /// "I was right" on question `question` of the attempt with those times.
    ExamAppeal {
        /// The attempt's start.
        started_ms: i64,
        /// The attempt's end.
        finished_ms: i64,
        /// The question, from 0.
        question: usize,
    },
    /// Takes back an earlier content event (undo).
    Revert {
        /// The event taken back.
        target: EventId,
    },
}

/// A card's place: its deck and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The deck.
    pub deck: DeckId,
    /// The card.
    pub card: CardId,
}

/// One content line of a log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentEvent {
    /// The log format, [`LOG_FORMAT`].
    pub v: u32,
    /// Unique across devices.
    pub id: EventId,
    /// When, Unix milliseconds.
    pub at_ms: i64,
    /// The UTC offset then, seconds east.
    pub offset_s: i32,
    /// The first event of the same op, for the others of a multi-event op
    /// (a bulk edit, a move): undo takes the whole op back at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<EventId>,
    /// What it does.
    #[serde(flatten)]
    pub edit: Edit,
}

impl ContentEvent {
    /// A new event of the current format.
    pub fn new(id: EventId, at_ms: i64, offset_s: i32, edit: Edit) -> ContentEvent {
        ContentEvent { v: LOG_FORMAT, id, at_ms, offset_s, op: None, edit }
    }

    /// Whether a revert in `undone` takes it back (itself, or its op).
    pub fn is_undone(&self, undone: &HashSet<EventId>) -> bool {
        undone.contains(&self.id) || self.op.is_some_and(|op| undone.contains(&op))
    }

    /// Replay order, shared with grades.
    pub fn order_key(&self) -> (i64, EventId) {
        (self.at_ms, self.id)
    }

    /// Whether undo may take it back: every content event but a revert
    /// (an exam attempt or appeal too: undo right after an exam takes its
    /// record back).
    pub fn undoable(&self) -> bool {
        !matches!(self.edit, Edit::Revert { .. })
    }

    /// What it did, in a few words, for the Undo button ("Undo: edit of card …").
    pub fn describe(&self) -> String {
        match &self.edit {
            Edit::CardAdd { card, .. } => format!("add card \u{201c}{}\u{201d}", short(&card.question)),
            Edit::CardEdit { card, .. } => format!("edit of \u{201c}{}\u{201d}", short(&card.question)),
            Edit::CardDelete { card, .. } => format!("delete of card {card}"),
            Edit::CardRestore { card, .. } => format!("restore of card {card}"),
            Edit::DeckCreate { title, .. } => format!("new deck \u{201c}{}\u{201d}", short(title)),
            Edit::DeckRename { title, .. } => format!("rename to \u{201c}{}\u{201d}", short(title)),
            Edit::DeckDelete { deck } => format!("delete of deck {deck}"),
            Edit::DeckRestore { deck } => format!("restore of deck {deck}"),
            Edit::DeckImport { deck } => format!("import of \u{201c}{}\u{201d}", short(&deck.title)),
            Edit::Settings { values } => {
                let keys: Vec<&str> = values.keys().map(String::as_str).collect();
                format!("settings change ({})", keys.join(", "))
            }
            Edit::ExamAttempt { .. } => "mock exam".to_owned(),
            Edit::ExamAppeal { .. } => "appeal".to_owned(),
            Edit::Revert { .. } => "undo".to_owned(),
        }
    }
}

fn short(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}\u{2026}", text.chars().take(MAX - 1).collect::<String>())
    }
}

/// Reads one log line as a content event; `Ok(Err(v))` for a newer format.
///
/// # Errors
/// The line is not a content event.
pub fn parse_content_line(line: &[u8]) -> Result<Result<ContentEvent, u32>, serde_json::Error> {
    let event: ContentEvent = serde_json::from_slice(line)?;
    Ok(if event.v > LOG_FORMAT { Err(event.v) } else { Ok(event) })
}

/// The fields of `after` that differ from `before`, by [`CARD_FIELDS`] name.
pub fn changed_fields(before: &Card, after: &Card) -> Vec<String> {
    let (b, a) = (card_map(before), card_map(after));
    CARD_FIELDS.iter().filter(|f| b.get(**f) != a.get(**f)).map(|f| (*f).to_owned()).collect()
}

fn card_map(card: &Card) -> Map<String, Value> {
    match serde_json::to_value(card) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A register's version: the `(at_ms, id)` of the event that set it.
type Stamp = (i64, EventId);

/// The inputs' version, older than any event.
const BASE: Stamp = (i64::MIN, EventId(0));

/// A last-writer-wins register.
#[derive(Debug, Clone)]
struct Lww<T> {
    value: T,
    at: Stamp,
}

impl<T> Lww<T> {
    fn base(value: T) -> Lww<T> {
        Lww { value, at: BASE }
    }

    fn set(&mut self, value: T, at: Stamp) {
        if at > self.at {
            self.value = value;
            self.at = at;
        }
    }
}

#[derive(Debug, Clone)]
struct CardEntry {
    /// The card as the inputs give it, or as the first add wrote it.
    card: Card,
    /// Field registers, made when an event first edits the card (a card no
    /// event touched is shown as it is, with no conversion).
    fields: Option<BTreeMap<String, Lww<Option<Value>>>>,
    alive: Lww<bool>,
    /// The whole card written by the latest add or edit, used when the
    /// merged fields break a card rule.
    latest: Option<Lww<Card>>,
}

impl CardEntry {
    fn new(card: &Card, at: Stamp, alive: bool) -> CardEntry {
        CardEntry { card: card.clone(), fields: None, alive: Lww { value: alive, at }, latest: None }
    }

    fn set_fields(&mut self, card: &Card, names: &[String], at: Stamp) {
        let base = &self.card;
        let fields = self.fields.get_or_insert_with(|| {
            let map = card_map(base);
            CARD_FIELDS.iter().map(|f| ((*f).to_owned(), Lww { value: map.get(*f).cloned(), at: BASE })).collect()
        });
        let map = card_map(card);
        for name in names {
            if let Some(field) = fields.get_mut(name) {
                field.set(map.get(name).cloned(), at);
            }
        }
        match &mut self.latest {
            Some(latest) => latest.set(card.clone(), at),
            None => self.latest = Some(Lww { value: card.clone(), at }),
        }
    }

    /// The card with every field's latest value; when those break a card
    /// rule together (two computers' edits that do not fit), the latest
    /// whole card written.
    fn card(&self, id: &CardId) -> (Card, bool) {
        let Some(fields) = &self.fields else { return (self.card.clone(), false) };
        let mut map = Map::new();
        map.insert("id".to_owned(), Value::String(id.0.to_string()));
        for (name, field) in fields {
            if let Some(value) = &field.value {
                map.insert(name.clone(), value.clone());
            }
        }
        let card = match serde_json::from_value::<Card>(Value::Object(map)) {
            Ok(card) if crate::deck::card_problem(&card).is_none() => card,
            _ => {
                let latest = self.latest.as_ref().map_or(&self.card, |l| &l.value);
                Card { id: id.clone(), ..latest.clone() }
            }
        };
        (card, true)
    }
}

#[derive(Debug, Clone)]
struct DeckEntry {
    file: String,
    origin: DeckOrigin,
    base: Option<Deck>,
    title: Lww<String>,
    alive: Lww<bool>,
    /// Card ids in deck order (deleted ones too, hidden on output).
    order: Vec<CardId>,
    /// When it was first made by an event (base decks: never), for order.
    made: Stamp,
}

/// A card deleted and not restored, with its latest text.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedCard {
    /// Its deck.
    pub deck: DeckId,
    /// The card, as last edited.
    pub card: Card,
    /// When it was deleted, Unix ms.
    pub deleted_ms: i64,
}

/// What the content events make of the inputs.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// The decks the student sees.
    pub library: Library,
    /// Settings set by events, by key (latest value each); `null` is
    /// "back to the default".
    pub settings: Map<String, Value>,
    /// Mock-exam attempts recorded as events, in order, with the time.
    pub attempts: Vec<(i64, Value)>,
    /// Appeals recorded as events: attempt start, end, question, time.
    pub appeals: Vec<(i64, i64, usize, i64)>,
    /// Cards deleted and not restored, latest first.
    pub deleted_cards: Vec<DeletedCard>,
    /// Decks deleted and not restored: id, title.
    pub deleted_decks: Vec<(DeckId, String)>,
    /// Events that could not apply (an edit of a card of no deck ...).
    pub warnings: Vec<String>,
}

/// The set of events taken back by reverts among `events`.
pub fn reverted<'a>(events: impl IntoIterator<Item = &'a ContentEvent>) -> HashSet<EventId> {
    events
        .into_iter()
        .filter_map(|e| match e.edit {
            Edit::Revert { target } => Some(target),
            _ => None,
        })
        .collect()
}

/// The moves in force among `events` (any order, duplicates allowed): a
/// move not taken back carries the card's events at its old place to the
/// new one until the card is restored at the old place.
pub fn carries<'a>(events: impl IntoIterator<Item = &'a ContentEvent>) -> Carries {
    let mut sorted: Vec<&ContentEvent> = events.into_iter().collect();
    sorted.sort_by_key(|e| e.order_key());
    sorted.dedup_by_key(|e| e.id);
    let undone = reverted(sorted.iter().copied());
    let active = || sorted.iter().filter(|e| !e.is_undone(&undone));
    let mut moves = Vec::new();
    let mut taken_back = Vec::new();
    for event in sorted.iter().filter(|e| e.is_undone(&undone)) {
        if let Edit::CardDelete { moved_to: Some(to), .. } = &event.edit {
            taken_back.push(((to.deck.clone(), to.card.clone()), event.at_ms));
        }
    }
    // Until when each old place's events were carried by the moves so far.
    let mut carried_until: HashMap<(DeckId, CardId), i64> = HashMap::new();
    for event in active() {
        let Edit::CardDelete { deck, card, moved_to: Some(to) } = &event.edit else { continue };
        let until_ms = active()
            .filter(|e| e.order_key() > event.order_key())
            .find(|e| matches!(&e.edit, Edit::CardRestore { deck: d, card: c } if d == deck && c == card))
            .map_or(i64::MAX, |e| e.at_ms);
        let from = (deck.clone(), card.clone());
        let to = (to.deck.clone(), to.card.clone());
        // A card moved from one place twice (two computers moving it at
        // once, or moved, restored and moved again): the events an earlier
        // move carried already count at its new place, so this move's
        // copies of them (dated up to its own time) count in the days at
        // neither, as a move taken back's do.
        if let Some(&earlier) = carried_until.get(&from) {
            taken_back.push((to.clone(), earlier.min(event.at_ms)));
        }
        let until = carried_until.entry(from.clone()).or_insert(i64::MIN);
        *until = (*until).max(until_ms);
        moves.push(Carry { from, to, until_ms });
    }
    Carries::new(moves, taken_back)
}

/// Folds `events` (any order, duplicates allowed) over `base`: the decks
/// as loaded from the bundled decks, `decks/` and earlier builds' files.
pub fn fold<'a>(base: &Library, events: impl IntoIterator<Item = &'a ContentEvent>) -> Folded {
    let mut sorted: Vec<&ContentEvent> = events.into_iter().collect();
    sorted.sort_by_key(|e| e.order_key());
    sorted.dedup_by_key(|e| e.id);
    let undone = reverted(sorted.iter().copied());

    let mut decks: Vec<(DeckId, DeckEntry)> = Vec::new();
    let mut deck_index: HashMap<DeckId, usize> = HashMap::new();
    let mut cards: HashMap<(DeckId, CardId), CardEntry> = HashMap::new();
    for loaded in &base.decks {
        deck_index.insert(loaded.deck.id.clone(), decks.len());
        decks.push((
            loaded.deck.id.clone(),
            DeckEntry {
                file: loaded.file.clone(),
                origin: loaded.origin.clone(),
                base: Some(Deck { cards: Vec::new(), ..loaded.deck.clone() }),
                title: Lww::base(loaded.deck.title.clone()),
                alive: Lww::base(true),
                order: loaded.deck.cards.iter().map(|c| c.id.clone()).collect(),
                made: BASE,
            },
        ));
        for card in &loaded.deck.cards {
            cards.insert((loaded.deck.id.clone(), card.id.clone()), CardEntry::new(card, BASE, true));
        }
    }

    let mut out = Folded::default();
    let mut deleted_at: HashMap<(DeckId, CardId), i64> = HashMap::new();
    for event in sorted {
        if event.is_undone(&undone) {
            continue;
        }
        let at = event.order_key();
        match &event.edit {
            Edit::CardAdd { deck, card } => {
                let i = ensure_deck(&mut decks, &mut deck_index, deck, &deck.0, at);
                add_card(&mut decks, &mut cards, i, deck, card, at);
            }
            Edit::CardEdit { deck, card, fields } => {
                let key = (deck.clone(), card.id.clone());
                if let Some(entry) = cards.get_mut(&key) {
                    entry.set_fields(card, fields, at);
                } else {
                    // An edit of a card this computer never saw added (its
                    // add was lost, or taken back): keep the edit, as a card.
                    let i = ensure_deck(&mut decks, &mut deck_index, deck, &deck.0, at);
                    add_card(&mut decks, &mut cards, i, deck, card, at);
                }
            }
            Edit::CardDelete { deck, card, .. } => {
                if let Some(entry) = cards.get_mut(&(deck.clone(), card.clone())) {
                    entry.alive.set(false, at);
                    deleted_at.insert((deck.clone(), card.clone()), event.at_ms);
                }
            }
            Edit::CardRestore { deck, card } => {
                if let Some(entry) = cards.get_mut(&(deck.clone(), card.clone())) {
                    entry.alive.set(true, at);
                }
            }
            Edit::DeckCreate { deck, title } => {
                let i = ensure_deck(&mut decks, &mut deck_index, deck, title, at);
                if let Some((_, entry)) = decks.get_mut(i) {
                    entry.title.set(title.clone(), at);
                    entry.alive.set(true, at);
                }
            }
            Edit::DeckRename { deck, title } => {
                if let Some((_, entry)) = deck_index.get(deck).and_then(|&i| decks.get_mut(i)) {
                    entry.title.set(title.clone(), at);
                }
            }
            Edit::DeckDelete { deck } | Edit::DeckRestore { deck } => {
                let alive = matches!(event.edit, Edit::DeckRestore { .. });
                if let Some((_, entry)) = deck_index.get(deck).and_then(|&i| decks.get_mut(i)) {
                    entry.alive.set(alive, at);
                }
            }
            Edit::DeckImport { deck } => {
                let i = ensure_deck(&mut decks, &mut deck_index, &deck.id, &deck.title, at);
                if let Some((_, entry)) = decks.get_mut(i) {
                    entry.title.set(deck.title.clone(), at);
                    entry.alive.set(true, at);
                    let header = Deck { cards: Vec::new(), ..deck.clone() };
                    if entry.base.is_none() || entry.made == at {
                        entry.base = Some(header);
                    }
                    let keep: HashSet<&CardId> = deck.cards.iter().map(|c| &c.id).collect();
                    for id in entry.order.clone() {
                        if !keep.contains(&id)
                            && let Some(card) = cards.get_mut(&(deck.id.clone(), id.clone()))
                        {
                            card.alive.set(false, at);
                            deleted_at.insert((deck.id.clone(), id), event.at_ms);
                        }
                    }
                }
                for card in &deck.cards {
                    add_card(&mut decks, &mut cards, i, &deck.id, card, at);
                }
            }
            Edit::Settings { values } => {
                for (key, value) in values {
                    out.settings.insert(key.clone(), value.clone());
                }
            }
            Edit::ExamAttempt { attempt } => out.attempts.push((event.at_ms, attempt.clone())),
            Edit::ExamAppeal { started_ms, finished_ms, question } => {
                out.appeals.push((*started_ms, *finished_ms, *question, event.at_ms));
            }
            Edit::Revert { .. } => {}
        }
    }

    // The library, in order: the inputs' decks as they were, then decks
    // made by events in the order they were made.
    let mut library = Library { decks: Vec::new(), errors: base.errors.clone(), edited: HashSet::new() };
    let mut made: Vec<(Stamp, usize)> = decks.iter().enumerate().map(|(i, (_, d))| (d.made, i)).collect();
    made.sort();
    for (_, i) in made {
        let Some((id, entry)) = decks.get(i) else { continue };
        let mut deck = entry.base.clone().unwrap_or_else(|| Deck {
            format: FORMAT_VERSION,
            id: id.clone(),
            title: String::new(),
            source_sha256: None,
            description: String::new(),
            covers: Vec::new(),
            cards: Vec::new(),
            retired: Vec::new(),
        });
        deck.title.clone_from(&entry.title.value);
        for card_id in &entry.order {
            let Some(card_entry) = cards.get(&(id.clone(), card_id.clone())) else { continue };
            let (card, touched) = card_entry.card(card_id);
            if card_entry.alive.value {
                if touched
                    && entry.origin == DeckOrigin::Bundled
                    && shipped_card(id, card_id).is_some_and(|s| *s != card)
                {
                    library.edited.insert((id.clone(), card_id.clone()));
                }
                deck.cards.push(card);
            } else {
                let deleted_ms = deleted_at.get(&(id.clone(), card_id.clone())).copied().unwrap_or(0);
                out.deleted_cards.push(DeletedCard { deck: id.clone(), card, deleted_ms });
            }
        }
        // A deck whose covers promise a kind no card has any more still
        // shows: the promise is the file's, not the student's.
        if deck.covers.iter().any(|k| !deck.cards.iter().any(|c| c.kind == *k)) {
            deck.covers.clear();
        }
        if entry.alive.value {
            library.decks.push(LoadedDeck { file: entry.file.clone(), origin: entry.origin.clone(), deck });
        } else {
            out.deleted_decks.push((id.clone(), deck.title.clone()));
        }
    }
    out.deleted_cards.sort_by_key(|d| std::cmp::Reverse(d.deleted_ms));
    // Edits of bundled cards made by earlier builds (`overrides.json`) are
    // in the base: they count as edited too, unless an event put the card
    // back as shipped.
    for key in &base.edited {
        let untouched = cards.get(key).is_none_or(|c| c.fields.is_none());
        if untouched && library.deck(&key.0).is_some() {
            library.edited.insert(key.clone());
        }
    }
    out.library = library;
    out
}

/// The index of `deck`, made (empty, titled `title`) when new.
fn ensure_deck(
    decks: &mut Vec<(DeckId, DeckEntry)>,
    index: &mut HashMap<DeckId, usize>,
    deck: &DeckId,
    title: &str,
    at: Stamp,
) -> usize {
    if let Some(&i) = index.get(deck) {
        return i;
    }
    index.insert(deck.clone(), decks.len());
    decks.push((
        deck.clone(),
        DeckEntry {
            file: format!("deck {deck} (made in Yadgar)"),
            origin: DeckOrigin::Profile,
            base: None,
            title: Lww { value: title.to_owned(), at: BASE },
            alive: Lww::base(true),
            order: Vec::new(),
            made: at,
        },
    ));
    decks.len() - 1
}

/// The bundled card as shipped, if it is one.
fn shipped_card(deck: &DeckId, card: &CardId) -> Option<&'static Card> {
    static SHIPPED: std::sync::OnceLock<HashMap<(DeckId, CardId), Card>> = std::sync::OnceLock::new();
    SHIPPED
        .get_or_init(|| {
            crate::deck::bundled_parse_results()
                .into_iter()
                .filter_map(|(_, _, d)| d.ok())
                .flat_map(|d| {
                    let id = d.id.clone();
                    d.cards.into_iter().map(move |c| ((id.clone(), c.id.clone()), c))
                })
                .collect()
        })
        .get(&(deck.clone(), card.clone()))
}

fn add_card(
    decks: &mut [(DeckId, DeckEntry)],
    cards: &mut HashMap<(DeckId, CardId), CardEntry>,
    deck_at: usize,
    deck: &DeckId,
    card: &Card,
    at: Stamp,
) {
    let key = (deck.clone(), card.id.clone());
    match cards.get_mut(&key) {
        Some(entry) => {
            let names: Vec<String> = CARD_FIELDS.iter().map(|f| (*f).to_owned()).collect();
            entry.set_fields(card, &names, at);
            entry.alive.set(true, at);
        }
        None => {
            cards.insert(key, CardEntry::new(card, at, true));
            if let Some((_, entry)) = decks.get_mut(deck_at) {
                entry.order.push(card.id.clone());
            }
        }
    }
}

/// The settings set by `events` (any order), by key, latest value each;
/// reverted events are skipped. Cheaper than [`fold`] when only the
/// settings are needed (to replay grades with them).
pub fn settings_overlay<'a>(events: impl IntoIterator<Item = &'a ContentEvent>) -> Map<String, Value> {
    let mut settings: Vec<&ContentEvent> =
        events.into_iter().filter(|e| matches!(e.edit, Edit::Settings { .. } | Edit::Revert { .. })).collect();
    settings.sort_by_key(|e| e.order_key());
    settings.dedup_by_key(|e| e.id);
    let undone = reverted(settings.iter().copied());
    let mut out = Map::new();
    for event in settings {
        if let Edit::Settings { values } = &event.edit
            && !event.is_undone(&undone)
        {
            for (key, value) in values {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    out
}

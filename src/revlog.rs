//! The review log's events and their replay. The log is the truth (DESIGN.md,
//! invariant 3): every card's state, today's counts and what can be undone
//! are derived here, purely, from the events of every device.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::deck::{CardId, DeckId};
use crate::schedule::{CardState, DoneToday, Due, Phase, Rating, Scheduler, card_seed};
use crate::time::{Day, Moment};

mod carry;
mod fast;
mod merge;

pub use carry::{Carries, Carry, copy_id};
pub use merge::Touched;

/// The log format this build writes. Lines with a higher `v` come from a
/// newer Yadgar: they are kept, and this build refuses to write.
pub const LOG_FORMAT: u32 = 1;

/// How many recent actions can be undone.
const UNDO_DEPTH: usize = 50;

/// A unique event id: 128 random bits, written as 32 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub u128);

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl Serialize for EventId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text: std::borrow::Cow<'de, str> = Deserialize::deserialize(d)?;
        if text.len() != 32 {
            return Err(serde::de::Error::custom("an event id is 32 hex digits"));
        }
        u128::from_str_radix(&text, 16)
            .map(EventId)
            .map_err(|_| serde::de::Error::custom("an event id is 32 hex digits"))
    }
}

impl EventId {
    /// A deterministic id from the parts that identify an event made from
    /// another (an imported review, a review carried along by a move), so
    /// doing the same twice gives the same ids.
    pub fn derived(parts: &[&str]) -> EventId {
        let mut hasher = sha1_smol::Sha1::new();
        for part in parts {
            hasher.update(part.as_bytes());
            hasher.update(&[0]);
        }
        let mut bytes = [0u8; 16];
        for (b, d) in bytes.iter_mut().zip(hasher.digest().bytes()) {
            *b = d;
        }
        EventId(u128::from_be_bytes(bytes))
    }
}

/// What kind of review a grade was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// A new or learning card's step.
    Learn,
    /// A review card.
    Review,
    /// A forgotten card's relearning step.
    Relearn,
    /// Cramming: logged, but ignored by the scheduler.
    Cram,
}

impl ReviewKind {
    /// The kind of a (non-cram) grade given to a card in `phase`.
    pub fn for_phase(phase: Phase) -> ReviewKind {
        match phase {
            Phase::New | Phase::Learning => ReviewKind::Learn,
            Phase::Review => ReviewKind::Review,
            Phase::Relearning => ReviewKind::Relearn,
        }
    }
}

/// What an event does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// A grade.
    Review {
        /// 1 again, 2 hard, 3 good, 4 easy.
        rating: Rating,
        /// Learn, review, relearn or cram.
        kind: ReviewKind,
        /// How long the student took to answer.
        answer_ms: u32,
    },
    /// Takes back an earlier event.
    Undo {
        /// The event taken back.
        target: EventId,
    },
    /// Hides the card until the next study day.
    Bury,
    /// Hides the card until it is unsuspended.
    Suspend,
    /// Brings a suspended card back.
    Unsuspend,
    /// Makes the card new again, forgetting its progress.
    Reset,
    /// Puts the card in today's review (a missed exam question).
    SendToReview,
}

/// One line of a review log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The log format version, [`LOG_FORMAT`].
    pub v: u32,
    /// Unique across all devices.
    pub id: EventId,
    /// When it happened, Unix milliseconds.
    pub at_ms: i64,
    /// The UTC offset in force then, seconds east.
    pub offset_s: i32,
    /// The card's deck.
    pub deck: DeckId,
    /// The card.
    pub card: CardId,
    /// What happened.
    pub action: Action,
}

/// The flat JSON form of an event: `{"v":1,"id":"…","at_ms":…,"offset_s":…,
/// "deck":"…","card":"…","type":"review","rating":3,"kind":"learn",
/// "answer_ms":4200}`. Written out by hand rather than with serde's
/// `flatten`, which is several times slower to read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent<'a> {
    v: u32,
    id: EventId,
    at_ms: i64,
    offset_s: i32,
    #[serde(borrow)]
    deck: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    card: std::borrow::Cow<'a, str>,
    #[serde(rename = "type")]
    kind_of_event: EventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rating: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<ReviewKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer_ms: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<EventId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EventType {
    Review,
    Undo,
    Bury,
    Suspend,
    Unsuspend,
    Reset,
    SendToReview,
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind_of_event, rating, kind, answer_ms, target) = match &self.action {
            Action::Review { rating, kind, answer_ms } => {
                (EventType::Review, Some(*rating), Some(*kind), Some(*answer_ms), None)
            }
            Action::Undo { target } => (EventType::Undo, None, None, None, Some(*target)),
            Action::Bury => (EventType::Bury, None, None, None, None),
            Action::Suspend => (EventType::Suspend, None, None, None, None),
            Action::Unsuspend => (EventType::Unsuspend, None, None, None, None),
            Action::Reset => (EventType::Reset, None, None, None, None),
            Action::SendToReview => (EventType::SendToReview, None, None, None, None),
        };
        RawEvent {
            v: self.v,
            id: self.id,
            at_ms: self.at_ms,
            offset_s: self.offset_s,
            deck: self.deck.0.as_str().into(),
            card: self.card.0.as_str().into(),
            kind_of_event,
            rating,
            kind,
            answer_ms,
            target,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawEvent::deserialize(d)?;
        let action = raw.action().map_err(serde::de::Error::custom)?;
        Ok(Event {
            v: raw.v,
            id: raw.id,
            at_ms: raw.at_ms,
            offset_s: raw.offset_s,
            deck: DeckId(raw.deck.as_ref().into()),
            card: CardId(raw.card.as_ref().into()),
            action,
        })
    }
}

impl RawEvent<'_> {
    fn action(&self) -> Result<Action, &'static str> {
        Ok(match self.kind_of_event {
            EventType::Review => Action::Review {
                rating: self.rating.ok_or("a review needs a rating")?,
                kind: self.kind.ok_or("a review needs a kind")?,
                answer_ms: self.answer_ms.unwrap_or(0),
            },
            EventType::Undo => Action::Undo { target: self.target.ok_or("an undo needs a target")? },
            EventType::Bury => Action::Bury,
            EventType::Suspend => Action::Suspend,
            EventType::Unsuspend => Action::Unsuspend,
            EventType::Reset => Action::Reset,
            EventType::SendToReview => Action::SendToReview,
        })
    }
}

/// Reads one log line into an event whose deck and card are interned in
/// `keys`, without allocating strings for cards already seen. Used to load
/// large logs in little memory.
///
/// # Errors
/// The line is not a valid event; a line of a newer format is returned as
/// `Ok(Err(version))`.
pub fn parse_line(line: &[u8], keys: &mut KeyTable) -> Result<Result<CompactEvent, u32>, serde_json::Error> {
    // The writer's own lines, nearly all of them, without serde.
    if let Some(l) = fast::parse(line) {
        let key = keys.intern(l.deck, l.card);
        return Ok(Ok(CompactEvent { at_ms: l.at_ms, id: l.id, offset_s: l.offset_s, key, action: l.action }));
    }
    let raw: RawEvent<'_> = serde_json::from_slice(line)?;
    if raw.v > LOG_FORMAT {
        return Ok(Err(raw.v));
    }
    let action = raw.action().map_err(serde::de::Error::custom)?;
    let key = keys.intern(&raw.deck, &raw.card);
    Ok(Ok(CompactEvent { at_ms: raw.at_ms, id: raw.id, offset_s: raw.offset_s, key, action }))
}

/// Reads one log line into an event (see [`parse_line`]).
///
/// # Errors
/// The line is not a valid event; a line of a newer format is returned as
/// `Ok(Err(version))`.
pub fn parse_event(line: &[u8]) -> Result<Result<Event, u32>, serde_json::Error> {
    if let Some(l) = fast::parse(line) {
        return Ok(Ok(Event {
            v: l.v,
            id: l.id,
            at_ms: l.at_ms,
            offset_s: l.offset_s,
            deck: DeckId(l.deck.into()),
            card: CardId(l.card.into()),
            action: l.action,
        }));
    }
    let event: Event = serde_json::from_slice(line)?;
    Ok(if event.v > LOG_FORMAT { Err(event.v) } else { Ok(event) })
}

/// Reads one log line as [`parse_event`] does, but makes the event only
/// when `keep` accepts its deck, card and action (`Ok(Ok(None))` for a line
/// it refuses): for picking a few cards' events out of a large log.
///
/// # Errors
/// As [`parse_event`].
pub fn parse_event_where(
    line: &[u8],
    keep: impl Fn(&str, &str, &Action) -> bool,
) -> Result<Result<Option<Event>, u32>, serde_json::Error> {
    if let Some(l) = fast::parse(line) {
        if !keep(l.deck, l.card, &l.action) {
            return Ok(Ok(None));
        }
        return Ok(Ok(Some(Event {
            v: l.v,
            id: l.id,
            at_ms: l.at_ms,
            offset_s: l.offset_s,
            deck: DeckId(l.deck.into()),
            card: CardId(l.card.into()),
            action: l.action,
        })));
    }
    Ok(parse_event(line)?.map(|e| keep(&e.deck.0, &e.card.0, &e.action).then_some(e)))
}

/// A fast hasher, seeded per process, for tables looked up once per log
/// line or per card.
pub type FastHash = foldhash::fast::RandomState;

/// Deck and card ids, each stored once, numbered in order of appearance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyTable {
    // Ids are inline in the table (up to 24 bytes), so a lookup compares
    // them where it finds them, with no second read from elsewhere.
    index: HashMap<CompactString, HashMap<CompactString, u32, FastHash>, FastHash>,
    keys: Vec<CardKey>,
}

impl KeyTable {
    /// The number of a deck and card, adding it if new.
    pub fn intern(&mut self, deck: &str, card: &str) -> u32 {
        let n = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let cards = match self.index.get_mut(deck) {
            Some(cards) => {
                if let Some(&found) = cards.get(card) {
                    return found;
                }
                cards
            }
            None => self.index.entry(deck.into()).or_default(),
        };
        cards.insert(card.into(), n);
        self.keys.push((DeckId(deck.into()), CardId(card.into())));
        n
    }

    /// The number of a deck and card, if it has one.
    pub fn find(&self, deck: &str, card: &str) -> Option<u32> {
        self.index.get(deck).and_then(|cards| cards.get(card)).copied()
    }

    /// The deck and card of a number.
    pub fn key(&self, n: u32) -> Option<&CardKey> {
        self.keys.get(n as usize)
    }

    /// How many cards are numbered.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no card is numbered yet.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// An event with its card interned: what replay works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactEvent {
    /// When it happened, Unix milliseconds.
    pub at_ms: i64,
    /// Its id.
    pub id: EventId,
    /// The UTC offset then, seconds east.
    pub offset_s: i32,
    /// Its card, in a [`KeyTable`].
    pub key: u32,
    /// What happened.
    pub action: Action,
}

impl CompactEvent {
    fn order_key(&self) -> (i64, EventId) {
        (self.at_ms, self.id)
    }
}

impl Event {
    /// A new event of the current format.
    pub fn new(id: EventId, at: Moment, deck: DeckId, card: CardId, action: Action) -> Event {
        Event { v: LOG_FORMAT, id, at_ms: at.unix_ms, offset_s: at.offset_s, deck, card, action }
    }

    /// When it happened.
    pub fn moment(&self) -> Moment {
        Moment::new(self.at_ms, self.offset_s)
    }

    /// The order of replay: by time, then id, so every device agrees.
    pub fn order_key(&self) -> (i64, EventId) {
        (self.at_ms, self.id)
    }
}

/// A card's key across the profile.
pub type CardKey = (DeckId, CardId);

/// What was done on one study day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayStats {
    /// Grades given (cram included).
    pub answers: u32,
    /// New cards seen for the first time.
    pub new: u32,
    /// Grades of review cards (these count against the review limit).
    pub review: u32,
    /// Time spent answering.
    pub answer_ms: u64,
    /// Grades by button: again, hard, good, easy.
    pub by_rating: [u32; 4],
}

/// One grade, as the statistics need it: when, which button, what kind,
/// how long, and the interval the card had before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grade {
    /// The card, in the journal's [`KeyTable`].
    pub key: u32,
    /// When it was given.
    pub at: Moment,
    /// The button.
    pub rating: Rating,
    /// Learn, review, relearn or cram.
    pub kind: ReviewKind,
    /// How long the student took.
    pub answer_ms: u32,
    /// The card's scheduled interval in days before this grade (0 for a
    /// new or learning card): what Anki's revlog calls `lastIvl`.
    pub last_interval: u32,
}

impl Grade {
    /// A placeholder, overwritten before use.
    const EMPTY: Grade = Grade {
        key: 0,
        at: Moment { unix_ms: 0, offset_s: 0 },
        rating: Rating::Again,
        kind: ReviewKind::Learn,
        answer_ms: 0,
        last_interval: 0,
    };
}

/// Every grade in the log, for the statistics: each card's grades in time
/// order (cards interleave in no particular order). It is built
/// by a full replay and kept up to date by [`Progress::apply`]; a progress
/// loaded from a snapshot has none (`complete` is false) until a full
/// replay builds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Journal {
    /// Whether this holds every grade of the log.
    pub complete: bool,
    /// The cards the grades refer to.
    pub keys: KeyTable,
    /// The grades: each card's in time order; live grades are appended.
    pub grades: Vec<Grade>,
}

/// How a grade counted against the daily limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Counted {
    Neither,
    New,
    Review,
    /// An event of a moved card at its old place: its copy at the new
    /// place counts instead, so a grade counts once in the day's figures.
    Carried,
}

/// An action that can be undone, with what is needed to take it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undoable {
    /// The event to take back.
    pub id: EventId,
    /// Its card.
    pub key: CardKey,
    /// What it was.
    pub action: Action,
    /// When it happened.
    at: Moment,
    /// The card's state before it (`None`: the card had no state).
    previous: Option<CardState>,
    /// How it counted against its day's limits.
    counted: Counted,
}

impl Undoable {
    /// Its event's place in replay order.
    pub fn order_key(&self) -> (i64, EventId) {
        (self.at.unix_ms, self.id)
    }
}

/// One worker's share of a replay.
#[derive(Default)]
struct Partial {
    states: Vec<Option<CardState>>,
    days: BTreeMap<Day, DayStats>,
    warnings: Vec<String>,
    undoable: Vec<((i64, EventId), Undoable)>,
    grades_written: usize,
}

impl DayStats {
    fn add(&mut self, other: &DayStats) {
        self.answers += other.answers;
        self.new += other.new;
        self.review += other.review;
        self.answer_ms += other.answer_ms;
        for (mine, theirs) in self.by_rating.iter_mut().zip(other.by_rating) {
            *mine += theirs;
        }
    }
}

/// Cards' states by deck, then card.
pub type States = HashMap<DeckId, CardStates, FastHash>;

/// One deck's cards' states, by card.
pub type CardStates = HashMap<CardId, CardState, FastHash>;

/// Everything derived from the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Card states, for cards with any event.
    #[serde(with = "state_list")]
    pub states: States,
    /// Per study day (by the rollover in force at replay).
    pub days: BTreeMap<Day, DayStats>,
    /// Recent actions, newest last, not yet undone.
    pub undoable: Vec<Undoable>,
    /// The last event applied, in replay order.
    pub last_applied: Option<(i64, EventId)>,
    /// Events that could not be applied, with why.
    pub warnings: Vec<String>,
    /// Events taken back by an undo before they were seen: another
    /// device's undo can arrive before the event it undoes (a torn or late
    /// copy), and can even sort before it (its clock was behind). Such an
    /// event arriving later needs a full replay, which skips it.
    #[serde(default)]
    pub undone_unseen: HashSet<EventId>,
    /// Every grade, for the statistics (not saved in the snapshot).
    #[serde(skip)]
    pub journal: Journal,
    /// Moved cards' old places, each with the time until which their
    /// events are carried to the new place ([`Carries::until_map`]): those
    /// events change the card's state there but do not count in the days.
    #[serde(skip)]
    pub carried: HashMap<CardKey, i64>,
}

/// An undo that cannot be applied to the state in memory (its target is
/// not the latest action on its card, or is older than the snapshot): the
/// caller must replay the whole log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the undone event is not the latest on its card; replay the whole log")]
pub struct NeedsFullReplay;

mod state_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{CardKey, States};
    use crate::schedule::CardState;

    pub fn serialize<S: Serializer>(map: &States, s: S) -> Result<S::Ok, S::Error> {
        let mut list: Vec<(&crate::deck::DeckId, &crate::deck::CardId, &CardState)> =
            map.iter().flat_map(|(d, cards)| cards.iter().map(move |(c, st)| (d, c, st))).collect();
        list.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<States, D::Error> {
        let list: Vec<(CardKey, CardState)> =
            Vec::<(crate::deck::DeckId, crate::deck::CardId, CardState)>::deserialize(d)?
                .into_iter()
                .map(|(deck, card, state)| ((deck, card), state))
                .collect();
        let mut map = States::default();
        for ((deck, card), state) in list {
            map.entry(deck).or_default().insert(card, state);
        }
        Ok(map)
    }
}

impl Progress {
    /// Replays `events` (from any devices, in any order) from nothing.
    pub fn replay(scheduler: &Scheduler, events: Vec<Event>) -> Progress {
        Progress::replay_moved(scheduler, events, &Carries::default())
    }

    /// Replays interned events from nothing. An undone event and its undo
    /// are left out, as if neither had happened. Cards are independent, so
    /// the work is split by card over the machine's cores.
    pub fn replay_compact(scheduler: &Scheduler, owned_keys: KeyTable, events: Vec<CompactEvent>) -> Progress {
        Progress::replay_compact_reporting(scheduler, owned_keys, events, HashMap::new(), &|_| {})
    }

    /// Replays `events` of any devices with the moves `carries`: each
    /// moved card's events at its old place are carried to the new one
    /// ([`Carries::carry`]) and count in the days only there.
    pub fn replay_moved(scheduler: &Scheduler, mut events: Vec<Event>, carries: &Carries) -> Progress {
        carries.carry(&mut events);
        let mut keys = KeyTable::default();
        let compact = events
            .into_iter()
            .map(|e| CompactEvent {
                at_ms: e.at_ms,
                id: e.id,
                offset_s: e.offset_s,
                key: keys.intern(&e.deck.0, &e.card.0),
                action: e.action,
            })
            .collect();
        Progress::replay_compact_reporting(scheduler, keys, compact, carries.until_map(), &|_| {})
    }

    /// As [`Progress::replay_compact`], with moved cards' old places
    /// `carried` (see [`Progress::carried`]; the events must already hold
    /// the carried copies), calling `on_replayed` with the number of
    /// events replayed as it goes (from every core).
    pub fn replay_compact_reporting(
        scheduler: &Scheduler,
        owned_keys: KeyTable,
        mut events: Vec<CompactEvent>,
        carried: HashMap<CardKey, i64>,
        on_replayed: &(dyn Fn(u64) + Sync),
    ) -> Progress {
        // Each log is already in this order (a computer stamps its events
        // in order), so the events are a few sorted runs end to end: the
        // stable sort finds the runs and merges them, in linear time.
        events.sort_by_key(CompactEvent::order_key);
        events.dedup_by_key(|e| e.id);
        let undone: HashSet<EventId, FastHash> = events
            .iter()
            .filter_map(|e| match e.action {
                Action::Undo { target } => Some(target),
                _ => None,
            })
            .collect();
        let is_undone = |id: &EventId| !undone.is_empty() && undone.contains(id);
        let last_applied = events.last().map(CompactEvent::order_key);
        let mut unseen = undone.clone();
        if !unseen.is_empty() {
            for event in &events {
                unseen.remove(&event.id);
            }
        }
        let undone_unseen: HashSet<EventId> = unseen.into_iter().collect();
        // Only the most recent actions can be undone; don't record the rest.
        let record_from = events.len().saturating_sub(UNDO_DEPTH);
        let parts = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8) as u32;
        // Each part replays the events of its own cards (by key), listed
        // here once, so no part reads past the others' events.
        let mut by_part: Vec<Vec<u32>> =
            (0..parts).map(|_| Vec::with_capacity(events.len() / parts as usize + 16)).collect();
        // The journal of grades is one buffer made here, on the main thread;
        // each part fills its own stretch of it (no merge, no copy).
        let mut per_part = vec![0_usize; parts as usize];
        for (i, event) in events.iter().enumerate() {
            let part = (event.key % parts) as usize;
            if is_undone(&event.id) || matches!(event.action, Action::Undo { .. }) {
                continue;
            }
            if let Some(list) = by_part.get_mut(part) {
                list.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
            if matches!(event.action, Action::Review { .. })
                && let Some(n) = per_part.get_mut(part)
            {
                *n += 1;
            }
        }
        // Each card's fuzz seed, made once rather than at every grade.
        let seeds: Vec<u64> = (0..owned_keys.len())
            .map(|n| owned_keys.key(n as u32).map_or(0, |(deck, card)| card_seed(&deck.0, &card.0)))
            .collect();
        // Until when each card's events are carried elsewhere (moved cards'
        // old places only).
        let carried_until: Vec<i64> = if carried.is_empty() {
            Vec::new()
        } else {
            (0..owned_keys.len())
                .map(|n| owned_keys.key(n as u32).and_then(|k| carried.get(k)).copied().unwrap_or(i64::MIN))
                .collect()
        };
        let total_grades: usize = per_part.iter().sum();
        let mut grades = vec![Grade::EMPTY; total_grades];
        let mut stretches: Vec<&mut [Grade]> = Vec::with_capacity(per_part.len());
        let mut rest = grades.as_mut_slice();
        for n in &per_part {
            let (mine, others) = std::mem::take(&mut rest).split_at_mut_checked(*n).unwrap_or_default();
            stretches.push(mine);
            rest = others;
        }
        let keys = &owned_keys;
        let replay_part = |part: u32, states: Vec<Option<CardState>>, journal: &mut [Grade]| {
            let mut out = Partial { states, ..Partial::default() };
            let mine = by_part.get(part as usize).map_or(&[][..], Vec::as_slice);
            for (n, &i) in mine.iter().enumerate() {
                if n % 65_536 == 65_535 {
                    on_replayed(65_536);
                }
                let i = i as usize;
                let Some(event) = events.get(i) else { continue };
                let Some(&seed) = seeds.get(event.key as usize) else { continue };
                let Some(slot) = out.states.get_mut(event.key as usize) else { continue };
                let at = Moment::new(event.at_ms, event.offset_s);
                let previous = slot.clone();
                if let Action::Review { rating, kind, answer_ms } = event.action {
                    let last_interval = last_interval(previous.as_ref());
                    if let Some(slot) = journal.get_mut(out.grades_written) {
                        *slot = Grade { key: event.key, at, rating, kind, answer_ms, last_interval };
                    }
                    out.grades_written += 1;
                }
                let state = slot.get_or_insert_with(CardState::default);
                let mut counted = step(scheduler, seed, state, event.id, at, &event.action, &mut out.warnings);
                if carried_until.get(event.key as usize).is_some_and(|&until| event.at_ms <= until) {
                    counted = Counted::Carried;
                }
                count_day(&mut out.days, at, &event.action, counted, scheduler.settings().rollover_hour, 1);
                if i >= record_from
                    && let Some(key) = keys.key(event.key)
                {
                    let undoable = Undoable {
                        id: event.id,
                        key: key.clone(),
                        action: event.action.clone(),
                        at,
                        previous,
                        counted,
                    };
                    out.undoable.push(((event.at_ms, event.id), undoable));
                }
            }
            out
        };
        // The per-card buffers are made here, on the main thread, so they
        // don't stay behind in a worker's malloc arena afterwards.
        let partials: Vec<Partial> = if parts == 1 {
            stretches.into_iter().map(|journal| replay_part(0, vec![None; keys.len()], journal)).collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = stretches
                    .into_iter()
                    .zip(0..parts)
                    .map(|(journal, part)| {
                        let states = vec![None; keys.len()];
                        let replay_part = &replay_part;
                        scope.spawn(move || replay_part(part, states, journal))
                    })
                    .collect();
                handles.into_iter().filter_map(|h| h.join().ok()).collect()
            })
        };
        let complete =
            partials.len() == per_part.len() && partials.iter().zip(&per_part).all(|(p, n)| p.grades_written == *n);
        let mut progress = Progress { last_applied, undone_unseen, carried, ..Progress::default() };
        let mut undoable = Vec::new();
        for partial in partials {
            for (n, state) in partial.states.into_iter().enumerate() {
                let (Some(state), Some((deck, card))) = (state, keys.key(n as u32)) else { continue };
                progress.states.entry(deck.clone()).or_default().insert(card.clone(), state);
            }
            for (day, stats) in partial.days {
                progress.days.entry(day).or_default().add(&stats);
            }
            progress.warnings.extend(partial.warnings);
            undoable.extend(partial.undoable);
        }
        undoable.sort_by_key(|(order, _)| *order);
        progress.undoable = undoable.into_iter().map(|(_, u)| u).collect();
        // Should a count disagree (it cannot), the journal is left to be
        // rebuilt rather than be wrong.
        progress.journal =
            if complete { Journal { complete: true, keys: owned_keys, grades } } else { Journal::default() };
        progress
    }

    /// Applies events newer than [`Progress::last_applied`], in replay
    /// order, after a snapshot was loaded.
    ///
    /// # Errors
    /// [`NeedsFullReplay`] when an event is older than the snapshot or an
    /// undo cannot be applied in place; `self` must then be dropped and the
    /// whole log replayed.
    pub fn apply_tail(&mut self, scheduler: &Scheduler, mut events: Vec<Event>) -> Result<(), NeedsFullReplay> {
        events.sort_by_key(Event::order_key);
        events.dedup_by_key(|e| e.id);
        if let (Some(first), Some(last)) = (events.first(), self.last_applied)
            && first.order_key() <= last
        {
            return Err(NeedsFullReplay);
        }
        for event in events {
            self.apply(scheduler, event)?;
        }
        Ok(())
    }

    /// Applies one event that comes after every event applied so far.
    ///
    /// # Errors
    /// [`NeedsFullReplay`] for an undo that cannot be applied in place, or
    /// an event already undone (see [`Progress::undone_unseen`]).
    pub fn apply(&mut self, scheduler: &Scheduler, event: Event) -> Result<(), NeedsFullReplay> {
        if self.undone_unseen.contains(&event.id) {
            return Err(NeedsFullReplay);
        }
        self.last_applied = Some(event.order_key());
        if let Action::Undo { target } = event.action {
            return self.undo(scheduler, target);
        }
        let key = (event.deck, event.card);
        self.apply_action(scheduler, &key, event.id, Moment::new(event.at_ms, event.offset_s), &event.action, true);
        Ok(())
    }

    fn apply_action(
        &mut self,
        scheduler: &Scheduler,
        key: &CardKey,
        id: EventId,
        at: Moment,
        action: &Action,
        record_undo: bool,
    ) {
        let rollover = scheduler.settings().rollover_hour;
        let cards = match self.states.get_mut(&key.0) {
            Some(cards) => cards,
            None => self.states.entry(key.0.clone()).or_default(),
        };
        let (state, previous) = match cards.get_mut(&key.1) {
            Some(state) => {
                let previous = record_undo.then(|| state.clone());
                (state, previous)
            }
            None => (cards.entry(key.1.clone()).or_default(), None),
        };
        if self.journal.complete
            && let Action::Review { rating, kind, answer_ms } = *action
        {
            let last_interval = last_interval(Some(&*state));
            let key = self.journal.keys.intern(&key.0.0, &key.1.0);
            self.journal.grades.push(Grade { key, at, rating, kind, answer_ms, last_interval });
        }
        let mut counted = step(scheduler, card_seed(&key.0.0, &key.1.0), state, id, at, action, &mut self.warnings);
        if self.carried.get(key).is_some_and(|&until| at.unix_ms <= until) {
            counted = Counted::Carried;
        }
        count_day(&mut self.days, at, action, counted, rollover, 1);
        if !record_undo {
            return;
        }
        self.undoable.push(Undoable { id, key: key.clone(), action: action.clone(), at, previous, counted });
        if self.undoable.len() > UNDO_DEPTH * 2 {
            self.undoable.drain(..UNDO_DEPTH);
        }
    }

    fn undo(&mut self, scheduler: &Scheduler, target: EventId) -> Result<(), NeedsFullReplay> {
        let Some(pos) = self.undoable.iter().position(|u| u.id == target) else { return Err(NeedsFullReplay) };
        let Some(undone) = self.undoable.get(pos) else { return Err(NeedsFullReplay) };
        // Restoring the previous state is exact only if nothing later
        // touched the same card.
        if self.undoable.iter().skip(pos + 1).any(|u| u.key == undone.key) {
            return Err(NeedsFullReplay);
        }
        let undone = self.undoable.remove(pos);
        if matches!(undone.action, Action::Review { .. })
            && let Some(n) = self.journal.keys.find(&undone.key.0.0, &undone.key.1.0)
            && let Some(i) = self.journal.grades.iter().rposition(|g| g.key == n && g.at == undone.at)
        {
            self.journal.grades.remove(i);
        }
        let rollover = scheduler.settings().rollover_hour;
        count_day(&mut self.days, undone.at, &undone.action, undone.counted, rollover, -1);
        let (deck, card) = undone.key;
        match undone.previous {
            Some(previous) => {
                self.states.entry(deck).or_default().insert(card, previous);
            }
            None => {
                if let Some(cards) = self.states.get_mut(&deck) {
                    cards.remove(&card);
                    // As a full replay leaves it: no deck without cards.
                    if cards.is_empty() {
                        self.states.remove(&deck);
                    }
                }
            }
        }
        Ok(())
    }

    /// The state of a card (`None` if it has no events).
    pub fn state(&self, deck: &DeckId, card: &CardId) -> Option<&CardState> {
        self.states.get(deck).and_then(|cards| cards.get(card))
    }

    /// How many cards have a state.
    pub fn card_count(&self) -> usize {
        self.states.values().map(HashMap::len).sum()
    }

    /// What was done on `day`.
    pub fn day(&self, day: Day) -> DayStats {
        self.days.get(&day).copied().unwrap_or_default()
    }

    /// What counts against today's limits.
    pub fn done_today(&self, day: Day) -> DoneToday {
        let stats = self.day(day);
        DoneToday { new: stats.new, review: stats.review }
    }

    /// Consecutive study days with at least one answer, ending today (or
    /// yesterday, if today has none yet).
    pub fn streak(&self, today: Day) -> u32 {
        let studied = |d: Day| self.days.get(&d).is_some_and(|s| s.answers > 0);
        let mut day = if studied(today) { today } else { today.plus(-1) };
        let mut streak = 0;
        while studied(day) {
            streak += 1;
            day = day.plus(-1);
        }
        streak
    }
}

/// The scheduled interval a card had before a grade: its interval in days
/// if it was a review card, else 0.
fn last_interval(previous: Option<&CardState>) -> u32 {
    previous.filter(|s| s.phase == Phase::Review).map_or(0, |s| s.interval_days)
}

/// Applies one action to a card's state (`seed`: the card's
/// [`card_seed`]); returns how a grade counted.
fn step(
    scheduler: &Scheduler,
    seed: u64,
    state: &mut CardState,
    id: EventId,
    at: Moment,
    action: &Action,
    warnings: &mut Vec<String>,
) -> Counted {
    let rollover = scheduler.settings().rollover_hour;
    match action {
        Action::Review { rating, kind, .. } => {
            if *kind == ReviewKind::Cram {
                // Cram never changes the schedule.
                return Counted::Neither;
            }
            let counted = match state.phase {
                Phase::New => Counted::New,
                Phase::Review => Counted::Review,
                Phase::Learning | Phase::Relearning => Counted::Neither,
            };
            match scheduler.answer(seed, state, *rating, at) {
                Ok(next) => *state = next,
                Err(e) => warnings.push(format!("event {id}: {e}")),
            }
            return counted;
        }
        Action::Bury => state.buried_until = Some(at.day(rollover).plus(1)),
        Action::Suspend => state.suspended = true,
        Action::Unsuspend => state.suspended = false,
        Action::Reset => *state = CardState { suspended: state.suspended, ..CardState::default() },
        Action::SendToReview => {
            let day = at.day(rollover);
            state.sent_for = Some(day);
            state.buried_until = None;
            // A studied card falls due now; a new card joins today's new
            // cards past the limit (see the queue).
            match state.due {
                Due::Day(due) if due > day => state.due = Due::Day(day),
                Due::At(ms) if ms > at.unix_ms => state.due = Due::At(at.unix_ms),
                _ => {}
            }
        }
        Action::Undo { .. } => {}
    }
    Counted::Neither
}

/// Adds (`sign` 1) or removes (`sign` -1) a grade's part of its day's stats.
fn count_day(
    days: &mut BTreeMap<Day, DayStats>,
    at: Moment,
    action: &Action,
    counted: Counted,
    rollover: u8,
    sign: i64,
) {
    let Action::Review { rating, answer_ms, .. } = action else { return };
    if counted == Counted::Carried {
        return;
    }
    let day = days.entry(at.day(rollover)).or_default();
    let add = |n: &mut u32| *n = (i64::from(*n) + sign).max(0) as u32;
    add(&mut day.answers);
    day.answer_ms = (day.answer_ms as i64 + sign * i64::from(*answer_ms)).max(0) as u64;
    if let Some(n) = day.by_rating.get_mut(usize::from(u8::from(*rating)).saturating_sub(1)) {
        add(n);
    }
    match counted {
        Counted::New => add(&mut day.new),
        Counted::Review => add(&mut day.review),
        Counted::Neither | Counted::Carried => {}
    }
    // An undo that empties a day leaves no day, as a replay would.
    if sign < 0 && *day == DayStats::default() {
        days.remove(&at.day(rollover));
    }
}

//! The review log's events and their replay. The log is the truth (DESIGN.md,
//! invariant 3): every card's state, today's counts and what can be undone
//! are derived here, purely, from the events of every device.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::deck::{CardId, DeckId};
use crate::schedule::{CardState, DoneToday, Phase, Rating, Scheduler, card_seed};
use crate::time::{Day, Moment};

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
}

/// One line of a review log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(flatten)]
    pub action: Action,
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

/// An action that can be undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undoable {
    /// The event to take back.
    pub id: EventId,
    /// Its card.
    pub key: CardKey,
    /// What it was.
    pub action: Action,
}

/// How a grade counted against the daily limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Counted {
    Neither,
    New,
    Review,
}

/// One applied event of a card, kept so that an undo can rebuild the card.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    id: EventId,
    at: Moment,
    action: Action,
    counted: Counted,
}

/// Everything derived from the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Card states, for cards with any event.
    #[serde(with = "state_list")]
    pub states: HashMap<CardKey, CardState>,
    /// Per study day (by the rollover in force at replay).
    pub days: BTreeMap<Day, DayStats>,
    /// Recent actions, newest last, not yet undone.
    pub undoable: Vec<Undoable>,
    /// The last event applied, in replay order.
    pub last_applied: Option<(i64, EventId)>,
    /// Events that could not be applied, with why.
    pub warnings: Vec<String>,
    /// Each card's applied events. Not kept in snapshots: after loading one,
    /// only events since are here, and `history_complete` is false.
    #[serde(skip)]
    history: HashMap<CardKey, Vec<Entry>>,
    #[serde(skip)]
    history_complete: bool,
}

/// An undo whose target is older than this session's memory: the caller
/// must replay the whole log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the undone event is not in memory; replay the whole log")]
pub struct NeedsFullReplay;

mod state_list {
    use std::collections::HashMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::CardKey;
    use crate::schedule::CardState;

    pub fn serialize<S: Serializer>(map: &HashMap<CardKey, CardState>, s: S) -> Result<S::Ok, S::Error> {
        let mut list: Vec<(&CardKey, &CardState)> = map.iter().collect();
        list.sort_by(|a, b| a.0.cmp(b.0));
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<HashMap<CardKey, CardState>, D::Error> {
        let list: Vec<(CardKey, CardState)> = Vec::deserialize(d)?;
        Ok(list.into_iter().collect())
    }
}

impl Progress {
    /// Replays `events` (from any devices, in any order) from nothing.
    pub fn replay(scheduler: &Scheduler, mut events: Vec<Event>) -> Progress {
        sort_events(&mut events);
        let mut progress = Progress { history_complete: true, ..Progress::default() };
        for event in events {
            // With the whole history in memory every undo can be applied.
            let _ = progress.apply(scheduler, event);
        }
        progress
    }

    /// Applies events newer than [`Progress::last_applied`], in replay
    /// order, after a snapshot was loaded.
    ///
    /// # Errors
    /// [`NeedsFullReplay`] when an event is older than the snapshot or an
    /// undo takes back an event the snapshot covers; the caller then replays
    /// the whole log. `self` may be partly updated and must be dropped.
    pub fn apply_tail(&mut self, scheduler: &Scheduler, mut events: Vec<Event>) -> Result<(), NeedsFullReplay> {
        sort_events(&mut events);
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
    /// [`NeedsFullReplay`] for an undo of an event that is not in memory.
    pub fn apply(&mut self, scheduler: &Scheduler, event: Event) -> Result<(), NeedsFullReplay> {
        self.last_applied = Some(event.order_key());
        let key = (event.deck.clone(), event.card.clone());
        if let Action::Undo { target } = event.action {
            return self.undo(scheduler, target);
        }
        let mut entry =
            Entry { id: event.id, at: event.moment(), action: event.action.clone(), counted: Counted::Neither };
        let rollover = scheduler.settings().rollover_hour;
        let state = self.states.entry(key.clone()).or_default();
        entry.counted = step(scheduler, &key, state, &entry, &mut self.warnings);
        count_day(&mut self.days, &entry, rollover, 1);
        self.history.entry(key.clone()).or_default().push(entry);
        self.undoable.push(Undoable { id: event.id, key, action: event.action });
        if self.undoable.len() > UNDO_DEPTH {
            self.undoable.remove(0);
        }
        Ok(())
    }

    fn undo(&mut self, scheduler: &Scheduler, target: EventId) -> Result<(), NeedsFullReplay> {
        let key = match self.undoable.iter().position(|u| u.id == target) {
            Some(pos) => self.undoable.remove(pos).key,
            None => match self.history.iter().find(|(_, entries)| entries.iter().any(|e| e.id == target)) {
                Some((key, _)) => key.clone(),
                // Unknown target: an undo of an undo, or of nothing.
                None if self.history_complete => return Ok(()),
                None => return Err(NeedsFullReplay),
            },
        };
        if !self.history_complete {
            // Rebuilding the card needs all of its events.
            return Err(NeedsFullReplay);
        }
        let rollover = scheduler.settings().rollover_hour;
        let Some(entries) = self.history.get_mut(&key) else { return Ok(()) };
        // Take the card's old contribution out of its days, drop the undone
        // event, then rebuild the card and put its new contribution back: a
        // later grade may now count differently (new rather than learning).
        for entry in entries.iter() {
            count_day(&mut self.days, entry, rollover, -1);
        }
        entries.retain(|e| e.id != target);
        let mut state = CardState::default();
        for entry in entries.iter_mut() {
            entry.counted = step(scheduler, &key, &mut state, entry, &mut self.warnings);
            count_day(&mut self.days, entry, rollover, 1);
        }
        self.states.insert(key, state);
        Ok(())
    }

    /// The state of a card (`None` if it has no events).
    pub fn state(&self, deck: &DeckId, card: &CardId) -> Option<&CardState> {
        self.states.get(&(deck.clone(), card.clone()))
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

fn sort_events(events: &mut Vec<Event>) {
    events.sort_by_key(Event::order_key);
    events.dedup_by_key(|e| e.id);
}

/// Applies one entry to a card's state; returns how a grade counted.
fn step(
    scheduler: &Scheduler,
    key: &CardKey,
    state: &mut CardState,
    entry: &Entry,
    warnings: &mut Vec<String>,
) -> Counted {
    let rollover = scheduler.settings().rollover_hour;
    match &entry.action {
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
            match scheduler.answer(card_seed(&key.0.0, &key.1.0), state, *rating, entry.at) {
                Ok(next) => *state = next,
                Err(e) => warnings.push(format!("event {}: {e}", entry.id)),
            }
            return counted;
        }
        Action::Bury => state.buried_until = Some(entry.at.day(rollover).plus(1)),
        Action::Suspend => state.suspended = true,
        Action::Unsuspend => state.suspended = false,
        Action::Reset => *state = CardState { suspended: state.suspended, ..CardState::default() },
        Action::Undo { .. } => {}
    }
    Counted::Neither
}

/// Adds (`sign` 1) or removes (`sign` -1) an entry's part of its day's stats.
fn count_day(days: &mut BTreeMap<Day, DayStats>, entry: &Entry, rollover: u8, sign: i64) {
    let Action::Review { rating, answer_ms, .. } = &entry.action else { return };
    let day = days.entry(entry.at.day(rollover)).or_default();
    let add = |n: &mut u32| *n = (i64::from(*n) + sign).max(0) as u32;
    add(&mut day.answers);
    day.answer_ms = (day.answer_ms as i64 + sign * i64::from(*answer_ms)).max(0) as u64;
    if let Some(n) = day.by_rating.get_mut(usize::from(u8::from(*rating)).saturating_sub(1)) {
        add(n);
    }
    match entry.counted {
        Counted::New => add(&mut day.new),
        Counted::Review => add(&mut day.review),
        Counted::Neither => {}
    }
}

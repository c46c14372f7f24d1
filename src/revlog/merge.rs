//! Incremental merge: new events that do not all come after everything
//! applied (another computer studied the same days, its log arrived late)
//! change only the cards they name. A card's state depends only on its own
//! events and the settings, so those cards are replayed from their own
//! history and the rest of the progress is kept; the day counters lose
//! what the touched cards' old events counted and gain what their new
//! history counts. The result is the full replay's (DESIGN.md, invariant 3).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{
    Action, CardKey, Counted, DayStats, Event, EventId, Grade, NeedsFullReplay, Progress, UNDO_DEPTH, Undoable,
    count_day, last_interval, step,
};
use crate::schedule::{CardState, Scheduler, card_seed};
use crate::time::Moment;

/// The cards a set of new events touches, by deck then card: what
/// [`Progress::merge_events`] needs the history of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched(HashMap<String, HashSet<String, super::FastHash>, super::FastHash>);

impl Touched {
    /// The cards of `events` (an undo's card is the card of the event it
    /// takes back).
    pub fn of(events: &[Event]) -> Touched {
        let mut touched = Touched::default();
        for event in events {
            touched.0.entry(event.deck.0.to_string()).or_default().insert(event.card.0.to_string());
        }
        touched
    }

    /// Adds a card.
    pub fn insert(&mut self, deck: &str, card: &str) {
        self.0.entry(deck.to_owned()).or_default().insert(card.to_owned());
    }

    /// Whether `deck` and `card` are among them.
    pub fn contains(&self, deck: &str, card: &str) -> bool {
        self.0.get(deck).is_some_and(|cards| cards.contains(card))
    }

    /// How many cards.
    pub fn len(&self) -> usize {
        self.0.values().map(HashSet::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(HashSet::is_empty)
    }
}

/// One card's events replayed from nothing.
#[derive(Default)]
struct CardFold {
    state: Option<CardState>,
    /// Each grade's day contribution: when, what, how it counted.
    counted: Vec<(Moment, Action, Counted)>,
    grades: Vec<Grade>,
    undoable: Vec<Undoable>,
    warnings: Vec<String>,
}

/// Replays one card's `events` (in replay order), skipping undos and the
/// events `skip` says were undone, as the full replay does.
fn fold_card(
    scheduler: &Scheduler,
    key: &CardKey,
    carried_until: Option<i64>,
    events: &[&Event],
    skip: impl Fn(&EventId) -> bool,
) -> CardFold {
    let seed = card_seed(&key.0.0, &key.1.0);
    let mut fold = CardFold::default();
    for event in events {
        if matches!(event.action, Action::Undo { .. }) || skip(&event.id) {
            continue;
        }
        let at = event.moment();
        let previous = fold.state.clone();
        if let Action::Review { rating, kind, answer_ms } = event.action {
            let last_interval = last_interval(previous.as_ref());
            fold.grades.push(Grade { key: 0, at, rating, kind, answer_ms, last_interval });
        }
        let state = fold.state.get_or_insert_with(CardState::default);
        let mut counted = step(scheduler, seed, state, event.id, at, &event.action, &mut fold.warnings);
        if carried_until.is_some_and(|until| event.at_ms <= until) {
            counted = Counted::Carried;
        }
        fold.counted.push((at, event.action.clone(), counted));
        fold.undoable.push(Undoable {
            id: event.id,
            key: key.clone(),
            action: event.action.clone(),
            at,
            previous,
            counted,
        });
    }
    fold
}

/// Takes a grade's part out of its day's counters, as `count_day` with
/// sign -1 does; false (and `days` partly changed) if the day holds less
/// than that part.
fn uncount_day(
    days: &mut BTreeMap<crate::time::Day, DayStats>,
    at: Moment,
    action: &Action,
    counted: Counted,
    rollover: u8,
) -> bool {
    let Action::Review { rating, answer_ms, .. } = action else { return true };
    if counted == Counted::Carried {
        return true;
    }
    let day = at.day(rollover);
    let Some(stats) = days.get_mut(&day) else { return false };
    let take = |n: &mut u32| n.checked_sub(1).map(|m| *n = m).is_some();
    let mut ok = take(&mut stats.answers);
    ok &= stats.by_rating.get_mut(usize::from(u8::from(*rating)).saturating_sub(1)).is_some_and(take);
    ok &= match counted {
        Counted::New => take(&mut stats.new),
        Counted::Review => take(&mut stats.review),
        Counted::Neither | Counted::Carried => true,
    };
    match stats.answer_ms.checked_sub(u64::from(*answer_ms)) {
        Some(ms) => stats.answer_ms = ms,
        None => ok = false,
    }
    // A day left with nothing leaves no day, as a replay would.
    if *stats == DayStats::default() {
        days.remove(&day);
    }
    ok
}

impl Progress {
    /// Whether `tail` (sorted) can be applied event by event with
    /// [`Progress::apply_tail`]: every event after everything applied, no
    /// undo among them, none already taken back.
    pub fn applies_in_place(&self, tail: &[Event]) -> bool {
        let after = match (tail.iter().map(Event::order_key).min(), self.last_applied) {
            (Some(first), Some(last)) => first > last,
            _ => true,
        };
        after && !tail.iter().any(|e| matches!(e.action, Action::Undo { .. }) || self.undone_unseen.contains(&e.id))
    }

    /// Merges new events `tail`, in any order and dated anywhere among the
    /// events applied, by replaying only the cards they touch
    /// ([`Touched::of`]). `history` holds the events already applied to
    /// this progress that those cards have, and every undo event applied
    /// (of any card); other events in it are ignored, and an event of
    /// `tail` already in it counts once.
    ///
    /// The cards' states and the day counters come out as a full replay of
    /// every event gives them. The undo stack keeps its entries for other
    /// cards and gets the touched cards' actions as recent as its oldest
    /// entry, so it stays valid for undo.
    ///
    /// # Errors
    /// [`NeedsFullReplay`], with `self` unchanged, when the merge cannot be
    /// done card by card: an undo in `tail` whose event is not among the
    /// touched cards' events, a card whose history does not replay to its
    /// state here (the history was not the one applied), or a grade the
    /// scheduler refused.
    pub fn merge_events(
        &mut self,
        scheduler: &Scheduler,
        history: Vec<Event>,
        mut tail: Vec<Event>,
    ) -> Result<(), NeedsFullReplay> {
        let touched = Touched::of(&tail);
        let mut history: Vec<Event> = history
            .into_iter()
            .filter(|e| matches!(e.action, Action::Undo { .. }) || touched.contains(&e.deck.0, &e.card.0))
            .collect();
        history.sort_unstable_by_key(Event::order_key);
        history.dedup_by_key(|e| e.id);
        let applied: HashSet<EventId> = history.iter().map(|e| e.id).collect();
        tail.retain(|e| !applied.contains(&e.id));
        tail.sort_unstable_by_key(Event::order_key);
        tail.dedup_by_key(|e| e.id);
        let Some(last_new) = tail.last().map(Event::order_key) else { return Ok(()) };
        let targets = |events: &[Event]| -> HashSet<EventId> {
            events
                .iter()
                .filter_map(|e| match e.action {
                    Action::Undo { target } => Some(target),
                    _ => None,
                })
                .collect()
        };
        let undone_before = targets(&history);
        let undone_new = targets(&tail);
        let mut undone_now = undone_before.clone();
        undone_now.extend(undone_new.iter().copied());
        // Each card's events: those applied, and all (the new ones, then
        // with the applied ones, in replay order).
        let mut by_card: HashMap<CardKey, (Vec<&Event>, Vec<&Event>)> = HashMap::new();
        for event in &history {
            if touched.contains(&event.deck.0, &event.card.0) {
                by_card.entry((event.deck.clone(), event.card.clone())).or_default().0.push(event);
            }
        }
        for event in &tail {
            by_card.entry((event.deck.clone(), event.card.clone())).or_default().1.push(event);
        }
        let mut found: HashSet<EventId> = HashSet::new();
        for (old, all) in by_card.values_mut() {
            all.extend(old.iter().copied());
            all.sort_unstable_by_key(|e| e.order_key());
            found.extend(all.iter().map(|e| e.id));
        }
        // An undo filed under another card than its event's (no build
        // writes one), or whose event has not arrived yet: the full replay
        // sorts it out.
        if undone_new.iter().any(|target| !found.contains(target)) {
            return Err(NeedsFullReplay);
        }
        let mut folds = Vec::with_capacity(by_card.len());
        for (key, (old, all)) in &by_card {
            let carried_until = self.carried.get(key).copied();
            let before = fold_card(scheduler, key, carried_until, old, |id| undone_before.contains(id));
            if before.state.as_ref() != self.state(&key.0, &key.1) || !before.warnings.is_empty() {
                return Err(NeedsFullReplay);
            }
            let after = fold_card(scheduler, key, carried_until, all, |id| undone_now.contains(id));
            if !after.warnings.is_empty() {
                return Err(NeedsFullReplay);
            }
            folds.push((key, before, after));
        }

        // The day counters lose what the touched cards' old events counted:
        // never more than they hold, or those events were not the ones
        // counted (and the order of the cards would change the result).
        let rollover = scheduler.settings().rollover_hour;
        let mut days = self.days.clone();
        for (_, before, _) in &folds {
            for (at, action, counted) in &before.counted {
                if !uncount_day(&mut days, *at, action, *counted, rollover) {
                    return Err(NeedsFullReplay);
                }
            }
        }

        // Nothing fails from here on.
        self.days = days;
        let since = self.undoable.first().map(Undoable::order_key).or(self.last_applied);
        let mut undoable: Vec<Undoable> =
            self.undoable.drain(..).filter(|u| !touched.contains(&u.key.0.0, &u.key.1.0)).collect();
        if self.journal.complete {
            let numbers: HashSet<u32> =
                by_card.keys().filter_map(|(deck, card)| self.journal.keys.find(&deck.0, &card.0)).collect();
            self.journal.grades.retain(|g| !numbers.contains(&g.key));
        }
        for (key, before, after) in folds {
            drop(before);
            for (at, action, counted) in &after.counted {
                count_day(&mut self.days, *at, action, *counted, rollover, 1);
            }
            if self.journal.complete {
                let number = self.journal.keys.intern(&key.0.0, &key.1.0);
                self.journal.grades.extend(after.grades.into_iter().map(|g| Grade { key: number, ..g }));
            }
            undoable.extend(after.undoable.into_iter().filter(|u| since.is_none_or(|s| u.order_key() >= s)));
            match after.state {
                Some(state) => {
                    self.states.entry(key.0.clone()).or_default().insert(key.1.clone(), state);
                }
                None => {
                    if let Some(cards) = self.states.get_mut(&key.0) {
                        cards.remove(&key.1);
                        // As a full replay leaves it: no deck without cards.
                        if cards.is_empty() {
                            self.states.remove(&key.0);
                        }
                    }
                }
            }
        }
        undoable.sort_by_key(Undoable::order_key);
        if undoable.len() > UNDO_DEPTH * 2 {
            undoable.drain(..undoable.len() - UNDO_DEPTH);
        }
        self.undoable = undoable;
        self.last_applied = self.last_applied.max(Some(last_new));
        for event in &tail {
            self.undone_unseen.remove(&event.id);
        }
        Ok(())
    }
}

//! Cards moved on one computer while another still studies them at their
//! old place. A move writes a copy of the card's history under its new
//! place ([`copy_id`] gives each copy its id) and deletes the card at the
//! old one. A grade the other computer gives the card at its old place
//! before it receives the move would then stay with the deleted card. The
//! replay therefore treats every event of a moved card at its old place
//! (dated before the card is restored there, if ever) as an event at its
//! new place too, under the id the move's own copy has: a copy the move
//! wrote and the one made here count once, and every computer, whatever
//! it received first, replays the same events (DESIGN.md, invariant 3).

use std::collections::HashMap;

use super::{Action, CardKey, CompactEvent, Event, EventId, KeyTable, Touched};

/// One move of a card: events of `from` dated up to `until_ms` are also
/// events of `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carry {
    /// The card's old place.
    pub from: CardKey,
    /// Its new place.
    pub to: CardKey,
    /// The card was restored at its old place then (later events are its
    /// own); `i64::MAX` if never.
    pub until_ms: i64,
}

/// Every move in force (not taken back), from the content events, and the
/// new places whose copies (dated as their originals) count in the days
/// elsewhere, each with a time: a move taken back's new place, up to the
/// move (its copies stay in the log but no longer count); and the new place
/// of a card's second move from one place, up to the first move's reach
/// or its own time, whichever is earlier (the first move's place counts
/// them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carries(Vec<Carry>, Vec<(CardKey, i64)>);

/// The id of the copy, at `to`, of the event `id`: the same for the copy
/// a move writes and for the one the replay makes.
pub fn copy_id(id: EventId, to: &CardKey) -> EventId {
    EventId::derived(&["move", &id.to_string(), &to.0.0, &to.1.0])
}

fn copy_action(action: &Action, to: &CardKey) -> Action {
    match action {
        Action::Undo { target } => Action::Undo { target: copy_id(*target, to) },
        other => other.clone(),
    }
}

/// Appends to `events` the copies `copy` makes of them, then the copies of
/// those copies (a card moved again), at most `moves` times over: a chain
/// of moves is at most as long as the list of moves.
fn add_copies<E>(events: &mut Vec<E>, moves: usize, copy: impl Fn(&E, &mut Vec<E>)) {
    let mut generation = Vec::new();
    for event in events.iter() {
        copy(event, &mut generation);
    }
    for _ in 0..moves {
        if generation.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for event in &generation {
            copy(event, &mut next);
        }
        events.append(&mut generation);
        generation = next;
    }
}

impl Carries {
    /// The moves in force and the new places of moves taken back (with
    /// each move's time), in any order.
    pub fn new(mut carries: Vec<Carry>, mut taken_back: Vec<(CardKey, i64)>) -> Carries {
        carries.sort_by(|a, b| (&a.from, &a.to, a.until_ms).cmp(&(&b.from, &b.to, b.until_ms)));
        carries.dedup();
        taken_back.sort();
        taken_back.dedup();
        Carries(carries, taken_back)
    }

    /// The cards whose events up to a time count in the days elsewhere
    /// ([`super::Progress::carried`]): each moved card's old place, until
    /// its events stop being carried, the new place of a move taken back,
    /// up to the move (its copies), and the new place of a second move from
    /// one place, up to where the first move's place counts them.
    pub fn until_map(&self) -> HashMap<CardKey, i64> {
        let mut map: HashMap<CardKey, i64> = HashMap::new();
        let places = self.0.iter().map(|c| (&c.from, c.until_ms)).chain(self.1.iter().map(|(k, at)| (k, *at)));
        for (key, until_ms) in places {
            let until = map.entry(key.clone()).or_insert(i64::MIN);
            *until = (*until).max(until_ms);
        }
        map
    }

    /// Whether no card is moved (by a move in force).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `events` with, for each event of a moved card at its old place, its
    /// copy at the new place (and the copies' copies, for a card moved
    /// again). Duplicates by id are left for the replay to drop.
    pub fn carry(&self, events: &mut Vec<Event>) {
        if self.0.is_empty() {
            return;
        }
        // The moves by old place: one lookup an event, however many moves.
        let mut by_place: HashMap<(&str, &str), Vec<&Carry>> = HashMap::new();
        for carry in &self.0 {
            by_place.entry((carry.from.0.0.as_str(), carry.from.1.0.as_str())).or_default().push(carry);
        }
        let copy = |event: &Event, out: &mut Vec<Event>| {
            for carry in by_place.get(&(event.deck.0.as_str(), event.card.0.as_str())).into_iter().flatten() {
                if event.at_ms <= carry.until_ms {
                    out.push(Event {
                        id: copy_id(event.id, &carry.to),
                        deck: carry.to.0.clone(),
                        card: carry.to.1.clone(),
                        action: copy_action(&event.action, &carry.to),
                        ..event.clone()
                    });
                }
            }
        };
        add_copies(events, self.0.len(), copy);
    }

    /// [`Carries::carry`] for interned events.
    pub fn carry_compact(&self, keys: &mut KeyTable, events: &mut Vec<CompactEvent>) {
        if self.0.is_empty() {
            return;
        }
        // (old key, new key, until) for the moved cards that have events.
        let mut moves: HashMap<u32, Vec<(u32, &CardKey, i64)>> = HashMap::new();
        for carry in &self.0 {
            let Some(from) = keys.find(&carry.from.0.0, &carry.from.1.0) else { continue };
            let to = keys.intern(&carry.to.0.0, &carry.to.1.0);
            moves.entry(from).or_default().push((to, &carry.to, carry.until_ms));
        }
        if moves.is_empty() {
            return;
        }
        let copy = |event: &CompactEvent, out: &mut Vec<CompactEvent>| {
            for &(to, to_key, until_ms) in moves.get(&event.key).into_iter().flatten() {
                if event.at_ms <= until_ms {
                    out.push(CompactEvent {
                        id: copy_id(event.id, to_key),
                        key: to,
                        action: copy_action(&event.action, to_key),
                        ..event.clone()
                    });
                }
            }
        };
        add_copies(events, self.0.len(), copy);
    }

    /// Adds to `touched` every old place whose events are carried to one
    /// of its cards (through any chain of moves): the history a merge of
    /// those cards needs.
    pub fn add_sources(&self, touched: &mut Touched) {
        loop {
            let before = touched.len();
            for carry in &self.0 {
                if touched.contains(&carry.to.0.0, &carry.to.1.0) {
                    touched.insert(&carry.from.0.0, &carry.from.1.0);
                }
            }
            if touched.len() == before {
                break;
            }
        }
    }
}

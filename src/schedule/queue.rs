//! Today's queue: learning cards when due, reviews with the lowest
//! retrievability first (so a backlog is worked best-first), and new cards
//! spread among them up to the daily limits.

use super::fuzz::unit_from_seed;
use super::{CardState, Due, NewCardOrder, Phase, Scheduler};
use crate::time::Moment;

/// Learning cards due within this many minutes are shown when nothing else
/// is left, as in Anki.
const LEARN_AHEAD_MINS: f32 = 20.0;

/// Which part of the queue a card is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    /// A new card.
    New,
    /// A learning or relearning step.
    Learning,
    /// A review.
    Review,
}

/// A card in the queue, by its position among the caller's cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCard {
    /// The index the caller gave the card.
    pub index: usize,
    /// Its part of the queue.
    pub kind: QueueKind,
}

/// How many cards of each kind are left today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// New cards left within today's limit.
    pub new: usize,
    /// Learning steps due today.
    pub learning: usize,
    /// Reviews due, within today's limit.
    pub review: usize,
}

impl Counts {
    /// All three together.
    pub fn total(&self) -> usize {
        self.new + self.learning + self.review
    }
}

/// What was already studied today, which the daily limits count against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DoneToday {
    /// New cards introduced today.
    pub new: u32,
    /// Reviews answered today.
    pub review: u32,
}

/// Today's cards in the order to show them.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    /// Learning cards by due time (Unix ms).
    learning: Vec<(i64, usize)>,
    /// Reviews and new cards, interleaved.
    main: Vec<QueueCard>,
    /// Counts for today.
    pub counts: Counts,
    /// When the next card not in today's queue falls due, if any.
    pub next_due: Option<Moment>,
}

impl Queue {
    /// The card to show at `now`, or `None` when nothing is due (learning
    /// cards may still come due later today: see [`Queue::learning_due_at`]).
    pub fn next(&self, now: Moment) -> Option<QueueCard> {
        let learning = |limit: i64| {
            self.learning
                .first()
                .filter(|(due, _)| *due <= limit)
                .map(|&(_, index)| QueueCard { index, kind: QueueKind::Learning })
        };
        learning(now.unix_ms)
            .or_else(|| self.main.first().copied())
            .or_else(|| learning(now.plus_minutes(LEARN_AHEAD_MINS).unix_ms))
    }

    /// When anything next falls due: a learning step waiting today or a
    /// card due on a later day, whichever comes first.
    pub fn next_due_any(&self) -> Option<Moment> {
        let offset = self.next_due.map_or(0, |m| m.offset_s);
        match (self.next_due, self.learning_due_at()) {
            (Some(m), Some(ms)) => Some(Moment::new(m.unix_ms.min(ms), offset)),
            (Some(m), None) => Some(m),
            (None, Some(ms)) => Some(Moment::new(ms, offset)),
            (None, None) => None,
        }
    }

    /// When the first learning card still waiting falls due.
    pub fn learning_due_at(&self) -> Option<i64> {
        self.learning.first().map(|&(due, _)| due)
    }

    /// Every card in the queue, learning first, in order.
    pub fn cards(&self) -> impl Iterator<Item = QueueCard> + '_ {
        self.learning
            .iter()
            .map(|&(_, index)| QueueCard { index, kind: QueueKind::Learning })
            .chain(self.main.iter().copied())
    }
}

/// Builds today's queue from `cards`, each with its seed and state (`None`
/// for a card never studied), in deck order.
pub fn build_queue<'a>(
    scheduler: &Scheduler,
    now: Moment,
    cards: impl IntoIterator<Item = (u64, Option<&'a CardState>)>,
    done: DoneToday,
) -> Queue {
    build_queue_with_siblings(scheduler, now, cards, done, &[])
}

/// [`build_queue`] with sibling links: `siblings[i]` lists the indices of
/// card `i`'s siblings (cards that give each other away). As Anki buries
/// siblings: a new or review card whose sibling was answered today waits
/// until tomorrow, and no two siblings are introduced as new on one day
/// (each by its setting; learning cards are never held back).
pub fn build_queue_with_siblings<'a>(
    scheduler: &Scheduler,
    now: Moment,
    cards: impl IntoIterator<Item = (u64, Option<&'a CardState>)>,
    done: DoneToday,
    siblings: &[Vec<usize>],
) -> Queue {
    let settings = scheduler.settings();
    let today = scheduler.day(now);
    let cards: Vec<(u64, Option<&'a CardState>)> = cards.into_iter().collect();
    let answered_today = |i: usize| {
        cards
            .get(i)
            .and_then(|(_, s)| s.as_ref())
            .and_then(|s| s.last_review)
            .is_some_and(|m| scheduler.day(m) == today)
    };
    let sibling_answered =
        |i: usize| siblings.get(i).is_some_and(|list| list.iter().any(|&j| j != i && answered_today(j)));
    let end_of_today = now.start_of(today.plus(1), settings.rollover_hour).unix_ms;
    let mut learning = Vec::new();
    let mut reviews: Vec<(f32, usize)> = Vec::new();
    let mut new: Vec<(u64, usize)> = Vec::new();
    // Cards sent to today's review: in the queue past the daily limits.
    let mut sent_new: Vec<(u64, usize)> = Vec::new();
    let mut sent_reviews: Vec<(f32, usize)> = Vec::new();
    let mut next_due: Option<i64> = None;
    let mut note_due = |ms: i64| next_due = Some(next_due.map_or(ms, |d: i64| d.min(ms)));
    let mut next_review_day: Option<crate::time::Day> = None;
    for (index, &(seed, state)) in cards.iter().enumerate() {
        let Some(state) = state else {
            if !(settings.bury_new_siblings && sibling_answered(index)) {
                new.push((seed, index));
            }
            continue;
        };
        if state.suspended || state.buried_until.is_some_and(|until| until > today) {
            continue;
        }
        let sent_today = state.sent_for == Some(today);
        let held = match state.phase {
            Phase::New => settings.bury_new_siblings,
            Phase::Review => settings.bury_review_siblings,
            Phase::Learning | Phase::Relearning => false,
        };
        if held && !sent_today && sibling_answered(index) {
            // Buried as a sibling until tomorrow.
            continue;
        }
        match (state.phase, state.due) {
            (Phase::New, _) | (_, Due::New) if sent_today => sent_new.push((seed, index)),
            (Phase::New, _) | (_, Due::New) => new.push((seed, index)),
            (Phase::Review, Due::Day(day)) if sent_today && day <= today => {
                sent_reviews.push((scheduler.retrievability(state, now).unwrap_or(0.0), index));
            }
            (_, Due::At(ms)) if ms < end_of_today => learning.push((ms, index)),
            (_, Due::At(ms)) => note_due(ms),
            (_, Due::Day(day)) if day <= today => {
                let r = scheduler.retrievability(state, now).unwrap_or(0.0);
                reviews.push((r, index));
            }
            (_, Due::Day(day)) => next_review_day = Some(next_review_day.map_or(day, |d| d.min(day))),
        }
    }
    if let Some(day) = next_review_day {
        note_due(now.start_of(day, settings.rollover_hour).unix_ms);
    }
    learning.sort_unstable();
    // Only the weakest `limit` reviews are shown: select them, then sort
    // just those, rather than sorting a large backlog.
    let by_recall = |a: &(f32, usize), b: &(f32, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    let limit = settings.reviews_per_day.saturating_sub(done.review) as usize;
    if reviews.len() > limit && limit > 0 {
        reviews.select_nth_unstable_by(limit - 1, by_recall);
    }
    reviews.truncate(limit);
    reviews.sort_by(by_recall);
    if settings.new_card_order == NewCardOrder::Random {
        let day_seed = (today.0 as u64).wrapping_mul(0x2545_f491_4f6c_dd1d);
        new.sort_by(|a, b| {
            unit_from_seed(a.0 ^ day_seed).total_cmp(&unit_from_seed(b.0 ^ day_seed)).then(a.1.cmp(&b.1))
        });
    }
    let new_limit = settings.new_per_day.saturating_sub(done.new) as usize;
    if settings.bury_new_siblings && !siblings.is_empty() {
        // Introduce at most one card of each group of siblings a day.
        let mut picked: Vec<usize> = Vec::new();
        new.retain(|&(_, i)| {
            if picked.len() >= new_limit {
                return false;
            }
            let clash = siblings.get(i).is_some_and(|list| list.iter().any(|j| picked.contains(j)));
            if !clash {
                picked.push(i);
            }
            !clash
        });
    }
    new.truncate(new_limit);
    new.extend(sent_new);
    reviews.extend(sent_reviews);

    let counts = Counts { new: new.len(), learning: learning.len(), review: reviews.len() };
    let main = interleave(&reviews, &new);
    Queue { learning, main, counts, next_due: next_due.map(|ms| Moment::new(ms, now.offset_s)) }
}

/// Spreads new cards evenly among reviews, as Anki's "mix with reviews".
fn interleave(reviews: &[(f32, usize)], new: &[(u64, usize)]) -> Vec<QueueCard> {
    let total = reviews.len() + new.len();
    let mut out = Vec::with_capacity(total);
    let (mut r, mut n) = (reviews.iter(), new.iter());
    for i in 0..total {
        // Place the k-th new card at position about k * total / new.len().
        let new_due = !new.is_empty() && (i + 1) * new.len() / total > (i * new.len()) / total;
        let next = if new_due {
            n.next().map(|&(_, index)| QueueCard { index, kind: QueueKind::New })
        } else {
            r.next().map(|&(_, index)| QueueCard { index, kind: QueueKind::Review })
        };
        if let Some(card) = next.or_else(|| {
            r.next()
                .map(|&(_, index)| QueueCard { index, kind: QueueKind::Review })
                .or_else(|| n.next().map(|&(_, index)| QueueCard { index, kind: QueueKind::New }))
        }) {
            out.push(card);
        }
    }
    out
}

/// Cards to study ahead when nothing is due: those due soonest (reviews and
/// learning steps after today), at most `limit`.
pub fn study_ahead<'a>(
    scheduler: &Scheduler,
    now: Moment,
    cards: impl IntoIterator<Item = (u64, Option<&'a CardState>)>,
    limit: usize,
) -> Vec<QueueCard> {
    let rollover = scheduler.settings().rollover_hour;
    let today = scheduler.day(now);
    let mut ahead: Vec<(i64, usize)> = cards
        .into_iter()
        .enumerate()
        .filter_map(|(index, (_, state))| {
            let state = state?;
            if state.suspended || state.buried_until.is_some_and(|until| until > today) {
                return None;
            }
            let due_ms = match state.due {
                Due::New => return None,
                Due::At(ms) => ms,
                Due::Day(day) if day > today => now.start_of(day, rollover).unix_ms,
                Due::Day(_) => return None,
            };
            (due_ms > now.unix_ms).then_some((due_ms, index))
        })
        .collect();
    ahead.sort_unstable();
    ahead.into_iter().take(limit).map(|(_, index)| QueueCard { index, kind: QueueKind::Review }).collect()
}

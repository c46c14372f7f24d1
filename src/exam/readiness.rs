//! Readiness for an exam date: each card's predicted recall on that day
//! (FSRS retrievability; a card never studied counts as not known), the
//! expected score, the weakest cards and tags, and a forecast of how the
//! expected score grows with daily study until then.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};

use crate::schedule::{CardState, DoneToday, Phase, Rating, Scheduler, build_queue};
use crate::time::{Day, Moment};

/// A card in the exam's scope: its fuzz seed, its state, its tags.
#[derive(Debug, Clone, Copy)]
pub struct ScopeCard<'a> {
    /// The card's [`crate::schedule::card_seed`].
    pub seed: u64,
    /// Its state, or `None` if never studied.
    pub state: Option<&'a CardState>,
    /// Its tags.
    pub tags: &'a [String],
}

/// How ready the student is.
#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    /// Predicted recall on the exam day, per card in scope order.
    pub recall: Vec<f32>,
    /// The mean: the expected share of questions answered right.
    pub expected: f32,
    /// Card indices, lowest predicted recall first.
    pub weakest: Vec<usize>,
    /// Tags by mean predicted recall, lowest first: (tag, recall, cards).
    pub weakest_tags: Vec<(String, f32, usize)>,
}

/// What it takes to have seen every card in scope before the exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Cards in scope never studied.
    pub unseen: usize,
    /// Study days from today until `lead` days before the exam (0 when that
    /// day has passed).
    pub days: i64,
    /// New cards a day needed to see every unseen card by then (all of
    /// them today when no day is left).
    pub needed_per_day: usize,
    /// The days before the exam by which every card should be seen.
    pub lead: u32,
}

/// How many new cards a day it takes to have seen every card in scope at
/// least `lead` days before `exam_day`.
pub fn plan(cards: &[ScopeCard<'_>], today: Day, exam_day: Day, lead: u32) -> Plan {
    let unseen = cards.iter().filter(|c| c.state.is_none_or(|s| s.phase == Phase::New)).count();
    let last = exam_day.0 - i32::try_from(lead).unwrap_or(i32::MAX);
    let days = if last < today.0 { 0 } else { i64::from(last - today.0) + 1 };
    let needed_per_day = if unseen == 0 {
        0
    } else if days <= 0 {
        unseen
    } else {
        unseen.div_ceil(usize::try_from(days).unwrap_or(usize::MAX))
    };
    Plan { unseen, days, needed_per_day, lead }
}

/// Predicted recall of each card at `exam` (noon of the exam day is a good
/// choice).
pub fn readiness(scheduler: &Scheduler, cards: &[ScopeCard<'_>], exam: Moment) -> Readiness {
    let recall: Vec<f32> =
        cards.iter().map(|c| c.state.and_then(|s| scheduler.retrievability(s, exam)).unwrap_or(0.0)).collect();
    let expected = if recall.is_empty() { 0.0 } else { recall.iter().sum::<f32>() / recall.len() as f32 };
    let mut weakest: Vec<usize> = (0..cards.len()).collect();
    weakest.sort_by(|&a, &b| {
        let r = |i: usize| recall.get(i).copied().unwrap_or(0.0);
        r(a).total_cmp(&r(b)).then(a.cmp(&b))
    });
    let mut by_tag: BTreeMap<&str, (f32, usize)> = BTreeMap::new();
    for (card, r) in cards.iter().zip(&recall) {
        for tag in card.tags {
            let entry = by_tag.entry(tag.as_str()).or_default();
            entry.0 += r;
            entry.1 += 1;
        }
    }
    let mut weakest_tags: Vec<(String, f32, usize)> =
        by_tag.into_iter().map(|(tag, (sum, n))| (tag.to_owned(), sum / n as f32, n)).collect();
    weakest_tags.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    Readiness { recall, expected, weakest, weakest_tags }
}

/// The expected score on the exam day if the student studies every day
/// until then (today's due reviews and new cards within the limits), one
/// point per day starting today. Each simulated review is recalled with
/// its predicted probability (a seeded draw), so the forecast is honest
/// rather than assuming every answer right.
pub fn forecast(
    scheduler: &Scheduler,
    cards: &[ScopeCard<'_>],
    now: Moment,
    exam: Moment,
    seed: u64,
) -> Vec<(Day, f32)> {
    forecast_recall(scheduler, cards, now, exam, seed).0
}

/// [`forecast`], and each card's predicted recall on the exam day at the
/// end of it (when the plan is kept to the last day).
pub fn forecast_recall(
    scheduler: &Scheduler,
    cards: &[ScopeCard<'_>],
    now: Moment,
    exam: Moment,
    seed: u64,
) -> (Vec<(Day, f32)>, Vec<f32>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut states: Vec<Option<CardState>> = cards.iter().map(|c| c.state.cloned()).collect();
    let rollover = scheduler.settings().rollover_hour;
    let today = scheduler.day(now);
    let exam_day = scheduler.day(exam);
    let mut out = Vec::new();
    let score = |states: &[Option<CardState>]| {
        let sum: f32 =
            states.iter().map(|s| s.as_ref().and_then(|s| scheduler.retrievability(s, exam)).unwrap_or(0.0)).sum();
        if states.is_empty() { 0.0 } else { sum / states.len() as f32 }
    };
    let mut day = today;
    while day <= exam_day && out.len() < 366 {
        // Study in the middle of the day (for today: now).
        let at = if day == today {
            now
        } else {
            Moment::new(now.start_of(day, rollover).unix_ms + 6 * 3_600_000, now.offset_s)
        };
        let items: Vec<(u64, Option<&CardState>)> =
            cards.iter().zip(&states).map(|(c, s)| (c.seed, s.as_ref())).collect();
        let queue = build_queue(scheduler, at, items, DoneToday::default());
        let todo: Vec<usize> = queue.cards().map(|q| q.index).collect();
        for index in todo {
            let (Some(card), Some(slot)) = (cards.get(index), states.get_mut(index)) else { continue };
            let mut state = slot.clone().unwrap_or_default();
            let mut t = at;
            // Answer until the card leaves its learning steps (at most a few
            // steps the same day).
            for _ in 0..4 {
                let recall = scheduler.retrievability(&state, t).unwrap_or(0.0);
                let rating = if state.phase == Phase::New || rng.random::<f32>() < recall.max(0.6) {
                    Rating::Good
                } else {
                    Rating::Again
                };
                let Ok(next) = scheduler.answer(card.seed, &state, rating, t) else { break };
                state = next;
                if matches!(state.phase, Phase::Review) {
                    break;
                }
                t = t.plus_minutes(10.0);
            }
            *slot = Some(state);
        }
        out.push((day, score(&states)));
        day = day.plus(1);
    }
    let recall =
        states.iter().map(|s| s.as_ref().and_then(|s| scheduler.retrievability(s, exam)).unwrap_or(0.0)).collect();
    (out, recall)
}

//! Scheduling: card states and what each grade does to them. FSRS-6 from
//! the `fsrs` crate gives memory states and intervals (DESIGN.md, invariant
//! 6); this module adds Anki's learning steps, fuzz, leeches and limits.
//! Everything here is pure: time and seeds are arguments.

mod fuzz;
mod queue;
mod settings;

use serde::{Deserialize, Serialize};

pub use fuzz::card_seed;
pub use queue::{Counts, DoneToday, Queue, QueueCard, QueueKind, build_queue, build_queue_with_siblings, study_ahead};
pub use settings::{LeechAction, NewCardOrder, SettingError, Settings, format_steps, parse_steps};

use crate::time::{Day, Moment};

/// A grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Rating {
    /// Forgot.
    Again = 1,
    /// Recalled with serious difficulty.
    Hard = 2,
    /// Recalled.
    Good = 3,
    /// Recalled effortlessly.
    Easy = 4,
}

impl Rating {
    /// All four, Again first.
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// The button's name.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Again => "Again",
            Rating::Hard => "Hard",
            Rating::Good => "Good",
            Rating::Easy => "Easy",
        }
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r as u8
    }
}

impl TryFrom<u8> for Rating {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        match n {
            1 => Ok(Rating::Again),
            2 => Ok(Rating::Hard),
            3 => Ok(Rating::Good),
            4 => Ok(Rating::Easy),
            _ => Err(format!("rating {n} is not 1 to 4")),
        }
    }
}

/// Where a card is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Never studied.
    #[default]
    New,
    /// In its first learning steps.
    Learning,
    /// Graduated; reviewed at growing intervals.
    Review,
    /// Forgotten, going through relearning steps.
    Relearning,
}

/// When a card is next due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// A new card: due when the new-card limit lets it in.
    #[default]
    New,
    /// A learning step: due at this Unix millisecond.
    At(i64),
    /// A review: due from the start of this study day.
    Day(Day),
}

/// FSRS memory: stability in days and difficulty 1–10.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// Days until recall probability falls to 90%.
    pub stability: f32,
    /// How hard the card is, 1 (easy) to 10 (hard).
    pub difficulty: f32,
}

/// Everything the scheduler knows about one card, derived from its log.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CardState {
    /// New, learning, review or relearning.
    pub phase: Phase,
    /// Index of the current (re)learning step.
    pub step: u8,
    /// When it is next due.
    pub due: Due,
    /// FSRS memory, once the card has been graded.
    pub memory: Option<Memory>,
    /// The last scheduled interval, in days (0 while learning).
    pub interval_days: u32,
    /// When it was last graded (cram excluded).
    pub last_review: Option<Moment>,
    /// How many times it was graded (cram excluded).
    pub reps: u32,
    /// How many times a review card was forgotten.
    pub lapses: u32,
    /// Suspended cards are never shown until unsuspended.
    pub suspended: bool,
    /// Buried cards are hidden until this day starts.
    pub buried_until: Option<Day>,
    /// A card forgotten too often.
    pub leech: bool,
    /// The day the student sent this card to review (from a missed exam
    /// question): on that day it is in the queue even past the limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_for: Option<Day>,
}

/// The probability of recalling a card with `memory`, last graded at
/// `last`, at `now` (FSRS's forgetting curve with `decay`).
pub fn recall_probability(memory: Memory, last: Moment, now: Moment, decay: f32) -> f32 {
    let elapsed_days = (now.unix_ms - last.unix_ms).max(0) as f32 / 86_400_000.0;
    fsrs::current_retrievability(
        fsrs::MemoryState { stability: memory.stability, difficulty: memory.difficulty },
        elapsed_days,
        decay,
    )
}

/// The next interval, for labelling a grade button.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Interval {
    /// A learning step.
    Minutes(f32),
    /// A review interval.
    Days(u32),
}

impl Interval {
    /// The interval in minutes, for comparing.
    pub fn minutes(self) -> f64 {
        match self {
            Interval::Minutes(m) => f64::from(m),
            Interval::Days(d) => f64::from(d) * 1440.0,
        }
    }

    /// A short label such as "10m", "4d", "3.2mo" or "1.5y".
    pub fn label(self) -> String {
        let minutes = self.minutes();
        if minutes < 60.0 {
            format!("{}m", minutes.round().max(1.0))
        } else if minutes < 1440.0 {
            format!("{}h", (minutes / 60.0).round())
        } else {
            let days = minutes / 1440.0;
            if days < 30.0 {
                format!("{}d", days.round())
            } else if days < 365.0 {
                format!("{:.1}mo", days / 30.0)
            } else {
                format!("{:.1}y", days / 365.0)
            }
        }
    }
}

/// What one grade would do to a card.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The card's state after the grade.
    pub state: CardState,
    /// The interval to show on the button.
    pub interval: Interval,
}

/// The four outcomes of a grade, computed at once (Anki's `next_states`).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcomes {
    /// After Again.
    pub again: Outcome,
    /// After Hard.
    pub hard: Outcome,
    /// After Good.
    pub good: Outcome,
    /// After Easy.
    pub easy: Outcome,
}

impl Outcomes {
    /// The outcome of `rating`.
    pub fn of(&self, rating: Rating) -> &Outcome {
        match rating {
            Rating::Again => &self.again,
            Rating::Hard => &self.hard,
            Rating::Good => &self.good,
            Rating::Easy => &self.easy,
        }
    }

    /// Takes the outcome of `rating`.
    pub fn into_state(self, rating: Rating) -> CardState {
        match rating {
            Rating::Again => self.again.state,
            Rating::Hard => self.hard.state,
            Rating::Good => self.good.state,
            Rating::Easy => self.easy.state,
        }
    }
}

/// Scheduling failed: FSRS rejected the state (only with broken parameters).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the scheduler could not compute the next state: {0}")]
pub struct ScheduleError(String);

/// FSRS with a profile's settings.
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: fsrs::FSRS,
    settings: Settings,
}

impl Scheduler {
    /// A scheduler for validated settings.
    ///
    /// # Errors
    /// The first setting that is out of range.
    pub fn new(settings: Settings) -> Result<Scheduler, SettingError> {
        settings.validate()?;
        let fsrs = fsrs::FSRS::new(&settings.fsrs_parameters).map_err(|_| SettingError::Parameters)?;
        Ok(Scheduler { fsrs, settings })
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The study day of `now`.
    pub fn day(&self, now: Moment) -> Day {
        now.day(self.settings.rollover_hour)
    }

    /// The probability of recalling the card at `now`, or `None` for a card
    /// never graded.
    pub fn retrievability(&self, state: &CardState, now: Moment) -> Option<f32> {
        Some(recall_probability(state.memory?, state.last_review?, now, self.settings.decay()))
    }

    /// All four outcomes of grading `state` at `now`. `seed` is the card's
    /// [`card_seed`]; with the day it fixes the fuzz.
    ///
    /// # Errors
    /// Only if FSRS rejects the memory state, which valid parameters prevent.
    pub fn next_states(&self, seed: u64, state: &CardState, now: Moment) -> Result<Outcomes, ScheduleError> {
        let today = self.day(now);
        let elapsed_days = state.last_review.map_or(0, |last| today.since(self.day(last)).max(0) as u32);
        let memory = state.memory.map(|m| fsrs::MemoryState { stability: m.stability, difficulty: m.difficulty });
        let next = self
            .fsrs
            .next_states(memory, self.settings.desired_retention, elapsed_days)
            .map_err(|e| ScheduleError(e.to_string()))?;
        let fuzz_factor = fuzz::unit_from_seed(seed ^ (today.0 as u64).wrapping_mul(0x9e37_79b9));
        let max = self.settings.maximum_interval_days;
        let fsrs_days = |s: &fsrs::ItemState| s.interval;
        // Review intervals for passing grades: hard <= good <= easy, as Anki
        // keeps them, each fuzzed.
        let hard_days = fuzz::apply(fuzz_factor, fsrs_days(&next.hard).max(1.0), 1, max);
        let good_days = fuzz::apply(fuzz_factor, fsrs_days(&next.good).max(1.0), (hard_days + 1).min(max), max);
        let easy_days = fuzz::apply(fuzz_factor, fsrs_days(&next.easy).max(1.0), (good_days + 1).min(max), max);
        let again_days = fuzz::apply(fuzz_factor, fsrs_days(&next.again).max(1.0), 1, max);

        let base = CardState {
            last_review: Some(now),
            reps: state.reps.saturating_add(1),
            buried_until: None,
            ..state.clone()
        };
        let with_memory = |item: &fsrs::ItemState| {
            let mut s = base.clone();
            s.memory = Some(Memory { stability: item.memory.stability, difficulty: item.memory.difficulty });
            s
        };
        let review = |item: &fsrs::ItemState, days: u32| {
            let mut s = with_memory(item);
            s.phase = Phase::Review;
            s.step = 0;
            s.interval_days = days;
            s.due = Due::Day(today.plus(days as i32));
            Outcome { state: s, interval: Interval::Days(days) }
        };
        let stepping = |item: &fsrs::ItemState, phase: Phase, step: usize, minutes: f32, interval_days: u32| {
            let mut s = with_memory(item);
            s.phase = phase;
            s.step = u8::try_from(step).unwrap_or(u8::MAX);
            s.interval_days = interval_days;
            s.due = Due::At(now.plus_minutes(minutes).unix_ms);
            Outcome { state: s, interval: Interval::Minutes(minutes) }
        };

        let outcomes = match state.phase {
            Phase::New | Phase::Learning => {
                let steps = &self.settings.learning_steps_mins;
                let step = if state.phase == Phase::New { 0 } else { usize::from(state.step) };
                self.stepped(
                    steps,
                    step,
                    Phase::Learning,
                    &next,
                    0,
                    &stepping,
                    &review,
                    [again_days, good_days, easy_days],
                )
            }
            Phase::Relearning => {
                let steps = &self.settings.relearning_steps_mins;
                let step = usize::from(state.step);
                let kept = state.interval_days;
                self.stepped(
                    steps,
                    step,
                    Phase::Relearning,
                    &next,
                    kept,
                    &stepping,
                    &review,
                    [again_days, good_days, easy_days],
                )
            }
            Phase::Review => {
                let steps = &self.settings.relearning_steps_mins;
                let mut again = match steps.first() {
                    Some(&first) => stepping(&next.again, Phase::Relearning, 0, first, again_days),
                    None => review(&next.again, again_days),
                };
                again.state.lapses = state.lapses.saturating_add(1);
                self.mark_leech(&mut again.state);
                Outcomes {
                    again,
                    hard: review(&next.hard, hard_days),
                    good: review(&next.good, good_days),
                    easy: review(&next.easy, easy_days),
                }
            }
        };
        Ok(outcomes)
    }

    /// Outcomes for a card in (re)learning steps. `[again, good, easy]` are
    /// the fuzzed review intervals used when a grade graduates the card.
    #[allow(clippy::too_many_arguments)]
    fn stepped(
        &self,
        steps: &[f32],
        step: usize,
        phase: Phase,
        next: &fsrs::NextStates,
        kept_interval: u32,
        stepping: &dyn Fn(&fsrs::ItemState, Phase, usize, f32, u32) -> Outcome,
        review: &dyn Fn(&fsrs::ItemState, u32) -> Outcome,
        [again_days, good_days, easy_days]: [u32; 3],
    ) -> Outcomes {
        let Some(&first) = steps.first() else {
            // No steps: every grade goes straight to review.
            let hard_days = good_days.saturating_sub(1).max(1).min(good_days);
            return Outcomes {
                again: review(&next.again, again_days.min(hard_days)),
                hard: review(&next.hard, hard_days),
                good: review(&next.good, good_days),
                easy: review(&next.easy, easy_days),
            };
        };
        let step = step.min(steps.len() - 1);
        let current = steps.get(step).copied().unwrap_or(first);
        // Hard repeats the current step; on the first of several steps it
        // waits halfway to the second, and with a single step 1.5 times it
        // (capped at a day more), as Anki does.
        let hard_delay = match (step, steps.get(1)) {
            (0, Some(&second)) => (first + second) / 2.0,
            (0, None) => (first * 1.5).min(first + 1440.0),
            _ => current,
        };
        let good = match steps.get(step + 1) {
            Some(&next_step) => stepping(&next.good, phase, step + 1, next_step.max(hard_delay), kept_interval),
            None => review(&next.good, good_days),
        };
        let hard_delay = hard_delay.min(good.interval.minutes() as f32);
        Outcomes {
            again: stepping(&next.again, phase, 0, first.min(hard_delay), kept_interval),
            hard: stepping(&next.hard, phase, step, hard_delay, kept_interval),
            easy: review(&next.easy, easy_days.max(good_days_of(&good))),
            good,
        }
    }

    fn mark_leech(&self, state: &mut CardState) {
        let threshold = self.settings.leech_threshold;
        // A leech at the threshold and again every half-threshold after, as
        // in Anki, so a suspended-then-restored leech is flagged again.
        let half = (threshold / 2).max(1);
        if state.lapses >= threshold && (state.lapses - threshold).is_multiple_of(half) {
            state.leech = true;
            if self.settings.leech_action == LeechAction::Suspend {
                state.suspended = true;
            }
        }
    }

    /// The state after grading `state` with `rating` at `now`.
    ///
    /// # Errors
    /// As [`Scheduler::next_states`].
    pub fn answer(
        &self,
        seed: u64,
        state: &CardState,
        rating: Rating,
        now: Moment,
    ) -> Result<CardState, ScheduleError> {
        Ok(self.next_states(seed, state, now)?.into_state(rating))
    }
}

fn good_days_of(outcome: &Outcome) -> u32 {
    match outcome.interval {
        Interval::Days(d) => d + 1,
        Interval::Minutes(_) => 1,
    }
}

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
        let grading = Grading::new(self, seed, state, now);
        Ok(Outcomes {
            again: grading.outcome(Rating::Again)?,
            hard: grading.outcome(Rating::Hard)?,
            good: grading.outcome(Rating::Good)?,
            easy: grading.outcome(Rating::Easy)?,
        })
    }

    /// FSRS's memory state and interval after grading a card with memory
    /// `memory` (`None`: never graded) `elapsed_days` after its last grade:
    /// what [`fsrs::FSRS::next_states`] gives for `rating`, without the
    /// other three.
    fn item_after(
        &self,
        memory: Option<fsrs::MemoryState>,
        elapsed_days: u32,
        rating: Rating,
    ) -> Result<fsrs::ItemState, ScheduleError> {
        let error = |e: fsrs::FSRSError| ScheduleError(e.to_string());
        let pick = |next: fsrs::NextStates| match rating {
            Rating::Again => next.again,
            Rating::Hard => next.hard,
            Rating::Good => next.good,
            Rating::Easy => next.easy,
        };
        let retention = self.settings.desired_retention;
        // `memory_state` starts a known card at its first review, where
        // `next_states` takes a stability of exactly 0 for a new card: only
        // such a state (never one FSRS made) goes the long way.
        if memory.is_some_and(|m| m.stability == 0.0) {
            return self.fsrs.next_states(memory, retention, elapsed_days).map(pick).map_err(error);
        }
        let grade = u32::from(u8::from(rating));
        let item = fsrs::FSRSItem { reviews: vec![fsrs::FSRSReview { rating: grade, delta_t: elapsed_days }] };
        let memory = self.fsrs.memory_state(item, memory).map_err(error)?;
        let interval = self.fsrs.next_interval(Some(memory.stability), retention, grade);
        Ok(fsrs::ItemState { memory, interval })
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
        // Only what this grade needs is computed (a replay of a large
        // collection grades a million times).
        Ok(Grading::new(self, seed, state, now).outcome(rating)?.state)
    }
}

/// Easy's least interval in days: a day past Good's.
fn good_days_of(good: Interval) -> u32 {
    match good {
        Interval::Days(d) => d + 1,
        Interval::Minutes(_) => 1,
    }
}

/// Grading one card at one moment, worked out only as far as asked: each
/// rating's FSRS memory state and fuzzed review interval are computed when
/// first needed and then kept, so all four outcomes cost what they always
/// did and one outcome costs less.
struct Grading<'a> {
    scheduler: &'a Scheduler,
    state: &'a CardState,
    now: Moment,
    today: Day,
    elapsed_days: u32,
    memory: Option<fsrs::MemoryState>,
    fuzz_factor: f64,
    /// By rating (Again first): FSRS's memory state and interval.
    items: [std::cell::OnceCell<fsrs::ItemState>; 4],
    /// By rating: the review interval in days, fuzzed, with Hard <= Good
    /// <= Easy as Anki keeps them.
    days: [std::cell::OnceCell<u32>; 4],
}

/// A rating's cell of [`Grading`]'s arrays.
fn cell_of<T>(cells: &[T; 4], rating: Rating) -> &T {
    let [again, hard, good, easy] = cells;
    match rating {
        Rating::Again => again,
        Rating::Hard => hard,
        Rating::Good => good,
        Rating::Easy => easy,
    }
}

impl<'a> Grading<'a> {
    fn new(scheduler: &'a Scheduler, seed: u64, state: &'a CardState, now: Moment) -> Grading<'a> {
        let today = scheduler.day(now);
        Grading {
            scheduler,
            state,
            now,
            today,
            elapsed_days: state.last_review.map_or(0, |last| today.since(scheduler.day(last)).max(0) as u32),
            memory: state.memory.map(|m| fsrs::MemoryState { stability: m.stability, difficulty: m.difficulty }),
            fuzz_factor: fuzz::unit_from_seed(seed ^ (today.0 as u64).wrapping_mul(0x9e37_79b9)),
            items: Default::default(),
            days: Default::default(),
        }
    }

    fn item(&self, rating: Rating) -> Result<fsrs::ItemState, ScheduleError> {
        let cell = cell_of(&self.items, rating);
        if let Some(item) = cell.get() {
            return Ok(item.clone());
        }
        let item = self.scheduler.item_after(self.memory, self.elapsed_days, rating)?;
        Ok(cell.get_or_init(|| item).clone())
    }

    fn days(&self, rating: Rating) -> Result<u32, ScheduleError> {
        let cell = cell_of(&self.days, rating);
        if let Some(&days) = cell.get() {
            return Ok(days);
        }
        let max = self.scheduler.settings.maximum_interval_days;
        let fsrs_days = self.item(rating)?.interval.max(1.0);
        let minimum = match rating {
            Rating::Again | Rating::Hard => 1,
            Rating::Good => (self.days(Rating::Hard)? + 1).min(max),
            Rating::Easy => (self.days(Rating::Good)? + 1).min(max),
        };
        Ok(*cell.get_or_init(|| fuzz::apply(self.fuzz_factor, fsrs_days, minimum, max)))
    }

    /// The card after `rating`, with FSRS's new memory state.
    fn graded(&self, rating: Rating) -> Result<CardState, ScheduleError> {
        let memory = self.item(rating)?.memory;
        Ok(CardState {
            last_review: Some(self.now),
            reps: self.state.reps.saturating_add(1),
            buried_until: None,
            memory: Some(Memory { stability: memory.stability, difficulty: memory.difficulty }),
            ..self.state.clone()
        })
    }

    /// `rating` sends the card to review in `days`.
    fn review(&self, rating: Rating, days: u32) -> Result<Outcome, ScheduleError> {
        let mut s = self.graded(rating)?;
        s.phase = Phase::Review;
        s.step = 0;
        s.interval_days = days;
        s.due = Due::Day(self.today.plus(days as i32));
        Ok(Outcome { state: s, interval: Interval::Days(days) })
    }

    /// `rating` puts the card at (re)learning step `step`, due in `minutes`.
    fn stepping(
        &self,
        rating: Rating,
        phase: Phase,
        step: usize,
        minutes: f32,
        interval_days: u32,
    ) -> Result<Outcome, ScheduleError> {
        let mut s = self.graded(rating)?;
        s.phase = phase;
        s.step = u8::try_from(step).unwrap_or(u8::MAX);
        s.interval_days = interval_days;
        s.due = Due::At(self.now.plus_minutes(minutes).unix_ms);
        Ok(Outcome { state: s, interval: Interval::Minutes(minutes) })
    }

    /// What `rating` does to the card.
    fn outcome(&self, rating: Rating) -> Result<Outcome, ScheduleError> {
        let settings = &self.scheduler.settings;
        match self.state.phase {
            Phase::New | Phase::Learning => {
                let step = if self.state.phase == Phase::New { 0 } else { usize::from(self.state.step) };
                self.stepped(&settings.learning_steps_mins, step, Phase::Learning, 0, rating)
            }
            Phase::Relearning => {
                let (step, kept) = (usize::from(self.state.step), self.state.interval_days);
                self.stepped(&settings.relearning_steps_mins, step, Phase::Relearning, kept, rating)
            }
            Phase::Review => match rating {
                Rating::Again => {
                    let again_days = self.days(Rating::Again)?;
                    let mut again = match settings.relearning_steps_mins.first() {
                        Some(&first) => self.stepping(Rating::Again, Phase::Relearning, 0, first, again_days)?,
                        None => self.review(Rating::Again, again_days)?,
                    };
                    again.state.lapses = self.state.lapses.saturating_add(1);
                    self.scheduler.mark_leech(&mut again.state);
                    Ok(again)
                }
                _ => self.review(rating, self.days(rating)?),
            },
        }
    }

    /// What `rating` does to a card in (re)learning steps `steps`, at
    /// `step`; `kept_interval` is the review interval it keeps meanwhile.
    fn stepped(
        &self,
        steps: &[f32],
        step: usize,
        phase: Phase,
        kept_interval: u32,
        rating: Rating,
    ) -> Result<Outcome, ScheduleError> {
        let Some(&first) = steps.first() else {
            // No steps: every grade goes straight to review.
            let hard_days = || -> Result<u32, ScheduleError> {
                let good_days = self.days(Rating::Good)?;
                Ok(good_days.saturating_sub(1).max(1).min(good_days))
            };
            return match rating {
                Rating::Again => self.review(rating, self.days(Rating::Again)?.min(hard_days()?)),
                Rating::Hard => self.review(rating, hard_days()?),
                Rating::Good | Rating::Easy => self.review(rating, self.days(rating)?),
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
        // Good moves to the next step, or graduates from the last.
        let next_step = steps.get(step + 1).map(|&next| next.max(hard_delay));
        let good_interval = match next_step {
            Some(minutes) => Interval::Minutes(minutes),
            None => Interval::Days(self.days(Rating::Good)?),
        };
        let hard_delay = hard_delay.min(good_interval.minutes() as f32);
        match rating {
            Rating::Again => self.stepping(rating, phase, 0, first.min(hard_delay), kept_interval),
            Rating::Hard => self.stepping(rating, phase, step, hard_delay, kept_interval),
            Rating::Good => match next_step {
                Some(minutes) => self.stepping(rating, phase, step + 1, minutes, kept_interval),
                None => self.review(rating, self.days(Rating::Good)?),
            },
            Rating::Easy => self.review(rating, self.days(Rating::Easy)?.max(good_days_of(good_interval))),
        }
    }
}

//! Tuning the scheduler: fitting parameters to the profile's history (with
//! progress and cancel), and the `fsrs` simulator's workload at each
//! desired retention. Both are slow and run off the UI thread; both are
//! pure apart from the progress handles they are given.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use crate::history::{self, HistoryError, Metrics, Review};
use crate::revlog::ReviewKind;
use crate::schedule::Phase;

use super::Input;

/// The retentions the workload chart covers, in hundredths.
pub const RETENTIONS: std::ops::RangeInclusive<u32> = 70..=97;
/// Days simulated.
pub const SIMULATED_DAYS: usize = 365;
/// The simulator's seed, so the chart is the same each time.
const SEED: u64 = 42;

/// What an optimiser run found.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The parameters in use before, scored on the history.
    pub before: Metrics,
    /// The fitted parameters, scored the same way.
    pub after: Metrics,
    /// The fitted parameters.
    pub parameters: Vec<f32>,
}

impl Fitted {
    /// Whether the fit predicts the history better than what is in use.
    pub fn is_better(&self) -> bool {
        self.after.log_loss < self.before.log_loss
    }
}

/// Progress of a fit, shared with the `fsrs` optimiser.
pub type FitProgress = Arc<Mutex<fsrs::CombinedProgressState>>;

/// How far a fit has got, 0 to 1.
pub fn fit_fraction(progress: &FitProgress) -> f32 {
    progress.lock().map_or(0.0, |p| if p.total() == 0 { 0.0 } else { p.current() as f32 / p.total() as f32 })
}

/// Asks a running fit to stop.
pub fn cancel_fit(progress: &FitProgress) {
    if let Ok(mut p) = progress.lock() {
        p.want_abort = true;
    }
}

/// Fits parameters to `reviews` and scores both the parameters in use
/// (`current`, empty for the defaults) and the fit on the same reviews.
///
/// # Errors
/// Too few reviews (with how many there are and are needed), a cancel, or
/// an FSRS failure.
pub fn fit(
    reviews: &[Review],
    rollover_hour: u8,
    current: &[f32],
    progress: FitProgress,
) -> Result<Fitted, HistoryError> {
    let before = history::evaluate(reviews, rollover_hour, current)?;
    let parameters = history::optimize_with_progress(reviews, rollover_hour, Some(progress))?;
    let after = history::evaluate(reviews, rollover_hour, &parameters)?;
    Ok(Fitted { before, after, parameters })
}

/// The simulated cost of one desired retention.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkloadPoint {
    /// The desired retention.
    pub retention: f32,
    /// Average minutes of study a day over the simulated year.
    pub minutes_per_day: f32,
    /// Cards remembered at the end of the year (sum of recall probabilities).
    pub remembered: f32,
    /// Seconds of study per remembered card.
    pub seconds_per_remembered: f32,
}

/// Progress of a workload simulation: points done, and a cancel flag.
#[derive(Debug, Default)]
pub struct SimProgress {
    /// Retentions simulated so far.
    pub done: AtomicU32,
    /// Set to stop early.
    pub cancel: AtomicBool,
}

impl SimProgress {
    /// How far the simulation has got, 0 to 1.
    pub fn fraction(&self) -> f32 {
        self.done.load(Ordering::Relaxed) as f32 / RETENTIONS.count() as f32
    }
}

/// The retention with the least study time per remembered card.
pub fn best(points: &[WorkloadPoint]) -> Option<WorkloadPoint> {
    points
        .iter()
        .filter(|p| p.seconds_per_remembered.is_finite())
        .min_by(|a, b| a.seconds_per_remembered.total_cmp(&b.seconds_per_remembered))
        .copied()
}

/// Simulates a year of study of the cards in `input` at each retention in
/// [`RETENTIONS`], with `parameters` (empty: the defaults). Answer times
/// and button choices come from the profile's own grades where it has
/// enough of them (`fsrs::extract_simulator_config`), else from the
/// crate's typical values. New cards come in at the profile's daily limit;
/// reviews are not capped, so the workload is what keeping the promise
/// costs.
///
/// # Errors
/// Cancelled, or FSRS refused the parameters.
pub fn workload(input: &Input, parameters: &[f32], progress: &SimProgress) -> Result<Vec<WorkloadPoint>, HistoryError> {
    let settings = &input.settings;
    let rollover = settings.rollover_hour;
    let today = input.now.day(rollover);
    let day_start_s = input.now.start_of(today, rollover).unix_ms.div_euclid(1000);
    let revlog: Vec<fsrs::RevlogEntry> = input
        .grades
        .iter()
        .map(|g| fsrs::RevlogEntry {
            id: g.at.unix_ms,
            cid: i64::from(g.key),
            button_chosen: u8::from(g.rating),
            last_interval: i32::try_from(g.last_interval).unwrap_or(i32::MAX),
            taken_millis: g.answer_ms,
            review_kind: match g.kind {
                ReviewKind::Learn => fsrs::RevlogReviewKind::Learning,
                ReviewKind::Review => fsrs::RevlogReviewKind::Review,
                ReviewKind::Relearn => fsrs::RevlogReviewKind::Relearning,
                ReviewKind::Cram => fsrs::RevlogReviewKind::Filtered,
            },
            ..fsrs::RevlogEntry::default()
        })
        .collect();
    let mut config = fsrs::extract_simulator_config(revlog, day_start_s, true);
    let active: Vec<_> = input.cards.iter().filter(|c| !c.state.as_ref().is_some_and(|s| s.suspended)).collect();
    config.deck_size = active.len().max(1);
    config.learn_span = SIMULATED_DAYS;
    config.learn_limit = settings.new_per_day as usize;
    config.review_limit = usize::MAX;
    config.max_cost_perday = f32::INFINITY;
    config.max_ivl = settings.maximum_interval_days as f32;
    config.learning_step_count = settings.learning_steps_mins.len();
    config.relearning_step_count = settings.relearning_steps_mins.len();

    let w: Vec<f32> = if parameters.is_empty() { fsrs::DEFAULT_PARAMETERS.to_vec() } else { parameters.to_vec() };
    let shared = Arc::new(w.clone());
    let existing = |retention: f32| -> Vec<fsrs::Card> {
        active
            .iter()
            .filter_map(|c| {
                let state = c.state.as_ref()?;
                let (memory, last) = (state.memory?, state.last_review?);
                if state.phase == Phase::New {
                    return None;
                }
                let last_date = -(today.since(last.day(rollover)) as f32);
                let due = match state.due {
                    crate::schedule::Due::Day(day) => day.since(today).max(0) as f32,
                    _ => 0.0,
                };
                Some(fsrs::Card {
                    id: 1,
                    difficulty: memory.difficulty,
                    stability: memory.stability,
                    last_date,
                    due,
                    interval: due - last_date,
                    lapses: state.lapses,
                    desired_retention: retention,
                    parameters: shared.clone(),
                })
            })
            .collect()
    };
    let retentions: Vec<u32> = RETENTIONS.collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let run = |r: u32| -> Result<Option<WorkloadPoint>, HistoryError> {
        if progress.cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let retention = r as f32 / 100.0;
        let result = fsrs::simulate(&config, &w, retention, Some(SEED), Some(existing(retention)))
            .map_err(|e| HistoryError::Fsrs(e.to_string()))?;
        progress.done.fetch_add(1, Ordering::Relaxed);
        let total_s: f32 = result.cost_per_day.iter().sum();
        let remembered = result.memorized_cnt_per_day.last().copied().unwrap_or(0.0);
        Ok(Some(WorkloadPoint {
            retention,
            minutes_per_day: total_s / SIMULATED_DAYS as f32 / 60.0,
            remembered,
            seconds_per_remembered: if remembered > 0.0 { total_s / remembered } else { f32::INFINITY },
        }))
    };
    let results: Vec<Result<Option<WorkloadPoint>, HistoryError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let mine: Vec<u32> = retentions.iter().copied().skip(t).step_by(threads).collect();
                let run = &run;
                scope.spawn(move || mine.into_iter().map(run).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).flatten().collect()
    });
    let mut points = Vec::with_capacity(results.len());
    for result in results {
        match result? {
            Some(point) => points.push(point),
            None => return Err(HistoryError::Cancelled),
        }
    }
    points.sort_by(|a, b| a.retention.total_cmp(&b.retention));
    Ok(points)
}

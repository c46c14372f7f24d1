//! Review histories for evaluating and fitting the scheduler: from a
//! profile's log or from a review-history CSV (the format of
//! `tests/data/revlog-py-fsrs`). Elapsed days follow the day rollover, and
//! same-day reviews have zero elapsed days, as FSRS expects.

use std::collections::BTreeMap;

use crate::revlog::{Action, ReviewKind};
use crate::schedule::Rating;
use crate::time::Moment;

/// One graded review of one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Review {
    /// The card, as a number unique in the history.
    pub card: i64,
    /// When it was graded.
    pub at: Moment,
    /// The grade.
    pub rating: Rating,
}

/// A history that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// The header is not one this reader knows.
    #[error("line 1: unknown header {0:?}: expected card_id,review_rating,review_time,review_duration")]
    Header(String),
    /// A row could not be read.
    #[error("line {line}: {reason}")]
    Row {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Too few reviews to fit or evaluate.
    #[error(
        "the history has {found} reviews made a day or more after the card's previous review; at least {needed} are needed: keep studying and try again later"
    )]
    TooSmall {
        /// Reviews with at least a day's gap.
        found: usize,
        /// The minimum.
        needed: usize,
    },
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The FSRS crate refused.
    #[error("FSRS could not use this history: {0}")]
    Fsrs(String),
}

/// The longest value an error quotes, in characters.
const QUOTE_CHARS: usize = 80;

/// The header of a review-history CSV.
pub const CSV_HEADER: &str = "card_id,review_rating,review_time,review_duration";

/// Reads a review-history CSV: `card_id,review_rating,review_time,review_duration`
/// with ISO 8601 times.
///
/// # Errors
/// An unknown header, or a row that does not parse (with its line).
pub fn parse_csv(text: &str) -> Result<Vec<Review>, HistoryError> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("").trim_start_matches('\u{feff}').trim();
    if header != CSV_HEADER {
        return Err(HistoryError::Header(crate::text::shorten(header, QUOTE_CHARS)));
    }
    let mut reviews = Vec::new();
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        if line.trim().is_empty() {
            continue;
        }
        let row = |reason: String| HistoryError::Row { line: line_no, reason };
        let fields: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        let [card, rating, time, _duration] = fields.as_slice() else {
            return Err(row(format!("expected 4 fields, found {}", fields.len())));
        };
        let quote = |value: &str| format!("{:?}", crate::text::shorten(value, QUOTE_CHARS));
        let card: i64 = card.parse().map_err(|_| row(format!("card_id {} is not a number", quote(card))))?;
        let rating = rating
            .parse::<u8>()
            .ok()
            .and_then(|n| Rating::try_from(n).ok())
            .ok_or_else(|| row(format!("review_rating {} is not 1 to 4", quote(rating))))?;
        let at = parse_time(time).ok_or_else(|| row(format!("review_time {} is not an ISO 8601 time", quote(time))))?;
        reviews.push(Review { card, at, rating });
    }
    Ok(reviews)
}

/// Reads "2024-03-29T20:32:32.250000+00:00" into a moment with its offset.
fn parse_time(text: &str) -> Option<Moment> {
    let timestamp: jiff::Timestamp = text.parse().ok()?;
    let offset_s = if text.ends_with('Z') || text.ends_with('z') {
        0
    } else {
        let tail = text.get(text.len().checked_sub(6)?..)?;
        let sign = match tail.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hours: i32 = tail.get(1..3)?.parse().ok()?;
        let minutes: i32 = tail.get(4..6)?.parse().ok()?;
        sign * (hours * 3600 + minutes * 60)
    };
    Some(Moment::new(timestamp.as_millisecond(), offset_s))
}

/// The graded reviews among `events` (cram excluded; the caller has
/// removed undone events).
pub fn from_events<'a>(events: impl IntoIterator<Item = &'a crate::revlog::Event>) -> Vec<Review> {
    let mut ids: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut reviews = Vec::new();
    for event in events {
        let Action::Review { rating, kind, .. } = event.action else { continue };
        if kind == ReviewKind::Cram {
            continue;
        }
        let next = ids.len() as i64;
        let card = *ids.entry((event.deck.0.to_string(), event.card.0.to_string())).or_insert(next);
        reviews.push(Review { card, at: event.moment(), rating });
    }
    reviews
}

/// How many of one card's reviews feed fitting and evaluation: its first
/// `MAX_REVIEWS_PER_CARD`. Each review makes an item holding the card's
/// whole history up to it, so an unbounded card would cost memory in the
/// square of its review count (20,000 reviews of one card needed over
/// 2 GB); with this bound memory grows linearly with the history. Real
/// cards stay far below it (the most reviewed card of the history in
/// `tests/data` has 54 reviews), so figures on real histories are unchanged.
pub const MAX_REVIEWS_PER_CARD: usize = 128;

/// FSRS training items: for each card, one item per review after the
/// first (up to its [`MAX_REVIEWS_PER_CARD`]th), holding the card's reviews
/// up to it with elapsed days counted on study days (rollover at
/// `rollover_hour`). Returns the items and the card of each.
pub fn fsrs_items(reviews: &[Review], rollover_hour: u8) -> (Vec<fsrs::FSRSItem>, Vec<i64>) {
    let mut by_card: BTreeMap<i64, Vec<Review>> = BTreeMap::new();
    for review in reviews {
        by_card.entry(review.card).or_default().push(*review);
    }
    let mut items = Vec::new();
    let mut cards = Vec::new();
    for (card, mut list) in by_card {
        list.sort_by_key(|r| r.at.unix_ms);
        let mut history: Vec<fsrs::FSRSReview> = Vec::with_capacity(list.len().min(MAX_REVIEWS_PER_CARD));
        let mut previous_day = None;
        for review in list.iter().take(MAX_REVIEWS_PER_CARD) {
            let day = review.at.day(rollover_hour);
            let delta_t = previous_day.map_or(0, |p| day.since(p).max(0) as u32);
            previous_day = Some(day);
            history.push(fsrs::FSRSReview { rating: u32::from(u8::from(review.rating)), delta_t });
            if history.len() > 1 {
                items.push(fsrs::FSRSItem { reviews: history.clone() });
                cards.push(card);
            }
        }
    }
    (items, cards)
}

/// How well a set of parameters predicts a history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Recency-weighted log loss, as Anki and srs-benchmark report it.
    pub log_loss: f32,
    /// Root mean square error over bins of predicted and actual recall.
    pub rmse_bins: f32,
    /// Area under the ROC curve of predicted recall against recall.
    pub auc: f32,
    /// Reviews scored (those a day or more after the previous one).
    pub reviews: usize,
}

/// The minimum number of long-term reviews to evaluate or optimise.
pub const MIN_REVIEWS: usize = 64;

/// Scores `parameters` (empty: the defaults) on `reviews`.
///
/// # Errors
/// Too few reviews, or parameters FSRS refuses.
pub fn evaluate(reviews: &[Review], rollover_hour: u8, parameters: &[f32]) -> Result<Metrics, HistoryError> {
    let (items, cards) = fsrs_items(reviews, rollover_hour);
    let (items, cards): (Vec<_>, Vec<_>) =
        items.into_iter().zip(cards).filter(|(item, _)| item.reviews.last().is_some_and(|r| r.delta_t > 0)).unzip();
    if items.len() < MIN_REVIEWS {
        return Err(HistoryError::TooSmall { found: items.len(), needed: MIN_REVIEWS });
    }
    let model = fsrs::FSRS::new(parameters).map_err(|e| HistoryError::Fsrs(e.to_string()))?;
    let evaluation =
        model.evaluate_with_card_ids(items.clone(), cards, |_| true).map_err(|e| HistoryError::Fsrs(e.to_string()))?;
    let decay = parameters.get(20).copied().unwrap_or(fsrs::FSRS6_DEFAULT_DECAY);
    let mut scored = Vec::with_capacity(items.len());
    for item in &items {
        let Some((current, past)) = item.reviews.split_last() else { continue };
        let state = model
            .memory_state(fsrs::FSRSItem { reviews: past.to_vec() }, None)
            .map_err(|e| HistoryError::Fsrs(e.to_string()))?;
        let r = fsrs::current_retrievability(state, current.delta_t as f32, decay);
        scored.push((r, current.rating > 1));
    }
    Ok(Metrics {
        log_loss: evaluation.log_loss,
        rmse_bins: evaluation.rmse_bins,
        auc: auc(&scored),
        reviews: items.len(),
    })
}

/// Fits FSRS parameters to `reviews` with the crate's optimiser.
///
/// # Errors
/// Too few reviews, or the optimiser failed.
pub fn optimize(reviews: &[Review], rollover_hour: u8) -> Result<Vec<f32>, HistoryError> {
    optimize_with_progress(reviews, rollover_hour, None)
}

/// [`optimize`], reporting to (and stopping when asked by) `progress`.
///
/// # Errors
/// Too few reviews, a cancel, or the optimiser failed.
pub fn optimize_with_progress(
    reviews: &[Review],
    rollover_hour: u8,
    progress: Option<std::sync::Arc<std::sync::Mutex<fsrs::CombinedProgressState>>>,
) -> Result<Vec<f32>, HistoryError> {
    let (items, cards) = fsrs_items(reviews, rollover_hour);
    let long_term = items.iter().filter(|i| i.reviews.last().is_some_and(|r| r.delta_t > 0)).count();
    // The optimiser needs at least one review after a day or more in each
    // item; same-day-only items carry no long-term signal.
    let (items, cards): (Vec<_>, Vec<_>) =
        items.into_iter().zip(cards).filter(|(item, _)| item.reviews.iter().any(|r| r.delta_t > 0)).unzip();
    if long_term < MIN_REVIEWS {
        return Err(HistoryError::TooSmall { found: long_term, needed: MIN_REVIEWS });
    }
    let input = fsrs::ComputeParametersInput {
        train_set: items,
        card_ids: Some(cards),
        enable_short_term: true,
        progress,
        ..fsrs::ComputeParametersInput::default()
    };
    fsrs::compute_parameters(input).map_err(|e| match e {
        fsrs::FSRSError::Interrupted => HistoryError::Cancelled,
        e => HistoryError::Fsrs(e.to_string()),
    })
}

/// The area under the ROC curve by the rank-sum formula, ties averaged.
pub fn auc(scored: &[(f32, bool)]) -> f32 {
    let mut sorted: Vec<(f32, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = sorted.iter().filter(|s| s.1).count() as f64;
    let negatives = sorted.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f32::NAN;
    }
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while sorted.get(j + 1).is_some_and(|next| next.0 == sorted.get(i).map_or(f32::NAN, |s| s.0)) {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += sorted.get(i..=j).map_or(0, |tie| tie.iter().filter(|s| s.1).count()) as f64 * average_rank;
        i = j + 1;
    }
    ((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)) as f32
}

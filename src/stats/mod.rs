//! Statistics of a profile, computed purely from the library, the card
//! states and the journal of grades (`revlog::Journal`). [`Input::gather`]
//! copies what is needed (for the cards that pass a [`Filter`]) so that
//! [`compute`] can run on another thread; the UI caches the result until
//! the next review.

pub mod tuning;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::deck::{DeckId, Library};
use crate::revlog::{Grade, Progress, ReviewKind};
use crate::schedule::{CardState, Due, Phase, Settings, recall_probability};
use crate::time::{Day, Moment};

/// Days of review forecast computed (the UI shows 30 or all of them).
pub const FORECAST_DAYS: usize = 365;
/// Days of activity in the calendar heatmap.
pub const HEATMAP_DAYS: i32 = 365;
/// Days in the time-spent chart.
pub const TIME_DAYS: i32 = 30;
/// A review card with an interval of at least this many days is mature.
pub const MATURE_DAYS: u32 = 21;
/// Topics listed as weakest.
pub const WEAKEST_TOPICS: usize = 8;
/// A topic needs this many studied cards to be ranked.
pub const MIN_TOPIC_CARDS: usize = 5;

/// Which cards the statistics cover.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Only this deck.
    pub deck: Option<DeckId>,
    /// Only cards with this tag.
    pub tag: Option<String>,
}

/// One card as the statistics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CardInfo {
    /// Its state, if it was ever studied or touched.
    pub state: Option<CardState>,
    /// Its tags, as indices into [`Input::tags`].
    pub tags: Vec<u32>,
}

/// Everything [`compute`] needs, owned, so it can move to another thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The moment the statistics are for.
    pub now: Moment,
    /// The profile's scheduling settings.
    pub settings: Settings,
    /// The cards that pass the filter.
    pub cards: Vec<CardInfo>,
    /// Every tag of those cards.
    pub tags: Vec<String>,
    /// The grades of those cards, each card's in time order.
    pub grades: Vec<Grade>,
}

impl Input {
    /// Copies what the statistics need from the library and the progress.
    /// Only cards in the library count: the history of a deleted card (or
    /// of a card's old place, after a move) stays in the log, unshown, as
    /// in Anki.
    pub fn gather(library: &Library, progress: &Progress, settings: &Settings, now: Moment, filter: &Filter) -> Input {
        let journal = &progress.journal;
        let mut tag_index: HashMap<&str, u32> = HashMap::new();
        let mut tags: Vec<String> = Vec::new();
        let mut cards = Vec::new();
        let mut included = vec![false; journal.keys.len()];
        for loaded in &library.decks {
            let deck = &loaded.deck;
            if filter.deck.as_ref().is_some_and(|d| *d != deck.id) {
                continue;
            }
            let deck_states = progress.states.get(&deck.id);
            for card in &deck.cards {
                if filter.tag.as_ref().is_some_and(|t| !card.tags.contains(t)) {
                    continue;
                }
                if let Some(n) = journal.keys.find(&deck.id.0, &card.id.0)
                    && let Some(slot) = included.get_mut(n as usize)
                {
                    *slot = true;
                }
                let card_tags = card
                    .tags
                    .iter()
                    .map(|t| {
                        *tag_index.entry(t.as_str()).or_insert_with(|| {
                            tags.push(t.clone());
                            u32::try_from(tags.len() - 1).unwrap_or(u32::MAX)
                        })
                    })
                    .collect();
                let state = deck_states.and_then(|s| s.get(&card.id)).cloned();
                cards.push(CardInfo { state, tags: card_tags });
            }
        }
        let grades =
            journal.grades.iter().filter(|g| included.get(g.key as usize).copied().unwrap_or(false)).copied().collect();
        Input { now, settings: settings.clone(), cards, tags, grades }
    }
}

/// Cards due on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ForecastDay {
    /// Learning and relearning cards.
    pub learning: u32,
    /// Review cards.
    pub review: u32,
}

/// What was done on one study day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    /// Grades given (cram included).
    pub answers: u32,
    /// Time spent answering, milliseconds.
    pub answer_ms: u64,
}

/// Passed and failed first reviews of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PassFail {
    /// Hard, good or easy.
    pub passed: u32,
    /// Again.
    pub failed: u32,
}

impl PassFail {
    /// The pass rate, if there was any review.
    pub fn rate(self) -> Option<f32> {
        let total = self.passed + self.failed;
        (total > 0).then(|| self.passed as f32 / total as f32)
    }

    fn add(&mut self, other: PassFail) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// A period of the true-retention table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The current study day.
    Today,
    /// The study day before.
    Yesterday,
    /// The last 7 study days, today included.
    Week,
    /// The last 30.
    Month,
    /// The last 365.
    Year,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 5] = [Period::Today, Period::Yesterday, Period::Week, Period::Month, Period::Year];

    /// Its name in the table.
    pub fn label(self) -> &'static str {
        match self {
            Period::Today => "Today",
            Period::Yesterday => "Yesterday",
            Period::Week => "Last 7 days",
            Period::Month => "Last 30 days",
            Period::Year => "Last year",
        }
    }

    /// Whether `age` (days before today) falls in it.
    fn contains(self, age: i32) -> bool {
        match self {
            Period::Today => age == 0,
            Period::Yesterday => age == 1,
            Period::Week => (0..7).contains(&age),
            Period::Month => (0..30).contains(&age),
            Period::Year => (0..365).contains(&age),
        }
    }
}

/// True retention over one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// The period.
    pub period: Period,
    /// Cards whose interval was under [`MATURE_DAYS`].
    pub young: PassFail,
    /// Cards whose interval was at least [`MATURE_DAYS`].
    pub mature: PassFail,
}

impl Retention {
    /// Young and mature together.
    pub fn total(&self) -> PassFail {
        let mut total = self.young;
        total.add(self.mature);
        total
    }
}

/// How many cards are in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateCounts {
    /// Never studied.
    pub new: u32,
    /// In learning or relearning steps.
    pub learning: u32,
    /// Review cards with an interval under [`MATURE_DAYS`].
    pub young: u32,
    /// Review cards with an interval of [`MATURE_DAYS`] or more.
    pub mature: u32,
    /// Suspended (whatever their phase).
    pub suspended: u32,
}

/// Counts of values in bins.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// Bin `i` holds values in `edges[i]..edges[i + 1]`; the last bin is
    /// open-ended.
    pub edges: Vec<f32>,
    /// How many values fell in each bin.
    pub counts: Vec<u32>,
}

impl Histogram {
    fn new(edges: Vec<f32>) -> Histogram {
        let counts = vec![0; edges.len()];
        Histogram { edges, counts }
    }

    fn add(&mut self, value: f32) {
        let bin = self.edges.iter().rposition(|e| value >= *e).unwrap_or(0);
        if let Some(n) = self.counts.get_mut(bin) {
            *n += 1;
        }
    }

    /// The number of values counted.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
}

/// A tag's memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// The tag.
    pub tag: String,
    /// Studied cards with the tag.
    pub cards: u32,
    /// Their average probability of recall now.
    pub average_recall: f32,
    /// Their lapses, summed.
    pub lapses: u32,
}

/// Grades by button, for one kind of card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Buttons {
    /// Again, hard, good, easy.
    pub counts: [u32; 4],
}

/// Everything the statistics screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// The study day the statistics are for.
    pub today: Day,
    /// Cards due on each of the next [`FORECAST_DAYS`] days, today first
    /// (overdue cards count as due today).
    pub forecast: Vec<ForecastDay>,
    /// Of today's, how many were due before today.
    pub overdue: u32,
    /// Activity on each day of the past [`HEATMAP_DAYS`] that had any.
    pub activity: BTreeMap<Day, Activity>,
    /// Consecutive study days ending today (or yesterday).
    pub streak: u32,
    /// The longest run of study days in the past year.
    pub longest_streak: u32,
    /// Days in the past year with at least one grade.
    pub days_studied: u32,
    /// Grades in the past year.
    pub answers_last_year: u32,
    /// True retention by period.
    pub retention: Vec<Retention>,
    /// What the scheduler aims for.
    pub desired_retention: f32,
    /// Card counts by state.
    pub states: StateCounts,
    /// Stability in days of studied cards.
    pub stability: Histogram,
    /// Difficulty (1–10) of studied cards.
    pub difficulty: Histogram,
    /// Probability of recall now, in percent, of studied cards.
    pub retrievability: Histogram,
    /// The average of that probability, if any card was studied.
    pub average_recall: Option<f32>,
    /// Grades in the past year by button, for learning, young and mature
    /// cards.
    pub buttons: [Buttons; 3],
    /// Minutes spent on each of the last [`TIME_DAYS`] days, oldest first.
    pub minutes_per_day: Vec<f32>,
    /// Tags with the lowest average recall, weakest first.
    pub weakest: Vec<Topic>,
    /// Tags with the most lapses, most first.
    pub most_lapses: Vec<Topic>,
    /// Cards covered.
    pub cards: usize,
    /// Grades covered, all time.
    pub grades: usize,
}

/// Computes the statistics. Pure; fast enough for 100,000 cards and a
/// million grades (see `benches/stats_scale.rs`).
pub fn compute(input: &Input) -> Stats {
    let settings = &input.settings;
    let rollover = settings.rollover_hour;
    let today = input.now.day(rollover);
    let decay = settings.decay();

    let mut forecast = vec![ForecastDay::default(); FORECAST_DAYS];
    let mut overdue = 0;
    let mut states = StateCounts::default();
    let mut stability = Histogram::new(vec![
        0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, 21.0, 30.0, 45.0, 60.0, 90.0, 180.0, 365.0, 730.0,
    ]);
    let mut difficulty = Histogram::new((1..=10).map(|d| d as f32).collect());
    let mut retrievability = Histogram::new((0..20).map(|i| i as f32 * 5.0).collect());
    let mut recall_sum = 0.0_f64;
    let mut recall_n = 0_u32;
    let mut topics: Vec<(f64, u32, u32)> = vec![(0.0, 0, 0); input.tags.len()];
    for card in &input.cards {
        let Some(state) = &card.state else {
            states.new += 1;
            continue;
        };
        if state.suspended {
            states.suspended += 1;
        } else {
            match state.phase {
                Phase::New => states.new += 1,
                Phase::Learning | Phase::Relearning => states.learning += 1,
                Phase::Review if state.interval_days >= MATURE_DAYS => states.mature += 1,
                Phase::Review => states.young += 1,
            }
            if let Some(day) = due_day(state, input.now, rollover) {
                let day = match state.buried_until {
                    Some(until) if until > day => until,
                    _ => day,
                };
                let offset = day.since(today);
                if offset < 0 {
                    overdue += 1;
                }
                if let Some(slot) = forecast.get_mut(offset.max(0) as usize) {
                    if state.phase == Phase::Review {
                        slot.review += 1;
                    } else {
                        slot.learning += 1;
                    }
                }
            }
        }
        let (Some(memory), Some(last)) = (state.memory, state.last_review) else { continue };
        stability.add(memory.stability);
        difficulty.add(memory.difficulty);
        let recall = recall_probability(memory, last, input.now, decay);
        retrievability.add(recall * 100.0);
        recall_sum += f64::from(recall);
        recall_n += 1;
        for tag in &card.tags {
            if let Some(topic) = topics.get_mut(*tag as usize) {
                topic.0 += f64::from(recall);
                topic.1 += 1;
                topic.2 += state.lapses;
            }
        }
    }

    let mut activity: BTreeMap<Day, Activity> = BTreeMap::new();
    let mut retention: Vec<Retention> = Period::ALL
        .iter()
        .map(|&period| Retention { period, young: PassFail::default(), mature: PassFail::default() })
        .collect();
    let mut first_of_day: HashSet<(u32, Day)> = HashSet::new();
    let mut buttons = [Buttons::default(); 3];
    let first_day = today.plus(-(HEATMAP_DAYS - 1));
    for grade in &input.grades {
        let day = grade.at.day(rollover);
        if day < first_day || day > today {
            continue;
        }
        let slot = activity.entry(day).or_default();
        slot.answers += 1;
        slot.answer_ms += u64::from(grade.answer_ms);
        if grade.kind == ReviewKind::Cram {
            continue;
        }
        let group = match grade.kind {
            ReviewKind::Review if grade.last_interval >= MATURE_DAYS => 2,
            ReviewKind::Review => 1,
            _ => 0,
        };
        if let Some(b) = buttons.get_mut(group).and_then(|b| b.counts.get_mut(usize::from(u8::from(grade.rating)) - 1))
        {
            *b += 1;
        }
        // Anki's true retention: the first review of the day of each card
        // that had an interval of a day or more.
        if grade.kind != ReviewKind::Review || !first_of_day.insert((grade.key, day)) {
            continue;
        }
        let passed = u8::from(grade.rating) > 1;
        let age = today.since(day);
        for row in retention.iter_mut().filter(|r| r.period.contains(age)) {
            let cell = if grade.last_interval >= MATURE_DAYS { &mut row.mature } else { &mut row.young };
            if passed {
                cell.passed += 1;
            } else {
                cell.failed += 1;
            }
        }
    }

    let studied = |d: Day| activity.get(&d).is_some_and(|a| a.answers > 0);
    let mut streak = 0;
    let mut day = if studied(today) { today } else { today.plus(-1) };
    while studied(day) {
        streak += 1;
        day = day.plus(-1);
    }
    let mut longest_streak = 0;
    let mut run = 0;
    let mut previous: Option<Day> = None;
    for (&day, a) in &activity {
        if a.answers == 0 {
            continue;
        }
        run = if previous.is_some_and(|p| day.since(p) == 1) { run + 1 } else { 1 };
        longest_streak = longest_streak.max(run);
        previous = Some(day);
    }
    let minutes_per_day = (0..TIME_DAYS)
        .rev()
        .map(|age| activity.get(&today.plus(-age)).map_or(0.0, |a| a.answer_ms as f32 / 60_000.0))
        .collect();

    let mut ranked: Vec<Topic> = topics
        .iter()
        .zip(&input.tags)
        .filter(|((_, n, _), _)| *n as usize >= MIN_TOPIC_CARDS)
        .map(|((sum, n, lapses), tag)| Topic {
            tag: tag.clone(),
            cards: *n,
            average_recall: (*sum / f64::from(*n)) as f32,
            lapses: *lapses,
        })
        .collect();
    ranked.sort_by(|a, b| a.average_recall.total_cmp(&b.average_recall).then_with(|| a.tag.cmp(&b.tag)));
    let weakest = ranked.iter().take(WEAKEST_TOPICS).cloned().collect();
    ranked.sort_by(|a, b| b.lapses.cmp(&a.lapses).then_with(|| a.tag.cmp(&b.tag)));
    let most_lapses = ranked.into_iter().filter(|t| t.lapses > 0).take(WEAKEST_TOPICS).collect();

    Stats {
        today,
        forecast,
        overdue,
        days_studied: activity.values().filter(|a| a.answers > 0).count() as u32,
        answers_last_year: activity.values().map(|a| a.answers).sum(),
        activity,
        streak,
        longest_streak,
        retention,
        desired_retention: settings.desired_retention,
        states,
        stability,
        difficulty,
        retrievability,
        average_recall: (recall_n > 0).then(|| (recall_sum / f64::from(recall_n)) as f32),
        buttons,
        minutes_per_day,
        weakest,
        most_lapses,
        cards: input.cards.len(),
        grades: input.grades.len(),
    }
}

/// The study day a card falls due, for a card in learning or review.
fn due_day(state: &CardState, now: Moment, rollover: u8) -> Option<Day> {
    match state.due {
        Due::New => None,
        Due::At(ms) => Some(Moment::new(ms, now.offset_s).day(rollover)),
        Due::Day(day) => Some(day),
    }
}

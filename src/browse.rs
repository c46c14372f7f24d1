//! The card browser's rows, pure: an [`Index`] of every card's searchable
//! text (built once per library change), and [`rows`], the cards matching a
//! query in a chosen order with what the table shows (built once per query,
//! sort or progress change, never per frame).

use std::cmp::Ordering;

use crate::deck::Library;
use crate::query::{CardView, Query, Timing, haystack};
use crate::revlog::Progress;
use crate::schedule::{CardState, Phase, Scheduler};
use crate::study::CardRef;
use crate::text::normalise;
use crate::time::Moment;

/// Every card's searchable text, in library order.
#[derive(Debug, Clone, Default)]
pub struct Index {
    cards: Vec<(CardRef, String)>,
    deck_titles: Vec<String>,
}

impl Index {
    /// Normalises the text of every card in `library`.
    pub fn build(library: &Library) -> Index {
        let mut cards = Vec::with_capacity(library.card_count());
        for (d, loaded) in library.decks.iter().enumerate() {
            for (c, card) in loaded.deck.cards.iter().enumerate() {
                cards.push((CardRef { deck: d, card: c }, haystack(card)));
            }
        }
        let deck_titles = library.decks.iter().map(|d| normalise(&d.deck.title)).collect();
        Index { cards, deck_titles }
    }

    /// How many cards it holds.
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    /// Whether it holds no cards.
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }
}

/// One card of the table, with the values it is sorted by.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Where the card is in the library.
    pub card: CardRef,
    /// Its state (`None`: never touched).
    pub state: Option<CardState>,
    /// Due, retrievability, due now.
    pub timing: Timing,
    /// A bundled card with an override.
    pub edited: bool,
}

impl Row {
    /// "new", "learning", "review", "relearning", with "suspended" and
    /// "leech" when they apply.
    pub fn state_label(&self) -> String {
        let Some(state) = &self.state else { return "new".to_owned() };
        let mut label = match state.phase {
            Phase::New => "new",
            Phase::Learning => "learning",
            Phase::Review => "review",
            Phase::Relearning => "relearning",
        }
        .to_owned();
        if state.suspended {
            label.push_str(", suspended");
        }
        if state.leech {
            label.push_str(", leech");
        }
        label
    }
}

/// The columns the table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortColumn {
    /// Deck order, then card order.
    #[default]
    Deck,
    /// The question, alphabetically.
    Question,
    /// The answer, alphabetically.
    Answer,
    /// The kind.
    Kind,
    /// The tags, alphabetically.
    Tags,
    /// New, learning, review, relearning; suspended last.
    State,
    /// Due day; new cards last.
    Due,
    /// Interval in days.
    Interval,
    /// FSRS stability.
    Stability,
    /// FSRS difficulty.
    Difficulty,
    /// Recall probability now.
    Retrievability,
    /// Number of reviews.
    Reviews,
    /// Number of lapses.
    Lapses,
}

/// The order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sort {
    /// The column.
    pub column: SortColumn,
    /// Largest (or last) first.
    pub descending: bool,
}

/// The cards of `library` that match `query`, in `sort` order (ties in
/// library order), with their states and timing at `now`. `index` must be
/// built from this `library`.
pub fn rows(
    index: &Index,
    library: &Library,
    progress: &Progress,
    scheduler: &Scheduler,
    now: Moment,
    query: &Query,
    sort: Sort,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (r, text) in &index.cards {
        let Some(loaded) = library.decks.get(r.deck) else { continue };
        let Some(card) = loaded.deck.cards.get(r.card) else { continue };
        let state = progress.states.get(&loaded.deck.id).and_then(|s| s.get(&card.id));
        let timing = Timing::of(state, scheduler, now);
        let edited = library.is_edited(&loaded.deck.id, &card.id);
        let view = CardView {
            deck: &loaded.deck.id,
            deck_title: index.deck_titles.get(r.deck).map_or("", String::as_str),
            card,
            haystack: text,
            state,
            edited,
            timing,
        };
        if query.matches(&view) {
            rows.push(Row { card: *r, state: state.cloned(), timing, edited });
        }
    }
    sort_rows(&mut rows, library, sort);
    rows
}

fn card_text(library: &Library, r: CardRef, column: SortColumn) -> String {
    let Some(card) = library.decks.get(r.deck).and_then(|d| d.deck.cards.get(r.card)) else { return String::new() };
    match column {
        SortColumn::Question => card.question.to_lowercase(),
        SortColumn::Answer => card.answer.to_lowercase(),
        SortColumn::Kind => card.kind.name().to_owned(),
        _ => card.tags.join(" ").to_lowercase(),
    }
}

/// `None` sorts after every value, in both directions.
fn by_option<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            if descending { o.reverse() } else { o }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Sorts rows in place (stable, so ties keep library order).
pub fn sort_rows(rows: &mut [Row], library: &Library, sort: Sort) {
    let descending = sort.descending;
    let library_order = |a: &Row, b: &Row| (a.card.deck, a.card.card).cmp(&(b.card.deck, b.card.card));
    rows.sort_by(library_order);
    match sort.column {
        SortColumn::Deck => {
            if descending {
                rows.reverse();
            }
        }
        SortColumn::Question | SortColumn::Answer | SortColumn::Kind | SortColumn::Tags => {
            let mut keyed: Vec<(String, Row)> =
                rows.iter().map(|r| (card_text(library, r.card, sort.column), r.clone())).collect();
            keyed.sort_by(|a, b| if descending { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) });
            for (slot, (_, row)) in rows.iter_mut().zip(keyed) {
                *slot = row;
            }
        }
        column => rows.sort_by(|a, b| by_option(numeric(a, column), numeric(b, column), descending)),
    }
}

fn numeric(row: &Row, column: SortColumn) -> Option<f64> {
    let state = row.state.as_ref();
    match column {
        SortColumn::State => Some(match state {
            None => 0.0,
            Some(s) if s.suspended => 10.0,
            Some(s) => match s.phase {
                Phase::New => 0.0,
                Phase::Learning => 1.0,
                Phase::Review => 2.0,
                Phase::Relearning => 3.0,
            },
        }),
        SortColumn::Due => row.timing.due_in_days.map(f64::from),
        SortColumn::Interval => state.map(|s| f64::from(s.interval_days)),
        SortColumn::Stability => state.and_then(|s| s.memory).map(|m| f64::from(m.stability)),
        SortColumn::Difficulty => state.and_then(|s| s.memory).map(|m| f64::from(m.difficulty)),
        SortColumn::Retrievability => row.timing.retrievability.map(f64::from),
        SortColumn::Reviews => Some(f64::from(state.map_or(0, |s| s.reps))),
        SortColumn::Lapses => Some(f64::from(state.map_or(0, |s| s.lapses))),
        _ => None,
    }
}

//! The card browser's query language, pure: parse a query once, then test
//! each card's [`CardView`] against it. Free text is compared after
//! [`crate::text::normalise`], like every other comparison of human text.
//! [`HELP`] is the text the app shows for it.

use crate::deck::{Card, CardKind, DeckId};
use crate::schedule::{CardState, Due, Phase, Scheduler};
use crate::text::normalise;
use crate::time::Moment;

/// The query language, as the app's help shows it.
pub const HELP: &str = "\
Words match the question, answer, note and tags (case, accents and punctuation ignored).
Spaces mean AND: treaty 1921 finds cards with both words.
\"quotes\" match a phrase: \"oil concession\".
-word excludes: -tag:war means not tagged war.

deck:My                  cards of decks whose title or id starts with My
                         (deck:\"My cards\" for a title with spaces)
tag:war                  cards with a tag (tag:19* for a prefix)
source:12                cards citing paragraph 12 of the source text
kind:date                date, clause, actor, number, place, organization, event, concept
is:new                   never studied
is:due                   due now (learning) or today (review)
is:suspended  is:leech  is:edited  is:learning  is:review
prop:r<0.8               recall probability now (0 to 1)
prop:lapses>=3           also reps, interval (ivl), stability (s), difficulty (d),
                         due (days from today; negative is overdue)
                         operators: < <= > >= = !=";

/// A card as the query sees it: its deck, its text, and what the log says.
#[derive(Debug, Clone, Copy)]
pub struct CardView<'a> {
    /// The card's deck id.
    pub deck: &'a DeckId,
    /// The deck's title, normalised with [`normalise`].
    pub deck_title: &'a str,
    /// The card (with any override applied).
    pub card: &'a Card,
    /// [`haystack`] of the card, computed once per card, not per query.
    pub haystack: &'a str,
    /// The card's state, `None` for a card never touched.
    pub state: Option<&'a CardState>,
    /// A bundled card with a profile override.
    pub edited: bool,
    /// The facts that depend on the time, see [`Timing`].
    pub timing: Timing,
}

/// What depends on the current time: computed once per card when the rows
/// are built, so matching never reads the clock.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// Recall probability now, for cards graded at least once.
    pub retrievability: Option<f32>,
    /// Days from today to the due day (negative: overdue); `None` for new cards.
    pub due_in_days: Option<i32>,
    /// In today's queue by its due time (not counting limits).
    pub due_now: bool,
}

impl Timing {
    /// The timing of a card in `state` at `now`.
    pub fn of(state: Option<&CardState>, scheduler: &Scheduler, now: Moment) -> Timing {
        let Some(state) = state else { return Timing::default() };
        let rollover = scheduler.settings().rollover_hour;
        let today = scheduler.day(now);
        let due_in_days = match state.due {
            Due::New => None,
            Due::Day(day) => Some(day.since(today)),
            Due::At(ms) => Some(Moment::new(ms, now.offset_s).day(rollover).since(today)),
        };
        let due_now = !state.suspended
            && state.buried_until.is_none_or(|d| d <= today)
            && match state.due {
                Due::New => false,
                Due::Day(day) => day <= today,
                Due::At(ms) => ms <= now.unix_ms,
            };
        Timing { retrievability: scheduler.retrievability(state, now), due_in_days, due_now }
    }
}

/// The normalised text free words search: question, answer, accept forms,
/// note and tags, separated so a phrase does not run across fields.
pub fn haystack(card: &Card) -> String {
    let mut parts = vec![normalise(&card.question), normalise(&card.answer)];
    parts.extend(card.accept.iter().map(|a| normalise(a)));
    parts.push(normalise(&card.note));
    parts.extend(card.tags.iter().map(|t| normalise(t)));
    parts.retain(|p| !p.is_empty());
    parts.join(" | ")
}

/// A query that could not be read: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {}: {message}", .position + 1)]
pub struct QueryError {
    /// The 0-based character (not byte) offset of the problem.
    pub position: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// A parsed query: every term must match.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    terms: Vec<(bool, Term)>,
}

/// One condition; the `bool` beside it in [`Query`] negates it.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Text(String),
    Deck(Pattern),
    Tag(Pattern),
    Kind(CardKind),
    /// Cards citing this paragraph of the source text.
    Source(u32),
    Is(Flag),
    Prop(Property, Comparison, f64),
}

#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    /// Normalised text.
    text: String,
    /// A trailing `*`: match the start only.
    prefix: bool,
}

impl Pattern {
    fn new(raw: &str) -> Pattern {
        match raw.strip_suffix('*') {
            Some(stem) => Pattern { text: normalise(stem), prefix: true },
            None => Pattern { text: normalise(raw), prefix: false },
        }
    }

    /// Matches the start of a value, with or without a trailing `*`.
    fn prefix(raw: &str) -> Pattern {
        Pattern { text: normalise(raw.strip_suffix('*').unwrap_or(raw)), prefix: true }
    }

    fn matches(&self, value: &str) -> bool {
        let value = normalise(value);
        if self.prefix { value.starts_with(&self.text) } else { value == self.text }
    }

    fn matches_normalised(&self, value: &str) -> bool {
        if self.prefix { value.starts_with(&self.text) } else { value == self.text }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    New,
    Due,
    Suspended,
    Leech,
    Edited,
    Learning,
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    Retrievability,
    Lapses,
    Reps,
    Interval,
    Stability,
    Difficulty,
    Due,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Comparison {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Equal => (left - right).abs() < 1e-9,
            Comparison::NotEqual => (left - right).abs() >= 1e-9,
        }
    }
}

/// Parses a query. An empty query matches every card.
///
/// # Errors
/// An unclosed quote, an unknown `field:`, `kind:` or `is:` value, or a
/// `prop:` that is not `NAME OP NUMBER`; the error gives the character
/// position and what to write.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut terms = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
            continue;
        }
        let start = i;
        let negated = chars.get(i) == Some(&'-');
        if negated {
            i += 1;
        }
        let word_start = i;
        let (word, quoted, next) = read_word(&chars, i)?;
        i = next;
        if word.is_empty() && !quoted {
            return Err(QueryError { position: start, message: "a lone '-' excludes nothing: write -word".into() });
        }
        let term = if quoted { text_term(&word, word_start)? } else { field_term(&word, word_start)? };
        terms.push((negated, term));
    }
    Ok(Query { terms })
}

/// Reads a bare word or a quoted phrase starting at `i`; returns the text,
/// whether it was quoted, and the index after it.
fn read_word(chars: &[char], mut i: usize) -> Result<(String, bool, usize), QueryError> {
    if chars.get(i) == Some(&'"') {
        let open = i;
        i += 1;
        let mut word = String::new();
        loop {
            match chars.get(i) {
                None => {
                    return Err(QueryError {
                        position: open,
                        message: "this quote is never closed: add a closing \"".into(),
                    });
                }
                Some('"') => return Ok((word, true, i + 1)),
                Some(&c) => word.push(c),
            }
            i += 1;
        }
    }
    let mut word = String::new();
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            break;
        }
        // A quoted value after a field: deck:"My notes".
        if c == '"' && word.ends_with(':') {
            let (value, _, next) = read_word(chars, i)?;
            word.push('"');
            word.push_str(&value);
            return Ok((word, false, next));
        }
        word.push(c);
        i += 1;
    }
    Ok((word, false, i))
}

fn text_term(text: &str, position: usize) -> Result<Term, QueryError> {
    let normalised = normalise(text);
    if normalised.is_empty() {
        return Err(QueryError {
            position,
            message: "this term has no letters or digits to search for: remove it".into(),
        });
    }
    Ok(Term::Text(normalised))
}

/// A `field:value` term, or plain text when the word has no known field.
/// `start` is the word's character position, for errors.
fn field_term(word: &str, start: usize) -> Result<Term, QueryError> {
    let Some((field, value)) = word.split_once(':') else { return text_term(word, start) };
    // A quoted value (deck:"My notes") was read with its opening quote.
    let (value, quote) = match value.strip_prefix('"') {
        Some(v) => (v, 1),
        None => (value, 0),
    };
    let value_at = |field: &str| start + field.chars().count() + 1 + quote;
    let field_lower = field.to_lowercase();
    let needs_value =
        |what: &str| QueryError { position: start, message: format!("{field}: needs a value, such as {what}") };
    match field_lower.as_str() {
        "deck" if value.is_empty() => Err(needs_value("deck:soviet-iran-dates")),
        // Deck names are matched from their start, as Anki's deck:My* does.
        "deck" => Ok(Term::Deck(Pattern::prefix(value))),
        "source" => value.parse::<u32>().map(Term::Source).map_err(|_| QueryError {
            position: value_at(field),
            message: format!("{value:?} is not a paragraph number: use source:12"),
        }),
        "tag" if value.is_empty() => Err(needs_value("tag:war")),
        "tag" => Ok(Term::Tag(Pattern::new(value))),
        "kind" => {
            let lower = value.to_lowercase();
            CardKind::ALL.iter().find(|k| k.name() == lower).map(|k| Term::Kind(*k)).ok_or_else(|| QueryError {
                position: value_at(field),
                message: format!(
                    "{value:?} is not a kind: use one of {}",
                    CardKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                ),
            })
        }
        "is" => {
            let flag = match value.to_lowercase().as_str() {
                "new" => Flag::New,
                "due" => Flag::Due,
                "suspended" => Flag::Suspended,
                "leech" => Flag::Leech,
                "edited" => Flag::Edited,
                "learning" | "learn" => Flag::Learning,
                "review" => Flag::Review,
                _ => {
                    return Err(QueryError {
                        position: value_at(field),
                        message: format!(
                            "is:{value} is not known: use is:new, is:due, is:suspended, is:leech, is:edited, is:learning or is:review"
                        ),
                    });
                }
            };
            Ok(Term::Is(flag))
        }
        "prop" => prop_term(value, value_at(field)),
        // Not a field we know: a colon in plain text ("1:2") is text.
        _ => text_term(word, start),
    }
}

fn prop_term(value: &str, position: usize) -> Result<Term, QueryError> {
    let name_len = value.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(value.len());
    let (name, rest) = value.split_at(name_len);
    let property = match name.to_lowercase().as_str() {
        "r" | "retrievability" => Property::Retrievability,
        "lapses" => Property::Lapses,
        "reps" => Property::Reps,
        "interval" | "ivl" => Property::Interval,
        "stability" | "s" => Property::Stability,
        "difficulty" | "d" => Property::Difficulty,
        "due" => Property::Due,
        _ => {
            return Err(QueryError {
                position,
                message: format!(
                    "prop:{name} is not known: use r, lapses, reps, interval, stability, difficulty or due, as in prop:r<0.8"
                ),
            });
        }
    };
    let (comparison, number) = if let Some(n) = rest.strip_prefix("<=") {
        (Comparison::LessOrEqual, n)
    } else if let Some(n) = rest.strip_prefix(">=") {
        (Comparison::GreaterOrEqual, n)
    } else if let Some(n) = rest.strip_prefix("!=") {
        (Comparison::NotEqual, n)
    } else if let Some(n) = rest.strip_prefix('<') {
        (Comparison::Less, n)
    } else if let Some(n) = rest.strip_prefix('>') {
        (Comparison::Greater, n)
    } else if let Some(n) = rest.strip_prefix('=') {
        (Comparison::Equal, n)
    } else {
        return Err(QueryError {
            position: position + name.chars().count(),
            message: format!(
                "prop:{name} needs a comparison: <, <=, >, >=, = or !=, then a number, as in prop:{name}>=3"
            ),
        });
    };
    let number_at = position + value.chars().count() - number.chars().count();
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Term::Prop(property, comparison, n)),
        _ => Err(QueryError {
            position: number_at,
            message: format!("{number:?} is not a number: write one such as 3 or 0.8"),
        }),
    }
}

impl Query {
    /// Whether the query has no terms (it matches every card).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `card` meets every term.
    pub fn matches(&self, card: &CardView<'_>) -> bool {
        self.terms.iter().all(|(negated, term)| term.matches(card) != *negated)
    }
}

impl Term {
    fn matches(&self, view: &CardView<'_>) -> bool {
        let state = view.state;
        match self {
            Term::Text(text) => view.haystack.contains(text.as_str()),
            Term::Deck(pattern) => pattern.matches(&view.deck.0) || pattern.matches_normalised(view.deck_title),
            Term::Tag(pattern) => view.card.tags.iter().any(|t| pattern.matches(t)),
            Term::Kind(kind) => view.card.kind == *kind,
            Term::Source(paragraph) => view.card.source.as_ref().is_some_and(|s| s.paragraph == *paragraph),
            Term::Is(flag) => match flag {
                Flag::New => state.is_none_or(|s| s.phase == Phase::New),
                Flag::Due => view.timing.due_now,
                Flag::Suspended => state.is_some_and(|s| s.suspended),
                Flag::Leech => state.is_some_and(|s| s.leech),
                Flag::Edited => view.edited,
                Flag::Learning => state.is_some_and(|s| matches!(s.phase, Phase::Learning | Phase::Relearning)),
                Flag::Review => state.is_some_and(|s| s.phase == Phase::Review),
            },
            Term::Prop(property, comparison, right) => {
                let left = match property {
                    Property::Retrievability => view.timing.retrievability.map(f64::from),
                    Property::Lapses => Some(f64::from(state.map_or(0, |s| s.lapses))),
                    Property::Reps => Some(f64::from(state.map_or(0, |s| s.reps))),
                    Property::Interval => state.map(|s| f64::from(s.interval_days)),
                    Property::Stability => state.and_then(|s| s.memory).map(|m| f64::from(m.stability)),
                    Property::Difficulty => state.and_then(|s| s.memory).map(|m| f64::from(m.difficulty)),
                    Property::Due => view.timing.due_in_days.map(f64::from),
                };
                left.is_some_and(|left| comparison.holds(left, *right))
            }
        }
    }
}

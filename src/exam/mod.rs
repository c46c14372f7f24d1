//! Mock exams: questions built from cards, deterministic for a seed.
//! Multiple choice draws its wrong options from cards of the same kind and
//! the same written form; timelines use dates whose order is certain; true
//! or false pairs a question with the right answer or a wrong one. When a
//! format cannot be built honestly for a card, it is dropped for that card
//! and the exam says so.

mod calibration;
mod readiness;
mod score;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::deck::{CardKind, Library};
use crate::text::{normalise, parse_date};

pub use calibration::{Calibration, MIN_ANSWERS, compare};
pub use readiness::{Plan, Readiness, ScopeCard, forecast, forecast_recall, plan, readiness};
pub use score::{AlmostCounts, Given, Mark, Marking, Scored, Tally, can_appeal, mark, pairs_in_order, points, score};

/// The era tags of the bundled decks, in time order; exams and readiness
/// group by them, and every other tag is a topic.
pub const ERAS: [&str; 6] = ["1917-1921", "1920s", "1930s", "1941-1946", "1946-1978", "1979-1991"];

/// A question format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Four options, one right.
    MultipleChoice,
    /// Type the answer.
    Typed,
    /// Is this statement right?
    TrueFalse,
    /// Put 4 to 6 dated events in order.
    Timeline,
}

impl Format {
    /// All formats.
    pub const ALL: [Format; 4] = [Format::MultipleChoice, Format::Typed, Format::TrueFalse, Format::Timeline];

    /// The short name used on the command line.
    pub fn short(self) -> &'static str {
        match self {
            Format::MultipleChoice => "mc",
            Format::Typed => "typed",
            Format::TrueFalse => "tf",
            Format::Timeline => "timeline",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Format::MultipleChoice => "multiple choice",
            Format::Typed => "typed answer",
            Format::TrueFalse => "true or false",
            Format::Timeline => "timeline",
        }
    }

    /// Reads a short name.
    pub fn from_short(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.short() == name)
    }
}

/// A card as an exam sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamCard {
    /// Its deck's id.
    pub deck: String,
    /// Its id.
    pub card: String,
    /// What kind of thing the answer is.
    pub kind: CardKind,
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
    /// Other accepted forms.
    pub accept: Vec<String>,
    /// Tags (era and topics).
    pub tags: Vec<String>,
    /// The source paragraph.
    pub paragraph: Option<u32>,
    /// The note.
    pub note: String,
    /// Today's recall probability (`None`: never studied), for weighting.
    pub recall: Option<f32>,
    /// The fact as a sentence with `{answer}` in the answer's place (may be
    /// empty).
    pub statement: String,
    /// Curated wrong answers (may be empty).
    pub distractors: Vec<String>,
    /// A timeline headline (date cards; may be empty).
    pub event: String,
    /// Its siblings ("deck/card"): cards on the same fact, whose questions
    /// give each other's answers away, so one paper asks only one of them.
    pub siblings: Vec<String>,
}

impl ExamCard {
    /// The card's era tag, if it has one.
    pub fn era(&self) -> Option<&str> {
        crate::deck::era_of(&self.tags).map(|(tag, _)| tag)
    }

    /// The statement with `value` in the answer's place.
    pub fn statement_with(&self, value: &str) -> Option<String> {
        crate::deck::fill_statement(&self.statement, value)
    }

    /// The timeline headline: the curated one, or one made from the question.
    pub fn headline(&self) -> String {
        if self.event.trim().is_empty() { event_of(&self.question) } else { self.event.clone() }
    }
}

/// What an exam covers and how it is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamSpec {
    /// How many questions (at most the cards available).
    pub count: usize,
    /// Formats to mix; empty means all.
    pub formats: Vec<Format>,
    /// The seed: the same seed and scope give the same exam.
    pub seed: u64,
    /// Ask about the weakest cards (lowest recall, unstudied first).
    pub weak_first: bool,
    /// Cards to ask first, as "deck/card" (the ones missed last time).
    #[serde(default)]
    pub first: Vec<String>,
}

/// The right answer of a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Correct {
    /// The index of the right option.
    Option {
        /// 0-based.
        index: usize,
    },
    /// The text to type, and other accepted forms.
    Text {
        /// The card's answer.
        answer: String,
        /// Accepted forms.
        accept: Vec<String>,
    },
    /// Whether the statement is true.
    Bool {
        /// True or false.
        value: bool,
    },
    /// The options' indices from earliest to latest.
    Order {
        /// A permutation of the options.
        order: Vec<usize>,
    },
}

/// One exam question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Its format.
    pub format: Format,
    /// What the student reads.
    pub prompt: String,
    /// The options (multiple choice), the proposed answer (true or false),
    /// or the events to order (timeline).
    pub options: Vec<String>,
    /// The right answer.
    pub correct: Correct,
    /// The cards it came from (one; several for a timeline), as "deck/card".
    pub cards: Vec<String>,
    /// True or false: the true statement (the fact, with the right answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    /// True or false: the value placed in the statement shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown: Option<String>,
    /// Timeline: each option's date, in option order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<String>,
}

/// A built exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exam {
    /// The questions in order.
    pub questions: Vec<Question>,
    /// Formats dropped for some cards, and why.
    pub notes: Vec<String>,
}

/// The cards of a library that pass `keep`, with today's recall from `recall`.
pub fn exam_cards(
    library: &Library,
    mut recall: impl FnMut(&str, &str) -> Option<f32>,
    mut keep: impl FnMut(&str, &crate::Card) -> bool,
) -> Vec<ExamCard> {
    let mut siblings: HashMap<String, Vec<String>> = HashMap::new();
    for (a, b) in library.sibling_pairs() {
        siblings.entry(a).or_default().push(b);
    }
    let mut out = Vec::new();
    for loaded in &library.decks {
        for card in &loaded.deck.cards {
            if !keep(&loaded.deck.id.0, card) {
                continue;
            }
            let reference = format!("{}/{}", loaded.deck.id.0, card.id.0);
            out.push(ExamCard {
                deck: loaded.deck.id.0.to_string(),
                card: card.id.0.to_string(),
                kind: card.kind,
                question: card.question.clone(),
                answer: card.answer.clone(),
                accept: card.accept.clone(),
                tags: card.tags.clone(),
                paragraph: card.source.as_ref().map(|s| s.paragraph),
                note: card.note.clone(),
                recall: recall(&loaded.deck.id.0, &card.id.0),
                statement: card.statement.clone(),
                distractors: card.distractors.clone(),
                event: card.event.clone(),
                siblings: siblings.remove(&reference).unwrap_or_default(),
            });
        }
    }
    out
}

/// The written form of an answer, so that options look alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    FullDate,
    MonthYear,
    Year,
    Clause,
    Number,
    Text,
}

fn form_of(answer: &str) -> Form {
    let norm = normalise(answer);
    if let Some(date) = parse_date(answer) {
        return if date.day.is_some() { Form::FullDate } else { Form::MonthYear };
    }
    if norm.len() == 4 && norm.chars().all(|c| c.is_ascii_digit()) {
        return Form::Year;
    }
    if norm.starts_with("clause") {
        return Form::Clause;
    }
    if norm.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return Form::Number;
    }
    Form::Text
}

/// A sortable span of time for a date answer: (first day, last day) as
/// yyyymmdd numbers.
fn date_span(answer: &str) -> Option<(u32, u32)> {
    let norm = normalise(answer);
    if let Some(date) = parse_date(answer) {
        let base = u32::try_from(date.year).ok()? * 10_000 + u32::from(date.month) * 100;
        return Some(match date.day {
            Some(d) => (base + u32::from(d), base + u32::from(d)),
            None => (base + 1, base + 31),
        });
    }
    if norm.len() == 4 && norm.chars().all(|c| c.is_ascii_digit()) {
        let year: u32 = norm.parse().ok()?;
        return Some((year * 10_000 + 101, year * 10_000 + 1231));
    }
    None
}

/// Whether `value` is a wrong answer for `card`: not its answer, not an
/// accept form, not a date that overlaps the right one (1941 is not wrong
/// for August 1941).
fn is_wrong_for(card: &ExamCard, value: &str) -> bool {
    if crate::answer::check(value, &card.answer, &card.accept) == crate::answer::Verdict::Correct {
        return false;
    }
    match (date_span(&card.answer), date_span(value)) {
        (Some(a), Some(b)) => b.1 < a.0 || a.1 < b.0,
        _ => true,
    }
}

/// Wrong options for `card`, at most `needed`: its curated distractors
/// first (in a seeded order), then answers of other cards of the same kind,
/// written form and era, nearest in time for dates and in length
/// otherwise. Options never cross eras, and all are distinct once
/// normalised. Fewer than `needed` means there are not that many plausible
/// ones.
fn distractors(card: &ExamCard, pool: &[ExamCard], needed: usize, rng: &mut impl Rng) -> Vec<String> {
    let mut taken: HashSet<String> = std::iter::once(&card.answer).chain(&card.accept).map(|a| normalise(a)).collect();
    let mut chosen = Vec::new();
    let mut curated: Vec<&String> = card.distractors.iter().collect();
    curated.shuffle(rng);
    for d in curated {
        if chosen.len() == needed {
            return chosen;
        }
        if is_wrong_for(card, d) && taken.insert(normalise(d)) {
            chosen.push(d.clone());
        }
    }
    let form = form_of(&card.answer);
    let era = card.era();
    let mut candidates: Vec<(u64, &str)> = pool
        .iter()
        .filter(|other| other.kind == card.kind && form_of(&other.answer) == form && other.era() == era)
        .map(|other| {
            let distance = match (date_span(&card.answer), date_span(&other.answer)) {
                (Some(a), Some(b)) => u64::from(a.0.abs_diff(b.0)),
                _ => card.answer.chars().count().abs_diff(other.answer.chars().count()) as u64,
            };
            (distance, other.answer.as_str())
        })
        .collect();
    candidates.sort();
    for (_, answer) in candidates {
        if chosen.len() == needed {
            break;
        }
        if is_wrong_for(card, answer) && taken.insert(normalise(answer)) {
            chosen.push(answer.to_owned());
        }
    }
    chosen
}

fn card_ref(card: &ExamCard) -> String {
    format!("{}/{}", card.deck, card.card)
}

/// Why a format could not be built for a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Skip {
    /// Fewer than three plausible wrong options.
    FewOptions,
    /// No statement to make a true-or-false item from.
    NoStatement,
    /// Not a dated event, or too few dates apart from it.
    NoTimeline,
}

/// Builds an exam from `cards` (the scope) by `spec`. The same cards and
/// spec always give the same exam.
pub fn build(cards: &[ExamCard], spec: &ExamSpec) -> Exam {
    let mut rng = rand::rngs::StdRng::seed_from_u64(spec.seed);
    let formats: Vec<Format> = if spec.formats.is_empty() { Format::ALL.to_vec() } else { spec.formats.clone() };
    let mut order: Vec<usize> = (0..cards.len()).collect();
    order.shuffle(&mut rng);
    if spec.weak_first {
        order.sort_by(|&a, &b| {
            let r = |i: usize| cards.get(i).and_then(|c| c.recall).unwrap_or(0.0);
            r(a).total_cmp(&r(b))
        });
    }
    if !spec.first.is_empty() {
        // Stable: the missed cards first, each group in its own order.
        order.sort_by_key(|&i| cards.get(i).is_none_or(|c| !spec.first.contains(&card_ref(c))));
    }
    let index: HashMap<String, usize> = cards.iter().enumerate().map(|(i, c)| (card_ref(c), i)).collect();
    let mut questions = Vec::new();
    let mut used: HashSet<usize> = HashSet::new();
    let mut skipped: std::collections::BTreeMap<(Format, Skip), usize> = std::collections::BTreeMap::new();
    let mut unasked = 0usize;
    let mut left_as_siblings = 0usize;
    let mut turn = 0usize;
    for &i in &order {
        if questions.len() >= spec.count {
            break;
        }
        if used.contains(&i) {
            continue;
        }
        let Some(card) = cards.get(i) else { continue };
        // Rotate through the chosen formats; fall back to the next one that
        // can be built for this card.
        let mut built = None;
        for k in 0..formats.len() {
            let Some(&format) = formats.get((turn + k) % formats.len()) else { continue };
            let attempt = match format {
                Format::Typed => Ok((typed(card), vec![i])),
                Format::MultipleChoice => multiple_choice(card, cards, &mut rng).map(|q| (q, vec![i])),
                Format::TrueFalse => true_false(card, cards, &mut rng).map(|q| (q, vec![i])),
                Format::Timeline => timeline(i, cards, &order, &used, &mut rng),
            };
            match attempt {
                Ok(q) => {
                    built = Some(q);
                    break;
                }
                // A card that cannot join a timeline is asked another way
                // when other formats are chosen too: nothing to say.
                Err(Skip::NoTimeline) if formats.len() > 1 => {}
                Err(why) => *skipped.entry((format, why)).or_default() += 1,
            }
        }
        turn += 1;
        match built {
            Some((question, card_indices)) => {
                // A sibling's question would give this answer away (or
                // this question its answer): not on the same paper.
                let siblings: Vec<usize> = card_indices
                    .iter()
                    .filter_map(|&k| cards.get(k))
                    .flat_map(|c| c.siblings.iter().filter_map(|s| index.get(s).copied()))
                    .collect();
                used.extend(card_indices);
                for k in siblings {
                    if used.insert(k) {
                        left_as_siblings += 1;
                    }
                }
                questions.push(question);
            }
            None => unasked += 1,
        }
    }
    let mut notes = Vec::new();
    for ((format, why), n) in skipped {
        let cards_word = if n == 1 { "card" } else { "cards" };
        notes.push(match why {
            Skip::FewOptions => format!(
                "Multiple choice was left out for {n} {cards_word} with fewer than 3 plausible wrong options from the same era."
            ),
            Skip::NoStatement => {
                format!("True or false was left out for {n} {cards_word} that have no statement to judge.")
            }
            Skip::NoTimeline => format!(
                "A {} was not possible for {n} {cards_word}: a timeline needs 4 dated events at distinct dates.",
                format.label()
            ),
        });
    }
    if questions.len() < spec.count {
        let mut why = if unasked > 0 {
            format!("{unasked} cards in the scope suit none of the chosen formats")
        } else if questions.iter().any(|q| q.format == Format::Timeline) {
            format!("the scope has {} cards, and each timeline uses 4 to 6 of them", cards.len())
        } else {
            format!("the scope has only {} cards", cards.len())
        };
        if left_as_siblings > 0 {
            let _ = write!(
                why,
                "; {left_as_siblings} were left out as siblings of cards asked (their questions give each other's answers away)"
            );
        }
        notes.push(format!("This exam has {} questions, not {}: {why}.", questions.len(), spec.count));
    }
    Exam { questions, notes }
}

fn typed(card: &ExamCard) -> Question {
    Question {
        format: Format::Typed,
        prompt: card.question.clone(),
        options: Vec::new(),
        correct: Correct::Text { answer: card.answer.clone(), accept: card.accept.clone() },
        cards: vec![card_ref(card)],
        fact: card.statement_with(&card.answer),
        shown: None,
        dates: Vec::new(),
    }
}

fn multiple_choice(card: &ExamCard, pool: &[ExamCard], rng: &mut impl Rng) -> Result<Question, Skip> {
    let mut options = distractors(card, pool, 3, rng);
    if options.len() < 3 {
        return Err(Skip::FewOptions);
    }
    let index = rng.random_range(0..=options.len());
    options.insert(index, card.answer.clone());
    Ok(Question {
        format: Format::MultipleChoice,
        prompt: card.question.clone(),
        options,
        correct: Correct::Option { index },
        cards: vec![card_ref(card)],
        fact: card.statement_with(&card.answer),
        shown: None,
        dates: Vec::new(),
    })
}

/// The card's statement, with the right answer or one wrong option in
/// place: a declarative sentence to judge.
fn true_false(card: &ExamCard, pool: &[ExamCard], rng: &mut impl Rng) -> Result<Question, Skip> {
    let fact = card.statement_with(&card.answer).ok_or(Skip::NoStatement)?;
    let value = rng.random_bool(0.5);
    let shown = if value {
        card.answer.clone()
    } else {
        distractors(card, pool, 1, rng).into_iter().next().ok_or(Skip::FewOptions)?
    };
    let sentence = card.statement_with(&shown).ok_or(Skip::NoStatement)?;
    Ok(Question {
        format: Format::TrueFalse,
        prompt: sentence,
        options: vec![shown.clone()],
        correct: Correct::Bool { value },
        cards: vec![card_ref(card)],
        fact: Some(fact),
        shown: Some(shown),
        dates: Vec::new(),
    })
}

/// A timeline of 4 to 6 date cards (starting with card `first`) whose
/// dates cannot overlap, so the order is certain.
fn timeline(
    first: usize,
    cards: &[ExamCard],
    order: &[usize],
    used: &HashSet<usize>,
    rng: &mut impl Rng,
) -> Result<(Question, Vec<usize>), Skip> {
    let card = cards.get(first).ok_or(Skip::NoTimeline)?;
    if !is_timeline_event(card) {
        return Err(Skip::NoTimeline);
    }
    let mut chosen: Vec<(usize, (u32, u32))> = vec![(first, date_span(&card.answer).ok_or(Skip::NoTimeline)?)];
    let size = rng.random_range(4..=6);
    for &i in order {
        if chosen.len() == size {
            break;
        }
        if i == first || used.contains(&i) {
            continue;
        }
        let Some(other) = cards.get(i) else { continue };
        if !is_timeline_event(other) {
            continue;
        }
        let Some(span) = date_span(&other.answer) else { continue };
        let sibling = chosen.iter().filter_map(|(k, _)| cards.get(*k)).any(|c| c.siblings.contains(&card_ref(other)));
        if !sibling && chosen.iter().all(|(_, s)| span.1 < s.0 || s.1 < span.0) {
            chosen.push((i, span));
        }
    }
    if chosen.len() < 4 {
        return Err(Skip::NoTimeline);
    }
    let picked: Vec<&ExamCard> = chosen.iter().filter_map(|(i, _)| cards.get(*i)).collect();
    let mut ranked: Vec<(usize, u32)> = chosen.iter().enumerate().map(|(k, (_, span))| (k, span.0)).collect();
    ranked.sort_by_key(|&(_, start)| start);
    Ok((
        Question {
            format: Format::Timeline,
            prompt: "Put these events in order, earliest first.".to_owned(),
            options: picked.iter().map(|c| c.headline()).collect(),
            correct: Correct::Order { order: ranked.into_iter().map(|(k, _)| k).collect() },
            cards: picked.iter().map(|c| card_ref(c)).collect(),
            fact: None,
            shown: None,
            dates: picked.iter().map(|c| c.answer.clone()).collect(),
        },
        chosen.into_iter().map(|(i, _)| i).collect(),
    ))
}

/// A date card that names a moment (not "until when" or "by when"), so it
/// reads as an event on a timeline.
fn is_timeline_event(card: &ExamCard) -> bool {
    let q = card.question.to_lowercase();
    card.kind == CardKind::Date
        && !q.starts_with("until ")
        && !q.starts_with("by what")
        && !q.starts_with("for which period")
}

/// The event a date question asks about, without its "When…?" framing:
/// "On what date did Soviet troops enter northern Iran?" becomes "Soviet
/// troops enter northern Iran".
pub fn event_of(question: &str) -> String {
    const PREFIXES: [&str; 14] = [
        "on what date in 1920 did ",
        "on what date in 1945 was ",
        "on what date did ",
        "on what date was ",
        "in what month and year did ",
        "in what month and year was ",
        "in what month and year were ",
        "in what year did ",
        "in what year was ",
        "in what year were ",
        "when did ",
        "when was ",
        "when were ",
        "by what year had ",
    ];
    let trimmed = question.trim().trim_end_matches('?');
    let lower = trimmed.to_lowercase();
    for prefix in PREFIXES {
        if lower.starts_with(prefix)
            && let Some(rest) = trimmed.get(prefix.len()..)
        {
            let mut chars = rest.chars();
            return chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        }
    }
    trimmed.to_owned()
}

impl Question {
    /// The right answer as text, for an answer key.
    pub fn answer_text(&self) -> String {
        match &self.correct {
            Correct::Option { index } => self.options.get(*index).cloned().unwrap_or_default(),
            Correct::Text { answer, .. } => answer.clone(),
            Correct::Bool { value } => match &self.fact {
                Some(fact) if !*value => format!("false: {fact}"),
                _ => if *value { "true" } else { "false" }.to_owned(),
            },
            Correct::Order { order } => order
                .iter()
                .filter_map(|&i| {
                    let event = self.options.get(i)?;
                    Some(match self.dates.get(i) {
                        Some(date) => format!("{event} ({date})"),
                        None => event.clone(),
                    })
                })
                .collect::<Vec<_>>()
                .join(" → "),
        }
    }
}

/// The exam as Markdown: the questions, then the answer key.
pub fn to_markdown(exam: &Exam, title: &str) -> String {
    use std::fmt::Write as _;
    let mut out = format!("# {title}\n\n");
    for (n, q) in exam.questions.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", n + 1, q.prompt);
        match q.format {
            Format::MultipleChoice => {
                for (k, option) in q.options.iter().enumerate() {
                    let letter = char::from(b'a' + (k as u8 % 26));
                    let _ = writeln!(out, "   {letter}) {option}");
                }
            }
            Format::Timeline => {
                for (k, option) in q.options.iter().enumerate() {
                    let letter = char::from(b'a' + (k as u8 % 26));
                    let _ = writeln!(out, "   {letter}) {option}");
                }
            }
            Format::Typed => out.push_str("   Answer: ______________________\n"),
            Format::TrueFalse => out.push_str("   True / False\n"),
        }
        out.push('\n');
    }
    out.push_str("## Answer key\n\n");
    for (n, q) in exam.questions.iter().enumerate() {
        let key = match &q.correct {
            Correct::Option { index } => {
                format!("{}) {}", char::from(b'a' + (*index as u8 % 26)), q.answer_text())
            }
            Correct::Order { order } => {
                let letters: Vec<String> =
                    order.iter().map(|i| char::from(b'a' + (*i as u8 % 26)).to_string()).collect();
                format!("{}: {}", letters.join(", "), q.answer_text())
            }
            _ => q.answer_text(),
        };
        let _ = writeln!(out, "{}. {key} ({})", n + 1, q.cards.join(", "));
    }
    if !exam.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for note in &exam.notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}

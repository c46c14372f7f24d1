//! `yadgar check`: validates deck files and, given the source text, checks
//! that every card's answer is stated in the paragraph it cites and that its
//! exam data is honest: distractors of the answer's shape, from its era and
//! from the text, statements that do not give the answer away, and siblings
//! linked.

use std::collections::{BTreeSet, HashSet};

use crate::deck::{Card, CardKind, Deck, DeckError, DeckOrigin, Library, cut};
use crate::ground::SourceText;
use crate::text::{contains_words, dates_in, normalise, parse_date};

/// What `yadgar check` found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// One line per problem, ready to print.
    pub problems: Vec<String>,
    /// Things worth fixing that do not make the deck wrong (unlinked
    /// siblings), one line each.
    pub warnings: Vec<String>,
    /// Decks that loaded.
    pub decks: usize,
    /// Cards in those decks.
    pub cards: usize,
    /// With a source text: the paragraphs no card cites (not an error: a
    /// small deck need not cover the whole text).
    pub uncited_paragraphs: Vec<usize>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks parsed decks together (ids must be unique across files) and, with
/// `source`, checks each card's grounding and exam data.
pub fn check(results: Vec<(String, Result<Deck, DeckError>)>, source: Option<&SourceText>) -> CheckReport {
    let library = Library::from_results(results.into_iter().map(|(file, r)| (file, DeckOrigin::Profile, r)));
    check_library(&library, source)
}

/// [`check`] on a library that is already loaded.
pub fn check_library(library: &Library, source: Option<&SourceText>) -> CheckReport {
    let mut report = CheckReport {
        problems: library.errors.iter().map(ToString::to_string).collect(),
        warnings: Vec::new(),
        decks: library.decks.len(),
        cards: library.card_count(),
        uncited_paragraphs: Vec::new(),
    };
    for loaded in &library.decks {
        for card in &loaded.deck.cards {
            let at = |why: String| format!("{}: card {:?}: {why}", loaded.file, card.id.0);
            for why in own_answer_in_question(card).into_iter().chain(statement_gives_away(card)) {
                report.problems.push(at(why));
            }
            for sibling in &card.siblings {
                if library.resolve_sibling(&loaded.deck.id.0, sibling).is_some() {
                    continue;
                }
                match sibling.split_once('/') {
                    Some((deck, _)) if !library.decks.iter().any(|d| d.deck.id.0 == deck) => report
                        .warnings
                        .push(at(format!("sibling {sibling:?} is in deck {deck:?}, which is not being checked"))),
                    _ => report.problems.push(at(format!("sibling {sibling:?} is not a card of its deck"))),
                }
            }
        }
    }
    for (a, b) in unlinked_giveaways(library) {
        report
            .warnings
            .push(format!("card {a}'s question states the answer of card {b} (same paragraph): link them as siblings"));
    }
    let Some(source) = source else { return report };
    let mut cited = BTreeSet::new();
    for loaded in &library.decks {
        // A deck written from another text cannot be checked against this one.
        if let Some(expected) = &loaded.deck.source_sha256
            && !expected.eq_ignore_ascii_case(source.fingerprint())
        {
            report.problems.push(format!(
                "{}: the deck was written from a source text with SHA-256 {expected}, but the text given has {}: \
                 pass the text the deck was made from (line ends do not matter)",
                loaded.file,
                source.fingerprint()
            ));
            continue;
        }
        for card in &loaded.deck.cards {
            if let Some(s) = &card.source {
                cited.insert(s.paragraph as usize);
            }
            if let Err(why) = source.check(card) {
                report.problems.push(format!("{}: card {:?} is not grounded: {why}", loaded.file, card.id.0));
            }
            for why in distractor_problems(card, source) {
                report.problems.push(format!("{}: card {:?}: {why}", loaded.file, card.id.0));
            }
        }
    }
    report.uncited_paragraphs = (1..=source.paragraph_count()).filter(|p| !cited.contains(p)).collect();
    report
}

/// The answer and its accept forms.
fn forms(card: &Card) -> impl Iterator<Item = &str> {
    std::iter::once(card.answer.as_str()).chain(card.accept.iter().map(String::as_str))
}

/// Whether `text` states `form`: as whole words, or as the same date.
fn states(text: &str, form: &str) -> bool {
    let text = normalise(text);
    if contains_words(&text, &normalise(form)) {
        return true;
    }
    parse_date(form).is_some_and(|date| dates_in(&text).contains(&date))
}

/// A question that contains its own answer (or an accept form) asks nothing.
pub fn own_answer_in_question(card: &Card) -> Option<String> {
    forms(card)
        .find(|form| states(&card.question, form))
        .map(|form| format!("the question contains its own answer {:?}: reword it", cut(form)))
}

fn statement_gives_away(card: &Card) -> Option<String> {
    let rest = card.statement.replace(crate::deck::ANSWER_SLOT, " ");
    forms(card)
        .find(|form| states(&rest, form))
        .map(|form| format!("the statement contains the answer {:?} outside {{answer}}: reword it", cut(form)))
}

/// Pairs of cards, as "deck/card", where the first one's question states
/// the second one's answer, both cite the same paragraph, and they are not
/// linked as siblings.
pub fn unlinked_giveaways(library: &Library) -> Vec<(String, String)> {
    /// A card with what the comparison needs, made once (a deck of the
    /// student's own may hold 100,000 cards).
    struct Cited {
        /// Its place among the cards, for the order of the report.
        seq: usize,
        key: String,
        question: String,
        dates: Vec<crate::text::WrittenDate>,
        /// Each answer form, normalised, and the date it writes, if any.
        forms: Vec<(String, Option<crate::text::WrittenDate>)>,
    }
    // Only cards that cite the same paragraph are compared.
    let mut by_paragraph: std::collections::BTreeMap<u32, Vec<Cited>> = std::collections::BTreeMap::new();
    let cards = library.decks.iter().flat_map(|l| l.deck.cards.iter().map(move |c| (&l.deck.id, c)));
    for (seq, (deck, card)) in cards.enumerate() {
        let Some(s) = &card.source else { continue };
        let question = normalise(&card.question);
        by_paragraph.entry(s.paragraph).or_default().push(Cited {
            seq,
            key: format!("{}/{}", deck.0, card.id.0),
            dates: dates_in(&question),
            question,
            forms: forms(card).map(|form| (normalise(form), parse_date(form))).collect(),
        });
    }
    let linked: HashSet<(String, String)> = library.sibling_pairs().into_iter().collect();
    let mut out = Vec::new();
    for cards in by_paragraph.values() {
        // The paragraph's answer forms by their first word, and its dates,
        // so each question is read once rather than against every card.
        let mut by_first_word: std::collections::HashMap<&str, Vec<(usize, &str)>> = std::collections::HashMap::new();
        let mut by_date: std::collections::HashMap<crate::text::WrittenDate, Vec<usize>> =
            std::collections::HashMap::new();
        for (j, b) in cards.iter().enumerate() {
            for (form, date) in &b.forms {
                if let Some(first) = form.split(' ').next().filter(|w| !w.is_empty()) {
                    by_first_word.entry(first).or_default().push((j, form));
                }
                if let Some(date) = date {
                    by_date.entry(*date).or_default().push(j);
                }
            }
        }
        for (i, a) in cards.iter().enumerate() {
            let mut gives = BTreeSet::new();
            // A form stated as whole words starts where a word of the
            // question starts, with the same word.
            let mut start = 0;
            for word in a.question.split(' ') {
                let rest = a.question.get(start..).unwrap_or_default();
                for &(j, form) in by_first_word.get(word).into_iter().flatten() {
                    if rest.starts_with(form) && matches!(rest.as_bytes().get(form.len()), None | Some(b' ')) {
                        gives.insert(j);
                    }
                }
                start += word.len() + 1;
            }
            for date in &a.dates {
                gives.extend(by_date.get(date).into_iter().flatten().copied());
            }
            gives.remove(&i);
            for b in gives.into_iter().filter_map(|j| cards.get(j)) {
                if !linked.contains(&(a.key.clone(), b.key.clone())) {
                    out.push((a.seq, b.seq, a.key.clone(), b.key.clone()));
                }
            }
        }
    }
    // In the order of the cards in their decks, as they are read.
    out.sort_unstable_by_key(|(a, b, _, _)| (*a, *b));
    out.into_iter().map(|(_, _, a, b)| (a, b)).collect()
}

/// The written shape of a value, for comparing a distractor with the
/// answer: a date's precision, or the words with every number made `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// "25 August 1941".
    FullDate,
    /// "August 1941".
    MonthYear,
    /// "1941".
    Year,
    /// "1929-33" or "1929-1933": a span of years.
    YearRange,
    /// Anything else, numbers as `#`: "# km", "clause #", "# years".
    Words(String),
}

/// Number words that a shape treats as numbers.
const NUMBER_WORDS: [&str; 24] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen",
    "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million", "billion", "half", "dozen", "fourteen",
];

/// The shape of `value`.
pub fn shape(value: &str) -> Shape {
    if let Some(date) = parse_date(value) {
        return if date.day.is_some() { Shape::FullDate } else { Shape::MonthYear };
    }
    let norm = normalise(value);
    if norm.len() == 4 && norm.bytes().all(|b| b.is_ascii_digit()) {
        return Shape::Year;
    }
    if year_range(value).is_some() {
        return Shape::YearRange;
    }
    let mut words: Vec<&str> = Vec::new();
    for word in norm.split(' ') {
        let numeric = word.bytes().all(|b| b.is_ascii_digit()) || NUMBER_WORDS.contains(&word);
        let w = if numeric { "#" } else { word };
        // "1 100" (a thousands separator) and "two hundred" are one number.
        if !(w == "#" && words.last() == Some(&"#")) {
            words.push(w);
        }
    }
    Shape::Words(words.join(" "))
}

/// A span of years written "1929-33", "1929-1933" or "1929–33": the first
/// and last year.
pub fn year_range(value: &str) -> Option<(i32, i32)> {
    let (a, b) = value.trim().split_once(['-', '–'])?;
    let (a, b) = (a.trim(), b.trim());
    if a.len() != 4 || !(b.len() == 2 || b.len() == 4) || !a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let first: i32 = a.parse().ok()?;
    let last: i32 = if b.len() == 2 { first / 100 * 100 + b.parse::<i32>().ok()? } else { b.parse().ok()? };
    (first < last).then_some((first, last))
}

/// The years a date-shaped value spans: a date, a year or a span of years.
pub fn years_of(value: &str) -> Option<(i32, i32)> {
    if let Some(date) = parse_date(value) {
        return Some((date.year, date.year));
    }
    let norm = normalise(value);
    if norm.len() == 4
        && let Ok(year) = norm.parse()
    {
        return Some((year, year));
    }
    year_range(value)
}

/// What is wrong with `card`'s distractors against the source text: each
/// must have the answer's shape; a date must fall in the card's era; any
/// other value must occur in the text.
pub fn distractor_problems(card: &Card, source: &SourceText) -> Vec<String> {
    let mut out = Vec::new();
    let answer_shape = shape(&card.answer);
    let dated = matches!(answer_shape, Shape::FullDate | Shape::MonthYear | Shape::Year | Shape::YearRange);
    let numeric = matches!(&answer_shape, Shape::Words(w) if w.contains('#'));
    for d in &card.distractors {
        let d_shape = shape(d);
        if (dated || numeric || card.kind == CardKind::Number) && d_shape != answer_shape {
            out.push(format!(
                "distractor {:?} is not written like the answer {:?} ({}): use the same form",
                cut(d),
                cut(&card.answer),
                describe(&answer_shape)
            ));
            continue;
        }
        if dated {
            match (years_of(d), card.era()) {
                (Some((from, to)), Some((tag, (first, last)))) if from < first || to > last => out.push(format!(
                    "distractor {:?} is outside the card's era {tag}: choose a date from {first} to {last}",
                    cut(d)
                )),
                (_, None) => {
                    out.push("has date distractors but no era tag (such as 1917-1921) to check them against".to_owned())
                }
                _ => {}
            }
        } else if !source.states_anywhere(d) {
            out.push(format!(
                "distractor {:?} does not occur in the source text: use a name, place or figure the text gives",
                cut(d)
            ));
        }
    }
    out
}

fn describe(shape: &Shape) -> String {
    match shape {
        Shape::FullDate => "a full date".to_owned(),
        Shape::MonthYear => "a month and year".to_owned(),
        Shape::Year => "a year".to_owned(),
        Shape::YearRange => "a span of years".to_owned(),
        Shape::Words(w) => format!("shaped \"{w}\""),
    }
}

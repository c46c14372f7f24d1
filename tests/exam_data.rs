//! Exam data in the deck format (statements, distractors, events, sibling
//! links): the `check` rules that judge it against a source text, the
//! bundled decks held to them, and the quality of printed exams built from
//! the bundled decks (plausible wrong options, real statements, no
//! giveaway by shared words).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};

use yadgar::check::{check, check_library, own_answer_in_question, years_of};
use yadgar::deck::{CardKind, Deck, Library, era_years};
use yadgar::exam::{Correct, ExamSpec, Format, build, exam_cards};
use yadgar::ground::SourceText;
use yadgar::text::normalise;

#[path = "support/source.rs"]
mod support;

/// The article the bundled decks come from (see `support::source_path`).
fn real_source() -> Option<SourceText> {
    let path = support::source_path()?;
    Some(SourceText::new(&std::fs::read_to_string(path).expect("the source article reads")))
}

/// A small source of our own, for the rule cases.
const SOURCE: &str = "In 1921 Chicherin and Karakhan signed the treaty in Moscow on February 26, 1921. \
Rotshtein went to Tehran.\n\nIn 1941 troops entered Tabriz and Rašt; 35 million rubles were lent. Molotov spoke.\n";

fn deck(cards: &str) -> String {
    format!(r#"{{ "format": 1, "id": "sample", "title": "Sample", "cards": [ {cards} ] }}"#)
}

fn problems_of(cards: &str) -> (Vec<String>, Vec<String>) {
    let text = deck(cards);
    let report = check(
        vec![("sample.json".into(), Deck::from_json("sample.json", text.as_bytes()))],
        Some(&SourceText::new(SOURCE)),
    );
    (report.problems, report.warnings)
}

const TREATY: &str = r#"{ "id": "treaty-date", "kind": "date", "question": "When was the treaty signed?",
  "answer": "26 February 1921", "tags": ["1917-1921"], "source": { "paragraph": 1 },
  "statement": "The treaty was signed on {answer}." "#;

#[test]
fn good_exam_data_passes() {
    let (problems, warnings) = problems_of(&format!(
        r#"{TREATY}, "distractors": ["1 March 1921", "16 March 1921", "26 February 1920"], "event": "The treaty is signed" }},
        {{ "id": "negotiator", "kind": "actor", "question": "Who led the Soviet side of the talks?", "answer": "Chicherin",
          "tags": ["1917-1921"], "source": {{ "paragraph": 1 }}, "statement": "{{answer}} led the Soviet side.",
          "distractors": ["Karakhan", "Rotshtein", "Molotov"] }}"#
    ));
    assert!(problems.is_empty(), "{problems:?}");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn each_check_rule_names_the_file_the_card_and_the_reason() {
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "a span of years outside the era",
            r#"{ "id": "slump", "kind": "date", "question": "When did trade slump?", "answer": "1919-20", "tags": ["1917-1921"],
               "source": { "paragraph": 1 }, "accept": ["1921"], "distractors": ["1917-18", "1918-19", "1920-23"] }"#
                .to_owned(),
            r#"sample.json: card "slump": distractor "1920-23" is outside the card's era 1917-1921"#,
        ),
        (
            "a date outside the era",
            format!(r#"{TREATY}, "distractors": ["1 March 1921", "16 March 1921", "26 February 1931"] }}"#),
            r#"sample.json: card "treaty-date": distractor "26 February 1931" is outside the card's era 1917-1921: choose a date from 1917 to 1921"#,
        ),
        (
            "a date of another shape",
            format!(r#"{TREATY}, "distractors": ["1 March 1921", "16 March 1921", "1920"] }}"#),
            r#"sample.json: card "treaty-date": distractor "1920" is not written like the answer "26 February 1921" (a full date): use the same form"#,
        ),
        (
            "a name not in the source",
            r#"{ "id": "who", "kind": "actor", "question": "Who led the talks?", "answer": "Chicherin", "tags": ["1917-1921"],
               "source": { "paragraph": 1 }, "distractors": ["Karakhan", "Rotshtein", "Brezhnev"] }"#
                .to_owned(),
            r#"sample.json: card "who": distractor "Brezhnev" does not occur in the source text"#,
        ),
        (
            "a number with another unit",
            r#"{ "id": "loan", "kind": "number", "question": "How much was lent?", "answer": "35 million rubles", "tags": ["1941-1946"],
               "source": { "paragraph": 2 }, "distractors": ["1921 rubles", "1941 rubles", "35 years"] }"#
                .to_owned(),
            r#"sample.json: card "loan": distractor "35 years" is not written like the answer "35 million rubles""#,
        ),
        (
            "a question with its own answer",
            r#"{ "id": "city", "kind": "place", "question": "Which city, Tabriz or another, did troops enter?", "answer": "Tabriz",
               "tags": ["1941-1946"], "source": { "paragraph": 2 } }"#
                .to_owned(),
            r#"sample.json: card "city": the question contains its own answer "Tabriz": reword it"#,
        ),
        (
            "a statement that gives the answer away",
            r#"{ "id": "city", "kind": "place", "question": "Which city did troops enter?", "answer": "Tabriz",
               "tags": ["1941-1946"], "source": { "paragraph": 2 }, "statement": "Troops entered {answer}, that is Tabriz." }"#
                .to_owned(),
            r#"sample.json: card "city": the statement contains the answer "Tabriz" outside {answer}"#,
        ),
        (
            "a sibling that does not exist",
            r#"{ "id": "city", "kind": "place", "question": "Which city did troops enter?", "answer": "Tabriz",
               "tags": ["1941-1946"], "source": { "paragraph": 2 }, "siblings": ["no-such-card"] }"#
                .to_owned(),
            r#"sample.json: card "city": sibling "no-such-card" is not a card of its deck"#,
        ),
    ];
    let mut failures = Vec::new();
    for (name, cards, expected) in &cases {
        let (problems, _) = problems_of(cards);
        if !problems.iter().any(|p| p.starts_with(expected)) {
            failures.push(format!("{name}: expected {expected:?}\n   got {problems:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cards_that_give_each_other_away_are_warned_until_linked() {
    let pair = |link: &str| {
        format!(
            r#"{TREATY} }},
            {{ "id": "treaty-reverse", "kind": "place", "question": "Where was the treaty of 26 February 1921 signed?",
               "answer": "Moscow", "tags": ["1917-1921"], "source": {{ "paragraph": 1 }} {link} }}"#
        )
    };
    let (_, warnings) = problems_of(&pair(""));
    assert_eq!(
        warnings,
        vec![
            "card sample/treaty-reverse's question states the answer of card sample/treaty-date (same paragraph): link them as siblings"
        ]
    );
    let (problems, warnings) = problems_of(&pair(r#", "siblings": ["treaty-date"]"#));
    assert!(problems.is_empty() && warnings.is_empty(), "{problems:?} {warnings:?}");
    // A question that states another card's answer from another paragraph
    // gives nothing away: the cards are about different passages.
    let apart = format!(
        r#"{TREATY} }},
        {{ "id": "elsewhere", "kind": "place", "question": "Which city did troops enter twenty years after the treaty of 26 February 1921?",
           "answer": "Tabriz", "tags": ["1941-1946"], "source": {{ "paragraph": 2 }} }}"#
    );
    let (problems, warnings) = problems_of(&apart);
    assert!(problems.is_empty() && warnings.is_empty(), "{problems:?} {warnings:?}");
}

#[test]
fn every_bundled_card_has_its_exam_data_and_no_card_gives_itself_or_another_away() {
    let library = Library::bundled();
    assert!(library.errors.is_empty(), "{:?}", library.errors);
    let mut missing = Vec::new();
    let mut echoes = Vec::new();
    for loaded in &library.decks {
        for card in &loaded.deck.cards {
            let id = format!("{}/{}", loaded.deck.id, card.id);
            if card.statement.is_empty() {
                missing.push(format!("{id}: statement"));
            }
            if card.distractors.is_empty() {
                missing.push(format!("{id}: distractors"));
            }
            if card.kind == CardKind::Date && card.event.is_empty() {
                missing.push(format!("{id}: event"));
            }
            if let Some(why) = own_answer_in_question(card) {
                echoes.push(format!("{id}: {why}"));
            }
        }
    }
    assert!(missing.is_empty(), "cards without exam data: {missing:#?}");
    assert!(echoes.is_empty(), "questions that contain an accepted answer: {echoes:#?}");
    let report = check_library(&library, None);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert!(report.warnings.is_empty(), "cards that give each other away, not linked: {:#?}", report.warnings);
}

#[test]
fn the_bundled_decks_pass_check_with_the_source() {
    let Some(source) = real_source() else { return };
    let report = check_library(&Library::bundled(), Some(&source));
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
}

/// The paragraphs cited by cards of each era.
fn era_paragraphs(library: &Library) -> BTreeMap<String, BTreeSet<u32>> {
    let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for loaded in &library.decks {
        for card in &loaded.deck.cards {
            if let (Some((era, _)), Some(source)) = (card.era(), &card.source) {
                out.entry(era.to_owned()).or_default().insert(source.paragraph);
            }
        }
    }
    out
}

/// Over 3 seeds × 120 printed questions: at least 95% of wrong options
/// (multiple choice, and the value in a false true-or-false statement) are
/// a date in the card's era (±2 years) or occur in a paragraph cited by a
/// card of the same era; every true-or-false prompt is a statement; and a
/// guesser who picks the option sharing most words with the question
/// scores at most 35%.
#[test]
fn printed_exams_have_plausible_options_real_statements_and_no_word_giveaways() {
    let Some(source) = real_source() else { return };
    let library = Library::bundled();
    let paragraphs = era_paragraphs(&library);
    let cards = exam_cards(&library, |_, _| None, |_, _| true);
    let (mut plausible, mut wrong_options) = (0usize, 0usize);
    let mut implausible = Vec::new();
    let (mut guessed_right, mut guessed) = (0usize, 0usize);
    let mut not_statements = Vec::new();
    for seed in [1u64, 2, 3] {
        let exam = build(&cards, &ExamSpec { count: 120, formats: vec![], seed, weak_first: false, first: vec![] });
        assert_eq!(exam.questions.len(), 120, "the count is honoured: {:?}", exam.notes);
        for q in &exam.questions {
            let Some(card) = cards.iter().find(|c| q.cards.first() == Some(&format!("{}/{}", c.deck, c.card))) else {
                continue;
            };
            let era = card.era().unwrap_or_default().to_owned();
            let (first, last) = era_years(&era).unwrap_or((0, 0));
            let wrong: Vec<&String> = match &q.correct {
                Correct::Option { index } => {
                    q.options.iter().enumerate().filter(|(k, _)| k != index).map(|(_, o)| o).collect()
                }
                Correct::Bool { value: false } => q.shown.iter().collect(),
                _ => vec![],
            };
            for option in wrong {
                wrong_options += 1;
                let in_era = years_of(option).is_some_and(|(a, b)| a >= first - 2 && b <= last + 2)
                    || paragraphs.get(&era).is_some_and(|ps| ps.iter().any(|&p| source.states_in(p, option)));
                if in_era {
                    plausible += 1;
                } else {
                    implausible.push(format!("{} ({era}): {option:?}", q.cards[0]));
                }
            }
            if q.format == Format::TrueFalse {
                let p = q.prompt.trim();
                if p.contains('?') || !p.ends_with('.') || p.to_lowercase().starts_with("true or false") {
                    not_statements.push(p.to_owned());
                }
            }
            if let Correct::Option { index } = &q.correct {
                let words: BTreeSet<String> = normalise(&q.prompt).split(' ').map(str::to_owned).collect();
                let shared = |o: &String| normalise(o).split(' ').filter(|w| words.contains(*w)).count();
                let best = (0..q.options.len()).max_by_key(|&k| (shared(&q.options[k]), std::cmp::Reverse(k))).unwrap();
                guessed += 1;
                if best == *index {
                    guessed_right += 1;
                }
            }
        }
    }
    let share = plausible as f64 / wrong_options as f64;
    implausible.sort();
    implausible.dedup();
    println!("plausible wrong options: {plausible} of {wrong_options} ({:.1}%)", share * 100.0);
    println!("word-overlap guesser: {guessed_right} of {guessed}");
    assert!(share >= 0.95, "{:.1}% plausible; the rest: {implausible:#?}", share * 100.0);
    assert!(not_statements.is_empty(), "{not_statements:#?}");
    assert!(
        guessed > 0 && guessed_right as f64 / guessed as f64 <= 0.35,
        "guesser scored {guessed_right} of {guessed}"
    );
}

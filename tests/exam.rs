//! The exam generator: deterministic for a seed, honest multiple choice,
//! timelines with one right order, over every bundled card; and the
//! printable exam from `yadgar exam`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashSet;
use std::process::Command;

use proptest::prelude::*;
use yadgar::deck::Library;
use yadgar::exam::{Correct, ExamCard, ExamSpec, Format, build, event_of, exam_cards};
use yadgar::text::{normalise, parse_date};

fn all_cards() -> Vec<ExamCard> {
    exam_cards(&Library::bundled(), |_, _| None, |_, _| true)
}

fn spec(count: usize, formats: &[Format], seed: u64) -> ExamSpec {
    ExamSpec { count, formats: formats.to_vec(), seed, weak_first: false, first: vec![] }
}

fn card<'a>(cards: &'a [ExamCard], reference: &str) -> &'a ExamCard {
    cards.iter().find(|c| format!("{}/{}", c.deck, c.card) == reference).expect("card of the question")
}

/// Checks every rule a question must keep; returns what is wrong.
fn problems(q: &yadgar::exam::Question, cards: &[ExamCard]) -> Vec<String> {
    let mut out = Vec::new();
    match (&q.format, &q.correct) {
        (Format::MultipleChoice, Correct::Option { index }) => {
            let source = card(cards, &q.cards[0]);
            if q.options.len() != 4 {
                out.push(format!("{} options", q.options.len()));
            }
            let normalised: HashSet<String> = q.options.iter().map(|o| normalise(o)).collect();
            if normalised.len() != q.options.len() {
                out.push(format!("options not distinct: {:?}", q.options));
            }
            if q.options.get(*index) != Some(&source.answer) {
                out.push("the marked option is not the answer".into());
            }
            let right: HashSet<String> =
                std::iter::once(&source.answer).chain(&source.accept).map(|a| normalise(a)).collect();
            let correct_options = q.options.iter().filter(|o| right.contains(&normalise(o))).count();
            if correct_options != 1 {
                out.push(format!("{correct_options} correct options in {:?}", q.options));
            }
        }
        (Format::Timeline, Correct::Order { order }) => {
            if !(4..=6).contains(&q.options.len()) || order.len() != q.options.len() {
                out.push(format!("timeline of {} events", q.options.len()));
            }
            let spans: Vec<(i32, u8, Option<u8>)> = q
                .cards
                .iter()
                .map(|r| {
                    let answer = &card(cards, r).answer;
                    match parse_date(answer) {
                        Some(d) => (d.year, d.month, d.day),
                        None => (answer.parse().expect("a year"), 0, None),
                    }
                })
                .collect();
            // No two events may share a year unless both give the month.
            for (i, a) in spans.iter().enumerate() {
                for b in spans.iter().skip(i + 1) {
                    let same_year = a.0 == b.0;
                    let ambiguous = same_year
                        && (a.1 == 0 || b.1 == 0 || (a.1 == b.1 && (a.2.is_none() || b.2.is_none() || a.2 == b.2)));
                    if ambiguous {
                        out.push(format!("two events cannot be ordered: {a:?} and {b:?}"));
                    }
                }
            }
            let ordered: Vec<_> = order.iter().map(|&i| spans[i]).collect();
            if ordered.windows(2).any(|w| w[0] > w[1]) {
                out.push(format!("the order is wrong: {ordered:?}"));
            }
        }
        (Format::TrueFalse, Correct::Bool { value }) => {
            let source = card(cards, &q.cards[0]);
            let right: HashSet<String> =
                std::iter::once(&source.answer).chain(&source.accept).map(|a| normalise(a)).collect();
            if right.contains(&normalise(&q.options[0])) != *value {
                out.push(format!("statement {:?} marked {value}", q.options[0]));
            }
        }
        (Format::Typed, Correct::Text { answer, .. }) => {
            if *answer != card(cards, &q.cards[0]).answer {
                out.push("typed answer differs from the card".into());
            }
        }
        (format, correct) => out.push(format!("{format:?} with {correct:?}")),
    }
    out
}

#[test]
fn the_same_seed_gives_the_same_exam_and_another_seed_another() {
    let cards = all_cards();
    let a = build(&cards, &spec(20, &[], 42));
    let b = build(&cards, &spec(20, &[], 42));
    let c = build(&cards, &spec(20, &[], 43));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(a.questions.len(), 20);
    let formats: HashSet<Format> = a.questions.iter().map(|q| q.format).collect();
    assert_eq!(formats.len(), 4, "a mixed exam uses every format: {formats:?}");
}

#[test]
fn one_paper_never_asks_two_siblings_whose_questions_give_each_other_away() {
    let cards = all_cards();
    let siblings = Library::bundled().sibling_pairs();
    assert!(siblings.iter().any(|(a, b)| a.ends_with("aras-1988-khoda-afarin") && b.ends_with("aras-1988-qiz-qalasi")));
    // Papers of every card: without the rule each would hold every pair.
    for seed in 0..20 {
        let exam = build(&cards, &spec(cards.len(), &[], seed));
        let asked: HashSet<&str> = exam.questions.iter().flat_map(|q| q.cards.iter().map(String::as_str)).collect();
        for (a, b) in &siblings {
            assert!(
                !(asked.contains(a.as_str()) && asked.contains(b.as_str())),
                "seed {seed}: {a} and {b} on one paper"
            );
        }
        // Many cards have siblings; the paper says why it is shorter.
        assert!(exam.questions.len() > cards.len() / 3, "seed {seed}: {} questions", exam.questions.len());
        assert!(exam.notes.iter().any(|n| n.contains("left out as siblings of cards asked")), "{:?}", exam.notes);
    }
}

#[test]
fn every_multiple_choice_question_has_four_distinct_options_and_one_right() {
    let cards = all_cards();
    let exam = build(&cards, &spec(cards.len(), &[Format::MultipleChoice], 1));
    assert!(exam.questions.len() > cards.len() / 2, "most cards support multiple choice");
    for q in &exam.questions {
        assert_eq!(q.format, Format::MultipleChoice, "only the chosen format, or none");
        let p = problems(q, &cards);
        assert!(p.is_empty(), "{}: {p:?}", q.prompt);
    }
    for note in &exam.notes {
        assert!(note.contains("dropped for") || note.contains("left out as siblings of cards asked"), "{note}");
    }
}

#[test]
fn every_timeline_has_one_right_order() {
    let cards = all_cards();
    let exam = build(&cards, &spec(40, &[Format::Timeline], 5));
    assert!(exam.questions.len() >= 5, "{}", exam.questions.len());
    for q in &exam.questions {
        let p = problems(q, &cards);
        assert!(p.is_empty(), "{:?}: {p:?}", q.options);
    }
}

#[test]
fn a_scope_too_small_for_distractors_drops_the_format_and_says_so() {
    // Cards of one's own, without curated distractors: the fallback draws
    // from other cards of the same kind, form and era, and two are too few.
    let cards: Vec<ExamCard> = all_cards()
        .into_iter()
        .filter(|c| c.kind == yadgar::CardKind::Clause)
        .take(2)
        .map(|mut c| {
            c.distractors.clear();
            c
        })
        .collect();
    let exam = build(&cards, &spec(5, &[Format::MultipleChoice], 3));
    assert!(exam.questions.is_empty(), "never a question with too few options");
    assert_eq!(exam.notes.len(), 2, "{:?}", exam.notes);
    assert_eq!(
        exam.notes[1],
        "This exam has 0 questions, not 5: 2 cards in the scope suit none of the chosen formats."
    );
    assert!(
        exam.notes[0].starts_with("Multiple choice was left out for 2 cards with fewer than 3 plausible wrong options"),
        "{:?}",
        exam.notes
    );
}

#[test]
fn date_questions_read_as_events_on_a_timeline() {
    assert_eq!(event_of("On what date did Soviet troops enter northern Iran?"), "Soviet troops enter northern Iran");
    assert_eq!(event_of("In what year was the USSR established?"), "The USSR established");
    assert_eq!(event_of("Who led it?"), "Who led it");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Every bundled card, in any format mix and seed: every question keeps
    /// its rules.
    #[test]
    fn exams_over_every_bundled_card_keep_every_rule(seed in any::<u64>(), mask in 1u8..16) {
        let cards = all_cards();
        let formats: Vec<Format> = Format::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, f)| *f).collect();
        let exam = build(&cards, &spec(cards.len(), &formats, seed));
        prop_assert!(!exam.questions.is_empty());
        let mut seen = HashSet::new();
        for q in &exam.questions {
            prop_assert!(formats.contains(&q.format));
            let p = problems(q, &cards);
            prop_assert!(p.is_empty(), "{}: {:?}", q.prompt, p);
            for c in &q.cards {
                prop_assert!(seen.insert(c.clone()), "card {} asked twice", c);
            }
        }
    }
}

#[test]
fn yadgar_exam_prints_json_with_formats_options_answers_and_card_ids() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yadgar"))
        .args(["exam", "--count", "12", "--seed", "9", "--format", "json", "--data-dir"])
        .arg(dir.path())
        .env("YADGAR_CONFIG_DIR", dir.path().join("this-computer/config"))
        .env("YADGAR_CACHE_DIR", dir.path().join("this-computer/cache"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["seed"], 9);
    let questions = value["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 12);
    let cards = all_cards();
    let (mut seen_tf, mut seen_timeline) = (false, false);
    for q in questions {
        let format = q["format"].as_str().unwrap();
        assert!(["mc", "typed", "tf", "timeline"].contains(&format), "{format}");
        assert!(!q["prompt"].as_str().unwrap().is_empty());
        assert!(!q["answer"].as_str().unwrap().is_empty());
        let ids = q["card_ids"].as_array().unwrap();
        assert!(!ids.is_empty());
        for id in ids {
            card(&cards, id.as_str().unwrap());
        }
        if format == "mc" {
            assert_eq!(q["options"].as_array().unwrap().len(), 4);
            let index = q["correct"]["index"].as_u64().unwrap() as usize;
            assert_eq!(q["options"][index], q["answer"]);
        }
        if format == "tf" {
            // The sentence shown, and the value placed in it.
            let statement = q["statement"].as_str().unwrap();
            let shown = q["shown"].as_str().unwrap();
            assert!(statement.contains(shown) && statement.ends_with('.') && !statement.contains('?'), "{statement}");
            seen_tf = true;
        }
        if format == "timeline" {
            let events = q["events"].as_array().unwrap();
            assert_eq!(events.len(), q["options"].as_array().unwrap().len());
            for event in events {
                assert!(!event["event"].as_str().unwrap().is_empty());
                assert!(event["date"].as_str().is_some_and(|d| d.chars().any(|c| c.is_ascii_digit())));
            }
            seen_timeline = true;
        }
    }
    assert!(seen_tf && seen_timeline, "the seed gives both a true-or-false item and a timeline");
    // The same seed prints the same exam; a bad format is refused.
    let again = Command::new(env!("CARGO_BIN_EXE_yadgar"))
        .args(["exam", "--count", "12", "--seed", "9", "--format", "json", "--data-dir"])
        .arg(dir.path())
        .env("YADGAR_CONFIG_DIR", dir.path().join("this-computer/config"))
        .env("YADGAR_CACHE_DIR", dir.path().join("this-computer/cache"))
        .output()
        .unwrap();
    assert_eq!(again.stdout, out.stdout);
    let bad = Command::new(env!("CARGO_BIN_EXE_yadgar"))
        .args(["exam", "--formats", "essay"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("YADGAR_CONFIG_DIR", dir.path().join("this-computer/config"))
        .env("YADGAR_CACHE_DIR", dir.path().join("this-computer/cache"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown question format \"essay\""));
}

#[test]
fn answers_are_marked_with_the_shared_checker_and_tallied_by_era_topic_and_kind() {
    use yadgar::exam::{AlmostCounts, Given, Mark, Marking, score};
    let cards = all_cards();
    let exam = build(&cards, &spec(8, &[Format::Typed], 11));
    let mut given: Vec<Given> = exam
        .questions
        .iter()
        .map(|q| match &q.correct {
            Correct::Text { answer, .. } => Given::Text { text: answer.to_uppercase() },
            _ => unreachable!("typed only"),
        })
        .collect();
    given[1] = Given::Text { text: "something else entirely".into() };
    given[2] = Given::None;
    let scored = score(&exam, &given, &cards, &Marking { almost: AlmostCounts::Half, ..Marking::default() });
    assert_eq!(scored.marks[0], Mark::Right, "case does not matter");
    assert_eq!(scored.marks[1], Mark::Wrong);
    assert_eq!(scored.marks[2], Mark::Blank);
    assert_eq!(scored.total.questions, 8);
    assert_eq!(scored.total.points, 6.0);
    let era_questions: u32 = scored.by_era.values().map(|t| t.questions).sum();
    assert_eq!(era_questions, 8, "each card has one era");
    assert_eq!(scored.by_kind.values().map(|t| t.questions).sum::<u32>(), 8);
}

#[test]
fn a_near_miss_counts_as_the_exam_settings_say() {
    use yadgar::exam::{AlmostCounts, Exam, Given, Mark, Marking, Question, score};
    let cards = all_cards();
    let source = cards.iter().find(|c| c.answer == "Decree on Peace").unwrap();
    let exam = Exam {
        questions: vec![Question {
            format: Format::Typed,
            prompt: source.question.clone(),
            options: vec![],
            correct: Correct::Text { answer: source.answer.clone(), accept: source.accept.clone() },
            cards: vec![format!("{}/{}", source.deck, source.card)],
            fact: None,
            shown: None,
            dates: vec![],
        }],
        notes: vec![],
    };
    let given = [Given::Text { text: "Decree on Peice".into() }];
    for (almost, points) in [(AlmostCounts::Full, 1.0), (AlmostCounts::Half, 0.5), (AlmostCounts::None, 0.0)] {
        let scored = score(&exam, &given, &cards, &Marking { almost, ..Marking::default() });
        assert_eq!(scored.marks[0], Mark::Almost);
        assert_eq!(scored.total.points, points);
    }
}

#[test]
fn readiness_counts_unstudied_cards_as_unknown_and_grows_with_study() {
    use yadgar::exam::{ScopeCard, forecast, readiness};
    use yadgar::schedule::{CardState, Rating, Scheduler, Settings};
    use yadgar::time::Moment;
    let s = Scheduler::new(Settings::default()).unwrap();
    let now = Moment::new(1_795_000_000_000, 0);
    let exam = Moment::new(now.unix_ms + 14 * 86_400_000, 0);
    let studied = s.answer(1, &CardState::default(), Rating::Easy, now).unwrap();
    let tags_a = vec!["1920s".to_owned(), "oil".to_owned()];
    let tags_b = vec!["1930s".to_owned(), "trade".to_owned()];
    let cards = [
        ScopeCard { seed: 1, state: Some(&studied), tags: &tags_a },
        ScopeCard { seed: 2, state: None, tags: &tags_b },
    ];
    let r = readiness(&s, &cards, exam);
    assert_eq!(r.recall[1], 0.0, "never studied counts as not known");
    assert!(r.recall[0] > 0.3 && r.recall[0] < 1.0, "{:?}", r.recall);
    assert!((r.expected - r.recall[0] / 2.0).abs() < 1e-6);
    assert_eq!(r.weakest, vec![1, 0]);
    assert_eq!(r.weakest_tags[0].0, "1930s");
    let f = forecast(&s, &cards, now, exam, 7);
    assert_eq!(f.len(), 15, "one point a day, today to the exam day");
    assert!(f.last().unwrap().1 > r.expected, "studying raises the expected score: {f:?}");
    assert_eq!(f, forecast(&s, &cards, now, exam, 7), "deterministic for a seed");
}

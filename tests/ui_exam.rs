//! Mock exams in the window, driven with egui_kittest: a 10-question exam
//! answered partly right with a typed near miss, submitted, scored and
//! saved; a timed exam that submits itself; an exam date giving readiness.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use yadgar::exam::{Correct, Format, Given};
use yadgar::store::{self, Attempt, Collection, Preferences};
use yadgar::ui::YadgarApp;

#[path = "support/ui.rs"]
mod ui;
use ui::*;

fn app(data: &Path) -> Harness<'static, YadgarApp> {
    {
        let device = store::device_id(&data.join("device-id")).unwrap();
        let mut c = Collection::open(data, "default", &device).unwrap();
        c.set_preferences(Preferences { hint_dismissed: true, ..Preferences::default() }).unwrap();
    }
    open_app(data, [1100.0, 1000.0])
}

/// The attempts as saved (events in the log), read by another open.
fn attempts(data: &Path) -> Vec<Attempt> {
    Collection::open_read_only(data, "default", "reader").unwrap().attempts().unwrap().0
}

/// Opens the setup, keeps only `formats` ticked (all four start ticked),
/// sets the count and seed, and starts.
fn set_up_with(harness: &mut Harness<'_, YadgarApp>, count: f64, seed: &str, limit: Option<&str>, formats: &[&str]) {
    harness.get_by_label("Mock exam").click();
    harness.run_ok();
    let questions = harness.get_by_role_and_label(egui::accesskit::Role::Slider, "Questions");
    questions.set_value_accesskit(count);
    harness.run_ok();
    for format in ["multiple choice", "typed answer", "true or false", "timeline"] {
        if !formats.contains(&format) {
            harness.get_by_label(format).click();
            harness.run_ok();
        }
    }
    let seed_field = harness.get_by_label("Seed");
    seed_field.focus();
    seed_field.set_text_value_accesskit(seed);
    harness.run_ok();
    if let Some(limit) = limit {
        let field = harness.get_by_label("Time limit (minutes)");
        field.focus();
        field.set_text_value_accesskit(limit);
        harness.run_ok();
    }
    harness.get_by_label("Start the exam").click();
    harness.run_ok();
}

fn set_up(harness: &mut Harness<'_, YadgarApp>, count: f64, seed: &str, limit: Option<&str>) {
    set_up_with(harness, count, seed, limit, &["multiple choice", "typed answer"]);
}

/// A misspelling of a text answer: one letter changed in the middle.
fn near_miss(answer: &str) -> Option<String> {
    let chars: Vec<char> = answer.chars().collect();
    if chars.len() < 8 || chars.iter().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut typo = chars.clone();
    let mid = chars.len() / 2;
    if !typo[mid].is_alphabetic() {
        return None;
    }
    typo[mid] = if typo[mid] == 'x' { 'y' } else { 'x' };
    Some(typo.into_iter().collect())
}

const DIGITS: [egui::Key; 4] = [egui::Key::Num1, egui::Key::Num2, egui::Key::Num3, egui::Key::Num4];
const LETTERS: [egui::Key; 4] = [egui::Key::A, egui::Key::B, egui::Key::C, egui::Key::D];

#[test]
fn a_ten_question_exam_is_taken_by_keyboard_alone_scored_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    set_up_with(&mut harness, 10.0, "2024", None, &["multiple choice", "typed answer", "true or false"]);
    let exam = harness.state().exam_in_progress().expect("the exam has started").clone();
    assert_eq!(exam.questions.len(), 10);
    let mut expected_points = 0.0;
    let mut near_misses = 0;
    let mut formats = std::collections::HashSet::new();
    for (i, question) in exam.questions.iter().enumerate() {
        formats.insert(question.format);
        let answer_right = i % 3 != 2;
        match &question.correct {
            Correct::Option { index } => {
                let chosen = if answer_right { *index } else { (*index + 1) % 4 };
                // Digits on even questions, letters on odd ones.
                press(&mut harness, if i % 2 == 0 { DIGITS[chosen] } else { LETTERS[chosen] });
                if answer_right {
                    expected_points += 1.0;
                }
            }
            Correct::Bool { value } => {
                let say = if answer_right { *value } else { !*value };
                press(&mut harness, if say { egui::Key::T } else { egui::Key::F });
                if answer_right {
                    expected_points += 1.0;
                }
            }
            Correct::Text { answer, .. } => {
                let typed = match (near_misses, near_miss(answer)) {
                    (0, Some(typo)) => {
                        near_misses += 1;
                        expected_points += 0.5;
                        typo
                    }
                    _ if answer_right => {
                        expected_points += 1.0;
                        answer.to_lowercase()
                    }
                    _ => "I do not know".to_owned(),
                };
                // The answer field has the keyboard already.
                harness.event(egui::Event::Text(typed));
                harness.run_ok();
            }
            other => panic!("unexpected {other:?}"),
        }
        if i == 4 {
            // F flags a question that is not true or false (Shift+F any).
            press_with(&mut harness, egui::Modifiers::SHIFT, egui::Key::F);
        }
        if i + 1 < exam.questions.len() {
            press(&mut harness, egui::Key::Enter);
        }
    }
    assert!(formats.len() == 3, "the seed mixes the three formats: {formats:?}");
    // Shift+Enter goes back a question, Enter forward again.
    press_with(&mut harness, egui::Modifiers::SHIFT, egui::Key::Enter);
    assert!(shows(&harness, "Question 9 of 10"));
    press(&mut harness, egui::Key::Enter);
    press_with(&mut harness, egui::Modifiers::COMMAND, egui::Key::Enter);
    assert!(shows(&harness, "Submit the exam?"));
    assert!(shows(&harness, "Every question has an answer."));
    assert!(shows(&harness, "Flagged to check: 5."));
    press(&mut harness, egui::Key::Enter);
    let percent = (expected_points / 10.0 * 100.0_f32).round();
    assert!(shows(&harness, &format!("Score: {percent}%")), "expected {percent}%");
    assert!(shows(&harness, "Right answer:"));
    assert!(shows(&harness, "Source: paragraph"));
    assert!(shows(&harness, "Your exam history"));
    let saved = attempts(dir.path());
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].questions.len(), 10);
    assert_eq!(saved[0].points, expected_points);
    assert_eq!(saved[0].seed, 2024);
    assert_eq!(saved[0].predicted.len(), 10, "each question keeps its predicted recall");
    assert!(!saved[0].auto_submitted);
    // A false true-or-false item shows the true statement in the results.
    if let Some(q) = exam.questions.iter().find(|q| matches!(q.correct, Correct::Bool { value: false })) {
        assert!(shows(&harness, &format!("The fact: {}", q.fact.as_ref().unwrap())));
    }
    // The exam did not touch the review schedule: the log holds the
    // attempt, and no grade.
    let reviews = Collection::open_read_only(dir.path(), "default", "reader").unwrap().history_events().unwrap();
    assert_eq!(reviews.len(), 0);

    // Sending the missed cards puts them in today's review, past the limit.
    let missed = saved[0].marks.iter().filter(|m| !matches!(m, yadgar::exam::Mark::Right)).count();
    harness.get_by_label_contains("missed cards to today's review").click();
    harness.run_ok();
    assert!(shows(&harness, &format!("{missed} cards added to today's review.")));
    drop(harness);
    let device = store::device_id(&dir.path().join("device-id")).unwrap();
    let c = Collection::open_read_only(dir.path(), "default", &device).unwrap();
    let events = c.history_events().unwrap();
    assert_eq!(events.len(), missed);
    assert!(events.iter().all(|e| e.action == yadgar::revlog::Action::SendToReview));
    let library = c.library();
    let (queue, _) = yadgar::study::queue(c.scheduler(), store::now(), &library, c.progress(), None);
    assert!(queue.counts.new >= 20 + missed - 2, "sent cards come on top of the daily limit");
}

#[test]
fn submitting_with_questions_left_asks_first_and_esc_goes_back_to_the_exam() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    set_up(&mut harness, 5.0, "9", None);
    press_with(&mut harness, egui::Modifiers::COMMAND, egui::Key::Enter);
    assert!(shows(&harness, "5 questions are not answered: 1, 2, 3, 4, 5."));
    press(&mut harness, egui::Key::Escape);
    assert!(harness.state().exam_in_progress().is_some(), "Esc keeps the exam going");
    assert!(attempts(dir.path()).is_empty());
    // Esc on the exam asks before leaving; Enter leaves without saving.
    press(&mut harness, egui::Key::Escape);
    assert!(shows(&harness, "Leave the exam?"));
    press(&mut harness, egui::Key::Enter);
    assert!(harness.state().exam_in_progress().is_none());
    assert!(attempts(dir.path()).is_empty());
}

#[test]
fn an_appeal_counts_a_typed_answer_as_right_and_is_saved_with_the_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    set_up_with(&mut harness, 5.0, "31", None, &["typed answer"]);
    let exam = harness.state().exam_in_progress().unwrap().clone();
    // Answer the first one with another wording the checker does not know.
    harness.event(egui::Event::Text("my own wording".into()));
    harness.run_ok();
    press_with(&mut harness, egui::Modifiers::COMMAND, egui::Key::Enter);
    press(&mut harness, egui::Key::Enter);
    assert!(shows(&harness, "Score: 0%"));
    assert!(shows(&harness, "You typed:"));
    if let Correct::Text { answer, .. } = &exam.questions[0].correct {
        assert!(shows(&harness, answer), "the right answer on its own line");
    }
    harness.get_by_label("I was right").click();
    harness.run_ok();
    assert!(shows(&harness, "Score: 20%"));
    assert!(shows(&harness, "right on your appeal"));
    assert!(shows(&harness, "Question 1 counted as right on your appeal; saved with the attempt."));
    let device = store::device_id(&dir.path().join("device-id")).unwrap();
    let c = Collection::open_read_only(dir.path(), "default", &device).unwrap();
    let (saved, warnings) = c.attempts().unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].appeals, vec![0]);
    assert_eq!(saved[0].points, 1.0);
    assert_eq!(saved[0].marks[0], yadgar::exam::Mark::Appealed);
}

#[test]
fn a_timeline_ordered_by_keyboard_earns_partial_credit() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    set_up_with(&mut harness, 5.0, "12", None, &["timeline"]);
    let exam = harness.state().exam_in_progress().unwrap().clone();
    let q = &exam.questions[0];
    let Correct::Order { order } = &q.correct else { panic!("a timeline") };
    let n = order.len();
    // Put the events in the right order with the keyboard: pick a row with
    // the arrows and carry it up with Shift+Up (a selection sort).
    let mut current: Vec<usize> = (0..n).collect();
    let mut cursor = 0usize;
    for (target, &event) in order.iter().enumerate() {
        let from = current.iter().position(|&x| x == event).unwrap();
        while cursor < from {
            press(&mut harness, egui::Key::ArrowDown);
            cursor += 1;
        }
        while cursor > from {
            press(&mut harness, egui::Key::ArrowUp);
            cursor -= 1;
        }
        while cursor > target {
            press_with(&mut harness, egui::Modifiers::SHIFT, egui::Key::ArrowUp);
            current.swap(cursor, cursor - 1);
            cursor -= 1;
        }
    }
    assert_eq!(&current, order);
    // Then swap the last two: one pair of all n(n-1)/2 out of order.
    while cursor < n - 2 {
        press(&mut harness, egui::Key::ArrowDown);
        cursor += 1;
    }
    while cursor > n - 2 {
        press(&mut harness, egui::Key::ArrowUp);
        cursor -= 1;
    }
    press_with(&mut harness, egui::Modifiers::SHIFT, egui::Key::ArrowDown);
    current.swap(n - 2, n - 1);
    press_with(&mut harness, egui::Modifiers::COMMAND, egui::Key::Enter);
    assert!(shows(&harness, "4 questions are not answered: 2, 3, 4, 5."));
    press(&mut harness, egui::Key::Enter);
    let saved = attempts(dir.path());
    assert_eq!(saved[0].given[0], yadgar::exam::Given::Order { order: current.clone() }, "{:?}", saved[0].marks);
    let pairs = (n * (n - 1) / 2) as f32;
    let credit = (pairs - 1.0) / pairs;
    assert!(shows(&harness, &format!("partly right: {:.0}% of pairs in order", credit * 100.0)));
    // The results give each event with its date.
    let last = order[n - 1];
    assert!(shows(&harness, &format!("{} — {}", q.options[last], q.dates[last])));
    let saved = attempts(dir.path());
    assert!(saved[0].partial_timelines);
    assert!((saved[0].points - credit).abs() < 1e-6, "{} against {credit}", saved[0].points);
}

#[test]
fn a_timed_exam_submits_itself_with_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    set_up(&mut harness, 5.0, "77", Some("0.05"));
    let exam = harness.state().exam_in_progress().unwrap().clone();
    let typed_at = exam.questions.iter().position(|q| q.format == Format::Typed).expect("a typed question");
    for _ in 0..typed_at {
        harness.get_by_label("Next").click();
        harness.run_ok();
    }
    let field = harness.get_by_label("Your answer:");
    field.focus();
    field.type_text("half an answer");
    harness.run_ok();
    assert!(shows(&harness, "Time left 0:0"));
    std::thread::sleep(std::time::Duration::from_millis(3300));
    harness.run_ok();
    assert!(shows(&harness, "submitted when time ran out"));
    let saved = attempts(dir.path());
    assert_eq!(saved.len(), 1);
    assert!(saved[0].auto_submitted);
    assert_eq!(saved[0].given[typed_at], Given::Text { text: "half an answer".into() });
}

/// The date `days` study days from today's (which, before the day's
/// rollover hour, is still yesterday's date).
fn in_days(days: i64) -> String {
    let rollover = yadgar::schedule::Settings::default().rollover_hour;
    let day = store::now().day(rollover).plus(i32::try_from(days).unwrap());
    day.date().strftime("%Y-%m-%d").to_string()
}

fn show_readiness(harness: &mut Harness<'_, YadgarApp>, date: &str) {
    harness.get_by_label("Exam readiness").click();
    harness.run_ok();
    let field = harness.get_by_label("Exam date (YYYY-MM-DD)");
    field.focus();
    field.set_text_value_accesskit(date);
    harness.run_ok();
    harness.get_by_label("Show readiness").click();
    harness.run_ok();
}

/// The figure after `prefix` in the first label that contains it.
fn percent_after(harness: &Harness<'_, YadgarApp>, prefix: &str) -> String {
    let node = harness.query_all_by_label_contains(prefix).next().unwrap_or_else(|| panic!("{prefix:?} not shown"));
    // A label's text is its accessibility value.
    let n = node.accesskit_node();
    let label = n.value().or_else(|| n.label()).unwrap_or_default().to_owned();
    let rest = &label[label.find(prefix).unwrap() + prefix.len()..];
    rest.split('%').next().unwrap().trim().to_owned()
}

#[test]
fn readiness_plans_to_the_exam_day_with_figures_that_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    let date = in_days(20);
    show_readiness(&mut harness, &date);
    wait_for(&mut harness, &format!("Expected score on {date}:"));
    // The headline, the text under it and the chart's caption agree.
    let plan = percent_after(&harness, &format!("Expected score on {date}:"));
    let stop = percent_after(&harness, "Left:");
    assert_eq!(percent_after(&harness, "% if you stop today. Right:"), plan);
    assert!(shows(&harness, &format!("{stop}% if you stop studying today")));
    assert_eq!(stop, "0", "nothing studied yet");
    assert!(plan.parse::<u32>().unwrap() > 0, "studying every day raises the score");
    // 387 new cards, 17 study days until 3 days before: 23 a day.
    let cards = yadgar::deck::Library::bundled().card_count();
    let needed = cards.div_ceil(18);
    assert!(
        shows(
            &harness,
            &format!(
                "{cards} cards in scope are still new. To see each of them at least once 3 days before the exam, study {needed} new cards a day for 18 days; your limit is 20."
            )
        ),
        "the cards-per-day advice"
    );
    assert!(shows(&harness, &format!("Prepare for the exam, today: 0 missed in mock exams · 0 due · {needed} new")));
    assert!(shows(&harness, "No card in scope has been studied yet."));
    harness.get_by_label(&format!("Set my limit to {needed} new cards a day")).click();
    harness.run_ok();
    let saved = Collection::open_read_only(dir.path(), "default", "reader").unwrap();
    assert_eq!(saved.settings().new_per_day as usize, needed);
    assert_eq!(saved.preferences().exam_date.as_deref(), Some(date.as_str()));
    // A bad date is refused with a message.
    let field = harness.get_by_label("Exam date (YYYY-MM-DD)");
    field.focus();
    field.set_text_value_accesskit("next Friday");
    harness.run_ok();
    harness.get_by_label("Show readiness").click();
    harness.run_ok();
    assert!(shows(&harness, "Write the date as YYYY-MM-DD"));
}

#[test]
fn sixty_exam_answers_calibrate_the_expected_score() {
    use yadgar::exam::{Given, Mark, Question};
    let dir = tempfile::tempdir().unwrap();
    let harness = app(dir.path());
    drop(harness);
    // Three past exams of 20 questions: predicted 80% each, scored 50%.
    let mut lines = String::new();
    for n in 0..3i64 {
        let questions: Vec<Question> = (0..20)
            .map(|i| Question {
                format: yadgar::exam::Format::MultipleChoice,
                prompt: format!("Question {i}?"),
                options: vec!["a".into(), "b".into(), "c".into(), "d".into()],
                correct: Correct::Option { index: 0 },
                cards: vec!["soviet-iran-dates/decree-on-peace-date".into()],
                fact: None,
                shown: None,
                dates: vec![],
            })
            .collect();
        let given: Vec<Given> = (0..20).map(|i| Given::Option { index: i % 2 }).collect();
        let mut attempt = Attempt {
            v: 1,
            started_ms: 1_780_000_000_000 + n * 86_400_000,
            finished_ms: 1_780_000_600_000 + n * 86_400_000,
            offset_s: 0,
            seed: n as u64,
            scope: "all decks".into(),
            questions,
            given,
            marks: vec![Mark::Blank; 20],
            points: 0.0,
            almost: yadgar::exam::AlmostCounts::Half,
            auto_submitted: false,
            partial_timelines: true,
            appeals: vec![],
            predicted: vec![0.8; 20],
        };
        attempt.remark();
        lines.push_str(&serde_json::to_string(&attempt).unwrap());
        lines.push('\n');
    }
    std::fs::write(dir.path().join("profiles/default/exams.jsonl"), lines).unwrap();
    let mut harness = app(dir.path());
    let date = in_days(20);
    show_readiness(&mut harness, &date);
    wait_for(&mut harness, "Calibrated on your 60 mock-exam answers:");
    assert!(shows(&harness, "Your mock exams so far: predicted 80%, scored 50% over 3 exams."));
}

#[path = "support/source.rs"]
mod support;

#[test]
fn a_missed_question_shows_its_paragraph_from_the_students_own_text() {
    let Some(article) = support::source_path() else { return };
    let dir = tempfile::tempdir().unwrap();
    {
        let device = store::device_id(&dir.path().join("device-id")).unwrap();
        let mut c = Collection::open(dir.path(), "default", &device).unwrap();
        let preferences = Preferences {
            hint_dismissed: true,
            source_text: Some(article.display().to_string()),
            ..Preferences::default()
        };
        c.set_preferences(preferences).unwrap();
    }
    let mut harness = open_app(dir.path(), [1100.0, 1000.0]);
    set_up_with(&mut harness, 5.0, "8", None, &["typed answer"]);
    let exam = harness.state().exam_in_progress().unwrap().clone();
    press_with(&mut harness, egui::Modifiers::COMMAND, egui::Key::Enter);
    press(&mut harness, egui::Key::Enter);
    assert!(shows(&harness, "Score: 0%"));
    let library = yadgar::deck::Library::bundled();
    let (deck, card) = exam.questions[0].cards[0].split_once('/').unwrap();
    let card =
        library.deck(&yadgar::deck::DeckId(deck.into())).unwrap().deck.cards.iter().find(|c| c.id.0 == card).unwrap();
    let paragraph = card.source.as_ref().unwrap().paragraph;
    let text = std::fs::read_to_string(&article).unwrap();
    let cited = text.split("\n\n").filter(|p| !p.trim().is_empty()).nth(paragraph as usize - 1).unwrap();
    let opening: String = cited.trim().chars().take(40).collect();
    assert!(!shows(&harness, &opening), "folded at first");
    harness.get_all_by_label(&format!("Source: paragraph {paragraph}")).next().unwrap().click();
    harness.run_ok();
    assert!(shows(&harness, &opening), "the paragraph opens under the missed question");
}

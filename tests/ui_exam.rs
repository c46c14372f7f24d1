//! Mock exams in the window, driven with egui_kittest: a 10-question exam
//! answered partly right with a typed near miss, submitted, scored and
//! saved; a timed exam that submits itself; an exam date giving readiness.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::exam::{Correct, Format, Given};
use yadgar::store::{self, Attempt, Collection, Preferences};
use yadgar::ui::{Config, YadgarApp};

fn app(data: &Path) -> Harness<'static, YadgarApp> {
    {
        let device = store::device_id(&data.join("device-id")).unwrap();
        let mut c = Collection::open(data, "default", &device).unwrap();
        c.set_preferences(Preferences { hint_dismissed: true, ..Preferences::default() }).unwrap();
    }
    let config = Config::for_data_dir(data.to_path_buf(), "default");
    let mut harness =
        Harness::builder().with_size([1100.0, 1000.0]).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run_ok();
    harness
}

fn shows(harness: &Harness<'_, YadgarApp>, label: &str) -> bool {
    harness.query_all_by_label_contains(label).next().is_some()
}

fn attempts(data: &Path) -> Vec<Attempt> {
    let text = std::fs::read_to_string(data.join("profiles/default/exams.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn set_up(harness: &mut Harness<'_, YadgarApp>, count: f64, seed: &str, limit: Option<&str>) {
    harness.get_by_label("Mock exam").click();
    harness.run_ok();
    let questions = harness.get_by_role_and_label(egui::accesskit::Role::Slider, "Questions");
    questions.set_value_accesskit(count);
    harness.run_ok();
    for format in ["true or false", "timeline"] {
        harness.get_by_label(format).click();
        harness.run_ok();
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

#[test]
fn a_ten_question_exam_is_answered_submitted_scored_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    set_up(&mut harness, 10.0, "2024", None);
    let exam = harness.state().exam_in_progress().expect("the exam has started").clone();
    assert_eq!(exam.questions.len(), 10);
    let mut expected_points = 0.0;
    let mut near_misses = 0;
    for (i, question) in exam.questions.iter().enumerate() {
        assert!(matches!(question.format, Format::MultipleChoice | Format::Typed));
        let answer_right = i % 3 != 2;
        match &question.correct {
            Correct::Option { index } => {
                let chosen = if answer_right { *index } else { (*index + 1) % 4 };
                let label = format!("{}) {}", char::from(b'a' + chosen as u8), question.options[chosen]);
                harness.get_by_label(&label).click();
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
                let field = harness.get_by_label("Your answer:");
                field.focus();
                field.type_text(&typed);
            }
            other => panic!("unexpected {other:?}"),
        }
        harness.run_ok();
        if i + 1 < exam.questions.len() {
            harness.get_by_label("Next").click();
            harness.run_ok();
        }
    }
    assert_eq!(near_misses, 1, "the seed gives a typed question to misspell");
    harness.get_by_label("Submit").click();
    harness.run_ok();
    let percent = (expected_points / 10.0 * 100.0_f32).round();
    assert!(shows(&harness, &format!("Score: {percent}%")), "expected {percent}%");
    assert!(shows(&harness, "almost"));
    assert!(shows(&harness, "Right answer:"));
    assert!(shows(&harness, "Source: paragraph"));
    assert!(shows(&harness, "Your exam history"));
    let saved = attempts(dir.path());
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].questions.len(), 10);
    assert_eq!(saved[0].points, expected_points);
    assert_eq!(saved[0].seed, 2024);
    assert!(!saved[0].auto_submitted);
    // The exam did not touch the review schedule.
    let log = dir.path().join("profiles/default");
    let reviews: usize = std::fs::read_dir(&log)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("reviews-"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap().lines().count())
        .sum();
    assert_eq!(reviews, 0);

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
    let library = store::load_library(&c.profile().decks_dir());
    let (queue, _) = yadgar::study::queue(c.scheduler(), store::now(), &library, c.progress(), None);
    assert_eq!(queue.counts.new, 20 + missed, "sent cards come on top of the daily limit");
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

#[test]
fn an_exam_date_shows_a_readiness_figure_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = app(dir.path());
    harness.get_by_label("Exam readiness").click();
    harness.run_ok();
    let date = jiff::Timestamp::from_millisecond(store::now().unix_ms + 20 * 86_400_000)
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string();
    let field = harness.get_by_label("Exam date (YYYY-MM-DD)");
    field.focus();
    field.set_text_value_accesskit(&date);
    harness.run_ok();
    harness.get_by_label("Show readiness").click();
    harness.run_ok();
    assert!(shows(&harness, &format!("Expected score on {date}: 0%")), "nothing studied yet: 0%");
    assert!(shows(&harness, "Prepare for the exam"));
    assert!(shows(&harness, "Weakest tags"));
    let profile = std::fs::read_to_string(dir.path().join("profiles/default/profile.json")).unwrap();
    assert!(profile.contains(&format!("\"exam_date\": \"{date}\"")), "{profile}");
    // A bad date is refused with a message.
    let field = harness.get_by_label("Exam date (YYYY-MM-DD)");
    field.focus();
    field.set_text_value_accesskit("next Friday");
    harness.run_ok();
    harness.get_by_label("Show readiness").click();
    harness.run_ok();
    assert!(shows(&harness, "write the date as YYYY-MM-DD"));
}

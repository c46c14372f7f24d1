//! Daily review, driven as a student would with egui_kittest: first start,
//! Study now, reveal and grade to the summary, then the grades on disk;
//! undo, bury, typed answers, settings that refuse bad values, a locked
//! profile, and a write that fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::revlog::Action;
use yadgar::schedule::Settings;
use yadgar::store::{self, Collection, Preferences};
use yadgar::ui::{Config, YadgarApp};

fn device(data: &Path) -> String {
    store::device_id(&data.join("device-id")).unwrap()
}

/// Prepares the profile before the window opens.
fn prepare(data: &Path, settings: Settings, preferences: Preferences) {
    let mut c = Collection::open(data, "default", &device(data)).unwrap();
    c.set_settings(settings).unwrap();
    c.set_preferences(preferences).unwrap();
}

fn app(data: &Path) -> Harness<'static, YadgarApp> {
    let config = Config::for_data_dir(data.to_path_buf(), "default");
    let mut harness =
        Harness::builder().with_size([1000.0, 900.0]).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run_ok();
    harness
}

fn press(harness: &mut Harness<'_, YadgarApp>, key: Key) {
    harness.key_press(key);
    harness.run_ok();
}

fn shows(harness: &Harness<'_, YadgarApp>, label: &str) -> bool {
    harness.query_all_by_label_contains(label).next().is_some()
}

fn quiet() -> Preferences {
    Preferences { hint_dismissed: true, ..Preferences::default() }
}

#[test]
fn first_start_study_now_grade_to_the_summary_and_find_every_grade_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    {
        // First start on an empty data folder: the hint shows, then goes.
        let mut harness = app(data);
        assert!(shows(&harness, "Welcome to Yadgar"));
        harness.get_by_label("Got it").click();
        harness.run_ok();
        assert!(!shows(&harness, "Welcome to Yadgar"));
    }
    prepare(data, Settings { new_per_day: 3, ..Settings::default() }, quiet());
    let mut harness = app(data);
    assert!(shows(&harness, "3 new"));
    press(&mut harness, Key::Enter);
    let mut graded = 0;
    while !shows(&harness, "Session done") {
        assert!(graded < 10, "the session should end after 3 cards");
        assert!(shows(&harness, "Show answer"));
        press(&mut harness, Key::Space);
        assert!(shows(&harness, "Source: paragraph"), "the answer shows its source");
        harness.get_by_label_contains("4  Easy").click();
        harness.run_ok();
        graded += 1;
    }
    assert_eq!(graded, 3);
    assert!(shows(&harness, "3 cards · 3 answers in"));
    harness.get_by_label("Back to home").click();
    harness.run_ok();
    assert!(shows(&harness, "All done for today"));
    assert!(shows(&harness, "Study ahead"));
    drop(harness);

    let c = Collection::open(data, "default", &device(data)).unwrap();
    let today = c.scheduler().day(store::now());
    assert_eq!(c.progress().day(today).answers, 3);
    assert_eq!(c.progress().card_count(), 3);
    assert_eq!(c.history_events().unwrap().len(), 3);
}

#[test]
fn undo_shows_the_card_again_and_takes_the_grade_back() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    press(&mut harness, Key::Enter);
    let first = "On what date was the Soviet Decree on Peace adopted?";
    assert!(shows(&harness, first));
    press(&mut harness, Key::Space);
    press(&mut harness, Key::Num4);
    assert!(!shows(&harness, first));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    harness.run_ok();
    assert!(shows(&harness, first), "the undone card is shown again");
    drop(harness);
    let c = Collection::open(dir.path(), "default", &device(dir.path())).unwrap();
    assert_eq!(c.progress().day(c.scheduler().day(store::now())).answers, 0);
    assert_eq!(c.history_events().unwrap().len(), 0, "the grade and its undo cancel out");
}

#[test]
fn bury_hides_the_card_until_tomorrow() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    press(&mut harness, Key::Enter);
    press(&mut harness, Key::Minus);
    // (The toast names it; the card itself is gone.)
    assert!(harness.query_by_label("On what date was the Soviet Decree on Peace adopted?").is_none());
    drop(harness);
    let c = Collection::open(dir.path(), "default", &device(dir.path())).unwrap();
    let events = c.history_events().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, Action::Bury);
    let state = c.progress().state(&events[0].deck, &events[0].card).unwrap();
    assert_eq!(state.buried_until, Some(c.scheduler().day(store::now()).plus(1)));
}

#[test]
fn a_typed_answer_with_a_typo_is_almost_and_shows_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    // The first two cards are siblings (a date and its reverse): with
    // burying on, the second would wait until tomorrow.
    let settings = Settings { bury_new_siblings: false, ..Settings::default() };
    prepare(dir.path(), settings, Preferences { typed_answers: true, ..quiet() });
    let mut harness = app(dir.path());
    press(&mut harness, Key::Enter);
    // An empty answer is refused with a message, not graded.
    press(&mut harness, Key::Enter);
    assert!(shows(&harness, "Type an answer first"));
    // The first card asks for a date: the wrong day is wrong.
    harness.get_by_label("Your answer:").type_text("27 October 1917");
    press(&mut harness, Key::Enter);
    assert!(shows(&harness, "Not quite"));
    assert!(shows(&harness, "You typed:"));
    press(&mut harness, Key::Num1);
    // The second asks for a name: one wrong letter is almost right.
    harness.get_by_label("Your answer:").type_text("Decree on Peice");
    press(&mut harness, Key::Enter);
    assert!(shows(&harness, "Almost: check the spelling"));
    assert!(shows(&harness, "Decree on Peace"));
}

#[test]
fn settings_refuse_bad_values_inline_and_save_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    harness.get_by_label("Settings").click();
    harness.run_ok();
    let retention = harness.get_by_label("Desired retention");
    retention.focus();
    retention.set_text_value_accesskit("1.3");
    harness.run_ok();
    let steps = harness.get_by_label("Learning steps");
    steps.focus();
    steps.set_text_value_accesskit("abc");
    harness.run_ok();
    harness.get_by_label("Save").click();
    harness.run_ok();
    assert!(shows(&harness, "enter a number from 0.70 to 0.99"));
    assert!(shows(&harness, "enter durations separated by spaces"));
    assert!(shows(&harness, "nothing was saved"));
    let saved = |dir: &Path| Collection::open_read_only(dir, "default", "reader").unwrap().settings().clone();
    assert_eq!(saved(dir.path()).desired_retention, 0.9);

    let retention = harness.get_by_label("Desired retention");
    retention.focus();
    retention.set_text_value_accesskit("0.85");
    harness.run_ok();
    let steps = harness.get_by_label("Learning steps");
    steps.focus();
    steps.set_text_value_accesskit("2m 15m");
    harness.run_ok();
    harness.get_by_label("Save").click();
    harness.run_ok();
    assert!(shows(&harness, "Saved."));
    // Saved as an event in the log, read back by another open.
    let settings = saved(dir.path());
    assert_eq!(settings.desired_retention, 0.85);
    assert_eq!(settings.learning_steps_mins, [2.0, 15.0]);
}

#[test]
fn a_profile_open_elsewhere_shows_who_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let holder = Collection::open(dir.path(), "default", &device(dir.path())).unwrap();
    let harness = app(dir.path());
    assert!(shows(&harness, "This profile cannot be opened"));
    assert!(shows(
        &harness,
        &format!("profile \"default\" is open in another Yadgar window, pid {}", std::process::id())
    ));
    assert!(!shows(&harness, "Study now"), "nothing can be studied");
    drop(holder);
}

#[test]
fn a_grade_that_cannot_be_written_is_never_shown_as_saved() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    // The log is a device that is always full.
    let log = dir.path().join(format!("profiles/default/reviews-{}.jsonl", device(dir.path())));
    let _ = std::fs::remove_file(&log);
    std::os::unix::fs::symlink("/dev/full", &log).unwrap();
    let mut harness = app(dir.path());
    press(&mut harness, Key::Enter);
    let first = "On what date was the Soviet Decree on Peace adopted?";
    press(&mut harness, Key::Space);
    press(&mut harness, Key::Num3);
    assert!(shows(&harness, "Your grade was NOT saved"));
    assert!(shows(&harness, first), "the card stays until its grade is saved");
}

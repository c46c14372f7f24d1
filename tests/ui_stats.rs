//! The statistics and tuning screens, driven headless with egui_kittest:
//! every chart is there with its caption, figures come from the profile's
//! own reviews (computed on a worker thread), and tuning refuses a history
//! that is too small, with the reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::deck::Library;
use yadgar::schedule::Rating;
use yadgar::store::{self, Collection};
use yadgar::time::Moment;
use yadgar::ui::{Config, YadgarApp};

fn app(data_dir: &Path) -> Harness<'static, YadgarApp> {
    let config = Config::for_data_dir(data_dir.to_path_buf(), "default");
    let mut harness =
        Harness::builder().with_size([960.0, 5000.0]).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run();
    harness
}

/// Steps frames until a label containing `text` shows (work runs on
/// worker threads), or fails after a generous wait.
fn wait_for(harness: &mut Harness<'static, YadgarApp>, text: &str) {
    for _ in 0..3000 {
        harness.step();
        if harness.query_all_by_label_contains(text).next().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{text:?} never appeared");
}

/// Grades the first `n` cards of the first bundled deck: yesterday, and
/// again today.
fn study(data_dir: &Path, n: usize) {
    let device = store::device_id(&data_dir.join("device-id")).unwrap();
    // The window's folders for tests (ui::Config::for_data_dir), so it
    // opens from this snapshot.
    let local = store::LocalDirs { config_dir: data_dir.to_path_buf(), cache_dir: data_dir.join("cache") };
    let opening = store::Opening::new(true, Some(local));
    let mut collection = Collection::open_as(data_dir, "default", &device, &opening).unwrap();
    let library = Library::bundled();
    let deck = &library.decks[0].deck;
    let now = store::now();
    let yesterday = Moment::new(now.unix_ms - 86_400_000, now.offset_s);
    for card in deck.cards.iter().take(n) {
        collection.grade(&deck.id, &card.id, Rating::Good, 5_000, yesterday, false).unwrap();
        collection.grade(&deck.id, &card.id, Rating::Good, 5_000, yesterday, false).unwrap();
    }
    assert!(collection.save_snapshot().unwrap());
}

#[test]
fn the_statistics_screen_shows_every_chart_with_a_caption_from_the_profiles_reviews() {
    let dir = tempfile::tempdir().unwrap();
    study(dir.path(), 6);
    let mut harness = app(dir.path());
    harness.get_by_label("Statistics").click();
    // Opened from the snapshot: the history is read on a worker thread.
    wait_for(&mut harness, "True retention");
    for title in [
        "Review forecast",
        "Reviews per day",
        "True retention",
        "Card states",
        "Memory",
        "Answer buttons",
        "Time spent",
        "Weakest topics",
    ] {
        harness.get_by_label(title);
    }
    for caption in [
        "Cards that fall due on each of the next 30 days",
        "Each square is a day of the past year",
        "How often you remembered a card",
        "How many cards are new",
        "Stability: days until recall falls",
        "Which button you pressed",
        "Minutes you spent answering",
        "Tags whose studied cards",
    ] {
        assert!(harness.query_all_by_label_contains(caption).next().is_some(), "no caption {caption:?}");
    }
    // 12 grades of 6 cards, all Good.
    wait_for(&mut harness, "answers in all");
    harness.get_by_label("12");
    harness.get_by_label("Learning: 100% correct of 12");
    let new = Library::bundled().card_count() - 6;
    harness.get_by_label(&format!("New: {new}"));
    harness.get_by_label("Desired retention: 90%. Green: the scheduler keeps its promise (within 2 points); yellow: within 10; red: further below.");

    // The forecast switches to a year.
    harness.get_by_label("Next year").click();
    wait_for(&mut harness, "Cards that fall due on each of the next 365 days");
}

#[test]
fn tuning_refuses_a_small_history_with_the_reason_and_simulates_the_workload() {
    let dir = tempfile::tempdir().unwrap();
    study(dir.path(), 3);
    let mut harness = app(dir.path());
    harness.get_by_label("Statistics").click();
    // The statistics compute on a worker thread behind a spinner, so step
    // frames rather than wait for the window to settle.
    harness.run_steps(3);
    harness.get_by_label("Tune the scheduler").click();
    harness.run_steps(3);
    harness.get_by_label("In use: the default parameters, fitted to millions of other learners' reviews.");
    // Wait until the history has been read, then ask.
    for _ in 0..500 {
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.get_by_label("Optimise my parameters").click();
    wait_for(&mut harness, "at least 64 are needed");
    harness.get_by_label("Simulate my workload").click();
    wait_for(&mut harness, "Least study per card remembered");
    assert!(harness.query_all_by_label_contains("At your 90%").next().is_some());
}

#[test]
fn in_a_narrow_window_the_screens_are_in_one_menu() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_data_dir(dir.path().to_path_buf(), "default");
    let mut harness =
        Harness::builder().with_size([640.0, 3000.0]).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run();
    assert!(harness.query_by_label("Statistics").is_none());
    harness.get_by_label_contains("Go to ▾").click();
    harness.run();
    harness.get_by_label("Statistics").click();
    wait_for(&mut harness, "True retention");
    assert!(harness.query_by_label("Statistics").is_some(), "the statistics tab");
}

#[test]
fn the_default_parameters_are_one_click_away_and_settings_lead_to_tuning() {
    let dir = tempfile::tempdir().unwrap();
    {
        let device = store::device_id(&dir.path().join("device-id")).unwrap();
        let mut collection = Collection::open(dir.path(), "default", &device).unwrap();
        let mut fitted = fsrs::DEFAULT_PARAMETERS.to_vec();
        fitted[0] = 0.5;
        let settings = yadgar::schedule::Settings { fsrs_parameters: fitted, ..collection.settings().clone() };
        collection.set_settings(settings).unwrap();
    }
    let mut harness = app(dir.path());
    harness.get_by_label("Settings").click();
    harness.run();
    harness.get_by_label("fitted to your reviews");
    harness.get_by_label("Use the default parameters").click();
    harness.run();
    harness.get_by_label("The default parameters are in use again.");
    harness.get_by_label("the defaults");
    assert!(harness.state().collection().unwrap().settings().fsrs_parameters.is_empty());
    harness.get_by_label("Tune the scheduler…").click();
    harness.run_steps(3);
    harness.get_by_label("Fit the scheduler to your memory");
}

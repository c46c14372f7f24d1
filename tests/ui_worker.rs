//! Slow ops run on a worker, driven with egui_kittest: new settings on a
//! profile with a long history (every card is replayed) show their progress
//! in place of the screen, with no way to navigate away meanwhile, and the
//! screen that asked says how it went once the worker is done. Quick ops
//! (a grade) are covered by every other UI test, which see their result in
//! the same frame.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui_kittest::Harness;
use yadgar::revlog::{Action, ReviewKind};
use yadgar::schedule::Rating;
use yadgar::store::{self, Collection, Preferences};
use yadgar::ui::{Config, YadgarApp};

#[path = "support/ui.rs"]
mod ui;
use ui::*;

/// A profile whose log holds `n` grades of the bundled cards, so that new
/// settings take a while to replay.
fn long_history(data: &Path, n: usize) {
    let device = store::device_id(&data.join("device-id")).unwrap();
    let mut c = Collection::open(data, "default", &device).unwrap();
    c.set_preferences(Preferences { hint_dismissed: true, ..Preferences::default() }).unwrap();
    let library = c.library();
    let cards: Vec<store::CardRef> = library
        .decks
        .iter()
        .flat_map(|d| d.deck.cards.iter().map(|card| (d.deck.id.clone(), card.id.clone())))
        .collect();
    let many: Vec<store::CardRef> = cards.iter().cycle().take(n).cloned().collect();
    let grade = Action::Review { rating: Rating::Good, kind: ReviewKind::Review, answer_ms: 4_000 };
    // Dated back a year, so the grades are spread over past days.
    let start = store::now().unix_ms - 365 * 86_400_000;
    c.record_all(&many, &grade, yadgar::time::Moment::new(start, 0)).unwrap();
}

/// The app, showing an op's progress as soon as it is not done (no wait).
fn open_app_no_wait(data: &Path) -> Harness<'static, YadgarApp> {
    let mut config = Config::for_data_dir(data.to_path_buf(), "default");
    config.inline_wait = std::time::Duration::ZERO;
    let mut harness =
        Harness::builder().with_size([1000.0, 760.0]).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run_ok();
    harness
}

#[test]
fn new_settings_on_a_long_history_show_progress_then_say_saved() {
    let dir = tempfile::tempdir().unwrap();
    long_history(dir.path(), 150_000);
    let mut harness = open_app_no_wait(dir.path());
    click(&mut harness, "Settings");
    set_field(&mut harness, "Desired retention", "0.85");
    click(&mut harness, "Save");
    // Replaying 150,000 grades takes far longer than the frames drawn by
    // the click: the progress shows in place of the screen.
    assert!(shows(&harness, "Applying the new settings to every card"), "no progress shown");
    assert!(!shows(&harness, "Browse"), "the screens can be left while the collection is on the worker");
    assert!(!shows(&harness, "Desired retention"), "the settings form is drawn while its op runs");
    wait_for(&mut harness, "Saved.");
    assert!(shows(&harness, "Browse"));
    drop(harness);
    let device = store::device_id(&dir.path().join("device-id")).unwrap();
    let c = Collection::open_read_only(dir.path(), "default", &device).unwrap();
    assert!((c.settings().desired_retention - 0.85).abs() < 1e-6, "the retention was not saved");
}

#[test]
fn an_op_the_store_refuses_on_the_worker_says_why_on_the_screen_that_asked() {
    let dir = tempfile::tempdir().unwrap();
    long_history(dir.path(), 1_000);
    // A log from a newer Yadgar makes the profile read-only: every write
    // is refused, and the refusal comes back from the worker.
    let profile = dir.path().join("profiles").join("default");
    std::fs::write(profile.join("reviews-zz.jsonl"), "{\"v\":9}\n").unwrap();
    let mut harness = open_app_no_wait(dir.path());
    click(&mut harness, "Settings");
    set_field(&mut harness, "Desired retention", "0.85");
    click(&mut harness, "Save");
    wait_for(&mut harness, "Not saved:");
    assert!(shows(&harness, "newer Yadgar"), "the reason is not given");
    assert!(shows(&harness, "Desired retention"), "the form went away, with what was typed");
}

#[test]
fn another_computers_new_settings_merge_on_the_worker_and_the_screen_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    long_history(dir.path(), 150_000);
    let mut harness = open_app_no_wait(dir.path());
    click(&mut harness, "Browse");
    assert!(shows(&harness, "Search:"));
    // The laptop (another device, its own log in the same folder, as a
    // sync tool delivers it) lowers the retention: every card is replayed
    // when the window merges it.
    let mut laptop = Collection::open(dir.path(), "default", "1a2b3c4d5e6f7a8b").unwrap();
    let settings = yadgar::schedule::Settings { desired_retention: 0.8, ..laptop.settings().clone() };
    laptop.set_settings(settings).unwrap();
    drop(laptop);
    // The window checks every two seconds, on the worker.
    wait_for(&mut harness, "Bringing in your other computer's changes");
    assert!(!shows(&harness, "Search:"), "the browser is drawn while the collection is on the worker");
    wait_for(&mut harness, "Search:");
    let c = harness.state().collection().unwrap();
    assert!((c.settings().desired_retention - 0.8).abs() < 1e-6, "the laptop's retention was not merged");
}

#[test]
fn replaying_every_card_reports_its_share_done() {
    let dir = tempfile::tempdir().unwrap();
    long_history(dir.path(), 150_000);
    let device = store::device_id(&dir.path().join("device-id")).unwrap();
    let mut c = Collection::open(dir.path(), "default", &device).unwrap();
    let progress = std::sync::Arc::new(store::Progress::default());
    let settings = yadgar::schedule::Settings { desired_retention: 0.85, ..c.settings().clone() };
    c.apply_with_progress(store::Op::SetSettings(settings), store::now(), std::sync::Arc::clone(&progress)).unwrap();
    // The last stage was the replay, counted in events (not a spinner).
    assert_eq!(progress.stage(), store::Stage::Replaying);
    let done = progress.fraction().expect("the replay's size is known");
    assert!(done > 0.5, "{done}");
}

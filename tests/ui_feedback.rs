//! Feedback and keys, driven with egui_kittest as a student would: bury
//! and suspend say so in a toast whose Undo takes them back; the Undo
//! button names what it would undo; the summary counts cards and answers
//! apart and lists the cards missed; Esc goes back from every screen; Ctrl+B
//! and / put the cursor in the browser's search box and Enter keeps it
//! there; `deck:My` finds the deck "My cards".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use yadgar::revlog::Action;
use yadgar::schedule::Settings;
use yadgar::store::{self, Collection, Preferences};
use yadgar::ui::YadgarApp;

#[path = "support/ui.rs"]
mod ui;
use ui::*;

fn device(data: &Path) -> String {
    store::device_id(&data.join("device-id")).unwrap()
}

fn prepare(data: &Path, settings: Settings, preferences: Preferences) {
    let mut c = Collection::open(data, "default", &device(data)).unwrap();
    c.set_settings(settings).unwrap();
    c.set_preferences(preferences).unwrap();
}

fn quiet() -> Preferences {
    Preferences { hint_dismissed: true, ..Preferences::default() }
}

fn app(data: &Path) -> Harness<'static, YadgarApp> {
    open_app(data, [1000.0, 900.0])
}

const FIRST: &str = "On what date was the Soviet Decree on Peace adopted?";

#[test]
fn bury_says_so_in_a_toast_whose_undo_brings_the_card_back() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    press(&mut harness, Key::Enter);
    assert!(shows(&harness, FIRST));
    // Nothing to undo yet: the button is there, disabled.
    assert!(harness.get_by_label("Undo").accesskit_node().is_disabled());
    press(&mut harness, Key::Minus);
    assert!(harness.query_by_label(FIRST).is_none(), "the card is gone");
    assert!(shows(&harness, &format!("Buried until tomorrow: “{FIRST}”")));
    // The review's button now names what it would undo.
    assert!(!harness.get_by_label("Undo bury").accesskit_node().is_disabled());
    click(&mut harness, "Undo");
    assert!(harness.query_by_label(FIRST).is_some(), "the buried card is back on screen");
    assert!(!shows(&harness, "Buried until tomorrow"), "the toast is gone");
    drop(harness);
    let c = Collection::open(dir.path(), "default", &device(dir.path())).unwrap();
    let buried = c.progress().states.values().flat_map(|cards| cards.values()).any(|s| s.buried_until.is_some());
    assert!(!buried, "the bury was taken back on disk");
}

#[test]
fn suspend_says_so_in_a_toast_whose_undo_unsuspends() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    press(&mut harness, Key::Enter);
    harness.event(egui::Event::Text("@".to_owned()));
    harness.run_ok();
    assert!(shows(&harness, &format!("Suspended: “{FIRST}”")));
    assert!(harness.query_by_label(FIRST).is_none(), "the card is gone");
    assert!(shows(&harness, "Undo suspend"));
    click(&mut harness, "Undo");
    assert!(shows(&harness, FIRST));
    drop(harness);
    let c = Collection::open(dir.path(), "default", &device(dir.path())).unwrap();
    let events = c.history_events().unwrap();
    assert!(!events.iter().any(|e| e.action == Action::Suspend), "the suspend and its undo cancel out");
    assert!(c.progress().states.values().flat_map(|cards| cards.values()).all(|s| !s.suspended));
}

#[test]
fn the_summary_counts_cards_and_answers_apart_and_lists_the_missed_card() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        new_per_day: 2,
        learning_steps_mins: vec![1.0 / 60.0],
        bury_new_siblings: false,
        ..Settings::default()
    };
    prepare(dir.path(), settings, quiet());
    let mut harness = app(dir.path());
    press(&mut harness, Key::Enter);
    // The first card is missed, the second known; the first comes back
    // after its one-second step and is known then.
    press(&mut harness, Key::Space);
    press(&mut harness, Key::Num1);
    press(&mut harness, Key::Space);
    press(&mut harness, Key::Num3);
    for _ in 0..100 {
        if shows(&harness, FIRST) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        harness.run_ok();
    }
    assert!(shows(&harness, FIRST), "the missed card comes back");
    press(&mut harness, Key::Space);
    press(&mut harness, Key::Num3);
    assert!(shows(&harness, "Session done"));
    assert!(shows(&harness, "2 cards · 3 answers in"), "cards and answers are counted apart");
    assert!(shows(&harness, "1 card you missed"));
    assert!(shows(&harness, FIRST));
    // The summary's Browse (the top bar has one too, first).
    harness.get_all_by_label("Browse").last().unwrap().click();
    harness.run_ok();
    assert!(harness.query_by_label("1 card").is_some(), "Browse shows the missed card alone");
    assert!(shows(&harness, FIRST));
}

/// Esc from `screen` (opened by clicking `button` on home) comes back home.
fn esc_goes_home(harness: &mut Harness<'_, YadgarApp>, button: &str, marker: &str) {
    click(harness, button);
    assert!(shows(harness, marker), "{button} opened");
    assert!(!shows(harness, "Your decks"), "{button} is not home");
    press(harness, Key::Escape);
    assert!(shows(harness, "Your decks"), "Esc on {button} goes back home");
}

#[test]
fn esc_goes_back_on_every_screen() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { new_per_day: 1, ..Settings::default() };
    // The welcome panel is shown, and Esc closes it.
    prepare(dir.path(), settings, Preferences::default());
    let mut harness = app(dir.path());
    assert!(shows(&harness, "Welcome to Yadgar"));
    press(&mut harness, Key::Escape);
    assert!(!shows(&harness, "Welcome to Yadgar"));

    esc_goes_home(&mut harness, "Statistics", "Tune the scheduler");
    esc_goes_home(&mut harness, "Settings", "Desired retention");
    esc_goes_home(&mut harness, "Browse", "Search:");
    esc_goes_home(&mut harness, "Add card", "Question");
    esc_goes_home(&mut harness, "Mock exam", "Questions");
    esc_goes_home(&mut harness, "Exam readiness", "Exam date and readiness");

    // The import screen goes back to the browser, then home.
    click(&mut harness, "Browse");
    click(&mut harness, "Import or export…");
    assert!(shows(&harness, "Import a deck"));
    press(&mut harness, Key::Escape);
    assert!(shows(&harness, "Search:"), "back in the browser");
    press(&mut harness, Key::Escape);
    assert!(shows(&harness, "Your decks"));

    // A review, and its summary.
    press(&mut harness, Key::Enter);
    assert!(shows(&harness, "Show answer"));
    press(&mut harness, Key::Escape);
    assert!(shows(&harness, "Your decks"));
    press(&mut harness, Key::Enter);
    press(&mut harness, Key::Space);
    press(&mut harness, Key::Num4);
    assert!(shows(&harness, "Session done"));
    press(&mut harness, Key::Escape);
    assert!(shows(&harness, "Your decks"));
}

#[test]
fn ctrl_b_and_slash_put_the_cursor_in_the_search_box_and_enter_keeps_it_there() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    ctrl(&mut harness, Key::B);
    assert!(harness.get_by_label("Search:").is_focused(), "Ctrl+B opens the browser with the cursor in search");
    harness.get_by_label("Search:").type_text("treaty");
    harness.run_ok();
    press(&mut harness, Key::Enter);
    let search = harness.get_by_label("Search:");
    assert!(search.is_focused(), "Enter runs the search and keeps the cursor");
    assert_eq!(search.value().as_deref(), Some("treaty"));
    assert!(shows(&harness, "Search:"), "Enter did not open a card");

    // Out of the box (Esc goes home), / opens the browser with the cursor in it again.
    press(&mut harness, Key::Escape);
    assert!(shows(&harness, "Your decks"));
    harness.event(egui::Event::Key {
        key: Key::Slash,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::NONE,
    });
    harness.run_ok();
    assert!(harness.get_by_label("Search:").is_focused(), "/ puts the cursor in search");
    // Ctrl+B inside the browser, after clicking elsewhere, focuses it again.
    harness.get_by_label("Search:").focus();
    press(&mut harness, Key::Tab);
    assert!(!harness.get_by_label("Search:").is_focused());
    ctrl(&mut harness, Key::B);
    assert!(harness.get_by_label("Search:").is_focused());
}

#[test]
fn a_new_deck_made_with_enter_in_the_form_is_found_by_the_start_of_its_name() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    ctrl(&mut harness, Key::N);
    set_field(&mut harness, "New deck:", "My cards");
    press(&mut harness, Key::Enter);
    assert!(harness.state().library().decks.iter().any(|d| d.deck.title == "My cards"), "Enter made the deck");
    set_field(&mut harness, "Question", "Who led the coup of February 1921?");
    set_field(&mut harness, "Answer", "Reza Khan");
    ctrl(&mut harness, Key::Enter);
    assert!(shows(&harness, "Added “Who led the coup of February 1921?” to “My cards”"));
    // The toast's Undo is there; the card stays for the search.
    assert!(shows(&harness, "Undo"));
    ctrl(&mut harness, Key::B);
    set_field(&mut harness, "Search:", "deck:My");
    assert!(harness.query_by_label("1 card").is_some(), "deck:My finds the deck “My cards”");
    assert!(shows(&harness, "Who led the coup of February 1921?"));
    click(&mut harness, "?");
    assert!(shows(&harness, "cards of decks whose title or id starts with My"));
}

#[test]
fn a_zoom_change_shows_the_percentage_and_ctrl_0_resets_it() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    ctrl(&mut harness, Key::Plus);
    harness.run_ok();
    assert!(shows(&harness, "Zoom 110%"), "the new zoom is said");
    ctrl(&mut harness, Key::Num0);
    harness.run_ok();
    assert!(shows(&harness, "Zoom 100%"));
    drop(harness);
    let c = Collection::open(dir.path(), "default", &device(dir.path())).unwrap();
    assert!((c.preferences().zoom - 1.0).abs() < 0.001, "the reset zoom is kept");
}

#[test]
fn a_deck_rename_and_a_deck_deletion_are_said_and_undone_from_the_toast() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path(), Settings::default(), quiet());
    let mut harness = app(dir.path());
    ctrl(&mut harness, Key::N);
    set_field(&mut harness, "New deck:", "Lecture notes");
    press(&mut harness, Key::Enter);
    press(&mut harness, Key::Escape);
    ctrl(&mut harness, Key::B);
    click(&mut harness, "Your decks");
    click(&mut harness, "Rename Lecture notes");
    set_field(&mut harness, "New title:", "Coup of 1921");
    click(&mut harness, "Save title");
    assert!(shows(&harness, "Renamed “Lecture notes” to “Coup of 1921”."));
    click(&mut harness, "Undo");
    assert!(shows(&harness, "Undone: rename to “Coup of 1921”."));
    let title = |h: &Harness<'_, YadgarApp>| {
        h.state()
            .library()
            .decks
            .iter()
            .filter(|d| d.origin == yadgar::deck::DeckOrigin::Profile)
            .map(|d| d.deck.title.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(title(&harness), ["Lecture notes"]);

    click(&mut harness, "Delete Lecture notes…");
    click(&mut harness, "Delete deck");
    assert!(shows(&harness, "Deleted the deck “Lecture notes”."));
    assert!(title(&harness).is_empty());
    click(&mut harness, "Undo");
    assert!(shows(&harness, "Undone: delete of deck"));
    assert_eq!(title(&harness), ["Lecture notes"], "the deck is back");
}

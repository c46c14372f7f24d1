//! Another computer's changes while the window is open, and undo across a
//! restart, driven with egui_kittest: a deck and an edit written into a
//! second device's log (as a sync tool delivers them) show without a
//! restart; a card graded on the other computer while it is on screen is
//! not shown twice; a card deleted in the browser comes back with Ctrl+Z
//! after the window was closed and opened again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui::Key;
use egui_kittest::kittest::Queryable;
use yadgar::deck::DeckId;
use yadgar::schedule::{Rating, Settings};
use yadgar::store::{self, Collection, Preferences};
use yadgar::{Card, CardKind, study};

#[path = "support/ui.rs"]
mod ui;
use ui::*;

/// This computer's device id (the window's), as the harness sets it up.
fn device(data: &Path) -> String {
    store::device_id(&data.join("device-id")).unwrap()
}

fn card(question: &str, answer: &str) -> Card {
    Card { kind: CardKind::Actor, question: question.into(), answer: answer.into(), ..Card::default() }
}

/// An own deck of three cards, studied from first to last, and only new
/// cards of it (the bundled decks' limit is used up by nothing: a limit of 3).
fn prepare(data: &Path) -> DeckId {
    let mut c = Collection::open(data, "default", &device(data)).unwrap();
    c.set_preferences(Preferences { hint_dismissed: true, ..Preferences::default() }).unwrap();
    let deck = c.create_deck("Lecture notes").unwrap();
    for (q, a) in [
        ("Who led the coup of February 1921?", "Reza Khan"),
        ("Who was the coup's civilian partner?", "Sayyed Zia"),
        ("Which brigade carried the coup out?", "Cossack Brigade"),
    ] {
        c.add_card(&deck, card(q, a)).unwrap();
    }
    deck
}

/// The other computer: another device writing its own log in the same
/// profile folder, as a sync tool would deliver it.
fn laptop(data: &Path) -> Collection {
    Collection::open(data, "default", "1a2b3c4d5e6f7a8b").unwrap()
}

#[test]
fn another_computers_deck_and_edit_show_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let deck = prepare(dir.path());
    let mut harness = open_app(dir.path(), [1100.0, 800.0]);
    assert!(shows(&harness, "Lecture notes"));
    assert!(!shows(&harness, "From the laptop"));

    let mut other = laptop(dir.path());
    let made = other.create_deck("From the laptop").unwrap();
    other.add_card(&made, card("Who signed the 1921 treaty for Iran?", "Moshaver-ol-Mamalek")).unwrap();
    let mut first = other.library().deck(&deck).unwrap().deck.cards[0].clone();
    first.note = "Written on the laptop.".into();
    other.edit_card(&deck, first.clone()).unwrap();
    drop(other);

    // The window finds the new lines within a few seconds, with no restart.
    wait_for(&mut harness, "From the laptop");
    let shown = harness.state().library().deck(&deck).unwrap().deck.cards[0].clone();
    assert_eq!(shown.note, "Written on the laptop.");
    ctrl(&mut harness, Key::B);
    set_field(&mut harness, "Search:", "Moshaver");
    assert!(shows(&harness, "Who signed the 1921 treaty for Iran?"));
}

#[test]
fn a_card_graded_on_the_other_computer_while_on_screen_is_not_graded_twice() {
    let dir = tempfile::tempdir().unwrap();
    let deck = prepare(dir.path());
    {
        // Only the own deck's three new cards are due.
        let mut c = Collection::open(dir.path(), "default", &device(dir.path())).unwrap();
        c.set_settings(Settings { new_per_day: 3, ..Settings::default() }).unwrap();
        for loaded in c.library().decks.iter().filter(|d| d.deck.id != deck) {
            let cards: Vec<_> = loaded.deck.cards.iter().map(|x| (loaded.deck.id.clone(), x.id.clone())).collect();
            c.record_all(&cards, &yadgar::revlog::Action::Suspend, store::now()).unwrap();
        }
    }
    let mut harness = open_app(dir.path(), [1100.0, 800.0]);
    press(&mut harness, Key::Enter);
    assert!(shows(&harness, "Show answer"));
    // Which card is on screen: the first of the queue.
    let c = Collection::open_read_only(dir.path(), "default", "reader").unwrap();
    let library = c.library();
    let (queue, refs) = study::queue(c.scheduler(), store::now(), &library, c.progress(), None);
    let shown = refs[queue.next(store::now()).unwrap().index];
    let on_screen = library.decks[shown.deck].deck.cards[shown.card].clone();
    assert!(shows(&harness, &on_screen.question));
    drop(c);

    let mut other = laptop(dir.path());
    other.grade(&deck, &on_screen.id, Rating::Good, 4000, store::now(), false).unwrap();
    drop(other);
    wait_for(&mut harness, "Your other computer just graded this card");
    assert!(!shows(&harness, &on_screen.question), "the session moved on");
    assert!(shows(&harness, "Show answer"));
}

#[test]
fn a_card_deleted_in_the_browser_comes_back_with_ctrl_z_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let deck = prepare(dir.path());
    let question = "Who was the coup's civilian partner?";
    {
        let mut harness = open_app(dir.path(), [1100.0, 800.0]);
        ctrl(&mut harness, Key::B);
        set_field(&mut harness, "Search:", "deck:Lecture");
        harness.get_by_label(question).click();
        harness.run_ok();
        click(&mut harness, "Delete…");
        click(&mut harness, "Delete");
        assert!(shows(&harness, "Deleted 1 card."));
        assert_eq!(harness.state().library().deck(&deck).unwrap().deck.cards.len(), 2);
    }
    // A new window: the undo stack is in the log.
    let mut harness = open_app(dir.path(), [1100.0, 800.0]);
    assert_eq!(harness.state().library().deck(&deck).unwrap().deck.cards.len(), 2);
    ctrl(&mut harness, Key::Z);
    assert!(shows(&harness, "Undone: delete of card"));
    let cards = &harness.state().library().deck(&deck).unwrap().deck.cards;
    assert_eq!(cards.len(), 3);
    assert_eq!(cards[1].question, question, "back in its place");
    drop(harness);
    let saved = Collection::open_read_only(dir.path(), "default", "reader").unwrap();
    assert_eq!(saved.library().deck(&deck).unwrap().deck.cards.len(), 3);
}

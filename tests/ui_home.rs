//! The window, driven headless with egui_kittest: what a student sees on
//! first start, and what a deck author sees when a deck is broken.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::deck::Library;
use yadgar::ui::{Config, YadgarApp, install_fonts};

fn app(data_dir: &Path, profile: &str) -> Harness<'static, YadgarApp> {
    let config = Config::for_data_dir(data_dir.to_path_buf(), profile);
    let mut harness =
        Harness::builder().with_size([960.0, 4000.0]).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run();
    harness
}

#[test]
fn first_start_shows_every_bundled_deck_with_its_card_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let harness = app(dir.path(), "default");
    let bundled = Library::bundled();
    assert!(bundled.errors.is_empty(), "{:?}", bundled.errors);
    assert!(bundled.decks.len() >= 4);
    for loaded in &bundled.decks {
        harness.get_by_label(&loaded.deck.title);
        harness.get_all_by_label(&format!("{} cards", loaded.deck.cards.len())).next().expect("card count shown");
    }
    harness.get_by_label(&format!("{} decks · {} cards", bundled.decks.len(), bundled.card_count()));
    let switcher = harness.get_by_label("Switch profile");
    assert!(format!("{switcher:?}").contains("value: \"default\""), "{switcher:?}");
    // The default profile was created on disk with no questions asked.
    assert!(dir.path().join("profiles/default/decks").is_dir());
}

#[test]
fn a_broken_deck_is_shown_with_what_to_do_and_the_others_still_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let decks = dir.path().join("profiles/default/decks");
    std::fs::create_dir_all(&decks).expect("mkdir");
    let broken = b"{\"format\": 1,\n\"id\": \"mine\"\n\"title\": \"x\"}";
    std::fs::write(decks.join("broken.json"), broken).expect("write");
    std::fs::write(
        decks.join("mine.json"),
        r#"{"format": 1, "id": "lecture-notes", "title": "My lecture notes", "cards": [
            {"id": "one", "kind": "actor", "question": "Who led the 1921 coup?", "answer": "Reza Khan"}]}"#,
    )
    .expect("write");

    let harness = app(dir.path(), "default");
    harness.get_by_label("1 deck file could not be loaded");
    let message = format!(
        "{}:3:1: expected `,` or `}}`: fix the JSON (see docs/deck-format.md)",
        decks.join("broken.json").display()
    );
    harness.get_by_label(&message);
    harness.get_by_label("My lecture notes");
    harness.get_by_label("1 card");
    for loaded in &Library::bundled().decks {
        harness.get_by_label(&loaded.deck.title);
    }
    // The broken file is left exactly as it was.
    assert_eq!(std::fs::read(decks.join("broken.json")).expect("read"), broken);
}

#[test]
fn a_profile_name_that_cannot_be_a_folder_is_reported_in_the_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let harness = app(dir.path(), "../escape");
    harness.get_by_label_contains("profile name \"../escape\" is not valid");
    // The bundled decks are still there to study.
    harness.get_by_label(&Library::bundled().decks[0].deck.title);
    assert!(!dir.path().join("escape").exists());
}

/// Every character of every bundled card is laid out with the app's fonts.
/// egui_kittest panics on a glyph the fonts lack, so a name such as
/// Qawām-al-Salṭana drawn as boxes fails this test.
#[test]
fn every_character_of_every_bundled_card_has_a_glyph() {
    let library = Library::bundled();
    let mut texts: Vec<String> = Vec::new();
    for loaded in &library.decks {
        let deck = &loaded.deck;
        texts.push(deck.title.clone());
        texts.push(deck.description.clone());
        for card in &deck.cards {
            texts.extend([card.question.clone(), card.answer.clone(), card.note.clone()]);
            texts.extend(card.accept.iter().cloned());
            texts.extend(card.tags.iter().cloned());
        }
    }
    let all: String = texts.join(" ");
    for needle in ["Salṭana", "Ḵomeyni", "Moḡān"] {
        assert!(all.contains(needle), "the decks should name {needle}");
    }
    let mut harness = Harness::builder().with_context_setup(install_fonts).build_ui(move |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            for text in &texts {
                ui.label(text);
            }
        });
    });
    harness.run();
}

/// The check above can fail: egui's own font lacks Ḵ, and kittest panics.
#[test]
fn without_the_bundled_font_the_glyph_check_fails() {
    let result = std::panic::catch_unwind(|| {
        let mut harness = Harness::builder().build_ui(|ui| {
            ui.label("Ḵomeyni");
        });
        harness.run();
    });
    assert!(result.is_err(), "egui's default font was expected to lack Ḵ");
}

//! Adding, finding, editing and deleting cards in the window, driven with
//! egui_kittest as a student would: three cards added with Ctrl+Enter, found
//! in the browser with a query, one reviewed and then edited with its
//! progress kept; a bundled card edited (an event in the log) while the
//! bundled deck stays as shipped; delete and undo; a query error shown
//! inline. What is saved is checked by opening the profile again, read-only,
//! beside the window.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::deck::{CardId, Deck, DeckId, DeckOrigin};
use yadgar::store::{self, Collection, Preferences};
use yadgar::ui::YadgarApp;

#[path = "support/ui.rs"]
mod ui;
use ui::*;

fn prepare(data: &Path) {
    let device = store::device_id(&data.join("device-id")).unwrap();
    let mut c = Collection::open(data, "default", &device).unwrap();
    c.set_preferences(Preferences { hint_dismissed: true, ..Preferences::default() }).unwrap();
}

fn app(data: &Path) -> Harness<'static, YadgarApp> {
    open_app(data, [1400.0, 1000.0])
}

/// The own deck shown, and the data folder it is saved in.
fn own_deck(harness: &Harness<'_, YadgarApp>) -> (DeckId, Saved) {
    let loaded = harness.state().library().decks.iter().find(|d| d.origin == DeckOrigin::Profile).unwrap();
    let data = harness.state().collection().unwrap().profile().dir.parent().unwrap().parent().unwrap().to_path_buf();
    (loaded.deck.id.clone(), Saved { data, deck: loaded.deck.id.clone() })
}

/// Where to read a deck as saved: a data folder and a deck id.
struct Saved {
    data: PathBuf,
    deck: DeckId,
}

/// The deck as saved, read by opening the profile again (read-only); `None`
/// when it is deleted.
fn saved(at: &Saved) -> Option<Deck> {
    let c = Collection::open_read_only(&at.data, "default", "reader").unwrap();
    c.library().deck(&at.deck).map(|d| d.deck.clone())
}

fn deck_on_disk(at: &Saved) -> Deck {
    saved(at).expect("the deck is saved")
}

fn search(harness: &mut Harness<'_, YadgarApp>, query: &str) {
    set_field(harness, "Search:", query);
}

const CARDS: [(&str, &str); 3] = [
    ("Who led the coup of February 1921?", "Reza Khan"),
    ("Which newspaper editor joined the 1921 coup?", "Sayyed Zia"),
    ("Which brigade carried out the 1921 coup?", "Cossack Brigade"),
];

/// Adds the three cards to a new deck "Lecture notes" with Ctrl+Enter.
fn add_three_cards(harness: &mut Harness<'_, YadgarApp>) -> (DeckId, Saved) {
    ctrl(harness, Key::N);
    assert!(shows(harness, "Add card"));
    set_field(harness, "New deck:", "Lecture notes");
    click(harness, "Create deck");
    for (n, (question, answer)) in CARDS.iter().enumerate() {
        set_field(harness, "Question", question);
        set_field(harness, "Answer", answer);
        if n == 0 {
            set_field(harness, "Tags (separated by spaces)", "lecture 1921");
        }
        // The preview shows the card as review will.
        assert!(shows(harness, answer));
        ctrl(harness, Key::Enter);
        assert!(shows(harness, &format!("Added “{question}”")), "card {n} saved");
    }
    let (deck, path) = own_deck(harness);
    let on_disk = deck_on_disk(&path);
    assert_eq!(on_disk.title, "Lecture notes");
    let pairs: Vec<(&str, &str)> = on_disk.cards.iter().map(|c| (c.question.as_str(), c.answer.as_str())).collect();
    assert_eq!(pairs, CARDS.to_vec());
    // Deck and tags were kept for the next card.
    assert!(on_disk.cards.iter().all(|c| c.tags == ["lecture", "1921"]));
    click(harness, "Done");
    (deck, path)
}

#[test]
fn cards_added_with_ctrl_enter_are_found_reviewed_and_edited_with_their_progress_kept() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    let (deck, path) = add_three_cards(&mut harness);

    // The new cards are in today's queue at once: study the own deck alone
    // (its row is the last one on the home screen).
    let study = harness.get_all_by_label("Study").last().unwrap();
    study.click();
    harness.run_ok();
    assert!(shows(&harness, CARDS[0].0));
    harness.key_press(Key::Space);
    harness.run_ok();
    harness.get_by_label_contains("3  Good").click();
    harness.run_ok();
    let first = CardId(deck_on_disk(&path).cards[0].id.0.clone());
    let state = harness.state().collection().unwrap().progress().state(&deck, &first).cloned().unwrap();
    assert_eq!(state.reps, 1);
    click(&mut harness, "End session");

    // Find them in the browser.
    ctrl(&mut harness, Key::B);
    search(&mut harness, "tag:lecture coup");
    assert!(shows(&harness, "3 cards"));
    for (question, _) in CARDS {
        assert!(shows(&harness, question), "{question} listed");
    }
    search(&mut harness, "tag:lecture -is:new");
    harness.get_by_label("1 card");
    assert!(shows(&harness, "learning"));

    // Edit the reviewed card: its progress stays with it.
    harness.get_by_label(CARDS[0].0).click();
    harness.run_ok();
    click(&mut harness, "Edit");
    assert!(shows(&harness, "Edit card"));
    set_field(&mut harness, "Answer", "Reza Khan Pahlavi");
    ctrl(&mut harness, Key::Enter);
    assert!(shows(&harness, "Search:"), "back in the browser");
    assert_eq!(deck_on_disk(&path).cards[0].answer, "Reza Khan Pahlavi");
    assert_eq!(deck_on_disk(&path).cards[0].id, first);
    assert!(shows(&harness, "Reza Khan Pahlavi"));
    let after = harness.state().collection().unwrap().progress().state(&deck, &first).cloned().unwrap();
    assert_eq!(after, state);
}

#[test]
fn e_on_the_review_screen_edits_the_card_and_returns_to_it() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    click(&mut harness, "Study now");
    let question = harness.state().library().decks[0].deck.cards[0].question.clone();
    assert!(shows(&harness, &question));
    harness.key_press(Key::Space);
    harness.run_ok();
    harness.key_press(Key::E);
    harness.run_ok();
    assert!(shows(&harness, "Edit card"));
    assert!(shows(&harness, "bundled deck is unchanged"));
    click(&mut harness, "Cancel");
    assert!(shows(&harness, "3  Good"), "back on the revealed card");
}

#[test]
fn editing_a_bundled_card_uses_an_override_and_leaves_the_bundled_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let bundled_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("decks/01-dates.json");
    let before = std::fs::read(&bundled_file).unwrap();
    let mut harness = app(dir.path());
    let card = harness.state().library().decks[0].deck.cards[0].clone();
    let deck = harness.state().library().decks[0].deck.id.clone();

    harness.key_press(Key::Slash);
    harness.run_ok();
    search(&mut harness, &format!("deck:{deck} \"{}\"", card.answer));
    harness.get_by_label(&card.question).click();
    harness.run_ok();
    harness.key_press(Key::Enter);
    harness.run_ok();
    set_field(&mut harness, "Note", "My own note about the decree.");
    ctrl(&mut harness, Key::Enter);

    assert_eq!(std::fs::read(&bundled_file).unwrap(), before, "the bundled deck file never changes");
    assert!(!dir.path().join("profiles/default/overrides.json").exists(), "edits are events, not a file");
    let at = Saved { data: dir.path().to_path_buf(), deck: deck.clone() };
    assert_eq!(deck_on_disk(&at).cards[0].note, "My own note about the decree.");
    let shown = &harness.state().library().decks[0].deck.cards[0];
    assert_eq!(shown.note, "My own note about the decree.");
    search(&mut harness, "is:edited");
    harness.get_by_label("1 card");
    assert!(shows(&harness, &format!("{} (edited)", card.question)));
    drop(harness);

    // After a restart the override is still applied.
    let harness = app(dir.path());
    assert_eq!(harness.state().library().decks[0].deck.cards[0].note, "My own note about the decree.");
}

#[test]
fn a_deleted_card_comes_back_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    let (_, path) = add_three_cards(&mut harness);
    ctrl(&mut harness, Key::B);
    search(&mut harness, "tag:lecture");
    harness.get_by_label(CARDS[1].0).click();
    harness.run_ok();
    click(&mut harness, "Delete…");
    assert!(shows(&harness, "Delete 1 card?"));
    click(&mut harness, "Delete");
    assert!(shows(&harness, "Deleted 1 card."));
    assert_eq!(deck_on_disk(&path).cards.len(), 2);
    assert!(!shows(&harness, CARDS[1].0));

    ctrl(&mut harness, Key::Z);
    assert!(shows(&harness, "Restored 1 card."));
    let questions: Vec<String> = deck_on_disk(&path).cards.iter().map(|c| c.question.clone()).collect();
    assert_eq!(questions, CARDS.iter().map(|(q, _)| (*q).to_owned()).collect::<Vec<_>>());
    assert!(shows(&harness, CARDS[1].0));
}

#[test]
fn an_invalid_query_shows_its_error_inline_and_keeps_the_last_table() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    click(&mut harness, "Browse");
    let card = harness.state().library().decks[0].deck.cards[0].clone();
    search(&mut harness, &format!("\"{}\"", card.answer));
    assert!(shows(&harness, &card.question));
    search(&mut harness, "kind:dat");
    assert!(shows(&harness, "Query error at character 6: \"dat\" is not a kind"));
    assert!(shows(&harness, &card.question), "the last table stays");
    click(&mut harness, "?");
    assert!(shows(&harness, "prop:r<0.8"));
}

#[test]
fn a_csv_file_is_imported_with_its_column_mapping_and_a_deck_exported_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let csv = dir.path().join("coup.csv");
    std::fs::write(
        &csv,
        "Tags,Front,Back\n1921,Who led the coup of February 1921?,Reza Khan\n1921,Which brigade carried it out?,Cossack Brigade\n",
    )
    .unwrap();
    let mut harness = app(dir.path());
    click(&mut harness, "Browse");
    click(&mut harness, "Import or export…");
    set_field(&mut harness, "File to import:", &csv.display().to_string());
    click(&mut harness, "Read file");
    // The guessed mapping and a preview of the rows as they will be read.
    assert!(shows(&harness, "Who led the coup of February 1921?"));
    assert!(shows(&harness, "Cossack Brigade"));
    set_field(&mut harness, "Deck name:", "Coup of 1921");
    click(&mut harness, "Import");
    wait_for(&mut harness, "Imported 2 cards and 0 reviews into “Coup of 1921”");
    let loaded = harness.state().library().decks.iter().find(|d| d.deck.title == "Coup of 1921").unwrap();
    assert_eq!(loaded.deck.cards.len(), 2);
    assert_eq!(loaded.deck.cards[0].tags, ["1921"]);

    // The same deck again is refused unless replacing is asked for (Undo
    // would bring the replaced version back).
    click(&mut harness, "Import");
    wait_for(&mut harness, "Nothing was imported");
    harness.query_by_label_contains("Replace my deck of the same name").unwrap().click();
    harness.run_ok();
    click(&mut harness, "Import");
    wait_for(&mut harness, "replaced");

    // Export the first (bundled) deck to CSV, outside the data folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("dates.csv");
    set_field(&mut harness, "Export to:", &out.display().to_string());
    click(&mut harness, "Export");
    let dates = yadgar::deck::Library::bundled().decks[0].deck.cards.len();
    wait_for(&mut harness, &format!("Exported {dates} cards to"));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.lines().count() > 89, "{written}");
    // An existing file is replaced only after "Replace"; the data folder never.
    std::fs::write(&out, "mine").unwrap();
    click(&mut harness, "Export");
    assert!(shows(&harness, &format!("{} already exists. Replace it?", out.display())));
    click(&mut harness, "Cancel");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
    click(&mut harness, "Export");
    click(&mut harness, "Replace");
    wait_for(&mut harness, &format!("Exported {dates} cards to"));
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 89);
    let inside = dir.path().join("profiles/default/profile.json");
    let settings = std::fs::read(&inside).unwrap();
    set_field(&mut harness, "Export to:", &inside.display().to_string());
    click(&mut harness, "Export");
    assert!(shows(&harness, "inside Yadgar's data folder"));
    assert_eq!(std::fs::read(&inside).unwrap(), settings);

    // The imported deck is in the browser.
    click(&mut harness, "Back to the browser");
    search(&mut harness, "deck:\"Coup of 1921\"");
    assert!(shows(&harness, "2 cards"));
}

#[test]
fn an_own_deck_is_renamed_and_after_a_confirmation_deleted_and_brought_back() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    let (deck, path) = add_three_cards(&mut harness);
    click(&mut harness, "Browse");
    click(&mut harness, "Your decks");
    click(&mut harness, "Rename Lecture notes");
    set_field(&mut harness, "New title:", "Coup of 1921");
    click(&mut harness, "Save title");
    assert_eq!(deck_on_disk(&path).title, "Coup of 1921");
    assert_eq!(deck_on_disk(&path).id, deck, "the id, and so the progress, stays");

    click(&mut harness, "Delete Coup of 1921…");
    assert!(shows(&harness, "Delete the deck “Coup of 1921” and its 3 cards?"));
    assert!(saved(&path).is_some(), "nothing happens before the confirmation");
    click(&mut harness, "Delete deck");
    assert!(saved(&path).is_none());
    assert!(harness.state().library().deck(&deck).is_none());
    // Ctrl+Z brings it back, with its cards.
    ctrl(&mut harness, Key::Z);
    assert_eq!(deck_on_disk(&path).cards.len(), 3);
    assert!(harness.state().library().deck(&deck).is_some());
}

#[test]
fn a_refused_card_is_explained_under_its_field_and_the_form_keeps_the_text() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    let (_, path) = add_three_cards(&mut harness);
    ctrl(&mut harness, Key::N);
    ctrl(&mut harness, Key::Enter);
    assert!(shows(&harness, "Write a question."));
    assert!(shows(&harness, "Write the answer."));
    set_field(&mut harness, "Question", "who led the coup of february 1921");
    assert!(shows(&harness, &format!("This deck already asks: “{}”.", CARDS[0].0)));
    set_field(&mut harness, "Answer", "Reza Khan");
    ctrl(&mut harness, Key::Enter);
    assert!(shows(&harness, "Another card in this deck asks the same question: reword it."));
    let question = harness.get_by_label("Question");
    assert!(format!("{question:?}").contains("who led the coup of february 1921"), "the text stays");
    assert_eq!(deck_on_disk(&path).cards.len(), 3);
}

#[test]
fn a_card_of_ones_own_gets_exam_fields_checked_in_the_form_and_kept_on_edit() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    ctrl(&mut harness, Key::N);
    set_field(&mut harness, "New deck:", "Seminar");
    click(&mut harness, "Create deck");
    set_field(&mut harness, "Question", "Who led the coup of February 1921?");
    set_field(&mut harness, "Answer", "Reza Khan");
    click(&mut harness, "For mock exams (optional)");
    // A statement without the answer's place is refused under its field.
    set_field(&mut harness, "Statement, with {answer} where the answer goes", "Reza Khan led the coup.");
    set_field(
        &mut harness,
        "Wrong options for multiple choice (3 to 6, one per line)",
        "Sayyed Zia\nKuček Khan\nStarosel'skiy",
    );
    ctrl(&mut harness, Key::Enter);
    assert!(shows(&harness, "The statement must hold {answer} exactly once"), "the error is shown in the form");
    set_field(
        &mut harness,
        "Statement, with {answer} where the answer goes",
        "{answer} led the coup of February 1921.",
    );
    ctrl(&mut harness, Key::Enter);
    assert!(shows(&harness, "Added “Who led the coup of February 1921?”"));
    click(&mut harness, "Done");
    let (_, path) = own_deck(&harness);
    let card = deck_on_disk(&path).cards[0].clone();
    assert_eq!(card.statement, "{answer} led the coup of February 1921.");
    assert_eq!(card.distractors, ["Sayyed Zia", "Kuček Khan", "Starosel'skiy"]);
    // Editing another field keeps the exam fields.
    ctrl(&mut harness, Key::B);
    search(&mut harness, "deck:seminar");
    harness.get_by_label(&card.question).click();
    harness.run_ok();
    click(&mut harness, "Edit");
    set_field(&mut harness, "Answer", "Reza Khan Pahlavi");
    ctrl(&mut harness, Key::Enter);
    let edited = deck_on_disk(&path).cards[0].clone();
    assert_eq!(edited.answer, "Reza Khan Pahlavi");
    assert_eq!(edited.distractors, card.distractors);
    assert_eq!(edited.statement, card.statement);
}

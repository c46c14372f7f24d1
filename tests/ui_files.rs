//! Files in the window, driven with egui_kittest at 800×600 as a student
//! would: a deck chosen with the in-app file browser (the file dialog's
//! fallback, used wherever no portal is available), previewed, imported and
//! exported with each result in view; a file dropped on the window; an
//! export named after its deck; errors worded for people; recent folders.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::store::{self, Collection, Preferences};
use yadgar::ui::YadgarApp;

#[path = "support/ui.rs"]
mod ui;
use ui::*;

const WIDTH: f32 = 800.0;
const HEIGHT: f32 = 600.0;

fn prepare(data: &Path) {
    let device = store::device_id(&data.join("device-id")).unwrap();
    let mut c = Collection::open(data, "default", &device).unwrap();
    c.set_preferences(Preferences { hint_dismissed: true, ..Preferences::default() }).unwrap();
}

fn app(data: &Path) -> Harness<'static, YadgarApp> {
    open_app(data, [WIDTH, HEIGHT])
}

/// Ctrl+B opens the browser (the screen buttons are in the "Go to" menu at
/// this width), and its button the import and export screen.
fn open_transfer(harness: &mut Harness<'_, YadgarApp>) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::B);
    harness.run_ok();
    click(harness, "Import or export…");
}

/// The label containing `label` lies inside the 800×600 window.
fn in_view(harness: &Harness<'_, YadgarApp>, label: &str) {
    let rect = harness.get_by_label_contains(label).rect();
    assert!(
        rect.min.y >= 0.0 && rect.max.y <= HEIGHT && rect.max.x <= WIDTH,
        "{label:?} is outside the window: {rect:?}"
    );
}

fn write_csv(dir: &Path) -> std::path::PathBuf {
    let csv = dir.join("coup.csv");
    std::fs::write(
        &csv,
        "Tags,Front,Back\n1921,Who led the coup of February 1921?,Reza Khan\n1921,Which brigade carried it out?,Cossack Brigade\n",
    )
    .unwrap();
    csv
}

#[test]
fn a_deck_chosen_in_the_file_browser_is_imported_and_exported_with_each_result_in_view_at_800_by_600() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let files = dir.path().join("files");
    std::fs::create_dir_all(files.join("older")).unwrap();
    std::fs::write(files.join("notes.pdf"), b"not a deck").unwrap();
    write_csv(&files);
    prepare(&data);
    let mut harness = app(&data);
    open_transfer(&mut harness);

    // No portal in tests: "Choose file…" opens the in-app browser. A typed
    // folder and Enter lists it: folders and deck files only.
    click(&mut harness, "Choose file…");
    assert!(shows(&harness, "Choose a file"));
    set_field(&mut harness, "Folder or file:", &files.display().to_string());
    harness.key_press(Key::Enter);
    harness.run_ok();
    assert!(shows(&harness, "older/"));
    assert!(!shows(&harness, "notes.pdf"), "only files Yadgar can import are offered");
    click(&mut harness, "coup.csv");
    assert!(!shows(&harness, "Choose a file"), "choosing a file closes the browser");

    // The preview, then Import: the result is in view at 800×600.
    assert!(shows(&harness, "Who led the coup of February 1921?"));
    set_field(&mut harness, "Deck name:", "Coup of 1921");
    click(&mut harness, "Import");
    wait_for(&mut harness, "Imported 2 cards and 0 reviews into “Coup of 1921”");
    harness.run_ok();
    in_view(&harness, "Imported 2 cards and 0 reviews");
    assert!(harness.state().library().decks.iter().any(|d| d.deck.title == "Coup of 1921"));

    // The folder is remembered for next time.
    let device = store::device_id(&data.join("device-id")).unwrap();
    let recent = open_as_this_computer(&data, &device).preferences().recent_folders.clone();
    assert_eq!(recent, [files.display().to_string()]);

    // Export: the file is named after the deck, in the last folder used.
    let title = &harness.state().library().decks[0].deck.title.clone();
    let expected = files.join(yadgar::store::files::file_name_for(title, "apkg"));
    let field = harness.get_by_label("Export to:");
    assert_eq!(field.value().as_deref(), Some(expected.display().to_string().as_str()));
    let out = files.join("dates.csv");
    set_field(&mut harness, "Export to:", &out.display().to_string());
    click(&mut harness, "Export");
    let n = harness.state().library().decks[0].deck.cards.len();
    wait_for(&mut harness, &format!("Exported {n} cards to {}", out.display()));
    harness.run_ok();
    in_view(&harness, &format!("Exported {n} cards to"));
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > n);

    // Exporting again asks before replacing the file.
    click(&mut harness, "Export");
    assert!(shows(&harness, "already exists. Replace it?"));
    click(&mut harness, "Replace");
    wait_for(&mut harness, &format!("Exported {n} cards to"));
}

/// A file as the window system hands it over when dropped.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_file_dropped_on_the_window_opens_its_import_preview() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_csv(dir.path());
    prepare(&dir.path().join("data"));
    let mut harness = app(&dir.path().join("data"));
    assert!(shows(&harness, "Your decks"), "on the home screen");
    harness.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(csv.clone())));
    harness.run_ok();
    assert!(shows(&harness, "Import and export"));
    assert!(shows(&harness, "Who led the coup of February 1921?"), "the rows as they will be read");
    assert!(shows(&harness, "Cossack Brigade"));
    let field = harness.get_by_label("File to import:");
    assert_eq!(field.value().as_deref(), Some(csv.display().to_string().as_str()));
}

#[test]
fn a_missing_file_and_an_unknown_type_are_explained_in_words() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    let mut harness = app(dir.path());
    open_transfer(&mut harness);
    let missing = dir.path().join("nowhere.apkg");
    set_field(&mut harness, "File to import:", &missing.display().to_string());
    click(&mut harness, "Read file");
    assert!(shows(&harness, &format!("There is no file at {}", missing.display())));
    in_view(&harness, "There is no file at");
    assert!(!shows(&harness, "os error"), "no raw operating-system message");

    let pdf = dir.path().join("notes.pdf");
    std::fs::write(&pdf, b"x").unwrap();
    set_field(&mut harness, "File to import:", &pdf.display().to_string());
    click(&mut harness, "Read file");
    assert!(shows(&harness, "Yadgar cannot import"));

    // A relative path is taken from the home folder, and said so in full.
    set_field(&mut harness, "File to import:", "no-such-folder-for-yadgar/deck.apkg");
    click(&mut harness, "Read file");
    let home = yadgar::store::files::home_dir();
    assert!(shows(
        &harness,
        &format!("There is no file at {}", home.join("no-such-folder-for-yadgar/deck.apkg").display())
    ));

    let nowhere = dir.path().join("no-folder").join("out.csv");
    set_field(&mut harness, "Export to:", &nowhere.display().to_string());
    click(&mut harness, "Export");
    assert!(shows(&harness, &format!("There is no folder at {}", dir.path().join("no-folder").display())));
    in_view(&harness, "There is no folder at");
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Opens a screen through the "Go to" menu (the buttons fold into it at 800 px).
fn go_to(harness: &mut Harness<'_, YadgarApp>, screen: &str) {
    harness.get_by_label_contains("Go to").click();
    harness.run_ok();
    click(harness, screen);
}

#[test]
fn the_reader_takes_the_students_own_text_refuses_another_and_lists_a_paragraphs_cards() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    prepare(&data);
    // A deck written from the fixture text, which records its fingerprint.
    std::fs::copy(fixture("velmora.json"), data.join("profiles/default/decks/velmora.json")).unwrap();
    let mut harness = app(&data);

    // Without a text, the reader says how to add one.
    go_to(&mut harness, "Reader");
    assert!(shows(&harness, "Yadgar does not include the article"));
    click(&mut harness, "Open Settings");

    // A text that is not the one the decks were written from is refused.
    let wrong = dir.path().join("edited.txt");
    let edited = std::fs::read_to_string(fixture("source.txt")).unwrap().replace("four copper", "five copper");
    std::fs::write(&wrong, &edited).unwrap();
    set_field(&mut harness, "Text file:", &wrong.display().to_string());
    click(&mut harness, "Use this text");
    assert!(shows(&harness, "Not used: This is not the text the decks were written from"));
    assert!(shows(&harness, &yadgar::ground::fingerprint(&edited)), "the fingerprint found is named");
    let device = store::device_id(&data.join("device-id")).unwrap();
    let saved = || open_as_this_computer(&data, &device).preferences().source_text.clone();
    assert_eq!(saved(), None, "nothing is saved");

    // The right text, chosen in the in-app file browser.
    click(&mut harness, "Choose file…");
    set_field(&mut harness, "Folder or file:", &fixture("").display().to_string());
    harness.key_press(Key::Enter);
    harness.run_ok();
    assert!(!shows(&harness, "velmora.json"), "only text files are offered");
    // (At 800×600 the entry sits at the settings' lower edge: press it as
    // the keyboard or a screen reader would.)
    harness.get_by_label("source.txt").click_accesskit();
    harness.run_ok();
    assert!(shows(&harness, "Source text set:"));
    assert_eq!(saved(), Some(fixture("source.txt").display().to_string()));

    // The reader: every paragraph, the key, and a paragraph's cards.
    go_to(&mut harness, "Reader");
    assert!(shows(&harness, "The river town of Velmora signed a trade charter"));
    assert!(shows(&harness, "average predicted recall"));
    assert!(shows(&harness, "under 70%"));
    click(&mut harness, "Paragraph 4");
    assert!(shows(&harness, "Who paid for the stone bridge?"));
    assert!(shows(&harness, "In what year did a stone bridge replace the ferry?"));
    click(&mut harness, "Study these");
    assert!(shows(&harness, "Cram (your schedule does not change)"));
    assert!(shows(&harness, "stone bridge"), "the paragraph's cards are crammed");
    // The answer side shows the cited paragraph, folded.
    press_space(&mut harness);
    assert!(shows(&harness, "Source: paragraph 4"));
    click(&mut harness, "Source: paragraph 4");
    assert!(shows(&harness, "In 1815 the ferry was replaced by a stone bridge"));
}

fn press_space(harness: &mut Harness<'_, YadgarApp>) {
    harness.key_press(Key::Space);
    harness.run_ok();
}

/// The profile as this computer's window sees it (its own preferences are
/// in its config folder, which the test app keeps in the data folder).
fn open_as_this_computer(data: &Path, device: &str) -> Collection {
    let local = store::LocalDirs { config_dir: data.to_path_buf(), cache_dir: data.join("cache") };
    Collection::open_as(data, "default", device, &store::Opening::new(false, Some(local))).unwrap()
}

//! Import and export in the window. Reading a package or CSV file and
//! writing an export run on a worker thread with an `interop::Progress` for
//! the bar and Cancel (DESIGN.md, invariant 8); the import itself
//! (`Collection::import_deck`, all or nothing) runs on the UI thread once
//! the worker has handed over the validated deck. Files are chosen with the
//! platform's dialog or the in-app browser ([`super::files`]), typed (a
//! relative path is taken from the home folder), or dropped on the window;
//! each result shows under the button that started it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::RichText;

use super::files::{Picker, Want};
use super::home::plural;
use super::toast::{Toast, Undo};
use super::{Applied, Command};
use crate::deck::{DeckId, Library};
use crate::interop::csv::{CsvGuess, CsvOptions};
use crate::interop::{self, Format, Imported, InteropError, Progress};
use crate::store::files::{self, Expect};
use crate::store::{self, Collection, OnExisting};

/// The extensions offered when choosing a file to import.
const IMPORTABLE: [&str; 5] = ["apkg", "csv", "tsv", "txt", "json"];

/// Work running on the worker thread.
enum Job {
    Import(Receiver<Result<Imported, InteropError>>),
    Export(Receiver<Result<(String, usize), String>>),
}

/// A CSV or TSV file read for its column mapping.
struct CsvFile {
    bytes: Arc<Vec<u8>>,
    guess: CsvGuess,
    options: CsvOptions,
}

/// A result line and whether it is an error.
type Message = Option<(String, bool)>;

/// The import and export screen's state.
pub(crate) struct Transfer {
    import_path: String,
    /// The file read by "Read file" (resolved), ready to import.
    ready: Option<PathBuf>,
    deck_name: String,
    /// Replace an own deck of the same id (its old file goes to the trash).
    replace: bool,
    csv: Option<CsvFile>,
    export_deck: Option<DeckId>,
    export_path: String,
    /// The export path was typed or chosen, so a change of deck keeps it.
    export_path_chosen: bool,
    /// The export target exists: asking before replacing it.
    confirm_replace: Option<PathBuf>,
    job: Option<(Job, Progress)>,
    import_message: Message,
    export_message: Message,
    /// Scroll the newest result into view once.
    scroll_to_result: bool,
    import_picker: Picker,
    export_picker: Picker,
    /// Try the platform's dialog first.
    native: bool,
    /// Recent folders, the latest first.
    recent: Vec<String>,
    home: PathBuf,
    /// The import asked of the store, until it answers.
    asked: Option<Asked>,
}

/// What a frame of the screen asks of the app.
pub(crate) struct Outcome {
    /// An op for the store (the import, once the file is read).
    pub command: Option<Command>,
    /// Back to the browser.
    pub close: bool,
    /// What was done, for the toast.
    pub toast: Option<Toast>,
    /// A folder to put first in the recent folders.
    pub remember_folder: Option<PathBuf>,
}

impl Transfer {
    /// An empty form, exporting the first deck by default to a file named
    /// after it in the last folder used (or the home folder).
    pub fn new(library: &Library, collection: &Collection, native: bool) -> Transfer {
        let mut transfer = Transfer {
            import_path: String::new(),
            ready: None,
            deck_name: String::new(),
            replace: false,
            csv: None,
            export_deck: library.decks.first().map(|d| d.deck.id.clone()),
            export_path: String::new(),
            export_path_chosen: false,
            confirm_replace: None,
            job: None,
            import_message: None,
            export_message: None,
            scroll_to_result: false,
            import_picker: Picker::default(),
            export_picker: Picker::default(),
            native,
            recent: collection.preferences().recent_folders.clone(),
            home: files::home_dir(),
            asked: None,
        };
        transfer.suggest_export_path(library);
        transfer
    }

    /// Reads a file dropped on the window, as "Read file" would.
    pub fn read_dropped(&mut self, path: &Path) -> Option<PathBuf> {
        self.import_path = path.display().to_string();
        self.deck_name.clear();
        self.read_file()
    }

    /// The folder a file dialog starts in.
    fn start_folder(&self) -> PathBuf {
        self.recent.first().map(PathBuf::from).filter(|p| p.is_dir()).unwrap_or_else(|| self.home.clone())
    }

    /// "<deck title>.apkg" (or the extension already typed) in the start folder.
    fn suggest_export_path(&mut self, library: &Library) {
        if self.export_path_chosen {
            return;
        }
        let Some(loaded) = self.export_deck.as_ref().and_then(|id| library.deck(id)) else { return };
        let extension = Path::new(&self.export_path)
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .filter(|e| Format::from_path(Path::new(&format!("x.{e}"))).is_some())
            .unwrap_or_else(|| "apkg".to_owned());
        let name = files::file_name_for(&loaded.deck.title, &extension);
        self.export_path = self.start_folder().join(name).display().to_string();
    }

    /// Draws the screen and polls the worker.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Outcome {
        let mut out = Outcome { command: None, close: false, toast: None, remember_folder: None };
        self.poll(ui.ctx(), &mut out);
        // Esc closes an open file browser first; the app's Esc goes back.
        if (self.import_picker.is_open() || self.export_picker.is_open() || self.confirm_replace.is_some())
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        {
            self.import_picker = Picker::Idle;
            self.export_picker = Picker::Idle;
            self.confirm_replace = None;
        }
        ui.horizontal(|ui| {
            ui.heading("Import and export");
            if ui.button("Back to the browser").on_hover_text("Esc").clicked() {
                out.close = true;
            }
        });
        ui.add_space(6.0);
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            let busy = self.job.is_some();
            ui.add_enabled_ui(!busy, |ui| self.import_ui(ui, &mut out));
            if let Some(folder) = &out.remember_folder {
                // The export is suggested in the folder just used.
                let folder = folder.display().to_string();
                self.recent.retain(|f| *f != folder);
                self.recent.insert(0, folder);
                self.suggest_export_path(library);
            }
            self.job_ui(ui, true);
            self.result_ui(ui, true);
            ui.add_space(8.0);
            ui.separator();
            ui.add_space(4.0);
            ui.add_enabled_ui(!busy, |ui| self.export_ui(ui, collection, library, &mut out));
            self.job_ui(ui, false);
            self.result_ui(ui, false);
            ui.add_space(16.0);
        });
        out
    }

    /// The progress bar and Cancel, in the section of the running job.
    fn job_ui(&self, ui: &mut egui::Ui, import: bool) {
        let Some((job, progress)) = &self.job else { return };
        if matches!(job, Job::Import(_)) != import {
            return;
        }
        ui.horizontal(|ui| {
            ui.add(egui::ProgressBar::new(progress.fraction()).show_percentage().desired_width(300.0));
            if ui.button("Cancel").clicked() {
                progress.cancel();
            }
        });
        // The bar moves without input.
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
    }

    fn result_ui(&mut self, ui: &mut egui::Ui, import: bool) {
        let message = if import { &self.import_message } else { &self.export_message };
        let Some((text, error)) = message else { return };
        let color = if *error { ui.visuals().error_fg_color } else { ui.visuals().strong_text_color() };
        let response = ui.add(egui::Label::new(RichText::new(text).color(color).size(15.0)).wrap());
        if std::mem::take(&mut self.scroll_to_result) {
            response.scroll_to_me(Some(egui::Align::Center));
        }
    }

    fn import_ui(&mut self, ui: &mut egui::Ui, out: &mut Outcome) {
        ui.label(RichText::new("Import a deck").strong());
        ui.label(
            RichText::new("An Anki package (.apkg), CSV (.csv), TSV (.tsv, .txt) or deck file (.json). You can also drop a file on the window.")
                .weak(),
        );
        let mut read = false;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("File to import:");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut self.import_path)
                        .desired_width((ui.available_width() - 220.0).clamp(180.0, 520.0))
                        .hint_text("~/Downloads/deck.apkg"),
                )
                .labelled_by(label.id)
                .on_hover_text("A path; a relative one is taken from your home folder");
            if response.changed() {
                self.csv = None;
                self.ready = None;
            }
            read = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Choose file…").clicked() {
                let folder = self.start_folder();
                self.import_picker.open(ui.ctx(), self.native, Want::Open(IMPORTABLE.to_vec()), folder);
            }
            if ui.button("Read file").clicked() {
                read = true;
            }
        });
        if let Some(path) = self.import_picker.ui(ui, &self.recent) {
            self.import_path = path.display().to_string();
            self.deck_name.clear();
            read = true;
        }
        if read && let Some(folder) = self.read_file() {
            out.remember_folder = Some(folder);
        }
        let Some(path) = self.ready.clone() else { return };
        let format = Format::from_path(&path);
        if let Some(csv) = &mut self.csv {
            csv_mapping_ui(ui, csv);
        } else {
            let kind = match format {
                Some(Format::Apkg) => "an Anki package",
                Some(Format::Json) => "a Yadgar deck file",
                _ => "a file",
            };
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            ui.label(format!("Ready to import {}: {kind}, {}.", path.display(), size_text(size)));
        }
        ui.horizontal(|ui| {
            let label = ui.label("Deck name:");
            ui.add(egui::TextEdit::singleline(&mut self.deck_name).desired_width(260.0)).labelled_by(label.id);
        });
        ui.checkbox(
            &mut self.replace,
            "Replace my deck of the same name (its old file is kept in the profile's trash)",
        );
        let ready = match format {
            Some(Format::Csv | Format::Tsv) => self.csv.is_some(),
            Some(_) => true,
            None => false,
        };
        if ui.add_enabled(ready, egui::Button::new(RichText::new("Import").strong())).clicked() {
            self.start_import(ui.ctx(), path, format);
        }
    }

    /// Checks the typed file and reads a CSV/TSV file for its mapping; other
    /// formats are read by the worker when Import is pressed. Returns the
    /// file's folder when it could be read, for the recent folders.
    fn read_file(&mut self) -> Option<PathBuf> {
        self.import_message = None;
        self.csv = None;
        self.ready = None;
        if self.import_path.trim().is_empty() {
            self.fail_import("Type the path of a file, or press Choose file…".to_owned());
            return None;
        }
        let path = files::resolve_path(&self.import_path, &self.home);
        if let Err(why) = files::check_readable(&path) {
            self.fail_import(why);
            return None;
        }
        let Some(format) = Format::from_path(&path) else {
            self.fail_import(format!(
                "Yadgar cannot import {}: choose a .apkg, .csv, .tsv, .txt or .json file",
                path.display()
            ));
            return None;
        };
        if self.deck_name.trim().is_empty() {
            self.deck_name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        }
        if matches!(format, Format::Csv | Format::Tsv) {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let guess = interop::csv::sniff(&bytes);
                    let options = CsvOptions::from_guess(&guess);
                    self.csv = Some(CsvFile { bytes: Arc::new(bytes), guess, options });
                }
                Err(e) => {
                    self.fail_import(files::describe_io(&path, &e, Expect::File));
                    return None;
                }
            }
        }
        let folder = path.parent().map(Path::to_path_buf);
        self.ready = Some(path);
        folder
    }

    fn fail_import(&mut self, why: String) {
        self.import_message = Some((why, true));
        self.scroll_to_result = true;
    }

    fn start_import(&mut self, ctx: &egui::Context, path: PathBuf, format: Option<Format>) {
        let Some(format) = format else { return };
        let name = self.deck_name.trim().to_owned();
        let progress = Progress::new();
        let worker_progress = progress.clone();
        let csv = self.csv.as_ref().map(|c| (Arc::clone(&c.bytes), c.options.clone()));
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = read_import(&path, format, &name, csv, &worker_progress);
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.import_message = None;
        self.job = Some((Job::Import(rx), progress));
    }

    fn export_ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library, out: &mut Outcome) {
        ui.label(RichText::new("Export a deck").strong());
        ui.label(
            RichText::new("To an Anki package (.apkg, with the review history), CSV (.csv), TSV (.tsv) or .json.")
                .weak(),
        );
        let selected = self
            .export_deck
            .as_ref()
            .and_then(|id| library.deck(id))
            .map_or_else(|| "choose a deck".to_owned(), |d| d.deck.title.clone());
        let before = self.export_deck.clone();
        egui::ComboBox::from_label("Deck to export").selected_text(selected).show_ui(ui, |ui| {
            for loaded in &library.decks {
                ui.selectable_value(&mut self.export_deck, Some(loaded.deck.id.clone()), &loaded.deck.title);
            }
        });
        if self.export_deck != before {
            self.suggest_export_path(library);
        }
        let mut export = false;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Export to:");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut self.export_path)
                        .desired_width((ui.available_width() - 200.0).clamp(180.0, 520.0)),
                )
                .labelled_by(label.id)
                .on_hover_text("The file to write; the extension chooses the format");
            if response.changed() {
                self.export_path_chosen = true;
                self.confirm_replace = None;
            }
            export = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Choose…").clicked() {
                let name = Path::new(&self.export_path)
                    .file_name()
                    .map_or_else(|| "deck.apkg".to_owned(), |n| n.to_string_lossy().into_owned());
                let folder = files::resolve_path(&self.export_path, &self.home)
                    .parent()
                    .map(Path::to_path_buf)
                    .filter(|p| p.is_dir())
                    .unwrap_or_else(|| self.start_folder());
                self.export_picker.open(ui.ctx(), self.native, Want::Save(name), folder);
            }
            if ui.button(RichText::new("Export").strong()).clicked() {
                export = true;
            }
        });
        if let Some(path) = self.export_picker.ui(ui, &self.recent) {
            self.export_path = path.display().to_string();
            self.export_path_chosen = true;
        }
        if let Some(existing) = self.confirm_replace.clone() {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{} already exists. Replace it?", existing.display()),
                );
                if ui.button("Replace").clicked() {
                    self.confirm_replace = None;
                    self.start_export(ui.ctx(), collection, library, true, out);
                }
                if ui.button("Cancel").clicked() {
                    self.confirm_replace = None;
                }
            });
        }
        if export {
            self.start_export(ui.ctx(), collection, library, false, out);
        }
    }

    fn fail_export(&mut self, why: String) {
        self.export_message = Some((why, true));
        self.scroll_to_result = true;
    }

    fn start_export(
        &mut self,
        ctx: &egui::Context,
        collection: &Collection,
        library: &Library,
        replace: bool,
        out: &mut Outcome,
    ) {
        self.export_message = None;
        if self.export_path.trim().is_empty() {
            self.fail_export("Type where to export to, or press Choose…".to_owned());
            return;
        }
        let to = files::resolve_path(&self.export_path, &self.home);
        let Some(format) = Format::from_path(&to) else {
            self.fail_export(format!(
                "Yadgar cannot export to {}: end the name with .apkg, .csv, .tsv, .txt or .json",
                to.display()
            ));
            return;
        };
        let Some(loaded) = self.export_deck.as_ref().and_then(|id| library.deck(id)) else {
            self.fail_export("Choose a deck to export.".to_owned());
            return;
        };
        let folder = to.parent().map(Path::to_path_buf).unwrap_or_default();
        if !folder.is_dir() {
            self.fail_export(format!("There is no folder at {}", folder.display()));
            return;
        }
        if to.is_dir() {
            self.fail_export(format!("{} is a folder: type a file name after it", to.display()));
            return;
        }
        // Never into the data folder; over an existing file only after
        // "Replace" (a file the user made is never written over unasked).
        let data_dir = collection.profile().dir.parent().and_then(Path::parent).unwrap_or(&collection.profile().dir);
        match store::check_export_target(data_dir, &to, replace) {
            Ok(()) => {}
            Err(store::StoreError::ExportExists(path)) => {
                self.confirm_replace = Some(path);
                return;
            }
            Err(e) => {
                self.fail_export(format!("Not exported: {e}"));
                return;
            }
        }
        out.remember_folder = Some(folder);
        // Only packages carry the history; it is read on the worker too.
        let history = (format == Format::Apkg).then(|| collection.history_reader());
        let deck = loaded.deck.clone();
        let scheduler = collection.scheduler().clone();
        let progress = Progress::new();
        let worker_progress = progress.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let shown = to.display().to_string();
            let result = match format {
                Format::Apkg => history
                    .as_ref()
                    .map_or_else(|| Ok(Vec::new()), store::HistoryReader::read)
                    .map_err(|e| e.to_string())
                    .map(|mut events| {
                        events.retain(|e| e.deck == deck.id);
                        events
                    })
                    .and_then(|events| {
                        interop::apkg::write(&deck, &events, &scheduler, &to, &worker_progress)
                            .map(|w| {
                                let text = format!(
                                    "Exported {} {} and {} {} to {shown}.",
                                    w.cards,
                                    plural(w.cards, "card", "cards"),
                                    w.reviews,
                                    plural(w.reviews, "review", "reviews")
                                );
                                (text, w.cards)
                            })
                            .map_err(|e| e.to_string())
                    }),
                Format::Csv | Format::Tsv | Format::Json => {
                    let bytes = match format {
                        Format::Csv => Ok(interop::csv::write(&deck)),
                        Format::Tsv => Ok(interop::csv::write_with(&deck, b'\t')),
                        _ => interop::write_json(&deck).map_err(|e| e.to_string()),
                    };
                    let n = deck.cards.len();
                    bytes.and_then(|b| {
                        store::write_atomic(&to, &b)
                            .map(|()| (format!("Exported {n} {} to {shown}.", plural(n, "card", "cards")), n))
                            .map_err(|e| files::describe_io(&to, &e, Expect::File))
                    })
                }
            };
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.job = Some((Job::Export(rx), progress));
    }

    fn poll(&mut self, ctx: &egui::Context, out: &mut Outcome) {
        let Some((job, _)) = &self.job else { return };
        match job {
            Job::Import(rx) => match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.job = None;
                    self.fail_import("The import stopped unexpectedly; nothing was added.".to_owned());
                }
                Ok(Err(e)) => {
                    self.job = None;
                    self.fail_import(format!("Nothing was imported: {e}"));
                }
                Ok(Ok(imported)) => {
                    self.job = None;
                    let reviews = imported.reviews();
                    let skipped = imported.skipped.len();
                    let title = imported.deck.title.clone();
                    let on_existing = if self.replace { OnExisting::Replace } else { OnExisting::Refuse };
                    let op = crate::store::Op::ImportDeck { deck: imported.deck, events: imported.events, on_existing };
                    self.asked = Some(Asked { title, reviews, skipped });
                    out.command = Some(Command::apply(op));
                }
            },
            Job::Export(rx) => match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.job = None;
                    self.fail_export("The export stopped unexpectedly.".to_owned());
                }
                Ok(result) => {
                    self.job = None;
                    match result {
                        Ok((message, n)) => {
                            out.toast = Some(Toast::say(format!("Exported {n} {}.", plural(n, "card", "cards"))));
                            self.export_message = Some((message, false));
                            self.scroll_to_result = true;
                        }
                        Err(e) => self.fail_export(format!("Not exported: {e}")),
                    }
                }
            },
        }
        if self.job.is_none() {
            ctx.request_repaint();
        }
    }
}

impl Transfer {
    /// What the screen makes of the import it asked for.
    pub(crate) fn applied(&mut self, result: Result<crate::store::Change, crate::store::StoreError>) -> Applied {
        let Some(Asked { title, reviews, skipped }) = self.asked.take() else { return Applied::none() };
        let change = match result {
            Ok(change) => change,
            Err(e) => {
                self.fail_import(format!("Nothing was imported: {e}"));
                return Applied::none();
            }
        };
        let Some(report) = change.imported else {
            self.fail_import("Nothing was imported: the import wrote nothing.".to_owned());
            return Applied::none();
        };
        let n = report.cards;
        let mut message = format!(
            "Imported {n} {} and {reviews} {} into “{title}”",
            plural(n, "card", "cards"),
            plural(reviews, "review", "reviews")
        );
        if skipped > 0 {
            message.push_str(&format!("; skipped {skipped}"));
        }
        message.push('.');
        if report.replaced {
            message.push_str(" It replaced your deck of the same name: Undo brings that one back.");
        }
        self.import_message = Some((message, false));
        self.scroll_to_result = true;
        // Undo takes the import back (a replaced deck's cards return as
        // they were).
        let text = format!("Imported “{title}” ({n} {}).", plural(n, "card", "cards"));
        Applied::toast(Toast::with_undo(text, Undo::Events(change.events)))
    }
}

/// An import asked of the store, until it answers.
struct Asked {
    title: String,
    reviews: usize,
    skipped: usize,
}

/// "12 KB", "1.4 MB".
fn size_text(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// Runs on the worker thread: reads and validates the file.
fn read_import(
    path: &Path,
    format: Format,
    name: &str,
    csv: Option<(Arc<Vec<u8>>, CsvOptions)>,
    progress: &Progress,
) -> Result<Imported, InteropError> {
    let name = (!name.is_empty()).then_some(name);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    match format {
        Format::Apkg => interop::apkg::read(path, name, progress),
        Format::Csv | Format::Tsv => {
            let Some((bytes, options)) = csv else { return Err(InteropError::Empty("press Read file first".into())) };
            progress.step(0.1)?;
            let imported = interop::csv::read(&bytes, &options, name.unwrap_or(&stem))?;
            progress.step(1.0)?;
            Ok(imported)
        }
        Format::Json => {
            let bytes = store::read_bytes(path).map_err(|e| match e {
                store::StoreError::Io { path, source } => InteropError::Io { path, source },
                other => InteropError::Empty(other.to_string()),
            })?;
            let mut imported = interop::read_json(&path.display().to_string(), &bytes)?;
            if let Some(name) = name {
                imported.deck.id = interop::deck_id_from_name(name);
                name.clone_into(&mut imported.deck.title);
            }
            progress.step(1.0)?;
            Ok(imported)
        }
    }
}

/// A combo per field naming its column, and the first rows as they will be
/// read, every column shown with the field it goes to.
fn csv_mapping_ui(ui: &mut egui::Ui, csv: &mut CsvFile) {
    let columns = csv.guess.columns.clone();
    let name = |n: Option<usize>| n.and_then(|n| columns.get(n).cloned()).unwrap_or_else(|| "(none)".to_owned());
    ui.checkbox(&mut csv.options.has_header, "The first row is a header");
    ui.label(RichText::new("Which column holds each field:").weak());
    egui::Grid::new("csv_mapping").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        for field in ["Question", "Answer"] {
            let label = ui.label(field);
            let slot = if field == "Question" { &mut csv.options.question } else { &mut csv.options.answer };
            egui::ComboBox::from_id_salt(("csv-field", field))
                .selected_text(name(Some(*slot)))
                .width(200.0)
                .show_ui(ui, |ui| {
                    for (n, column) in columns.iter().enumerate() {
                        ui.selectable_value(slot, n, column);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
        }
        let optional: [(&str, &mut Option<usize>); 7] = [
            ("Accepted answers", &mut csv.options.accept),
            ("Tags", &mut csv.options.tags),
            ("Note", &mut csv.options.note),
            ("Kind", &mut csv.options.kind),
            ("Statement", &mut csv.options.statement),
            ("Wrong options", &mut csv.options.distractors),
            ("Timeline headline", &mut csv.options.event),
        ];
        for (field, slot) in optional {
            let label = ui.label(field);
            egui::ComboBox::from_id_salt(("csv-field", field))
                .selected_text(name(*slot))
                .width(200.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(slot, None, "(none)");
                    for (n, column) in columns.iter().enumerate() {
                        ui.selectable_value(slot, Some(n), column);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
        }
    });
    ui.add_space(6.0);
    ui.label(RichText::new("The first rows, as they will be read:").weak());
    let o = &csv.options;
    let field_of = |n: usize| -> &'static str {
        if n == o.question {
            "→ question"
        } else if n == o.answer {
            "→ answer"
        } else if o.accept == Some(n) {
            "→ accepted"
        } else if o.tags == Some(n) {
            "→ tags"
        } else if o.note == Some(n) {
            "→ note"
        } else if o.kind == Some(n) {
            "→ kind"
        } else {
            "not imported"
        }
    };
    match interop::csv::preview(&csv.bytes, &csv.options, 5) {
        Ok(rows) => {
            let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(columns.len());
            egui::ScrollArea::horizontal().id_salt("csv_preview_scroll").show(ui, |ui| {
                egui::Grid::new("csv_preview").striped(true).min_col_width(150.0).max_col_width(280.0).show(ui, |ui| {
                    for n in 0..width {
                        ui.vertical(|ui| {
                            ui.label(RichText::new(name(Some(n))).strong());
                            ui.label(RichText::new(field_of(n)).small().weak());
                        });
                    }
                    ui.end_row();
                    for row in rows {
                        for n in 0..width {
                            let text = row.get(n).cloned().unwrap_or_default();
                            ui.add(egui::Label::new(text).truncate())
                                .on_hover_text(row.get(n).cloned().unwrap_or_default());
                        }
                        ui.end_row();
                    }
                });
            });
        }
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
    }
}

//! Import and export in the window. Reading a package or CSV file and
//! writing an export run on a worker thread with an `interop::Progress` for
//! the bar and Cancel (DESIGN.md, invariant 8); the import itself
//! (`Collection::import_deck`, all or nothing) runs on the UI thread once
//! the worker has handed over the validated deck.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::RichText;

use crate::deck::{DeckId, Library};
use crate::interop::csv::{CsvGuess, CsvOptions};
use crate::interop::{self, Format, Imported, InteropError, Progress};
use crate::store::{self, Collection, OnExisting};

/// Work running on the worker thread.
enum Job {
    Import(Receiver<Result<Imported, InteropError>>),
    Export(Receiver<Result<String, String>>),
}

/// A CSV or TSV file read for its column mapping.
struct CsvFile {
    bytes: Arc<Vec<u8>>,
    guess: CsvGuess,
    options: CsvOptions,
}

/// The import and export screen's state.
pub(crate) struct Transfer {
    import_path: String,
    deck_name: String,
    /// Replace an own deck of the same id (its old file goes to the trash).
    replace: bool,
    csv: Option<CsvFile>,
    export_deck: Option<DeckId>,
    export_path: String,
    /// An export target that exists, waiting for "Replace" or "Cancel".
    confirm_replace: Option<PathBuf>,
    job: Option<(Job, Progress)>,
    /// The result of the last job, and whether it failed.
    message: Option<(String, bool)>,
}

/// What a frame of the screen asks of the app.
pub(crate) struct Outcome {
    /// A deck was imported: reload the library.
    pub imported: bool,
    /// Back to the browser.
    pub close: bool,
}

impl Transfer {
    /// An empty form, exporting the first deck by default.
    pub fn new(library: &Library) -> Transfer {
        Transfer {
            import_path: String::new(),
            deck_name: String::new(),
            replace: false,
            csv: None,
            export_deck: library.decks.first().map(|d| d.deck.id.clone()),
            export_path: String::new(),
            confirm_replace: None,
            job: None,
            message: None,
        }
    }

    /// Draws the screen and polls the worker.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &mut Collection, library: &Library) -> Outcome {
        let mut out = Outcome { imported: false, close: false };
        self.poll(ui.ctx(), collection, &mut out);
        ui.horizontal(|ui| {
            ui.heading("Import and export");
            if ui.button("Back to the browser").clicked() {
                out.close = true;
            }
        });
        ui.add_space(6.0);
        let busy = self.job.is_some();
        ui.add_enabled_ui(!busy, |ui| {
            self.import_ui(ui);
            ui.separator();
            self.export_ui(ui, collection, library);
        });
        if let Some((_, progress)) = &self.job {
            ui.separator();
            ui.horizontal(|ui| {
                ui.add(egui::ProgressBar::new(progress.fraction()).show_percentage().desired_width(300.0));
                if ui.button("Cancel").clicked() {
                    progress.cancel();
                }
            });
            // The bar moves without input.
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
        }
        if let Some((message, error)) = &self.message {
            let color = if *error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
            ui.colored_label(color, message);
        }
        out
    }

    fn import_ui(&mut self, ui: &mut egui::Ui) {
        ui.label(RichText::new("Import a deck").strong());
        ui.label(RichText::new("An Anki package (.apkg), CSV (.csv), TSV (.tsv, .txt) or deck file (.json).").weak());
        ui.horizontal(|ui| {
            let label = ui.label("File to import:");
            let response =
                ui.add(egui::TextEdit::singleline(&mut self.import_path).desired_width(420.0)).labelled_by(label.id);
            if response.changed() {
                self.csv = None;
            }
            if ui.button("Read file").clicked() {
                self.read_file();
            }
        });
        let path = PathBuf::from(self.import_path.trim());
        let format = Format::from_path(&path);
        if let Some(csv) = &mut self.csv {
            csv_mapping_ui(ui, csv);
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
        if ui.add_enabled(ready, egui::Button::new("Import")).clicked() {
            self.start_import(ui.ctx(), path, format);
        }
    }

    /// Reads a CSV/TSV file for its mapping; other formats are read by the
    /// worker when Import is pressed.
    fn read_file(&mut self) {
        self.message = None;
        self.csv = None;
        let path = PathBuf::from(self.import_path.trim());
        let Some(format) = Format::from_path(&path) else {
            self.message =
                Some(("Unknown file type: import a .apkg, .csv, .tsv, .txt or .json file.".to_owned(), true));
            return;
        };
        if self.deck_name.trim().is_empty() {
            self.deck_name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        }
        if matches!(format, Format::Csv | Format::Tsv) {
            match store::read_bytes(&path) {
                Ok(bytes) => {
                    let guess = interop::csv::sniff(&bytes);
                    let options = CsvOptions::from_guess(&guess);
                    self.csv = Some(CsvFile { bytes: Arc::new(bytes), guess, options });
                }
                Err(e) => self.message = Some((e.to_string(), true)),
            }
        }
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
        self.message = None;
        self.job = Some((Job::Import(rx), progress));
    }

    fn export_ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) {
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
        egui::ComboBox::from_label("Deck to export").selected_text(selected).show_ui(ui, |ui| {
            for loaded in &library.decks {
                ui.selectable_value(&mut self.export_deck, Some(loaded.deck.id.clone()), &loaded.deck.title);
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Export to:");
            ui.add(egui::TextEdit::singleline(&mut self.export_path).desired_width(420.0)).labelled_by(label.id);
            if ui.button("Export").clicked() {
                self.start_export(ui.ctx(), collection, library, false);
            }
        });
        if let Some(path) = self.confirm_replace.clone() {
            ui.horizontal(|ui| {
                ui.label(format!("Replace {}? Its contents will be lost.", path.display()));
                if ui.button("Replace").clicked() {
                    self.confirm_replace = None;
                    self.start_export(ui.ctx(), collection, library, true);
                }
                if ui.button("Cancel").clicked() {
                    self.confirm_replace = None;
                }
            });
        }
    }

    fn start_export(&mut self, ctx: &egui::Context, collection: &Collection, library: &Library, replace: bool) {
        self.message = None;
        self.confirm_replace = None;
        let to = PathBuf::from(self.export_path.trim());
        let Some(format) = Format::from_path(&to) else {
            self.message =
                Some(("Unknown file type: export to a .apkg, .csv, .tsv, .txt or .json file.".to_owned(), true));
            return;
        };
        let Some(loaded) = self.export_deck.as_ref().and_then(|id| library.deck(id)) else {
            self.message = Some(("Choose a deck to export.".to_owned(), true));
            return;
        };
        // Never into the data folder; over an existing file only after "Replace".
        let data_dir = collection.profile().dir.parent().and_then(Path::parent).unwrap_or(&collection.profile().dir);
        match store::check_export_target(data_dir, &to, replace) {
            Ok(()) => {}
            Err(store::StoreError::ExportExists(path)) => {
                self.confirm_replace = Some(path);
                return;
            }
            Err(e) => {
                self.message = Some((format!("Not exported: {e}"), true));
                return;
            }
        }
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
                            .map(|w| format!("Exported {} cards and {} reviews to {shown}.", w.cards, w.reviews))
                            .map_err(|e| e.to_string())
                    }),
                Format::Csv | Format::Tsv | Format::Json => {
                    let bytes = match format {
                        Format::Csv => Ok(interop::csv::write(&deck)),
                        Format::Tsv => Ok(interop::csv::write_with(&deck, b'\t')),
                        _ => interop::write_json(&deck).map_err(|e| e.to_string()),
                    };
                    bytes.and_then(|b| {
                        store::write_atomic(&to, &b)
                            .map(|()| format!("Exported {} cards to {shown}.", deck.cards.len()))
                            .map_err(|e| format!("cannot write {shown}: {e}"))
                    })
                }
            };
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.job = Some((Job::Export(rx), progress));
    }

    fn poll(&mut self, ctx: &egui::Context, collection: &mut Collection, out: &mut Outcome) {
        let Some((job, _)) = &self.job else { return };
        match job {
            Job::Import(rx) => match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.job = None;
                    self.message = Some(("The import stopped unexpectedly; nothing was added.".to_owned(), true));
                }
                Ok(Err(e)) => {
                    self.job = None;
                    self.message = Some((format!("Nothing was imported: {e}"), true));
                }
                Ok(Ok(imported)) => {
                    self.job = None;
                    let reviews = imported.reviews();
                    let skipped = imported.skipped.len();
                    let title = imported.deck.title.clone();
                    let on_existing = if self.replace { OnExisting::Replace } else { OnExisting::Refuse };
                    match collection.import_deck(imported.deck, imported.events, on_existing) {
                        Ok(report) => {
                            out.imported = true;
                            let mut message = format!(
                                "Imported {} cards and {reviews} reviews into “{title}”; skipped {skipped}.",
                                report.cards
                            );
                            if let Some(previous) = &report.previous {
                                message.push_str(&format!(" The old deck was kept as {}.", previous.display()));
                            }
                            self.message = Some((message, false));
                        }
                        Err(e) => self.message = Some((format!("Nothing was imported: {e}"), true)),
                    }
                }
            },
            Job::Export(rx) => match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.job = None;
                    self.message = Some(("The export stopped unexpectedly.".to_owned(), true));
                }
                Ok(result) => {
                    self.job = None;
                    self.message = Some(match result {
                        Ok(m) => (m, false),
                        Err(e) => (format!("Not exported: {e}"), true),
                    });
                }
            },
        }
        if self.job.is_none() {
            ctx.request_repaint();
        }
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

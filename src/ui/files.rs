//! Choosing a file: the platform's dialog (`rfd`, through the XDG portal on
//! Linux) run on its own thread so the window keeps drawing, and an in-app
//! file browser when no dialog is available (a bare X server, the tests): a
//! folder field that takes a typed path and Enter, the recent folders, and
//! the folder's subfolders and files.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use egui::RichText;

use crate::store::files::{self, FolderEntry};

/// A dialog that answers faster than this did not show: nobody cancels a
/// file dialog in a fifth of a second.
const NO_DIALOG: Duration = Duration::from_millis(200);

/// What is being chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    /// A file to read, with the extensions offered (lower case, no dot).
    Open(Vec<&'static str>),
    /// Where to write: the suggested file name; the in-app browser picks
    /// the folder and keeps the name.
    Save(String),
}

/// The state of one "Choose…" button.
#[derive(Default)]
pub(crate) enum Picker {
    /// Nothing open.
    #[default]
    Idle,
    /// The platform dialog is open on its own thread.
    Native { rx: Receiver<Option<PathBuf>>, started: Instant, want: Want, folder: PathBuf },
    /// The in-app browser.
    Browser(Box<FolderBrowser>),
}

impl Picker {
    /// Opens the platform dialog (when `native`) or the in-app browser, in `folder`.
    pub fn open(&mut self, ctx: &egui::Context, native: bool, want: Want, folder: PathBuf) {
        if !native {
            *self = Picker::Browser(Box::new(FolderBrowser::new(folder, want)));
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        let dialog_want = want.clone();
        let dialog_folder = folder.clone();
        std::thread::spawn(move || {
            let dialog = rfd::FileDialog::new().set_directory(&dialog_folder);
            let picked = match dialog_want {
                Want::Open(extensions) => dialog.add_filter("Decks", &extensions).pick_file(),
                Want::Save(name) => dialog.set_file_name(name).save_file(),
            };
            let _ = tx.send(picked);
            ctx.request_repaint();
        });
        *self = Picker::Native { rx, started: Instant::now(), want, folder };
    }

    /// Whether a dialog or the browser is open.
    pub fn is_open(&self) -> bool {
        !matches!(self, Picker::Idle)
    }

    /// Draws the in-app browser (when open) or waits for the dialog, and
    /// returns the chosen path once.
    pub fn ui(&mut self, ui: &mut egui::Ui, recent: &[String]) -> Option<PathBuf> {
        match self {
            Picker::Idle => None,
            Picker::Native { rx, started, want, folder } => match rx.try_recv() {
                Err(TryRecvError::Empty) => {
                    ui.label(RichText::new("The file dialog is open…").weak());
                    None
                }
                Ok(Some(path)) => {
                    *self = Picker::Idle;
                    Some(path)
                }
                Ok(None) if started.elapsed() < NO_DIALOG => {
                    // No portal and no fallback dialog: browse in the window.
                    *self = Picker::Browser(Box::new(FolderBrowser::new(folder.clone(), want.clone())));
                    None
                }
                Ok(None) | Err(TryRecvError::Disconnected) => {
                    *self = Picker::Idle;
                    None
                }
            },
            Picker::Browser(browser) => match browser.ui(ui, recent) {
                Some(Chosen::Path(path)) => {
                    *self = Picker::Idle;
                    Some(path)
                }
                Some(Chosen::Cancel) => {
                    *self = Picker::Idle;
                    None
                }
                None => None,
            },
        }
    }
}

/// What the in-app browser ended with.
enum Chosen {
    Path(PathBuf),
    Cancel,
}

/// The in-app file browser.
pub(crate) struct FolderBrowser {
    folder: PathBuf,
    typed: String,
    entries: Result<Vec<FolderEntry>, String>,
    want: Want,
    /// Keep the folder field focused after Enter.
    refocus: bool,
}

impl FolderBrowser {
    fn new(folder: PathBuf, want: Want) -> FolderBrowser {
        let mut browser = FolderBrowser {
            typed: String::new(),
            entries: Ok(Vec::new()),
            folder: PathBuf::new(),
            want,
            refocus: true,
        };
        browser.go(folder);
        browser
    }

    fn go(&mut self, folder: PathBuf) {
        self.entries = files::list_folder(&folder);
        self.typed = folder.display().to_string();
        self.folder = folder;
    }

    fn offered(&self, entry: &FolderEntry) -> bool {
        if entry.is_dir {
            return true;
        }
        match &self.want {
            Want::Open(extensions) => Path::new(&entry.name)
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .is_some_and(|e| extensions.iter().any(|x| *x == e)),
            // Files show where a name would be taken.
            Want::Save(_) => true,
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, recent: &[String]) -> Option<Chosen> {
        let mut chosen = None;
        egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(10)).show(ui, |ui| {
            ui.set_width(ui.available_width());
            let title = match &self.want {
                Want::Open(_) => "Choose a file",
                Want::Save(_) => "Choose the folder to export into",
            };
            ui.label(RichText::new(title).strong());
            ui.horizontal(|ui| {
                let label = ui.label("Folder or file:");
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.typed)
                            .desired_width((ui.available_width() - 130.0).max(160.0)),
                    )
                    .labelled_by(label.id)
                    .on_hover_text("Type a path and press Enter (~ is your home folder)");
                if std::mem::take(&mut self.refocus) {
                    response.request_focus();
                }
                if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    let path = files::resolve_path(&self.typed, &files::home_dir());
                    if path.is_dir() {
                        self.go(path);
                        self.refocus = true;
                    } else if match self.want {
                        Want::Open(_) => path.is_file(),
                        Want::Save(_) => path.parent().is_some_and(Path::is_dir),
                    } {
                        chosen = Some(Chosen::Path(path));
                    } else {
                        self.entries = Err(files::check_readable(&path)
                            .err()
                            .unwrap_or_else(|| format!("There is no folder at {}", path.display())));
                        self.refocus = true;
                    }
                }
                if let Some(parent) = self.folder.parent().map(Path::to_path_buf)
                    && ui.button("Up").on_hover_text("The folder above").clicked()
                {
                    self.go(parent);
                }
            });
            if !recent.is_empty() {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Recent folders:").weak());
                    for folder in recent {
                        if ui.small_button(folder).clicked() {
                            self.go(PathBuf::from(folder));
                        }
                    }
                });
            }
            match &self.entries {
                Err(why) => {
                    ui.colored_label(ui.visuals().error_fg_color, why);
                }
                Ok(entries) => {
                    let shown: Vec<&FolderEntry> = entries.iter().filter(|e| self.offered(e)).collect();
                    if shown.is_empty() {
                        let what = match &self.want {
                            Want::Open(extensions) => format!("No folders or .{} files here.", extensions.join(", .")),
                            Want::Save(_) => "This folder is empty.".to_owned(),
                        };
                        ui.label(RichText::new(what).weak());
                    }
                    ui.label(RichText::new("Click a folder to open it, or a file to choose it.").weak());
                    let mut go = None;
                    egui::ScrollArea::vertical().id_salt("folder_entries").max_height(200.0).show(ui, |ui| {
                        for entry in shown {
                            let text = if entry.is_dir { format!("{}/", entry.name) } else { entry.name.clone() };
                            let save = matches!(self.want, Want::Save(_));
                            let response = ui.add_enabled(entry.is_dir || !save, egui::Button::new(text).frame(false));
                            if response.clicked() {
                                if entry.is_dir {
                                    go = Some(entry.path.clone());
                                } else {
                                    chosen = Some(Chosen::Path(entry.path.clone()));
                                }
                            }
                        }
                    });
                    if let Some(folder) = go {
                        self.go(folder);
                    }
                }
            }
            ui.horizontal(|ui| {
                if let Want::Save(name) = &self.want
                    && ui.button(format!("Export here as “{name}”")).clicked()
                {
                    chosen = Some(Chosen::Path(self.folder.join(name)));
                }
                if ui.button("Cancel").clicked() {
                    chosen = Some(Chosen::Cancel);
                }
            });
        });
        chosen
    }
}

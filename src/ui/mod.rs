//! The egui/eframe shell: the window and its screens (home, review,
//! summary, settings) and the bundled font. Screens draw from the core's
//! values and return a [`Command`]; the app applies it after drawing, and
//! only the store writes files.

mod browser;
mod editor;
mod exam;
mod fonts;
mod home;
mod review;
mod settings;
mod stats;
mod transfer;

pub use fonts::install as install_fonts;

use std::path::PathBuf;
use std::time::Instant;

use crate::deck::{CardId, DeckId, Library};
use crate::schedule::Counts;
use crate::store::{self, Collection, Preferences, StoreError, Theme};
use crate::study;
use crate::time::Moment;

/// How the window should look and behave, from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data folder (already resolved from flag, environment or platform).
    pub data_dir: PathBuf,
    /// The profile to open.
    pub profile: String,
    /// A theme forced from the command line, over the profile's choice.
    pub theme: Option<egui::ThemePreference>,
    /// When set, print the time from this instant to the first frame that
    /// shows the deck list, then close (for start-up benchmarks).
    pub exit_after_first_frame: Option<Instant>,
    /// This computer's own folders: the device id and the snapshot cache.
    pub local: store::LocalDirs,
}

impl Config {
    /// A configuration for tests: `data_dir` doubles as this computer's
    /// config folder (the device id is `data_dir/device-id`), and the cache
    /// is `data_dir/cache`.
    pub fn for_data_dir(data_dir: PathBuf, profile: &str) -> Config {
        Config {
            local: store::LocalDirs { config_dir: data_dir.clone(), cache_dir: data_dir.join("cache") },
            data_dir,
            profile: profile.to_owned(),
            theme: None,
            exit_after_first_frame: None,
        }
    }
}

/// What a screen asks the app to do after drawing.
pub enum Command {
    /// Show the mock exam setup.
    OpenExam,
    /// Start taking a built exam.
    TakeExam(Box<exam::Taking>),
    /// Show the results of a submitted exam.
    ShowResults(Box<exam::Results>),
    /// Show the exam date and readiness screen.
    OpenReadiness,
    /// Review these cards now, for real (missed exam cards, exam preparation).
    ReviewCards(String, Vec<study::CardRef>),
    /// Start today's reviews, of every deck or one.
    StudyNow(Option<DeckId>),
    /// Review cards before they are due (real reviews).
    StudyAhead,
    /// Go through a deck or tag without changing the schedule.
    Cram(CramScope),
    /// Show the settings.
    OpenSettings,
    /// Show the statistics (or, with `true`, the tuning part).
    OpenStats(bool),
    /// Back to the home screen.
    Home,
    /// Open another profile.
    SwitchProfile(String),
    /// Make a new profile and open it.
    CreateProfile(String),
    /// Save new preferences (theme, zoom, typed answers, hint).
    SavePreferences(Preferences),
    /// Open the card browser with this query (the statistics screen uses
    /// it to show the cards behind a figure).
    Browse(String),
    /// Open the form for a new card.
    AddCard,
    /// Open the form to edit a card.
    EditCard(DeckId, CardId),
    /// Close the card form and go back to where it was opened.
    CloseEditor,
    /// Show the import and export screen.
    OpenTransfer,
    /// Set the new-card limit (readiness's plan), then show readiness again.
    SetNewPerDay(u32),
}

/// What to cram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CramScope {
    /// Every card of a deck.
    Deck(DeckId),
    /// Every card with a tag.
    Tag(String),
}

/// Today's counts for the home screen, computed when needed, never per frame.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overview {
    pub(crate) decks: Vec<Counts>,
    pub(crate) total: Counts,
    pub(crate) next_due: Option<Moment>,
    pub(crate) reviewed_today: u32,
    pub(crate) time_today_ms: u64,
    pub(crate) streak: u32,
    pub(crate) computed_at_ms: i64,
}

/// The screens.
enum Screen {
    Home,
    Review(Box<review::Session>),
    Summary(review::Summary),
    Settings(settings::Form),
    ExamSetup(Box<exam::Setup>),
    Exam(Box<exam::Taking>),
    Results(Box<exam::Results>),
    Readiness(Box<exam::ReadinessScreen>),
    Stats,
    Browser,
    Editor(Box<editor::Form>),
    Transfer(Box<transfer::Transfer>),
}

/// The application: what is loaded, and which screen shows.
pub struct YadgarApp {
    config: Config,
    device: String,
    profile_name: String,
    /// The open profile, or why it could not be opened.
    collection: Result<Collection, String>,
    library: Library,
    overview: Overview,
    screen: Screen,
    /// A problem to show above every screen until dismissed.
    banner: Option<String>,
    first_frame: FirstFrameProbe,
    /// The statistics screens, with their cache.
    stats: stats::StatsView,
    /// A background rebuild of the journal of grades (for the statistics),
    /// when the profile was opened from its snapshot.
    journal: Option<std::sync::mpsc::Receiver<Result<store::BuiltJournal, StoreError>>>,
    /// The card browser, kept across screens so its query and sort stay.
    browser: browser::Browser,
}

/// Tracks the first frame with the deck list, for `--exit-after-first-frame`.
enum FirstFrameProbe {
    Off,
    Waiting(Instant),
    /// The list was laid out in the previous frame; that frame is on screen
    /// once the next one starts.
    Drawn(Instant),
    Done,
}

impl YadgarApp {
    /// Opens the profile, loads its decks once, and sets up fonts and theme.
    pub fn new(ctx: &egui::Context, config: Config) -> Self {
        fonts::install(ctx);
        let (device, device_error) = match store::device_id_checked(&config.local.device_id_file()) {
            Ok(store::DeviceId { id, warning }) => (id, warning),
            Err(e) => (String::from("unknown"), Some(e.to_string())),
        };
        let profile_name = config.profile.clone();
        let first_frame = config.exit_after_first_frame.map_or(FirstFrameProbe::Off, FirstFrameProbe::Waiting);
        let mut app = YadgarApp {
            collection: Err(String::new()),
            library: Library::default(),
            overview: Overview::default(),
            screen: Screen::Home,
            banner: device_error,
            first_frame,
            stats: stats::StatsView::default(),
            journal: None,
            browser: browser::Browser::default(),
            device,
            profile_name,
            config,
        };
        app.open_profile(ctx);
        app
    }

    fn open_profile(&mut self, ctx: &egui::Context) {
        let opened = if self.banner.is_some() && self.device == "unknown" {
            Err("this computer's device id could not be made, so nothing can be saved".to_owned())
        } else {
            let opening = store::Opening::new(true, Some(self.config.local.clone()));
            Collection::open_as(&self.config.data_dir, &self.profile_name, &self.device, &opening).map_err(
                |e| match e {
                    StoreError::Locked { .. } => e.to_string(),
                    other => format!("{other}"),
                },
            )
        };
        if let Ok(c) = &opened {
            // A log written by another computer with this id gives this one
            // a new id (the collection says so in its warnings).
            c.device().clone_into(&mut self.device);
        }
        self.library = match &opened {
            Ok(c) => store::load_library(&c.profile().decks_dir()),
            Err(_) => Library::bundled(),
        };
        for error in &self.library.errors {
            eprintln!("yadgar: {error}");
        }
        if let Ok(c) = &opened {
            for warning in c.warnings() {
                eprintln!("yadgar: {warning}");
            }
            apply_preferences(ctx, c.preferences(), self.config.theme);
        } else {
            ctx.set_theme(self.config.theme.unwrap_or(egui::ThemePreference::System));
        }
        self.collection = opened;
        self.screen = Screen::Home;
        self.browser = browser::Browser::default();
        self.stats = stats::StatsView::default();
        self.start_journal(ctx);
        self.refresh_overview();
    }

    /// Rebuilds the journal of grades on a worker thread when the profile
    /// was opened from its snapshot, so the statistics are ready when asked for.
    fn start_journal(&mut self, ctx: &egui::Context) {
        self.journal = None;
        let Some(job) = self.collection.as_ref().ok().and_then(Collection::journal_job) else { return };
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(job.run());
            ctx.request_repaint();
        });
        self.journal = Some(rx);
    }

    fn poll_journal(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.journal else { return };
        match rx.try_recv() {
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => self.journal = None,
            Ok(Err(e)) => {
                self.journal = None;
                eprintln!("yadgar: the review history for the statistics could not be read: {e}");
            }
            Ok(Ok(built)) => {
                self.journal = None;
                if let Ok(c) = &mut self.collection
                    && !c.install_journal(built)
                {
                    // Something was graded meanwhile: read it again.
                    self.start_journal(ctx);
                }
            }
        }
    }

    /// Recomputes today's counts (after grades, or when the day may have changed).
    fn refresh_overview(&mut self) {
        let now = store::now();
        let Ok(c) = &self.collection else {
            self.overview =
                Overview { decks: vec![Counts::default(); self.library.decks.len()], ..Overview::default() };
            return;
        };
        let (queue, _) = study::queue(c.scheduler(), now, &self.library, c.progress(), None);
        let decks = self
            .library
            .decks
            .iter()
            .map(|d| study::deck_counts(c.scheduler(), now, &self.library, c.progress(), &d.deck.id))
            .collect();
        let today = c.scheduler().day(now);
        let stats = c.progress().day(today);
        let next_due = queue.next_due_any().map(|m| Moment::new(m.unix_ms, now.offset_s));
        self.overview = Overview {
            decks,
            total: queue.counts,
            next_due,
            reviewed_today: stats.answers,
            time_today_ms: stats.answer_ms,
            streak: c.progress().streak(today),
            computed_at_ms: now.unix_ms,
        };
    }

    /// The decks loaded at start.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// The exam being taken, if any (for tests and tools).
    pub fn exam_in_progress(&self) -> Option<&crate::exam::Exam> {
        match &self.screen {
            Screen::Exam(taking) => Some(taking.exam()),
            _ => None,
        }
    }

    /// The open profile, if it could be opened.
    pub fn collection(&self) -> Option<&Collection> {
        self.collection.as_ref().ok()
    }

    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let Ok(collection) = &mut self.collection else {
            match command {
                Command::SwitchProfile(name) => {
                    self.profile_name = name;
                    self.open_profile(ctx);
                }
                Command::CreateProfile(name) => self.create_profile(ctx, name),
                _ => {}
            }
            return;
        };
        match command {
            Command::StudyNow(deck) => {
                self.screen =
                    Screen::Review(Box::new(review::Session::new(review::Mode::Due(deck), collection, &self.library)));
                self.finish_if_empty();
            }
            Command::StudyAhead => {
                self.screen =
                    Screen::Review(Box::new(review::Session::new(review::Mode::Ahead, collection, &self.library)));
                self.finish_if_empty();
            }
            Command::Cram(scope) => {
                self.screen = Screen::Review(Box::new(review::Session::new(
                    review::Mode::Cram(scope),
                    collection,
                    &self.library,
                )));
                self.finish_if_empty();
            }
            Command::OpenStats(tuning) => {
                self.stats.forget_exams();
                if tuning {
                    self.stats.show_tuning();
                } else {
                    self.stats.show_charts();
                }
                self.screen = Screen::Stats;
            }
            Command::OpenSettings => self.screen = Screen::Settings(settings::Form::new(collection, ctx.zoom_factor())),
            Command::OpenExam => self.screen = Screen::ExamSetup(Box::new(exam::Setup::new())),
            Command::TakeExam(taking) => self.screen = Screen::Exam(taking),
            Command::ShowResults(results) => self.screen = Screen::Results(results),
            Command::OpenReadiness => {
                self.screen = Screen::Readiness(Box::new(exam::ReadinessScreen::new(collection, &self.library)));
            }
            Command::ReviewCards(title, cards) => {
                let mode = review::Mode::List(title, cards);
                self.screen = Screen::Review(Box::new(review::Session::new(mode, collection, &self.library)));
                self.finish_if_empty();
            }
            Command::Home => {
                self.screen = Screen::Home;
                self.refresh_overview();
            }
            Command::SwitchProfile(name) => {
                if name != self.profile_name {
                    // Drop the open profile first, releasing its lock.
                    self.collection = Err(String::new());
                    self.profile_name = name;
                    self.open_profile(ctx);
                }
            }
            Command::CreateProfile(name) => self.create_profile(ctx, name),
            Command::Browse(query) => {
                self.browser.set_query(query);
                self.screen = Screen::Browser;
            }
            Command::AddCard => {
                let back = self.take_back();
                self.screen = Screen::Editor(Box::new(editor::Form::add(&self.library, back)));
            }
            Command::EditCard(deck, card) => {
                let back = self.take_back();
                self.screen = match editor::Form::edit(&self.library, &deck, &card, back) {
                    Ok(form) => Screen::Editor(Box::new(form)),
                    Err(back) => {
                        self.banner = Some(format!("card {card} of deck {deck} is no longer loaded"));
                        Self::screen_of(back)
                    }
                };
            }
            Command::OpenTransfer => {
                self.screen = Screen::Transfer(Box::new(transfer::Transfer::new(&self.library)));
            }
            Command::CloseEditor => {
                if let Screen::Editor(form) = std::mem::replace(&mut self.screen, Screen::Home) {
                    self.screen = Self::screen_of(form.into_back());
                }
                self.refresh_overview();
            }
            Command::SavePreferences(preferences) => match collection.set_preferences(preferences) {
                Ok(()) => apply_preferences(ctx, collection.preferences(), self.config.theme),
                Err(e) => self.banner = Some(format!("the preference was not saved: {e}")),
            },
            Command::SetNewPerDay(n) => {
                let settings =
                    crate::schedule::Settings { new_per_day: n, ..collection.scheduler().settings().clone() };
                match collection.set_settings(settings) {
                    Ok(()) => {
                        self.banner = Some(format!("New cards a day set to {n}."));
                        self.screen =
                            Screen::Readiness(Box::new(exam::ReadinessScreen::new(collection, &self.library)));
                    }
                    Err(e) => self.banner = Some(format!("The new-card limit was NOT saved: {e}")),
                }
            }
        }
    }

    /// Takes the current screen as the place the card form returns to.
    fn take_back(&mut self) -> editor::Back {
        match std::mem::replace(&mut self.screen, Screen::Home) {
            Screen::Review(session) => editor::Back::Review(session),
            Screen::Browser => editor::Back::Browser,
            Screen::Editor(form) => form.into_back(),
            _ => editor::Back::Home,
        }
    }

    fn screen_of(back: editor::Back) -> Screen {
        match back {
            editor::Back::Home => Screen::Home,
            editor::Back::Browser => Screen::Browser,
            editor::Back::Review(session) => Screen::Review(session),
        }
    }

    fn create_profile(&mut self, ctx: &egui::Context, name: String) {
        match store::create_profile(&self.config.data_dir, &name) {
            Ok(_) => {
                self.collection = Err(String::new());
                self.profile_name = name;
                self.open_profile(ctx);
            }
            Err(e) => self.banner = Some(e.to_string()),
        }
    }

    fn finish_if_empty(&mut self) {
        if let Screen::Review(session) = &self.screen
            && session.is_finished()
        {
            let summary = session.summary(self.collection.as_ref().ok(), &self.library);
            self.screen = Screen::Summary(summary);
        }
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui) -> Option<Command> {
        let mut command = None;
        // Below this width the screen buttons fold into one menu.
        let narrow = ui.available_width() < 900.0;
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Yadgar").size(22.0).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                // No navigation while an exam runs: Submit ends it.
                if !matches!(self.screen, Screen::Exam(_)) && self.collection.is_ok() {
                    if narrow {
                        ui.menu_button("Go to ▾", |ui| {
                            ui.with_layout(egui::Layout::top_down_justified(egui::Align::Min), |ui| {
                                command = self.screen_buttons_ui(ui);
                            });
                            if command.is_some() {
                                ui.close();
                            }
                        });
                    } else {
                        command = self.screen_buttons_ui(ui);
                    }
                }
                if let Some(c) = home::profile_switcher_ui(ui, &self.config.data_dir, &self.profile_name) {
                    command = Some(c);
                }
            });
        });
        command
    }

    /// One button for each screen but the one showing (right to left in the
    /// bar, top down in the narrow window's menu).
    fn screen_buttons_ui(&self, ui: &mut egui::Ui) -> Option<Command> {
        let mut command = None;
        if !matches!(self.screen, Screen::Settings(_)) && ui.button("Settings").clicked() {
            command = Some(Command::OpenSettings);
        }
        if !matches!(self.screen, Screen::Editor(_)) && ui.button("Add card").on_hover_text("Ctrl+N").clicked() {
            command = Some(Command::AddCard);
        }
        if !matches!(self.screen, Screen::Browser) && ui.button("Browse").on_hover_text("Ctrl+B or /").clicked() {
            command = Some(Command::Browse(self.browser.query().to_owned()));
        }
        if !matches!(self.screen, Screen::Stats) && ui.button("Statistics").clicked() {
            command = Some(Command::OpenStats(false));
        }
        if ui.button("Exam readiness").clicked() {
            command = Some(Command::OpenReadiness);
        }
        if ui.button("Mock exam").clicked() {
            command = Some(Command::OpenExam);
        }
        command
    }

    fn banner_ui(&mut self, ui: &mut egui::Ui) {
        let Some(message) = self.banner.clone() else { return };
        let color = ui.visuals().error_fg_color;
        egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, color)).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(color, message);
                if ui.button("Dismiss").clicked() {
                    self.banner = None;
                }
            });
        });
        ui.add_space(6.0);
    }

    fn probe_first_frame(&mut self, ctx: &egui::Context) {
        match self.first_frame {
            FirstFrameProbe::Drawn(start) => {
                let millis = start.elapsed().as_secs_f64() * 1000.0;
                println!("first frame with the deck list: {millis:.1} ms after start");
                self.first_frame = FirstFrameProbe::Done;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            FirstFrameProbe::Waiting(start) => {
                self.first_frame = FirstFrameProbe::Drawn(start);
                ctx.request_repaint();
            }
            FirstFrameProbe::Off | FirstFrameProbe::Done => {}
        }
    }

    /// Ctrl+N adds a card, Ctrl+B or / opens the browser, from any screen
    /// but a running exam (and / only when no text field has the keys).
    fn global_keys(&self, ui: &mut egui::Ui) -> Option<Command> {
        if self.collection.is_err() || matches!(self.screen, Screen::Exam(_)) {
            return None;
        }
        let typing = ui.ctx().egui_wants_keyboard_input();
        let (add, browse, slash) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::N),
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::B),
                !typing && i.consume_key(egui::Modifiers::NONE, egui::Key::Slash),
            )
        });
        if add && !matches!(self.screen, Screen::Editor(_)) {
            Some(Command::AddCard)
        } else if (browse || slash) && !matches!(self.screen, Screen::Browser) {
            Some(Command::Browse(self.browser.query().to_owned()))
        } else {
            None
        }
    }

    /// Keeps the profile's zoom in step with Ctrl+plus and Ctrl+minus.
    fn persist_zoom(&mut self, ctx: &egui::Context) {
        let Ok(c) = &mut self.collection else { return };
        let zoom = ctx.zoom_factor();
        if (zoom - c.preferences().zoom).abs() > 0.001 {
            let preferences = Preferences { zoom, ..c.preferences().clone() };
            if let Err(e) = c.set_preferences(preferences) {
                self.banner = Some(format!("the zoom was not saved: {e}"));
            }
        }
    }
}

fn apply_preferences(ctx: &egui::Context, preferences: &Preferences, forced: Option<egui::ThemePreference>) {
    let theme = forced.unwrap_or(match preferences.theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    });
    ctx.set_theme(theme);
    if (0.5..=3.0).contains(&preferences.zoom) {
        ctx.set_zoom_factor(preferences.zoom);
    }
}

impl eframe::App for YadgarApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_journal(&ctx);
        let mut command = self.global_keys(ui);
        let mut library_changed = false;
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            command = self.top_bar_ui(ui).or(command.take());
            ui.add_space(2.0);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::Frame::NONE.inner_margin(egui::Margin::symmetric(16, 4)).show(ui, |ui| {
                self.banner_ui(ui);
                let screen_command = match &mut self.screen {
                    Screen::Home => {
                        // Counts go stale when the day turns or a learning
                        // card comes due; recompute at most once a minute.
                        if store::now().unix_ms - self.overview.computed_at_ms > 60_000 {
                            self.refresh_overview();
                        }
                        home::ui(ui, &self.library, self.collection.as_ref(), &self.overview)
                    }
                    Screen::Review(session) => match &mut self.collection {
                        Ok(c) => {
                            let outcome = session.ui(ui, c, &self.library);
                            if let Some(error) = outcome.error {
                                self.banner = Some(error);
                            }
                            outcome.command
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Summary(summary) => summary.ui(ui),
                    Screen::ExamSetup(setup) => match &self.collection {
                        Ok(c) => setup.ui(ui, c, &self.library),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Exam(taking) => match &self.collection {
                        Ok(c) => {
                            let (command, error) = taking.ui(ui, c);
                            if error.is_some() {
                                self.banner = error;
                            }
                            command
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Results(results) => match &mut self.collection {
                        Ok(c) => results.ui(ui, c, &self.library),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Readiness(screen) => match &self.collection {
                        Ok(c) => screen.ui(ui, c, &self.library),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Browser => match &mut self.collection {
                        Ok(c) => {
                            let outcome = self.browser.ui(ui, c, &mut self.library);
                            library_changed |= outcome.library_changed;
                            outcome.command
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Editor(form) => match &mut self.collection {
                        Ok(c) => {
                            let outcome = form.ui(ui, c, &mut self.library);
                            if outcome.library_changed {
                                library_changed = true;
                                self.browser.library_changed();
                            }
                            if let Some(deleted) = outcome.deleted {
                                // To the browser, where Undo is (a review
                                // session's place in the deck moved anyway).
                                self.browser.remember_deleted(vec![deleted]);
                                Some(Command::Browse(self.browser.query().to_owned()))
                            } else {
                                outcome.close.then_some(Command::CloseEditor)
                            }
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Transfer(transfer) => match &mut self.collection {
                        Ok(c) => {
                            let outcome = transfer.ui(ui, c, &self.library);
                            if outcome.imported {
                                // A new deck file: read the decks again, as at start.
                                self.library = store::load_library(&c.profile().decks_dir());
                                self.browser.library_changed();
                                library_changed = true;
                            }
                            outcome.close.then(|| Command::Browse(self.browser.query().to_owned()))
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Stats => match &mut self.collection {
                        Ok(c) => self.stats.ui(ui, c, &self.library),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Settings(form) => match &mut self.collection {
                        Ok(c) => {
                            let outcome = form.ui(ui, c);
                            if let Some(preferences) = outcome.applied {
                                apply_preferences(&ctx, &preferences, self.config.theme);
                            }
                            outcome.command
                        }
                        Err(_) => Some(Command::Home),
                    },
                };
                command = screen_command.or(command.take());
            });
        });
        if library_changed {
            self.refresh_overview();
        }
        if let Some(command) = command {
            self.apply(&ctx, command);
            // Draw the new screen now, not at the next input event (an exam
            // submitted by the clock has no input to wake the window).
            ctx.request_repaint();
        }
        self.finish_if_empty();
        self.persist_zoom(&ctx);
        self.probe_first_frame(&ctx);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // A snapshot makes the next start fast; the log stays the truth.
        if let Ok(c) = &self.collection
            && let Err(e) = c.save_snapshot()
        {
            eprintln!("yadgar: the start-up cache was not saved (nothing is lost): {e}");
        }
    }
}

/// Opens the window and runs until it is closed.
///
/// # Errors
/// The window or its graphics context could not be created.
pub fn run(config: Config) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Yadgar")
            .with_app_id("yadgar")
            .with_inner_size([960.0, 720.0])
            .with_min_inner_size([480.0, 360.0]),
        ..Default::default()
    };
    eframe::run_native("Yadgar", options, Box::new(move |cc| Ok(Box::new(YadgarApp::new(&cc.egui_ctx, config)))))
}

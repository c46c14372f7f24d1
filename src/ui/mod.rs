//! The egui/eframe shell: the window and its screens (home, review,
//! summary, settings) and the bundled font. Screens draw from the core's
//! values and return a [`Command`]; the app applies it after drawing, and
//! only the store writes files.

mod browser;
mod editor;
mod exam;
mod files;
mod fonts;
mod home;
mod icon;
mod reader;
mod review;
mod settings;
mod stats;
mod toast;
mod transfer;
mod worker;

pub use fonts::install as install_fonts;
pub use icon::APP_ID;

use std::path::PathBuf;
use std::sync::Arc;
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
    /// Try the platform's file dialog before the in-app file browser (off
    /// in tests, which drive the in-app browser).
    pub native_file_dialog: bool,
    /// How long the window waits for an op on its worker before it shows
    /// the op's progress instead of the screen: long enough that a grade
    /// never flickers, short enough that a slow op never looks frozen.
    pub inline_wait: std::time::Duration,
}

/// How long the window waits for an op before showing its progress.
pub const INLINE_WAIT: std::time::Duration = std::time::Duration::from_millis(120);

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
            native_file_dialog: false,
            // Tests see each op's result in the frame that asked for it
            // (one test sets it to zero to see the progress screen).
            inline_wait: std::time::Duration::from_secs(600),
        }
    }
}

/// What a screen asks the app to do after drawing.
pub enum Command {
    /// Ask the store to do this; the screen that asked hears how it went
    /// (its `applied`), on this frame or, for a slow op run on the worker,
    /// when it is done.
    Apply(Box<store::Op>),
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
    /// The card form deleted its card: show the browser, with Undo for
    /// the deletion (these events).
    BrowseDeleted(Vec<crate::revlog::EventId>),
    /// Show the import and export screen.
    OpenTransfer,
    /// Show the source text, shaded by recall.
    OpenReader,
    /// Show the import preview of a file (dropped on the window).
    ImportFile(PathBuf),
    /// Set the new-card limit (readiness's plan), then show readiness again.
    SetNewPerDay(u32),
    /// Take back the latest action (Ctrl+Z), whatever screen made it.
    Undo,
}

impl Command {
    /// Ask the store to do `op`.
    pub fn apply(op: store::Op) -> Command {
        Command::Apply(Box::new(op))
    }
}

/// What a screen makes of the result of the op it asked for.
#[derive(Default)]
pub(crate) struct Applied {
    /// Say this in a toast.
    pub toast: Option<toast::Toast>,
    /// Show this problem above the screen.
    pub banner: Option<String>,
    /// Then do this.
    pub command: Option<Command>,
}

impl Applied {
    /// Nothing more to do.
    pub fn none() -> Applied {
        Applied::default()
    }

    /// Then do `command`.
    pub fn then(command: Command) -> Applied {
        Applied { command: Some(command), ..Applied::default() }
    }

    /// Say `toast`.
    pub fn toast(toast: toast::Toast) -> Applied {
        Applied { toast: Some(toast), ..Applied::default() }
    }
}

/// The screens the top bar goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Home,
    Browse,
    AddCard,
    Statistics,
    Reader,
    Readiness,
    MockExam,
    Settings,
    /// A review session or its summary (not in the bar).
    Review,
}

impl Place {
    /// The bar's buttons, in order.
    const MENU: [Place; 8] = [
        Place::Home,
        Place::Browse,
        Place::AddCard,
        Place::Statistics,
        Place::Reader,
        Place::Readiness,
        Place::MockExam,
        Place::Settings,
    ];

    fn label(self) -> &'static str {
        match self {
            Place::Home => "Home",
            Place::Browse => "Browse",
            Place::AddCard => "Add card",
            Place::Statistics => "Statistics",
            Place::Reader => "Reader",
            Place::Readiness => "Exam readiness",
            Place::MockExam => "Mock exam",
            Place::Settings => "Settings",
            Place::Review => "Review",
        }
    }

    fn keys(self) -> Option<&'static str> {
        match self {
            Place::Browse => Some("Ctrl+B or /"),
            Place::AddCard => Some("Ctrl+N"),
            _ => None,
        }
    }
}

/// What to cram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CramScope {
    /// Every card of a deck.
    Deck(DeckId),
    /// Every card with a tag.
    Tag(String),
    /// Every card citing this paragraph of the source text with this
    /// fingerprint (decks that record another are left out).
    Paragraph(u32, String),
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
    Settings(Box<settings::Form>),
    ExamSetup(Box<exam::Setup>),
    Exam(Box<exam::Taking>),
    Results(Box<exam::Results>),
    Readiness(Box<exam::ReadinessScreen>),
    Stats,
    Browser,
    Editor(Box<editor::Form>),
    Transfer(Box<transfer::Transfer>),
    Reader(Box<reader::Reader>),
}

/// The application: what is loaded, and which screen shows.
pub struct YadgarApp {
    config: Config,
    device: String,
    profile_name: String,
    /// The open profile, or why it could not be opened.
    collection: Result<Collection, String>,
    /// The decks shown: the open profile's (cheap to clone), or the
    /// bundled decks when none is open.
    library: Arc<Library>,
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
    /// What the last action did, with Undo where it can be taken back.
    toast: Option<toast::Toast>,
    /// The zoom last seen, to say so when it changes.
    zoom_seen: f32,
    /// The student's copy of the source text (Settings), or why it cannot
    /// be used; `None` when none is set.
    source: Option<Result<crate::ground::SourceText, String>>,
    /// When the profile's logs were last checked for other computers' events.
    last_merge: Instant,
    /// Frames to draw before the journal of grades is rebuilt, so the
    /// rebuild (a full read of the logs on worker threads) does not compete
    /// with the first frames for the cores; `None` once started.
    journal_after_frames: Option<u8>,
    /// An op running on the worker, which holds the collection meanwhile.
    running: Option<worker::Running>,
}

/// `collection` while an op runs on the worker.
const BUSY: &str = "busy";

/// How often the open profile is checked for other computers' new events.
const MERGE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

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
        let opened = Opened::open(&config);
        YadgarApp::with_opened(ctx, config, opened)
    }

    /// As [`YadgarApp::new`], with the profile already opened (on a thread
    /// of its own while the window came up: see [`run`]).
    fn with_opened(ctx: &egui::Context, config: Config, opened: Opened) -> Self {
        fonts::install(ctx);
        let Opened { device, device_error, collection, overview } = opened;
        let profile_name = config.profile.clone();
        let first_frame = config.exit_after_first_frame.map_or(FirstFrameProbe::Off, FirstFrameProbe::Waiting);
        let mut app = YadgarApp {
            collection: Err(String::new()),
            library: Arc::new(Library::default()),
            overview: Overview::default(),
            screen: Screen::Home,
            banner: device_error,
            first_frame,
            stats: stats::StatsView::default(),
            journal: None,
            browser: browser::Browser::default(),
            toast: None,
            zoom_seen: 0.0,
            source: None,
            last_merge: Instant::now(),
            journal_after_frames: None,
            running: None,
            device,
            profile_name,
            config,
        };
        app.install_profile(ctx, collection, overview);
        app
    }

    /// Opens `self.profile_name` (another profile chosen, or the same
    /// one again after a restore).
    fn open_profile(&mut self, ctx: &egui::Context) {
        let opened = if self.banner.is_some() && self.device == "unknown" {
            Err(NO_DEVICE_ID.to_owned())
        } else {
            open_collection(&self.config, &self.profile_name, &self.device)
        };
        self.install_profile(ctx, opened, None);
    }

    /// Shows the profile `opened` (or why it could not be opened), with
    /// its home screen's counts when they were computed with it.
    fn install_profile(&mut self, ctx: &egui::Context, opened: Result<Collection, String>, overview: Option<Overview>) {
        if let Ok(c) = &opened {
            // A log written by another computer with this id gives this one
            // a new id (the collection says so in its warnings).
            c.device().clone_into(&mut self.device);
        }
        self.library = match &opened {
            Ok(c) => c.library(),
            Err(_) => Arc::new(Library::bundled()),
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
        self.load_source();
        self.screen = Screen::Home;
        self.browser = browser::Browser::default();
        self.stats = stats::StatsView::default();
        self.journal = None;
        self.journal_after_frames = Some(3);
        match overview {
            Some(overview) => self.overview = overview,
            None => self.refresh_overview(),
        }
    }

    /// Starts the journal rebuild once the first frames are on screen (or
    /// at once when the statistics are asked for).
    fn start_journal_when_due(&mut self, ctx: &egui::Context, now: bool) {
        match self.journal_after_frames {
            Some(0) => {}
            Some(n) if !now => {
                self.journal_after_frames = Some(n - 1);
                ctx.request_repaint();
                return;
            }
            Some(_) => {}
            None => return,
        }
        self.journal_after_frames = None;
        self.start_journal(ctx);
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

    /// Merges what other computers added to the profile (delivered by a
    /// sync tool) every [`MERGE_EVERY`], so their grades and edits show
    /// without a restart. Not during an exam.
    fn merge_other_computers(&mut self, ctx: &egui::Context) {
        ctx.request_repaint_after(MERGE_EVERY);
        if self.last_merge.elapsed() < MERGE_EVERY || matches!(self.screen, Screen::Exam(_)) {
            return;
        }
        self.last_merge = Instant::now();
        if self.running.is_some() {
            return;
        }
        let Some(collection) = self.take_collection() else { return };
        self.running = Some(worker::Running::merge(collection, ctx));
        self.poll_op(ctx, self.config.inline_wait);
    }

    /// Brings the window up to date with what a merge brought in.
    fn finish_merge(&mut self, ctx: &egui::Context, merged: Result<store::Merged, StoreError>) {
        let Ok(c) = &mut self.collection else { return };
        let merged = match merged {
            Ok(merged) => merged,
            Err(e) => {
                self.banner = Some(format!("Another computer's changes could not be read yet: {e}"));
                return;
            }
        };
        if merged.events == 0 && merged.new_logs.is_empty() && !merged.library && !merged.settings {
            return;
        }
        let old = Arc::clone(&self.library);
        let new = c.library();
        if let Screen::Review(session) = &mut self.screen
            && let Some(message) = session.merged(c, &old, &new, &merged.cards)
        {
            self.toast = Some(toast::Toast::say(message));
        }
        if !Arc::ptr_eq(&self.library, &new) {
            self.browser.library_changed();
        }
        self.library = new;
        if matches!(self.screen, Screen::Home) || merged.library || merged.settings {
            self.refresh_overview();
        }
        if let Screen::Review(_) = &self.screen {
            self.finish_if_empty();
        }
        ctx.request_repaint();
    }

    /// Recomputes today's counts (after grades, or when the day may have changed).
    fn refresh_overview(&mut self) {
        self.overview = match &self.collection {
            Ok(c) => overview_of(c, &self.library, store::now()),
            Err(_) => Overview { decks: vec![Counts::default(); self.library.decks.len()], ..Overview::default() },
        };
    }

    /// The decks shown.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Takes the open profile's library when it changed (an edit, an
    /// import, an undo, another computer's changes), and brings the
    /// browser and today's counts up to date.
    fn sync_library(&mut self) {
        if let Ok(c) = &self.collection
            && !Arc::ptr_eq(&self.library, &c.library())
        {
            self.library = c.library();
            self.browser.library_changed();
            self.refresh_overview();
        }
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
        let command = match command {
            Command::Apply(op) => return self.start_op(ctx, *op, worker::Reply::Screen),
            Command::Undo => return self.start_op(ctx, store::Op::Undo, worker::Reply::Undo),
            Command::SetNewPerDay(n) => {
                let Ok(c) = &self.collection else { return };
                let settings = crate::schedule::Settings { new_per_day: n, ..c.scheduler().settings().clone() };
                return self.start_op(ctx, store::Op::SetSettings(settings), worker::Reply::NewPerDay(n));
            }
            other => other,
        };
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
            Command::OpenSettings => {
                self.screen = Screen::Settings(Box::new(settings::Form::new(
                    collection,
                    ctx.zoom_factor(),
                    self.config.native_file_dialog,
                )));
            }
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
                let native = self.config.native_file_dialog;
                self.screen = Screen::Transfer(Box::new(transfer::Transfer::new(&self.library, collection, native)));
            }
            Command::ImportFile(path) => {
                let native = self.config.native_file_dialog;
                let mut transfer = transfer::Transfer::new(&self.library, collection, native);
                let folder = transfer.read_dropped(&path);
                self.screen = Screen::Transfer(Box::new(transfer));
                if let Some(folder) = folder {
                    self.remember_folder(&folder);
                }
            }
            Command::CloseEditor => {
                if let Screen::Editor(form) = std::mem::replace(&mut self.screen, Screen::Home) {
                    self.screen = match form.into_back() {
                        editor::Back::Review(mut session, old) => {
                            // Cards changed while the form was open: the
                            // session's places follow them by id.
                            let new = collection.library();
                            if !Arc::ptr_eq(&old, &new)
                                && let Some(message) = session.merged(collection, &old, &new, &[])
                            {
                                self.toast = Some(toast::Toast::say(message));
                            }
                            Screen::Review(session)
                        }
                        back => Self::screen_of(back),
                    };
                }
                self.refresh_overview();
            }
            Command::SavePreferences(preferences) => match collection.set_preferences(preferences) {
                Ok(()) => {
                    apply_preferences(ctx, collection.preferences(), self.config.theme);
                    self.load_source();
                }
                Err(e) => self.banner = Some(format!("the preference was not saved: {e}")),
            },
            Command::OpenReader => self.screen = Screen::Reader(Box::default()),
            Command::BrowseDeleted(events) => {
                self.browser.remember_deleted(1, events);
                self.screen = Screen::Browser;
            }
            Command::Apply(_) | Command::Undo | Command::SetNewPerDay(_) => {}
        }
    }

    /// The open collection, for the worker (`collection` says busy
    /// meanwhile); `None` when no profile is open.
    fn take_collection(&mut self) -> Option<Collection> {
        match std::mem::replace(&mut self.collection, Err(BUSY.to_owned())) {
            Ok(c) => Some(c),
            Err(e) => {
                self.collection = Err(e);
                None
            }
        }
    }

    /// Runs `op` on the worker; waits a moment for it, so a quick op ends
    /// on this frame, else shows its progress until it is done.
    fn start_op(&mut self, ctx: &egui::Context, op: store::Op, reply: worker::Reply) {
        if self.running.is_some() {
            self.banner = Some("Wait for the change being saved to finish, then try again.".to_owned());
            return;
        }
        let Some(collection) = self.take_collection() else { return };
        self.running = Some(worker::Running::start(collection, op, reply, ctx));
        self.poll_op(ctx, self.config.inline_wait);
    }

    /// Takes the worker's result when it is there (waiting up to `wait`).
    fn poll_op(&mut self, ctx: &egui::Context, wait: std::time::Duration) {
        let Some(running) = &self.running else { return };
        let Some(finished) = running.wait(wait) else { return };
        let reply = running.reply.clone();
        self.running = None;
        match finished {
            worker::Finished::Ran(done) => {
                let (collection, outcome) = *done;
                self.collection = Ok(collection);
                match outcome {
                    worker::Outcome::Applied(result) => self.finish_op(ctx, reply, result),
                    worker::Outcome::Merged(merged) => self.finish_merge(ctx, merged),
                }
            }
            worker::Finished::Lost => {
                self.open_profile(ctx);
                self.banner = Some(
                    "Saving stopped unexpectedly, so the profile was opened again: everything written to your log is there; check the last change and make it again if it is missing."
                        .to_owned(),
                );
            }
        }
        ctx.request_repaint();
    }

    /// Tells whoever asked for an op how it went, and brings the window up
    /// to date with its change.
    fn finish_op(&mut self, ctx: &egui::Context, reply: worker::Reply, result: Result<store::Change, StoreError>) {
        self.sync_library();
        let applied = match reply {
            worker::Reply::Screen => self.screen_applied(result),
            worker::Reply::Undo => match result {
                Ok(store::Change { undone: Some(what), .. }) => {
                    Applied::toast(toast::Toast::say(format!("Undone: {what}.")))
                }
                Ok(_) => Applied::toast(toast::Toast::say("There is nothing to undo.")),
                Err(e) => Applied { banner: Some(format!("That could not be undone: {e}")), ..Applied::none() },
            },
            worker::Reply::ToastUndo => match result {
                Ok(change) => change
                    .undone
                    .map_or_else(Applied::none, |what| Applied::toast(toast::Toast::say(format!("Undone: {what}.")))),
                Err(e) => Applied { banner: Some(format!("That could not be undone: {e}")), ..Applied::none() },
            },
            worker::Reply::NewPerDay(n) => match result {
                Ok(_) => Applied {
                    banner: Some(format!("New cards a day set to {n}.")),
                    command: Some(Command::OpenReadiness),
                    ..Applied::none()
                },
                Err(e) => Applied { banner: Some(format!("The new-card limit was NOT saved: {e}")), ..Applied::none() },
            },
            // A merge ends in finish_merge.
            worker::Reply::Merge => Applied::none(),
        };
        // The home screen's counts (other screens count for themselves,
        // and going home counts again; a changed library is counted by
        // sync_library).
        if matches!(self.screen, Screen::Home) {
            self.refresh_overview();
        }
        if applied.toast.is_some() {
            self.toast = applied.toast;
        }
        if applied.banner.is_some() {
            self.banner = applied.banner;
        }
        self.finish_if_empty();
        if let Some(command) = applied.command {
            self.apply(ctx, command);
        }
    }

    /// The current screen's `applied`: it asked for the op.
    fn screen_applied(&mut self, result: Result<store::Change, StoreError>) -> Applied {
        let Ok(c) = &self.collection else { return Applied::none() };
        let library = &self.library;
        match &mut self.screen {
            Screen::Review(session) => session.applied(result, c, library),
            Screen::Browser => self.browser.applied(result),
            Screen::Editor(form) => form.applied(result, library),
            Screen::Exam(taking) => taking.applied(result, c),
            Screen::Results(results) => results.applied(result, c),
            Screen::Settings(form) => form.applied(result),
            Screen::Stats => self.stats.applied(result),
            Screen::Transfer(transfer) => transfer.applied(result),
            Screen::Home | Screen::Summary(_) | Screen::ExamSetup(_) | Screen::Readiness(_) | Screen::Reader(_) => {
                match result {
                    Ok(_) => Applied::none(),
                    Err(e) => Applied { banner: Some(format!("That was NOT saved: {e}")), ..Applied::none() },
                }
            }
        }
    }

    /// Takes the current screen as the place the card form returns to.
    fn take_back(&mut self) -> editor::Back {
        match std::mem::replace(&mut self.screen, Screen::Home) {
            Screen::Review(session) => editor::Back::Review(session, Arc::clone(&self.library)),
            Screen::Browser => editor::Back::Browser,
            Screen::Editor(form) => form.into_back(),
            _ => editor::Back::Home,
        }
    }

    fn screen_of(back: editor::Back) -> Screen {
        match back {
            editor::Back::Home => Screen::Home,
            editor::Back::Browser => Screen::Browser,
            editor::Back::Review(session, _) => Screen::Review(session),
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
        // The screen buttons fold into one menu when they would not fit
        // beside the title and the profile switcher.
        let font = egui::TextStyle::Button.resolve(ui.style());
        // Tighter than elsewhere, so every button fits at the default 960 px.
        ui.spacing_mut().button_padding.x = 8.0;
        ui.spacing_mut().item_spacing.x = 4.0;
        let padding = ui.spacing().button_padding.x;
        let spacing = ui.spacing().item_spacing.x;
        let width =
            |text: &str| ui.painter().layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::WHITE).size().x;
        let buttons: f32 = Place::MENU.iter().map(|p| width(p.label()) + 2.0 * padding + spacing).sum();
        let title = ui
            .painter()
            .layout_no_wrap("Yadgar".to_owned(), egui::FontId::proportional(22.0), egui::Color32::WHITE)
            .size()
            .x
            + 8.0
            + spacing;
        let switcher = width(&self.profile_name) + 2.0 * padding + 24.0;
        let narrow = buttons + title + switcher > ui.available_width();
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Yadgar").size(22.0).strong());
            ui.add_space(8.0);
            // No navigation while an exam runs: Submit ends it.
            if !matches!(self.screen, Screen::Exam(_)) && self.collection.is_ok() {
                if narrow {
                    ui.menu_button(format!("Go to ▾  ({})", self.place().label()), |ui| {
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
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Some(c) = home::profile_switcher_ui(ui, &self.config.data_dir, &self.profile_name) {
                    command = Some(c);
                }
            });
        });
        command
    }

    /// Where the window is, for the top bar.
    fn place(&self) -> Place {
        match &self.screen {
            Screen::Home => Place::Home,
            Screen::Browser | Screen::Transfer(_) => Place::Browse,
            Screen::Editor(_) => Place::AddCard,
            Screen::Stats => Place::Statistics,
            Screen::Readiness(_) => Place::Readiness,
            Screen::ExamSetup(_) | Screen::Exam(_) | Screen::Results(_) => Place::MockExam,
            Screen::Settings(_) => Place::Settings,
            Screen::Reader(_) => Place::Reader,
            Screen::Review(_) | Screen::Summary(_) => Place::Review,
        }
    }

    /// Every screen, in the same order on every screen (left to right in
    /// the bar, top down in the narrow window's menu), the current one
    /// marked, so no button moves when a screen opens.
    fn screen_buttons_ui(&self, ui: &mut egui::Ui) -> Option<Command> {
        let mut command = None;
        let here = self.place();
        for place in Place::MENU {
            let mut response = ui.selectable_label(here == place, place.label());
            if let Some(keys) = place.keys() {
                response = response.on_hover_text(keys);
            }
            if response.clicked() {
                command = Some(match place {
                    Place::Home | Place::Review => Command::Home,
                    Place::Browse => Command::Browse(self.browser.query().to_owned()),
                    Place::AddCard => Command::AddCard,
                    Place::Statistics => Command::OpenStats(false),
                    Place::Reader => Command::OpenReader,
                    Place::Readiness => Command::OpenReadiness,
                    Place::MockExam => Command::OpenExam,
                    Place::Settings => Command::OpenSettings,
                });
            }
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
    fn global_keys(&mut self, ui: &mut egui::Ui) -> Option<Command> {
        if self.collection.is_err() || matches!(self.screen, Screen::Exam(_)) {
            return None;
        }
        let typing = ui.ctx().egui_wants_keyboard_input();
        // The review and the browser take Ctrl+Z themselves (the review
        // shows the card again); a text field keeps it for its own text.
        let own_undo = matches!(self.screen, Screen::Review(_) | Screen::Browser);
        let (add, browse, slash, undo) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::N),
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::B),
                !typing && i.consume_key(egui::Modifiers::NONE, egui::Key::Slash),
                !typing && !own_undo && i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z),
            )
        });
        if undo {
            Some(Command::Undo)
        } else if add && !matches!(self.screen, Screen::Editor(_)) {
            Some(Command::AddCard)
        } else if browse || slash {
            // The cursor goes to the search box, whether the browser was open or not.
            self.browser.focus_search();
            (!matches!(self.screen, Screen::Browser)).then(|| Command::Browse(self.browser.query().to_owned()))
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

impl YadgarApp {
    /// Reads the source text set in the profile's preferences, and checks
    /// it is the one the decks were written from.
    fn load_source(&mut self) {
        let path = self.collection.as_ref().ok().and_then(|c| c.preferences().source_text.clone());
        self.source = path.map(|path| {
            store::files::read_source(std::path::Path::new(&path))
                .and_then(|text| reader::check_source(&self.library, &text).map(|()| text))
        });
    }

    /// Where Esc goes from each screen: one step back (screens with their
    /// own Esc, such as the exam, the browser and review, take the key
    /// before this is asked). On home it closes the welcome panel.
    fn back_command(&self) -> Option<Command> {
        match &self.screen {
            Screen::Home => {
                let c = self.collection.as_ref().ok()?;
                (!c.preferences().hint_dismissed)
                    .then(|| Command::SavePreferences(Preferences { hint_dismissed: true, ..c.preferences().clone() }))
            }
            Screen::Exam(_) => None,
            Screen::Transfer(_) => Some(Command::Browse(self.browser.query().to_owned())),
            Screen::Editor(_) => Some(Command::CloseEditor),
            Screen::Review(_)
            | Screen::Summary(_)
            | Screen::Settings(_)
            | Screen::ExamSetup(_)
            | Screen::Results(_)
            | Screen::Readiness(_)
            | Screen::Stats
            | Screen::Reader(_)
            | Screen::Browser => Some(Command::Home),
        }
    }

    /// The first file dropped on the window with a path, except during an exam.
    fn dropped_file(&self, ctx: &egui::Context) -> Option<PathBuf> {
        if self.collection.is_err() || matches!(self.screen, Screen::Exam(_)) {
            return None;
        }
        ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).find(|p| !p.as_os_str().is_empty()))
    }

    /// While a file is dragged over the window, say what dropping it does.
    fn hovered_files_ui(&self, ctx: &egui::Context) {
        if self.collection.is_err() || matches!(self.screen, Screen::Exam(_)) {
            return;
        }
        if ctx.input(|i| i.raw.hovered_files.is_empty()) {
            return;
        }
        let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop_files")));
        let rect = ctx.content_rect();
        let dark = ctx.global_style().visuals.dark_mode;
        let (fill, text) = if dark {
            (egui::Color32::from_black_alpha(200), egui::Color32::WHITE)
        } else {
            (egui::Color32::from_white_alpha(220), egui::Color32::BLACK)
        };
        painter.rect_filled(rect, 0.0, fill);
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Drop the file to import it (.apkg, .csv, .tsv, .txt, .json)",
            egui::FontId::proportional(22.0),
            text,
        );
    }

    /// Puts a folder first in the profile's recent folders (five kept).
    fn remember_folder(&mut self, folder: &std::path::Path) {
        let Ok(c) = &mut self.collection else { return };
        let folder = folder.display().to_string();
        let mut recent = c.preferences().recent_folders.clone();
        if recent.first() == Some(&folder) {
            return;
        }
        recent.retain(|f| *f != folder);
        recent.insert(0, folder);
        recent.truncate(5);
        let preferences = Preferences { recent_folders: recent, ..c.preferences().clone() };
        if let Err(e) = c.set_preferences(preferences) {
            eprintln!("yadgar: the recent folders were not saved: {e}");
        }
    }

    /// Draws the toast, and a zoom change as a toast of its own; returns
    /// the undo asked for.
    fn toast_ui(&mut self, ui: &mut egui::Ui) -> Option<toast::Undo> {
        let zoom = ui.ctx().zoom_factor();
        if self.zoom_seen > 0.0 && (zoom - self.zoom_seen).abs() > 0.001 {
            self.toast = Some(toast::Toast::say(format!("Zoom {:.0}%  (Ctrl+0 resets it)", zoom * 100.0)));
        }
        self.zoom_seen = zoom;
        if self.toast.as_ref().is_some_and(toast::Toast::expired) {
            self.toast = None;
        }
        let shown = self.toast.as_ref()?;
        let (undo, close) = shown.ui(ui);
        if close {
            self.toast = None;
        }
        if undo { self.toast.take().and_then(|t| t.undo) } else { None }
    }

    /// Takes back what a toast said was done.
    fn undo(&mut self, ctx: &egui::Context, undo: toast::Undo) {
        let toast::Undo::Events(events) = undo;
        let Ok(collection) = &self.collection else { return };
        match &mut self.screen {
            // The review's own bury or suspend: the session shows its card
            // again.
            Screen::Review(session) if session.owns_last(&events) => {
                if let Some(op) = session.begin_undo(collection) {
                    self.start_op(ctx, op, worker::Reply::Screen);
                }
            }
            _ => self.start_op(ctx, store::Op::UndoEvents(events), worker::Reply::ToastUndo),
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
        if self.running.is_some() {
            self.poll_op(&ctx, std::time::Duration::ZERO);
        } else {
            self.merge_other_computers(&ctx);
        }
        if let Some(running) = &self.running {
            // The collection is on the worker: no screen, no navigation.
            egui::Panel::top("top_bar").show(ui, |ui| {
                ui.add_space(4.0);
                ui.label(egui::RichText::new("Yadgar").size(22.0).strong());
                ui.add_space(2.0);
            });
            egui::CentralPanel::default().show(ui, |ui| running.ui(ui));
            return;
        }
        self.start_journal_when_due(&ctx, matches!(self.screen, Screen::Stats));
        self.poll_journal(&ctx);
        // A menu open when Esc is pressed closes; only then does Esc go back.
        let menu_open = egui::Popup::is_any_open(&ctx);
        let mut command = self.global_keys(ui);
        let mut toast = None;
        let mut remember = None;
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            command = self.top_bar_ui(ui).or(command.take());
            ui.add_space(2.0);
        });
        let toast_action = self.toast_ui(ui);
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
                    Screen::Review(session) => match &self.collection {
                        Ok(c) => {
                            let source = self.source.as_ref().and_then(|s| s.as_ref().ok());
                            let outcome = session.ui(ui, c, &self.library, source);
                            if let Some(error) = outcome.error {
                                self.banner = Some(error);
                            }
                            toast = outcome.toast;
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
                        Ok(_) => taking.ui(ui),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Results(results) => match &self.collection {
                        Ok(_) => results.ui(ui, &self.library, self.source.as_ref().and_then(|s| s.as_ref().ok())),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Readiness(screen) => match &self.collection {
                        Ok(c) => screen.ui(ui, c, &self.library),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Browser => match &self.collection {
                        Ok(c) => {
                            let outcome = self.browser.ui(ui, c, &self.library);
                            toast = outcome.toast;
                            outcome.command
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Editor(form) => match &self.collection {
                        Ok(_) => {
                            let outcome = form.ui(ui, &self.library);
                            outcome.command.or_else(|| outcome.close.then_some(Command::CloseEditor))
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Transfer(transfer) => match &self.collection {
                        Ok(c) => {
                            let outcome = transfer.ui(ui, c, &self.library);
                            toast = outcome.toast;
                            remember = outcome.remember_folder;
                            outcome
                                .command
                                .or_else(|| outcome.close.then(|| Command::Browse(self.browser.query().to_owned())))
                        }
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Reader(reader) => match &self.collection {
                        Ok(c) => reader.ui(ui, self.source.as_ref(), c, &self.library),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Stats => match &self.collection {
                        Ok(c) => self.stats.ui(ui, c, &self.library),
                        Err(_) => Some(Command::Home),
                    },
                    Screen::Settings(form) => match &self.collection {
                        Ok(c) => {
                            let outcome = form.ui(ui, c, &self.library, self.source.as_ref());
                            outcome.command
                        }
                        Err(_) => Some(Command::Home),
                    },
                };
                command = screen_command.or(command.take());
            });
        });
        if command.is_none() && !menu_open && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        {
            command = self.back_command();
        }
        if let Some(path) = self.dropped_file(&ctx) {
            command = Some(Command::ImportFile(path));
        }
        self.hovered_files_ui(&ctx);
        if let Some(folder) = remember {
            self.remember_folder(&folder);
        }
        if let Some(undo) = toast_action {
            self.undo(&ctx, undo);
        }
        if toast.is_some() {
            self.toast = toast;
            // Show it now, not at the next input.
            ctx.request_repaint();
        }
        if let Some(command) = command {
            self.apply(&ctx, command);
            // Draw the new screen now, not at the next input event (an exam
            // submitted by the clock has no input to wake the window).
            ctx.request_repaint();
        }
        self.sync_library();
        self.finish_if_empty();
        self.persist_zoom(&ctx);
        self.probe_first_frame(&ctx);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // An op still running finishes first (its events may be half written).
        if let Some(running) = self.running.take()
            && let Some(worker::Finished::Ran(done)) = running.wait(std::time::Duration::from_secs(3600))
        {
            self.collection = Ok(done.0);
        }
        // A snapshot makes the next start fast; the log stays the truth.
        if let Ok(c) = &self.collection
            && let Err(e) = c.save_snapshot()
        {
            eprintln!("yadgar: the start-up cache was not saved (nothing is lost): {e}");
        }
    }
}

/// Why nothing can be saved when the device id could not be made.
const NO_DEVICE_ID: &str = "this computer's device id could not be made, so nothing can be saved";

/// A profile opened for the window: this computer's device id (or why it
/// could not be read), the collection, and its home screen's counts.
struct Opened {
    device: String,
    device_error: Option<String>,
    collection: Result<Collection, String>,
    overview: Option<Overview>,
}

impl Opened {
    /// Reads this computer's device id and opens the profile `config`
    /// names, with today's counts.
    fn open(config: &Config) -> Opened {
        let (device, device_error) = match store::device_id_checked(&config.local.device_id_file()) {
            Ok(store::DeviceId { id, warning }) => (id, warning),
            Err(e) => (String::from("unknown"), Some(e.to_string())),
        };
        let collection = if device_error.is_some() && device == "unknown" {
            Err(NO_DEVICE_ID.to_owned())
        } else {
            open_collection(config, &config.profile, &device)
        };
        let overview = collection.as_ref().ok().map(|c| overview_of(c, &c.library(), store::now()));
        Opened { device, device_error, collection, overview }
    }
}

/// Opens profile `name` for writing as `device`, or says why not.
fn open_collection(config: &Config, name: &str, device: &str) -> Result<Collection, String> {
    let opening = store::Opening::new(true, Some(config.local.clone()));
    Collection::open_as(&config.data_dir, name, device, &opening).map_err(|e| e.to_string())
}

/// Today's counts for the home screen: the whole queue and each deck's.
fn overview_of(c: &Collection, library: &Library, now: Moment) -> Overview {
    let (scheduler, progress) = (c.scheduler(), c.progress());
    let ((queue, _), decks) = study::queue_and_deck_counts(scheduler, now, library, progress);
    let today = scheduler.day(now);
    let stats = progress.day(today);
    Overview {
        decks,
        total: queue.counts,
        next_due: queue.next_due_any().map(|m| Moment::new(m.unix_ms, now.offset_s)),
        reviewed_today: stats.answers,
        time_today_ms: stats.answer_ms,
        streak: progress.streak(today),
        computed_at_ms: now.unix_ms,
    }
}

/// Opens the window and runs until it is closed.
///
/// # Errors
/// The window or its graphics context could not be created.
pub fn run(config: Config) -> eframe::Result {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Yadgar")
        .with_app_id(APP_ID)
        .with_inner_size([960.0, 720.0])
        .with_min_inner_size([480.0, 360.0]);
    if let Some(icon) = icon::window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions { viewport, ..Default::default() };
    // The profile is opened (its decks read, its snapshot loaded or its
    // logs replayed, today's counts made) while the window and its
    // graphics come up, not after.
    let opening = {
        let config = config.clone();
        std::thread::spawn(move || Opened::open(&config))
    };
    eframe::run_native(
        "Yadgar",
        options,
        Box::new(move |cc| {
            let opened = opening.join().unwrap_or_else(|_| Opened::open(&config));
            Ok(Box::new(YadgarApp::with_opened(&cc.egui_ctx, config, opened)))
        }),
    )
}

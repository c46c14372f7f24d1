//! An open profile: its lock, settings, review log and the progress replayed
//! from it. Every change is appended to this device's log and fsynced before
//! the call returns (DESIGN.md, invariant 2). New events are stamped after
//! this device's own last event, never another device's; events dated more
//! than a day ahead are held back until their time. The snapshot is a cache
//! in this computer's cache folder, outside the synced profile.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::log::LogLine;
use super::log::{HOLD_AFTER_MS, LogWriter, list_logs, log_path, read_log, read_log_tail, read_logs_parallel_until};
use super::written::{self, tail_hash};
use super::{LocalDirs, Profile, StoreError};
use crate::content::{ContentEvent, DeletedCard, EXAM_DATE_KEY, Edit};
use crate::deck::{CardId, Deck, DeckId, Library, bundled_parse_results};
use crate::revlog::{Action, Carries, Event, EventId, Progress};
use crate::schedule::{Scheduler, Settings};
use crate::time::Moment;
use std::sync::Arc;

mod merge;
mod settings;

pub use merge::Merged;
pub(super) use settings::settings_map;
use settings::{KeptValue, ReadSettings, read_settings, scheduler_for, still_kept, write_settings};

const PROFILE_FORMAT: u32 = 1;
/// At most this many of this computer's own new events dated among those
/// applied are merged card by card; more (an import's history) replay
/// every log instead.
const MERGE_AT_MOST: usize = 100_000;
const SNAPSHOT_FORMAT: u32 = 4;
/// Where earlier builds kept the snapshot, in the synced profile folder:
/// ignored, and deleted on a writable open.
const OLD_SNAPSHOT_FILE: &str = "snapshot.json";
/// The `fsrs` crate's version, from `Cargo.lock` (build.rs).
const FSRS_VERSION: &str = env!("YADGAR_FSRS_VERSION");

/// `profile.json`: the profile's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// The file format, 1.
    pub format: u32,
    /// Scheduling settings.
    #[serde(default)]
    pub settings: Settings,
    /// How the window looks and behaves.
    #[serde(default)]
    pub preferences: Preferences,
}

/// The window's theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Per-profile preferences that do not affect scheduling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Preferences {
    /// Light, dark or the system's.
    pub theme: Theme,
    /// Zoom factor of the window (1.0 is 100%).
    pub zoom: f32,
    /// Type the answer before it is shown, and see a character diff.
    pub typed_answers: bool,
    /// The one-screen hint of keys was dismissed.
    pub hint_dismissed: bool,
    /// The exam date (YYYY-MM-DD) for readiness, if set.
    pub exam_date: Option<String>,
    /// Folders recently imported from or exported to, the latest first.
    pub recent_folders: Vec<String>,
    /// The student's own copy of the source text, shown beside the cards.
    pub source_text: Option<String>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            theme: Theme::System,
            zoom: 1.0,
            typed_answers: false,
            hint_dismissed: false,
            exam_date: None,
            recent_folders: Vec::new(),
            source_text: None,
        }
    }
}

/// A cache of replayed progress and the log bytes it covers, in this
/// computer's cache folder. Deleting it changes nothing but the time to
/// open (DESIGN.md, invariant 3). It is used only by the same build (and
/// `fsrs` version), device, profile folder and settings it was made with.
#[derive(Debug, Serialize, Deserialize)]
struct Snapshot<'a> {
    format: u32,
    /// [`build_key`] of the build that wrote it.
    build: String,
    /// The `fsrs` crate's version.
    fsrs: String,
    /// The device that wrote it.
    device: String,
    /// The profile folder, as opened.
    profile: String,
    /// The settings the progress was replayed with, as JSON.
    settings: String,
    files: Vec<SnapshotFile>,
    /// Everything replayed but the card states, which follow the head in
    /// binary (`snapshot.rs`).
    progress: Progress,
    /// Warnings about the lines the snapshot covers (unreadable or torn
    /// lines), shown again on every open, as a full replay would.
    log_warnings: Vec<String>,
    /// Events in the covered lines dated too far ahead, not yet applied.
    held: Vec<Held>,
    /// The content events in the covered lines, with file and line.
    /// Borrowed when saving: an imported deck's content event can hold
    /// 100,000 cards, not to be copied to be written.
    #[serde(default)]
    content: std::borrow::Cow<'a, [(ContentEvent, String)]>,
    /// Content events dated after this were held back when the progress
    /// was replayed (a move among them was not carried out).
    #[serde(default = "before_any_event")]
    hold_after_ms: i64,
}

/// For a snapshot of an earlier build: every content event counts as held
/// back, so a move in force makes the logs be replayed.
fn before_any_event() -> i64 {
    i64::MIN
}

#[derive(Debug, Serialize, Deserialize)]
struct SnapshotFile {
    name: String,
    len: u64,
    /// A hash of the bytes just before `len`, to notice a replaced file.
    tail_hash: u64,
    /// The bytes whose events the progress holds (more than `len` past a
    /// last line with no newline); `len` when absent.
    #[serde(default)]
    applied_len: Option<u64>,
    /// Lines in the first `len` bytes, when known, for line numbers.
    lines: Option<u64>,
    /// The latest event time applied from those bytes.
    last_at_ms: Option<i64>,
}

/// An event held back because it is dated more than a day ahead, with the
/// warning that names its file and line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Held {
    /// The log's file name.
    file: String,
    event: Event,
    warning: String,
}

/// A log's bytes replayed into the progress.
#[derive(Debug, Clone, PartialEq)]
struct Covered {
    path: PathBuf,
    /// Complete lines' bytes.
    len: u64,
    /// The bytes whose events are applied: `len`, or more when the last
    /// line had no newline yet still read as an event (the next read
    /// starts again at `len` and finds it again).
    applied_len: u64,
    /// How many lines that is, when known.
    lines: Option<u64>,
    /// The latest time of an event applied from them.
    last_at_ms: Option<i64>,
}

/// How to open a profile.
#[derive(Debug, Clone)]
pub struct Opening {
    /// Take the profile's lock and open this device's log for appending.
    pub writable: bool,
    /// This computer's clock: events dated more than a day after it are
    /// held back.
    pub now: Moment,
    /// This computer's own folders. With them the snapshot cache is read
    /// (and [`Collection::save_snapshot`] writes it), and a writable open
    /// checks that this device's log holds what this computer last wrote,
    /// taking a new device id if not. Without them (tests): neither.
    pub local: Option<LocalDirs>,
}

impl Opening {
    /// An opening at the clock's current time.
    pub fn new(writable: bool, local: Option<LocalDirs>) -> Opening {
        Opening { writable, now: super::now(), local }
    }
}

/// What identifies the build that replays: the crate's version and the
/// running program's size and modification time, so that any rebuild
/// (whose replay may differ) makes earlier snapshots unused.
fn build_key() -> String {
    let program = std::env::current_exe().and_then(std::fs::metadata).ok().map(|m| {
        let modified =
            m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        format!("{}-{modified}", m.len())
    });
    format!("{} {}", env!("CARGO_PKG_VERSION"), program.unwrap_or_default())
}

/// An open profile.
#[derive(Debug)]
pub struct Collection {
    profile: Profile,
    device: String,
    /// The settings in force: `profile.json`'s, then settings events.
    settings: Settings,
    /// The settings `profile.json` holds (an input; events go on top).
    base_settings: Settings,
    /// The window preferences, with the exam date from events.
    preferences: Preferences,
    /// The exam date `profile.json` holds, written back as it was.
    file_exam_date: Option<String>,
    /// The decks as the inputs give them: bundled, `decks/`, `overrides.json`.
    base_library: Arc<Library>,
    /// The decks the student sees: the inputs and every content event.
    library: Arc<Library>,
    /// Every content event of every log, with its file and line.
    content: Vec<(ContentEvent, String)>,
    /// What the content events leave besides the library.
    folded: FoldedRest,
    /// Why `profile.json` cannot be written, if it could not be read.
    settings_error: Option<String>,
    /// Values in `profile.json` that could not be used, kept as written.
    kept_settings: Vec<KeptValue>,
    scheduler: Scheduler,
    progress: Progress,
    writer: Option<LogWriter>,
    /// Why this build must not write the log, if so.
    read_only: Option<String>,
    /// A log is from a newer Yadgar: no snapshot is written either.
    newer_format: bool,
    warnings: Vec<String>,
    /// Set when a saved write could not be replayed into `progress`: why.
    stale: Option<String>,
    /// For each log, the bytes replayed into `progress` (complete lines).
    covered: Vec<Covered>,
    /// Warnings about lines within `covered`, kept in the snapshot.
    log_warnings: Vec<String>,
    /// Events within `covered` held back as dated too far ahead.
    held: Vec<Held>,
    /// Events dated after this are held back: a day after the latest clock
    /// reading this collection was given.
    hold_after_ms: i64,
    /// The time of this device's own latest event (not held back): new
    /// events are stamped after it.
    own_last_ms: Option<i64>,
    /// This computer's own folders, if given.
    local: Option<LocalDirs>,
    /// The snapshot in the cache covers exactly what is replayed.
    snapshot_current: AtomicBool,
    /// Where a slow op running on a worker says how far it got.
    pub(super) report: Option<Arc<super::Progress>>,
    /// For each other computer's log: the bytes replayed when last merged,
    /// and a hash of their last 64, to notice a log replaced by another
    /// version (the merge then replays everything).
    pub(super) other_tails: std::collections::HashMap<PathBuf, (u64, u64)>,
    _lock: Option<File>,
}

/// What the fold of content events gives besides the library.
#[derive(Debug, Default)]
struct FoldedRest {
    /// The moves in force, whose cards' events the replay carries along.
    carries: Carries,
    deleted_cards: Vec<DeletedCard>,
    deleted_decks: Vec<(DeckId, String)>,
    attempts: Vec<(i64, serde_json::Value)>,
    appeals: Vec<(i64, i64, usize, i64)>,
}

/// What the lines of one op touched.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Touched {
    pub(super) library: bool,
    pub(super) progress: bool,
    pub(super) settings: bool,
    pub(super) exams: bool,
}

/// A full replay of a profile's logs, to run on another thread.
#[derive(Debug)]
pub struct JournalJob {
    profile: Profile,
    scheduler: Scheduler,
    hold_after_ms: i64,
}

/// A journal of grades built away from the open collection.
#[derive(Debug)]
pub struct BuiltJournal {
    journal: crate::revlog::Journal,
    last_applied: Option<(i64, EventId)>,
    settings: Settings,
}

impl JournalJob {
    /// Reads and replays every log.
    ///
    /// # Errors
    /// A log could not be read.
    pub fn run(self) -> Result<BuiltJournal, StoreError> {
        let mut warnings = Vec::new();
        let scheduler = self.scheduler.clone();
        let loaded = full_replay(&self.profile, &|_| scheduler.clone(), self.hold_after_ms, &mut warnings, None)?;
        Ok(BuiltJournal {
            journal: loaded.progress.journal,
            last_applied: loaded.progress.last_applied,
            settings: self.scheduler.settings().clone(),
        })
    }
}

/// What loading the logs produced.
struct Loaded {
    progress: Progress,
    read_only: Option<String>,
    covered: Vec<Covered>,
    /// Warnings about lines of the logs read (also in the open's warnings).
    log_warnings: Vec<String>,
    /// Events held back (their warnings are in the open's warnings).
    held: Vec<Held>,
    /// Loaded from a snapshot that covers exactly these bytes.
    snapshot_current: bool,
    /// Every content event read, with file and line.
    content: Vec<(ContentEvent, String)>,
    /// The scheduler the grades were replayed with.
    scheduler: Scheduler,
}

impl Collection {
    /// Opens the profile `name` under `data_dir` as `device`, creating it on
    /// first use, and replays its logs, at the clock's current time and
    /// with no snapshot cache (see [`Collection::open_as`]).
    ///
    /// # Errors
    /// The profile is open in another Yadgar on this computer, or its folder
    /// cannot be made or read.
    pub fn open(data_dir: &Path, name: &str, device: &str) -> Result<Collection, StoreError> {
        Self::open_as(data_dir, name, device, &Opening::new(true, None))
    }

    /// Opens a profile to read only: no lock is taken and nothing can be
    /// written, so a status-bar command works while the window is open.
    ///
    /// # Errors
    /// The profile's folder cannot be made or read.
    pub fn open_read_only(data_dir: &Path, name: &str, device: &str) -> Result<Collection, StoreError> {
        Self::open_as(data_dir, name, device, &Opening::new(false, None))
    }

    /// Opens the profile `name` under `data_dir` as `device`, creating it on
    /// first use, and replays its logs (from this computer's snapshot when
    /// one is valid), holding back events dated more than a day after
    /// `opening.now`.
    ///
    /// A writable open with `opening.local` first checks that this device's
    /// log holds what this computer last wrote to it; if something else
    /// wrote it (two computers with one device id), this computer takes a
    /// new device id, says so in [`Collection::warnings`], and writes a new
    /// log ([`Collection::device`] tells which).
    ///
    /// # Errors
    /// The profile is open in another Yadgar on this computer, its folder
    /// cannot be made or read, or a new device id cannot be written.
    pub fn open_as(data_dir: &Path, name: &str, device: &str, opening: &Opening) -> Result<Collection, StoreError> {
        let profile = Profile::open_or_create(data_dir, name)?;
        let mut warnings = Vec::new();
        let mut device = device.to_owned();
        if opening.writable
            && let Some(local) = &opening.local
        {
            let log = log_path(&profile.dir, &device);
            let mark = written::read(&written::mark_path(&local.config_dir, &profile.dir, &device));
            if let Some(why) = mark.and_then(|m| written::check(&m, &log)) {
                let new = super::new_device_id(&local.device_id_file())?;
                warnings.push(another_writer_warning(&log, &why, &new));
                device = new;
            }
        }
        let lock = if opening.writable { Some(lock_profile(&profile, &device)?) } else { None };
        let ReadSettings {
            settings: base_settings,
            preferences,
            error: settings_error,
            warnings: setting_warnings,
            kept,
        } = read_settings(&profile)?;
        if let Some(e) = &settings_error {
            warnings.push(e.clone());
        }
        warnings.extend(setting_warnings);
        // This computer's window preferences, once it has saved any; until
        // then those `profile.json` holds (an earlier build wrote them there).
        let file_exam_date = preferences.exam_date.clone();
        let preferences = match opening.local.as_ref().map(|l| read_own_preferences(&preferences_path(l, &profile))) {
            Some(Ok(Some(own))) => Preferences { exam_date: file_exam_date.clone(), ..own },
            Some(Err(warning)) => {
                warnings.push(warning);
                preferences
            }
            Some(Ok(None)) | None => preferences,
        };
        let hold_after_ms = opening.now.unix_ms.saturating_add(HOLD_AFTER_MS);
        let snapshot = opening.local.as_ref().map(|l| snapshot_path(l, &profile, &device));
        let shown = profile.dir.join("profile.json").display().to_string();
        let scheduler_of =
            |content: &[(ContentEvent, String)]| scheduler_for(&base_settings, content, hold_after_ms, &shown);
        // The deck files (a large own deck is tens of MB of JSON) are read
        // on a thread of their own while the logs are read and replayed:
        // neither needs the other until the content fold below.
        let decks_dir = profile.decks_dir();
        let (base_library, loaded) = std::thread::scope(|scope| {
            let library = scope.spawn(|| super::decks::load_library(&decks_dir));
            let loaded =
                load_progress(&profile, &scheduler_of, hold_after_ms, snapshot.as_deref(), &device, &mut warnings);
            let library = library.join().unwrap_or_else(|_| super::decks::load_library(&decks_dir));
            (Arc::new(library), loaded)
        });
        let Loaded { progress, read_only: newer, covered, log_warnings, held, snapshot_current, content, scheduler } =
            loaded?;
        let settings = scheduler.settings().clone();
        let newer_format = newer.is_some();
        let mut read_only = newer;
        if !opening.writable {
            read_only.get_or_insert_with(|| "this profile was opened to read only".to_owned());
        }
        let log = log_path(&profile.dir, &device);
        let writer = match &read_only {
            Some(_) => None,
            None => Some(LogWriter::open(&log).map_err(|source| StoreError::Io { path: log.clone(), source })?),
        };
        if opening.writable {
            // Earlier builds kept the snapshot in the synced folder, where
            // it meant nothing to the other computers; it is a cache, so it
            // goes.
            let _ = std::fs::remove_file(profile.dir.join(OLD_SNAPSHOT_FILE));
        }
        let own_last_ms = covered.iter().find(|c| c.path == log).and_then(|c| c.last_at_ms);
        let mut collection = Collection {
            profile,
            device,
            settings,
            base_settings,
            preferences,
            file_exam_date,
            library: Arc::clone(&base_library),
            base_library,
            content,
            folded: FoldedRest::default(),
            settings_error,
            kept_settings: kept,
            scheduler,
            progress,
            writer,
            read_only,
            newer_format,
            warnings,
            stale: None,
            covered,
            log_warnings,
            held,
            hold_after_ms,
            own_last_ms,
            local: opening.local.clone(),
            snapshot_current: AtomicBool::new(snapshot_current),
            report: None,
            other_tails: std::collections::HashMap::new(),
            _lock: lock,
        };
        collection.fold_content();
        collection.warn_held_content(0);
        collection.note_written();
        Ok(collection)
    }

    /// The profile's folder and name.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The window preferences.
    pub fn preferences(&self) -> &Preferences {
        &self.preferences
    }

    /// Saves new window preferences (atomically) to this computer's own
    /// file in its config folder ([`Opening::local`]), or, for a profile
    /// opened without this computer's folders, to `profile.json`. The exam
    /// date is an event.
    ///
    /// # Errors
    /// A `profile.json` that could not be read (never overwritten), or a
    /// failed write.
    pub fn set_preferences(&mut self, preferences: Preferences) -> Result<(), StoreError> {
        // The exam date is the student's, so it is an event that syncs.
        if preferences.exam_date != self.preferences.exam_date {
            self.apply(super::Op::SetExamDate(preferences.exam_date.clone()), super::now())?;
        }
        let mut file = preferences.clone();
        file.exam_date.clone_from(&self.file_exam_date);
        let mut current = self.preferences.clone();
        current.exam_date.clone_from(&self.file_exam_date);
        if let Some(local) = &self.local {
            // This computer's own file, outside the synced folder: no two
            // computers ever write one file.
            if file != current {
                let path = preferences_path(local, &self.profile);
                let own = Preferences { exam_date: None, ..preferences.clone() };
                let json = serde_json::to_vec_pretty(&own).map_err(|e| io(&path, std::io::Error::other(e)))?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|source| io(dir, source))?;
                }
                super::write_atomic(&path, &json).map_err(|source| io(&path, source))?;
            }
        } else if file != current {
            if let Some(e) = &self.settings_error {
                return Err(StoreError::ReadOnly(e.clone()));
            }
            write_settings(&self.profile, &self.base_settings, &file, &self.kept_settings)?;
            self.kept_settings = still_kept(&self.kept_settings, &self.base_settings, &file);
        }
        let exam_date = self.preferences.exam_date.clone();
        self.preferences = Preferences { exam_date, ..preferences };
        Ok(())
    }

    /// The scheduler with these settings.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// Everything replayed from the log.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Problems found while opening (a torn last line, a conflict copy, an
    /// unreadable line), each with its file and what to do.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Why this profile cannot be written, when a log came from a newer Yadgar.
    pub fn read_only_reason(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// The time for a new event at `now`: after this device's own last
    /// event, so its events replay in the order they were made even if the
    /// clock steps back, but never pushed after another device's events
    /// (whose clock may be wrong). Also moves the hold-back time on.
    fn stamp(&mut self, now: Moment) -> i64 {
        self.hold_after_ms = self.hold_after_ms.max(now.unix_ms.saturating_add(HOLD_AFTER_MS));
        match self.own_last_ms {
            Some(last) if last >= now.unix_ms => last.saturating_add(1),
            _ => now.unix_ms,
        }
    }

    /// The time of the first of `n` new events at `now`, a millisecond
    /// apart; the times are reserved, so the next stamp comes after them.
    pub(super) fn stamp_many(&mut self, now: Moment, n: usize) -> i64 {
        let start = self.stamp(now);
        if n > 0 {
            let last = start.saturating_add(n as i64 - 1);
            self.own_last_ms = self.own_last_ms.max(Some(last));
        }
        start
    }

    /// Appends `lines` (one write, one fsync) and folds them into the
    /// state: content into the library, settings and exams, grades into
    /// the progress. Nothing for no lines.
    ///
    /// # Errors
    /// The profile is read-only, or the write failed: nothing changed.
    pub(super) fn commit(&mut self, lines: Vec<LogLine>) -> Result<Touched, StoreError> {
        let mut touched = Touched::default();
        if lines.is_empty() {
            return Ok(touched);
        }
        if self.stale.is_some() {
            self.rebuild_after_saved_write();
        }
        self.append_events(&lines)?;
        // The lines are on disk: from here on they are saved, whatever
        // happens to the state on screen.
        let own = log_path(&self.profile.dir, &self.device).display().to_string();
        let mut content = false;
        // The lines are moved into the state, not copied: the grades are
        // collected in place, in the lines' own buffer.
        let reviews: Vec<Event> = lines
            .into_iter()
            .filter_map(|line| match line {
                LogLine::Review(event) => Some(event),
                LogLine::Content(event) => {
                    touched.exams |= matches!(event.edit, Edit::ExamAttempt { .. } | Edit::ExamAppeal { .. });
                    touched.library |= !matches!(
                        event.edit,
                        Edit::ExamAttempt { .. } | Edit::ExamAppeal { .. } | Edit::Settings { .. }
                    );
                    self.content.push((*event, own.clone()));
                    content = true;
                    None
                }
            })
            .collect();
        touched.progress = !reviews.is_empty();
        if content && self.take_new_settings() {
            self.fold_content();
            touched.settings = true;
            touched.progress = true;
            drop(reviews);
            self.rebuild_after_saved_write();
            return Ok(touched);
        }
        if !reviews.is_empty() {
            self.apply_saved(reviews);
        }
        // Folded after the grades are applied and dropped: an import's
        // deck is folded into a new library while its history is not also
        // in memory.
        if content {
            let carries = self.folded.carries.clone();
            self.fold_content();
            if self.folded.carries != carries {
                // A move made or taken back: its card's events are carried
                // otherwise.
                touched.progress = true;
                self.rebuild_after_saved_write();
            }
        }
        Ok(touched)
    }

    /// Folds the content events again; when that changes the settings in
    /// force, takes the new scheduler and returns true (the caller then
    /// replays every card with it).
    fn refold(&mut self) -> bool {
        self.fold_content();
        self.take_new_settings()
    }

    /// Takes the settings the content events give, if they changed: returns
    /// true (the caller then replays every card with them).
    fn take_new_settings(&mut self) -> bool {
        let scheduler = self.scheduler_now();
        if *scheduler.settings() == self.settings {
            return false;
        }
        self.settings = scheduler.settings().clone();
        self.scheduler = scheduler;
        true
    }

    /// The scheduler for the settings in `profile.json` and the settings
    /// events read.
    fn scheduler_now(&self) -> Scheduler {
        let shown = self.profile.dir.join("profile.json").display().to_string();
        scheduler_for(&self.base_settings, &self.content, self.hold_after_ms, &shown)
    }

    /// Folds the content events (not held back) over the inputs: the
    /// library, deleted cards and decks, exam attempts and the exam date.
    pub(super) fn fold_content(&mut self) {
        let hold = self.hold_after_ms;
        let active = self.content.iter().map(|(e, _)| e).filter(|e| e.at_ms <= hold);
        if self.content.is_empty() {
            // Nothing on top of the inputs: the library is theirs, unshared
            // copies need not be made (a large own deck opens faster).
            self.library = Arc::clone(&self.base_library);
            self.folded = FoldedRest::default();
            self.preferences.exam_date.clone_from(&self.file_exam_date);
            return;
        }
        let folded = crate::content::fold(&self.base_library, active);
        self.library = Arc::new(folded.library);
        self.folded = FoldedRest {
            carries: carries_of(&self.content, hold),
            deleted_cards: folded.deleted_cards,
            deleted_decks: folded.deleted_decks,
            attempts: folded.attempts,
            appeals: folded.appeals,
        };
        self.preferences.exam_date = match folded.settings.get(EXAM_DATE_KEY) {
            Some(serde_json::Value::String(date)) => Some(date.clone()),
            Some(_) => None,
            None => self.file_exam_date.clone(),
        };
    }

    /// One warning for each content event from index `first` on held back
    /// as dated too far ahead.
    fn warn_held_content(&mut self, first: usize) {
        let hold = self.hold_after_ms;
        for (event, at) in self.content.iter().skip(first).filter(|(e, _)| e.at_ms > hold) {
            self.warnings.push(format!(
                "{at}: this change ({}) is dated {}, more than a day after this computer's clock (a computer with a wrong clock wrote it?); it is held back and counts from that time on",
                event.describe(),
                super::log::describe_ms(event.at_ms)
            ));
        }
    }

    /// The decks the student sees: the inputs (bundled decks, `decks/`,
    /// `overrides.json`) with every device's edits. Cheap to clone.
    pub fn library(&self) -> Arc<Library> {
        Arc::clone(&self.library)
    }

    /// Every content event read or written, held back or not.
    pub(super) fn content_events(&self) -> impl Iterator<Item = &ContentEvent> {
        self.content.iter().map(|(e, _)| e)
    }

    /// Events dated after this are held back.
    pub(super) fn hold_after_ms(&self) -> i64 {
        self.hold_after_ms
    }

    /// Cards deleted and not restored, latest first, with their text.
    pub fn deleted_cards(&self) -> &[DeletedCard] {
        &self.folded.deleted_cards
    }

    /// Decks deleted and not restored: id and title.
    pub fn deleted_decks(&self) -> &[(DeckId, String)] {
        &self.folded.deleted_decks
    }

    /// The latest content event undo may take back (not held back, not
    /// already taken back).
    pub(super) fn latest_undoable_content(&self) -> Option<&ContentEvent> {
        let hold = self.hold_after_ms;
        let undone = crate::content::reverted(self.content.iter().map(|(e, _)| e).filter(|e| e.at_ms <= hold));
        self.content
            .iter()
            .map(|(e, _)| e)
            .filter(|e| e.at_ms <= hold && e.op.is_none() && e.undoable() && !e.is_undone(&undone))
            .max_by_key(|e| e.order_key())
    }

    /// Applies events just saved to the progress: in place when they come
    /// after everything applied, else (another device's events are dated
    /// later, its clock being ahead) by replaying the logs.
    fn apply_saved(&mut self, mut events: Vec<Event>) {
        if !self.folded.carries.is_empty() {
            // A moved card's copies join in replay order.
            self.folded.carries.carry(&mut events);
            events.sort_by_key(Event::order_key);
        }
        let in_order = match (events.first(), self.progress.last_applied) {
            (Some(first), Some(last)) => first.order_key() > last,
            _ => true,
        };
        if !in_order && events.len() > MERGE_AT_MOST {
            // Not kept while every log is read again (an import's history
            // can be a million events).
            drop(events);
            self.rebuild_after_saved_write();
            return;
        }
        if !in_order {
            // Dated before another computer's events (its clock is ahead):
            // only the cards graded are replayed, from the logs as they
            // were before this write.
            let applied: Vec<(PathBuf, u64)> = self.covered.iter().map(|c| (c.path.clone(), c.applied_len)).collect();
            let written: HashSet<EventId> = events.iter().map(|e| e.id).collect();
            let hold = self.hold_after_ms;
            let carries = &self.folded.carries;
            if merge::merge_tail(&mut self.progress, &self.scheduler, carries, &applied, &written, events, hold)
                .is_err()
            {
                self.rebuild_after_saved_write();
            }
            return;
        }
        for event in events {
            if self.progress.apply(&self.scheduler, event).is_err() {
                self.rebuild_after_saved_write();
                return;
            }
        }
    }

    /// Rebuilds the state from the logs after a write that is already on
    /// disk. If the logs cannot be read now, the write still counts as
    /// saved: a warning says the screen may lag behind, and the rebuild is
    /// tried again before the next write.
    pub(super) fn rebuild_after_saved_write(&mut self) {
        match self.replay_all() {
            Ok(()) => self.stale = None,
            Err(e) => {
                let warning = format!(
                    "your last change was saved, but the cards on screen could not be brought up to date ({e}): close and reopen the profile"
                );
                if self.stale.as_deref() != Some(warning.as_str()) {
                    self.warnings.push(warning.clone());
                }
                self.stale = Some(warning);
            }
        }
    }

    /// Why the state on screen may lag behind the saved log, if it does.
    pub fn stale_reason(&self) -> Option<&str> {
        self.stale.as_deref()
    }

    /// Replays every log from the start, as on a cold open.
    ///
    /// # Errors
    /// A log cannot be read.
    pub fn replay_all(&mut self) -> Result<(), StoreError> {
        let mut warnings = Vec::new();
        let shown = self.profile.dir.join("profile.json").display().to_string();
        let (base, hold) = (self.base_settings.clone(), self.hold_after_ms);
        let scheduler_of = |content: &[(ContentEvent, String)]| scheduler_for(&base, content, hold, &shown);
        let loaded =
            full_replay(&self.profile, &scheduler_of, self.hold_after_ms, &mut warnings, self.report.as_deref())?;
        self.progress = loaded.progress;
        self.content = loaded.content;
        self.settings = loaded.scheduler.settings().clone();
        self.scheduler = loaded.scheduler;
        self.fold_content();
        self.covered = loaded.covered;
        self.log_warnings = loaded.log_warnings;
        self.held = loaded.held;
        self.snapshot_current.store(false, Ordering::Relaxed);
        let own = log_path(&self.profile.dir, &self.device);
        let own_last = self.covered.iter().find(|c| c.path == own).and_then(|c| c.last_at_ms);
        self.own_last_ms = self.own_last_ms.max(own_last);
        Ok(())
    }

    /// Appends `events` to this device's log in one write and one fsync
    /// (nothing, for none). The caller replays afterwards.
    ///
    /// # Errors
    /// The profile is read-only, or the write failed (the log is cut back).
    pub(super) fn append_events(&mut self, events: &[LogLine]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        let changed = match (&self.writer, &self.local) {
            (Some(writer), Some(_)) => writer.changed_on_disk().map(|why| (writer.path().to_path_buf(), why)),
            _ => None,
        };
        if let Some((log, why)) = &changed {
            self.take_new_device(log, why)?;
        }
        let Some(writer) = self.writer.as_mut() else {
            return Err(StoreError::ReadOnly("the log is not open".into()));
        };
        let before = writer.written_len();
        let report = self.report.clone();
        if let Some(report) = &report {
            report.begin(super::Stage::Writing, events.len() as u64);
        }
        writer
            .append_all_reporting(events, &mut |n| {
                if let Some(report) = &report {
                    report.advance(n);
                }
            })
            .map_err(|source| io(writer.path(), source))?;
        let (path, len, lines) = (writer.path().to_path_buf(), writer.written_len(), writer.last_written_lines());
        // Lines dated beyond the hold-back time (imported or copied history
        // from a wrong clock) never push this device's own clock on.
        let last_at_ms = events.iter().map(LogLine::at_ms).filter(|&at| at <= self.hold_after_ms).max();
        self.own_last_ms = self.own_last_ms.max(last_at_ms);
        self.snapshot_current.store(false, Ordering::Relaxed);
        match self.covered.iter_mut().find(|c| c.path == path) {
            Some(entry) => {
                // Line numbers stay known only if the write followed the
                // bytes replayed (not a torn line completed at open).
                entry.lines = entry.lines.filter(|_| entry.len == before).map(|l| l + lines);
                entry.len = len;
                entry.applied_len = len;
                entry.last_at_ms = entry.last_at_ms.max(last_at_ms);
            }
            None => self.covered.push(Covered {
                path,
                len,
                applied_len: len,
                lines: (before == 0).then_some(lines),
                last_at_ms,
            }),
        }
        self.note_written();
        if changed.is_some() {
            // The old log holds events this collection has not replayed.
            self.rebuild_after_saved_write();
        }
        Ok(())
    }

    /// Notes in this computer's config folder what its own log now holds
    /// (see `written.rs`). A failure only weakens the check for another
    /// writer, so it is reported once as a warning.
    fn note_written(&mut self) {
        let (Some(local), Some(writer)) = (&self.local, &self.writer) else { return };
        let mark = written::mark_path(&local.config_dir, &self.profile.dir, &self.device);
        if let Err(e) = written::write(&mark, writer.path(), writer.written_len()) {
            let warning = format!(
                "{}: cannot note what this computer wrote ({e}); Yadgar may not notice another computer writing the same log",
                mark.display()
            );
            if !self.warnings.contains(&warning) {
                self.warnings.push(warning);
            }
        }
    }

    /// Moves this computer to a new device id and a new log, because its
    /// log was changed by something else while open (`why`).
    fn take_new_device(&mut self, log: &Path, why: &str) -> Result<(), StoreError> {
        let Some(local) = &self.local else { return Ok(()) };
        let new = super::new_device_id(&local.device_id_file())?;
        let lock = lock_profile(&self.profile, &new)?;
        let path = log_path(&self.profile.dir, &new);
        let writer = LogWriter::open(&path).map_err(|source| io(&path, source))?;
        self.warnings.push(another_writer_warning(log, why, &new));
        self.writer = Some(writer);
        self._lock = Some(lock);
        self.device = new;
        Ok(())
    }

    /// What a background thread needs to rebuild the journal of grades
    /// (for the statistics), or `None` when it is already complete. A
    /// profile opened from its snapshot has no journal until then.
    pub fn journal_job(&self) -> Option<JournalJob> {
        (!self.progress.journal.complete).then(|| JournalJob {
            profile: self.profile.clone(),
            scheduler: self.scheduler.clone(),
            hold_after_ms: self.hold_after_ms,
        })
    }

    /// Installs a journal built by [`JournalJob::run`], if nothing was
    /// graded or changed since it was read; returns whether it was.
    pub fn install_journal(&mut self, built: BuiltJournal) -> bool {
        let fresh = built.last_applied == self.progress.last_applied && built.settings == self.settings;
        if fresh {
            self.progress.journal = built.journal;
        }
        fresh
    }

    /// Writes the snapshot cache (in this computer's cache folder) so that
    /// the next open replays only the logs' tails. Returns whether it was
    /// written: not without the computer's folders ([`Opening::local`]),
    /// nor when a log is from a newer Yadgar.
    ///
    /// # Errors
    /// The snapshot could not be written (the logs are unaffected).
    pub fn save_snapshot(&self) -> Result<bool, StoreError> {
        let Some(local) = &self.local else { return Ok(false) };
        if self.newer_format {
            return Ok(false);
        }
        let mut files = Vec::new();
        for covered in &self.covered {
            let name = covered.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let hash = tail_hash(&covered.path, covered.len).map_err(|s| io(&covered.path, s))?;
            files.push(SnapshotFile {
                name,
                len: covered.len,
                applied_len: (covered.applied_len != covered.len).then_some(covered.applied_len),
                tail_hash: hash,
                lines: covered.lines,
                last_at_ms: covered.last_at_ms,
            });
        }
        let snapshot = Snapshot {
            format: SNAPSHOT_FORMAT,
            build: build_key(),
            fsrs: FSRS_VERSION.to_owned(),
            device: self.device.clone(),
            profile: self.profile.dir.display().to_string(),
            settings: serde_json::to_string(&self.settings).unwrap_or_default(),
            files,
            // The states are written after the head, not copied into it.
            progress: Progress {
                states: crate::revlog::States::default(),
                days: self.progress.days.clone(),
                undoable: self.progress.undoable.clone(),
                last_applied: self.progress.last_applied,
                warnings: self.progress.warnings.clone(),
                undone_unseen: self.progress.undone_unseen.clone(),
                journal: crate::revlog::Journal::default(),
                carried: std::collections::HashMap::new(),
            },
            log_warnings: self.log_warnings.clone(),
            held: self.held.clone(),
            content: std::borrow::Cow::Borrowed(&self.content),
            hold_after_ms: self.hold_after_ms,
        };
        let path = snapshot_path(local, &self.profile, &self.device);
        let bytes = super::snapshot::encode(&snapshot, &self.progress.states)
            .map_err(|e| io(&path, std::io::Error::other(e)))?;
        drop(snapshot);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| io(dir, source))?;
        }
        // A cache: renamed into place whole, but not fsynced (a file a power
        // cut leaves short or empty fails its checksum and is not used).
        let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
        let written = std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(source) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(&path, source));
        }
        // Earlier builds' JSON snapshot, never read again.
        let _ = std::fs::remove_file(path.with_extension("json"));
        self.snapshot_current.store(true, Ordering::Relaxed);
        Ok(true)
    }

    /// Whether the snapshot cache holds exactly the state replayed, so a
    /// command need not write it again.
    pub fn snapshot_is_current(&self) -> bool {
        self.snapshot_current.load(Ordering::Relaxed)
    }

    /// Every saved exam attempt, oldest first, with warnings for lines
    /// that cannot be read.
    ///
    /// # Errors
    /// The file exists but cannot be read.
    pub fn attempts(&self) -> Result<(Vec<super::exams::Attempt>, Vec<String>), StoreError> {
        let path = super::exams::exams_path(&self.profile.dir);
        let (mut attempts, mut warnings) = super::exams::read(&self.profile.dir).map_err(|s| io(&path, s))?;
        for (at_ms, value) in &self.folded.attempts {
            match serde_json::from_value::<super::exams::Attempt>(value.clone()) {
                Ok(attempt) => attempts.push(attempt),
                Err(e) => warnings.push(format!(
                    "an exam attempt recorded at {} cannot be read and is ignored ({e})",
                    super::log::describe_ms(*at_ms)
                )),
            }
        }
        for (started, finished, question, _) in &self.folded.appeals {
            let found = attempts.iter_mut().find(|a| a.started_ms == *started && a.finished_ms == *finished);
            if let Some(attempt) = found
                && !attempt.appeals.contains(question)
            {
                attempt.appeals.push(*question);
                attempt.remark();
            }
        }
        attempts.sort_by_key(|a| a.finished_ms);
        Ok((attempts, warnings))
    }

    /// Imports a deck with its review history. Shorthand for
    /// [`Collection::apply`] with [`super::Op::ImportDeck`].
    ///
    /// # Errors
    /// As [`Collection::import_lines`].
    pub fn import_deck(
        &mut self,
        deck: Deck,
        events: Vec<Event>,
        on_existing: OnExisting,
    ) -> Result<ImportReport, StoreError> {
        let change = self.apply(super::Op::ImportDeck { deck, events, on_existing }, super::now())?;
        change.imported.ok_or_else(|| StoreError::ReadOnly("the import wrote nothing".to_owned()))
    }

    /// The lines of an import: the history not already in any log (same
    /// id, or same card, time and action), then the deck itself as one
    /// content event, all in one append, so a crash leaves all or nothing.
    /// Running the same import again adds no history twice. Events of other
    /// decks or of cards not in the deck are left out. No file is written:
    /// undo takes the import back (and a replaced deck's cards return).
    ///
    /// # Errors
    /// The deck id is a bundled deck's; an own deck has that id and
    /// `on_existing` is [`OnExisting::Refuse`]; the deck is not valid; or a
    /// log cannot be read.
    pub(super) fn import_lines(
        &mut self,
        deck: Deck,
        events: Vec<Event>,
        on_existing: OnExisting,
        now: Moment,
    ) -> Result<(Vec<LogLine>, ImportReport), StoreError> {
        let json = deck.to_json().map_err(|e| StoreError::ReadOnly(e.to_string()))?;
        let file = format!("{}.json", deck.id);
        // Not kept while its copy is read back (a large deck is tens of MB).
        drop(deck);
        let deck = Deck::from_json(&file, json.as_bytes()).map_err(StoreError::InvalidDeck)?;
        drop(json);
        if bundled_parse_results().iter().any(|(_, _, d)| d.as_ref().is_ok_and(|d| d.id == deck.id)) {
            return Err(StoreError::BundledDeck(deck.id.0.to_string()));
        }
        let log = log_path(&self.profile.dir, &self.device);
        let existing = self.library.deck(&deck.id).map(|d| PathBuf::from(&d.file));
        let replaced = existing.is_some();
        if let Some(path) = existing
            && on_existing == OnExisting::Refuse
        {
            return Err(StoreError::DeckExists { id: deck.id.0.to_string(), path });
        }

        let cards: HashSet<&CardId> = deck.cards.iter().map(|c| &c.id).collect();
        let (present_ids, present_keys) = self.present_events()?;
        let mut seen_ids = HashSet::with_capacity(events.len());
        let mut already_present = 0;
        // Collected in place: the lines take the events' own buffer rather
        // than a second one of a million events beside it.
        let mut lines: Vec<LogLine> = events
            .into_iter()
            .filter_map(|event| {
                if event.deck != deck.id || !cards.contains(&event.card) || !seen_ids.insert(event.id) {
                    return None;
                }
                if present_ids.contains(&event.id)
                    || (!present_keys.is_empty() && present_keys.contains(&content_key(&event)))
                {
                    already_present += 1;
                    return None;
                }
                Some(LogLine::Review(event))
            })
            .collect();
        drop(seen_ids);
        let events_added = lines.len();
        let report = ImportReport {
            deck: deck.id.clone(),
            path: log,
            cards: deck.cards.len(),
            events_added,
            events_already_present: already_present,
            replaced,
        };
        lines.extend(self.content_lines(vec![Edit::DeckImport { deck }], now));
        Ok((lines, report))
    }

    /// The ids and content keys of every event in every log.
    fn present_events(&self) -> Result<(HashSet<EventId>, HashSet<ContentKey>), StoreError> {
        let (logs, _) = list_logs(&self.profile.dir).map_err(|s| io(&self.profile.dir, s))?;
        let mut ids = HashSet::new();
        let mut keys = HashSet::new();
        for log in &logs {
            for event in read_log(&log.path, 0).map_err(|s| io(&log.path, s))?.events {
                ids.insert(event.id);
                keys.insert(content_key(&event));
            }
        }
        Ok((ids, keys))
    }

    /// The history of one deck's cards, for export: as
    /// [`Collection::history_events`], limited to `deck`.
    ///
    /// # Errors
    /// A log cannot be read.
    pub fn export_events(&self, deck: &DeckId) -> Result<Vec<Event>, StoreError> {
        let mut events = self.history_events()?;
        events.retain(|e| e.deck == *deck);
        Ok(events)
    }

    /// This device's id.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Every event of every device in replay order, without undone events
    /// or the undos themselves: the history that evaluation and
    /// optimisation read.
    ///
    /// # Errors
    /// A log cannot be read.
    pub fn history_events(&self) -> Result<Vec<Event>, StoreError> {
        self.history_reader().read()
    }

    /// Reads the same history as [`Collection::history_events`], from any
    /// thread (for exports that run in the background).
    pub fn history_reader(&self) -> HistoryReader {
        HistoryReader { dir: self.profile.dir.clone(), carries: self.folded.carries.clone() }
    }
}

/// Reads a profile's whole history, away from the open collection.
#[derive(Debug, Clone)]
pub struct HistoryReader {
    dir: PathBuf,
    carries: Carries,
}

impl HistoryReader {
    /// Every event of every device in replay order, without undone events
    /// or the undos themselves.
    ///
    /// # Errors
    /// A log cannot be read.
    pub fn read(&self) -> Result<Vec<Event>, StoreError> {
        let (logs, _) = list_logs(&self.dir).map_err(|s| io(&self.dir, s))?;
        let mut events = Vec::new();
        for log in &logs {
            events.extend(read_log(&log.path, 0).map_err(|s| io(&log.path, s))?.events);
        }
        self.carries.carry(&mut events);
        events.sort_by_key(Event::order_key);
        events.dedup_by_key(|e| e.id);
        let undone: std::collections::HashSet<EventId> = events
            .iter()
            .filter_map(|e| match e.action {
                Action::Undo { target } => Some(target),
                _ => None,
            })
            .collect();
        events.retain(|e| !undone.contains(&e.id) && !matches!(e.action, Action::Undo { .. }));
        Ok(events)
    }
}

/// What an event is, apart from its id: a review imported twice under two
/// ids (say, once from Yadgar's own log and once back from Anki) is one
/// review.
type ContentKey = (DeckId, CardId, i64, String);

fn content_key(event: &Event) -> ContentKey {
    let action = serde_json::to_string(&event.action).unwrap_or_default();
    (event.deck.clone(), event.card.clone(), event.at_ms, action)
}

/// What to do when an imported deck's id is already a profile deck's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExisting {
    /// Stop with [`StoreError::DeckExists`].
    Refuse,
    /// Replace the deck file (progress, keyed by card id, is kept).
    Replace,
}

/// What [`Collection::import_deck`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The deck's id.
    pub deck: DeckId,
    /// The deck file written.
    pub path: PathBuf,
    /// Cards in the deck.
    pub cards: usize,
    /// Events appended to the log.
    pub events_added: usize,
    /// Events left out because the log already had them.
    pub events_already_present: usize,
    /// Whether a deck with this id was replaced (undo brings it back).
    pub replaced: bool,
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io { path: path.to_path_buf(), source }
}

/// Takes the OS lock on `lock-<device>`. The OS drops it when the process
/// ends, however it ends, so a lock left by a crashed Yadgar is free again.
fn lock_profile(profile: &Profile, device: &str) -> Result<File, StoreError> {
    let path = profile.dir.join(format!("lock-{device}"));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|s| io(&path, s))?;
    // A lock this process held and has let go of can stay held for an
    // instant by a child process being started on another thread (it
    // shares the open file until it runs its program): wait a little for
    // our own pid, never for another process's.
    let mut waited = 0;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.seek(SeekFrom::Start(0)).and_then(|_| file.read_to_string(&mut text));
                let pid = text.trim().parse::<u32>().ok();
                if pid == Some(std::process::id()) && waited < 100 {
                    waited += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    continue;
                }
                return Err(StoreError::Locked { profile: profile.name.clone(), pid });
            }
            Err(std::fs::TryLockError::Error(source)) => return Err(io(&path, source)),
        }
    }
    let pid = std::process::id().to_string();
    let written =
        file.set_len(0).and_then(|()| file.seek(SeekFrom::Start(0))).and_then(|_| file.write_all(pid.as_bytes()));
    written.map_err(|s| io(&path, s))?;
    Ok(file)
}

/// Locks held on every `lock-*` file of a profile folder, proving that no
/// Yadgar on this computer has it open. A lock file synced in from another
/// computer is not locked here, so it never blocks.
pub(super) struct FolderLocks(#[allow(dead_code)] Vec<File>);

/// Takes the lock of every device in `dir` (the profile `name`), as opening
/// it would, so a profile open in a window is never renamed or deleted.
///
/// # Errors
/// [`StoreError::Locked`] with the pid of the process that has it open, or
/// a lock file that cannot be opened.
pub(super) fn lock_folder(dir: &Path, name: &str) -> Result<FolderLocks, StoreError> {
    let mut held = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|s| io(dir, s))?;
    for entry in entries {
        let path = entry.map_err(|s| io(dir, s))?.path();
        if !path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("lock-")) || !path.is_file() {
            continue;
        }
        let mut file = std::fs::OpenOptions::new().read(true).write(true).open(&path).map_err(|s| io(&path, s))?;
        match file.try_lock() {
            Ok(()) => held.push(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(StoreError::Locked { profile: name.to_owned(), pid: text.trim().parse::<u32>().ok() });
            }
            Err(std::fs::TryLockError::Error(source)) => return Err(io(&path, source)),
        }
    }
    Ok(FolderLocks(held))
}

/// A path's file name, as text.
fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Where this computer keeps its window preferences for `profile` (theme,
/// zoom, typed answers, the hint, recent folders, the source text's path):
/// they belong to the computer, not to the synced folder.
fn preferences_path(local: &LocalDirs, profile: &Profile) -> PathBuf {
    local.config_dir.join("preferences").join(format!("{}.json", written::profile_key(&profile.dir)))
}

/// This computer's preferences file: `None` if there is none yet, a
/// warning naming the file if it cannot be read.
fn read_own_preferences(path: &Path) -> Result<Option<Preferences>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!("{}: cannot be read ({e}); the window preferences are the profile's", path.display()));
        }
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        format!(
            "{}: this computer's window preferences cannot be read ({e}); the profile's are used, and the file is replaced when you next change one",
            path.display()
        )
    })
}

/// Where this computer keeps the snapshot of `device` in `profile`.
fn snapshot_path(local: &LocalDirs, profile: &Profile, device: &str) -> PathBuf {
    local.cache_dir.join("snapshots").join(format!("{}-{device}.snapshot", written::profile_key(&profile.dir)))
}

/// The warning for a log that another writer changed (`why`), after which
/// this computer writes as device `new`.
fn another_writer_warning(log: &Path, why: &str, new: &str) -> String {
    format!(
        "{}: this computer's log was changed by something else ({why}): two computers share one device id \
         (a cloned disk or a copied settings folder), or a sync tool replaced the file. This computer now \
         writes as device {new}, in reviews-{new}.jsonl; nothing is lost, since every log and conflict copy is still read",
        log.display()
    )
}

/// Reads every log and replays it, or loads the snapshot and replays only
/// what came after it. Returns the progress and, if a log is from a newer
/// Yadgar, why the profile is read-only.
/// Makes the scheduler for the content events read (their settings).
type SchedulerOf<'a> = dyn Fn(&[(ContentEvent, String)]) -> Scheduler + 'a;

fn load_progress(
    profile: &Profile,
    scheduler_of: &SchedulerOf<'_>,
    hold_after_ms: i64,
    snapshot: Option<&Path>,
    device: &str,
    warnings: &mut Vec<String>,
) -> Result<Loaded, StoreError> {
    if let Some(path) = snapshot
        && let Some(result) = from_snapshot(profile, scheduler_of, hold_after_ms, path, device, warnings)
    {
        return Ok(result);
    }
    full_replay(profile, scheduler_of, hold_after_ms, warnings, None)
}

fn full_replay(
    profile: &Profile,
    scheduler_of: &SchedulerOf<'_>,
    hold_after_ms: i64,
    warnings: &mut Vec<String>,
    report: Option<&super::Progress>,
) -> Result<Loaded, StoreError> {
    let (logs, not_files) = list_logs(&profile.dir).map_err(|s| io(&profile.dir, s))?;
    if let Some(report) = report {
        let total = logs.iter().filter_map(|l| std::fs::metadata(&l.path).ok()).map(|m| m.len()).sum();
        report.begin(super::Stage::Reading, total);
    }
    report_odd_logs(&logs, &not_files, warnings);
    let mut events = Vec::new();
    let mut read_only = None;
    let mut covered = Vec::new();
    let mut log_warnings = Vec::new();
    let mut held = Vec::new();
    let mut content = Vec::new();
    let paths: Vec<PathBuf> = logs.iter().map(|l| l.path.clone()).collect();
    let on_read = |n: u64| {
        if let Some(report) = report {
            report.advance(n);
        }
    };
    let (reads, keys) = read_logs_parallel_until(&paths, hold_after_ms, &on_read).map_err(|s| io(&profile.dir, s))?;
    for (log, mut read) in logs.iter().zip(reads) {
        // The first log's buffer has room for every log's events.
        if events.is_empty() {
            std::mem::swap(&mut events, &mut read.events);
        }
        events.append(&mut read.events);
        content.extend(read.content);
        log_warnings.extend(read.warnings);
        let file = file_name(&log.path);
        held.extend(read.held.into_iter().filter_map(|(e, warning)| {
            let (deck, card) = keys.key(e.key)?.clone();
            let event = Event::new(e.id, Moment::new(e.at_ms, e.offset_s), deck, card, e.action);
            Some(Held { file: file.clone(), event, warning })
        }));
        covered.push(Covered {
            path: log.path.clone(),
            len: read.complete_len,
            applied_len: read.applied_len,
            lines: Some(read.complete_lines),
            last_at_ms: read.last_at_ms,
        });
        if read_only.is_none() {
            read_only = read.newer_format;
        }
    }
    warnings.extend(log_warnings.iter().cloned());
    warnings.extend(held.iter().map(|h| h.warning.clone()));
    let scheduler = scheduler_of(&content);
    let (mut keys, mut events) = (keys, events);
    let carries = carries_of(&content, hold_after_ms);
    carries.carry_compact(&mut keys, &mut events);
    if let Some(report) = report {
        report.begin(super::Stage::Replaying, events.len() as u64);
    }
    let on_replayed = |n: u64| {
        if let Some(report) = report {
            report.advance(n);
        }
    };
    Ok(Loaded {
        progress: Progress::replay_compact_reporting(&scheduler, keys, events, carries.until_map(), &on_replayed),
        read_only,
        covered,
        log_warnings,
        held,
        snapshot_current: false,
        content,
        scheduler,
    })
}

/// The moves in force among the content events not held back.
fn carries_of(content: &[(ContentEvent, String)], hold_after_ms: i64) -> Carries {
    crate::content::carries(content.iter().map(|(e, _)| e).filter(|e| e.at_ms <= hold_after_ms))
}

/// One warning for each sync tool's conflict copy (merged) and for each
/// log name that is not a regular file (not read).
fn report_odd_logs(logs: &[super::log::LogFile], not_files: &[PathBuf], warnings: &mut Vec<String>) {
    for log in logs.iter().filter(|l| l.conflict_copy) {
        warnings.push(format!(
            "{}: a file-sync tool's conflict copy of reviews-{}.jsonl; its events are merged with the other logs \
             (each event counts once), so nothing is lost; it can be deleted once every computer has synced",
            log.path.display(),
            log.device
        ));
    }
    for path in not_files {
        warnings.push(format!(
            "{}: this is not a file, so Yadgar does not read it as a review log; move it out of the profile folder",
            path.display()
        ));
    }
}

/// What the tails of logs hold past the bytes already replayed: read by a
/// snapshot open and by the live merge.
#[derive(Debug, Default)]
struct Tails {
    events: Vec<Event>,
    content: Vec<(ContentEvent, String)>,
    warnings: Vec<String>,
    held: Vec<Held>,
    covered: Vec<Covered>,
    /// A line from a newer Yadgar was found: why this build must not write.
    newer_format: Option<String>,
}

impl Tails {
    /// Reads the log at `path` from byte `offset` (which follows `lines`
    /// lines; `last` is the latest event time replayed from it), holding
    /// back events dated after `hold_after_ms`, and adds what it holds.
    /// Returns whether anything lay past `offset`.
    fn read(
        &mut self,
        path: &Path,
        offset: u64,
        lines: Option<u64>,
        last: Option<i64>,
        hold_after_ms: i64,
    ) -> std::io::Result<bool> {
        let read = read_log_tail(path, offset, lines, hold_after_ms)?;
        let grew = read.complete_len != offset || !read.events.is_empty() || !read.held.is_empty();
        let name = file_name(path);
        self.events.extend(read.events);
        self.content.extend(read.content);
        self.warnings.extend(read.warnings);
        self.held.extend(read.held.into_iter().map(|(event, warning)| Held { file: name.clone(), event, warning }));
        self.covered.push(Covered {
            path: path.to_path_buf(),
            len: read.complete_len,
            applied_len: read.applied_len,
            lines: lines.map(|l| l + read.complete_lines),
            last_at_ms: last.max(read.last_at_ms),
        });
        if self.newer_format.is_none() {
            self.newer_format = read.newer_format;
        }
        Ok(grew)
    }
}

/// `None` when there is no usable snapshot (a full replay follows).
fn from_snapshot(
    profile: &Profile,
    scheduler_of: &SchedulerOf<'_>,
    hold_after_ms: i64,
    path: &Path,
    device: &str,
    warnings: &mut Vec<String>,
) -> Option<Loaded> {
    let bytes = std::fs::read(path).ok()?;
    let (mut snapshot, states): (Snapshot, _) = super::snapshot::decode(&bytes)?;
    drop(bytes);
    snapshot.progress.states = states;
    if snapshot.format != SNAPSHOT_FORMAT
        || snapshot.build != build_key()
        || snapshot.fsrs != FSRS_VERSION
        || snapshot.device != device
        || snapshot.profile != profile.dir.display().to_string()
    {
        return None;
    }
    // A clock set back (a year-ahead clock corrected) would hold back
    // events the snapshot has applied.
    if snapshot.progress.last_applied.is_some_and(|(ms, _)| ms > hold_after_ms) {
        return None;
    }
    let (logs, not_files) = list_logs(&profile.dir).ok()?;
    // Every file the snapshot covers must still be there, unchanged up to
    // the length it covered.
    for file in &snapshot.files {
        let log = logs.iter().find(|l| l.path.file_name().is_some_and(|n| n.to_string_lossy() == file.name))?;
        let len = std::fs::metadata(&log.path).ok()?.len();
        if len < file.len || tail_hash(&log.path, file.len).ok()? != file.tail_hash {
            return None;
        }
    }
    let snapshot_carries = carries_of(&snapshot.content, snapshot.hold_after_ms);
    let mut tails = Tails { content: snapshot.content.into_owned(), ..Tails::default() };
    let mut unchanged = logs.len() == snapshot.files.len();
    for log in &logs {
        let name = file_name(&log.path);
        let file = snapshot.files.iter().find(|f| f.name == name);
        let (offset, lines, last) = file.map_or((0, Some(0), None), |f| (f.len, f.lines, f.last_at_ms));
        unchanged &= !tails.read(&log.path, offset, lines, last, hold_after_ms).ok()?;
    }
    let Tails { events: mut tail, content, warnings: tail_warnings, mut held, mut covered, newer_format: read_only } =
        tails;
    // Events held back before whose time has come join the tail.
    let mut newly_due = HashSet::new();
    for h in snapshot.held {
        if h.event.at_ms > hold_after_ms {
            held.push(h);
        } else {
            unchanged = false;
            newly_due.insert(h.event.id);
            if let Some(c) = covered.iter_mut().find(|c| file_name(&c.path) == h.file) {
                c.last_at_ms = c.last_at_ms.max(Some(h.event.at_ms));
            }
            tail.push(h.event);
        }
    }
    // The settings are the logs' too: any change replays every card.
    let scheduler = scheduler_of(&content);
    if snapshot.settings != serde_json::to_string(scheduler.settings()).ok()? {
        return None;
    }
    // A move arrived (or was taken back): the moved cards' events are
    // carried otherwise than in the snapshot's replay.
    let carries = carries_of(&content, hold_after_ms);
    if carries != snapshot_carries {
        return None;
    }
    let mut progress = snapshot.progress;
    progress.carried = carries.until_map();
    // The snapshot's progress holds the events of the bytes it covers, but
    // not those held back then (whose time has come since).
    let applied: Vec<(PathBuf, u64)> =
        snapshot.files.iter().map(|f| (profile.dir.join(&f.name), f.applied_len.unwrap_or(f.len))).collect();
    merge::merge_tail(&mut progress, &scheduler, &carries, &applied, &newly_due, tail, hold_after_ms).ok()?;
    report_odd_logs(&logs, &not_files, warnings);
    let mut log_warnings = snapshot.log_warnings;
    log_warnings.extend(tail_warnings);
    warnings.extend(log_warnings.iter().cloned());
    warnings.extend(held.iter().map(|h| h.warning.clone()));
    Some(Loaded { progress, read_only, covered, log_warnings, held, snapshot_current: unchanged, content, scheduler })
}

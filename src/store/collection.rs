//! An open profile: its lock, settings, review log and the progress replayed
//! from it. Every change is appended to this device's log and fsynced before
//! the call returns (DESIGN.md, invariant 2).

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::decks::load_deck_dir;
use super::log::{LogWriter, list_logs, log_path, read_log, read_logs_parallel};
use super::{Profile, StoreError};
use crate::deck::{CardId, Deck, DeckId, bundled_parse_results};
use crate::revlog::{Action, Event, EventId, Progress, ReviewKind, Undoable};
use crate::schedule::{Rating, Scheduler, Settings};
use crate::time::Moment;

const PROFILE_FORMAT: u32 = 1;
const SNAPSHOT_FORMAT: u32 = 1;
const SNAPSHOT_FILE: &str = "snapshot.json";

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

/// A cache of replayed progress and the log bytes it covers. Deleting it
/// changes nothing but the time to open (DESIGN.md, invariant 3).
#[derive(Debug, Serialize, Deserialize)]
struct Snapshot {
    format: u32,
    /// The settings the progress was replayed with, as JSON.
    settings: String,
    files: Vec<SnapshotFile>,
    progress: Progress,
}

#[derive(Debug, Serialize, Deserialize)]
struct SnapshotFile {
    name: String,
    len: u64,
    /// A hash of the bytes just before `len`, to notice a replaced file.
    tail_hash: u64,
}

/// An open profile.
#[derive(Debug)]
pub struct Collection {
    profile: Profile,
    device: String,
    settings: Settings,
    preferences: Preferences,
    /// Why `profile.json` cannot be written, if it could not be read.
    settings_error: Option<String>,
    scheduler: Scheduler,
    progress: Progress,
    writer: Option<LogWriter>,
    /// Why this build must not write the log, if so.
    read_only: Option<String>,
    warnings: Vec<String>,
    /// For each log, the bytes replayed into `progress` (complete lines).
    covered: Vec<(PathBuf, u64)>,
    _lock: Option<File>,
}

/// A full replay of a profile's logs, to run on another thread.
#[derive(Debug)]
pub struct JournalJob {
    profile: Profile,
    scheduler: Scheduler,
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
        let loaded = full_replay(&self.profile, &self.scheduler, &mut warnings)?;
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
    covered: Vec<(PathBuf, u64)>,
}

impl Collection {
    /// Opens the profile `name` under `data_dir` as `device`, creating it on
    /// first use, and replays its logs (from a snapshot when one is valid).
    ///
    /// # Errors
    /// The profile is open in another Yadgar on this computer, or its folder
    /// cannot be made or read.
    pub fn open(data_dir: &Path, name: &str, device: &str) -> Result<Collection, StoreError> {
        Self::open_with(data_dir, name, device, true)
    }

    /// Opens a profile to read only: no lock is taken and nothing can be
    /// written, so a status-bar command works while the window is open.
    ///
    /// # Errors
    /// The profile's folder cannot be made or read.
    pub fn open_read_only(data_dir: &Path, name: &str, device: &str) -> Result<Collection, StoreError> {
        Self::open_with(data_dir, name, device, false)
    }

    fn open_with(data_dir: &Path, name: &str, device: &str, writable: bool) -> Result<Collection, StoreError> {
        let profile = Profile::open_or_create(data_dir, name)?;
        let lock = if writable { Some(lock_profile(&profile, device)?) } else { None };
        let mut warnings = Vec::new();
        let (settings, preferences, settings_error) = read_settings(&profile)?;
        if let Some(e) = &settings_error {
            warnings.push(e.clone());
        }
        let scheduler = match Scheduler::new(settings.clone()) {
            Ok(s) => s,
            Err(e) => {
                warnings
                    .push(format!("{}: {e}; using the default settings", profile.dir.join("profile.json").display()));
                Scheduler::new(Settings::default()).map_err(StoreError::Settings)?
            }
        };
        let settings = scheduler.settings().clone();
        let Loaded { progress, mut read_only, covered } = load_progress(&profile, &scheduler, &mut warnings)?;
        if !writable {
            read_only.get_or_insert_with(|| "this profile was opened to read only".to_owned());
        }
        let writer = match &read_only {
            Some(_) => None,
            None => {
                let path = log_path(&profile.dir, device);
                Some(LogWriter::open(&path).map_err(|source| StoreError::Io { path, source })?)
            }
        };
        Ok(Collection {
            profile,
            device: device.to_owned(),
            settings,
            preferences,
            settings_error,
            scheduler,
            progress,
            writer,
            read_only,
            warnings,
            covered,
            _lock: lock,
        })
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

    /// Saves new window preferences to `profile.json` (atomically).
    ///
    /// # Errors
    /// A `profile.json` that could not be read (never overwritten), or a
    /// failed write.
    pub fn set_preferences(&mut self, preferences: Preferences) -> Result<(), StoreError> {
        if let Some(e) = &self.settings_error {
            return Err(StoreError::ReadOnly(e.clone()));
        }
        write_settings(&self.profile, &self.settings, &preferences)?;
        self.preferences = preferences;
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

    /// Records a grade. The event is on disk before this returns.
    ///
    /// # Errors
    /// The profile is read-only, or the write failed: the grade is not saved.
    pub fn grade(
        &mut self,
        deck: &DeckId,
        card: &CardId,
        rating: Rating,
        answer_ms: u32,
        now: Moment,
        cram: bool,
    ) -> Result<EventId, StoreError> {
        let kind = if cram {
            ReviewKind::Cram
        } else {
            let phase = self.progress.state(deck, card).map(|s| s.phase).unwrap_or_default();
            ReviewKind::for_phase(phase)
        };
        self.record(deck, card, Action::Review { rating, kind, answer_ms }, now)
    }

    /// Records a bury, suspend, unsuspend or reset of a card.
    ///
    /// # Errors
    /// As [`Collection::grade`].
    pub fn record(&mut self, deck: &DeckId, card: &CardId, action: Action, now: Moment) -> Result<EventId, StoreError> {
        let id = EventId(rand::random::<u128>());
        // Keep replay order equal to recording order even if the clock steps
        // back: an event never sorts before the last one applied.
        let at_ms = match self.progress.last_applied {
            Some((last_ms, _)) if last_ms >= now.unix_ms => last_ms + 1,
            _ => now.unix_ms,
        };
        let event = Event::new(id, Moment::new(at_ms, now.offset_s), deck.clone(), card.clone(), action);
        self.append(&event)?;
        if self.progress.apply(&self.scheduler, event).is_err() {
            self.replay_all()?;
        }
        Ok(id)
    }

    /// Records the same action for many cards (a bulk suspend, say) in one
    /// write and one fsync. The events are a millisecond apart, so replay
    /// applies them in the order given.
    ///
    /// # Errors
    /// As [`Collection::grade`]; on an error none of them is recorded.
    pub fn record_all(
        &mut self,
        cards: &[(DeckId, CardId)],
        action: &Action,
        now: Moment,
    ) -> Result<usize, StoreError> {
        let start = match self.progress.last_applied {
            Some((last_ms, _)) if last_ms >= now.unix_ms => last_ms + 1,
            _ => now.unix_ms,
        };
        let events: Vec<Event> = cards
            .iter()
            .zip(start..)
            .map(|((deck, card), at_ms)| {
                let id = EventId(rand::random::<u128>());
                Event::new(id, Moment::new(at_ms, now.offset_s), deck.clone(), card.clone(), action.clone())
            })
            .collect();
        self.append_events(&events)?;
        let n = events.len();
        for event in events {
            if self.progress.apply(&self.scheduler, event).is_err() {
                self.replay_all()?;
                break;
            }
        }
        Ok(n)
    }

    /// Takes back the most recent action that is not yet undone.
    ///
    /// # Errors
    /// As [`Collection::grade`].
    pub fn undo(&mut self, now: Moment) -> Result<Option<Undoable>, StoreError> {
        let Some(last) = self.progress.undoable.last().cloned() else { return Ok(None) };
        self.record(&last.key.0, &last.key.1, Action::Undo { target: last.id }, now)?;
        Ok(Some(last))
    }

    fn append(&mut self, event: &Event) -> Result<(), StoreError> {
        self.append_events(std::slice::from_ref(event))
    }

    /// Replaces the settings: validates them, writes `profile.json`
    /// atomically, and replays the log with them.
    ///
    /// # Errors
    /// A setting out of range, a `profile.json` that could not be read (it is
    /// never overwritten), or a failed write.
    pub fn set_settings(&mut self, settings: Settings) -> Result<(), StoreError> {
        if let Some(e) = &self.settings_error {
            return Err(StoreError::ReadOnly(e.clone()));
        }
        let scheduler = Scheduler::new(settings.clone()).map_err(StoreError::Settings)?;
        write_settings(&self.profile, &settings, &self.preferences)?;
        self.scheduler = scheduler;
        self.settings = settings;
        self.replay_all()
    }

    /// Replays every log from the start, as on a cold open.
    ///
    /// # Errors
    /// A log cannot be read.
    pub fn replay_all(&mut self) -> Result<(), StoreError> {
        let mut warnings = Vec::new();
        let loaded = full_replay(&self.profile, &self.scheduler, &mut warnings)?;
        self.progress = loaded.progress;
        self.covered = loaded.covered;
        Ok(())
    }

    /// Appends `events` to this device's log in one write and one fsync
    /// (nothing, for none). The caller replays afterwards.
    ///
    /// # Errors
    /// The profile is read-only, or the write failed (the log is cut back).
    pub(super) fn append_events(&mut self, events: &[Event]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        let Some(writer) = self.writer.as_mut() else {
            return Err(StoreError::ReadOnly("the log is not open".into()));
        };
        writer.append_all(events).map_err(|source| io(writer.path(), source))?;
        let (path, len) = (writer.path().to_path_buf(), writer.written_len());
        match self.covered.iter_mut().find(|(p, _)| *p == path) {
            Some(entry) => entry.1 = len,
            None => self.covered.push((path, len)),
        }
        Ok(())
    }

    /// What a background thread needs to rebuild the journal of grades
    /// (for the statistics), or `None` when it is already complete. A
    /// profile opened from its snapshot has no journal until then.
    pub fn journal_job(&self) -> Option<JournalJob> {
        (!self.progress.journal.complete)
            .then(|| JournalJob { profile: self.profile.clone(), scheduler: self.scheduler.clone() })
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

    /// Writes the snapshot cache so that the next open replays only the
    /// log's tail.
    ///
    /// # Errors
    /// The snapshot could not be written (the log is unaffected).
    pub fn save_snapshot(&self) -> Result<(), StoreError> {
        let mut files = Vec::new();
        for (path, len) in &self.covered {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let hash = tail_hash(path, *len).map_err(|s| io(path, s))?;
            files.push(SnapshotFile { name, len: *len, tail_hash: hash });
        }
        let snapshot = Snapshot {
            format: SNAPSHOT_FORMAT,
            settings: serde_json::to_string(&self.settings).unwrap_or_default(),
            files,
            progress: self.progress.clone(),
        };
        let path = self.profile.dir.join(SNAPSHOT_FILE);
        let bytes = serde_json::to_vec(&snapshot).map_err(|e| io(&path, std::io::Error::other(e)))?;
        write_atomic(&path, &bytes).map_err(|source| io(&path, source))
    }

    /// Saves a finished exam attempt to `exams.jsonl` (appended, fsynced).
    ///
    /// # Errors
    /// The profile is read-only or the write failed.
    pub fn save_attempt(&self, attempt: &super::exams::Attempt) -> Result<(), StoreError> {
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        super::exams::append(&self.profile.dir, attempt)
            .map_err(|s| io(&super::exams::exams_path(&self.profile.dir), s))
    }

    /// Records an appeal ("I was right") on question `question` of a saved
    /// attempt (appended to `exams.jsonl`, fsynced).
    ///
    /// # Errors
    /// The profile is read-only or the write failed.
    pub fn appeal(&self, attempt: &super::exams::Attempt, question: usize, at_ms: i64) -> Result<(), StoreError> {
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        let appeal = super::exams::Appeal {
            v: super::exams::ATTEMPT_FORMAT,
            appeal_started_ms: attempt.started_ms,
            appeal_finished_ms: attempt.finished_ms,
            question,
            at_ms,
        };
        super::exams::append_appeal(&self.profile.dir, &appeal)
            .map_err(|s| io(&super::exams::exams_path(&self.profile.dir), s))
    }

    /// Every saved exam attempt, oldest first, with warnings for lines
    /// that cannot be read.
    ///
    /// # Errors
    /// The file exists but cannot be read.
    pub fn attempts(&self) -> Result<(Vec<super::exams::Attempt>, Vec<String>), StoreError> {
        super::exams::read(&self.profile.dir).map_err(|s| io(&super::exams::exams_path(&self.profile.dir), s))
    }

    /// Writes an imported deck into the profile with its review history.
    ///
    /// Order, so that a crash at any moment leaves no half deck: first the
    /// events not already in any log (same id, or same card, time and
    /// action) are appended to this device's log in one write and fsynced;
    /// then the deck file is written atomically to `decks/<id>.json`. The
    /// deck file is the commit point: before it exists, the new events
    /// belong to a deck the app does not know and are never shown; running
    /// the same import again appends nothing twice and writes the deck.
    /// Events of other decks or of cards not in the deck are left out.
    ///
    /// # Errors
    /// The deck id is a bundled deck's; a profile deck with that id exists
    /// and `on_existing` is [`OnExisting::Refuse`]; a file with that name
    /// exists but is not a readable deck (it is never overwritten); the deck
    /// is not valid; the profile is read-only; or a write failed.
    pub fn import_deck(
        &mut self,
        deck: Deck,
        events: Vec<Event>,
        on_existing: OnExisting,
    ) -> Result<ImportReport, StoreError> {
        if let Some(reason) = &self.read_only {
            return Err(StoreError::ReadOnly(reason.clone()));
        }
        let json = deck.to_json().map_err(|e| StoreError::ReadOnly(e.to_string()))?;
        let deck = Deck::from_json(&format!("{}.json", deck.id), json.as_bytes()).map_err(StoreError::InvalidDeck)?;
        if bundled_parse_results().iter().any(|(_, _, d)| d.as_ref().is_ok_and(|d| d.id == deck.id)) {
            return Err(StoreError::BundledDeck(deck.id.0.clone()));
        }
        let decks_dir = self.profile.decks_dir();
        let existing = load_deck_dir(&decks_dir)
            .into_iter()
            .find_map(|(file, _, result)| result.ok().filter(|d| d.id == deck.id).map(|_| PathBuf::from(file)));
        let replaced = existing.is_some();
        let path = match existing {
            Some(path) if on_existing == OnExisting::Replace => path,
            Some(path) => return Err(StoreError::DeckExists { id: deck.id.0.clone(), path }),
            None => {
                let path = decks_dir.join(format!("{}.json", deck.id));
                if path.exists() {
                    // A file we could not read as this deck: never overwrite it.
                    return Err(StoreError::DeckExists { id: deck.id.0.clone(), path });
                }
                path
            }
        };

        let cards: HashSet<&CardId> = deck.cards.iter().map(|c| &c.id).collect();
        let (present_ids, present_keys) = self.present_events()?;
        let mut seen_ids = HashSet::new();
        let mut new_events = Vec::new();
        let mut already_present = 0;
        for event in events {
            if event.deck != deck.id || !cards.contains(&event.card) || !seen_ids.insert(event.id) {
                continue;
            }
            if present_ids.contains(&event.id) || present_keys.contains(&content_key(&event)) {
                already_present += 1;
                continue;
            }
            new_events.push(event);
        }
        self.append_events(&new_events)?;
        let previous = if replaced { Some(self.keep_in_trash(&path)?) } else { None };
        let mut bytes = json.into_bytes();
        bytes.push(b'\n');
        write_atomic(&path, &bytes).map_err(|source| io(&path, source))?;
        self.replay_all()?;
        Ok(ImportReport {
            deck: deck.id.clone(),
            path,
            cards: deck.cards.len(),
            events_added: new_events.len(),
            events_already_present: already_present,
            replaced,
            previous,
        })
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
        HistoryReader { dir: self.profile.dir.clone() }
    }
}

/// Reads a profile's whole history, away from the open collection.
#[derive(Debug, Clone)]
pub struct HistoryReader {
    dir: PathBuf,
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
    /// Whether a deck with this id was replaced.
    pub replaced: bool,
    /// Where the replaced deck's file was copied first (in the profile's
    /// `trash/`), so nothing the user wrote is lost.
    pub previous: Option<PathBuf>,
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
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let pid = text.trim().parse::<u32>().ok();
            return Err(StoreError::Locked { profile: profile.name.clone(), pid });
        }
        Err(std::fs::TryLockError::Error(source)) => return Err(io(&path, source)),
    }
    let pid = std::process::id().to_string();
    let written =
        file.set_len(0).and_then(|()| file.seek(SeekFrom::Start(0))).and_then(|_| file.write_all(pid.as_bytes()));
    written.map_err(|s| io(&path, s))?;
    Ok(file)
}

fn read_settings(profile: &Profile) -> Result<(Settings, Preferences, Option<String>), StoreError> {
    let path = profile.dir.join("profile.json");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (settings, preferences) = (Settings::default(), Preferences::default());
            write_settings(profile, &settings, &preferences)?;
            return Ok((settings, preferences, None));
        }
        Err(source) => return Err(io(&path, source)),
    };
    match serde_json::from_slice::<ProfileFile>(&bytes) {
        Ok(file) if file.format > PROFILE_FORMAT => Ok((
            Settings::default(),
            Preferences::default(),
            Some(format!(
                "{}: written by a newer Yadgar (format {}); update Yadgar to change settings",
                path.display(),
                file.format
            )),
        )),
        Ok(file) => Ok((file.settings, file.preferences, None)),
        Err(e) => Ok((
            Settings::default(),
            Preferences::default(),
            Some(format!(
                "{}:{}:{}: {e}; the file was left as it is and the default settings are in use: fix or delete it",
                path.display(),
                e.line(),
                e.column()
            )),
        )),
    }
}

fn write_settings(profile: &Profile, settings: &Settings, preferences: &Preferences) -> Result<(), StoreError> {
    let path = profile.dir.join("profile.json");
    let file = ProfileFile { format: PROFILE_FORMAT, settings: settings.clone(), preferences: preferences.clone() };
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| io(&path, std::io::Error::other(e)))?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes).map_err(|source| io(&path, source))
}

/// Reads every log and replays it, or loads the snapshot and replays only
/// what came after it. Returns the progress and, if a log is from a newer
/// Yadgar, why the profile is read-only.
fn load_progress(profile: &Profile, scheduler: &Scheduler, warnings: &mut Vec<String>) -> Result<Loaded, StoreError> {
    if let Some(result) = from_snapshot(profile, scheduler, warnings) {
        return Ok(result);
    }
    full_replay(profile, scheduler, warnings)
}

fn full_replay(profile: &Profile, scheduler: &Scheduler, warnings: &mut Vec<String>) -> Result<Loaded, StoreError> {
    let (logs, conflicts) = list_logs(&profile.dir).map_err(|s| io(&profile.dir, s))?;
    report_conflicts(&conflicts, warnings);
    let mut events = Vec::new();
    let mut read_only = None;
    let mut covered = Vec::new();
    let paths: Vec<PathBuf> = logs.iter().map(|l| l.path.clone()).collect();
    let (reads, keys) = read_logs_parallel(&paths).map_err(|s| io(&profile.dir, s))?;
    events.reserve_exact(reads.iter().map(|r| r.events.len()).sum());
    for (log, read) in logs.iter().zip(reads) {
        events.extend(read.events);
        warnings.extend(read.warnings);
        covered.push((log.path.clone(), read.complete_len));
        if read_only.is_none() {
            read_only = read.newer_format;
        }
    }
    Ok(Loaded { progress: Progress::replay_compact(scheduler, keys, events), read_only, covered })
}

fn report_conflicts(conflicts: &[PathBuf], warnings: &mut Vec<String>) {
    for path in conflicts {
        warnings.push(format!(
            "{}: this is not a review log Yadgar uses (it looks like a file-sync conflict copy, or is not a regular file); compare it with the original and delete it",
            path.display()
        ));
    }
}

/// `None` when there is no usable snapshot (a full replay follows).
fn from_snapshot(profile: &Profile, scheduler: &Scheduler, warnings: &mut Vec<String>) -> Option<Loaded> {
    let bytes = std::fs::read(profile.dir.join(SNAPSHOT_FILE)).ok()?;
    let snapshot: Snapshot = serde_json::from_slice(&bytes).ok()?;
    if snapshot.format != SNAPSHOT_FORMAT || snapshot.settings != serde_json::to_string(scheduler.settings()).ok()? {
        return None;
    }
    let (logs, conflicts) = list_logs(&profile.dir).ok()?;
    // Every file the snapshot covers must still be there, unchanged up to
    // the length it covered.
    for file in &snapshot.files {
        let log = logs.iter().find(|l| l.path.file_name().is_some_and(|n| n.to_string_lossy() == file.name))?;
        let len = std::fs::metadata(&log.path).ok()?.len();
        if len < file.len || tail_hash(&log.path, file.len).ok()? != file.tail_hash {
            return None;
        }
    }
    let mut tail = Vec::new();
    let mut tail_warnings = Vec::new();
    let mut read_only = None;
    let mut covered = Vec::new();
    for log in &logs {
        let name = log.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let offset = snapshot.files.iter().find(|f| f.name == name).map_or(0, |f| f.len);
        let read = read_log(&log.path, offset).ok()?;
        tail.extend(read.events);
        tail_warnings.extend(read.warnings);
        covered.push((log.path.clone(), read.complete_len));
        if read_only.is_none() {
            read_only = read.newer_format;
        }
    }
    let mut progress = snapshot.progress;
    progress.apply_tail(scheduler, tail).ok()?;
    report_conflicts(&conflicts, warnings);
    warnings.extend(tail_warnings);
    Some(Loaded { progress, read_only, covered })
}

/// FNV-1a of the up-to-64 bytes before `len`.
fn tail_hash(path: &Path, len: u64) -> std::io::Result<u64> {
    let start = len.saturating_sub(64);
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity(64);
    file.take(len - start).read_to_end(&mut bytes)?;
    Ok(bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)))
}

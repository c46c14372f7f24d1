//! The store: the only code that touches files. It finds the data folder,
//! manages profiles, reads deck files, and keeps each profile's review log,
//! settings and snapshot (DESIGN.md, "Profiles and files").

mod atomic;
mod collection;
mod decks;
mod edit;
pub mod exams;
pub mod files;
pub mod log;
mod ops;
mod profiles;
mod progress;
mod snapshot;
mod written;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use crate::content::DeletedCard;
pub use atomic::{sync_dir, write_atomic};
pub use collection::{
    BuiltJournal, Collection, HistoryReader, ImportReport, JournalJob, Merged, OnExisting, Opening, Preferences,
    ProfileFile, Theme,
};
pub use decks::{load_deck_dir, load_deck_file, load_library};
pub use edit::{MoveReport, OVERRIDES_FILE, read_overrides};
pub use exams::Attempt;
pub use ops::{CardRef, Change, Op};
pub use profiles::{
    DeviceId, create_profile, delete_profile, device_id, device_id_checked, list_profiles, new_device_id,
    rename_profile,
};
pub use progress::{Progress, Stage};

/// The name of the profile made on first start.
pub const DEFAULT_PROFILE: &str = "default";

/// What can go wrong opening the data folder or a profile.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No data folder was given and the platform has none.
    #[error("cannot find a data folder for this user: pass --data-dir DIR or set YADGAR_DATA_DIR")]
    NoDataDir,
    /// A profile name that cannot be a folder name.
    #[error("profile name {0:?} is not valid: use 1 to 64 letters, digits, spaces, '-' or '_'")]
    BadProfileName(String),
    /// Another Yadgar on this computer has the profile open.
    #[error("profile {profile:?} is open in another Yadgar window{}: close it there, or open another profile", pid.map(|p| format!(", pid {p}")).unwrap_or_default())]
    Locked {
        /// The profile's name.
        profile: String,
        /// The process holding it, when known.
        pid: Option<u32>,
    },
    /// Writing is refused, with the reason.
    #[error("{0}")]
    ReadOnly(String),
    /// A setting is out of range.
    #[error("{0}")]
    Settings(crate::schedule::SettingError),
    /// A profile of that name exists already.
    #[error("a profile named {0:?} already exists: choose another name")]
    ProfileExists(String),
    /// No profile of that name exists.
    #[error("there is no profile named {0:?}")]
    NoSuchProfile(String),
    /// An imported deck's id is already a profile deck's.
    #[error("a deck with id {id:?} already exists ({}): import it under another name (--deck NAME), or replace it (--replace)", path.display())]
    DeckExists {
        /// The deck id.
        id: String,
        /// The file that holds it.
        path: PathBuf,
    },
    /// An imported deck's id is a bundled deck's.
    #[error(
        "deck id {0:?} belongs to a bundled deck, which cannot be replaced: import it under another name (--deck NAME)"
    )]
    BundledDeck(String),
    /// No loaded deck has that id.
    #[error("there is no deck with id {0:?}: it may have been deleted; reload the library")]
    NoSuchDeck(String),
    /// The deck has no card with that id.
    #[error("deck {deck:?} has no card {card:?}: it may have been deleted")]
    NoSuchCard {
        /// The deck id.
        deck: String,
        /// The card id.
        card: String,
    },
    /// Adding, deleting or renaming in a bundled deck.
    #[error(
        "deck {0:?} is bundled with Yadgar and cannot be changed this way: edit its cards, or add cards to one of your own decks"
    )]
    BundledDeckChange(String),
    /// An undo of an action that can no longer be taken back.
    #[error("{0}")]
    CannotUndo(String),
    /// A deck to write breaks a deck rule.
    #[error("{0}")]
    InvalidDeck(crate::deck::DeckError),
    /// An export would replace a file and the user has not said to.
    #[error("{} already exists: choose another file name, or replace it (yadgar export … --force)", .0.display())]
    ExportExists(PathBuf),
    /// An export would write into the data folder, where only Yadgar writes.
    #[error("{} is inside Yadgar's data folder {}: export to a folder of your own", path.display(), data_dir.display())]
    ExportInsideDataDir {
        /// The target.
        path: PathBuf,
        /// The data folder.
        data_dir: PathBuf,
    },
    /// A text file has bytes that are not UTF-8.
    #[error("{}:{line}:{column}: not UTF-8 text: save the file as UTF-8 and try again", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the first bad byte.
        line: usize,
        /// Its 1-based column, in bytes.
        column: usize,
    },
    /// A folder could not be created or read.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// Chooses the data folder: the `--data-dir` flag or `YADGAR_DATA_DIR`
/// (which the caller has already merged, flag first), else the platform's
/// data folder from `directories`.
///
/// # Errors
/// [`StoreError::NoDataDir`] when neither is given and the platform has no
/// home folder.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    directories::ProjectDirs::from("", "", "Yadgar")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or(StoreError::NoDataDir)
}

/// An open profile: one user's folder of progress and own decks.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile's name, which is also its folder's name.
    pub name: String,
    /// `<data dir>/profiles/<name>`.
    pub dir: PathBuf,
}

impl Profile {
    /// Opens the profile `name` under `data_dir`, creating its folders on
    /// first use so that a new user starts with no questions asked.
    ///
    /// # Errors
    /// A name that cannot be a folder name, or a folder that cannot be made.
    pub fn open_or_create(data_dir: &Path, name: &str) -> Result<Profile, StoreError> {
        if !is_valid_profile_name(name) {
            return Err(StoreError::BadProfileName(name.to_owned()));
        }
        let dir = data_dir.join("profiles").join(name);
        let decks = dir.join("decks");
        std::fs::create_dir_all(&decks).map_err(|source| StoreError::Io { path: decks, source })?;
        Ok(Profile { name: name.to_owned(), dir })
    }

    /// The folder of the profile's own decks.
    pub fn decks_dir(&self) -> PathBuf {
        self.dir.join("decks")
    }
}

/// Profile names become folder names, so they exclude path separators, dots
/// at the start and anything a file system may refuse.
pub(crate) fn is_valid_profile_name(name: &str) -> bool {
    let trimmed = name.trim();
    !trimmed.is_empty()
        && trimmed == name
        && name.chars().count() <= 64
        && name.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_')
}

/// The current moment with the local UTC offset: the one place that reads
/// the clock, so the core can take time as an argument.
pub fn now() -> crate::time::Moment {
    let zoned = jiff::ZonedDateTime::now();
    crate::time::Moment::new(zoned.timestamp().as_millisecond(), zoned.offset().seconds())
}

/// The folders that belong to this computer alone, never to a synced
/// profile: the config folder (the device id, and the mark of what this
/// computer last wrote to its own log) and the cache folder (snapshots).
/// DESIGN.md, "Profiles and files": a device id inside a synced folder
/// would give two computers one id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDirs {
    /// Holds `device-id` and `own-logs/`.
    pub config_dir: PathBuf,
    /// Holds `snapshots/`; anything in it can be deleted.
    pub cache_dir: PathBuf,
}

/// Environment variable that moves the config folder (tests, portable
/// installs); it wins over the platform's.
pub const CONFIG_DIR_ENV: &str = "YADGAR_CONFIG_DIR";
/// Environment variable that moves the cache folder, as [`CONFIG_DIR_ENV`].
pub const CACHE_DIR_ENV: &str = "YADGAR_CACHE_DIR";

/// The platform folder for this computer's own settings, apart from the
/// data folder.
fn platform_config_dir(dirs: &directories::ProjectDirs) -> &Path {
    if cfg!(target_os = "macos") { dirs.preference_dir() } else { dirs.config_local_dir() }
}

impl LocalDirs {
    /// `YADGAR_CONFIG_DIR` and `YADGAR_CACHE_DIR` when set (and not empty),
    /// else the platform's folders from `directories`: the cache folder,
    /// and for config `config_local_dir` (so a roaming Windows profile
    /// never carries the id to another computer), or on macOS
    /// `preference_dir` (its config folder is the data folder).
    /// `--data-dir` does not move them.
    ///
    /// # Errors
    /// [`StoreError::NoDataDir`] when a folder is not given and the platform
    /// has no home folder.
    pub fn from_env() -> Result<LocalDirs, StoreError> {
        let given = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let platform = directories::ProjectDirs::from("", "", "Yadgar");
        let config_dir = given(CONFIG_DIR_ENV)
            .or_else(|| platform.as_ref().map(|d| platform_config_dir(d).to_path_buf()))
            .ok_or(StoreError::NoDataDir)?;
        let cache_dir = given(CACHE_DIR_ENV)
            .or_else(|| platform.as_ref().map(|d| d.cache_dir().to_path_buf()))
            .ok_or(StoreError::NoDataDir)?;
        Ok(LocalDirs { config_dir, cache_dir })
    }

    /// `dir/config` and `dir/cache`: one temporary folder for a test's
    /// computer.
    pub fn in_folder(dir: &Path) -> LocalDirs {
        LocalDirs { config_dir: dir.join("config"), cache_dir: dir.join("cache") }
    }

    /// The file that holds this installation's device id.
    pub fn device_id_file(&self) -> PathBuf {
        self.config_dir.join("device-id")
    }
}

/// Reads a whole file, such as a CSV or deck file to import.
///
/// # Errors
/// The file cannot be read.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, StoreError> {
    std::fs::read(path).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })
}

/// Reads a whole text file, such as the source text for `yadgar check`.
///
/// # Errors
/// The file cannot be read or is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, StoreError> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.as_bytes().get(..e.utf8_error().valid_up_to()).unwrap_or_default();
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        StoreError::NotUtf8 { path: path.to_path_buf(), line, column }
    })
}

/// The longest quoted value a message shows, in characters.
pub const QUOTE_MAX_CHARS: usize = 80;

/// `text` cut to [`QUOTE_MAX_CHARS`] characters with "…" and its full
/// length, so a message quoting a huge bad value stays readable.
pub fn shorten(text: &str) -> String {
    crate::text::shorten(text, QUOTE_MAX_CHARS)
}

/// Checks that an export may write `to`: never inside the data folder
/// (whatever `replace` says), where a deck or settings file of the user's
/// would be lost; and never over an existing file unless `replace` (the
/// user said so: `--force`, or "Replace" in the window).
///
/// # Errors
/// [`StoreError::ExportInsideDataDir`] or [`StoreError::ExportExists`].
pub fn check_export_target(data_dir: &Path, to: &Path, replace: bool) -> Result<(), StoreError> {
    let resolved = resolve(to);
    let data = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    if resolved.starts_with(&data) {
        return Err(StoreError::ExportInsideDataDir { path: to.to_path_buf(), data_dir: data_dir.to_path_buf() });
    }
    if !replace && (to.exists() || std::fs::symlink_metadata(to).is_ok()) {
        return Err(StoreError::ExportExists(to.to_path_buf()));
    }
    Ok(())
}

/// `path` with its folder (or, if it exists, itself) resolved to an
/// absolute path without links, to compare with the data folder.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(full) = std::fs::canonicalize(path) {
        return full;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    std::fs::canonicalize(&parent).map_or_else(|_| path.to_path_buf(), |p| p.join(name))
}

//! The store: the only code that touches files. It finds the data folder,
//! opens a profile's folder and reads deck files into the core's values.

mod decks;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use decks::{load_deck_dir, load_deck_file, load_library};

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
fn is_valid_profile_name(name: &str) -> bool {
    let trimmed = name.trim();
    !trimmed.is_empty()
        && trimmed == name
        && name.chars().count() <= 64
        && name.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_')
}

/// Reads a whole text file, such as the source text for `yadgar check`.
///
/// # Errors
/// The file cannot be read or is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, StoreError> {
    std::fs::read_to_string(path).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })
}

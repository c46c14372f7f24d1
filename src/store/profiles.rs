//! Profiles: listing, creating, renaming and deleting them (to a trash
//! folder, never erased), and this installation's device id.

use std::path::{Path, PathBuf};

use super::atomic::write_atomic;
use super::{Profile, StoreError, is_valid_profile_name};

fn profiles_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("profiles")
}

fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io { path: path.to_path_buf(), source }
}

/// The names of every profile, sorted.
///
/// # Errors
/// The profiles folder exists but cannot be read.
pub fn list_profiles(data_dir: &Path) -> Result<Vec<String>, StoreError> {
    let dir = profiles_dir(data_dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&dir, e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| is_valid_profile_name(n))
        .collect();
    names.sort();
    Ok(names)
}

/// Creates a new, empty profile.
///
/// # Errors
/// The name is not valid or is taken, or the folder cannot be made.
pub fn create_profile(data_dir: &Path, name: &str) -> Result<Profile, StoreError> {
    if !is_valid_profile_name(name) {
        return Err(StoreError::BadProfileName(name.to_owned()));
    }
    if profiles_dir(data_dir).join(name).exists() {
        return Err(StoreError::ProfileExists(name.to_owned()));
    }
    Profile::open_or_create(data_dir, name)
}

/// Renames a profile's folder, holding its locks: a profile open in a
/// Yadgar on this computer is refused.
///
/// # Errors
/// Either name is not valid, the old one does not exist, the new one does,
/// the profile is open ([`StoreError::Locked`], with the pid), or the rename
/// fails.
pub fn rename_profile(data_dir: &Path, from: &str, to: &str) -> Result<(), StoreError> {
    for name in [from, to] {
        if !is_valid_profile_name(name) {
            return Err(StoreError::BadProfileName(name.to_owned()));
        }
    }
    let (old, new) = (profiles_dir(data_dir).join(from), profiles_dir(data_dir).join(to));
    if !old.is_dir() {
        return Err(StoreError::NoSuchProfile(from.to_owned()));
    }
    if new.exists() {
        return Err(StoreError::ProfileExists(to.to_owned()));
    }
    let locks = super::collection::lock_folder(&old, from)?;
    rename_locked(&old, &new, locks)
}

/// Renames a profile folder while its locks are held where the system
/// allows renaming a folder with open files (Unix); elsewhere the locks are
/// let go just before.
fn rename_locked(from: &Path, to: &Path, locks: super::collection::FolderLocks) -> Result<(), StoreError> {
    #[cfg(not(unix))]
    drop(locks);
    let renamed = std::fs::rename(from, to).map_err(|e| io(from, e));
    #[cfg(unix)]
    drop(locks);
    renamed
}

/// Moves a profile's folder to `<data dir>/trash/<name>-<unix ms>`. Nothing
/// is erased; the caller asks the user to confirm first. Returns where it
/// went.
///
/// # Errors
/// The profile does not exist, is open in a Yadgar on this computer
/// ([`StoreError::Locked`], with the pid), or the move fails.
pub fn delete_profile(data_dir: &Path, name: &str, now_unix_ms: i64) -> Result<PathBuf, StoreError> {
    if !is_valid_profile_name(name) {
        return Err(StoreError::BadProfileName(name.to_owned()));
    }
    let dir = profiles_dir(data_dir).join(name);
    if !dir.is_dir() {
        return Err(StoreError::NoSuchProfile(name.to_owned()));
    }
    let trash = data_dir.join("trash");
    std::fs::create_dir_all(&trash).map_err(|e| io(&trash, e))?;
    let target = trash.join(format!("{name}-{now_unix_ms}"));
    let locks = super::collection::lock_folder(&dir, name)?;
    rename_locked(&dir, &target, locks)?;
    Ok(target)
}

/// This installation's device id, made once and kept in `file` (outside any
/// profile folder, so a synced profile never shares it). Use
/// [`device_id_checked`] where a replaced id can be reported.
///
/// # Errors
/// The file cannot be read or written.
pub fn device_id(file: &Path) -> Result<String, StoreError> {
    device_id_checked(file).map(|d| d.id)
}

/// A device id and, when the old `device-id` file could not be read, what
/// happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId {
    /// The 16 hex digits.
    pub id: String,
    /// Set when an unreadable file was moved aside and a new id made: says
    /// where the old file is.
    pub warning: Option<String>,
}

/// As [`device_id`], saying so when the file held no valid id (empty, a
/// bad hex; a byte-order mark before a good id is accepted): the old file is kept beside it as
/// `device-id.unreadable-<unix ms>`, never overwritten, and a new id is made.
///
/// # Errors
/// The file cannot be read (other than missing), moved aside or written.
pub fn device_id_checked(file: &Path) -> Result<DeviceId, StoreError> {
    let mut warning = None;
    match std::fs::read(file) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            // A byte-order mark (an editor's) in front of a good id is kept:
            // the id, and so this computer's log, stays the same.
            let id = text.trim().trim_start_matches('\u{feff}').trim();
            if id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()) {
                return Ok(DeviceId { id: id.to_owned(), warning: None });
            }
            let millis =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let aside = file.with_file_name(format!("{name}.unreadable-{millis}"));
            std::fs::rename(file, &aside).map_err(|e| io(file, e))?;
            warning = Some(format!(
                "{}: not a device id ({}), so this computer got a new one; the old file was kept as {}: \
                 if this computer's log has another device's name, rename the log or restore the id",
                file.display(),
                super::shorten(&format!("{:?}", text.as_ref())),
                aside.display()
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(file, e)),
    }
    let id = format!("{:016x}", rand::random::<u64>());
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    write_atomic(file, id.as_bytes()).map_err(|e| io(file, e))?;
    Ok(DeviceId { id, warning })
}

/// Replaces this installation's device id with a new one, when its log
/// was found written by another computer with the same id (see
/// `written.rs`). The old file is kept beside it as
/// `device-id.replaced-<unix ms>`. Returns the new id.
///
/// # Errors
/// The file cannot be moved aside or written.
pub fn new_device_id(file: &Path) -> Result<String, StoreError> {
    if file.exists() {
        let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let aside = file.with_file_name(format!("{name}.replaced-{millis}"));
        std::fs::rename(file, &aside).map_err(|e| io(file, e))?;
    }
    device_id(file)
}

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

/// Renames a profile's folder. The caller must not have it open.
///
/// # Errors
/// Either name is not valid, the old one does not exist, the new one does,
/// or the rename fails.
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
    std::fs::rename(&old, &new).map_err(|e| io(&old, e))
}

/// Moves a profile's folder to `<data dir>/trash/<name>-<unix ms>`. Nothing
/// is erased; the caller asks the user to confirm first. Returns where it
/// went.
///
/// # Errors
/// The profile does not exist, or the move fails.
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
    std::fs::rename(&dir, &target).map_err(|e| io(&dir, e))?;
    Ok(target)
}

/// This installation's device id, made once and kept in `file` (outside any
/// profile folder, so a synced profile never shares it).
///
/// # Errors
/// The file cannot be read or written.
pub fn device_id(file: &Path) -> Result<String, StoreError> {
    if let Ok(text) = std::fs::read_to_string(file) {
        let id = text.trim();
        if id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(id.to_owned());
        }
    }
    let id = format!("{:016x}", rand::random::<u64>());
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    write_atomic(file, id.as_bytes()).map_err(|e| io(file, e))?;
    Ok(id)
}

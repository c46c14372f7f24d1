//! The mark of what this computer last wrote to its own log, kept in its
//! config folder (never synced): the log's length and a hash of the bytes
//! before it. When a profile is opened for writing and the log no longer
//! holds those bytes, something else wrote it: a cloned disk or a copied
//! config folder gave two computers one device id, or a sync tool replaced
//! the log with another version. This computer then takes a new device id,
//! so each log has one writer again; nothing is lost, because every log and
//! conflict copy is still read.
//!
//! A log longer than the mark is accepted: the mark is written after each
//! append without an fsync, so a crash can leave it behind this computer's
//! own last events. Another writer's events past the mark are caught as
//! soon as both computers have written, and meanwhile nothing is lost.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What this computer last left in its own log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Mark {
    /// The log, for people reading the file.
    pub log: String,
    /// Its length after this computer's last write.
    pub len: u64,
    /// [`tail_hash`] at `len`.
    pub tail_hash: u64,
}

/// FNV-1a of `bytes`, a stable hash for file names and marks.
pub(super) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A short stable name for a profile folder, to key this computer's files
/// about it (the mark, the snapshot) in its own folders.
pub(super) fn profile_key(profile_dir: &Path) -> String {
    let full = std::fs::canonicalize(profile_dir).unwrap_or_else(|_| profile_dir.to_path_buf());
    format!("{:016x}", fnv(full.to_string_lossy().as_bytes()))
}

/// Where the mark of `device`'s log in `profile_dir` is kept.
pub(super) fn mark_path(config_dir: &Path, profile_dir: &Path, device: &str) -> PathBuf {
    config_dir.join("own-logs").join(format!("{}-{device}.json", profile_key(profile_dir)))
}

/// FNV-1a of the up-to-64 bytes before `len`.
///
/// # Errors
/// The file cannot be read.
pub(super) fn tail_hash(path: &Path, len: u64) -> std::io::Result<u64> {
    let start = len.saturating_sub(64);
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity(64);
    file.take(len - start).read_to_end(&mut bytes)?;
    Ok(fnv(&bytes))
}

/// The mark in `path`, if there is a readable one.
pub(super) fn read(path: &Path) -> Option<Mark> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Notes that `log` is now `len` bytes long. Written through a temporary
/// file and a rename but not fsynced: losing it in a power cut only makes
/// the mark older, which the check accepts.
///
/// # Errors
/// The folder or file cannot be written.
pub(super) fn write(path: &Path, log: &Path, len: u64) -> std::io::Result<()> {
    let mark = Mark { log: log.display().to_string(), len, tail_hash: tail_hash(log, len)? };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    let bytes = serde_json::to_vec(&mark).map_err(std::io::Error::other)?;
    let written = File::create(&tmp).and_then(|mut f| f.write_all(&bytes)).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Why `log` is not what this computer left in it, if it is not.
pub(super) fn check(mark: &Mark, log: &Path) -> Option<String> {
    if mark.len == 0 {
        return None;
    }
    let len = match std::fs::metadata(log) {
        Ok(m) => m.len(),
        // No log at all (the profile was deleted and made again): nothing
        // anyone wrote is at stake, and a new log starts.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(format!("it cannot be read ({e})")),
    };
    if len < mark.len {
        return Some(format!("it is {len} bytes long, but this computer left it {} bytes long", mark.len));
    }
    match tail_hash(log, mark.len) {
        Ok(hash) if hash == mark.tail_hash => None,
        Ok(_) => Some("its lines are not the ones this computer wrote".to_owned()),
        Err(e) => Some(format!("it cannot be read ({e})")),
    }
}

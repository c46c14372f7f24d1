//! The review log files: `reviews-<device>.jsonl`, one JSON event a line,
//! appended and fsynced before a grade counts as saved. Reading tolerates a
//! torn last line (a crash mid-write) and reports anything else it cannot
//! read with the file and line, without touching the file.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::revlog::{Event, LOG_FORMAT};

/// The log file of `device` in a profile folder.
pub fn log_path(profile_dir: &Path, device: &str) -> PathBuf {
    profile_dir.join(format!("reviews-{device}.jsonl"))
}

/// A log file found in the profile folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// Its path.
    pub path: PathBuf,
    /// The device that writes it.
    pub device: String,
}

/// Every device's log in `profile_dir`. Files that look like a sync tool's
/// conflict copies (`reviews-abc (conflict).jsonl`, `reviews-abc.sync-conflict-….jsonl`)
/// are returned separately: they are reported, never silently merged.
pub fn list_logs(profile_dir: &Path) -> std::io::Result<(Vec<LogFile>, Vec<PathBuf>)> {
    let mut logs = Vec::new();
    let mut conflicts = Vec::new();
    for entry in std::fs::read_dir(profile_dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some(device) = name.strip_prefix("reviews-").and_then(|n| n.strip_suffix(".jsonl")) else { continue };
        if !device.is_empty() && device.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            logs.push(LogFile { path: path.clone(), device: device.to_owned() });
        } else {
            conflicts.push(path);
        }
    }
    logs.sort_by(|a, b| a.path.cmp(&b.path));
    conflicts.sort();
    Ok((logs, conflicts))
}

/// What reading a log found.
#[derive(Debug, Default)]
pub struct LogRead {
    /// Every event read.
    pub events: Vec<Event>,
    /// Lines skipped, with file, line and why.
    pub warnings: Vec<String>,
    /// A line from a newer Yadgar was found: this build must not write.
    pub newer_format: Option<String>,
    /// The byte length read, up to the end of the last complete line.
    pub complete_len: u64,
}

/// Reads a log from byte `offset` (0 for the whole file). A last line with
/// no newline that does not parse is a torn write: it is skipped with a
/// warning. A complete line that does not parse is reported with its line
/// number and skipped; the file is never changed.
///
/// # Errors
/// The file cannot be opened or read.
pub fn read_log(path: &Path, offset: u64) -> std::io::Result<LogRead> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut read = LogRead { complete_len: offset, ..LogRead::default() };
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        number += 1;
        let complete = line.last() == Some(&b'\n');
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            if complete {
                read.complete_len += n as u64;
            }
            continue;
        }
        let where_ = if offset == 0 {
            format!("{}:{number}", path.display())
        } else {
            format!("{} (from byte {offset}), line {number}", path.display())
        };
        match serde_json::from_slice::<Event>(text) {
            Ok(event) if event.v > LOG_FORMAT => {
                read.newer_format.get_or_insert_with(|| {
                    format!(
                        "{where_}: written by a newer Yadgar (log format {}); update Yadgar to study with this profile",
                        event.v
                    )
                });
            }
            Ok(event) => read.events.push(event),
            Err(e) if !complete => {
                read.warnings.push(format!("{where_}: the last line was cut off by a crash and is ignored ({e})"));
                break;
            }
            Err(e) => {
                // A line of a newer format may not parse as ours at all.
                if let Ok(value) = serde_json::from_slice::<serde_json::Value>(text)
                    && value.get("v").and_then(serde_json::Value::as_u64).is_some_and(|v| v > u64::from(LOG_FORMAT))
                {
                    read.newer_format.get_or_insert_with(|| {
                        format!("{where_}: written by a newer Yadgar; update Yadgar to study with this profile")
                    });
                } else {
                    read.warnings.push(format!(
                        "{where_}: this line cannot be read and is ignored ({e}); the file is left as it is"
                    ));
                }
            }
        }
        if complete {
            read.complete_len += n as u64;
        }
    }
    Ok(read)
}

/// The open log of this device, for appending.
#[derive(Debug)]
pub struct LogWriter {
    file: File,
    path: PathBuf,
    /// The file's length after the last complete write.
    len: u64,
}

impl LogWriter {
    /// Opens (creating) the log for appending. If the file ends in a torn
    /// line, a newline is written first so the next event starts fresh.
    ///
    /// # Errors
    /// The file cannot be opened, read or written.
    pub fn open(path: &Path) -> std::io::Result<LogWriter> {
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(path)?;
        let mut len = file.metadata()?.len();
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
                file.sync_data()?;
                len += 1;
            }
        } else if let Some(dir) = path.parent() {
            super::atomic::sync_dir(dir)?;
        }
        Ok(LogWriter { file, path: path.to_path_buf(), len })
    }

    /// Appends one event and waits until it is on disk.
    ///
    /// # Errors
    /// The write or the fsync failed (disk full, device gone): the event
    /// must not be shown as saved.
    pub fn append(&mut self, event: &Event) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(event).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let written = self.file.write_all(&line).and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Cut off what part of the line got out, so the next event
                // does not continue a broken line. If even that fails, the
                // torn line is skipped on reading and the next open starts a
                // fresh line.
                let _ = self.file.set_len(self.len);
                Err(e)
            }
        }
    }

    /// The file's length after the last complete write.
    pub fn written_len(&self) -> u64 {
        self.len
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

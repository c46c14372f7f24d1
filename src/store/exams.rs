//! `exams.jsonl`: one finished exam attempt a line, appended and fsynced,
//! read back tolerantly (a torn last line is skipped with a warning).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exam::{AlmostCounts, Given, Mark, Question};

/// The format of attempt lines.
pub const ATTEMPT_FORMAT: u32 = 1;

/// A finished exam attempt, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The line format, 1.
    pub v: u32,
    /// When it started and finished, Unix ms, and the UTC offset.
    pub started_ms: i64,
    /// When it was submitted.
    pub finished_ms: i64,
    /// Seconds east of UTC.
    pub offset_s: i32,
    /// The seed that rebuilds the same exam.
    pub seed: u64,
    /// What the exam covered, in words.
    pub scope: String,
    /// The questions asked.
    pub questions: Vec<Question>,
    /// What was answered.
    pub given: Vec<Given>,
    /// How each answer was judged.
    pub marks: Vec<Mark>,
    /// Points earned.
    pub points: f32,
    /// How near misses counted.
    pub almost: AlmostCounts,
    /// Submitted by the clock rather than the student.
    pub auto_submitted: bool,
}

impl Attempt {
    /// The score as a fraction.
    pub fn fraction(&self) -> f32 {
        if self.questions.is_empty() { 0.0 } else { self.points / self.questions.len() as f32 }
    }
}

pub(crate) fn exams_path(profile_dir: &Path) -> PathBuf {
    profile_dir.join("exams.jsonl")
}

/// Appends an attempt and waits until it is on disk.
pub(crate) fn append(profile_dir: &Path, attempt: &Attempt) -> std::io::Result<()> {
    let path = exams_path(profile_dir);
    let mut file = std::fs::OpenOptions::new().create(true).append(true).read(true).open(&path)?;
    let mut line = serde_json::to_vec(attempt).map_err(std::io::Error::other)?;
    line.push(b'\n');
    // Start on a fresh line if an earlier write was torn.
    let len = file.metadata()?.len();
    if len > 0 {
        let text = std::fs::read(&path)?;
        if text.last() != Some(&b'\n') {
            line.insert(0, b'\n');
        }
    }
    file.write_all(&line)?;
    file.sync_data()
}

/// Every saved attempt, oldest first, and a warning per unreadable line.
pub(crate) fn read(profile_dir: &Path) -> std::io::Result<(Vec<Attempt>, Vec<String>)> {
    let path = exams_path(profile_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut attempts = Vec::new();
    let mut warnings = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Attempt>(line) {
            Ok(a) => attempts.push(a),
            Err(e) => warnings.push(format!(
                "{}:{}: this exam attempt cannot be read and is ignored ({e})",
                path.display(),
                n + 1
            )),
        }
    }
    attempts.sort_by_key(|a| a.finished_ms);
    Ok((attempts, warnings))
}

//! Mock-exam attempts. New attempts and appeals are content events in the
//! device's log (`crate::content`); `exams.jsonl`, where earlier builds
//! appended them, is read as an input (a torn or unreadable line is
//! skipped with a warning) and never written.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exam::{AlmostCounts, Given, Mark, Marking, Question, points};

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
    /// Timelines earned partial credit (the fraction of pairs in order).
    #[serde(default)]
    pub partial_timelines: bool,
    /// Typed answers the student appealed ("I was right"), counted right.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appeals: Vec<usize>,
    /// Per question, the predicted recall of its cards when the exam was
    /// taken (FSRS retrievability, 0 for a card never studied), for
    /// calibration. Empty in attempts saved before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predicted: Vec<f32>,
}

/// An appeal made after an attempt was saved: one line of `exams.jsonl`
/// that names its attempt by start and finish time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appeal {
    /// The line format, 1.
    pub v: u32,
    /// The attempt's `started_ms`.
    pub appeal_started_ms: i64,
    /// The attempt's `finished_ms`.
    pub appeal_finished_ms: i64,
    /// The question appealed, 0-based.
    pub question: usize,
    /// When, Unix ms.
    pub at_ms: i64,
}

impl Attempt {
    /// The score as a fraction.
    pub fn fraction(&self) -> f32 {
        if self.questions.is_empty() { 0.0 } else { self.points / self.questions.len() as f32 }
    }

    /// How this attempt is marked.
    pub fn marking(&self) -> Marking {
        Marking { almost: self.almost, partial_timelines: self.partial_timelines, appeals: self.appeals.clone() }
    }

    /// Marks every answer again under [`Attempt::marking`] (after an appeal).
    pub fn remark(&mut self) {
        let marking = self.marking();
        let mut total = 0.0;
        self.marks.clear();
        for (i, q) in self.questions.iter().enumerate() {
            let (m, p) = points(i, &q.correct, self.given.get(i).unwrap_or(&Given::None), &marking);
            self.marks.push(m);
            total += p;
        }
        self.points = total;
    }

    /// The predicted score when it was taken, if it was kept.
    pub fn predicted_fraction(&self) -> Option<f32> {
        (!self.predicted.is_empty() && self.predicted.len() == self.questions.len())
            .then(|| self.predicted.iter().sum::<f32>() / self.predicted.len() as f32)
    }
}

pub(crate) fn exams_path(profile_dir: &Path) -> PathBuf {
    profile_dir.join("exams.jsonl")
}

/// Every saved attempt, oldest first, and a warning per unreadable line.
pub(crate) fn read(profile_dir: &Path) -> std::io::Result<(Vec<Attempt>, Vec<String>)> {
    let path = exams_path(profile_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut appeals: Vec<Appeal> = Vec::new();
    let mut warnings = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if line.contains("\"appeal_started_ms\"")
            && let Ok(appeal) = serde_json::from_str::<Appeal>(line)
        {
            appeals.push(appeal);
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
    for appeal in appeals {
        let found = attempts
            .iter_mut()
            .find(|a| a.started_ms == appeal.appeal_started_ms && a.finished_ms == appeal.appeal_finished_ms);
        if let Some(attempt) = found
            && !attempt.appeals.contains(&appeal.question)
        {
            attempt.appeals.push(appeal.question);
            attempt.remark();
        }
    }
    attempts.sort_by_key(|a| a.finished_ms);
    Ok((attempts, warnings))
}

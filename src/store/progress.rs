//! How far a slow op has got, for a window that runs it on a worker
//! thread: which stage, and how much of it is done when that is known.
//! The collection updates it as it goes; the window reads it each frame.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

/// What a slow op is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Checking the op and making its events.
    Preparing,
    /// Writing the events to this computer's log (and waiting for the disk).
    Writing,
    /// Reading every computer's log.
    Reading,
    /// Replaying every card from its events.
    Replaying,
}

impl Stage {
    /// The stage in words, for the window.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Preparing => "Checking",
            Stage::Writing => "Saving to your log",
            Stage::Reading => "Reading your logs (every computer's)",
            Stage::Replaying => "Bringing every card up to date",
        }
    }
}

/// Shared between the worker running an op and the window showing it.
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// A stage begins; `total` is its amount of work when known (0: not known).
    pub fn begin(&self, stage: Stage, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.stage.store(stage as u8, Ordering::Relaxed);
    }

    /// `n` more units of the stage's work are done.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// The current stage.
    pub fn stage(&self) -> Stage {
        match self.stage.load(Ordering::Relaxed) {
            1 => Stage::Writing,
            2 => Stage::Reading,
            3 => Stage::Replaying,
            _ => Stage::Preparing,
        }
    }

    /// How much of the current stage is done, from 0 to 1, when known.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.total.load(Ordering::Relaxed);
        let done = self.done.load(Ordering::Relaxed).min(total);
        (total > 0).then(|| done as f32 / total as f32)
    }
}

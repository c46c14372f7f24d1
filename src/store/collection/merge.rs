//! Live merge: while a profile is open, other computers' logs grow (a sync
//! tool delivers their new lines) or new ones appear. [`Collection::merge_new`]
//! reads only what is new since the bytes replayed, folds content events
//! into the library and settings, and applies grades in place when they
//! come after everything applied, else replays only the cards they touch
//! ([`merge_tail`], also used by the snapshot open and for this computer's
//! own grades dated before another computer's).

use std::collections::HashSet;
use std::path::PathBuf;

use super::{Collection, Covered, Tails, file_name, io, log_path, tail_hash};
use crate::deck::{CardId, DeckId};
use crate::revlog::{Carries, Event, EventId, NeedsFullReplay, Progress, Touched};
use crate::schedule::Scheduler;
use crate::store::StoreError;
use crate::store::log::{HOLD_AFTER_MS, list_logs, read_history_of};
use crate::time::Moment;

/// Merges new events `tail` into `progress`, which holds the events of the
/// first `len` bytes of each log in `applied` (path, length) except those
/// in `not_applied`: in place when they all come after everything applied,
/// else by replaying only the cards they touch, whose history is read from
/// those bytes ([`read_history_of`]).
///
/// # Errors
/// [`NeedsFullReplay`], with `progress` unchanged, when the merge cannot be
/// done card by card or a log cannot be read: the caller replays every log
/// (and reports what it cannot read).
#[allow(clippy::too_many_arguments)]
pub(super) fn merge_tail(
    progress: &mut Progress,
    scheduler: &Scheduler,
    carries: &Carries,
    applied: &[(PathBuf, u64)],
    not_applied: &HashSet<EventId>,
    mut tail: Vec<Event>,
    hold_after_ms: i64,
) -> Result<(), NeedsFullReplay> {
    if tail.is_empty() {
        return Ok(());
    }
    // A moved card's events at its old place count at the new one too.
    carries.carry(&mut tail);
    if progress.applies_in_place(&tail) {
        // Cannot fail for such a tail, which holds no undo.
        return progress.apply_tail(scheduler, tail);
    }
    let mut touched = Touched::of(&tail);
    carries.add_sources(&mut touched);
    let mut history = read_history_of(applied, &touched, hold_after_ms).map_err(|_| NeedsFullReplay)?;
    if !not_applied.is_empty() {
        history.retain(|e| !not_applied.contains(&e.id));
    }
    carries.carry(&mut history);
    progress.merge_events(scheduler, history, tail)
}

/// What [`Collection::merge_new`] brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Events read from other computers' logs (grades and content).
    pub events: usize,
    /// Cards whose grades or card actions arrived.
    pub cards: Vec<(DeckId, CardId)>,
    /// The decks or cards changed.
    pub library: bool,
    /// The settings changed (every card was replayed).
    pub settings: bool,
    /// Logs that were new (another computer's first log, a conflict copy).
    pub new_logs: Vec<String>,
}

impl Collection {
    /// Reads what other computers added to the profile's logs since they
    /// were last read (at `now`, which also moves the hold-back time on)
    /// and merges it. Cheap when nothing changed: one listing of the
    /// folder, and per log its length and the last 64 bytes replayed (a
    /// log replaced by another version, shorter or not, is replayed in
    /// full with every other).
    ///
    /// # Errors
    /// A log cannot be read (nothing is merged then; the next call tries
    /// again).
    pub fn merge_new(&mut self, now: Moment) -> Result<Merged, StoreError> {
        let merged = self.merge_logs(now);
        // Whatever was replayed, its last bytes are checked at the next merge.
        self.remember_tails();
        merged
    }

    fn merge_logs(&mut self, now: Moment) -> Result<Merged, StoreError> {
        let held_before = self.hold_after_ms;
        self.hold_after_ms = self.hold_after_ms.max(now.unix_ms.saturating_add(HOLD_AFTER_MS));
        let mut merged = Merged::default();
        // Changes held back as dated too far ahead whose time has come
        // while the window was open.
        let due = self.content.iter().any(|(e, _)| e.at_ms > held_before && e.at_ms <= self.hold_after_ms)
            || self.held.iter().any(|h| h.event.at_ms <= self.hold_after_ms);
        if due {
            self.replay_all()?;
            merged.library = true;
            merged.settings = true;
        }
        let (logs, _) = list_logs(&self.profile.dir).map_err(|s| io(&self.profile.dir, s))?;
        let own = log_path(&self.profile.dir, &self.device);
        let mut tails = Tails::default();
        for log in logs.iter().filter(|l| l.path != own) {
            let len = std::fs::metadata(&log.path).map_err(|s| io(&log.path, s))?.len();
            let known = self.covered.iter().find(|c| c.path == log.path);
            let (offset, lines, last) = known.map_or((0, Some(0), None), |c| (c.len, c.lines, c.last_at_ms));
            // The bytes replayed must still be there: a sync tool may
            // deliver another version of the file (shorter, or as long or
            // longer with other lines), whose events the progress does not
            // hold. Then every log is replayed.
            let replaced = len < offset
                || (offset > 0
                    && self.other_tails.get(&log.path).is_some_and(|&(at, hash)| {
                        at == offset && tail_hash(&log.path, offset).map_or(true, |now| now != hash)
                    }));
            if replaced {
                self.other_tails.clear();
                self.replay_all()?;
                merged.library = true;
                merged.settings = true;
                return Ok(merged);
            }
            if len == offset {
                continue;
            }
            let new_log = known.is_none();
            let grew = tails.read(&log.path, offset, lines, last, self.hold_after_ms).map_err(|s| io(&log.path, s))?;
            if grew && new_log {
                merged.new_logs.push(file_name(&log.path));
            }
        }
        if let Some(why) = tails.newer_format {
            // A newer Yadgar wrote there meanwhile: from now on this build
            // only reads (as it would at open), and the snapshot is not
            // written.
            self.read_only = Some(why.clone());
            self.newer_format = true;
            self.writer = None;
            self.warnings.push(why);
            merged.library = true;
            return Ok(merged);
        }
        let Tails { events: reviews, content, warnings, held, covered, .. } = tails;
        // The bytes replayed so far, whose events the progress holds.
        let applied: Vec<(PathBuf, u64)> = self.covered.iter().map(|c| (c.path.clone(), c.applied_len)).collect();
        for c in covered {
            self.cover(c);
        }
        if reviews.is_empty() && content.is_empty() && held.is_empty() {
            return Ok(merged);
        }
        merged.events = reviews.len() + content.len();
        merged.cards = reviews.iter().map(|e| (e.deck.clone(), e.card.clone())).collect();
        merged.cards.sort();
        merged.cards.dedup();
        merged.library = !content.is_empty();
        self.log_warnings.extend(warnings.iter().cloned());
        self.warnings.extend(warnings);
        self.warnings.extend(held.iter().map(|h| h.warning.clone()));
        self.held.extend(held);
        self.snapshot_current.store(false, std::sync::atomic::Ordering::Relaxed);
        let first_new = self.content.len();
        self.content.extend(content);
        self.warn_held_content(first_new);
        let carries = self.folded.carries.clone();
        if self.refold() {
            merged.settings = true;
            self.replay_all()?;
            return Ok(merged);
        }
        if self.folded.carries != carries {
            // A move arrived or was taken back: its card's events are
            // carried otherwise.
            self.replay_all()?;
            return Ok(merged);
        }
        // Dated among what is applied (the usual case: both computers
        // studied), only the cards they touch are replayed.
        let hold = self.hold_after_ms;
        let carries = &self.folded.carries;
        if merge_tail(&mut self.progress, &self.scheduler, carries, &applied, &HashSet::new(), reviews, hold).is_err() {
            self.replay_all()?;
        }
        Ok(merged)
    }

    /// Notes the hash of the last bytes replayed of each other computer's
    /// log whose replayed length changed since the last merge.
    fn remember_tails(&mut self) {
        let own = log_path(&self.profile.dir, &self.device);
        for c in self.covered.iter().filter(|c| c.path != own && c.len > 0) {
            if self.other_tails.get(&c.path).is_some_and(|&(at, _)| at == c.len) {
                continue;
            }
            if let Ok(hash) = tail_hash(&c.path, c.len) {
                self.other_tails.insert(c.path.clone(), (c.len, hash));
            }
        }
    }

    /// Records that `covered`'s bytes are now replayed.
    fn cover(&mut self, covered: Covered) {
        match self.covered.iter_mut().find(|c| c.path == covered.path) {
            Some(entry) => *entry = covered,
            None => self.covered.push(covered),
        }
    }
}

//! Runs an op of the store on a worker thread, so a slow one (an import of
//! a million reviews, new settings that replay every card, an undo that
//! does) never freezes the window. The collection moves to the worker and
//! comes back with the op's [`Change`]; meanwhile the window shows what is
//! being done and how far it got. A quick op (a grade) is back before the
//! window waits long enough to draw anything else.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::store::{self, Change, Collection, Merged, Op, Progress, StoreError};

/// Who asked for the op, and so who hears how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reply {
    /// The screen that returned `Command::Apply` (it kept what it needs).
    Screen,
    /// Ctrl+Z: the latest action, said in a toast.
    Undo,
    /// A toast's Undo: exactly its events.
    ToastUndo,
    /// Readiness's plan set the new cards a day.
    NewPerDay(u32),
    /// The regular check for other computers' new events.
    Merge,
}

/// What the worker did.
pub(super) enum Outcome {
    /// An op, and its change.
    Applied(Result<Change, StoreError>),
    /// A merge of other computers' new events.
    Merged(Result<Merged, StoreError>),
}

/// What comes back from the worker.
type Done = (Collection, Outcome);

/// An op running on a worker thread.
pub(super) struct Running {
    done: Receiver<Done>,
    progress: Arc<Progress>,
    /// What is being done, in words ("Importing “Treaties”").
    what: String,
    pub(super) reply: Reply,
    started: Instant,
}

/// How the worker ended.
pub(super) enum Finished {
    /// The op ran; the collection is back.
    Ran(Box<Done>),
    /// The worker stopped without returning the collection (a bug): the
    /// profile must be opened again (what was written is in the log).
    Lost,
}

impl Running {
    /// Moves `collection` to a new thread and runs `op` there.
    pub(super) fn start(collection: Collection, op: Op, reply: Reply, ctx: &egui::Context) -> Running {
        let what = working_on(&op);
        Running::spawn(collection, what, reply, ctx, move |collection, report| {
            Outcome::Applied(collection.apply_with_progress(op, store::now(), report))
        })
    }

    /// Moves `collection` to a new thread and merges other computers' new
    /// events there (a settings change from another computer replays
    /// every card).
    pub(super) fn merge(collection: Collection, ctx: &egui::Context) -> Running {
        let what = "Bringing in your other computer's changes".to_owned();
        Running::spawn(collection, what, Reply::Merge, ctx, move |collection, report| {
            Outcome::Merged(collection.merge_new_with_progress(store::now(), report))
        })
    }

    fn spawn(
        mut collection: Collection,
        what: String,
        reply: Reply,
        ctx: &egui::Context,
        work: impl FnOnce(&mut Collection, Arc<Progress>) -> Outcome + Send + 'static,
    ) -> Running {
        let (tx, done) = std::sync::mpsc::channel();
        let progress = Arc::new(Progress::default());
        let report = Arc::clone(&progress);
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let outcome = work(&mut collection, report);
            let _ = tx.send((collection, outcome));
            ctx.request_repaint();
        });
        Running { done, progress, what, reply, started: Instant::now() }
    }

    /// Waits up to `wait` for the op to end; `None` while it runs.
    pub(super) fn wait(&self, wait: Duration) -> Option<Finished> {
        match self.done.recv_timeout(wait) {
            Ok(done) => Some(Finished::Ran(Box::new(done))),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Finished::Lost),
        }
    }

    /// Shows what is being done and how far it got, in place of a screen.
    pub(super) fn ui(&self, ui: &mut egui::Ui) {
        ui.add_space(48.0);
        ui.vertical_centered(|ui| {
            ui.set_max_width(640.0);
            ui.heading(format!("{}…", self.what));
            ui.add_space(12.0);
            let stage = self.progress.stage().describe();
            // A stage at 100% is finishing (the disk confirming the write):
            // a spinner, not a full bar that seems stuck.
            match self.progress.fraction().filter(|f| *f < 1.0) {
                Some(fraction) => {
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_width(480.0)
                            .text(format!("{stage}: {:.0}%", fraction * 100.0)),
                    );
                }
                None => {
                    ui.horizontal(|ui| {
                        // Centred by hand: a horizontal layout starts at the left.
                        let width = ui.painter().layout_no_wrap(
                            stage.to_owned(),
                            egui::TextStyle::Body.resolve(ui.style()),
                            egui::Color32::WHITE,
                        );
                        let used = width.size().x + ui.spacing().interact_size.y + ui.spacing().item_spacing.x;
                        ui.add_space(((ui.available_width() - used) / 2.0).max(0.0));
                        ui.spinner();
                        ui.label(stage);
                    });
                }
            }
            ui.add_space(8.0);
            let seconds = self.started.elapsed().as_secs();
            let so_far = if seconds > 0 { format!("{seconds} s so far. ") } else { String::new() };
            ui.label(
                egui::RichText::new(format!(
                    "{so_far}Your change is safe once it is written; closing the window lets it finish first."
                ))
                .weak(),
            );
        });
        ui.ctx().request_repaint_after(Duration::from_millis(100));
    }
}

/// What an op does, in words, for the window while it runs.
fn working_on(op: &Op) -> String {
    match op {
        Op::ImportDeck { deck, events, .. } => format!(
            "Importing “{}” ({} {}, {} {})",
            deck.title,
            deck.cards.len(),
            super::home::plural(deck.cards.len(), "card", "cards"),
            events.len(),
            super::home::plural(events.len(), "review", "reviews"),
        ),
        Op::SetSettings(_) => "Applying the new settings to every card".to_owned(),
        Op::Undo | Op::UndoEvents(_) => "Undoing".to_owned(),
        Op::MoveCards { cards, .. } => {
            format!("Moving {} {} with their history", cards.len(), super::home::plural(cards.len(), "card", "cards"))
        }
        Op::DeleteDeck(_) => "Deleting the deck".to_owned(),
        Op::RestoreDeck(_) => "Bringing the deck back".to_owned(),
        Op::Cards { cards, .. } | Op::DeleteCards(cards) | Op::RestoreCards(cards) => {
            format!("Saving the change to {} {}", cards.len(), super::home::plural(cards.len(), "card", "cards"))
        }
        Op::EditCards(cards) => {
            format!("Saving the change to {} {}", cards.len(), super::home::plural(cards.len(), "card", "cards"))
        }
        Op::Grade { .. }
        | Op::AddCard { .. }
        | Op::CreateDeck { .. }
        | Op::RenameDeck { .. }
        | Op::SetExamDate(_)
        | Op::RecordExam(_)
        | Op::Appeal { .. } => "Saving".to_owned(),
    }
}

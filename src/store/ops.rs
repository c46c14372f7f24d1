//! The store's one seam: [`Collection::apply`] takes what the student
//! meant ([`Op`]), checks it against the current state, writes it as one
//! append and one fsync to this device's log, folds it into the state and
//! says what changed ([`Change`]). Every write goes through it; the named
//! methods (`grade`, `add_card` ...) are shorthands for it.
//! Undo is an op too: it writes an event that takes back the latest
//! action, so the undo stack survives a restart and reaches every op.

use serde_json::{Map, Value};

use super::collection::{ImportReport, OnExisting};
use super::edit::MoveReport;
use super::exams::Attempt;
use super::log::LogLine;
use super::{Collection, StoreError};
use crate::content::{EXAM_DATE_KEY, Edit};
use crate::deck::{Card, CardId, Deck, DeckId};
use crate::revlog::{Action, Event, EventId, ReviewKind};
use crate::schedule::{Rating, Scheduler, Settings};
use crate::time::Moment;

/// A card's deck and id.
pub type CardRef = (DeckId, CardId);

/// What the student means to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Grade a card.
    Grade {
        /// The card's deck.
        deck: DeckId,
        /// The card.
        card: CardId,
        /// Again, hard, good or easy.
        rating: Rating,
        /// Time taken to answer.
        answer_ms: u32,
        /// Cramming: logged, ignored by the scheduler.
        cram: bool,
    },
    /// Bury, suspend, unsuspend, reset or send to review some cards.
    Cards {
        /// The cards, in order.
        cards: Vec<CardRef>,
        /// What to do to each.
        action: Action,
    },
    /// Add a card to an own deck (its id is made from its question).
    AddCard {
        /// The deck.
        deck: DeckId,
        /// The card.
        card: Card,
    },
    /// Replace cards by their edited versions (same ids).
    EditCards(Vec<(DeckId, Card)>),
    /// Take cards out of their own decks.
    DeleteCards(Vec<CardRef>),
    /// Put deleted cards back.
    RestoreCards(Vec<CardRef>),
    /// Move cards into another own deck, with their history.
    MoveCards {
        /// The cards.
        cards: Vec<CardRef>,
        /// The target deck.
        to: DeckId,
    },
    /// Make a new, empty own deck.
    CreateDeck {
        /// Its title.
        title: String,
    },
    /// Retitle an own deck.
    RenameDeck {
        /// The deck.
        deck: DeckId,
        /// The new title.
        title: String,
    },
    /// Take an own deck away.
    DeleteDeck(DeckId),
    /// Bring a deleted deck back.
    RestoreDeck(DeckId),
    /// Import a deck with its review history.
    ImportDeck {
        /// The deck.
        deck: Deck,
        /// Its history (events of other decks are left out).
        events: Vec<Event>,
        /// What to do if an own deck has its id.
        on_existing: OnExisting,
    },
    /// New scheduling settings (every card is replayed with them).
    SetSettings(Settings),
    /// The exam date for readiness (`YYYY-MM-DD`), or none.
    SetExamDate(Option<String>),
    /// Record a finished mock exam.
    RecordExam(Box<Attempt>),
    /// "I was right" on a question of a recorded attempt.
    Appeal {
        /// The attempt's start, Unix ms.
        started_ms: i64,
        /// The attempt's end, Unix ms.
        finished_ms: i64,
        /// The question, from 0.
        question: usize,
    },
    /// Take back the latest action (of any kind, on any of the student's
    /// computers) that is not yet taken back.
    Undo,
    /// Take back exactly these events (what a toast or a screen said it
    /// did: [`Change::events`]), whatever happened since on any computer.
    UndoEvents(Vec<EventId>),
}

/// What an op changed, for the screens to update and the toast to say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    /// The first event written.
    pub event: Option<EventId>,
    /// What [`Op::UndoEvents`] takes back to undo exactly this op: its
    /// content event (the others of the op go with it), or its review-log
    /// events.
    pub events: Vec<EventId>,
    /// The card made, for [`Op::AddCard`].
    pub card: Option<CardId>,
    /// The deck made, for [`Op::CreateDeck`].
    pub deck: Option<DeckId>,
    /// For [`Op::MoveCards`].
    pub moved: Option<MoveReport>,
    /// For [`Op::ImportDeck`].
    pub imported: Option<ImportReport>,
    /// For [`Op::Undo`]: what was taken back, in words (`None`: nothing was
    /// left to undo).
    pub undone: Option<String>,
    /// The decks or cards changed (the library is new).
    pub library: bool,
    /// Card states or counts changed.
    pub progress: bool,
    /// The settings changed (every card was replayed).
    pub settings: bool,
    /// The exam history changed.
    pub exams: bool,
}

impl Collection {
    /// Carries out `op` at `now`: checks it, appends its events to this
    /// device's log in one write and one fsync, folds them into the state,
    /// and says what changed. On an error nothing was written.
    ///
    /// # Errors
    /// The profile is read-only, the op breaks a rule (a blank question, a
    /// bundled deck, a missing card ...), or the write failed.
    pub fn apply(&mut self, op: Op, now: Moment) -> Result<Change, StoreError> {
        if let Some(report) = &self.report {
            report.begin(super::Stage::Preparing, 0);
        }
        if let Some(reason) = self.read_only_reason() {
            return Err(StoreError::ReadOnly(reason.to_owned()));
        }
        let mut change = Change::default();
        let lines = match op {
            Op::Grade { deck, card, rating, answer_ms, cram } => {
                let kind = if cram {
                    ReviewKind::Cram
                } else {
                    let phase = self.progress().state(&deck, &card).map(|s| s.phase).unwrap_or_default();
                    ReviewKind::for_phase(phase)
                };
                self.review_lines(&[(deck, card)], &Action::Review { rating, kind, answer_ms }, now)
            }
            Op::Cards { cards, action } => self.review_lines(&cards, &action, now),
            Op::AddCard { deck, card } => {
                let (lines, id) = self.add_card_lines(&deck, card, now)?;
                change.card = Some(id);
                lines
            }
            Op::EditCards(edits) => self.edit_lines(edits, now)?,
            Op::DeleteCards(cards) => self.delete_lines(&cards, now)?,
            Op::RestoreCards(cards) => self.restore_lines(&cards, now)?,
            Op::MoveCards { cards, to } => {
                let (lines, report) = self.move_lines(&cards, &to, now)?;
                change.moved = Some(report);
                lines
            }
            Op::CreateDeck { title } => {
                let (lines, id) = self.create_deck_lines(&title, now)?;
                change.deck = Some(id);
                lines
            }
            Op::RenameDeck { deck, title } => self.rename_lines(&deck, &title, now)?,
            Op::DeleteDeck(deck) => self.delete_deck_lines(&deck, now)?,
            Op::RestoreDeck(deck) => self.restore_deck_lines(&deck, now)?,
            Op::ImportDeck { deck, events, on_existing } => {
                let (lines, report) = self.import_lines(deck, events, on_existing, now)?;
                change.imported = Some(report);
                lines
            }
            Op::SetSettings(settings) => self.settings_lines(&settings, now)?,
            Op::SetExamDate(date) => {
                if date == self.preferences().exam_date {
                    Vec::new()
                } else {
                    let mut values = Map::new();
                    values.insert(EXAM_DATE_KEY.to_owned(), date.map_or(Value::Null, Value::String));
                    self.content_lines(vec![Edit::Settings { values }], now)
                }
            }
            Op::RecordExam(attempt) => {
                let attempt = serde_json::to_value(&*attempt)
                    .map_err(|e| StoreError::ReadOnly(format!("the attempt cannot be written: {e}")))?;
                self.content_lines(vec![Edit::ExamAttempt { attempt }], now)
            }
            Op::Appeal { started_ms, finished_ms, question } => {
                self.content_lines(vec![Edit::ExamAppeal { started_ms, finished_ms, question }], now)
            }
            Op::UndoEvents(ids) => {
                let (lines, what) = self.undo_events(&ids, now)?;
                change.undone = Some(what);
                lines
            }
            Op::Undo => match self.latest_action() {
                Some(id) => {
                    let (lines, what) = self.undo_events(&[id], now)?;
                    change.undone = Some(what);
                    lines
                }
                None => Vec::new(),
            },
        };
        change.event = lines.iter().find_map(|l| match l {
            LogLine::Content(e) => Some(e.id),
            LogLine::Review(e) if change.imported.is_none() => Some(e.id),
            LogLine::Review(_) => None,
        });
        // Undo of this op: its first content event (the rest of the op
        // follows it), else every review-log event it wrote.
        change.events = match lines.iter().find_map(|l| match l {
            LogLine::Content(e) => Some(e.id),
            LogLine::Review(_) => None,
        }) {
            Some(head) => vec![head],
            None => lines
                .iter()
                .filter_map(|l| match l {
                    LogLine::Review(e) => Some(e.id),
                    LogLine::Content(_) => None,
                })
                .collect(),
        };
        let touched = self.commit(lines)?;
        change.library = touched.library;
        change.progress = touched.progress;
        change.settings = touched.settings;
        change.exams = touched.exams;
        Ok(change)
    }

    /// Review-log events doing `action` to each card, a millisecond apart.
    fn review_lines(&mut self, cards: &[CardRef], action: &Action, now: Moment) -> Vec<LogLine> {
        let start = self.stamp_many(now, cards.len());
        cards
            .iter()
            .zip(start..)
            .map(|((deck, card), at_ms)| {
                let id = EventId(rand::random::<u128>());
                LogLine::Review(Event::new(
                    id,
                    Moment::new(at_ms, now.offset_s),
                    deck.clone(),
                    card.clone(),
                    action.clone(),
                ))
            })
            .collect()
    }

    /// A settings event holding the keys whose values differ from the
    /// settings in force.
    fn settings_lines(&mut self, settings: &Settings, now: Moment) -> Result<Vec<LogLine>, StoreError> {
        let checked = Scheduler::new(settings.clone()).map_err(StoreError::Settings)?;
        let old = super::collection::settings_map(self.settings());
        let new = super::collection::settings_map(checked.settings());
        let values: Map<String, Value> = new.into_iter().filter(|(k, v)| old.get(k) != Some(v)).collect();
        if values.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.content_lines(vec![Edit::Settings { values }], now))
    }

    /// The latest action not yet taken back: a review-log action or a
    /// content event, whichever sorts later. A grade or card action of a
    /// card whose adding was taken back (the copy of a moved card's history
    /// left under the deck it moved to, once the move is undone) is passed
    /// over: Ctrl+Z never takes back what the student cannot see.
    fn latest_action(&self) -> Option<EventId> {
        let unshown = self.cards_taken_back();
        let review =
            self.progress().undoable.iter().rev().find(|u| !unshown.contains(&u.key)).map(|u| (u.order_key(), u.id));
        let content = self.latest_undoable_content().map(|e| (e.order_key(), e.id));
        review.max(content).map(|(_, id)| id)
    }

    /// Cards added (or moved in) whose adding was taken back and that are
    /// not shown.
    fn cards_taken_back(&self) -> std::collections::HashSet<CardRef> {
        let hold = self.hold_after_ms();
        let undone = crate::content::reverted(self.content_events().filter(|e| e.at_ms <= hold));
        if undone.is_empty() {
            return std::collections::HashSet::new();
        }
        let library = self.library();
        self.content_events()
            .filter(|e| e.is_undone(&undone))
            .filter_map(|e| match &e.edit {
                Edit::CardAdd { deck, card } => Some((deck.clone(), card.id.clone())),
                _ => None,
            })
            .filter(|(deck, card)| crate::study::find(&library, &deck.0, &card.0).is_none())
            .collect()
    }

    /// The events that take back exactly `ids`, and what they were, in
    /// words.
    ///
    /// # Errors
    /// One of them is already taken back, or too old for the undo stack.
    fn undo_events(&mut self, ids: &[EventId], now: Moment) -> Result<(Vec<LogLine>, String), StoreError> {
        let too_old = || {
            StoreError::CannotUndo(
                "that can no longer be undone: it was undone already, or too much has happened since".to_owned(),
            )
        };
        let mut lines = Vec::new();
        let mut words = Vec::new();
        let mut reverts = Vec::new();
        let hold = self.hold_after_ms();
        let undone = crate::content::reverted(self.content_events().filter(|e| e.at_ms <= hold));
        for id in ids {
            if let Some(event) = self.content_events().find(|e| e.id == *id) {
                if event.is_undone(&undone) {
                    return Err(too_old());
                }
                words.push(event.describe());
                reverts.push(Edit::Revert { target: *id });
                continue;
            }
            let undoable = self.progress().undoable.iter().find(|u| u.id == *id).cloned().ok_or_else(too_old)?;
            words.push(format!("{} of card {}", action_word(&undoable.action), undoable.key.1));
            lines.extend(self.review_lines(
                std::slice::from_ref(&undoable.key),
                &Action::Undo { target: undoable.id },
                now,
            ));
        }
        lines.extend(self.content_lines(reverts, now));
        let what = match words.as_slice() {
            [one] => one.clone(),
            many => format!("{} actions", many.len()),
        };
        Ok((lines, what))
    }

    /// [`Collection::apply`], saying how far it got in `progress` (for a
    /// window running a slow op, an import or new settings, on a worker).
    ///
    /// # Errors
    /// As [`Collection::apply`].
    pub fn apply_with_progress(
        &mut self,
        op: Op,
        now: Moment,
        progress: std::sync::Arc<super::Progress>,
    ) -> Result<Change, StoreError> {
        self.report = Some(progress);
        let result = self.apply(op, now);
        self.report = None;
        result
    }

    /// [`Collection::merge_new`], saying how far it got in `progress`.
    ///
    /// # Errors
    /// As [`Collection::merge_new`].
    pub fn merge_new_with_progress(
        &mut self,
        now: Moment,
        progress: std::sync::Arc<super::Progress>,
    ) -> Result<super::Merged, StoreError> {
        self.report = Some(progress);
        let result = self.merge_new(now);
        self.report = None;
        result
    }

    /// Records a grade. The event is on disk before this returns.
    /// Shorthand for [`Collection::apply`] with [`Op::Grade`].
    ///
    /// # Errors
    /// The profile is read-only, or the write failed: the grade is not saved.
    pub fn grade(
        &mut self,
        deck: &DeckId,
        card: &CardId,
        rating: Rating,
        answer_ms: u32,
        now: Moment,
        cram: bool,
    ) -> Result<EventId, StoreError> {
        let op = Op::Grade { deck: deck.clone(), card: card.clone(), rating, answer_ms, cram };
        Ok(self.apply(op, now)?.event.unwrap_or(EventId(0)))
    }

    /// Records a bury, suspend, unsuspend, reset or send-to-review of a card.
    ///
    /// # Errors
    /// As [`Collection::grade`].
    pub fn record(&mut self, deck: &DeckId, card: &CardId, action: Action, now: Moment) -> Result<EventId, StoreError> {
        let op = Op::Cards { cards: vec![(deck.clone(), card.clone())], action };
        Ok(self.apply(op, now)?.event.unwrap_or(EventId(0)))
    }

    /// Records the same action for many cards (a bulk suspend, say) in one
    /// write and one fsync, a millisecond apart, in the order given.
    ///
    /// # Errors
    /// As [`Collection::grade`]; on an error none of them is recorded.
    pub fn record_all(&mut self, cards: &[CardRef], action: &Action, now: Moment) -> Result<usize, StoreError> {
        self.apply(Op::Cards { cards: cards.to_vec(), action: action.clone() }, now)?;
        Ok(cards.len())
    }

    /// Takes back the latest action not yet taken back: a grade, a card
    /// action, an edit, a deck change, an import or a settings change.
    /// Returns what it was, in words, or `None` when nothing is left.
    ///
    /// # Errors
    /// As [`Collection::grade`].
    pub fn undo(&mut self, now: Moment) -> Result<Option<String>, StoreError> {
        Ok(self.apply(Op::Undo, now)?.undone)
    }

    /// Replaces the settings and replays every card with them. Shorthand
    /// for [`Collection::apply`] with [`Op::SetSettings`].
    ///
    /// # Errors
    /// A setting out of range, or the write failed.
    pub fn set_settings(&mut self, settings: Settings) -> Result<(), StoreError> {
        self.apply(Op::SetSettings(settings), super::now()).map(drop)
    }

    /// Records a finished exam attempt.
    ///
    /// # Errors
    /// The profile is read-only or the write failed.
    pub fn save_attempt(&mut self, attempt: &Attempt) -> Result<(), StoreError> {
        self.apply(Op::RecordExam(Box::new(attempt.clone())), super::now()).map(drop)
    }

    /// Records an appeal ("I was right") on question `question` of a saved
    /// attempt.
    ///
    /// # Errors
    /// The profile is read-only or the write failed.
    pub fn appeal(&mut self, attempt: &Attempt, question: usize, at_ms: i64) -> Result<(), StoreError> {
        let op = Op::Appeal { started_ms: attempt.started_ms, finished_ms: attempt.finished_ms, question };
        let now = Moment::new(at_ms.max(super::now().unix_ms), super::now().offset_s);
        self.apply(op, now).map(drop)
    }
}

fn action_word(action: &Action) -> &'static str {
    match action {
        Action::Review { .. } => "grade",
        Action::Bury => "bury",
        Action::Suspend => "suspend",
        Action::Unsuspend => "unsuspend",
        Action::Reset => "reset",
        Action::SendToReview => "send to review",
        Action::Undo { .. } => "undo",
    }
}

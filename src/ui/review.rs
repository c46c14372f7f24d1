//! The review screen and the end-of-session summary. A grade is on disk
//! before the next card is shown: the store appends and fsyncs, and only
//! then does the session move on. A grade whose write failed keeps its card
//! on screen, with the error.

use std::time::Instant;

use egui::{Color32, RichText};

use super::home::{counts_ui, duration_text, plural};
use super::toast::{Toast, Undo};
use super::{Applied, Command, CramScope};
use crate::answer::{self, DiffPart, Verdict};
use crate::commands::describe_next_due;
use crate::deck::{Card, CardId, DeckId, Library};
use crate::ground::SourceText;
use crate::revlog::Action;
use crate::schedule::{Counts, Outcomes, Phase, QueueKind, Rating, card_seed, study_ahead};
use crate::store::{self, Collection};
use crate::study::{self, CardRef};
use crate::time::Moment;

/// Which cards a session shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Today's queue, of every deck or one.
    Due(Option<DeckId>),
    /// Cards not yet due, soonest first (real reviews).
    Ahead,
    /// A deck or tag, logged as cram: the schedule does not change.
    Cram(CramScope),
    /// These cards, in this order, as real reviews (missed exam cards,
    /// preparing for an exam), with a title.
    List(String, Vec<CardRef>),
}

/// Cards studied ahead in one go.
const AHEAD_LIMIT: usize = 50;

/// A review session in progress.
pub struct Session {
    mode: Mode,
    /// For study-ahead and cram: the cards left, in order.
    list: Vec<CardRef>,
    current: Option<(CardRef, QueueKind)>,
    revealed: bool,
    shown_at: Instant,
    typed: String,
    verdict: Option<Verdict>,
    /// The student said a typed answer judged wrong was right.
    appealed: bool,
    /// Set when the student asked to check an empty answer.
    empty_answer: bool,
    outcomes: Option<Outcomes>,
    counts: Counts,
    by_rating: [u32; 4],
    time_ms: u64,
    /// Every grade of the session, in order (an undone one removed).
    graded: Vec<(DeckId, CardId, Rating)>,
    /// Grades, buries and suspends of this session not yet undone, as the
    /// events written: Undo takes back exactly these, the latest first,
    /// never an older action nor one from another computer.
    undoable: Vec<crate::revlog::EventId>,
    /// When learning cards remain but none is due yet.
    waiting_until: Option<i64>,
    /// The op asked for and not yet answered.
    pending: Option<Pending>,
}

/// What the session asked the store for, kept until it is answered.
enum Pending {
    Grade { rating: Rating, answer_ms: u32 },
    Act { text: String },
    Undo(Option<crate::revlog::Undoable>),
}

/// What a frame of the review screen asks for.
pub struct Outcome {
    /// A screen change.
    pub command: Option<Command>,
    /// A problem to show (a failed write).
    pub error: Option<String>,
    /// What a bury or suspend did, with Undo.
    pub toast: Option<Toast>,
}

/// The end-of-session summary.
pub struct Summary {
    /// Grades given (a card missed and seen again counts each time).
    reviewed: u32,
    /// Different cards graded.
    cards: usize,
    /// Cards answered Again at least once: deck, card, question.
    missed: Vec<(DeckId, CardId, String)>,
    by_rating: [u32; 4],
    time_ms: u64,
    next_due: String,
    waiting: Option<String>,
    cram: bool,
}

impl Session {
    /// Starts a session and picks its first card.
    pub fn new(mode: Mode, collection: &Collection, library: &Library) -> Session {
        let now = store::now();
        let list = match &mode {
            Mode::Due(_) => Vec::new(),
            Mode::Ahead => {
                let (refs, items) = study::cards(library, collection.progress(), None);
                study_ahead(collection.scheduler(), now, items, AHEAD_LIMIT)
                    .into_iter()
                    .filter_map(|q| refs.get(q.index).copied())
                    .collect()
            }
            Mode::Cram(scope) => cram_cards(library, scope),
            Mode::List(_, cards) => cards.clone(),
        };
        let mut session = Session {
            mode,
            list,
            current: None,
            revealed: false,
            shown_at: Instant::now(),
            typed: String::new(),
            verdict: None,
            appealed: false,
            empty_answer: false,
            outcomes: None,
            counts: Counts::default(),
            by_rating: [0; 4],
            time_ms: 0,
            graded: Vec::new(),
            undoable: Vec::new(),
            waiting_until: None,
            pending: None,
        };
        session.advance(collection, library);
        session
    }

    /// Whether `events` are this session's latest action (its Undo shows
    /// the card again).
    pub(super) fn owns_last(&self, events: &[crate::revlog::EventId]) -> bool {
        events.len() == 1 && events.first() == self.undoable.last()
    }

    /// Whether no card is left to show now.
    pub fn is_finished(&self) -> bool {
        self.current.is_none()
    }

    /// Another computer's changes were merged: `old` is the library the
    /// session's places point into, `library` the new one, `graded` the
    /// cards whose grades or actions arrived. A card graded there is not
    /// graded twice by mistake: the session moves on. Returns what to say.
    pub(super) fn merged(
        &mut self,
        collection: &Collection,
        old: &Library,
        library: &Library,
        graded: &[(DeckId, CardId)],
    ) -> Option<String> {
        let ids = |r: &CardRef| {
            let deck = old.decks.get(r.deck)?;
            let card = deck.deck.cards.get(r.card)?;
            Some((deck.deck.id.clone(), card.id.clone()))
        };
        let current = self.current.as_ref().and_then(|(r, _)| ids(r));
        // Places in the new library, by id (a deleted card drops out).
        self.list = self.list.iter().filter_map(ids).filter_map(|(d, c)| study::find(library, &d.0, &c.0)).collect();
        let (deck, card) = current?;
        let studied_elsewhere = graded.contains(&(deck.clone(), card.clone())) && !matches!(self.mode, Mode::Cram(_));
        match study::find(library, &deck.0, &card.0) {
            Some(place) if !studied_elsewhere => {
                if let Some((r, _)) = &mut self.current {
                    *r = place;
                }
                None
            }
            Some(place) => {
                // A list session shows its first card: take it out first.
                self.list.retain(|r| *r != place);
                self.advance(collection, library);
                Some(
                    "Your other computer just graded this card, so it was not shown twice: here is the next one."
                        .to_owned(),
                )
            }
            None => {
                self.advance(collection, library);
                Some("This card was deleted on your other computer: here is the next one.".to_owned())
            }
        }
    }

    /// Picks the next card from the queue or the list.
    fn advance(&mut self, collection: &Collection, library: &Library) {
        let now = store::now();
        self.revealed = false;
        self.typed.clear();
        self.verdict = None;
        self.appealed = false;
        self.empty_answer = false;
        self.outcomes = None;
        self.shown_at = Instant::now();
        self.waiting_until = None;
        self.current = match &self.mode {
            Mode::Due(deck) => {
                let (queue, refs) =
                    study::queue(collection.scheduler(), now, library, collection.progress(), deck.as_ref());
                self.counts = queue.counts;
                let next = queue.next(now).and_then(|q| refs.get(q.index).map(|r| (*r, q.kind)));
                if next.is_none() {
                    self.waiting_until = queue.learning_due_at();
                }
                next
            }
            Mode::Ahead | Mode::Cram(_) | Mode::List(..) => {
                // Say honestly which of the listed cards are new.
                let kind = |r: &CardRef| {
                    let phase = library.decks.get(r.deck).and_then(|d| {
                        Some(collection.progress().state(&d.deck.id, &d.deck.cards.get(r.card)?.id)?.phase)
                    });
                    match phase {
                        None | Some(Phase::New) => QueueKind::New,
                        Some(Phase::Learning | Phase::Relearning) => QueueKind::Learning,
                        Some(_) => QueueKind::Review,
                    }
                };
                let mut counts = Counts::default();
                for r in &self.list {
                    match kind(r) {
                        QueueKind::New => counts.new += 1,
                        QueueKind::Learning => counts.learning += 1,
                        QueueKind::Review => counts.review += 1,
                    }
                }
                self.counts = counts;
                self.list.first().map(|r| (*r, kind(r)))
            }
        };
    }

    fn card<'a>(&self, library: &'a Library) -> Option<(&'a DeckId, &'a Card)> {
        let (r, _) = self.current?;
        let loaded = library.decks.get(r.deck)?;
        Some((&loaded.deck.id, loaded.deck.cards.get(r.card)?))
    }

    fn reveal(&mut self, collection: &Collection, library: &Library) {
        let Some((_, card)) = self.card(library) else { return };
        if collection.preferences().typed_answers && !self.revealed {
            if self.typed.trim().is_empty() {
                self.empty_answer = true;
                return;
            }
            self.verdict = Some(answer::check(&self.typed, &card.answer, &card.accept));
        }
        self.show_answer(collection, library);
    }

    /// Shows the answer and computes the four grades' intervals for the buttons.
    fn show_answer(&mut self, collection: &Collection, library: &Library) {
        let Some((deck, card)) = self.card(library) else { return };
        let state = collection.progress().state(deck, &card.id).cloned().unwrap_or_default();
        self.outcomes = collection.scheduler().next_states(card_seed(&deck.0, &card.id.0), &state, store::now()).ok();
        self.revealed = true;
        self.empty_answer = false;
    }

    /// Asks for the card on screen to be graded (the session moves on when
    /// the grade is saved, in [`Session::applied`]).
    fn grade(&mut self, rating: Rating, library: &Library) -> Option<Command> {
        let (deck, card) = self.card_key(library)?;
        let answer_ms = u32::try_from(self.shown_at.elapsed().as_millis()).unwrap_or(u32::MAX).min(600_000);
        let cram = matches!(self.mode, Mode::Cram(_));
        self.pending = Some(Pending::Grade { rating, answer_ms });
        Some(Command::apply(store::Op::Grade { deck, card, rating, answer_ms, cram }))
    }

    /// Asks for the card on screen to be buried or suspended.
    fn act(&mut self, action: Action, library: &Library) -> Option<Command> {
        let (deck, card) = self.card(library)?;
        let (deck, card_id, question) = (deck.clone(), card.id.clone(), card.question.clone());
        let text = match action {
            Action::Bury => format!("Buried until tomorrow: “{}”", short(&question)),
            _ => format!("Suspended: “{}” (unsuspend it in the browser)", short(&question)),
        };
        self.pending = Some(Pending::Act { text });
        Some(Command::apply(store::Op::Cards { cards: vec![(deck, card_id)], action }))
    }

    /// The op taking back the session's last grade, bury or suspend (its
    /// card shows again once that is saved); `None` when there is none.
    pub(super) fn begin_undo(&mut self, collection: &Collection) -> Option<store::Op> {
        let &id = self.undoable.last()?;
        let last = collection.progress().undoable.iter().find(|u| u.id == id).cloned();
        self.pending = Some(Pending::Undo(last));
        Some(store::Op::UndoEvents(vec![id]))
    }

    /// What the session makes of the op it asked for: on to the next card
    /// after a grade, the card again after an undo. On an error the card
    /// stays on screen: nothing was saved.
    pub(super) fn applied(
        &mut self,
        result: Result<store::Change, store::StoreError>,
        collection: &Collection,
        library: &Library,
    ) -> Applied {
        let Some(pending) = self.pending.take() else { return Applied::none() };
        let change = match result {
            Ok(change) => change,
            Err(e) => {
                let banner = match pending {
                    Pending::Grade { .. } => format!(
                        "Your grade was NOT saved: {e}. Free some disk space or check the data folder, then grade the card again."
                    ),
                    Pending::Act { .. } => format!("That was NOT saved: {e}"),
                    Pending::Undo(_) => format!("The undo was NOT saved: {e}"),
                };
                return Applied { banner: Some(banner), ..Applied::none() };
            }
        };
        match pending {
            Pending::Grade { rating, answer_ms } => {
                if let Some(n) = self.by_rating.get_mut(usize::from(u8::from(rating)) - 1) {
                    *n += 1;
                }
                self.time_ms += u64::from(answer_ms);
                if let Some(((deck, card), id)) = self.card_key(library).zip(change.event) {
                    self.graded.push((deck, card, rating));
                    self.undoable.push(id);
                }
                self.next_card(collection, library);
                Applied::none()
            }
            Pending::Act { text } => {
                self.next_card(collection, library);
                match change.event {
                    Some(id) => {
                        self.undoable.push(id);
                        Applied::toast(Toast::with_undo(text, Undo::Events(vec![id])))
                    }
                    None => Applied::none(),
                }
            }
            Pending::Undo(undone) => {
                let Some(undone) = undone.filter(|_| change.undone.is_some()) else {
                    return Applied::toast(Toast::say("There is nothing to undo."));
                };
                self.undoable.pop();
                if let Action::Review { rating, answer_ms, .. } = undone.action {
                    if let Some(n) = self.by_rating.get_mut(usize::from(u8::from(rating)) - 1) {
                        *n = n.saturating_sub(1);
                    }
                    self.time_ms = self.time_ms.saturating_sub(u64::from(answer_ms));
                    let (deck, card) = &undone.key;
                    if let Some(i) = self.graded.iter().rposition(|(d, c, _)| d == deck && c == card) {
                        self.graded.remove(i);
                    }
                }
                // Show the card that was taken back again, as Anki does.
                let found = study::find(library, &undone.key.0.0, &undone.key.1.0);
                self.advance(collection, library);
                if let Some(r) = found {
                    if !matches!(self.mode, Mode::Due(_)) {
                        self.list.insert(0, r);
                    }
                    self.current = Some((r, QueueKind::Review));
                }
                Applied::none()
            }
        }
    }

    /// Past the card on screen, once its grade or action is saved.
    fn next_card(&mut self, collection: &Collection, library: &Library) {
        if !matches!(self.mode, Mode::Due(_)) && !self.list.is_empty() {
            self.list.remove(0);
        }
        self.advance(collection, library);
    }

    /// The deck and id of the card on screen.
    fn card_key(&self, library: &Library) -> Option<(DeckId, CardId)> {
        let (deck, card) = self.card(library)?;
        Some((deck.clone(), card.id.clone()))
    }

    /// The summary of this session.
    pub fn summary(&self, collection: Option<&Collection>, library: &Library) -> Summary {
        let now = store::now();
        let next_due = collection.map_or_else(String::new, |c| {
            let (queue, _) = study::queue(c.scheduler(), now, library, c.progress(), None);
            let next = queue.next_due_any().map(|m| Moment::new(m.unix_ms, now.offset_s));
            if queue.counts.total() > 0 && queue.next(now).is_some() {
                "now (other decks have cards due)".to_owned()
            } else {
                describe_next_due(next, now)
            }
        });
        let mut cards: Vec<(&DeckId, &CardId)> = self.graded.iter().map(|(d, c, _)| (d, c)).collect();
        cards.sort_unstable();
        cards.dedup();
        let mut missed: Vec<(DeckId, CardId, String)> = Vec::new();
        for (deck, card, rating) in &self.graded {
            if *rating == Rating::Again && !missed.iter().any(|(d, c, _)| d == deck && c == card) {
                let question = library
                    .deck(deck)
                    .and_then(|d| d.deck.cards.iter().find(|x| x.id == *card))
                    .map_or_else(|| card.0.to_string(), |x| x.question.clone());
                missed.push((deck.clone(), card.clone(), question));
            }
        }
        Summary {
            cards: cards.len(),
            missed,
            reviewed: self.by_rating.iter().sum(),
            by_rating: self.by_rating,
            time_ms: self.time_ms,
            next_due,
            waiting: self.waiting_until.map(|ms| describe_next_due(Some(Moment::new(ms, now.offset_s)), now)),
            cram: matches!(self.mode, Mode::Cram(_)),
        }
    }

    /// Draws the review screen and handles its keys.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        library: &Library,
        source: Option<&SourceText>,
    ) -> Outcome {
        let mut out = Outcome { command: None, error: None, toast: None };
        let Some((deck, card)) = self.card(library) else { return out };
        // The paragraph numbers of a deck written from another text mean nothing in this one.
        let source = source.filter(|s| library.deck(deck).is_some_and(|d| super::reader::cites(&d.deck, s)));
        let card = card.clone();
        let typed_mode = collection.preferences().typed_answers;

        self.progress_ui(ui, &card);
        let mut typed_submitted = false;
        let mut rating_clicked = None;
        let mut action = None;
        // The card can be taller than the window (a long note, the cited
        // paragraph unfolded): it scrolls, and the buttons stay below it.
        let card_height = (ui.available_height() - if self.revealed { 170.0 } else { 80.0 }).max(120.0);
        egui::ScrollArea::vertical().max_height(card_height).auto_shrink([false, true]).show(ui, |ui| {
            ui.add_space(18.0);
            ui.vertical_centered(|ui| {
                ui.set_max_width(760.0);
                ui.label(RichText::new(&card.question).size(26.0).strong());
                ui.add_space(16.0);
                if typed_mode && !self.revealed {
                    let label = ui.label("Your answer:");
                    let response = ui
                        .add(
                            egui::TextEdit::singleline(&mut self.typed)
                                .desired_width(420.0)
                                .font(egui::TextStyle::Heading)
                                .hint_text("type, then press Enter"),
                        )
                        .labelled_by(label.id);
                    if !response.has_focus() && !response.lost_focus() {
                        response.request_focus();
                    }
                    typed_submitted = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if self.empty_answer {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            "Type an answer first, or press Show answer to see it.",
                        );
                    }
                }
                if self.revealed {
                    self.answer_ui(ui, &card, source);
                } else {
                    ui.add_space(8.0);
                    let label = if typed_mode { "Check answer" } else { "Show answer" };
                    if ui
                        .add(egui::Button::new(RichText::new(label).size(18.0)).min_size(egui::vec2(200.0, 44.0)))
                        .on_hover_text("Space or Enter")
                        .clicked()
                    {
                        if typed_mode && self.typed.trim().is_empty() {
                            // An explicit click on an empty answer shows it anyway.
                            self.typed = String::new();
                            self.verdict = None;
                            self.show_answer(collection, library);
                        } else {
                            self.reveal(collection, library);
                        }
                    }
                }
            });
            if typed_submitted {
                self.reveal(collection, library);
            }
        });
        ui.add_space(16.0);
        if self.revealed {
            rating_clicked = self.grade_buttons_ui(ui);
        }
        ui.add_space(20.0);
        let last = self.undoable.last();
        let undo_label =
            last.and_then(|id| collection.progress().undoable.iter().rev().find(|u| u.id == *id)).map(|u| {
                match &u.action {
                    Action::Review { rating, .. } => format!("Undo grade ({})", rating.label()),
                    Action::Bury => "Undo bury".to_owned(),
                    Action::Suspend => "Undo suspend".to_owned(),
                    Action::Unsuspend => "Undo unsuspend".to_owned(),
                    Action::Reset => "Undo reset".to_owned(),
                    Action::SendToReview | Action::Undo { .. } => "Undo".to_owned(),
                }
            });
        ui.horizontal(|ui| {
            let can_undo = undo_label.is_some();
            let button = egui::Button::new(undo_label.unwrap_or_else(|| "Undo".to_owned()));
            if ui
                .add_enabled(can_undo, button)
                .on_hover_text("Ctrl+Z")
                .on_disabled_hover_text("Nothing to undo yet")
                .clicked()
            {
                action = Some("undo");
            }
            if ui.button("Bury until tomorrow").on_hover_text("-").clicked() {
                action = Some("bury");
            }
            if ui.button("Suspend card").on_hover_text("@").clicked() {
                action = Some("suspend");
            }
            if self.revealed && ui.button("Edit card").on_hover_text("E").clicked() {
                action = Some("edit");
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("End session").clicked() {
                    out.command = Some(Command::Home);
                }
            });
        });
        // Keys, unless a text field is taking them.
        let typing = ui.ctx().egui_wants_keyboard_input();
        let (reveal_key, rating_key, undo_key, bury_key, suspend_key, edit_key, escape) = ui.input(|i| {
            let reveal = i.key_pressed(egui::Key::Space) || i.key_pressed(egui::Key::Enter);
            let rating = [egui::Key::Num1, egui::Key::Num2, egui::Key::Num3, egui::Key::Num4]
                .iter()
                .position(|k| i.key_pressed(*k))
                .and_then(|n| Rating::ALL.get(n).copied());
            let undo = i.modifiers.command && i.key_pressed(egui::Key::Z);
            let bury = i.key_pressed(egui::Key::Minus);
            let suspend = i.events.iter().any(|e| matches!(e, egui::Event::Text(t) if t == "@"));
            let edit = !i.modifiers.any() && i.key_pressed(egui::Key::E);
            (reveal, rating, undo, bury, suspend, edit, i.key_pressed(egui::Key::Escape))
        });
        if !typing && !typed_submitted {
            if reveal_key {
                if self.revealed {
                    rating_clicked = rating_clicked.or(Some(Rating::Good));
                } else {
                    self.reveal(collection, library);
                }
            }
            if self.revealed {
                rating_clicked = rating_clicked.or(rating_key);
            }
            if undo_key {
                action = Some("undo");
            }
            if bury_key {
                action = Some("bury");
            }
            if suspend_key {
                action = Some("suspend");
            }
            if edit_key && self.revealed {
                action = Some("edit");
            }
            if escape {
                ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
                out.command = Some(Command::Home);
            }
        } else if undo_key {
            action = Some("undo");
        }
        if let Some(rating) = rating_clicked {
            out.command = self.grade(rating, library);
        }
        match action {
            Some("bury") => out.command = self.act(Action::Bury, library).or(out.command),
            Some("suspend") => out.command = self.act(Action::Suspend, library).or(out.command),
            Some("undo") => match self.begin_undo(collection) {
                Some(op) => out.command = Some(Command::apply(op)),
                None => out.error = Some("There is nothing to undo in this session.".to_owned()),
            },
            Some("edit") => {
                if let Some((deck, card)) = self.card(library) {
                    out.command = Some(Command::EditCard(deck.clone(), card.id.clone()));
                }
            }
            _ => {}
        }
        // Keep the timer on the card moving.
        ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
        out
    }

    fn progress_ui(&self, ui: &mut egui::Ui, card: &Card) {
        ui.horizontal(|ui| {
            let mode = match &self.mode {
                Mode::Due(_) => "Today's reviews",
                Mode::Ahead => "Studying ahead",
                Mode::Cram(_) => "Cram (your schedule does not change)",
                Mode::List(title, _) => title.as_str(),
            };
            ui.label(RichText::new(mode).strong());
            counts_ui(ui, self.counts, 15.0);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    RichText::new(format!(
                        "{} on this card",
                        duration_text(self.shown_at.elapsed().as_millis() as u64)
                    ))
                    .weak(),
                );
            });
        });
        let done = self.by_rating.iter().sum::<u32>() as f32;
        let left = self.counts.total() as f32;
        let fraction = if done + left > 0.0 { done / (done + left) } else { 1.0 };
        ui.add(egui::ProgressBar::new(fraction).desired_height(8.0));
        // On a line of their own, so a narrow window never draws the counts over them.
        if !card.tags.is_empty() {
            ui.add(egui::Label::new(RichText::new(format!("Tags: {}", card.tags.join(" · "))).weak()).wrap());
        }
    }

    fn answer_ui(&mut self, ui: &mut egui::Ui, card: &Card, source: Option<&SourceText>) {
        if let Some(verdict) = self.verdict {
            if self.appealed {
                ui.label(
                    RichText::new("Counted as right: you said your answer was right")
                        .color(Color32::from_rgb(40, 150, 60))
                        .strong()
                        .size(18.0),
                );
            } else if typed_feedback_ui(ui, &self.typed, card, verdict) {
                self.appealed = true;
            }
            ui.add_space(6.0);
        }
        answer_face_ui(ui, card, source);
    }

    fn grade_buttons_ui(&self, ui: &mut egui::Ui) -> Option<Rating> {
        let mut clicked = None;
        let width = 4.0 * 150.0 + 3.0 * 10.0;
        ui.horizontal(|ui| {
            ui.add_space(((ui.available_width() - width) / 2.0).max(0.0));
            for (n, rating) in Rating::ALL.iter().enumerate() {
                // Cram never changes the schedule, so it shows no intervals.
                let text = if matches!(self.mode, Mode::Cram(_)) {
                    format!("{}  {}", n + 1, rating.label())
                } else {
                    let interval = self.outcomes.as_ref().map(|o| o.of(*rating).interval.label()).unwrap_or_default();
                    format!("{}  {}\n{}", n + 1, rating.label(), interval)
                };
                let button = egui::Button::new(RichText::new(text).size(16.0)).min_size(egui::vec2(150.0, 54.0));
                if ui.add(button).on_hover_text(format!("key {}", n + 1)).clicked() {
                    clicked = Some(*rating);
                }
            }
        });
        clicked
    }
}

/// The answer side of a card as review shows it: the answer, accepted
/// forms, note and source (also the editor's preview). With the student's
/// source text, the cited paragraph is there too, folded, with the answer
/// marked in it.
pub(super) fn answer_face_ui(ui: &mut egui::Ui, card: &Card, source: Option<&SourceText>) {
    ui.separator();
    ui.label(RichText::new(&card.answer).size(28.0).strong().color(ui.visuals().strong_text_color()));
    if !card.accept.is_empty() {
        ui.label(RichText::new(format!("also accepted: {}", card.accept.join("; "))).weak());
    }
    ui.add_space(8.0);
    if !card.note.is_empty() {
        ui.label(RichText::new(&card.note).size(16.0));
    }
    source_paragraph_ui(ui, card, source);
}

/// "Source: paragraph N", and with the student's copy of the text the
/// paragraph itself, folded, with the answer marked.
pub(super) fn source_paragraph_ui(ui: &mut egui::Ui, card: &Card, source: Option<&SourceText>) {
    let Some(cited) = &card.source else { return };
    let paragraph = source.and_then(|s| s.paragraph(cited.paragraph));
    match paragraph {
        None => {
            ui.label(RichText::new(format!("Source: paragraph {}", cited.paragraph)).weak());
        }
        Some(text) => {
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.set_max_width(760.0);
                egui::CollapsingHeader::new(RichText::new(format!("Source: paragraph {}", cited.paragraph)).weak())
                    .id_salt(("cited_paragraph", &card.id))
                    .default_open(false)
                    .show(ui, |ui| {
                        ui.label(highlighted(ui, text, card));
                    });
            });
        }
    }
}

/// `text` with the first place it states the card's answer (or an
/// accepted form) marked, as far as a plain search finds it.
fn highlighted(ui: &egui::Ui, text: &str, card: &Card) -> egui::text::LayoutJob {
    let font = egui::FontId::proportional(15.0);
    let plain = egui::TextFormat { font_id: font.clone(), color: ui.visuals().text_color(), ..Default::default() };
    let (mark_bg, mark_fg) = if ui.visuals().dark_mode {
        (Color32::from_rgb(110, 90, 20), Color32::WHITE)
    } else {
        (Color32::from_rgb(255, 236, 150), Color32::BLACK)
    };
    let mark = egui::TextFormat { font_id: font, color: mark_fg, background: mark_bg, ..Default::default() };
    let lower = text.to_lowercase();
    let found = std::iter::once(&card.answer).chain(&card.accept).find_map(|form| {
        let form = form.trim().to_lowercase();
        if form.is_empty() || lower.len() != text.len() {
            return None;
        }
        lower.find(&form).map(|at| (at, at + form.len()))
    });
    let mut job = egui::text::LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    match found.and_then(|(a, b)| Some((text.get(..a)?, text.get(a..b)?, text.get(b..)?))) {
        Some((before, answer, after)) => {
            job.append(before, 0.0, plain.clone());
            job.append(answer, 0.0, mark);
            job.append(after, 0.0, plain);
        }
        None => job.append(text, 0.0, plain),
    }
    job
}

/// The verdict on a typed answer and, when it is not right, what was typed
/// and the accepted form nearest to it on two lines, letter by letter:
/// letters that are not in the answer struck through in red on the first,
/// letters that were missed underlined in green on the second. Below
/// [`answer::NOT_QUITE`] similarity it says "Wrong", not "Not quite".
/// Returns true when the student presses "I was right".
pub(super) fn typed_feedback_ui(ui: &mut egui::Ui, typed: &str, card: &Card, verdict: Verdict) -> bool {
    let (nearest, similarity) = answer::nearest(typed, &card.answer, &card.accept);
    let (text, color) = match verdict {
        Verdict::Correct => ("Correct", Color32::from_rgb(40, 150, 60)),
        Verdict::Almost => ("Almost: check the spelling", Color32::from_rgb(200, 130, 20)),
        Verdict::Wrong if similarity >= answer::NOT_QUITE => ("Not quite", ui.visuals().error_fg_color),
        Verdict::Wrong => ("Wrong", ui.visuals().error_fg_color),
    };
    ui.label(RichText::new(text).color(color).strong().size(18.0));
    if verdict == Verdict::Correct {
        return false;
    }
    typed_lines_ui(ui, typed, nearest);
    ui.button("I was right")
        .on_hover_text("Count this answer as right (the checker is strict about some forms)")
        .clicked()
}

/// What was typed and the expected form, on two lines, letter by letter.
pub(super) fn typed_lines_ui(ui: &mut egui::Ui, typed: &str, expected: &str) {
    let red = ui.visuals().error_fg_color;
    let green = Color32::from_rgb(40, 150, 60);
    let font = egui::FontId::proportional(20.0);
    let plain = egui::TextFormat { font_id: font.clone(), color: ui.visuals().text_color(), ..Default::default() };
    let mut typed_job = egui::text::LayoutJob::default();
    let mut expected_job = egui::text::LayoutJob::default();
    for part in answer::diff(typed, expected) {
        match &part {
            DiffPart::Same(t) => {
                typed_job.append(t, 0.0, plain.clone());
                expected_job.append(t, 0.0, plain.clone());
            }
            DiffPart::Extra(t) => typed_job.append(
                t,
                0.0,
                egui::TextFormat {
                    font_id: font.clone(),
                    color: red,
                    strikethrough: egui::Stroke::new(1.5, red),
                    ..Default::default()
                },
            ),
            DiffPart::Missing(t) => expected_job.append(
                t,
                0.0,
                egui::TextFormat {
                    font_id: font.clone(),
                    color: green,
                    underline: egui::Stroke::new(1.5, green),
                    ..Default::default()
                },
            ),
        }
    }
    egui::Grid::new(("typed_lines", expected)).num_columns(2).show(ui, |ui| {
        ui.label(RichText::new("You typed:").weak());
        ui.label(typed_job);
        ui.end_row();
        ui.label(RichText::new("Right answer:").weak());
        ui.label(expected_job);
        ui.end_row();
    });
}

fn cram_cards(library: &Library, scope: &CramScope) -> Vec<CardRef> {
    let mut out = Vec::new();
    for (d, loaded) in library.decks.iter().enumerate() {
        for (c, card) in loaded.deck.cards.iter().enumerate() {
            let wanted = match scope {
                CramScope::Deck(id) => loaded.deck.id == *id,
                CramScope::Tag(tag) => card.tags.iter().any(|t| t == tag),
                CramScope::Paragraph(n, fingerprint) => {
                    loaded.deck.source_sha256.as_deref().is_none_or(|f| f.eq_ignore_ascii_case(fingerprint))
                        && card.source.as_ref().is_some_and(|s| s.paragraph == *n)
                }
            };
            if wanted {
                out.push(CardRef { deck: d, card: c });
            }
        }
    }
    out
}

impl Summary {
    /// Draws the summary: cards and answers, the grades, when the next
    /// review is, and the cards missed, each with Edit and Browse.
    pub fn ui(&self, ui: &mut egui::Ui) -> Option<Command> {
        let mut command = None;
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                let title = if self.cram { "Cram session done" } else { "Session done" };
                ui.label(RichText::new(title).size(28.0).strong());
                ui.add_space(12.0);
                let n = self.reviewed as usize;
                ui.label(
                    RichText::new(format!(
                        "{} {} · {n} {} in {}",
                        self.cards,
                        plural(self.cards, "card", "cards"),
                        plural(n, "answer", "answers"),
                        duration_text(self.time_ms)
                    ))
                    .size(19.0),
                );
                if n > self.cards {
                    ui.label(
                        RichText::new("A card you miss comes back in the session, so it is answered more than once.")
                            .weak(),
                    );
                }
                ui.add_space(8.0);
                let line: Vec<String> = Rating::ALL
                    .iter()
                    .zip(self.by_rating)
                    .map(|(rating, count)| format!("{}: {count}", rating.label()))
                    .collect();
                ui.label(RichText::new(line.join("   ·   ")).size(18.0));
                ui.add_space(12.0);
                if let Some(waiting) = &self.waiting {
                    ui.label(format!("Cards still in learning come back {waiting}."));
                }
                ui.label(format!("Next review: {}.", self.next_due));
                if self.cram {
                    ui.label(
                        RichText::new("Cram grades are kept in your history but do not change your schedule.").weak(),
                    );
                }
                ui.add_space(16.0);
                if ui
                    .add(egui::Button::new(RichText::new("Back to home").size(18.0)).min_size(egui::vec2(200.0, 44.0)))
                    .on_hover_text("Enter or Esc")
                    .clicked()
                {
                    command = Some(Command::Home);
                }
            });
            if !self.missed.is_empty() {
                ui.add_space(18.0);
                let n = self.missed.len();
                ui.vertical_centered(|ui| {
                    ui.label(
                        RichText::new(format!("{n} {} you missed", plural(n, "card", "cards"))).size(18.0).strong(),
                    );
                });
                ui.add_space(4.0);
                let width = ui.available_width().min(760.0);
                ui.horizontal(|ui| {
                    ui.add_space(((ui.available_width() - width) / 2.0).max(0.0));
                    ui.vertical(|ui| {
                        ui.set_width(width);
                        for (deck, card, question) in &self.missed {
                            // Buttons first, so the question wraps in the width left.
                            ui.horizontal(|ui| {
                                if ui.button("Edit").on_hover_text(format!("Edit “{question}”")).clicked() {
                                    command = Some(Command::EditCard(deck.clone(), card.clone()));
                                }
                                if ui.button("Browse").on_hover_text("Show the card in the browser").clicked() {
                                    command = Some(Command::Browse(card_query(deck, question)));
                                }
                                ui.add(egui::Label::new(question).wrap());
                            });
                        }
                    });
                });
            }
        });
        if !ui.ctx().egui_wants_keyboard_input() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            command = Some(Command::Home);
        }
        command
    }
}

/// A browser query that finds one card: its deck and its question as a phrase.
fn card_query(deck: &DeckId, question: &str) -> String {
    let phrase: String = question.chars().filter(|c| *c != '"').collect();
    format!("deck:{} \"{}\"", deck.0, phrase.trim())
}

/// A question cut to a length a toast can hold.
fn short(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

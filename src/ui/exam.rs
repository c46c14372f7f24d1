//! Mock exams in the window: the setup screen, taking the exam (one
//! question at a time or as a paper, with flags, a countdown and
//! auto-submit), the results with the history of attempts, and readiness
//! for an exam date with a "Prepare for the exam" queue.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use egui::{Color32, RichText};

use super::home::plural;
use super::{Applied, Command};
use crate::deck::{CardKind, Library};
use crate::exam::{
    AlmostCounts, Correct, Exam, ExamCard, ExamSpec, Format, Given, Mark, Marking, ScopeCard, Scored, build,
    exam_cards, score,
};
use crate::schedule::card_seed;
use crate::store::{self, Attempt, Collection, Preferences};
use crate::study::CardRef;
use crate::time::Moment;

use crate::exam::ERAS;

/// Which cards an exam (or a readiness check) covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    decks: BTreeSet<String>,
    eras: BTreeSet<String>,
    topics: BTreeSet<String>,
    kinds: BTreeSet<CardKind>,
}

impl Scope {
    fn keeps(&self, deck: &str, card: &crate::Card) -> bool {
        (self.decks.is_empty() || self.decks.contains(deck))
            && (self.eras.is_empty() || card.tags.iter().any(|t| self.eras.contains(t)))
            && (self.topics.is_empty() || card.tags.iter().any(|t| self.topics.contains(t)))
            && (self.kinds.is_empty() || self.kinds.contains(&card.kind))
    }

    fn describe(&self, library: &Library) -> String {
        let mut parts = Vec::new();
        if !self.decks.is_empty() {
            let titles: Vec<&str> = library
                .decks
                .iter()
                .filter(|d| self.decks.contains(d.deck.id.0.as_str()))
                .map(|d| d.deck.title.as_str())
                .collect();
            parts.push(titles.join(", "));
        }
        for set in [&self.eras, &self.topics] {
            if !set.is_empty() {
                parts.push(set.iter().cloned().collect::<Vec<_>>().join(", "));
            }
        }
        if !self.kinds.is_empty() {
            parts.push(self.kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", "));
        }
        if parts.is_empty() { "all decks".to_owned() } else { parts.join(" · ") }
    }

    /// The chooser: decks, eras, topics and kinds.
    fn ui(&mut self, ui: &mut egui::Ui, library: &Library) {
        let toggle = |ui: &mut egui::Ui, set: &mut BTreeSet<String>, value: &str, label: &str| {
            let mut on = set.contains(value);
            if ui.checkbox(&mut on, label).changed() {
                if on {
                    set.insert(value.to_owned());
                } else {
                    set.remove(value);
                }
            }
        };
        ui.label(RichText::new("Decks (none ticked: all)").strong());
        ui.horizontal_wrapped(|ui| {
            for loaded in &library.decks {
                toggle(ui, &mut self.decks, &loaded.deck.id.0, &loaded.deck.title);
            }
        });
        ui.label(RichText::new("Eras").strong());
        ui.horizontal_wrapped(|ui| {
            for era in ERAS {
                toggle(ui, &mut self.eras, era, era);
            }
        });
        ui.label(RichText::new("Kinds").strong());
        ui.horizontal_wrapped(|ui| {
            for kind in CardKind::ALL {
                let mut on = self.kinds.contains(&kind);
                if ui.checkbox(&mut on, kind.name()).changed() {
                    if on {
                        self.kinds.insert(kind);
                    } else {
                        self.kinds.remove(&kind);
                    }
                }
            }
        });
        egui::CollapsingHeader::new(RichText::new("Topics").strong()).id_salt("topics").show(ui, |ui| {
            let mut topics: Vec<&str> = library
                .decks
                .iter()
                .flat_map(|d| d.deck.cards.iter().flat_map(|c| c.tags.iter().map(String::as_str)))
                .filter(|t| !ERAS.contains(t))
                .collect();
            topics.sort_unstable();
            topics.dedup();
            ui.horizontal_wrapped(|ui| {
                for topic in topics {
                    toggle(ui, &mut self.topics, topic, topic);
                }
            });
        });
    }
}

/// The exam setup screen.
pub struct Setup {
    scope: Scope,
    count: usize,
    formats: BTreeSet<Format>,
    time_limit: String,
    weak_first: bool,
    seed: String,
    almost: AlmostCounts,
    partial_timelines: bool,
    paper: bool,
    message: Option<String>,
}

impl Setup {
    /// A setup with sensible defaults: 20 mixed questions, no time limit.
    pub fn new() -> Setup {
        Setup {
            scope: Scope::default(),
            count: 20,
            formats: Format::ALL.into_iter().collect(),
            time_limit: String::new(),
            weak_first: false,
            seed: (rand::random::<u32>() % 1_000_000).to_string(),
            almost: AlmostCounts::Half,
            partial_timelines: true,
            paper: false,
            message: None,
        }
    }

    /// Draws the setup; Start builds the exam.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Option<Command> {
        let mut command = None;
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            command = Some(Command::Home);
        }
        ui.heading("Mock exam");
        ui.label(
            RichText::new("Exam answers do not change your review schedule unless you send missed cards to review.")
                .weak(),
        );
        ui.add_space(6.0);
        let in_scope = library
            .decks
            .iter()
            .map(|d| d.deck.cards.iter().filter(|c| self.scope.keeps(&d.deck.id.0, c)).count())
            .sum::<usize>();
        egui::ScrollArea::vertical().auto_shrink([false, true]).max_height(ui.available_height() - 70.0).show(ui, |ui| {
            self.scope.ui(ui, library);
            ui.add_space(8.0);
            ui.label(format!("{in_scope} {} in scope.", plural(in_scope, "card", "cards")));
            egui::Grid::new("exam_setup").num_columns(2).spacing([24.0, 10.0]).show(ui, |ui| {
                let count = ui.label("Questions");
                let max = in_scope.max(5);
                ui.horizontal(|ui| {
                    ui.add(egui::Slider::new(&mut self.count, 5..=max)).labelled_by(count.id);
                    if ui.button("All").clicked() {
                        self.count = max;
                    }
                });
                ui.end_row();
                ui.label("Formats (mixed)");
                ui.horizontal_wrapped(|ui| {
                    for format in Format::ALL {
                        let mut on = self.formats.contains(&format);
                        if ui.checkbox(&mut on, format.label()).changed() {
                            if on {
                                self.formats.insert(format);
                            } else if self.formats.len() > 1 {
                                self.formats.remove(&format);
                            }
                        }
                    }
                });
                ui.end_row();
                let limit = ui.label("Time limit (minutes)");
                ui.vertical(|ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.time_limit).hint_text("none").desired_width(100.0)).labelled_by(limit.id);
                    ui.label(RichText::new("Leave empty for no limit. The exam is submitted when time runs out, with what you have written.").small().weak());
                });
                ui.end_row();
                ui.label("Order");
                ui.checkbox(&mut self.weak_first, "Weight toward my weak cards (lowest recall first)");
                ui.end_row();
                ui.label("Layout");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.paper, false, "One question at a time");
                    ui.radio_value(&mut self.paper, true, "A scrollable paper");
                });
                ui.end_row();
                ui.label("A near miss on a name");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.almost, AlmostCounts::Full, "counts as right");
                    ui.radio_value(&mut self.almost, AlmostCounts::Half, "half a mark");
                    ui.radio_value(&mut self.almost, AlmostCounts::None, "counts as wrong");
                });
                ui.end_row();
                ui.label("Timelines");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.partial_timelines, true, "partial credit (pairs in the right order)");
                    ui.radio_value(&mut self.partial_timelines, false, "all or nothing");
                });
                ui.end_row();
                let seed = ui.label("Seed");
                ui.vertical(|ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.seed).desired_width(140.0)).labelled_by(seed.id);
                    ui.label(RichText::new("The same seed and scope give the same exam, to retake it.").small().weak());
                });
                ui.end_row();
            });
        });
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Start the exam").strong().size(17.0)).clicked() {
                match self.start(collection, library) {
                    Ok(taking) => command = Some(Command::TakeExam(Box::new(taking))),
                    Err(e) => self.message = Some(e),
                }
            }
            if ui.button("Exam date and readiness").clicked() {
                command = Some(Command::OpenReadiness);
            }
            if ui.button("Back").clicked() {
                command = Some(Command::Home);
            }
            if let Some(message) = &self.message {
                ui.colored_label(ui.visuals().error_fg_color, message.clone());
            }
        });
        command
    }

    fn start(&self, collection: &Collection, library: &Library) -> Result<Taking, String> {
        let seed: u64 = self.seed.trim().parse().map_err(|_| "the seed must be a whole number".to_owned())?;
        let time_limit = match self.time_limit.trim() {
            "" => None,
            text => match text.parse::<f32>() {
                Ok(m) if m > 0.0 && m <= 600.0 => Some(Duration::from_secs_f32(m * 60.0)),
                _ => return Err("the time limit must be minutes from 1 to 600, or empty for none".to_owned()),
            },
        };
        let now = store::now();
        let cards = exam_cards(
            library,
            |deck, card| {
                let state = collection
                    .progress()
                    .states
                    .get(&crate::deck::DeckId(deck.into()))?
                    .get(&crate::deck::CardId(card.into()))?;
                collection.scheduler().retrievability(state, now)
            },
            |deck, card| self.scope.keeps(deck, card),
        );
        if cards.is_empty() {
            return Err("no card is in this scope: tick fewer filters".to_owned());
        }
        let spec = ExamSpec {
            count: self.count,
            formats: self.formats.iter().copied().collect(),
            seed,
            weak_first: self.weak_first,
            first: Vec::new(),
        };
        let exam = build(&cards, &spec);
        if exam.questions.is_empty() {
            return Err("no question could be built in this scope with these formats".to_owned());
        }
        let marking = Marking { almost: self.almost, partial_timelines: self.partial_timelines, appeals: Vec::new() };
        Ok(Taking::new(exam, cards, seed, self.scope.describe(library), time_limit, marking, self.paper))
    }
}

/// A question to confirm before it is acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    /// Submit the exam.
    Submit,
    /// Leave without saving.
    Leave,
}

/// An exam being taken.
pub struct Taking {
    exam: Exam,
    cards: Vec<ExamCard>,
    seed: u64,
    scope: String,
    given: Vec<Given>,
    /// Typed text per question, kept as typed.
    typed: Vec<String>,
    flagged: Vec<bool>,
    /// Whether each timeline was reordered (an untouched one is blank).
    touched: Vec<bool>,
    /// The highlighted row of each timeline, moved with the arrow keys.
    cursor: Vec<usize>,
    current: usize,
    /// Put the keyboard in the current question's answer field.
    focus: bool,
    /// Scroll the paper to the current question.
    scroll: bool,
    confirm: Option<Confirm>,
    started: Instant,
    started_at: Moment,
    deadline: Option<Instant>,
    marking: Marking,
    paper: bool,
    /// Predicted recall of each question's cards when the exam began.
    predicted: Vec<f32>,
    /// The results, once submitted, until the attempt is saved.
    submitted: Option<Box<Results>>,
}

/// The keys of the exam screen, shown under the question.
const EXAM_KEYS: &str = "Keys: 1–4 or A–D choose · T / F true or false · ↑↓ and Shift+↑↓ order a timeline · Enter next · Shift+Enter previous · F or Shift+F flag · Ctrl+Enter submit · Esc leave";

impl Taking {
    fn new(
        exam: Exam,
        cards: Vec<ExamCard>,
        seed: u64,
        scope: String,
        time_limit: Option<Duration>,
        marking: Marking,
        paper: bool,
    ) -> Taking {
        let n = exam.questions.len();
        let given = exam
            .questions
            .iter()
            .map(|q| match &q.correct {
                // A timeline starts in the order shown; the student reorders it.
                Correct::Order { order } => Given::Order { order: (0..order.len()).collect() },
                _ => Given::None,
            })
            .collect();
        let predicted = exam
            .questions
            .iter()
            .map(|q| {
                let recalls: Vec<f32> = q
                    .cards
                    .iter()
                    .filter_map(|r| cards.iter().find(|c| format!("{}/{}", c.deck, c.card) == *r))
                    .map(|c| c.recall.unwrap_or(0.0))
                    .collect();
                if recalls.is_empty() { 0.0 } else { recalls.iter().sum::<f32>() / recalls.len() as f32 }
            })
            .collect();
        Taking {
            exam,
            cards,
            seed,
            scope,
            given,
            typed: vec![String::new(); n],
            flagged: vec![false; n],
            touched: vec![false; n],
            cursor: vec![0; n],
            current: 0,
            focus: true,
            scroll: false,
            confirm: None,
            started: Instant::now(),
            started_at: store::now(),
            deadline: time_limit.map(|d| Instant::now() + d),
            marking,
            paper,
            predicted,
            submitted: None,
        }
    }

    /// The exam being taken.
    pub fn exam(&self) -> &Exam {
        &self.exam
    }

    fn go_to(&mut self, i: usize) {
        if i < self.exam.questions.len() {
            self.current = i;
            self.focus = true;
            self.scroll = true;
        }
    }

    /// The keyboard: answers, moving, flags, submit and leave. Keys that
    /// type letters are left to a focused text field.
    fn keys(&mut self, ui: &mut egui::Ui) {
        use egui::{Key, Modifiers};
        if self.confirm.is_some() {
            return;
        }
        let typing = ui.ctx().egui_wants_keyboard_input();
        let format = self.exam.questions.get(self.current).map(|q| q.format);
        let options = self.exam.questions.get(self.current).map_or(0, |q| q.options.len());
        let mut choose = None;
        let mut truth = None;
        let mut flag = false;
        let mut step: i64 = 0;
        let mut timeline_move: Option<(bool, bool)> = None; // (up, carry the event)
        ui.input_mut(|i| {
            if i.consume_key(Modifiers::COMMAND, Key::Enter) {
                self.confirm = Some(Confirm::Submit);
                return;
            }
            if i.consume_key(Modifiers::NONE, Key::Escape) {
                self.confirm = Some(Confirm::Leave);
                return;
            }
            if i.consume_key(Modifiers::SHIFT, Key::Enter) {
                step = -1;
            } else if i.consume_key(Modifiers::NONE, Key::Enter) {
                step = 1;
            }
            if i.consume_key(Modifiers::SHIFT, Key::F) {
                flag = true;
            }
            if typing {
                return;
            }
            match format {
                Some(Format::MultipleChoice) => {
                    let keys = [
                        (Key::Num1, Key::A),
                        (Key::Num2, Key::B),
                        (Key::Num3, Key::C),
                        (Key::Num4, Key::D),
                        (Key::Num5, Key::E),
                        (Key::Num6, Key::F),
                    ];
                    for (k, (digit, letter)) in keys.into_iter().enumerate().take(options) {
                        if i.consume_key(Modifiers::NONE, digit) || i.consume_key(Modifiers::NONE, letter) {
                            choose = Some(k);
                        }
                    }
                }
                Some(Format::TrueFalse) => {
                    if i.consume_key(Modifiers::NONE, Key::T) {
                        truth = Some(true);
                    } else if i.consume_key(Modifiers::NONE, Key::F) {
                        truth = Some(false);
                    }
                }
                Some(Format::Timeline) => {
                    for (key, up) in [(Key::ArrowUp, true), (Key::ArrowDown, false)] {
                        if i.consume_key(Modifiers::SHIFT, key) || i.consume_key(Modifiers::ALT, key) {
                            timeline_move = Some((up, true));
                        } else if i.consume_key(Modifiers::NONE, key) {
                            timeline_move = Some((up, false));
                        }
                    }
                }
                _ => {}
            }
            if !flag && format != Some(Format::TrueFalse) && i.consume_key(Modifiers::NONE, Key::F) {
                flag = true;
            }
        });
        let i = self.current;
        if let Some(k) = choose
            && let Some(given) = self.given.get_mut(i)
        {
            *given = Given::Option { index: k };
        }
        if let Some(value) = truth
            && let Some(given) = self.given.get_mut(i)
        {
            *given = Given::Bool { value };
        }
        if flag && let Some(f) = self.flagged.get_mut(i) {
            *f = !*f;
        }
        if let Some((up, carry)) = timeline_move {
            self.move_in_timeline(i, up, carry);
        }
        if step > 0 && i + 1 < self.exam.questions.len() {
            self.go_to(i + 1);
        } else if step < 0 && i > 0 {
            self.go_to(i - 1);
        }
    }

    /// Moves the highlighted row of timeline `i` up or down, carrying its
    /// event with it when `carry`.
    fn move_in_timeline(&mut self, i: usize, up: bool, carry: bool) {
        let (Some(Given::Order { order }), Some(cursor)) = (self.given.get_mut(i), self.cursor.get_mut(i)) else {
            return;
        };
        let from = *cursor;
        let to = if up { from.checked_sub(1) } else { (from + 1 < order.len()).then_some(from + 1) };
        let Some(to) = to else { return };
        if carry {
            order.swap(from, to);
            if let Some(t) = self.touched.get_mut(i) {
                *t = true;
            }
        }
        *cursor = to;
    }

    /// Draws the exam; returns the results when submitted (by the student
    /// or by the clock).
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<Command> {
        self.keys(ui);
        let mut auto = false;
        ui.horizontal(|ui| {
            ui.label(RichText::new("Mock exam").strong().size(18.0));
            let answered = (0..self.exam.questions.len()).filter(|&i| self.is_answered(i)).count();
            ui.label(format!("{answered} of {} answered", self.exam.questions.len()));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(RichText::new("Submit").strong()).on_hover_text("Ctrl+Enter").clicked() {
                    self.confirm = Some(Confirm::Submit);
                }
                if ui.button("Leave").on_hover_text("Esc").clicked() {
                    self.confirm = Some(Confirm::Leave);
                }
                if let Some(deadline) = self.deadline {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let secs = left.as_secs();
                    let color = if secs < 60 { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                    ui.label(
                        RichText::new(format!("Time left {}:{:02}", secs / 60, secs % 60))
                            .color(color)
                            .size(17.0)
                            .strong(),
                    );
                    if left.is_zero() {
                        auto = true;
                    }
                    ui.ctx().request_repaint_after(Duration::from_millis(250));
                }
            });
        });
        // The question strip: jump anywhere; flagged questions are marked.
        ui.horizontal_wrapped(|ui| {
            for i in 0..self.exam.questions.len() {
                let done = self.is_answered(i);
                let flag = self.flagged.get(i).copied().unwrap_or(false);
                let text = format!("{}{}", i + 1, if flag { "⚑" } else { "" });
                let mut label = RichText::new(text);
                if done {
                    label = label.strong();
                }
                if ui.selectable_label(i == self.current, label).clicked() {
                    self.go_to(i);
                }
            }
        });
        for note in &self.exam.notes {
            ui.label(RichText::new(format!("Note: {note}")).small().weak());
        }
        ui.separator();
        if self.paper {
            egui::ScrollArea::vertical().auto_shrink([false, false]).max_height(ui.available_height() - 30.0).show(
                ui,
                |ui| {
                    for i in 0..self.exam.questions.len() {
                        let response = ui.scope(|ui| self.question_ui(ui, i)).response;
                        if i == self.current && self.scroll {
                            response.scroll_to_me(Some(egui::Align::TOP));
                            self.scroll = false;
                        }
                        ui.separator();
                    }
                },
            );
        } else {
            self.question_ui(ui, self.current);
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(self.current > 0, egui::Button::new("Previous"))
                    .on_hover_text("Shift+Enter")
                    .clicked()
                {
                    self.go_to(self.current - 1);
                }
                if ui
                    .add_enabled(self.current + 1 < self.exam.questions.len(), egui::Button::new("Next"))
                    .on_hover_text("Enter")
                    .clicked()
                {
                    self.go_to(self.current + 1);
                }
            });
        }
        ui.label(RichText::new(EXAM_KEYS).small().weak());
        if auto {
            return self.finish(true);
        }
        match self.confirm_ui(ui) {
            Some(Confirm::Submit) => self.finish(false),
            Some(Confirm::Leave) => Some(Command::OpenExam),
            None => None,
        }
    }

    /// The confirmation dialog, if one is open: Enter confirms, Esc goes
    /// back to the exam.
    fn confirm_ui(&mut self, ui: &mut egui::Ui) -> Option<Confirm> {
        let asking = self.confirm?;
        let (enter, escape) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Escape),
            )
        });
        let mut decided = enter.then_some(asking);
        let mut cancel = escape;
        let unanswered: Vec<String> =
            (0..self.exam.questions.len()).filter(|&i| !self.is_answered(i)).map(|i| (i + 1).to_string()).collect();
        let flagged: Vec<String> = (0..self.exam.questions.len())
            .filter(|&i| self.flagged.get(i).copied().unwrap_or(false))
            .map(|i| (i + 1).to_string())
            .collect();
        egui::Modal::new(egui::Id::unique("exam_confirm")).show(ui.ctx(), |ui| {
            ui.set_max_width(460.0);
            let (title, yes, no) = match asking {
                Confirm::Submit => ("Submit the exam?", "Submit now", "Keep answering"),
                Confirm::Leave => ("Leave the exam?", "Leave without saving", "Stay"),
            };
            ui.label(RichText::new(title).size(20.0).strong());
            match asking {
                Confirm::Submit => {
                    if unanswered.is_empty() {
                        ui.label("Every question has an answer.");
                    } else {
                        ui.label(format!(
                            "{} {} not answered: {}.",
                            unanswered.len(),
                            plural(unanswered.len(), "question is", "questions are"),
                            unanswered.join(", ")
                        ));
                    }
                    if !flagged.is_empty() {
                        ui.label(format!("Flagged to check: {}.", flagged.join(", ")));
                    }
                }
                Confirm::Leave => {
                    ui.label("Your answers are not saved, and the exam does not count.");
                }
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button(RichText::new(yes).strong()).on_hover_text("Enter").clicked() {
                    decided = Some(asking);
                }
                if ui.button(no).on_hover_text("Esc").clicked() {
                    cancel = true;
                }
            });
        });
        if cancel {
            self.confirm = None;
            self.focus = true;
        }
        decided
    }

    fn question_ui(&mut self, ui: &mut egui::Ui, i: usize) {
        let Some(question) = self.exam.questions.get(i).cloned() else { return };
        let is_current = i == self.current;
        ui.horizontal(|ui| {
            let mut heading = RichText::new(format!("Question {} of {}", i + 1, self.exam.questions.len())).weak();
            if is_current && self.paper {
                heading = heading.strong();
            }
            ui.label(heading);
            if let Some(flag) = self.flagged.get_mut(i) {
                ui.checkbox(flag, "Flag for later");
            }
        });
        let prompt = match question.format {
            Format::TrueFalse => format!("True or false: {}", question.prompt),
            _ => question.prompt.clone(),
        };
        ui.label(RichText::new(prompt).size(21.0).strong());
        ui.add_space(6.0);
        let Some(given) = self.given.get_mut(i) else { return };
        match question.format {
            Format::MultipleChoice => {
                for (k, option) in question.options.iter().enumerate() {
                    let selected = matches!(given, Given::Option { index } if *index == k);
                    let letter = char::from(b'A' + (k as u8 % 26));
                    if ui.radio(selected, RichText::new(format!("{letter}) {option}")).size(17.0)).clicked() {
                        *given = Given::Option { index: k };
                        self.current = i;
                    }
                }
            }
            Format::Typed => {
                let Some(text) = self.typed.get_mut(i) else { return };
                let label = ui.label("Your answer:");
                let response = ui
                    .add(egui::TextEdit::singleline(text).desired_width(420.0).id_salt(("typed", i)))
                    .labelled_by(label.id);
                if response.changed() {
                    *given = if text.trim().is_empty() { Given::None } else { Given::Text { text: text.clone() } };
                }
                if response.gained_focus() || response.has_focus() {
                    self.current = i;
                }
                if is_current && self.focus && self.confirm.is_none() {
                    response.request_focus();
                    self.focus = false;
                }
            }
            Format::TrueFalse => {
                ui.horizontal(|ui| {
                    for (value, label) in [(true, "True (T)"), (false, "False (F)")] {
                        let selected = matches!(given, Given::Bool { value: v } if *v == value);
                        if ui.selectable_label(selected, RichText::new(label).size(17.0)).clicked() {
                            *given = Given::Bool { value };
                            self.current = i;
                        }
                    }
                });
            }
            Format::Timeline => {
                ui.label(
                    RichText::new("Earliest at the top. Move events with the arrows, or pick a row with ↑↓ and carry it with Shift+↑↓.")
                        .weak(),
                );
                let Given::Order { order } = given else { return };
                let cursor = self.cursor.get(i).copied().unwrap_or(0);
                let mut swap = None;
                for (position, &option) in order.iter().enumerate() {
                    ui.horizontal(|ui| {
                        if ui.add_enabled(position > 0, egui::Button::new("↑")).on_hover_text("earlier").clicked() {
                            swap = Some((position, position - 1));
                        }
                        if ui
                            .add_enabled(position + 1 < order.len(), egui::Button::new("↓"))
                            .on_hover_text("later")
                            .clicked()
                        {
                            swap = Some((position, position + 1));
                        }
                        let text =
                            format!("{}. {}", position + 1, question.options.get(option).cloned().unwrap_or_default());
                        let mut rich = RichText::new(text).size(16.0);
                        if is_current && position == cursor {
                            rich = rich.strong().background_color(ui.visuals().selection.bg_fill.gamma_multiply(0.35));
                        }
                        ui.add(egui::Label::new(rich).wrap());
                    });
                }
                if let Some((a, b)) = swap {
                    order.swap(a, b);
                    self.current = i;
                    if let Some(c) = self.cursor.get_mut(i) {
                        *c = b;
                    }
                    if let Some(touched) = self.touched.get_mut(i) {
                        *touched = true;
                    }
                }
            }
        }
    }

    /// Whether question `i` has an answer (a timeline once reordered).
    fn is_answered(&self, i: usize) -> bool {
        match self.given.get(i) {
            None | Some(Given::None) => false,
            Some(Given::Order { .. }) => self.touched.get(i).copied().unwrap_or(false),
            Some(_) => true,
        }
    }

    /// Scores the paper and asks for the attempt to be saved; the results
    /// show once it is ([`Taking::applied`]).
    fn finish(&mut self, auto: bool) -> Option<Command> {
        if self.submitted.is_some() {
            return None;
        }
        // A timeline left as shown was not answered.
        for i in 0..self.given.len() {
            if !self.is_answered(i)
                && let Some(given) = self.given.get_mut(i)
            {
                *given = Given::None;
            }
        }
        let scored = score(&self.exam, &self.given, &self.cards, &self.marking);
        let finished = store::now();
        let attempt = Attempt {
            v: store::exams::ATTEMPT_FORMAT,
            started_ms: self.started_at.unix_ms,
            finished_ms: finished.unix_ms,
            offset_s: finished.offset_s,
            seed: self.seed,
            scope: self.scope.clone(),
            questions: self.exam.questions.clone(),
            given: self.given.clone(),
            marks: scored.marks.clone(),
            points: scored.total.points,
            almost: self.marking.almost,
            auto_submitted: auto,
            partial_timelines: self.marking.partial_timelines,
            appeals: Vec::new(),
            predicted: self.predicted.clone(),
        };
        let results = Results {
            exam: self.exam.clone(),
            cards: self.cards.clone(),
            given: self.given.clone(),
            scored,
            marking: self.marking.clone(),
            attempt: Some(attempt.clone()),
            history: Vec::new(),
            elapsed: self.started.elapsed(),
            auto,
            sent: None,
            message: None,
            pending: None,
            request: None,
        };
        self.submitted = Some(Box::new(results));
        Some(Command::apply(store::Op::RecordExam(Box::new(attempt))))
    }

    /// Shows the results once the attempt is saved, or says it was not.
    pub(crate) fn applied(
        &mut self,
        result: Result<store::Change, store::StoreError>,
        collection: &Collection,
    ) -> Applied {
        let Some(mut results) = self.submitted.take() else { return Applied::none() };
        let banner = match result {
            Ok(_) => None,
            Err(e) => {
                results.attempt = None;
                Some(format!("The exam result was NOT saved: {e}"))
            }
        };
        results.history = collection.attempts().map(|(a, _)| a).unwrap_or_default();
        Applied { banner, command: Some(Command::ShowResults(results)), ..Applied::none() }
    }
}

/// The results of an attempt.
pub struct Results {
    exam: Exam,
    cards: Vec<ExamCard>,
    given: Vec<Given>,
    scored: Scored,
    marking: Marking,
    /// The attempt as saved (appeals are added to it).
    attempt: Option<Attempt>,
    /// Every saved attempt, read once (and again after an appeal).
    history: Vec<Attempt>,
    elapsed: Duration,
    auto: bool,
    /// What "send to review" did, once pressed.
    sent: Option<String>,
    /// The outcome of an appeal.
    message: Option<String>,
    /// What the results asked the store for, until it is answered.
    pending: Option<ResultsPending>,
    /// The op asked for this frame.
    request: Option<store::Op>,
}

/// What the results screen asked the store for.
enum ResultsPending {
    /// Send these many cards to today's review.
    Send(usize),
    /// Count question `i` as right.
    Appeal(usize),
}

impl Results {
    /// Draws the results, the breakdowns, every question, and the history.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        library: &Library,
        source: Option<&crate::ground::SourceText>,
    ) -> Option<Command> {
        let mut command = None;
        let mut appeal = None;
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            command = Some(Command::Home);
        }
        let total = self.scored.total;
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.label(RichText::new(format!("Score: {:.0}%", total.fraction() * 100.0)).size(30.0).strong());
            let minutes = self.elapsed.as_secs() / 60;
            ui.label(format!(
                "{} of {} points in {} min {} s{}",
                trim_points(total.points),
                total.questions,
                minutes,
                self.elapsed.as_secs() % 60,
                if self.auto { " (submitted when time ran out)" } else { "" }
            ));
            if let Some(message) = &self.message {
                ui.label(RichText::new(message).strong());
            }
            let (missed, questions) = self.missed_cards(library);
            ui.horizontal_wrapped(|ui| {
                match &self.sent {
                    Some(message) => {
                        ui.label(RichText::new(message).strong());
                        if ui.button("Study now").clicked() {
                            command = Some(Command::StudyNow(None));
                        }
                    }
                    None if !missed.is_empty() => {
                        let label = if questions == missed.len() {
                            format!(
                                "Send the {} missed {} to today's review",
                                missed.len(),
                                plural(missed.len(), "card", "cards")
                            )
                        } else {
                            format!(
                                "Send the {} {} behind {questions} missed {} to today's review",
                                missed.len(),
                                plural(missed.len(), "card", "cards"),
                                plural(questions, "question", "questions")
                            )
                        };
                        if ui
                            .button(label)
                            .on_hover_text("They join today's queue; your grades there update the schedule")
                            .clicked()
                        {
                            self.send_to_review(library, &missed);
                        }
                    }
                    None => {}
                }
                if ui.button("New exam").clicked() {
                    command = Some(Command::OpenExam);
                }
                if ui.button("Back to home").on_hover_text("Esc").clicked() {
                    command = Some(Command::Home);
                }
            });
            for note in &self.exam.notes {
                ui.label(RichText::new(format!("Note: {note}")).small().weak());
            }
            ui.add_space(8.0);
            ui.columns(3, |columns| {
                for (column, (title, groups)) in columns.iter_mut().zip([
                    ("By era", &self.scored.by_era),
                    ("By kind", &self.scored.by_kind),
                    ("By topic", &self.scored.by_topic),
                ]) {
                    column.label(RichText::new(title).strong());
                    for (name, tally) in groups.iter() {
                        column.label(format!(
                            "{name}: {}/{} ({:.0}%)",
                            trim_points(tally.points),
                            tally.questions,
                            tally.fraction() * 100.0
                        ));
                    }
                }
            });
            ui.add_space(8.0);
            ui.label(RichText::new("Every question").size(18.0).strong());
            for (i, question) in self.exam.questions.iter().enumerate() {
                let mark = self.scored.marks.get(i).copied().unwrap_or(Mark::Blank);
                let points = self.scored.points.get(i).copied().unwrap_or(0.0);
                let green = Color32::from_rgb(40, 150, 60);
                let amber = Color32::from_rgb(200, 130, 20);
                let (text, color) = match mark {
                    Mark::Right => ("right".to_owned(), green),
                    Mark::Appealed => ("right on your appeal".to_owned(), green),
                    Mark::Almost => ("almost".to_owned(), amber),
                    Mark::Partly => (format!("partly right: {:.0}% of pairs in order", points * 100.0), amber),
                    Mark::Wrong => ("wrong".to_owned(), ui.visuals().error_fg_color),
                    Mark::Blank => ("not answered".to_owned(), ui.visuals().error_fg_color),
                };
                let given = self.given.get(i);
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(format!("{}.", i + 1)).strong());
                        ui.label(RichText::new(text).color(color).strong());
                        ui.label(RichText::new(question.format.label()).small().weak());
                    });
                    match question.format {
                        Format::TrueFalse => {
                            ui.label(RichText::new(format!("True or false: {}", question.prompt)).strong());
                            ui.label(format!("Your answer: {}", given_text(question, given)));
                            let truth = matches!(question.correct, Correct::Bool { value: true });
                            ui.label(format!("The statement was {}.", if truth { "true" } else { "false" }));
                            if let Some(fact) = &question.fact {
                                ui.label(RichText::new(format!("The fact: {fact}")).strong());
                            }
                        }
                        Format::Timeline => {
                            ui.label(RichText::new(&question.prompt).strong());
                            ui.label(format!("Your order: {}", given_text(question, given)));
                            ui.label("The right order:");
                            if let Correct::Order { order } = &question.correct {
                                for (n, &k) in order.iter().enumerate() {
                                    let event = question.options.get(k).cloned().unwrap_or_default();
                                    let date = question.dates.get(k).cloned().unwrap_or_default();
                                    ui.label(format!("   {}. {event} — {date}", n + 1));
                                }
                            }
                        }
                        Format::Typed => {
                            ui.label(RichText::new(&question.prompt).strong());
                            match (given, &question.correct) {
                                (Some(Given::Text { text }), Correct::Text { answer, accept })
                                    if !matches!(mark, Mark::Right | Mark::Appealed) =>
                                {
                                    let (nearest, similarity) = crate::answer::nearest(text, answer, accept);
                                    if mark == Mark::Wrong {
                                        let verdict =
                                            if similarity >= crate::answer::NOT_QUITE { "Not quite" } else { "Wrong" };
                                        ui.label(RichText::new(verdict).color(ui.visuals().error_fg_color));
                                    }
                                    super::review::typed_lines_ui(ui, text, nearest);
                                    if nearest != answer {
                                        ui.label(
                                            RichText::new(format!("(an accepted form of {answer})")).small().weak(),
                                        );
                                    }
                                    if crate::exam::can_appeal(&question.correct, &Given::Text { text: text.clone() })
                                        && ui
                                            .button("I was right")
                                            .on_hover_text(
                                                "Count this answer as right; the appeal is saved with the attempt",
                                            )
                                            .clicked()
                                    {
                                        appeal = Some(i);
                                    }
                                }
                                _ => {
                                    ui.label(format!("Your answer: {}", given_text(question, given)));
                                    ui.label(format!("Right answer: {}", question.answer_text()));
                                }
                            }
                        }
                        Format::MultipleChoice => {
                            ui.label(RichText::new(&question.prompt).strong());
                            ui.label(format!("Your answer: {}", given_text(question, given)));
                            ui.label(format!("Right answer: {}", question.answer_text()));
                        }
                    }
                    let missed = !matches!(mark, Mark::Right | Mark::Appealed);
                    for reference in &question.cards {
                        if let Some(card) = self.cards.iter().find(|c| format!("{}/{}", c.deck, c.card) == *reference) {
                            if !card.note.is_empty() && question.format != Format::Timeline {
                                ui.label(RichText::new(&card.note).weak());
                            }
                            if question.format == Format::Timeline {
                                continue;
                            }
                            // A missed question shows its paragraph when the
                            // student's copy of the text is set (and is the
                            // text the card's deck was written from).
                            let deck = library.deck(&crate::deck::DeckId(card.deck.as_str().into()));
                            let text =
                                source.filter(|s| missed && deck.is_some_and(|d| super::reader::cites(&d.deck, s)));
                            let face = crate::Card {
                                id: crate::deck::CardId(card.card.as_str().into()),
                                answer: card.answer.clone(),
                                accept: card.accept.clone(),
                                source: card.paragraph.map(|paragraph| crate::deck::Source { paragraph }),
                                ..crate::Card::default()
                            };
                            super::review::source_paragraph_ui(ui, &face, text);
                        }
                    }
                });
            }
            ui.add_space(10.0);
            history_ui(ui, &self.history);
        });
        if let Some(i) = appeal {
            self.appeal(i);
        }
        self.request.take().map(Command::apply).or(command)
    }

    /// Counts a typed answer as right, saves the appeal with the attempt,
    /// and scores again.
    fn appeal(&mut self, i: usize) {
        if self.marking.appeals.contains(&i) || self.pending.is_some() {
            return;
        }
        match &self.attempt {
            Some(attempt) => {
                self.request = Some(store::Op::Appeal {
                    started_ms: attempt.started_ms,
                    finished_ms: attempt.finished_ms,
                    question: i,
                });
                self.pending = Some(ResultsPending::Appeal(i));
            }
            None => self.count_appeal(i),
        }
    }

    /// Scores again with question `i` counted as right.
    fn count_appeal(&mut self, i: usize) {
        self.marking.appeals.push(i);
        self.scored = score(&self.exam, &self.given, &self.cards, &self.marking);
        self.message = Some(format!(
            "Question {} counted as right on your appeal{}.",
            i + 1,
            if self.attempt.is_some() { "; saved with the attempt" } else { " (the attempt itself was not saved)" }
        ));
    }

    /// Logs each card as sent to today's review (one op).
    fn send_to_review(&mut self, library: &Library, cards: &[CardRef]) {
        let cards: Vec<store::CardRef> = cards
            .iter()
            .filter_map(|r| {
                let loaded = library.decks.get(r.deck)?;
                let card = loaded.deck.cards.get(r.card)?;
                Some((loaded.deck.id.clone(), card.id.clone()))
            })
            .collect();
        self.pending = Some(ResultsPending::Send(cards.len()));
        self.request = Some(store::Op::Cards { cards, action: crate::revlog::Action::SendToReview });
    }

    /// What the results make of the op they asked for.
    pub(crate) fn applied(
        &mut self,
        result: Result<store::Change, store::StoreError>,
        collection: &Collection,
    ) -> Applied {
        match (self.pending.take(), result) {
            (Some(ResultsPending::Send(n)), Ok(_)) => {
                self.sent = Some(format!("{n} {} added to today's review.", plural(n, "card", "cards")));
            }
            (Some(ResultsPending::Send(_)), Err(e)) => self.sent = Some(format!("The cards were NOT sent: {e}")),
            (Some(ResultsPending::Appeal(i)), Ok(_)) => {
                self.count_appeal(i);
                self.history = collection.attempts().map(|(a, _)| a).unwrap_or_default();
            }
            (Some(ResultsPending::Appeal(_)), Err(e)) => self.message = Some(format!("The appeal was NOT saved: {e}")),
            (None, _) => {}
        }
        Applied::none()
    }

    /// The cards behind questions not fully right (for a timeline, only
    /// the events out of place), and how many questions that is.
    fn missed_cards(&self, library: &Library) -> (Vec<CardRef>, usize) {
        let mut out = Vec::new();
        let mut questions = 0;
        for (i, question) in self.exam.questions.iter().enumerate() {
            if matches!(self.scored.marks.get(i), Some(Mark::Right | Mark::Appealed) | None) {
                continue;
            }
            questions += 1;
            let misplaced: Vec<usize> = match (&question.correct, self.given.get(i)) {
                (Correct::Order { order }, Some(Given::Order { order: chosen })) => (0..question.cards.len())
                    .filter(|&k| order.iter().position(|&x| x == k) != chosen.iter().position(|&x| x == k))
                    .collect(),
                _ => (0..question.cards.len()).collect(),
            };
            for k in misplaced {
                if let Some(r) = question.cards.get(k).and_then(|reference| find_card(library, reference))
                    && !out.contains(&r)
                {
                    out.push(r);
                }
            }
        }
        (out, questions)
    }
}

fn trim_points(points: f32) -> String {
    if points.fract() == 0.0 { format!("{points:.0}") } else { format!("{points:.1}") }
}

fn given_text(question: &crate::exam::Question, given: Option<&Given>) -> String {
    match given {
        None | Some(Given::None) => "(none)".to_owned(),
        Some(Given::Option { index }) => question.options.get(*index).cloned().unwrap_or_default(),
        Some(Given::Text { text }) => text.clone(),
        Some(Given::Bool { value }) => if *value { "true" } else { "false" }.to_owned(),
        Some(Given::Order { order }) => {
            order.iter().filter_map(|i| question.options.get(*i).cloned()).collect::<Vec<_>>().join(" → ")
        }
    }
}

fn find_card(library: &Library, reference: &str) -> Option<CardRef> {
    let (deck, card) = reference.split_once('/')?;
    crate::study::find(library, deck, card)
}

/// Past attempts: a chart of scores over time, predicted against scored,
/// and a list.
pub(crate) fn history_ui(ui: &mut egui::Ui, attempts: &[Attempt]) {
    if attempts.is_empty() {
        return;
    }
    ui.label(RichText::new("Your exam history").size(18.0).strong());
    let scores: Vec<f32> = attempts.iter().map(Attempt::fraction).collect();
    chart_ui(ui, &scores, "score");
    ui.label(RichText::new("One bar an attempt, oldest left; the height is the score, 0 to 100%.").small().weak());
    if let Some(line) = calibration_line(attempts) {
        ui.label(line);
    }
    for attempt in attempts.iter().rev().take(20) {
        let when = jiff::Timestamp::from_millisecond(attempt.finished_ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let predicted =
            attempt.predicted_fraction().map(|p| format!(" (predicted {:.0}%)", p * 100.0)).unwrap_or_default();
        let appeals = match attempt.appeals.len() {
            0 => String::new(),
            n => format!(" · {n} {}", plural(n, "appeal", "appeals")),
        };
        ui.label(format!(
            "{when} UTC · {:.0}%{predicted} · {} questions · {} · seed {}{}{appeals}",
            attempt.fraction() * 100.0,
            attempt.questions.len(),
            attempt.scope,
            attempt.seed,
            if attempt.auto_submitted { " · timed out" } else { "" }
        ));
    }
}

/// Per attempt, (predicted recall, points earned) for each answered
/// question, where the attempt kept its predictions.
pub(crate) fn prediction_pairs(attempts: &[Attempt]) -> Vec<Vec<(f32, f32)>> {
    attempts
        .iter()
        .map(|a| {
            if a.predicted.len() != a.questions.len() {
                return Vec::new();
            }
            let marking = a.marking();
            a.questions
                .iter()
                .enumerate()
                .filter_map(|(i, q)| {
                    let given = a.given.get(i).filter(|g| **g != Given::None)?;
                    let (_, points) = crate::exam::points(i, &q.correct, given, &marking);
                    Some((*a.predicted.get(i)?, points))
                })
                .collect()
        })
        .collect()
}

/// "Predicted 62%, scored 45% over 3 exams", when attempts kept their
/// predictions.
fn calibration_line(attempts: &[Attempt]) -> Option<String> {
    let (predicted, scored, exams, answers) = crate::exam::compare(&prediction_pairs(attempts))?;
    Some(format!(
        "Predicted {:.0}%, scored {:.0}% over {exams} {} ({answers} {}).",
        predicted * 100.0,
        scored * 100.0,
        plural(exams, "exam", "exams"),
        plural(answers, "answer", "answers")
    ))
}

/// A small bar chart of fractions (0–1), oldest left.
fn chart_ui(ui: &mut egui::Ui, values: &[f32], what: &str) {
    let height = 110.0;
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(ui.available_width().min(640.0), height), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let stroke = ui.visuals().widgets.noninteractive.bg_stroke;
    painter.rect_stroke(rect, 4.0, stroke, egui::StrokeKind::Inside);
    for level in [0.25, 0.5, 0.75] {
        let y = rect.bottom() - level * rect.height();
        painter.line_segment(
            [egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)],
            egui::Stroke::new(0.5, stroke.color),
        );
    }
    let n = values.len().max(1) as f32;
    let width = rect.width() / n;
    let color = ui.visuals().selection.bg_fill;
    for (i, value) in values.iter().enumerate() {
        let left = rect.left() + i as f32 * width + width * 0.15;
        let top = rect.bottom() - value.clamp(0.0, 1.0) * rect.height();
        painter.rect_filled(
            egui::Rect::from_min_max(egui::pos2(left, top), egui::pos2(left + width * 0.7, rect.bottom())),
            2.0,
            color,
        );
    }
    let last = values.last().copied().unwrap_or(0.0);
    response.on_hover_text(format!("{} points; latest {what} {:.0}%", values.len(), last * 100.0));
}

/// The exam date and readiness screen. The figures are computed on a
/// worker thread (readiness, the day-by-day forecast and calibration take
/// seconds at 100,000 cards) and shown when ready.
pub struct ReadinessScreen {
    scope: Scope,
    date: String,
    /// See every card at least this many days before the exam.
    lead: u32,
    message: Option<String>,
    computed: Option<Computed>,
    pending: Option<std::sync::mpsc::Receiver<Computed>>,
}

/// Everything the screen shows, from one computation.
struct Computed {
    date: String,
    cards: usize,
    /// Expected score if the student stops studying today.
    stop: f32,
    /// Expected score on the exam day if they keep to the plan.
    plan: f32,
    /// The same two, adjusted by the student's own calibration.
    calibrated: Option<(f32, f32, usize)>,
    /// Expected score at the exam after studying until each day (index 0:
    /// now, before today's study).
    series: Vec<f32>,
    plan_numbers: crate::exam::Plan,
    limit: u32,
    /// Studied cards, lowest predicted recall first.
    weakest: Vec<(CardRef, f32)>,
    never_studied: usize,
    weakest_tags: Vec<(String, f32, usize)>,
    /// Past exams: predicted against scored.
    history: Option<(f32, f32, usize, usize)>,
    /// Today's preparation: missed in mock exams, due, new.
    prepare: Vec<CardRef>,
    prepare_counts: (usize, usize, usize),
    /// Every card in scope with its predicted recall, lowest first.
    all: Vec<(CardRef, f32)>,
}

/// A card in scope, owned so that the worker can have it.
struct Owned {
    r: CardRef,
    seed: u64,
    state: Option<crate::schedule::CardState>,
    tags: Vec<String>,
}

impl ReadinessScreen {
    /// The screen, with the saved exam date if any.
    pub fn new(collection: &Collection, library: &Library) -> ReadinessScreen {
        let date = collection.preferences().exam_date.clone().unwrap_or_default();
        let mut screen =
            ReadinessScreen { scope: Scope::default(), date, lead: 3, message: None, computed: None, pending: None };
        if !screen.date.is_empty() {
            screen.compute(collection, library);
        }
        screen
    }

    /// Starts the computation on a worker thread; the inputs are copied
    /// here, once, not every frame.
    fn compute(&mut self, collection: &Collection, library: &Library) {
        self.message = None;
        let date: jiff::civil::Date = match self.date.trim().parse() {
            Ok(d) => d,
            Err(_) => {
                self.message = Some("Write the date as YYYY-MM-DD, such as 2026-12-18.".to_owned());
                self.computed = None;
                return;
            }
        };
        let now = store::now();
        let Ok(noon) = date.at(12, 0, 0, 0).to_zoned_datetime(jiff::tz::TimeZone::system()) else { return };
        let exam = Moment::new(noon.timestamp().as_millisecond(), noon.offset().seconds());
        if exam.unix_ms < now.unix_ms {
            self.message = Some("The exam date has passed: choose a date from today on.".to_owned());
            self.computed = None;
            return;
        }
        let mut owned = Vec::new();
        for (d, loaded) in library.decks.iter().enumerate() {
            let states = collection.progress().states.get(&loaded.deck.id);
            for (c, card) in loaded.deck.cards.iter().enumerate() {
                if self.scope.keeps(&loaded.deck.id.0, card) {
                    owned.push(Owned {
                        r: CardRef { deck: d, card: c },
                        seed: card_seed(&loaded.deck.id.0, &card.id.0),
                        state: states.and_then(|s| s.get(&card.id)).cloned(),
                        tags: card.tags.clone(),
                    });
                }
            }
        }
        let attempts = collection.attempts().map(|(a, _)| a).unwrap_or_default();
        // Cards missed in the latest mock exams come first in the day's queue.
        let mut missed = Vec::new();
        for attempt in attempts.iter().rev().take(3) {
            for (i, q) in attempt.questions.iter().enumerate() {
                if !matches!(attempt.marks.get(i), Some(Mark::Right | Mark::Appealed)) {
                    missed.extend(q.cards.iter().filter_map(|r| find_card(library, r)));
                }
            }
        }
        let pairs: Vec<(f32, f32)> = prediction_pairs(&attempts).into_iter().flatten().collect();
        let history = crate::exam::compare(&prediction_pairs(&attempts));
        let scheduler = collection.scheduler().clone();
        let (lead, label) = (self.lead, self.date.trim().to_owned());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let computed = readiness_figures(&scheduler, &owned, now, exam, lead, label, &missed, &pairs, history);
            let _ = tx.send(computed);
        });
        self.pending = Some(rx);
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Option<Command> {
        let mut command = None;
        if let Some(rx) = &self.pending {
            match rx.try_recv() {
                Ok(computed) => {
                    self.computed = Some(computed);
                    self.pending = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => ui.ctx().request_repaint_after(Duration::from_millis(50)),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.pending = None;
                    self.message = Some("The readiness figures could not be computed.".to_owned());
                }
            }
        }
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            command = Some(Command::Home);
        }
        ui.heading("Exam date and readiness");
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            let mut go = false;
            ui.horizontal_wrapped(|ui| {
                let label = ui.label("Exam date (YYYY-MM-DD)");
                let field =
                    ui.add(egui::TextEdit::singleline(&mut self.date).desired_width(130.0)).labelled_by(label.id);
                if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    go = true;
                }
                let lead = ui.label("See every card by");
                ui.add(egui::DragValue::new(&mut self.lead).range(0..=60).suffix(" days before")).labelled_by(lead.id);
                if ui.button("Show readiness").on_hover_text("Enter").clicked() {
                    go = true;
                }
                if ui.button("Back").on_hover_text("Esc").clicked() {
                    command = Some(Command::Home);
                }
            });
            if go {
                self.compute(collection, library);
                if self.message.is_none() {
                    let preferences = Preferences {
                        exam_date: Some(self.date.trim().to_owned()),
                        ..collection.preferences().clone()
                    };
                    command = Some(Command::SavePreferences(preferences));
                }
            }
            if let Some(message) = &self.message {
                ui.colored_label(ui.visuals().error_fg_color, message.clone());
            }
            egui::CollapsingHeader::new("Scope (all decks unless you tick some)").id_salt("readiness_scope").show(
                ui,
                |ui| {
                    self.scope.ui(ui, library);
                },
            );
            if self.pending.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Working out your readiness…");
                });
            }
            let Some(c) = &self.computed else { return };
            if let Some(next) = readiness_ui(ui, c, library) {
                command = Some(next);
            }
        });
        command
    }
}

/// Every readiness figure, on the worker thread.
#[allow(clippy::too_many_arguments)]
fn readiness_figures(
    scheduler: &crate::schedule::Scheduler,
    owned: &[Owned],
    now: Moment,
    exam: Moment,
    lead: u32,
    date: String,
    missed: &[CardRef],
    pairs: &[(f32, f32)],
    history: Option<(f32, f32, usize, usize)>,
) -> Computed {
    use crate::exam::{Calibration, forecast_recall, plan, readiness};
    let scope: Vec<ScopeCard<'_>> =
        owned.iter().map(|o| ScopeCard { seed: o.seed, state: o.state.as_ref(), tags: &o.tags }).collect();
    let r = readiness(scheduler, &scope, exam);
    let (days, plan_recall) = forecast_recall(scheduler, &scope, now, exam, 1);
    let mut series = vec![r.expected];
    series.extend(days.iter().map(|(_, v)| *v));
    let plan_score = series.last().copied().unwrap_or(r.expected);
    let plan_numbers = plan(&scope, scheduler.day(now), scheduler.day(exam), lead);
    let calibrated = Calibration::fit(pairs).map(|cal| {
        let mean =
            |v: &[f32]| if v.is_empty() { 0.0 } else { v.iter().map(|&p| cal.adjust(p)).sum::<f32>() / v.len() as f32 };
        (mean(&r.recall), mean(&plan_recall), cal.answers)
    });
    let studied = |o: &Owned| o.state.as_ref().is_some_and(|s| s.phase != crate::schedule::Phase::New);
    let all: Vec<(CardRef, f32)> =
        r.weakest.iter().filter_map(|&i| Some((owned.get(i)?.r, *r.recall.get(i)?))).collect();
    let weakest: Vec<(CardRef, f32)> = r
        .weakest
        .iter()
        .filter(|&&i| owned.get(i).is_some_and(studied))
        .filter_map(|&i| Some((owned.get(i)?.r, *r.recall.get(i)?)))
        .take(12)
        .collect();
    let never_studied = owned.iter().filter(|o| !studied(o)).count();
    // Today's part of the plan: missed exam cards, then what is due today,
    // then the day's share of new cards.
    let mut prepare: Vec<CardRef> = Vec::new();
    for m in missed {
        if owned.iter().any(|o| o.r == *m) && !prepare.contains(m) {
            prepare.push(*m);
        }
    }
    let from_missed = prepare.len();
    let items: Vec<(u64, Option<&crate::schedule::CardState>)> =
        owned.iter().map(|o| (o.seed, o.state.as_ref())).collect();
    let queue = crate::schedule::build_queue(scheduler, now, items, crate::schedule::DoneToday::default());
    let mut due = 0;
    for q in queue.cards().filter(|q| q.kind != crate::schedule::QueueKind::New) {
        if let Some(o) = owned.get(q.index)
            && !prepare.contains(&o.r)
        {
            prepare.push(o.r);
            due += 1;
        }
    }
    let mut new = 0;
    let today_new = plan_numbers.needed_per_day.max(scheduler.settings().new_per_day as usize);
    for o in owned.iter().filter(|o| !studied(o)) {
        if new >= today_new.min(plan_numbers.unseen) {
            break;
        }
        if !prepare.contains(&o.r) {
            prepare.push(o.r);
            new += 1;
        }
    }
    Computed {
        date,
        cards: owned.len(),
        stop: r.expected,
        plan: plan_score,
        calibrated,
        series,
        plan_numbers,
        limit: scheduler.settings().new_per_day,
        weakest,
        never_studied,
        weakest_tags: r.weakest_tags.into_iter().take(8).collect(),
        history,
        prepare,
        prepare_counts: (from_missed, due, new),
        all,
    }
}

/// The figures: headline, plan, chart, calibration, weakest.
fn readiness_ui(ui: &mut egui::Ui, c: &Computed, library: &Library) -> Option<Command> {
    let mut command = None;
    ui.add_space(8.0);
    ui.label(
        RichText::new(format!("Expected score on {}: {:.0}% if you keep to the plan", c.date, c.plan * 100.0))
            .size(24.0)
            .strong(),
    );
    ui.label(RichText::new(format!("{:.0}% if you stop studying today", c.stop * 100.0)).size(18.0));
    if let Some((stop, plan, answers)) = c.calibrated {
        ui.label(
            RichText::new(format!(
                "Calibrated on your {answers} mock-exam answers: {:.0}% with the plan, {:.0}% if you stop today.",
                plan * 100.0,
                stop * 100.0
            ))
            .strong(),
        );
    } else {
        ui.label(
            RichText::new(format!(
                "After {} answered mock-exam questions, these figures are also calibrated on how you actually score.",
                crate::exam::MIN_ANSWERS
            ))
            .small()
            .weak(),
        );
    }
    if let Some((predicted, scored, exams, _)) = c.history {
        ui.label(format!(
            "Your mock exams so far: predicted {:.0}%, scored {:.0}% over {exams} {}.",
            predicted * 100.0,
            scored * 100.0,
            plural(exams, "exam", "exams")
        ));
    }
    ui.label(
        RichText::new(format!(
            "The expected score is the average chance of recalling each of the {} cards in scope on the exam day. Keeping to the plan means doing each day's reviews and {} new cards a day (your limit). Cards never studied count as not known.",
            c.cards, c.limit
        ))
        .weak(),
    );
    ui.add_space(6.0);
    let p = c.plan_numbers;
    if p.unseen == 0 {
        ui.label("You have studied every card in scope at least once.");
    } else {
        let when = if p.lead == 0 { "by the exam day".to_owned() } else { format!("{} days before the exam", p.lead) };
        let advice = if p.days == 0 {
            format!("{} cards in scope are still new, and there is no study day left before {when}.", p.unseen)
        } else {
            format!(
                "{} cards in scope are still new. To see each of them at least once {when}, study {} new {} a day for {} {}; your limit is {}.",
                p.unseen,
                p.needed_per_day,
                plural(p.needed_per_day, "card", "cards"),
                p.days,
                plural(usize::try_from(p.days).unwrap_or(0), "day", "days"),
                c.limit
            )
        };
        ui.label(RichText::new(advice).strong());
        let needed = u32::try_from(p.needed_per_day).unwrap_or(u32::MAX);
        if needed > c.limit && p.days > 0 && ui.button(format!("Set my limit to {needed} new cards a day")).clicked() {
            command = Some(Command::SetNewPerDay(needed));
        }
    }
    let (missed, due, new) = c.prepare_counts;
    let label = format!("Prepare for the exam, today: {missed} missed in mock exams · {due} due · {new} new");
    if ui
        .add_enabled(!c.prepare.is_empty(), egui::Button::new(RichText::new(label).strong()))
        .on_hover_text("Today's part of the plan: cards you missed in mock exams first, then today's reviews, then the day's new cards. These are real reviews.")
        .clicked()
    {
        command = Some(Command::ReviewCards("Preparing for the exam".to_owned(), c.prepare.clone()));
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Expected score on the exam day, by how long you keep to the plan").strong());
    forecast_chart_ui(ui, &c.series);
    ui.label(
        RichText::new(format!(
            "Left: {:.0}% if you stop today. Right: {:.0}% if you study every day until the exam.",
            c.stop * 100.0,
            c.plan * 100.0
        ))
        .small()
        .weak(),
    );
    ui.add_space(8.0);
    ui.label(RichText::new("Weakest tags").strong());
    ui.horizontal_wrapped(|ui| {
        for (tag, recall, n) in &c.weakest_tags {
            ui.label(format!("{tag}: {:.0}% ({n} {})", recall * 100.0, plural(*n, "card", "cards")));
            ui.label(RichText::new("·").weak());
        }
    });
    ui.add_space(6.0);
    ui.label(RichText::new("Weakest studied cards").strong());
    if c.weakest.is_empty() {
        ui.label(RichText::new("No card in scope has been studied yet.").weak());
    }
    for (r, recall) in &c.weakest {
        if let Some(card) = library.decks.get(r.deck).and_then(|d| d.deck.cards.get(r.card)) {
            ui.label(format!("{:.0}% · {}", recall * 100.0, card.question));
        }
    }
    if c.never_studied > 0 {
        ui.label(
            RichText::new(format!(
                "{} {} never studied {} counted as 0%.",
                c.never_studied,
                plural(c.never_studied, "card", "cards"),
                plural(c.never_studied, "is", "are")
            ))
            .weak(),
        );
    }
    egui::CollapsingHeader::new(format!("Predicted recall of every card on {} ({})", c.date, c.all.len()))
        .id_salt("all_cards")
        .show(ui, |ui| {
            for (r, recall) in &c.all {
                if let Some(card) = library.decks.get(r.deck).and_then(|d| d.deck.cards.get(r.card)) {
                    ui.label(format!("{:.0}% · {} ({})", recall * 100.0, card.question, card.answer));
                }
            }
        });
    command
}

/// The expected score at the exam against days of study, with labelled
/// axes.
fn forecast_chart_ui(ui: &mut egui::Ui, series: &[f32]) {
    use egui_plot::{Line, Plot, PlotPoints};
    let points: PlotPoints = series.iter().enumerate().map(|(d, v)| [d as f64, f64::from(*v) * 100.0]).collect();
    Plot::new("readiness_forecast")
        .height(200.0)
        .width(ui.available_width().min(720.0))
        .x_axis_label("days of study from today (0: stop now)")
        .y_axis_label("expected score (%)")
        .include_y(0.0)
        .include_y(100.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(Line::new("keep to the plan", points).width(2.0));
        });
}

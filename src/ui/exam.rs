//! Mock exams in the window: the setup screen, taking the exam (one
//! question at a time or as a paper, with flags, a countdown and
//! auto-submit), the results with the history of attempts, and readiness
//! for an exam date with a "Prepare for the exam" queue.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use egui::{Color32, RichText};

use super::Command;
use super::home::plural;
use crate::deck::{CardKind, Library};
use crate::exam::{
    AlmostCounts, Correct, Exam, ExamCard, ExamSpec, Format, Given, Mark, ScopeCard, Scored, build, exam_cards,
    forecast, readiness, score,
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
                .filter(|d| self.decks.contains(&d.deck.id.0))
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
            paper: false,
            message: None,
        }
    }

    /// Draws the setup; Start builds the exam.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Option<Command> {
        let mut command = None;
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
                    .get(&crate::deck::DeckId(deck.to_owned()))?
                    .get(&crate::deck::CardId(card.to_owned()))?;
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
        };
        let exam = build(&cards, &spec);
        if exam.questions.is_empty() {
            return Err("no question could be built in this scope with these formats".to_owned());
        }
        Ok(Taking::new(exam, cards, seed, self.scope.describe(library), time_limit, self.almost, self.paper))
    }
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
    current: usize,
    started: Instant,
    started_at: Moment,
    deadline: Option<Instant>,
    almost: AlmostCounts,
    paper: bool,
}

impl Taking {
    fn new(
        exam: Exam,
        cards: Vec<ExamCard>,
        seed: u64,
        scope: String,
        time_limit: Option<Duration>,
        almost: AlmostCounts,
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
        Taking {
            exam,
            cards,
            seed,
            scope,
            given,
            typed: vec![String::new(); n],
            flagged: vec![false; n],
            touched: vec![false; n],
            current: 0,
            started: Instant::now(),
            started_at: store::now(),
            deadline: time_limit.map(|d| Instant::now() + d),
            almost,
            paper,
        }
    }

    /// The exam being taken.
    pub fn exam(&self) -> &Exam {
        &self.exam
    }

    /// Draws the exam; returns the results when submitted (by the student
    /// or by the clock).
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection) -> (Option<Command>, Option<String>) {
        let mut submit = false;
        let mut auto = false;
        ui.horizontal(|ui| {
            ui.label(RichText::new("Mock exam").strong().size(18.0));
            let answered = (0..self.exam.questions.len()).filter(|&i| self.is_answered(i)).count();
            ui.label(format!("{answered} of {} answered", self.exam.questions.len()));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(RichText::new("Submit").strong()).clicked() {
                    submit = true;
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
                if ui.selectable_label(i == self.current && !self.paper, label).clicked() {
                    self.current = i;
                }
            }
        });
        for note in &self.exam.notes {
            ui.label(RichText::new(format!("Note: {note}")).small().weak());
        }
        ui.separator();
        if self.paper {
            egui::ScrollArea::vertical().auto_shrink([false, false]).max_height(ui.available_height() - 10.0).show(
                ui,
                |ui| {
                    for i in 0..self.exam.questions.len() {
                        self.question_ui(ui, i);
                        ui.separator();
                    }
                },
            );
        } else {
            self.question_ui(ui, self.current);
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                if ui.add_enabled(self.current > 0, egui::Button::new("Previous")).clicked() {
                    self.current -= 1;
                }
                if ui.add_enabled(self.current + 1 < self.exam.questions.len(), egui::Button::new("Next")).clicked() {
                    self.current += 1;
                }
            });
        }
        if submit || auto {
            return self.finish(collection, auto);
        }
        (None, None)
    }

    fn question_ui(&mut self, ui: &mut egui::Ui, i: usize) {
        let Some(question) = self.exam.questions.get(i).cloned() else { return };
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("Question {} of {}", i + 1, self.exam.questions.len())).weak());
            if let Some(flag) = self.flagged.get_mut(i) {
                ui.checkbox(flag, "Flag for later");
            }
        });
        ui.label(RichText::new(&question.prompt).size(21.0).strong());
        ui.add_space(6.0);
        let Some(given) = self.given.get_mut(i) else { return };
        match question.format {
            Format::MultipleChoice => {
                for (k, option) in question.options.iter().enumerate() {
                    let selected = matches!(given, Given::Option { index } if *index == k);
                    if ui
                        .radio(selected, RichText::new(format!("{}) {option}", char::from(b'a' + k as u8))).size(17.0))
                        .clicked()
                    {
                        *given = Given::Option { index: k };
                    }
                }
            }
            Format::Typed => {
                let Some(text) = self.typed.get_mut(i) else { return };
                let label = ui.label("Your answer:");
                let response = ui.add(egui::TextEdit::singleline(text).desired_width(420.0)).labelled_by(label.id);
                if response.changed() {
                    *given = if text.trim().is_empty() { Given::None } else { Given::Text { text: text.clone() } };
                }
            }
            Format::TrueFalse => {
                ui.horizontal(|ui| {
                    for (value, label) in [(true, "True"), (false, "False")] {
                        let selected = matches!(given, Given::Bool { value: v } if *v == value);
                        if ui.selectable_label(selected, RichText::new(label).size(17.0)).clicked() {
                            *given = Given::Bool { value };
                        }
                    }
                });
            }
            Format::Timeline => {
                ui.label(RichText::new("Earliest at the top; move events with the arrows.").weak());
                let Given::Order { order } = given else { return };
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
                        ui.add(egui::Label::new(RichText::new(text).size(16.0)).wrap());
                    });
                }
                if let Some((a, b)) = swap {
                    order.swap(a, b);
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

    fn finish(&mut self, collection: &Collection, auto: bool) -> (Option<Command>, Option<String>) {
        // A timeline left as shown was not answered.
        for i in 0..self.given.len() {
            if !self.is_answered(i)
                && let Some(given) = self.given.get_mut(i)
            {
                *given = Given::None;
            }
        }
        let scored = score(&self.exam, &self.given, &self.cards, self.almost);
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
            almost: self.almost,
            auto_submitted: auto,
        };
        let error = collection.save_attempt(&attempt).err().map(|e| format!("The exam result was NOT saved: {e}"));
        let results = Results {
            exam: self.exam.clone(),
            cards: self.cards.clone(),
            given: self.given.clone(),
            scored,
            elapsed: self.started.elapsed(),
            auto,
            sent: None,
        };
        (Some(Command::ShowResults(Box::new(results))), error)
    }
}

/// The results of an attempt.
pub struct Results {
    exam: Exam,
    cards: Vec<ExamCard>,
    given: Vec<Given>,
    scored: Scored,
    elapsed: Duration,
    auto: bool,
    /// What "send to review" did, once pressed.
    sent: Option<String>,
}

impl Results {
    /// Draws the results, the breakdowns, every question, and the history.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &mut Collection, library: &Library) -> Option<Command> {
        let mut command = None;
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
            let missed = self.missed_cards(library);
            ui.horizontal(|ui| {
                match &self.sent {
                    Some(message) => {
                        ui.label(RichText::new(message).strong());
                        if ui.button("Study now").clicked() {
                            command = Some(Command::StudyNow(None));
                        }
                    }
                    None if !missed.is_empty() => {
                        let label = format!(
                            "Send the {} missed {} to today's review",
                            missed.len(),
                            plural(missed.len(), "card", "cards")
                        );
                        if ui
                            .button(label)
                            .on_hover_text("They join today's queue; your grades there update the schedule")
                            .clicked()
                        {
                            self.sent = Some(send_to_review(collection, library, &missed));
                        }
                    }
                    None => {}
                }
                if ui.button("New exam").clicked() {
                    command = Some(Command::OpenExam);
                }
                if ui.button("Back to home").clicked() {
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
                let (text, color) = match mark {
                    Mark::Right => ("right", Color32::from_rgb(40, 150, 60)),
                    Mark::Almost => ("almost", Color32::from_rgb(200, 130, 20)),
                    Mark::Wrong => ("wrong", ui.visuals().error_fg_color),
                    Mark::Blank => ("not answered", ui.visuals().error_fg_color),
                };
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(format!("{}.", i + 1)).strong());
                        ui.label(RichText::new(text).color(color).strong());
                        ui.label(RichText::new(question.format.label()).small().weak());
                    });
                    ui.label(RichText::new(&question.prompt).strong());
                    ui.label(format!("Your answer: {}", given_text(question, self.given.get(i))));
                    ui.label(format!("Right answer: {}", question.answer_text()));
                    for reference in &question.cards {
                        if let Some(card) = self.cards.iter().find(|c| format!("{}/{}", c.deck, c.card) == *reference) {
                            if !card.note.is_empty() && question.format != Format::Timeline {
                                ui.label(RichText::new(&card.note).weak());
                            }
                            if let Some(p) = card.paragraph {
                                ui.label(RichText::new(format!("Source: paragraph {p}")).small().weak());
                            }
                        }
                    }
                });
            }
            ui.add_space(10.0);
            history_ui(ui, collection);
        });
        command
    }

    fn missed_cards(&self, library: &Library) -> Vec<CardRef> {
        let mut out = Vec::new();
        for (i, question) in self.exam.questions.iter().enumerate() {
            if matches!(self.scored.marks.get(i), Some(Mark::Right) | None) {
                continue;
            }
            for reference in &question.cards {
                if let Some(r) = find_card(library, reference)
                    && !out.contains(&r)
                {
                    out.push(r);
                }
            }
        }
        out
    }
}

/// Logs each card as sent to today's review; says how it went.
fn send_to_review(collection: &mut Collection, library: &Library, cards: &[CardRef]) -> String {
    let now = store::now();
    let mut sent = 0;
    for r in cards {
        let Some(loaded) = library.decks.get(r.deck) else { continue };
        let Some(card) = loaded.deck.cards.get(r.card) else { continue };
        match collection.record(&loaded.deck.id, &card.id, crate::revlog::Action::SendToReview, now) {
            Ok(_) => sent += 1,
            Err(e) => return format!("{sent} sent; the rest were NOT sent: {e}"),
        }
    }
    format!("{sent} {} added to today's review.", plural(sent, "card", "cards"))
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

/// Past attempts: a list and a chart of scores over time.
fn history_ui(ui: &mut egui::Ui, collection: &Collection) {
    let Ok((attempts, _)) = collection.attempts() else { return };
    if attempts.is_empty() {
        return;
    }
    ui.label(RichText::new("Your exam history").size(18.0).strong());
    let scores: Vec<f32> = attempts.iter().map(Attempt::fraction).collect();
    chart_ui(ui, &scores, "score");
    ui.label(RichText::new("One bar an attempt, oldest left; the height is the score, 0 to 100%.").small().weak());
    for attempt in attempts.iter().rev().take(20) {
        let when = jiff::Timestamp::from_millisecond(attempt.finished_ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        ui.label(format!(
            "{when} UTC · {:.0}% · {} questions · {} · seed {}{}",
            attempt.fraction() * 100.0,
            attempt.questions.len(),
            attempt.scope,
            attempt.seed,
            if attempt.auto_submitted { " · timed out" } else { "" }
        ));
    }
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

/// The exam date and readiness screen.
pub struct ReadinessScreen {
    scope: Scope,
    date: String,
    message: Option<String>,
    computed: Option<Computed>,
}

struct Computed {
    date: String,
    expected: f32,
    cards: usize,
    /// Every card in scope with its predicted recall, lowest first.
    all: Vec<(CardRef, f32)>,
    weakest_tags: Vec<(String, f32, usize)>,
    forecast: Vec<f32>,
    prepare: Vec<CardRef>,
}

impl ReadinessScreen {
    /// The screen, with the saved exam date if any.
    pub fn new(collection: &Collection, library: &Library) -> ReadinessScreen {
        let date = collection.preferences().exam_date.clone().unwrap_or_default();
        let mut screen = ReadinessScreen { scope: Scope::default(), date, message: None, computed: None };
        if !screen.date.is_empty() {
            screen.compute(collection, library);
        }
        screen
    }

    fn compute(&mut self, collection: &Collection, library: &Library) {
        self.message = None;
        let date: jiff::civil::Date = match self.date.trim().parse() {
            Ok(d) => d,
            Err(_) => {
                self.message = Some("write the date as YYYY-MM-DD, such as 2026-12-18".to_owned());
                self.computed = None;
                return;
            }
        };
        let now = store::now();
        let Ok(noon) = date.at(12, 0, 0, 0).to_zoned_datetime(jiff::tz::TimeZone::system()) else { return };
        let exam = Moment::new(noon.timestamp().as_millisecond(), noon.offset().seconds());
        if exam.unix_ms < now.unix_ms {
            self.message = Some("the exam date has passed: choose a date from today on".to_owned());
            self.computed = None;
            return;
        }
        let mut refs = Vec::new();
        let mut scope_cards = Vec::new();
        for (d, loaded) in library.decks.iter().enumerate() {
            let states = collection.progress().states.get(&loaded.deck.id);
            for (c, card) in loaded.deck.cards.iter().enumerate() {
                if self.scope.keeps(&loaded.deck.id.0, card) {
                    refs.push(CardRef { deck: d, card: c });
                    scope_cards.push(ScopeCard {
                        seed: card_seed(&loaded.deck.id.0, &card.id.0),
                        state: states.and_then(|s| s.get(&card.id)),
                        tags: &card.tags,
                    });
                }
            }
        }
        let scheduler = collection.scheduler();
        let r = readiness(scheduler, &scope_cards, exam);
        let forecast = forecast(scheduler, &scope_cards, now, exam, 1).into_iter().map(|(_, v)| v).collect();
        let all = r.weakest.iter().filter_map(|&i| Some((*refs.get(i)?, *r.recall.get(i)?))).collect();
        let prepare = r.weakest.iter().filter_map(|&i| refs.get(i).copied()).take(100).collect();
        self.computed = Some(Computed {
            date: self.date.trim().to_owned(),
            expected: r.expected,
            cards: scope_cards.len(),
            all,
            weakest_tags: r.weakest_tags.into_iter().take(8).collect(),
            forecast,
            prepare,
        });
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Option<Command> {
        let mut command = None;
        ui.heading("Exam date and readiness");
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Exam date (YYYY-MM-DD)");
                ui.add(egui::TextEdit::singleline(&mut self.date).desired_width(130.0)).labelled_by(label.id);
                if ui.button("Show readiness").clicked() {
                    self.compute(collection, library);
                    if self.computed.is_some() {
                        let preferences = Preferences { exam_date: Some(self.date.trim().to_owned()), ..collection.preferences().clone() };
                        command = Some(Command::SavePreferences(preferences));
                    }
                }
                if ui.button("Back").clicked() {
                    command = Some(Command::Home);
                }
            });
            if let Some(message) = &self.message {
                ui.colored_label(ui.visuals().error_fg_color, message.clone());
            }
            egui::CollapsingHeader::new("Scope (all decks unless you tick some)").id_salt("readiness_scope").show(ui, |ui| {
                self.scope.ui(ui, library);
            });
            let Some(c) = &self.computed else { return };
            ui.add_space(8.0);
            ui.label(RichText::new(format!("Expected score on {}: {:.0}%", c.date, c.expected * 100.0)).size(26.0).strong());
            ui.label(RichText::new(format!(
                "The average chance of recalling each of the {} cards in scope on that day, from your reviews so far. Cards you have never studied count as not known.",
                c.cards
            )).weak());
            if ui.add(egui::Button::new(RichText::new("Prepare for the exam").strong())).on_hover_text("Review the cards least likely to be remembered on the exam day first, even if not yet due. These are real reviews.").clicked() {
                command = Some(Command::ReviewCards("Preparing for the exam".to_owned(), c.prepare.clone()));
            }
            ui.add_space(8.0);
            ui.label(RichText::new("If you study every day until then").strong());
            chart_ui(ui, &c.forecast, "expected score");
            ui.label(RichText::new("One bar a day, from today (left) to the exam day (right); the height is the expected score, 0 to 100%.").small().weak());
            if let (Some(first), Some(last)) = (c.forecast.first(), c.forecast.last()) {
                ui.label(RichText::new(format!(
                    "Doing your reviews and new cards each day takes the expected score from {:.0}% to about {:.0}% by the exam day.",
                    first * 100.0,
                    last * 100.0
                )).weak());
            }
            ui.add_space(8.0);
            ui.label(RichText::new("Weakest tags").strong());
            ui.horizontal_wrapped(|ui| {
                for (tag, recall, n) in &c.weakest_tags {
                    ui.label(format!("{tag}: {:.0}% ({n} {})", recall * 100.0, plural(*n, "card", "cards")));
                    ui.label(RichText::new("·").weak());
                }
            });
            ui.add_space(6.0);
            ui.label(RichText::new("Weakest cards").strong());
            for (r, recall) in c.all.iter().take(12) {
                if let Some(card) = library.decks.get(r.deck).and_then(|d| d.deck.cards.get(r.card)) {
                    ui.label(format!("{:.0}% · {}", recall * 100.0, card.question));
                }
            }
            egui::CollapsingHeader::new(format!("Predicted recall of every card on {} ({})", c.date, c.all.len())).id_salt("all_cards").show(ui, |ui| {
                for (r, recall) in &c.all {
                    if let Some(card) = library.decks.get(r.deck).and_then(|d| d.deck.cards.get(r.card)) {
                        ui.label(format!("{:.0}% · {} ({})", recall * 100.0, card.question, card.answer));
                    }
                }
            });
        });
        command
    }
}

//! The add/edit card form: deck (the profile's own, or a new one made
//! inline), kind, question, answer, accept forms, tags with completion,
//! note and source paragraph, with the deck rules checked inline and a live
//! preview as the review screen shows the card. Ctrl+Enter saves; a new
//! card's form then clears for the next one, keeping deck, kind and tags.
//! A failed save keeps every field as typed.

use egui::RichText;

use super::review;
use super::{Applied, Command};
use crate::deck::{Card, CardId, CardKind, DeckErrorKind, DeckId, DeckOrigin, Library, Source};
use crate::store::{self, StoreError};
use crate::text::normalise;

/// Where the form returns when it closes.
pub(crate) enum Back {
    Home,
    Browser,
    /// A review session, with the library its places point into (a change
    /// made meanwhile, here or merged from another computer, moves them).
    Review(Box<review::Session>, std::sync::Arc<Library>),
}

/// Problems shown under each field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Errors {
    deck: Option<String>,
    question: Option<String>,
    answer: Option<String>,
    accept: Option<String>,
    tags: Option<String>,
    paragraph: Option<String>,
    exam: Option<String>,
    other: Option<String>,
}

/// The form's state.
pub(crate) struct Form {
    /// The card being edited; `None` adds a new card.
    editing: Option<(DeckId, CardId)>,
    deck: Option<DeckId>,
    new_deck: String,
    kind: CardKind,
    question: String,
    answer: String,
    accept: String,
    tags: String,
    note: String,
    paragraph: String,
    /// The exam fields: a statement with {answer}, wrong options one a
    /// line, and a timeline headline; sibling links are kept as they were.
    statement: String,
    distractors: String,
    event: String,
    siblings: Vec<String>,
    errors: Errors,
    /// What the last save did.
    notice: Option<String>,
    /// Every tag in the library, for completion.
    all_tags: Vec<String>,
    /// The question text the duplicate check last ran on, and its result.
    duplicate: (String, Option<String>),
    focus_question: bool,
    /// The op asked for and not yet answered.
    pending: Option<Pending>,
    back: Back,
}

/// What a frame of the form asks of the app.
pub(crate) struct Outcome {
    /// Close the form and go back.
    pub close: bool,
    /// An op for the store (a save, a delete, a new deck).
    pub command: Option<Command>,
}

/// What the form asked the store for, kept until it is answered.
enum Pending {
    /// An edit of the card being edited.
    Edit,
    /// A new card, with its question, into the deck chosen.
    Add { question: String, deck: DeckId },
    /// The card being edited deleted.
    Delete,
    /// A new deck made inline.
    CreateDeck,
}

fn all_tags(library: &Library) -> Vec<String> {
    let mut tags: Vec<String> =
        library.decks.iter().flat_map(|d| d.deck.cards.iter().flat_map(|c| c.tags.iter().cloned())).collect();
    tags.sort_unstable();
    tags.dedup();
    tags
}

impl Form {
    /// A blank form for a new card, in the first own deck if any.
    pub fn add(library: &Library, back: Back) -> Form {
        let deck = library.decks.iter().find(|d| d.origin == DeckOrigin::Profile).map(|d| d.deck.id.clone());
        Form {
            editing: None,
            deck,
            new_deck: String::new(),
            kind: CardKind::Concept,
            question: String::new(),
            answer: String::new(),
            accept: String::new(),
            tags: String::new(),
            note: String::new(),
            paragraph: String::new(),
            statement: String::new(),
            distractors: String::new(),
            event: String::new(),
            siblings: Vec::new(),
            errors: Errors::default(),
            notice: None,
            all_tags: all_tags(library),
            duplicate: (String::new(), None),
            focus_question: true,
            pending: None,
            back,
        }
    }

    /// The form filled with a card to edit, or `None` if it is not loaded.
    pub fn edit(library: &Library, deck: &DeckId, card: &CardId, back: Back) -> Result<Form, Back> {
        let Some(found) = library.deck(deck).and_then(|d| d.deck.cards.iter().find(|c| c.id == *card)) else {
            return Err(back);
        };
        let mut form = Form::add(library, back);
        form.editing = Some((deck.clone(), card.clone()));
        form.deck = Some(deck.clone());
        form.kind = found.kind;
        form.question.clone_from(&found.question);
        form.answer.clone_from(&found.answer);
        form.accept = found.accept.join("\n");
        form.tags = found.tags.join(" ");
        form.note.clone_from(&found.note);
        form.paragraph = found.source.as_ref().map(|s| s.paragraph.to_string()).unwrap_or_default();
        form.statement.clone_from(&found.statement);
        form.distractors = found.distractors.join("\n");
        form.event.clone_from(&found.event);
        form.siblings.clone_from(&found.siblings);
        form.duplicate = (form.question.clone(), None);
        Ok(form)
    }

    /// Where to go when the form closes.
    pub fn into_back(self) -> Back {
        self.back
    }

    /// The card as typed, or the field problems that stop it being one.
    fn card(&self) -> Result<Card, Box<Errors>> {
        let mut errors = Errors::default();
        let source = match self.paragraph.trim() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(p) if p > 0 => Some(Source { paragraph: p }),
                _ => {
                    errors.paragraph = Some("Write the paragraph as a number from 1, or leave it empty.".into());
                    None
                }
            },
        };
        if self.question.trim().is_empty() {
            errors.question = Some("Write a question.".into());
        }
        if self.answer.trim().is_empty() {
            errors.answer = Some("Write the answer.".into());
        }
        if errors != Errors::default() {
            return Err(Box::new(errors));
        }
        let id = self.editing.as_ref().map(|(_, c)| c.clone()).unwrap_or_default();
        Ok(Card {
            id,
            kind: self.kind,
            question: self.question.trim().to_owned(),
            answer: self.answer.trim().to_owned(),
            accept: self.accept.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
            tags: self
                .tags
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            source,
            note: self.note.trim().to_owned(),
            statement: self.statement.trim().to_owned(),
            distractors: self.distractors.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
            event: if self.kind == CardKind::Date { self.event.trim().to_owned() } else { String::new() },
            siblings: self.siblings.clone(),
        })
    }

    fn save(&mut self, out: &mut Outcome) {
        self.notice = None;
        let card = match self.card() {
            Ok(card) => card,
            Err(errors) => {
                self.errors = *errors;
                return;
            }
        };
        self.errors = Errors::default();
        let (op, pending) = match (&self.editing, &self.deck) {
            (Some((deck, _)), _) => (store::Op::EditCards(vec![(deck.clone(), card)]), Pending::Edit),
            (None, Some(deck)) => {
                let pending = Pending::Add { question: card.question.clone(), deck: deck.clone() };
                (store::Op::AddCard { deck: deck.clone(), card }, pending)
            }
            (None, None) => {
                self.errors.deck = Some("Choose a deck, or make one below.".into());
                return;
            }
        };
        self.pending = Some(pending);
        out.command = Some(Command::apply(op));
    }

    /// What the form makes of the op it asked for. A failed save keeps
    /// every field as typed and says why beside the field.
    pub(crate) fn applied(&mut self, result: Result<store::Change, StoreError>, library: &Library) -> Applied {
        let Some(pending) = self.pending.take() else { return Applied::none() };
        let change = match result {
            Ok(change) => change,
            Err(e) => {
                match pending {
                    Pending::CreateDeck => {
                        self.errors.deck = Some(match &e {
                            StoreError::InvalidDeck(d) if d.kind == DeckErrorKind::BlankTitle => {
                                "Give the new deck a title.".to_owned()
                            }
                            other => other.to_string(),
                        });
                    }
                    Pending::Delete => self.errors.other = Some(e.to_string()),
                    Pending::Edit | Pending::Add { .. } => self.errors = errors_of(&e),
                }
                return Applied::none();
            }
        };
        match pending {
            Pending::Edit => Applied::then(Command::CloseEditor),
            // To the browser, where Undo is (a review session's place in the
            // deck moved anyway).
            Pending::Delete => Applied::then(Command::BrowseDeleted(change.events)),
            Pending::CreateDeck => {
                self.deck = change.deck;
                self.new_deck.clear();
                self.errors.deck = None;
                self.focus_question = true;
                Applied::none()
            }
            Pending::Add { question, deck } => {
                let title = library.deck(&deck).map_or_else(String::new, |d| d.deck.title.clone());
                for field in [
                    &mut self.question,
                    &mut self.answer,
                    &mut self.accept,
                    &mut self.note,
                    &mut self.statement,
                    &mut self.distractors,
                    &mut self.event,
                ] {
                    field.clear();
                }
                self.paragraph.clear();
                self.focus_question = true;
                self.all_tags = all_tags(library);
                Applied::toast(super::toast::Toast::with_undo(
                    format!("Added “{question}” to “{title}”. It is in today's new cards."),
                    super::toast::Undo::Events(change.events),
                ))
            }
        }
    }

    /// Draws the form and saves, deletes or closes on request.
    pub fn ui(&mut self, ui: &mut egui::Ui, library: &Library) -> Outcome {
        let mut out = Outcome { close: false, command: None };
        // Take Ctrl+Enter before a multi-line field turns it into a new line.
        let save_key = ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
        let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
        ui.heading(if self.editing.is_some() { "Edit card" } else { "Add card" });
        ui.add_space(4.0);
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.columns(2, |columns| {
                if let [left, right] = columns {
                    self.fields_ui(left, library, &mut out);
                    self.preview_ui(right);
                }
            });
        });
        if save_key {
            self.save(&mut out);
        }
        if escape {
            out.close = true;
        }
        out
    }

    fn fields_ui(&mut self, ui: &mut egui::Ui, library: &Library, out: &mut Outcome) {
        let error_color = ui.visuals().error_fg_color;
        let show_error = |ui: &mut egui::Ui, e: &Option<String>| {
            if let Some(e) = e {
                ui.colored_label(error_color, e);
            }
        };
        self.deck_ui(ui, library, out);
        show_error(ui, &self.errors.deck);

        ui.horizontal(|ui| {
            egui::ComboBox::from_label("Kind").selected_text(self.kind.name()).show_ui(ui, |ui| {
                for kind in CardKind::ALL {
                    ui.selectable_value(&mut self.kind, kind, kind.name());
                }
            });
        });

        let label = ui.label("Question");
        let response = ui.add(egui::TextEdit::multiline(&mut self.question).desired_rows(2)).labelled_by(label.id);
        if std::mem::take(&mut self.focus_question) {
            response.request_focus();
        }
        show_error(ui, &self.errors.question);
        self.duplicate_ui(ui, library);

        let label = ui.label("Answer");
        ui.add(egui::TextEdit::singleline(&mut self.answer)).labelled_by(label.id);
        show_error(ui, &self.errors.answer);

        let label = ui.label("Also accepted (one per line)");
        ui.add(egui::TextEdit::multiline(&mut self.accept).desired_rows(2)).labelled_by(label.id);
        show_error(ui, &self.errors.accept);

        let label = ui.label("Tags (separated by spaces)");
        ui.add(egui::TextEdit::singleline(&mut self.tags)).labelled_by(label.id);
        self.tag_completion_ui(ui);
        show_error(ui, &self.errors.tags);

        let label = ui.label("Note");
        ui.add(egui::TextEdit::multiline(&mut self.note).desired_rows(2)).labelled_by(label.id);

        let label = ui.label("Source paragraph (optional)");
        ui.add(egui::TextEdit::singleline(&mut self.paragraph).desired_width(80.0)).labelled_by(label.id);
        show_error(ui, &self.errors.paragraph);

        egui::CollapsingHeader::new("For mock exams (optional)")
            .id_salt("exam_fields")
            .default_open(self.errors.exam.is_some())
            .show(ui, |ui| {
                let label = ui.label("Statement, with {answer} where the answer goes");
                ui.add(
                    egui::TextEdit::singleline(&mut self.statement)
                        .desired_width(f32::INFINITY)
                        .hint_text("The treaty was signed on {answer}."),
                )
                .labelled_by(label.id);
                let label = ui.label("Wrong options for multiple choice (3 to 6, one per line)");
                ui.add(egui::TextEdit::multiline(&mut self.distractors).desired_rows(3).desired_width(f32::INFINITY))
                    .labelled_by(label.id);
                if self.kind == CardKind::Date {
                    let label = ui.label("Timeline headline");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.event)
                            .desired_width(f32::INFINITY)
                            .hint_text("The treaty is signed"),
                    )
                    .labelled_by(label.id);
                }
            });
        show_error(ui, &self.errors.exam);
        show_error(ui, &self.errors.other);

        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Save").on_hover_text("Ctrl+Enter").clicked() {
                self.save(out);
            }
            if ui.button(if self.editing.is_some() { "Cancel" } else { "Done" }).on_hover_text("Escape").clicked() {
                out.close = true;
            }
            if self.editing.is_none() {
                ui.label(
                    egui::RichText::new("Ctrl+Enter saves and starts the next card, keeping the deck and tags.").weak(),
                );
            }
            let own = self
                .editing
                .as_ref()
                .and_then(|(d, _)| library.deck(d))
                .is_some_and(|d| d.origin == DeckOrigin::Profile);
            if own
                && ui.button("Delete card").clicked()
                && let Some((deck, card)) = self.editing.clone()
            {
                self.pending = Some(Pending::Delete);
                out.command = Some(Command::apply(store::Op::DeleteCards(vec![(deck, card)])));
            }
        });
        if let Some(notice) = &self.notice {
            ui.label(notice);
        }
    }

    fn deck_ui(&mut self, ui: &mut egui::Ui, library: &Library, out: &mut Outcome) {
        if let Some((deck, _)) = &self.editing {
            let title = library.deck(deck).map_or(deck.0.as_str(), |d| d.deck.title.as_str());
            let bundled = library.deck(deck).is_some_and(|d| d.origin == DeckOrigin::Bundled);
            ui.label(format!("Deck: {title}"));
            if bundled {
                ui.label(
                    RichText::new("A bundled card: your edit is kept in your profile; the bundled deck is unchanged.")
                        .weak(),
                );
            }
            return;
        }
        let own = library.own_decks();
        let selected = own.iter().find(|(id, _)| Some(id) == self.deck.as_ref()).map_or("choose a deck", |(_, t)| t);
        egui::ComboBox::from_label("Deck").selected_text(selected.to_owned()).show_ui(ui, |ui| {
            for (id, title) in &own {
                ui.selectable_value(&mut self.deck, Some(id.clone()), title);
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("New deck:");
            let response = ui
                .add(egui::TextEdit::singleline(&mut self.new_deck).desired_width(180.0))
                .labelled_by(label.id)
                .on_hover_text("Type a title and press Enter");
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Create deck").clicked() || enter {
                self.pending = Some(Pending::CreateDeck);
                out.command = Some(Command::apply(store::Op::CreateDeck { title: self.new_deck.clone() }));
            }
        });
    }

    /// Warns as soon as the question is one the deck already asks.
    fn duplicate_ui(&mut self, ui: &mut egui::Ui, library: &Library) {
        if self.duplicate.0 != self.question {
            let asked = normalise(&self.question);
            let editing = self.editing.as_ref().map(|(_, c)| c);
            self.duplicate = (
                self.question.clone(),
                self.deck.as_ref().and_then(|d| library.deck(d)).and_then(|d| {
                    d.deck
                        .cards
                        .iter()
                        .find(|c| Some(&c.id) != editing && !asked.is_empty() && normalise(&c.question) == asked)
                        .map(|c| c.question.clone())
                }),
            );
        }
        if let Some(other) = &self.duplicate.1 {
            ui.colored_label(ui.visuals().error_fg_color, format!("This deck already asks: “{other}”."));
        }
    }

    /// Existing tags that start with the word being typed.
    fn tag_completion_ui(&mut self, ui: &mut egui::Ui) {
        let partial = if self.tags.ends_with(char::is_whitespace) {
            String::new()
        } else {
            self.tags.split_whitespace().last().unwrap_or("").to_owned()
        };
        if partial.is_empty() {
            return;
        }
        let lower = partial.to_lowercase();
        let matches: Vec<String> = self
            .all_tags
            .iter()
            .filter(|t| t.to_lowercase().starts_with(&lower) && **t != partial)
            .take(8)
            .cloned()
            .collect();
        if matches.is_empty() {
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Complete:").small().weak());
            for tag in matches {
                if ui.small_button(&tag).clicked() {
                    let keep = self.tags.len() - partial.len();
                    self.tags.truncate(keep);
                    self.tags.push_str(&tag);
                    self.tags.push(' ');
                }
            }
        });
    }

    fn preview_ui(&self, ui: &mut egui::Ui) {
        ui.label(RichText::new("Preview").weak());
        egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(12)).show(ui, |ui| {
            ui.set_width(ui.available_width());
            // Left-aligned, as on the review screen (a justified parent would stretch wrapped words).
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| match self.card() {
                Ok(card) => {
                    ui.label(RichText::new(&card.question).size(22.0).strong());
                    ui.add_space(8.0);
                    review::answer_face_ui(ui, &card, None);
                }
                Err(_) => {
                    ui.label(RichText::new("Write a question and an answer to see the card.").weak());
                }
            });
        });
    }
}

/// Field problems for a store error: deck rules go under their field.
fn errors_of(error: &StoreError) -> Errors {
    let mut errors = Errors::default();
    let StoreError::InvalidDeck(e) = error else {
        errors.other = Some(format!("Not saved: {error}"));
        return errors;
    };
    match &e.kind {
        DeckErrorKind::Blank { field: "the question", .. } => errors.question = Some("Write a question.".into()),
        DeckErrorKind::Blank { field: "the answer", .. } => errors.answer = Some("Write the answer.".into()),
        DeckErrorKind::Blank { .. } => errors.accept = Some("Remove the empty accepted form.".into()),
        DeckErrorKind::DuplicateQuestion { .. } => {
            errors.question = Some("Another card in this deck asks the same question: reword it.".into());
        }
        DeckErrorKind::BadTag { tag, .. } => {
            errors.tags = Some(format!("Tag {tag:?} is not valid: tags are single words (use '-' to join words)."));
        }
        DeckErrorKind::ZeroParagraph(_) => errors.paragraph = Some("Paragraphs are numbered from 1.".into()),
        DeckErrorKind::ExamField { field, why, .. } => {
            let mut chars = field.chars();
            let field: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            errors.exam = Some(format!("{field} {why}."));
        }
        _ => errors.other = Some(format!("Not saved: {error}")),
    }
    errors
}

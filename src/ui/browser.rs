//! The card browser: a search box with the query language, a sortable
//! table of every matching card (only visible rows are drawn), selection,
//! and actions on the selected cards. Rows are rebuilt only when the query,
//! the sort, the library or the progress changes, never per frame.

use std::collections::HashSet;

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::home::plural;
use super::toast::{Toast, Undo};
use super::{Applied, Command};
use crate::browse::{self, Index, Row, Sort, SortColumn};
use crate::deck::{Card, CardId, DeckId, DeckOrigin, Library};
use crate::query::{self, Query, QueryError};
use crate::revlog::{Action, EventId};
use crate::store::{self, Collection};

/// The columns: header, what they sort by, initial width.
const COLUMNS: [(&str, SortColumn, f32); 13] = [
    ("Deck", SortColumn::Deck, 110.0),
    ("Question", SortColumn::Question, 260.0),
    ("Answer", SortColumn::Answer, 140.0),
    ("Kind", SortColumn::Kind, 70.0),
    ("Tags", SortColumn::Tags, 100.0),
    ("State", SortColumn::State, 90.0),
    ("Due", SortColumn::Due, 70.0),
    ("Interval", SortColumn::Interval, 60.0),
    ("Stability", SortColumn::Stability, 65.0),
    ("Difficulty", SortColumn::Difficulty, 65.0),
    ("Recall", SortColumn::Retrievability, 55.0),
    ("Reviews", SortColumn::Reviews, 55.0),
    ("Lapses", SortColumn::Lapses, 50.0),
];

/// What the rows were built from; a change of any part rebuilds them.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    query: String,
    sort: Sort,
    last_applied: Option<(i64, EventId)>,
    library: u64,
}

/// A question before a destructive action.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Confirm {
    Reset,
    Delete,
    DeleteDeck(DeckId),
}

/// The browser's state; it lives as long as the app, so the query and the
/// sort survive leaving the screen.
#[derive(Default)]
pub(crate) struct Browser {
    text: String,
    query: Query,
    /// The text `query` was parsed from.
    query_text: String,
    error: Option<QueryError>,
    sort: Sort,
    index: Option<Index>,
    /// Bumped by [`Browser::library_changed`].
    library_version: u64,
    stamp: Option<Stamp>,
    rows: Vec<Row>,
    selected: HashSet<(DeckId, CardId)>,
    /// The row a Shift-click extends from.
    anchor: Option<usize>,
    help: bool,
    confirm: Option<Confirm>,
    /// The own deck that "Move" moves the selected cards into.
    move_to: Option<DeckId>,
    /// An own deck being renamed, and the new title.
    renaming: Option<(DeckId, String)>,
    tag: String,
    /// The last deletion of cards: how many, and the events that undo
    /// takes back (empty: none, or something else was done since).
    deleted: (usize, Vec<crate::revlog::EventId>),
    /// What the last action did, or why it failed (a success becomes a toast).
    message: Option<(String, bool)>,
    /// The undo of the last successful action, for its toast.
    undo: Option<Undo>,
    scroll_to_top: bool,
    /// Put the cursor in the search box at the next frame.
    focus_search: bool,
    /// The op an action asks for this frame.
    request: Option<store::Op>,
    /// What that op was for, until it is answered.
    pending: Option<Pending>,
}

/// What the browser asked the store for, kept until it is answered.
#[derive(Debug)]
enum Pending {
    DeleteDeck { title: String },
    Move,
    Rename { from: String, to: String },
    Cards { action: Action, n: usize },
    Tags { add: bool, n: usize },
    Delete { n: usize },
    UndoDelete { n: usize },
    Undo,
}

/// What a frame of the browser asks of the app.
pub(crate) struct Outcome {
    /// A screen change, or an op for the store.
    pub command: Option<Command>,
    /// What an action did, with its undo.
    pub toast: Option<Toast>,
}

impl Browser {
    /// Sets the query, as typed in the search box.
    pub fn set_query(&mut self, text: String) {
        self.text = text;
        self.scroll_to_top = true;
        self.reparse();
    }

    /// The cards changed: rebuild the index and rows when next drawn.
    pub fn library_changed(&mut self) {
        self.index = None;
        self.library_version += 1;
        self.anchor = None;
    }

    /// Remembers a deletion of `n` cards (one op, its `events`) for Undo.
    pub fn remember_deleted(&mut self, n: usize, events: Vec<crate::revlog::EventId>) {
        self.deleted = (n, events.clone());
        self.message = Some((format!("Deleted {n} {}.", plural(n, "card", "cards")), false));
        self.undo = Some(Undo::Events(events));
    }

    /// Asks the store for `op` (sent at the end of the frame).
    fn ask(&mut self, op: store::Op, pending: Pending) {
        self.request = Some(op);
        self.pending = Some(pending);
    }

    /// What the browser makes of the op it asked for: a message, with Undo
    /// where it can be taken back.
    pub(crate) fn applied(&mut self, result: Result<store::Change, store::StoreError>) -> Applied {
        let Some(pending) = self.pending.take() else { return Applied::none() };
        let change = match result {
            Ok(change) => change,
            Err(e) => {
                self.message = Some(match pending {
                    Pending::Cards { .. } => (format!("Nothing was changed: {e}"), true),
                    _ => (e.to_string(), true),
                });
                return Applied::none();
            }
        };
        if !matches!(pending, Pending::Undo | Pending::UndoDelete { .. }) {
            self.deleted = (0, Vec::new());
        }
        let undo = Some(Undo::Events(change.events.clone()));
        match pending {
            Pending::DeleteDeck { title } => {
                self.message = Some((format!("Deleted the deck “{title}”."), false));
                self.undo = undo;
            }
            Pending::Move => {
                let report = change.moved.unwrap_or_default();
                let mut message = format!("Moved {} {}.", report.moved, plural(report.moved, "card", "cards"));
                if report.with_history > 0 {
                    message.push_str(&format!(" {} of them took their review history along.", report.with_history));
                }
                if report.bundled > 0 {
                    message.push_str(&format!(
                        " {} bundled {} stayed.",
                        report.bundled,
                        plural(report.bundled, "card", "cards")
                    ));
                }
                self.message = Some((message, false));
                self.undo = (report.moved > 0).then_some(undo).flatten();
            }
            Pending::Rename { from, to } => {
                self.renaming = None;
                self.message = Some((format!("Renamed “{from}” to “{to}”."), false));
                self.undo = undo;
            }
            Pending::Cards { action, n } => {
                let verb = match action {
                    Action::Suspend => "Suspended",
                    Action::Unsuspend => "Unsuspended",
                    _ => "Reset",
                };
                self.message = Some((format!("{verb} {n} {}.", plural(n, "card", "cards")), false));
                self.undo = (n > 0).then_some(undo).flatten();
            }
            Pending::Tags { add, n } => {
                let verb = if add { "Tagged" } else { "Untagged" };
                self.message = Some((format!("{verb} {n} {}.", plural(n, "card", "cards")), false));
                self.undo = (n > 0).then_some(undo).flatten();
            }
            Pending::Delete { n } => self.remember_deleted(n, change.events),
            Pending::UndoDelete { n } => {
                self.message = Some((format!("Restored {n} {}.", plural(n, "card", "cards")), false));
                self.undo = None;
            }
            Pending::Undo => {
                self.message = Some(match change.undone {
                    Some(what) => (format!("Undone: {what}."), false),
                    None => ("There is nothing to undo.".to_owned(), false),
                });
            }
        }
        Applied { toast: self.take_toast(), ..Applied::none() }
    }

    /// A success message becomes a toast (an error stays on the screen).
    fn take_toast(&mut self) -> Option<Toast> {
        if matches!(self.message, Some((_, false)))
            && let Some((text, _)) = self.message.take()
        {
            return Some(match self.undo.take() {
                Some(undo) => Toast::with_undo(text, undo),
                None => Toast::say(text),
            });
        }
        None
    }

    /// Puts the cursor in the search box when next drawn (Ctrl+B, /).
    pub fn focus_search(&mut self) {
        self.focus_search = true;
    }

    /// The query as typed.
    pub fn query(&self) -> &str {
        &self.text
    }

    fn reparse(&mut self) {
        match query::parse(&self.text) {
            Ok(q) => {
                self.query = q;
                self.query_text.clone_from(&self.text);
                self.error = None;
            }
            // Keep the last good query and its table.
            Err(e) => self.error = Some(e),
        }
    }

    fn refresh(&mut self, collection: &Collection, library: &Library) {
        let stamp = Stamp {
            query: self.query_text.clone(),
            sort: self.sort,
            last_applied: collection.progress().last_applied,
            library: self.library_version,
        };
        if self.index.is_some() && self.stamp.as_ref() == Some(&stamp) {
            return;
        }
        let index = self.index.get_or_insert_with(|| Index::build(library));
        self.rows = browse::rows(
            index,
            library,
            collection.progress(),
            collection.scheduler(),
            store::now(),
            &self.query,
            self.sort,
        );
        self.stamp = Some(stamp);
        let keys: HashSet<(DeckId, CardId)> = self.rows.iter().filter_map(|r| key(library, r)).collect();
        self.selected.retain(|k| keys.contains(k));
    }

    /// Draws the browser and applies its actions.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Outcome {
        let mut out = Outcome { command: None, toast: None };
        self.refresh(collection, library);
        self.search_ui(ui, &mut out);
        self.actions_ui(ui, collection, library, &mut out);
        ui.add_space(4.0);
        // Thirteen columns are wider than most windows: scroll sideways.
        egui::ScrollArea::horizontal()
            .auto_shrink([false, false])
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
            .show(ui, |ui| self.table_ui(ui, library, &mut out));
        self.keys(ui, library, &mut out);
        // What worked is said in a toast; an error stays on the screen.
        out.toast = self.take_toast();
        if let Some(op) = self.request.take() {
            out.command = Some(Command::apply(op));
        }
        out
    }

    fn search_ui(&mut self, ui: &mut egui::Ui, out: &mut Outcome) {
        ui.horizontal(|ui| {
            let label = ui.label("Search:");
            // Enter runs the search and leaves the cursor in the box.
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut self.text)
                        .desired_width((ui.available_width() - 330.0).max(200.0))
                        .hint_text("treaty tag:war -is:new prop:r<0.8")
                        .return_key(None),
                )
                .labelled_by(label.id)
                .on_hover_text("Ctrl+B or / puts the cursor here");
            if std::mem::take(&mut self.focus_search) {
                response.request_focus();
            }
            let enter = response.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if response.changed() || enter {
                self.scroll_to_top = true;
                self.reparse();
            }
            if ui.selectable_label(self.help, "?").on_hover_text("How to search").clicked() {
                self.help = !self.help;
            }
            ui.label(RichText::new(format!("{} {}", self.rows.len(), plural(self.rows.len(), "card", "cards"))).weak());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Import or export…").clicked() {
                    out.command = Some(Command::OpenTransfer);
                }
            });
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, format!("Query error {e}"));
        }
        if self.help {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(RichText::new(query::HELP).monospace());
            });
        }
    }

    fn selected_keys(&self, library: &Library) -> Vec<(DeckId, CardId)> {
        // In table order, so actions go top to bottom.
        self.rows.iter().filter_map(|r| key(library, r)).filter(|k| self.selected.contains(k)).collect()
    }

    fn actions_ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library, out: &mut Outcome) {
        let n = self.selected.len();
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{n} selected"));
            ui.add_enabled_ui(n > 0, |ui| {
                if ui.button("Suspend").clicked() {
                    self.record(collection, library, Action::Suspend);
                }
                if ui.button("Unsuspend").clicked() {
                    self.record(collection, library, Action::Unsuspend);
                }
                if ui.button("Reset…").on_hover_text("Make the cards new again").clicked() {
                    self.confirm = Some(Confirm::Reset);
                }
                let label = ui.label("Tag:");
                ui.add(egui::TextEdit::singleline(&mut self.tag).desired_width(90.0)).labelled_by(label.id);
                if ui.button("Add tag").clicked() {
                    self.change_tags(library, true);
                }
                if ui.button("Remove tag").clicked() {
                    self.change_tags(library, false);
                }
                if ui.add_enabled(n == 1, egui::Button::new("Edit")).on_hover_text("Enter").clicked() {
                    out.command = self.selected_keys(library).into_iter().next().map(|(d, c)| Command::EditCard(d, c));
                }
                if ui.button("Delete…").clicked() {
                    self.confirm = Some(Confirm::Delete);
                }
            });
            if !self.deleted.1.is_empty() && ui.button("Undo delete").on_hover_text("Ctrl+Z").clicked() {
                self.undo_delete();
            }
        });
        self.move_ui(ui, library);
        self.decks_ui(ui, library);
        if let Some(confirm) = self.confirm.clone() {
            let keys = self.selected_keys(library);
            let (question, yes) = match &confirm {
                Confirm::Reset => (
                    format!(
                        "Reset {} {}? They become new, and their progress is forgotten (the history stays in the log).",
                        keys.len(),
                        plural(keys.len(), "card", "cards")
                    ),
                    "Reset",
                ),
                Confirm::Delete => (
                    format!(
                        "Delete {} {}? The history stays in the log; Undo puts {} back.",
                        keys.len(),
                        plural(keys.len(), "card", "cards"),
                        plural(keys.len(), "it", "them")
                    ),
                    "Delete",
                ),
                Confirm::DeleteDeck(deck) => {
                    let cards = library.deck(deck).map_or(0, |d| d.deck.cards.len());
                    (
                        format!(
                            "Delete the deck “{}” and its {cards} {}? Its cards and history stay in the log; Undo (Ctrl+Z) brings it back.",
                            library.deck(deck).map_or("", |d| d.deck.title.as_str()),
                            plural(cards, "card", "cards")
                        ),
                        "Delete deck",
                    )
                }
            };
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, question);
                if ui.button(yes).clicked() {
                    self.confirm = None;
                    match confirm {
                        Confirm::Reset => self.record(collection, library, Action::Reset),
                        Confirm::Delete => self.delete(library, keys),
                        Confirm::DeleteDeck(deck) => {
                            let title = library.deck(&deck).map(|d| d.deck.title.clone()).unwrap_or_default();
                            self.ask(store::Op::DeleteDeck(deck), Pending::DeleteDeck { title });
                        }
                    }
                }
                if ui.button("Cancel").clicked() {
                    self.confirm = None;
                }
            });
        }
        if let Some((message, error)) = &self.message {
            let color = if *error { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
            ui.colored_label(color, message);
        }
    }

    /// "Move to" one of the profile's own decks.
    fn move_ui(&mut self, ui: &mut egui::Ui, library: &Library) {
        let own = library.own_decks();
        if own.is_empty() || self.selected.is_empty() {
            return;
        }
        ui.horizontal(|ui| {
            let chosen = own.iter().find(|(id, _)| Some(id) == self.move_to.as_ref()).map_or("choose", |(_, t)| t);
            egui::ComboBox::from_label("Move to").selected_text(chosen.to_owned()).show_ui(ui, |ui| {
                for (id, title) in &own {
                    ui.selectable_value(&mut self.move_to, Some(id.clone()), title);
                }
            });
            let Some(to) = self.move_to.clone() else { return };
            if ui
                .button("Move")
                .on_hover_text("Move the selected cards of your own decks, with their progress")
                .clicked()
            {
                let cards = self.selected_keys(library);
                self.ask(store::Op::MoveCards { cards, to }, Pending::Move);
            }
        });
    }

    /// The profile's own decks: rename, or move to the trash.
    fn decks_ui(&mut self, ui: &mut egui::Ui, library: &Library) {
        let own: Vec<(DeckId, String, usize)> = library
            .decks
            .iter()
            .filter(|d| d.origin == DeckOrigin::Profile)
            .map(|d| (d.deck.id.clone(), d.deck.title.clone(), d.deck.cards.len()))
            .collect();
        if own.is_empty() {
            return;
        }
        egui::CollapsingHeader::new("Your decks").show(ui, |ui| {
            for (id, title, cards) in own {
                ui.horizontal(|ui| {
                    let renaming = self.renaming.as_ref().is_some_and(|(d, _)| *d == id);
                    if renaming {
                        if let Some((_, text)) = &mut self.renaming {
                            let label = ui.label("New title:");
                            ui.add(egui::TextEdit::singleline(text).desired_width(220.0)).labelled_by(label.id);
                        }
                        if ui.button("Save title").clicked()
                            && let Some((deck, text)) = self.renaming.clone()
                        {
                            let pending = Pending::Rename { from: title.clone(), to: text.trim().to_owned() };
                            self.ask(store::Op::RenameDeck { deck, title: text }, pending);
                        }
                        if ui.button("Cancel").clicked() {
                            self.renaming = None;
                        }
                    } else {
                        ui.label(format!("{title} ({cards} {})", plural(cards, "card", "cards")));
                        if ui.small_button(format!("Rename {title}")).clicked() {
                            self.renaming = Some((id.clone(), title.clone()));
                        }
                        if ui.small_button(format!("Delete {title}…")).clicked() {
                            self.confirm = Some(Confirm::DeleteDeck(id.clone()));
                        }
                    }
                });
            }
        });
    }

    fn record(&mut self, collection: &Collection, library: &Library, action: Action) {
        let keys = self.selected_keys(library);
        let needed: Vec<(DeckId, CardId)> = keys
            .into_iter()
            .filter(|(deck, card)| {
                let suspended = collection.progress().state(deck, card).is_some_and(|s| s.suspended);
                match action {
                    Action::Suspend => !suspended,
                    Action::Unsuspend => suspended,
                    _ => true,
                }
            })
            .collect();
        let n = needed.len();
        self.ask(store::Op::Cards { cards: needed, action: action.clone() }, Pending::Cards { action, n });
    }

    fn change_tags(&mut self, library: &Library, add: bool) {
        let tag = self.tag.trim().to_owned();
        if tag.is_empty() || tag.contains(char::is_whitespace) {
            self.message = Some(("Type one tag, without spaces (use '-' to join words).".to_owned(), true));
            return;
        }
        let mut edits: Vec<(DeckId, Card)> = Vec::new();
        for (deck, id) in self.selected_keys(library) {
            let Some(card) = library.deck(&deck).and_then(|d| d.deck.cards.iter().find(|c| c.id == id)) else {
                continue;
            };
            let has = card.tags.contains(&tag);
            if has == add {
                continue;
            }
            let mut card = card.clone();
            if add {
                card.tags.push(tag.clone());
            } else {
                card.tags.retain(|t| *t != tag);
            }
            edits.push((deck, card));
        }
        let n = edits.len();
        self.ask(store::Op::EditCards(edits), Pending::Tags { add, n });
    }

    fn delete(&mut self, library: &Library, keys: Vec<(DeckId, CardId)>) {
        let (own, bundled): (Vec<_>, Vec<_>) =
            keys.into_iter().partition(|(d, _)| library.deck(d).is_some_and(|d| d.origin == DeckOrigin::Profile));
        if !own.is_empty() {
            let n = own.len();
            self.ask(store::Op::DeleteCards(own), Pending::Delete { n });
        }
        if !bundled.is_empty() {
            let n = bundled.len();
            self.message = Some((
                format!(
                    "{n} bundled {} kept: bundled cards cannot be deleted, but can be suspended.",
                    plural(n, "card was", "cards were")
                ),
                true,
            ));
        }
    }

    /// Takes the last deletion back (one op: every card of it).
    pub(crate) fn undo_delete(&mut self) {
        let (n, events) = std::mem::take(&mut self.deleted);
        self.ask(store::Op::UndoEvents(events), Pending::UndoDelete { n });
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, library: &Library, out: &mut Outcome) {
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let mut clicked: Option<(usize, bool)> = None;
        let mut sort_by = None;
        let mut builder = TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .min_scrolled_height(0.0);
        if std::mem::take(&mut self.scroll_to_top) {
            builder = builder.vertical_scroll_offset(0.0);
        }
        for (i, (_, _, width)) in COLUMNS.iter().enumerate() {
            let column = if i + 1 == COLUMNS.len() { Column::remainder() } else { Column::initial(*width) };
            builder = builder.column(column.at_least(30.0).clip(true));
        }
        let sort = self.sort;
        builder
            .header(row_height + 4.0, |mut header| {
                for (name, column, _) in COLUMNS {
                    header.col(|ui| {
                        let arrow = match (sort.column == column, sort.descending) {
                            (true, false) => " ▲",
                            (true, true) => " ▼",
                            (false, _) => "",
                        };
                        let button = egui::Button::new(RichText::new(format!("{name}{arrow}")).strong()).frame(false);
                        if ui.add(button).on_hover_text(format!("Sort by {}", name.to_lowercase())).clicked() {
                            sort_by = Some(column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.rows.len(), |mut table_row| {
                    let i = table_row.index();
                    let Some(row) = self.rows.get(i) else { return };
                    let Some(loaded) = library.decks.get(row.card.deck) else { return };
                    let Some(card) = loaded.deck.cards.get(row.card.card) else { return };
                    let is_selected = self.selected.contains(&(loaded.deck.id.clone(), card.id.clone()));
                    table_row.set_selected(is_selected);
                    let cells = cells(row, &loaded.deck.title, card);
                    for (n, text) in cells.into_iter().enumerate() {
                        table_row.col(|ui| {
                            let mut rich = RichText::new(text);
                            if n == 1 && row.edited {
                                rich = rich.italics();
                            }
                            if is_selected {
                                rich = rich.color(ui.visuals().strong_text_color());
                            }
                            ui.add(egui::Label::new(rich).selectable(false).truncate());
                        });
                    }
                    let response = table_row.response();
                    if response.double_clicked() {
                        out.command = Some(Command::EditCard(loaded.deck.id.clone(), card.id.clone()));
                    } else if response.clicked() {
                        clicked = Some((i, true));
                    }
                });
            });
        if let Some(column) = sort_by {
            if self.sort.column == column {
                self.sort.descending = !self.sort.descending;
            } else {
                self.sort = Sort { column, descending: false };
            }
        }
        if let Some((i, _)) = clicked {
            let modifiers = ui.input(|inp| inp.modifiers);
            self.click(i, modifiers, library);
        }
    }

    fn click(&mut self, i: usize, modifiers: egui::Modifiers, library: &Library) {
        let Some(row) = self.rows.get(i) else { return };
        let Some(k) = key(library, row) else { return };
        if modifiers.shift {
            let from = self.anchor.unwrap_or(i);
            let (a, b) = if from <= i { (from, i) } else { (i, from) };
            if !modifiers.command {
                self.selected.clear();
            }
            for r in self.rows.get(a..=b).unwrap_or_default() {
                if let Some(k) = key(library, r) {
                    self.selected.insert(k);
                }
            }
        } else if modifiers.command {
            if !self.selected.remove(&k) {
                self.selected.insert(k);
            }
            self.anchor = Some(i);
        } else {
            self.selected.clear();
            self.selected.insert(k);
            self.anchor = Some(i);
        }
    }

    fn keys(&mut self, ui: &mut egui::Ui, library: &Library, out: &mut Outcome) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let (all, undo, enter, escape) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::A),
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Escape),
            )
        });
        if all {
            let keys: Vec<_> = self.rows.iter().filter_map(|r| key(library, r)).collect();
            self.selected.extend(keys);
        }
        if undo && !self.deleted.1.is_empty() {
            self.undo_delete();
        } else if undo {
            self.ask(store::Op::Undo, Pending::Undo);
        }
        if enter && self.selected.len() == 1 {
            out.command = self.selected_keys(library).into_iter().next().map(|(d, c)| Command::EditCard(d, c));
        }
        if escape {
            if self.selected.is_empty() {
                out.command = Some(Command::Home);
            } else {
                self.selected.clear();
            }
        }
    }
}

fn key(library: &Library, row: &Row) -> Option<(DeckId, CardId)> {
    let loaded = library.decks.get(row.card.deck)?;
    let card = loaded.deck.cards.get(row.card.card)?;
    Some((loaded.deck.id.clone(), card.id.clone()))
}

/// The texts of one row, in column order.
fn cells(row: &Row, deck_title: &str, card: &Card) -> [String; 13] {
    let state = row.state.as_ref();
    let memory = state.and_then(|s| s.memory);
    let due = match row.timing.due_in_days {
        None => String::new(),
        Some(0) => "today".to_owned(),
        Some(1) => "tomorrow".to_owned(),
        Some(d) if d < 0 => format!("{} d ago", -d),
        Some(d) => format!("in {d} d"),
    };
    [
        deck_title.to_owned(),
        if row.edited { format!("{} (edited)", card.question) } else { card.question.clone() },
        card.answer.clone(),
        card.kind.name().to_owned(),
        card.tags.join(" "),
        row.state_label(),
        due,
        state.map(|s| format!("{} d", s.interval_days)).unwrap_or_default(),
        memory.map(|m| format!("{:.1}", m.stability)).unwrap_or_default(),
        memory.map(|m| format!("{:.1}", m.difficulty)).unwrap_or_default(),
        row.timing.retrievability.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_default(),
        state.map_or(0, |s| s.reps).to_string(),
        state.map_or(0, |s| s.lapses).to_string(),
    ]
}

//! The home screen: today's counts per deck and "Study now", today's
//! progress and streak, what to do when nothing is due, and every problem
//! found while loading, with what to do about it.

use std::path::Path;

use egui::{Color32, RichText};

use super::{Command, CramScope, Overview};
use crate::commands::describe_next_due;
use crate::deck::{CardKind, DeckOrigin, Library, LoadedDeck};
use crate::schedule::Counts;
use crate::store::{self, Collection, Preferences};

/// Colours for the three counts, as Anki uses them.
fn count_colors(ui: &egui::Ui) -> [Color32; 3] {
    if ui.visuals().dark_mode {
        [Color32::from_rgb(110, 170, 255), Color32::from_rgb(240, 120, 110), Color32::from_rgb(110, 210, 120)]
    } else {
        [Color32::from_rgb(20, 90, 200), Color32::from_rgb(190, 40, 30), Color32::from_rgb(20, 130, 40)]
    }
}

/// Draws the home screen.
pub fn ui(
    ui: &mut egui::Ui,
    library: &Library,
    collection: Result<&Collection, &String>,
    overview: &Overview,
) -> Option<Command> {
    let mut command = None;
    ui.add_space(6.0);
    if let Err(why) = collection {
        profile_error_ui(ui, why);
    }
    errors_ui(ui, library, collection.ok());
    if let Ok(c) = collection
        && !c.preferences().hint_dismissed
    {
        command = hint_ui(ui, c.preferences()).or(command);
    }
    let can_study = collection.is_ok();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        if can_study {
            command = today_ui(ui, overview, library).or(command.take());
            ui.add_space(10.0);
        }
        ui.heading("Your decks");
        let decks = library.decks.len();
        let cards = library.card_count();
        ui.label(
            RichText::new(format!(
                "{decks} {} · {cards} {}",
                plural(decks, "deck", "decks"),
                plural(cards, "card", "cards")
            ))
            .weak(),
        );
        ui.add_space(4.0);
        if library.decks.is_empty() {
            ui.label("No decks are loaded. Put deck files (.json) in the profile's decks folder and restart Yadgar.");
        }
        for (i, loaded) in library.decks.iter().enumerate() {
            let counts = overview.decks.get(i).copied().unwrap_or_default();
            if let Some(c) = deck_row_ui(ui, loaded, counts, can_study) {
                command = Some(c);
            }
            ui.add_space(4.0);
        }
    });
    // Enter or S starts "Study now" (when no text field has the keys).
    if can_study
        && overview.total.total() > 0
        && !ui.ctx().egui_wants_keyboard_input()
        && ui.input(|i| i.key_pressed(egui::Key::Enter) || i.key_pressed(egui::Key::S))
    {
        command = Some(Command::StudyNow(None));
    }
    command
}

/// Today's progress, "Study now", or what to do when nothing is due.
fn today_ui(ui: &mut egui::Ui, overview: &Overview, library: &Library) -> Option<Command> {
    let mut command = None;
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(16)).corner_radius(10.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let t = overview.total;
        ui.horizontal(|ui| {
            ui.vertical(|ui| {
                ui.label(RichText::new("Today").size(20.0).strong());
                counts_ui(ui, t, 17.0);
                ui.label(
                    RichText::new(format!(
                        "Reviewed today: {} {} in {} · Streak: {} {}",
                        overview.reviewed_today,
                        plural(overview.reviewed_today as usize, "card", "cards"),
                        duration_text(overview.time_today_ms),
                        overview.streak,
                        plural(overview.streak as usize, "day", "days"),
                    ))
                    .weak(),
                );
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if t.total() > 0 {
                    let button = egui::Button::new(RichText::new("Study now").size(22.0).strong())
                        .min_size(egui::vec2(190.0, 54.0));
                    if ui.add(button).on_hover_text("Enter or S").clicked() {
                        command = Some(Command::StudyNow(None));
                    }
                }
            });
        });
        if t.total() == 0 {
            ui.add_space(6.0);
            let now = store::now();
            ui.label(
                RichText::new(format!("All done for today. Next review {}.", next_due_phrase(overview, now)))
                    .size(17.0),
            );
            ui.horizontal_wrapped(|ui| {
                if overview.next_due.is_some()
                    && ui
                        .button("Study ahead")
                        .on_hover_text("Review the cards due soonest; these are real reviews")
                        .clicked()
                {
                    command = Some(Command::StudyAhead);
                }
                if let Some(scope) = cram_picker_ui(ui, library) {
                    command = Some(Command::Cram(scope));
                }
            });
        }
    });
    command
}

fn next_due_phrase(overview: &Overview, now: crate::time::Moment) -> String {
    match overview.next_due {
        None => "not scheduled yet".to_owned(),
        next => describe_next_due(next, now),
    }
}

/// "Cram a deck or tag": a menu of decks and tags; choosing one starts it.
fn cram_picker_ui(ui: &mut egui::Ui, library: &Library) -> Option<CramScope> {
    let mut chosen = None;
    ui.menu_button("Cram a deck or tag", |ui| {
        ui.label(RichText::new("Cram does not change your schedule.").weak());
        ui.separator();
        for loaded in &library.decks {
            if ui.button(&loaded.deck.title).clicked() {
                chosen = Some(CramScope::Deck(loaded.deck.id.clone()));
            }
        }
        ui.separator();
        let mut tags: Vec<&str> = library
            .decks
            .iter()
            .flat_map(|d| d.deck.cards.iter().flat_map(|c| c.tags.iter().map(String::as_str)))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        egui::ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
            for tag in tags {
                if ui.button(format!("tag: {tag}")).clicked() {
                    chosen = Some(CramScope::Tag(tag.to_owned()));
                }
            }
        });
    });
    chosen
}

/// "20 new · 3 learning · 41 due" in Anki's colours.
pub(crate) fn counts_ui(ui: &mut egui::Ui, counts: Counts, size: f32) {
    let [blue, red, green] = count_colors(ui);
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{} new", counts.new)).color(blue).size(size));
        ui.label(RichText::new("·").size(size).weak());
        ui.label(RichText::new(format!("{} learning", counts.learning)).color(red).size(size));
        ui.label(RichText::new("·").size(size).weak());
        ui.label(RichText::new(format!("{} due", counts.review)).color(green).size(size));
    });
}

fn deck_row_ui(ui: &mut egui::Ui, loaded: &LoadedDeck, counts: Counts, can_study: bool) -> Option<Command> {
    let deck = &loaded.deck;
    let mut command = None;
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(14)).corner_radius(8.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(&deck.title).size(19.0).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let study = egui::Button::new("Study");
                if can_study
                    && counts.total() > 0
                    && ui.add(study).on_hover_text(format!("Study {} alone", deck.title)).clicked()
                {
                    command = Some(Command::StudyNow(Some(deck.id.clone())));
                }
                let n = deck.cards.len();
                ui.label(RichText::new(format!("{n} {}", plural(n, "card", "cards"))).size(17.0));
            });
        });
        if can_study {
            counts_ui(ui, counts, 15.0);
        }
        if !deck.description.is_empty() {
            ui.label(RichText::new(&deck.description).weak());
        }
        let origin = match loaded.origin {
            DeckOrigin::Bundled => "bundled with Yadgar".to_owned(),
            DeckOrigin::Profile => format!("your deck · {}", loaded.file),
        };
        ui.label(RichText::new(format!("{} · {origin}", kinds_summary(deck))).small().weak());
    });
    command
}

/// The hint of keys, shown until dismissed (Got it, or Esc): a few lines,
/// so the decks stay in view at 800×600.
fn hint_ui(ui: &mut egui::Ui, preferences: &Preferences) -> Option<Command> {
    let mut command = None;
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(10)).corner_radius(8.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new("Welcome to Yadgar").size(17.0).strong());
            ui.label("Your decks are ready: press Enter to study today's cards.");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Got it").on_hover_text("Esc").clicked() {
                    command =
                        Some(Command::SavePreferences(Preferences { hint_dismissed: true, ..preferences.clone() }));
                }
            });
        });
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            for (key, what) in [
                ("Space", "show the answer,"),
                ("1–4", "grade,"),
                ("Ctrl+Z", "undo,"),
                ("-", "bury,"),
                ("@", "suspend,"),
                ("E", "edit,"),
                ("Ctrl+N", "add a card,"),
                ("Ctrl+B", "browse,"),
                ("Esc", "go back,"),
                ("Ctrl+plus/minus/0", "zoom."),
            ] {
                ui.label(RichText::new(key).monospace().strong());
                ui.label(what);
                ui.add_space(6.0);
            }
        });
    });
    ui.add_space(6.0);
    command
}

/// The profile switcher in the top bar: every profile, and a new one.
pub fn profile_switcher_ui(ui: &mut egui::Ui, data_dir: &Path, current: &str) -> Option<Command> {
    let mut command = None;
    egui::ComboBox::from_id_salt("profile")
        .selected_text(current)
        .show_ui(ui, |ui| {
            for name in store::list_profiles(data_dir).unwrap_or_default() {
                if ui.selectable_label(name == current, &name).clicked() {
                    command = Some(Command::SwitchProfile(name));
                }
            }
            ui.separator();
            let id = ui.scope_id().with("new_profile");
            let mut text: String = ui.data_mut(|d| d.get_temp::<String>(id).unwrap_or_default());
            let label = ui.label("New profile:");
            let response = ui
                .add(egui::TextEdit::singleline(&mut text).hint_text("name").desired_width(140.0))
                .labelled_by(label.id);
            let submit = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Create").clicked() || submit) && !text.trim().is_empty() {
                command = Some(Command::CreateProfile(text.trim().to_owned()));
                text.clear();
            }
            ui.data_mut(|d| d.insert_temp(id, text));
        })
        .response
        // The name alone keeps the top bar short; the tooltip says what it is.
        .on_hover_text("Switch profile");
    command
}

/// "12 dates, 5 clauses, 8 actors" for the kinds a deck holds.
fn kinds_summary(deck: &crate::Deck) -> String {
    CardKind::ALL
        .iter()
        .filter_map(|&kind| {
            let n = deck.cards.iter().filter(|c| c.kind == kind).count();
            (n > 0).then(|| format!("{n} {}", kind_label(kind, n)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind_label(kind: CardKind, n: usize) -> &'static str {
    match kind {
        CardKind::Date => plural(n, "date", "dates"),
        CardKind::Clause => plural(n, "clause", "clauses"),
        CardKind::Actor => plural(n, "actor", "actors"),
        CardKind::Number => plural(n, "number", "numbers"),
        CardKind::Place => plural(n, "place", "places"),
        CardKind::Organization => plural(n, "organisation", "organisations"),
        CardKind::Event => plural(n, "event", "events"),
        CardKind::Concept => plural(n, "concept", "concepts"),
    }
}

pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// "3 min", "1 h 5 min", "40 s".
pub(crate) fn duration_text(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds / 60),
        _ => format!("{} h {} min", seconds / 3600, (seconds % 3600) / 60),
    }
}

fn error_color(ui: &egui::Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(255, 140, 130) } else { Color32::from_rgb(170, 20, 20) }
}

fn profile_error_ui(ui: &mut egui::Ui, why: &str) {
    let red = error_color(ui);
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, red)).inner_margin(egui::Margin::same(12)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new("This profile cannot be opened").color(red).strong());
        ui.label(why);
        ui.label(RichText::new("You can look through the decks below, but nothing can be studied or saved until the profile is free. Choose another profile at the top right, or close the other window and restart Yadgar.").weak());
    });
    ui.add_space(10.0);
}

fn errors_ui(ui: &mut egui::Ui, library: &Library, collection: Option<&Collection>) {
    let warnings = collection.map(Collection::warnings).unwrap_or_default();
    let read_only = collection.and_then(Collection::read_only_reason);
    if library.errors.is_empty() && warnings.is_empty() && read_only.is_none() {
        return;
    }
    let red = error_color(ui);
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, red)).inner_margin(egui::Margin::same(12)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if let Some(reason) = read_only {
            ui.label(RichText::new("Nothing can be saved in this profile").color(red).strong());
            ui.label(reason);
        }
        if !library.errors.is_empty() {
            let n = library.errors.len();
            ui.label(RichText::new(format!("{n} {} could not be loaded", plural(n, "deck file", "deck files"))).color(red).strong());
            for error in &library.errors {
                ui.label(error.to_string());
            }
            ui.label(RichText::new("The other decks are ready to use. Fix the file named above and restart Yadgar; it was not changed.").weak());
        }
        if !warnings.is_empty() {
            ui.label(RichText::new("Problems found in the profile's files").color(red).strong());
            for warning in warnings {
                ui.label(warning);
            }
        }
    });
    ui.add_space(10.0);
}

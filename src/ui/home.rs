//! The home screen: the profile's decks with their card counts, and any deck
//! that failed to load with what to do about it.

use egui::{Color32, RichText};

use crate::deck::{CardKind, DeckOrigin, Library};

/// Draws the home screen.
pub fn ui(ui: &mut egui::Ui, library: &Library) {
    ui.add_space(8.0);
    errors_ui(ui, library);
    let decks = library.decks.len();
    let cards = library.card_count();
    ui.heading("Your decks");
    ui.label(
        RichText::new(format!(
            "{decks} {} · {cards} {}",
            plural(decks, "deck", "decks"),
            plural(cards, "card", "cards")
        ))
        .weak(),
    );
    ui.add_space(6.0);
    if library.decks.is_empty() {
        ui.label("No decks are loaded. Put deck files (.json) in the profile's decks folder and restart Yadgar.");
        return;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for loaded in &library.decks {
            deck_row_ui(ui, loaded);
            ui.add_space(4.0);
        }
    });
}

fn deck_row_ui(ui: &mut egui::Ui, loaded: &crate::deck::LoadedDeck) {
    let deck = &loaded.deck;
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(14)).corner_radius(8.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(&deck.title).size(19.0).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let n = deck.cards.len();
                ui.label(RichText::new(format!("{n} {}", plural(n, "card", "cards"))).size(17.0));
            });
        });
        if !deck.description.is_empty() {
            ui.label(RichText::new(&deck.description).weak());
        }
        let origin = match loaded.origin {
            DeckOrigin::Bundled => "bundled with Yadgar".to_owned(),
            DeckOrigin::Profile => format!("your deck · {}", loaded.file),
        };
        ui.label(RichText::new(format!("{} · {origin}", kinds_summary(deck))).small().weak());
    });
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

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn errors_ui(ui: &mut egui::Ui, library: &Library) {
    if library.errors.is_empty() {
        return;
    }
    let red = if ui.visuals().dark_mode { Color32::from_rgb(255, 140, 130) } else { Color32::from_rgb(170, 20, 20) };
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, red)).inner_margin(egui::Margin::same(12)).show(
        ui,
        |ui| {
            ui.set_width(ui.available_width());
            let n = library.errors.len();
            ui.label(
                RichText::new(format!("{n} {} could not be loaded", plural(n, "deck file", "deck files")))
                    .color(red)
                    .strong(),
            );
            for error in &library.errors {
                ui.label(error.to_string());
            }
            ui.label(
                RichText::new("The other decks are ready to use. Fix the file named above and restart Yadgar; it was not changed.")
                    .weak(),
            );
        },
    );
    ui.add_space(10.0);
}

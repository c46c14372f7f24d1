//! Toasts: a short line at the bottom of the window saying what an action
//! did, with Undo where the action can be taken back. One shows at a time;
//! it fades after a few seconds, or goes when the next action speaks.

use std::time::{Duration, Instant};

use egui::RichText;

/// How long a toast stays.
const SHOWN_FOR: Duration = Duration::from_secs(8);

/// What Undo in a toast takes back.
#[derive(Debug)]
pub(crate) enum Undo {
    /// Exactly the events of the action the toast names (`Change::events`),
    /// whatever happened since on this or another computer.
    Events(Vec<crate::revlog::EventId>),
}

/// A message, and its undo.
#[derive(Debug)]
pub(crate) struct Toast {
    /// What was done, as a sentence.
    pub text: String,
    /// How to take it back, when it can be.
    pub undo: Option<Undo>,
    shown: Instant,
}

impl Toast {
    /// A message with no undo.
    pub fn say(text: impl Into<String>) -> Toast {
        Toast { text: text.into(), undo: None, shown: Instant::now() }
    }

    /// A message with Undo.
    pub fn with_undo(text: impl Into<String>, undo: Undo) -> Toast {
        Toast { text: text.into(), undo: Some(undo), shown: Instant::now() }
    }

    /// Whether it has been shown long enough.
    pub fn expired(&self) -> bool {
        self.shown.elapsed() > SHOWN_FOR
    }

    /// Draws the toast in a strip at the bottom of the window (a panel of
    /// its own, so it never covers a button); returns (Undo pressed,
    /// dismissed).
    pub fn ui(&self, ui: &mut egui::Ui) -> (bool, bool) {
        let mut undo = false;
        let mut close = false;
        egui::Panel::bottom("toast").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                // The text wraps in what the buttons leave, so they stay on its line.
                let room = (ui.available_width() - if self.undo.is_some() { 190.0 } else { 100.0 }).max(120.0);
                ui.scope(|ui| {
                    ui.set_max_width(room);
                    let text = RichText::new(&self.text).size(15.0).color(ui.visuals().strong_text_color());
                    ui.add(egui::Label::new(text).wrap());
                });
                if self.undo.is_some() && ui.button("Undo").clicked() {
                    undo = true;
                }
                if ui.small_button("Dismiss").clicked() {
                    close = true;
                }
            });
            ui.add_space(2.0);
        });
        // Go away on time without input.
        ui.ctx().request_repaint_after(Duration::from_millis(500));
        (undo, close)
    }
}

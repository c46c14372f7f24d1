//! The settings screen: every scheduling setting, the theme, zoom and typed
//! answers. Values are edited as text and checked on Save; a bad value is
//! shown next to its field and nothing is saved until all are valid.

use egui::RichText;

use super::files::{Picker, Want};
use super::{Applied, Command};
use crate::deck::Library;
use crate::ground::SourceText;
use crate::schedule::{LeechAction, NewCardOrder, Settings, format_steps, parse_steps};
use crate::store::files;
use crate::store::{Collection, Preferences, Theme};

/// The form's text, as typed.
pub struct Form {
    retention: String,
    learning_steps: String,
    relearning_steps: String,
    new_per_day: String,
    reviews_per_day: String,
    maximum_interval: String,
    rollover_hour: String,
    new_card_order: NewCardOrder,
    leech_threshold: String,
    leech_action: LeechAction,
    bury_new_siblings: bool,
    bury_review_siblings: bool,
    theme: Theme,
    zoom: String,
    typed_answers: bool,
    errors: Vec<(&'static str, String)>,
    saved: Option<String>,
    /// The path typed or chosen for the source text.
    source_path: String,
    source_picker: Picker,
    /// What "Use this text" found, and whether it was refused.
    source_message: Option<(String, bool)>,
    native: bool,
    /// The save asked of the store, until it answers: the preferences to
    /// save after the settings (`None`: only the default parameters).
    asked: Option<Option<Preferences>>,
}

/// What a frame of the settings screen asks for.
pub struct Outcome {
    /// A screen change, or an op for the store.
    pub command: Option<Command>,
}

impl Form {
    /// A form holding the profile's current values.
    pub fn new(collection: &Collection, zoom: f32, native: bool) -> Form {
        let s = collection.settings();
        let p = collection.preferences();
        Form {
            retention: format!("{:.2}", s.desired_retention),
            learning_steps: format_steps(&s.learning_steps_mins),
            relearning_steps: format_steps(&s.relearning_steps_mins),
            new_per_day: s.new_per_day.to_string(),
            reviews_per_day: s.reviews_per_day.to_string(),
            maximum_interval: s.maximum_interval_days.to_string(),
            rollover_hour: s.rollover_hour.to_string(),
            new_card_order: s.new_card_order,
            leech_threshold: s.leech_threshold.to_string(),
            leech_action: s.leech_action,
            bury_new_siblings: s.bury_new_siblings,
            bury_review_siblings: s.bury_review_siblings,
            theme: p.theme,
            zoom: format!("{:.0}", zoom * 100.0),
            typed_answers: p.typed_answers,
            errors: Vec::new(),
            saved: None,
            source_path: p.source_text.clone().unwrap_or_default(),
            source_picker: Picker::default(),
            source_message: None,
            native,
            asked: None,
        }
    }

    /// Reads the form into settings and preferences, or the errors by field.
    fn parse(
        &self,
        current: &Settings,
        preferences: &Preferences,
    ) -> Result<(Settings, Preferences), Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut number = |field: &'static str, text: &str, min: u32, max: u32| -> u32 {
            match text.trim().parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.push((field, format!("enter a whole number from {min} to {max}")));
                    0
                }
            }
        };
        let new_per_day = number("new", &self.new_per_day, 0, 9999);
        let reviews_per_day = number("reviews", &self.reviews_per_day, 0, 99_999);
        let maximum_interval_days = number("max", &self.maximum_interval, 1, 36_500);
        let rollover_hour = number("rollover", &self.rollover_hour, 0, 23) as u8;
        let leech_threshold = number("leech", &self.leech_threshold, 1, 99);
        let zoom = number("zoom", &self.zoom, 50, 300);
        let desired_retention = match self.retention.trim().parse::<f32>() {
            Ok(r) if (0.70..=0.99).contains(&r) => r,
            _ => {
                errors.push(("retention", "enter a number from 0.70 to 0.99, such as 0.90".to_owned()));
                0.9
            }
        };
        let mut steps = |field: &'static str, text: &str| match parse_steps(text) {
            Ok(steps) => steps,
            Err(_) => {
                errors
                    .push((field, "enter durations separated by spaces, such as \"1m 10m\" (s, m, h or d)".to_owned()));
                Vec::new()
            }
        };
        let learning_steps_mins = steps("learning", &self.learning_steps);
        let relearning_steps_mins = steps("relearning", &self.relearning_steps);
        if !errors.is_empty() {
            return Err(errors);
        }
        let settings = Settings {
            desired_retention,
            learning_steps_mins,
            relearning_steps_mins,
            new_per_day,
            reviews_per_day,
            maximum_interval_days,
            rollover_hour,
            new_card_order: self.new_card_order,
            leech_threshold,
            leech_action: self.leech_action,
            fsrs_parameters: current.fsrs_parameters.clone(),
            bury_new_siblings: self.bury_new_siblings,
            bury_review_siblings: self.bury_review_siblings,
        };
        let preferences = Preferences {
            theme: self.theme,
            zoom: zoom as f32 / 100.0,
            typed_answers: self.typed_answers,
            ..preferences.clone()
        };
        Ok((settings, preferences))
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, e)| e.as_str())
    }

    fn field(&mut self, ui: &mut egui::Ui, field: &'static str, label: &str, help: &str) {
        let label = ui.label(label);
        ui.vertical(|ui| {
            let text = match field {
                "retention" => &mut self.retention,
                "learning" => &mut self.learning_steps,
                "relearning" => &mut self.relearning_steps,
                "new" => &mut self.new_per_day,
                "reviews" => &mut self.reviews_per_day,
                "max" => &mut self.maximum_interval,
                "rollover" => &mut self.rollover_hour,
                "leech" => &mut self.leech_threshold,
                _ => &mut self.zoom,
            };
            ui.add(egui::TextEdit::singleline(text).desired_width(160.0)).labelled_by(label.id);
            if let Some(error) = self.error(field) {
                ui.colored_label(ui.visuals().error_fg_color, error.to_owned());
            } else if !help.is_empty() {
                ui.label(RichText::new(help).small().weak());
            }
        });
        ui.end_row();
    }

    /// Draws the form; Save validates and writes, Back returns home.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        library: &Library,
        source: Option<&Result<SourceText, String>>,
    ) -> Outcome {
        let mut out = Outcome { command: None };
        ui.add_space(6.0);
        ui.heading("Settings");
        ui.label(RichText::new(format!("For the profile \"{}\".", collection.profile().name)).weak());
        let mut request = None;
        ui.add_space(8.0);
        egui::ScrollArea::vertical().auto_shrink([false, true]).max_height(ui.available_height() - 60.0).show(ui, |ui| {
            ui.label(RichText::new("Memory").size(18.0).strong());
            egui::Grid::new("scheduling").num_columns(2).spacing([24.0, 10.0]).show(ui, |ui| {
                self.field(
                    ui,
                    "retention",
                    "Desired retention",
                    "The chance you want of remembering a card when it comes back. 0.90 means you should recall 9 in 10; higher means more reviews each day, lower means more forgetting.",
                );
                self.field(ui, "learning", "Learning steps", "Delays for a new card before it graduates, such as \"1m 10m\".");
                self.field(ui, "relearning", "Relearning steps", "Delays for a card you forgot, such as \"10m\".");
                self.field(ui, "new", "New cards a day", "");
                self.field(ui, "reviews", "Reviews a day", "");
                self.field(ui, "max", "Maximum interval (days)", "");
                self.field(ui, "rollover", "New day starts at (hour)", "A review at 3:59 with a 4 o'clock start counts for the day before.");
                let order = ui.label("New-card order");
                egui::ComboBox::from_id_salt("order")
                    .selected_text(match self.new_card_order {
                        NewCardOrder::DeckOrder => "Deck order",
                        NewCardOrder::Random => "Random",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.new_card_order, NewCardOrder::DeckOrder, "Deck order");
                        ui.selectable_value(&mut self.new_card_order, NewCardOrder::Random, "Random");
                    })
                    .response
                    .labelled_by(order.id);
                ui.end_row();
                ui.label("Siblings");
                ui.vertical(|ui| {
                    ui.checkbox(&mut self.bury_new_siblings, "Bury new siblings until the next day");
                    ui.checkbox(&mut self.bury_review_siblings, "Bury review siblings until the next day");
                    ui.label(
                        RichText::new("Siblings are cards that give each other away, such as a date and its reverse. Once you answer one, the others wait, and two new siblings are never introduced on one day.")
                            .small()
                            .weak(),
                    );
                });
                ui.end_row();
                self.field(ui, "leech", "Leech after (lapses)", "A card forgotten this often is marked as a leech.");
                let leech = ui.label("Leech action");
                egui::ComboBox::from_id_salt("leech_action")
                    .selected_text(match self.leech_action {
                        LeechAction::TagOnly => "Mark it only",
                        LeechAction::Suspend => "Mark and suspend it",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.leech_action, LeechAction::TagOnly, "Mark it only");
                        ui.selectable_value(&mut self.leech_action, LeechAction::Suspend, "Mark and suspend it");
                    })
                    .response
                    .labelled_by(leech.id);
                ui.end_row();
                ui.label("Scheduler parameters");
                ui.horizontal_wrapped(|ui| {
                    let custom = !collection.settings().fsrs_parameters.is_empty();
                    ui.label(if custom { "fitted to your reviews" } else { "the defaults" });
                    if ui.button("Tune the scheduler…").on_hover_text("Fit them to your reviews, or choose a retention").clicked() {
                        out.command = Some(Command::OpenStats(true));
                    }
                    if custom && ui.button("Use the default parameters").clicked() {
                        let settings = Settings { fsrs_parameters: Vec::new(), ..collection.settings().clone() };
                        request = Some((settings, None));
                    }
                });
                ui.end_row();
            });
            ui.add_space(12.0);
            ui.label(RichText::new("Window").size(18.0).strong());
            egui::Grid::new("window").num_columns(2).spacing([24.0, 10.0]).show(ui, |ui| {
                let theme = ui.label("Theme");
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut self.theme, Theme::System, "System").labelled_by(theme.id);
                    ui.selectable_value(&mut self.theme, Theme::Light, "Light");
                    ui.selectable_value(&mut self.theme, Theme::Dark, "Dark");
                });
                ui.end_row();
                self.field(ui, "zoom", "Zoom (%)", "Also Ctrl+plus, Ctrl+minus, and Ctrl+0 for 100%.");
                ui.label("Typed answers");
                ui.checkbox(&mut self.typed_answers, "Type each answer before it is shown, and see the difference");
                ui.end_row();
            });
            ui.add_space(12.0);
            if let Some(c) = self.source_ui(ui, collection, library, source) {
                out.command = Some(c);
            }
        });
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Save").strong()).clicked() {
                self.saved = None;
                match self.parse(collection.settings(), collection.preferences()) {
                    Err(errors) => self.errors = errors,
                    Ok((settings, preferences)) => {
                        self.errors.clear();
                        request = Some((settings, Some(preferences)));
                    }
                }
            }
            if ui.button("Back").clicked() {
                out.command = Some(Command::Home);
            }
            if !self.errors.is_empty() {
                ui.colored_label(ui.visuals().error_fg_color, "Fix the values marked in red; nothing was saved.");
            } else if let Some(message) = &self.saved {
                ui.label(message.clone());
            }
        });
        if self.source_picker.is_open() && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            self.source_picker = Picker::Idle;
        } else if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            out.command = Some(Command::Home);
        }
        if let Some((settings, preferences)) = request {
            self.saved = None;
            self.asked = Some(preferences);
            out.command = Some(Command::apply(crate::store::Op::SetSettings(settings)));
        }
        out
    }

    /// What the form makes of the save it asked for: the preferences are
    /// saved once the settings are.
    pub(crate) fn applied(&mut self, result: Result<crate::store::Change, crate::store::StoreError>) -> Applied {
        let Some(preferences) = self.asked.take() else { return Applied::none() };
        match (result, preferences) {
            (Ok(_), Some(preferences)) => {
                self.saved = Some("Saved.".to_owned());
                Applied::then(Command::SavePreferences(preferences))
            }
            (Ok(_), None) => {
                self.saved = Some("The default parameters are in use again.".to_owned());
                Applied::none()
            }
            (Err(e), _) => {
                self.saved = Some(format!("Not saved: {e}"));
                Applied::none()
            }
        }
    }

    /// "Source text": the student's copy of the article, refused when its
    /// fingerprint is not the one the decks record.
    fn source_ui(
        &mut self,
        ui: &mut egui::Ui,
        collection: &Collection,
        library: &Library,
        source: Option<&Result<SourceText, String>>,
    ) -> Option<Command> {
        let mut command = None;
        ui.label(RichText::new("Source text").size(18.0).strong());
        ui.label(
            RichText::new(
                "Your own copy of the article the decks come from, as a plain-text file. With it, the answer side \
                 shows the paragraph a card cites, and the Reader shows the whole text shaded by how well you know it.",
            )
            .weak(),
        );
        match source {
            None => ui.label("Not set."),
            Some(Ok(text)) => ui.label(format!(
                "In use: {} ({} paragraphs).",
                collection.preferences().source_text.as_deref().unwrap_or_default(),
                text.paragraph_count()
            )),
            Some(Err(why)) => ui.colored_label(ui.visuals().error_fg_color, format!("Set, but not usable: {why}")),
        };
        let mut chosen = false;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Text file:");
            let response = ui
                .add(egui::TextEdit::singleline(&mut self.source_path).desired_width(320.0))
                .labelled_by(label.id)
                .on_hover_text("A path; a relative one is taken from your home folder");
            chosen = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Choose file…").clicked() {
                let folder = files::resolve_path(&self.source_path, &files::home_dir())
                    .parent()
                    .map(std::path::Path::to_path_buf)
                    .filter(|p| p.is_dir())
                    .unwrap_or_else(files::home_dir);
                self.source_picker.open(ui.ctx(), self.native, Want::Open(vec!["txt", "md", "text"]), folder);
            }
            if ui.button("Use this text").clicked() {
                chosen = true;
            }
            if collection.preferences().source_text.is_some() && ui.button("Stop using it").clicked() {
                self.source_message = Some(("The source text is no longer used.".to_owned(), false));
                command = Some(Command::SavePreferences(Preferences {
                    source_text: None,
                    ..collection.preferences().clone()
                }));
            }
        });
        if let Some(path) = self.source_picker.ui(ui, &collection.preferences().recent_folders) {
            self.source_path = path.display().to_string();
            chosen = true;
        }
        if chosen {
            let path = files::resolve_path(&self.source_path, &files::home_dir());
            let checked = files::read_source(&path)
                .and_then(|text| super::reader::check_source(library, &text).map(|()| text.paragraph_count()));
            match checked {
                Ok(paragraphs) => {
                    self.source_message =
                        Some((format!("Source text set: {} ({paragraphs} paragraphs).", path.display()), false));
                    command = Some(Command::SavePreferences(Preferences {
                        source_text: Some(path.display().to_string()),
                        ..collection.preferences().clone()
                    }));
                }
                Err(why) => self.source_message = Some((format!("Not used: {why}"), true)),
            }
        }
        if let Some((message, error)) = &self.source_message {
            let color = if *error { ui.visuals().error_fg_color } else { ui.visuals().strong_text_color() };
            ui.add(egui::Label::new(RichText::new(message).color(color)).wrap());
        }
        command
    }
}

//! The statistics screen (charts with egui_plot, a calendar heatmap) and
//! the tuning screen (fit parameters, choose a retention). Everything slow
//! runs on a worker thread: the statistics themselves, the optimiser and
//! the simulator. Results are cached until the next review.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, Points, VLine};

use super::home::{duration_text, plural};
use super::{Applied, Command};
use crate::deck::{DeckId, Library};
use crate::history::{Metrics, Review};
use crate::revlog::{EventId, ReviewKind};
use crate::schedule::Settings;
use crate::stats::tuning::{self, FitProgress, Fitted, SimProgress, WorkloadPoint};
use crate::stats::{self, Filter, Histogram, Stats};
use crate::store::{self, Collection};
use crate::time::{Day, Moment};

const BLUE: Color32 = Color32::from_rgb(66, 133, 244);
const ORANGE: Color32 = Color32::from_rgb(230, 126, 34);
const LIGHT_GREEN: Color32 = Color32::from_rgb(120, 200, 110);
const GREEN: Color32 = Color32::from_rgb(40, 140, 60);
const YELLOW: Color32 = Color32::from_rgb(220, 180, 40);
const RED: Color32 = Color32::from_rgb(215, 70, 60);
const CHART_HEIGHT: f32 = 170.0;

/// Which part of the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Charts,
    Tuning,
}

/// What the cached statistics were computed from.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    filter: Filter,
    last_applied: Option<(i64, EventId)>,
    today: Day,
    settings: Settings,
    journal_complete: bool,
}

/// The statistics and tuning screens' state; it lives as long as the
/// profile is open, so the cache survives leaving the screen.
pub struct StatsView {
    tab: Tab,
    filter: Filter,
    forecast_year: bool,
    cached: Option<(Key, Arc<Stats>)>,
    pending: Option<(Key, Receiver<Stats>)>,
    fit: FitState,
    simulation: SimState,
    /// Saved mock-exam attempts, read once per visit.
    exams: Option<Vec<crate::store::Attempt>>,
    /// New settings asked for this frame, and what to say once saved.
    request: Option<(Settings, SettingsAsked)>,
    /// What the settings asked for were, until the store answers.
    asked: Option<SettingsAsked>,
    /// Why the retention chosen on the chart was not saved.
    retention_error: Option<String>,
}

/// Which settings the screen asked the store to save.
enum SettingsAsked {
    /// The default parameters again.
    Defaults,
    /// The fitted parameters.
    Fitted,
    /// The retention chosen on the workload chart.
    Retention,
}

enum FitState {
    Idle,
    Running(FitProgress, Receiver<Result<Fitted, String>>),
    Done(Result<Fitted, String>),
    Saved(String),
}

enum SimState {
    Idle,
    Running(Arc<SimProgress>, Receiver<Result<Vec<WorkloadPoint>, String>>),
    Done(Result<Vec<WorkloadPoint>, String>),
}

impl Default for StatsView {
    fn default() -> Self {
        StatsView {
            tab: Tab::Charts,
            filter: Filter::default(),
            forecast_year: false,
            cached: None,
            pending: None,
            fit: FitState::Idle,
            simulation: SimState::Idle,
            exams: None,
            request: None,
            asked: None,
            retention_error: None,
        }
    }
}

impl StatsView {
    /// Shows the tuning part first (from the settings screen).
    pub fn show_tuning(&mut self) {
        self.tab = Tab::Tuning;
    }

    /// Shows the charts part first.
    pub fn show_charts(&mut self) {
        self.tab = Tab::Charts;
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Option<Command> {
        let mut command = None;
        ui.horizontal(|ui| {
            if ui.button("Back").clicked() {
                command = Some(Command::Home);
            }
            ui.selectable_value(&mut self.tab, Tab::Charts, RichText::new("Statistics").size(18.0));
            ui.selectable_value(&mut self.tab, Tab::Tuning, RichText::new("Tune the scheduler").size(18.0));
        });
        ui.separator();
        match self.tab {
            Tab::Charts => {
                if let Some(c) = self.charts_ui(ui, collection, library) {
                    command = Some(c);
                }
            }
            Tab::Tuning => self.tuning_ui(ui, collection, library),
        }
        if let Some((settings, asked)) = self.request.take() {
            self.asked = Some(asked);
            return Some(Command::apply(crate::store::Op::SetSettings(settings)));
        }
        command
    }

    /// What the screen makes of the settings it asked for.
    pub(crate) fn applied(&mut self, result: Result<crate::store::Change, crate::store::StoreError>) -> Applied {
        let Some(asked) = self.asked.take() else { return Applied::none() };
        match (asked, result) {
            (SettingsAsked::Defaults, Ok(_)) => {
                self.fit = FitState::Saved("The default parameters are in use again.".to_owned());
            }
            (SettingsAsked::Fitted, Ok(_)) => {
                self.fit =
                    FitState::Saved("Saved. Every card's next interval now follows your own parameters.".to_owned());
            }
            (SettingsAsked::Retention, Ok(_)) => self.retention_error = None,
            (SettingsAsked::Defaults, Err(e)) => {
                self.fit = FitState::Done(Err(format!("the settings were not saved: {e}")));
            }
            (SettingsAsked::Fitted, Err(e)) => {
                self.fit = FitState::Done(Err(format!("the parameters were not saved: {e}")));
            }
            (SettingsAsked::Retention, Err(e)) => {
                self.retention_error = Some(format!("The retention was not saved: {e}"))
            }
        }
        Applied::none()
    }

    fn refresh(&mut self, ui: &egui::Ui, collection: &Collection, library: &Library, now: Moment) {
        let key = Key {
            filter: self.filter.clone(),
            last_applied: collection.progress().last_applied,
            today: collection.scheduler().day(now),
            settings: collection.settings().clone(),
            journal_complete: collection.progress().journal.complete,
        };
        if let Some((pending_key, rx)) = &self.pending {
            match rx.try_recv() {
                Ok(stats) => {
                    self.cached = Some((pending_key.clone(), Arc::new(stats)));
                    self.pending = None;
                }
                Err(TryRecvError::Empty) if *pending_key == key => return,
                Err(_) => self.pending = None,
            }
        }
        if self.cached.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let input = stats::Input::gather(library, collection.progress(), collection.settings(), now, &self.filter);
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ui.ctx().clone();
        std::thread::spawn(move || {
            let _ = tx.send(stats::compute(&input));
            ctx.request_repaint();
        });
        self.pending = Some((key, rx));
    }

    fn filter_ui(&mut self, ui: &mut egui::Ui, library: &Library) {
        ui.horizontal_wrapped(|ui| {
            let deck_caption = ui.label("Deck:").id;
            let deck_label = match &self.filter.deck {
                None => "All decks".to_owned(),
                Some(id) => library
                    .decks
                    .iter()
                    .find(|d| d.deck.id == *id)
                    .map_or_else(|| id.0.to_string(), |d| d.deck.title.clone()),
            };
            let deck_box =
                egui::ComboBox::from_id_salt("stats-deck").selected_text(deck_label).width(260.0).show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.deck, None, "All decks");
                    for loaded in &library.decks {
                        ui.selectable_value(
                            &mut self.filter.deck,
                            Some(loaded.deck.id.clone()),
                            loaded.deck.title.as_str(),
                        );
                    }
                });
            deck_box.response.labelled_by(deck_caption);
            ui.add_space(12.0);
            let tag_caption = ui.label("Tag:").id;
            let tag_label = self.filter.tag.clone().unwrap_or_else(|| "All tags".to_owned());
            let tag_box =
                egui::ComboBox::from_id_salt("stats-tag").selected_text(tag_label).width(180.0).show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.tag, None, "All tags");
                    for tag in all_tags(library, self.filter.deck.as_ref()) {
                        let value = Some(tag.clone());
                        ui.selectable_value(&mut self.filter.tag, value, tag);
                    }
                });
            tag_box.response.labelled_by(tag_caption);
        });
    }

    fn charts_ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) -> Option<Command> {
        let now = store::now();
        self.filter_ui(ui, library);
        self.refresh(ui, collection, library, now);
        let Some((key, stats)) = self.cached.clone() else {
            ui.add_space(20.0);
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(if collection.progress().journal.complete {
                    "Counting…"
                } else {
                    "Reading your review history…"
                });
            });
            return None;
        };
        if self.pending.is_some() || !key.journal_complete {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new("Updating…").weak());
            });
        }
        let mut command = None;
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            summary_ui(ui, &stats);
            section(ui, "Review forecast", &forecast_caption(&stats, self.forecast_year));
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.forecast_year, false, "Next 30 days");
                ui.selectable_value(&mut self.forecast_year, true, "Next year");
            });
            forecast_chart(ui, &stats, self.forecast_year);

            let shade = if ui.visuals().dark_mode { "the brighter" } else { "the darker" };
            section(
                ui,
                "Reviews per day",
                &format!(
                    "Each square is a day of the past year; {shade} the green, the more cards you answered. Point at a day for its count and time."
                ),
            );
            heatmap_ui(ui, &stats);
            activity_summary_ui(ui, &stats);

            section(
                ui,
                "True retention",
                "How often you remembered a card at its first review of the day, for cards last seen a day or more before. Young cards have an interval under 21 days; mature ones 21 or more. The scheduler aims for your desired retention.",
            );
            retention_table(ui, &stats);

            section(ui, "Card states", "How many cards are new, still in learning steps, young, mature or suspended.");
            states_chart(ui, &stats);

            section(
                ui,
                "Memory",
                "Stability: days until recall falls to 90%. Difficulty: 1 easy to 10 hard. Recall: how likely you are to remember each studied card right now.",
            );
            ui.columns(3, |cols| {
                if let [a, b, c] = cols {
                    histogram_chart(a, "stability", "Stability (days)", &stats.stability, GREEN, format_edge);
                    histogram_chart(b, "difficulty", "Difficulty", &stats.difficulty, ORANGE, |e| format!("{e:.0}"));
                    histogram_chart(c, "recall", "Recall now (%)", &stats.retrievability, BLUE, |e| format!("{e:.0}"));
                }
            });

            section(
                ui,
                "Answer buttons",
                "Which button you pressed in the past year, for learning, young and mature cards, with the share of answers that were not Again.",
            );
            buttons_chart(ui, &stats);

            section(ui, "Time spent", "Minutes you spent answering on each of the last 30 days.");
            time_chart(ui, &stats);

            section(
                ui,
                "Weakest topics",
                "Tags whose studied cards you are least likely to remember now, and tags you forget most often. Browse a tag's cards, or go through them to strengthen it.",
            );
            if let Some(c) = topics_ui(ui, &stats) {
                command = Some(c);
            }

            section(
                ui,
                "Mock exams",
                "Your mock-exam scores over time, and how they compare with the recall predicted when you took them.",
            );
            let attempts = self.exams.get_or_insert_with(|| collection.attempts().map(|(a, _)| a).unwrap_or_default());
            if attempts.is_empty() {
                ui.label(RichText::new("No mock exam yet: take one from \"Mock exam\" at the top.").weak());
            } else {
                super::exam::history_ui(ui, attempts);
            }
        });
        command
    }

    /// Reads the mock-exam history again the next time it is shown.
    pub fn forget_exams(&mut self) {
        self.exams = None;
    }

    fn tuning_ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) {
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            self.fit_ui(ui, collection);
            ui.add_space(18.0);
            self.simulation_ui(ui, collection, library);
        });
    }

    fn fit_ui(&mut self, ui: &mut egui::Ui, collection: &Collection) {
        ui.heading("Fit the scheduler to your memory");
        ui.label(RichText::new("FSRS predicts when you will forget each card from 21 parameters. Fitting them to your own reviews makes the schedule match your memory. Your reviews stay as they are; only future intervals change.").weak());
        ui.add_space(4.0);
        let custom = !collection.settings().fsrs_parameters.is_empty();
        ui.label(if custom {
            "In use: parameters fitted to your reviews."
        } else {
            "In use: the default parameters, fitted to millions of other learners' reviews."
        });
        if let FitState::Running(progress, rx) = &self.fit {
            match rx.try_recv() {
                Ok(result) => self.fit = FitState::Done(result),
                Err(TryRecvError::Disconnected) => self.fit = FitState::Done(Err("the optimiser stopped".to_owned())),
                Err(TryRecvError::Empty) => {
                    let fraction = tuning::fit_fraction(progress);
                    ui.horizontal(|ui| {
                        ui.add(
                            egui::ProgressBar::new(fraction)
                                .desired_width(320.0)
                                .text(format!("Optimising… {:.0}%", fraction * 100.0)),
                        );
                        if ui.button("Cancel").clicked() {
                            tuning::cancel_fit(progress);
                        }
                    });
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(200));
                    return;
                }
            }
        }
        let mut next = None;
        ui.horizontal(|ui| {
            if ui.button("Optimise my parameters").clicked() {
                next = Some(self.start_fit(ui.ctx(), collection));
            }
            if custom && ui.button("Use the default parameters").clicked() {
                let settings = Settings { fsrs_parameters: Vec::new(), ..collection.settings().clone() };
                self.request = Some((settings, SettingsAsked::Defaults));
            }
        });
        if let Some(state) = next {
            self.fit = state;
            return;
        }
        match &self.fit {
            FitState::Idle | FitState::Running(..) => {}
            FitState::Saved(message) => {
                ui.label(RichText::new(message).color(GREEN));
            }
            FitState::Done(Err(why)) => {
                ui.label(RichText::new(capitalise(why)).color(RED));
            }
            FitState::Done(Ok(fitted)) => {
                let fitted = fitted.clone();
                ui.add_space(6.0);
                egui::Grid::new("fit-metrics").striped(true).num_columns(3).show(ui, |ui| {
                    ui.label("");
                    ui.label(RichText::new(if custom { "In use now" } else { "Defaults" }).strong());
                    ui.label(RichText::new("Fitted").strong());
                    ui.end_row();
                    metric_row(ui, "Log loss (lower is better)", &fitted.before, &fitted.after, |m| m.log_loss);
                    metric_row(ui, "RMSE (bins, lower is better)", &fitted.before, &fitted.after, |m| m.rmse_bins);
                });
                ui.label(
                    RichText::new(format!(
                        "Measured on the same {} reviews made a day or more after the previous one.",
                        fitted.after.reviews
                    ))
                    .small()
                    .weak(),
                );
                if fitted.is_better() {
                    ui.label("The fitted parameters predict your reviews better. Save them?");
                } else {
                    ui.label("The fitted parameters do not predict your reviews better than the ones in use; keeping them is wise.");
                }
                ui.horizontal(|ui| {
                    if ui.button("Save the fitted parameters").clicked() {
                        let settings =
                            Settings { fsrs_parameters: fitted.parameters.clone(), ..collection.settings().clone() };
                        self.request = Some((settings, SettingsAsked::Fitted));
                    }
                    if ui.button("Keep the parameters in use").clicked() {
                        self.fit = FitState::Idle;
                    }
                });
            }
        }
    }

    fn start_fit(&mut self, ctx: &egui::Context, collection: &Collection) -> FitState {
        let journal = &collection.progress().journal;
        if !journal.complete {
            return FitState::Done(Err("your review history is still being read; try again in a moment".to_owned()));
        }
        let reviews: Vec<Review> = journal
            .grades
            .iter()
            .filter(|g| g.kind != ReviewKind::Cram)
            .map(|g| Review { card: i64::from(g.key), at: g.at, rating: g.rating })
            .collect();
        let rollover = collection.settings().rollover_hour;
        let current = collection.settings().fsrs_parameters.clone();
        let progress = fsrs::CombinedProgressState::new_shared();
        let shared = progress.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = tuning::fit(&reviews, rollover, &current, shared).map_err(|e| e.to_string());
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        FitState::Running(progress, rx)
    }

    fn simulation_ui(&mut self, ui: &mut egui::Ui, collection: &Collection, library: &Library) {
        ui.heading("Which retention should I choose?");
        ui.label(RichText::new("Desired retention is how likely you want to be to remember a card when it comes due. The simulator plays a year of your study at each retention from 70% to 97%, with your cards, parameters, limits and answer times.").weak());
        let desired = collection.settings().desired_retention;
        ui.label(format!("In use: {:.0}%.", desired * 100.0));
        if let SimState::Running(progress, rx) = &self.simulation {
            match rx.try_recv() {
                Ok(result) => self.simulation = SimState::Done(result),
                Err(TryRecvError::Disconnected) => {
                    self.simulation = SimState::Done(Err("the simulator stopped".to_owned()));
                }
                Err(TryRecvError::Empty) => {
                    let fraction = progress.fraction();
                    ui.horizontal(|ui| {
                        ui.add(
                            egui::ProgressBar::new(fraction)
                                .desired_width(320.0)
                                .text(format!("Simulating a year of study… {:.0}%", fraction * 100.0)),
                        );
                        if ui.button("Cancel").clicked() {
                            progress.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    });
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(200));
                    return;
                }
            }
        }
        if ui.button("Simulate my workload").clicked() {
            self.simulation = self.start_simulation(ui.ctx(), collection, library);
            return;
        }
        match &self.simulation {
            SimState::Idle | SimState::Running(..) => {}
            SimState::Done(Err(why)) => {
                ui.label(RichText::new(capitalise(why)).color(RED));
            }
            SimState::Done(Ok(points)) => {
                let points = points.clone();
                if let Some(retention) = workload_chart(ui, &points, desired) {
                    let settings = Settings { desired_retention: retention, ..collection.settings().clone() };
                    self.request = Some((settings, SettingsAsked::Retention));
                }
                if let Some(e) = &self.retention_error {
                    ui.label(RichText::new(e).color(RED));
                }
            }
        }
    }

    fn start_simulation(&mut self, ctx: &egui::Context, collection: &Collection, library: &Library) -> SimState {
        let input = stats::Input::gather(
            library,
            collection.progress(),
            collection.settings(),
            store::now(),
            &Filter::default(),
        );
        let parameters = collection.settings().fsrs_parameters.clone();
        let progress = Arc::new(SimProgress::default());
        let shared = progress.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = tuning::workload(&input, &parameters, &shared).map_err(|e| e.to_string());
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        SimState::Running(progress, rx)
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn metric_row(ui: &mut egui::Ui, label: &str, before: &Metrics, after: &Metrics, get: impl Fn(&Metrics) -> f32) {
    ui.label(label);
    ui.label(format!("{:.4}", get(before)));
    let better = get(after) < get(before);
    ui.label(RichText::new(format!("{:.4}", get(after))).color(if better { GREEN } else { RED }));
    ui.end_row();
}

/// The tags of the library's cards (of one deck, if given), sorted.
fn all_tags(library: &Library, deck: Option<&DeckId>) -> Vec<String> {
    let mut tags: Vec<String> = library
        .decks
        .iter()
        .filter(|d| deck.is_none_or(|id| d.deck.id == *id))
        .flat_map(|d| d.deck.cards.iter().flat_map(|c| c.tags.iter().cloned()))
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

fn section(ui: &mut egui::Ui, title: &str, caption: &str) {
    ui.add_space(16.0);
    ui.label(RichText::new(title).size(18.0).strong());
    ui.label(RichText::new(caption).weak());
    ui.add_space(4.0);
}

fn summary_ui(ui: &mut egui::Ui, stats: &Stats) {
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        let recall = stats.average_recall.map_or("–".to_owned(), |r| format!("{:.0}%", r * 100.0));
        // Recall is averaged over studied cards only; say how many are not.
        let unseen = stats.states.new as usize;
        let studied = stats.cards.saturating_sub(unseen);
        let mut recall_label = format!("average recall now, of {studied} studied {}", plural(studied, "card", "cards"));
        if unseen > 0 {
            recall_label.push_str(&format!(" ({unseen} not seen yet)"));
        }
        for (value, label) in [
            (stats.cards.to_string(), plural(stats.cards, "card", "cards").to_owned()),
            (stats.grades.to_string(), plural(stats.grades, "answer in all", "answers in all").to_owned()),
            (stats.streak.to_string(), plural(stats.streak as usize, "day streak", "day streak").to_owned()),
            (recall, recall_label),
        ] {
            egui::Frame::group(ui.style()).inner_margin(egui::Margin::symmetric(12, 6)).show(ui, |ui| {
                ui.vertical(|ui| {
                    ui.label(RichText::new(value).size(20.0).strong());
                    ui.label(RichText::new(label).weak());
                });
            });
        }
    });
}

fn forecast_caption(stats: &Stats, year: bool) -> String {
    let days = if year { stats.forecast.len() } else { 30 };
    let total: u32 = stats.forecast.iter().take(days).map(|d| d.learning + d.review).sum();
    let mut text = format!(
        "Cards that fall due on each of the next {} days if you study every day: reviews in green, learning steps in orange ({total} in all).",
        if year { "365" } else { "30" }
    );
    if stats.overdue > 0 {
        text.push_str(&format!(" Today's bar includes {} overdue.", stats.overdue));
    }
    text
}

fn base_plot(id: &str) -> Plot<'_> {
    Plot::new(id)
        .height(CHART_HEIGHT)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_background(false)
        .include_y(0.0)
}

fn forecast_chart(ui: &mut egui::Ui, stats: &Stats, year: bool) {
    // A year shows weekly totals, so bars stay readable.
    let width = if year { 7 } else { 1 };
    let days = if year { stats.forecast.len() } else { 30 };
    let mut review = Vec::new();
    let mut learning = Vec::new();
    for (i, chunk) in stats.forecast.iter().take(days).collect::<Vec<_>>().chunks(width).enumerate() {
        let x = (i * width) as f64;
        let r: u32 = chunk.iter().map(|d| d.review).sum();
        let l: u32 = chunk.iter().map(|d| d.learning).sum();
        let label = if year { format!("days {}–{}", i * width, i * width + chunk.len() - 1) } else { day_name(i) };
        review.push(
            Bar::new(x, f64::from(r)).width(width as f64 * 0.8).fill(GREEN).name(format!("{label}: {r} reviews")),
        );
        learning.push(
            Bar::new(x, f64::from(l)).width(width as f64 * 0.8).fill(ORANGE).name(format!("{label}: {l} learning")),
        );
    }
    let review = BarChart::new("Review", review).color(GREEN);
    let learning = BarChart::new("Learning", learning).color(ORANGE).stack_on(&[&review]);
    legend_row(ui, &[("Review", GREEN), ("Learning", ORANGE)]);
    base_plot(if year { "forecast-year" } else { "forecast-month" })
        .x_axis_label(if year { "days from today (weekly totals)" } else { "days from today" })
        .show(ui, |plot| {
            plot.bar_chart(review);
            plot.bar_chart(learning);
        });
}

/// A chart's key as a row of coloured squares and names, in order.
fn legend_row(ui: &mut egui::Ui, entries: &[(&str, Color32)]) {
    ui.horizontal_wrapped(|ui| {
        for (name, color) in entries {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 3.0, *color);
            ui.label(*name);
            ui.add_space(8.0);
        }
    });
}

fn day_name(offset: usize) -> String {
    match offset {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        n => format!("in {n} days"),
    }
}

/// Whole-year calendar: weeks are columns, Monday at the top.
fn heatmap_ui(ui: &mut egui::Ui, stats: &Stats) {
    let weeks = 53;
    let cell = ((ui.available_width() - 40.0) / weeks as f32).clamp(8.0, 15.0);
    let gap = 2.0;
    let left = 34.0;
    let top = 16.0;
    let size = egui::vec2(left + weeks as f32 * cell, top + 7.0 * cell);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let dark = ui.visuals().dark_mode;
    let empty = if dark { Color32::from_gray(55) } else { Color32::from_gray(225) };
    let max = stats.activity.values().map(|a| a.answers).max().unwrap_or(0).max(1);
    let weekday = |d: Day| (d.0 + 3).rem_euclid(7); // 1970-01-01 was a Thursday.
    let today = stats.today;
    let last_column_start = today.plus(-weekday(today));
    let first = last_column_start.plus(-7 * (weeks - 1));
    let text_color = ui.visuals().weak_text_color();
    let font = egui::FontId::proportional(11.0);
    for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri")] {
        painter.text(
            rect.min + egui::vec2(0.0, top + row as f32 * cell + cell / 2.0),
            egui::Align2::LEFT_CENTER,
            name,
            font.clone(),
            text_color,
        );
    }
    let mut hovered = None;
    let pointer = response.hover_pos();
    let mut last_month = 0;
    for week in 0..weeks {
        for row in 0..7 {
            let day = first.plus(week * 7 + row);
            if day > today {
                continue;
            }
            let min = rect.min + egui::vec2(left + week as f32 * cell, top + row as f32 * cell);
            let cell_rect = egui::Rect::from_min_size(min, egui::vec2(cell - gap, cell - gap));
            if row == 0 {
                let date = day.date();
                let month = date.month();
                // Label a month at its first week only.
                if month != last_month && date.day() <= 7 {
                    last_month = month;
                    painter.text(min, egui::Align2::LEFT_BOTTOM, month_name(month), font.clone(), text_color);
                }
            }
            let count = stats.activity.get(&day).map_or(0, |a| a.answers);
            let color = if count == 0 {
                empty
            } else {
                let level = (count as f32 / max as f32).sqrt();
                let strength = 0.35 + 0.65 * level;
                if dark {
                    Color32::from_rgb(
                        (30.0 + 40.0 * strength) as u8,
                        (90.0 + 140.0 * strength) as u8,
                        (40.0 + 50.0 * strength) as u8,
                    )
                } else {
                    Color32::from_rgb(
                        (190.0 - 170.0 * strength) as u8,
                        (230.0 - 110.0 * strength) as u8,
                        (180.0 - 140.0 * strength) as u8,
                    )
                }
            };
            painter.rect_filled(cell_rect, 2.0, color);
            if pointer.is_some_and(|p| cell_rect.expand(gap / 2.0).contains(p)) {
                hovered = Some(day);
                painter.rect_stroke(
                    cell_rect,
                    2.0,
                    egui::Stroke::new(1.5, ui.visuals().strong_text_color()),
                    egui::StrokeKind::Outside,
                );
            }
        }
    }
    if let Some(day) = hovered {
        let activity = stats.activity.get(&day).copied().unwrap_or_default();
        let date = day.date();
        let text = format!(
            "{} {} {} {}: {} {}, {}",
            weekday_name(weekday(day)),
            date.day(),
            month_name(date.month()),
            date.year(),
            activity.answers,
            plural(activity.answers as usize, "answer", "answers"),
            duration_text(activity.answer_ms)
        );
        response.on_hover_text_at_pointer(text);
    }
}

fn month_name(month: i8) -> &'static str {
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("")
}

fn weekday_name(index: i32) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].get(index as usize).copied().unwrap_or("")
}

fn activity_summary_ui(ui: &mut egui::Ui, stats: &Stats) {
    let per_day = stats.answers_last_year as f32 / stats::HEATMAP_DAYS as f32;
    let per_studied =
        if stats.days_studied > 0 { stats.answers_last_year as f32 / stats.days_studied as f32 } else { 0.0 };
    ui.label(format!(
        "Streak: {} {} · longest this year: {} · studied on {} of the last 365 days · {:.1} answers a day on average ({:.0} on days you studied)",
        stats.streak,
        plural(stats.streak as usize, "day", "days"),
        stats.longest_streak,
        stats.days_studied,
        per_day,
        per_studied
    ));
}

fn retention_table(ui: &mut egui::Ui, stats: &Stats) {
    let desired = stats.desired_retention;
    let cell = |ui: &mut egui::Ui, pf: stats::PassFail| match pf.rate() {
        Some(rate) => {
            let color = if rate + 0.02 >= desired {
                GREEN
            } else if rate + 0.10 >= desired {
                YELLOW
            } else {
                RED
            };
            ui.label(RichText::new(format!("{:.1}%", rate * 100.0)).color(color))
                .on_hover_text(format!("{} remembered, {} forgotten", pf.passed, pf.failed));
        }
        None => {
            ui.label(RichText::new("–").weak());
        }
    };
    egui::Grid::new("retention").striped(true).num_columns(5).min_col_width(90.0).show(ui, |ui| {
        for title in ["", "Young", "Mature", "All", "Reviews"] {
            ui.label(RichText::new(title).strong());
        }
        ui.end_row();
        for row in &stats.retention {
            ui.label(row.period.label());
            cell(ui, row.young);
            cell(ui, row.mature);
            cell(ui, row.total());
            let total = row.total();
            ui.label((total.passed + total.failed).to_string());
            ui.end_row();
        }
    });
    ui.label(format!(
        "Desired retention: {:.0}%. Green: the scheduler keeps its promise (within 2 points); yellow: within 10; red: further below.",
        desired * 100.0
    ));
}

fn states_chart(ui: &mut egui::Ui, stats: &Stats) {
    let s = stats.states;
    let rows = [
        ("New", s.new, BLUE),
        ("Learning", s.learning, ORANGE),
        ("Young", s.young, LIGHT_GREEN),
        ("Mature", s.mature, GREEN),
        ("Suspended", s.suspended, YELLOW),
    ];
    ui.horizontal_wrapped(|ui| {
        for (name, n, color) in rows {
            ui.label(RichText::new("■").color(color));
            ui.label(format!("{name}: {n}"));
            ui.add_space(10.0);
        }
    });
    let total: u32 = rows.iter().map(|r| r.1).sum();
    if total == 0 {
        return;
    }
    // One stacked horizontal bar of proportions.
    let width = ui.available_width().min(800.0);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, 22.0), egui::Sense::hover());
    let mut x = rect.min.x;
    for (name, n, color) in rows {
        let w = width * n as f32 / total as f32;
        let part = egui::Rect::from_min_size(egui::pos2(x, rect.min.y), egui::vec2(w, rect.height()));
        ui.painter().rect_filled(part, 0.0, color);
        if response.hover_pos().is_some_and(|p| part.contains(p)) {
            response.clone().on_hover_text_at_pointer(format!("{name}: {n} ({:.0}%)", 100.0 * n as f32 / total as f32));
        }
        x += w;
    }
}

fn format_edge(days: f32) -> String {
    if days >= 365.0 { format!("{:.0}y", days / 365.0) } else { format!("{days:.0}d") }
}

fn histogram_chart(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    histogram: &Histogram,
    color: Color32,
    label: impl Fn(f32) -> String,
) {
    ui.label(RichText::new(title).strong());
    if histogram.total() == 0 {
        ui.label(RichText::new("No studied cards yet.").weak());
        return;
    }
    let names: Vec<String> = histogram
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| match histogram.edges.get(i + 1) {
            Some(next) => format!("{}–{}", label(*e), label(*next)),
            None => format!("{}+", label(*e)),
        })
        .collect();
    let bars = histogram
        .counts
        .iter()
        .zip(&names)
        .enumerate()
        .map(|(i, (n, name))| Bar::new(i as f64, f64::from(*n)).width(0.85).fill(color).name(format!("{name}: {n}")))
        .collect();
    let names_for_axis = names.clone();
    let every = names.len().div_ceil(6).max(1);
    let count = names.len();
    base_plot(id)
        .height(CHART_HEIGHT - 20.0)
        .x_grid_spacer(move |_| {
            (0..count)
                .step_by(every)
                .map(|i| egui_plot::GridMark { value: i as f64, step_size: every as f64 * 10.0 })
                .collect()
        })
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names_for_axis.get(i as usize).and_then(|n| n.split('–').next()).unwrap_or("").to_owned()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| plot.bar_chart(BarChart::new(title, bars).color(color)));
}

fn buttons_chart(ui: &mut egui::Ui, stats: &Stats) {
    let groups = ["Learning", "Young", "Mature"];
    let colors = [RED, ORANGE, GREEN, BLUE];
    let names = ["Again", "Hard", "Good", "Easy"];
    let mut charts = Vec::new();
    for (b, (name, color)) in names.iter().zip(colors).enumerate() {
        let bars = stats
            .buttons
            .iter()
            .enumerate()
            .map(|(g, buttons)| {
                let n = buttons.counts.get(b).copied().unwrap_or(0);
                let total: u32 = buttons.counts.iter().sum();
                let share = if total > 0 { 100.0 * n as f32 / total as f32 } else { 0.0 };
                Bar::new(g as f64 * 5.0 + b as f64, f64::from(n))
                    .width(0.9)
                    .fill(color)
                    .name(format!("{}: {name} {n} ({share:.0}%)", groups.get(g).unwrap_or(&"")))
            })
            .collect();
        charts.push(BarChart::new(*name, bars).color(color));
    }
    // Our own key, above the chart: it never covers a bar, and keeps the
    // buttons in their order.
    legend_row(ui, &[("Again", RED), ("Hard", ORANGE), ("Good", GREEN), ("Easy", BLUE)]);
    base_plot("buttons")
        .x_axis_formatter(move |mark, _| {
            let v = mark.value;
            let group = (v / 5.0).floor();
            if (v - (group * 5.0 + 1.5)).abs() < 0.01 {
                groups.get(group as usize).copied().unwrap_or("").to_owned()
            } else {
                String::new()
            }
        })
        .x_grid_spacer(|_| {
            (0..3).map(|g| egui_plot::GridMark { value: g as f64 * 5.0 + 1.5, step_size: 5.0 }).collect()
        })
        .show(ui, |plot| {
            for chart in charts {
                plot.bar_chart(chart);
            }
        });
    ui.horizontal_wrapped(|ui| {
        for (g, buttons) in stats.buttons.iter().enumerate() {
            let total: u32 = buttons.counts.iter().sum();
            let again = buttons.counts.first().copied().unwrap_or(0);
            if total > 0 {
                ui.label(format!(
                    "{}: {:.0}% correct of {total}",
                    groups.get(g).unwrap_or(&""),
                    100.0 * (total - again) as f32 / total as f32
                ));
                ui.add_space(12.0);
            }
        }
    });
}

fn time_chart(ui: &mut egui::Ui, stats: &Stats) {
    let n = stats.minutes_per_day.len();
    let bars = stats
        .minutes_per_day
        .iter()
        .enumerate()
        .map(|(i, minutes)| {
            let age = n - 1 - i;
            let when = match age {
                0 => "today".to_owned(),
                1 => "yesterday".to_owned(),
                a => format!("{a} days ago"),
            };
            Bar::new(-(age as f64), f64::from(*minutes)).width(0.8).fill(BLUE).name(format!("{when}: {minutes:.1} min"))
        })
        .collect();
    let total: f32 = stats.minutes_per_day.iter().sum();
    let most = stats.minutes_per_day.iter().copied().fold(0.0_f32, f32::max);
    base_plot("time")
        .x_axis_label("days ago")
        // Ages are 0 and up: never "-0", nothing right of today.
        .x_axis_formatter(|mark, _| if mark.value > 0.5 { String::new() } else { format!("{:.0}", mark.value.abs()) })
        .y_axis_label("minutes")
        .y_axis_formatter(|mark, _| format!("{}", mark.value))
        .show_axes([true, true])
        // A scale even on a quiet month: at least 0 to 5 minutes.
        .include_y(f64::from(most.max(5.0)))
        .show(ui, |plot| plot.bar_chart(BarChart::new("Minutes", bars).color(BLUE)));
    let whole = total.round() as usize;
    ui.label(format!(
        "{whole} {} in the last 30 days; {:.1} a day on average.",
        plural(whole, "minute", "minutes"),
        total / n.max(1) as f32
    ));
}

fn topics_ui(ui: &mut egui::Ui, stats: &Stats) -> Option<Command> {
    if stats.weakest.is_empty() {
        ui.label(
            RichText::new(format!(
                "Study at least {} cards of a tag to see how well you know it.",
                stats::MIN_TOPIC_CARDS
            ))
            .weak(),
        );
        return None;
    }
    // Just after learning, every topic is remembered: no ranking to show yet.
    if stats.weakest.iter().all(|t| t.average_recall >= 0.99) {
        ui.label(
            RichText::new(format!(
                "Too early to rank your topics: every tag with {} or more studied cards is still fresh \
                 (recall 99% or more). Come back after a few days of reviews.",
                stats::MIN_TOPIC_CARDS
            ))
            .weak(),
        );
        return None;
    }
    let mut command = None;
    ui.columns(2, |cols| {
        if let [left, right] = cols {
            left.label(RichText::new("Lowest recall").strong());
            if let Some(c) = topic_table(left, "weakest", &stats.weakest) {
                command = Some(c);
            }
            right.label(RichText::new("Most lapses").strong());
            if stats.most_lapses.is_empty() {
                right.label(RichText::new("No card has been forgotten after it was learnt.").weak());
            } else if let Some(c) = topic_table(right, "lapses", &stats.most_lapses) {
                command = Some(c);
            }
        }
    });
    command
}

fn topic_table(ui: &mut egui::Ui, id: &str, topics: &[stats::Topic]) -> Option<Command> {
    let mut command = None;
    egui::Grid::new(id).striped(true).num_columns(4).show(ui, |ui| {
        for title in ["Tag", "Recall", "Lapses", ""] {
            ui.label(RichText::new(title).weak());
        }
        ui.end_row();
        for topic in topics {
            ui.label(&topic.tag).on_hover_text(format!("{} studied cards", topic.cards));
            ui.label(format!("{:.0}%", topic.average_recall * 100.0));
            ui.label(topic.lapses.to_string());
            ui.horizontal(|ui| {
                let browse =
                    ui.small_button("Browse").on_hover_text(format!("Open the card browser at tag:{}", topic.tag));
                if browse.clicked() {
                    command = Some(Command::Browse(format!("tag:{}", topic.tag)));
                }
                let review =
                    ui.small_button("Review").on_hover_text(format!("Go through every card tagged {}", topic.tag));
                if review.clicked() {
                    command = Some(Command::Cram(super::CramScope::Tag(topic.tag.clone())));
                }
            });
            ui.end_row();
        }
    });
    command
}

/// The workload chart; returns a retention the student chose to use.
fn workload_chart(ui: &mut egui::Ui, points: &[WorkloadPoint], desired: f32) -> Option<f32> {
    let best = tuning::best(points);
    let line: Vec<[f64; 2]> =
        points.iter().map(|p| [f64::from(p.retention) * 100.0, f64::from(p.minutes_per_day)]).collect();
    let mut chosen = None;
    base_plot("workload")
        .height(220.0)
        .x_axis_label("desired retention (%)")
        .y_axis_label("minutes a day")
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .show(ui, |plot| {
            plot.line(Line::new("Study time a day", line).color(BLUE).width(2.0));
            plot.vline(VLine::new("In use", f64::from(desired) * 100.0).color(ORANGE));
            if let Some(best) = best {
                plot.points(
                    Points::new(
                        "Least work per card remembered",
                        vec![[f64::from(best.retention) * 100.0, f64::from(best.minutes_per_day)]],
                    )
                    .radius(6.0)
                    .color(GREEN),
                );
            }
        });
    let at = |r: f32| points.iter().find(|p| (p.retention - r).abs() < 0.005);
    if let Some(best) = best {
        ui.label(format!(
            "Least study per card remembered: {:.0}% ({:.1} min a day, {:.0} cards remembered after a year, {:.0} s of study each).",
            best.retention * 100.0,
            best.minutes_per_day,
            best.remembered,
            best.seconds_per_remembered
        ));
        if let Some(current) = at(desired) {
            ui.label(format!(
                "At your {:.0}%: {:.1} min a day, {:.0} cards remembered, {:.0} s of study each.",
                desired * 100.0,
                current.minutes_per_day,
                current.remembered,
                current.seconds_per_remembered
            ));
        }
        ui.label(RichText::new("Below the marked point you forget so much that relearning costs more than it saves; above it each extra point of retention buys fewer remembered cards per minute. Pick the marked value unless your exam needs more certainty and you have the time.").weak());
        if (best.retention - desired).abs() > 0.005
            && ui.button(format!("Use {:.0}%", best.retention * 100.0)).clicked()
        {
            chosen = Some(best.retention);
        }
    }
    chosen
}

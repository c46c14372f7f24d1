//! The egui/eframe shell: the window, its screens and the bundled font. It
//! turns the core's values into pixels; it never reads files itself (the
//! store does) and holds no scheduling logic.

mod fonts;
pub use fonts::install as install_fonts;
mod home;

use std::path::PathBuf;
use std::time::Instant;

use crate::deck::Library;
use crate::store::{self, Profile};

/// How the window should look and behave, from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data folder (already resolved from flag, environment or platform).
    pub data_dir: PathBuf,
    /// The profile to open.
    pub profile: String,
    /// Light, dark, or follow the system.
    pub theme: egui::ThemePreference,
    /// When set, print the time from this instant to the first frame that
    /// shows the deck list, then close (for start-up benchmarks).
    pub exit_after_first_frame: Option<Instant>,
}

/// The application: what is loaded, and which screen shows.
pub struct YadgarApp {
    profile_name: String,
    library: Library,
    /// A problem opening the profile, shown above everything else.
    profile_error: Option<String>,
    first_frame: FirstFrameProbe,
}

/// Tracks the first frame with the deck list, for `--exit-after-first-frame`.
enum FirstFrameProbe {
    Off,
    Waiting(Instant),
    /// The list was laid out in the previous frame; that frame is on screen
    /// once the next one starts.
    Drawn(Instant),
    Done,
}

impl YadgarApp {
    /// Loads the profile's decks once and sets up fonts and theme.
    pub fn new(ctx: &egui::Context, config: &Config) -> Self {
        fonts::install(ctx);
        ctx.set_theme(config.theme);
        let (library, profile_error) = match Profile::open_or_create(&config.data_dir, &config.profile) {
            Ok(profile) => (store::load_library(&profile.decks_dir()), None),
            Err(e) => (Library::bundled(), Some(e.to_string())),
        };
        for error in &library.errors {
            eprintln!("yadgar: {error}");
        }
        let first_frame = config.exit_after_first_frame.map_or(FirstFrameProbe::Off, FirstFrameProbe::Waiting);
        YadgarApp { profile_name: config.profile.clone(), library, profile_error, first_frame }
    }

    /// The decks loaded at start.
    pub fn library(&self) -> &Library {
        &self.library
    }

    fn top_bar_ui(&self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new("Yadgar").size(22.0).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(egui::RichText::new(format!("Profile: {}", self.profile_name)).weak());
            });
        });
    }

    fn probe_first_frame(&mut self, ctx: &egui::Context) {
        match self.first_frame {
            FirstFrameProbe::Drawn(start) => {
                let millis = start.elapsed().as_secs_f64() * 1000.0;
                println!("first frame with the deck list: {millis:.1} ms after start");
                self.first_frame = FirstFrameProbe::Done;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            FirstFrameProbe::Waiting(start) => {
                self.first_frame = FirstFrameProbe::Drawn(start);
                ctx.request_repaint();
            }
            FirstFrameProbe::Off | FirstFrameProbe::Done => {}
        }
    }
}

impl eframe::App for YadgarApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.add_space(4.0);
            self.top_bar_ui(ui);
            ui.add_space(2.0);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(error) = &self.profile_error {
                ui.colored_label(ui.visuals().error_fg_color, format!("{error}. Showing the bundled decks only."));
            }
            egui::Frame::NONE.inner_margin(egui::Margin::symmetric(16, 4)).show(ui, |ui| {
                home::ui(ui, &self.library);
            });
        });
        let ctx = ui.ctx().clone();
        self.probe_first_frame(&ctx);
    }
}

/// Opens the window and runs until it is closed.
///
/// # Errors
/// The window or its graphics context could not be created.
pub fn run(config: Config) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Yadgar")
            .with_app_id("yadgar")
            .with_inner_size([960.0, 720.0])
            .with_min_inner_size([480.0, 360.0]),
        ..Default::default()
    };
    eframe::run_native("Yadgar", options, Box::new(move |cc| Ok(Box::new(YadgarApp::new(&cc.egui_ctx, &config)))))
}

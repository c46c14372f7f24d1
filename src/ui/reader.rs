//! The reader: the student's own copy of the source text, each paragraph
//! shaded by the average predicted recall now (FSRS retrievability) of the
//! studied cards that cite it, with a key. Clicking a paragraph (or Enter
//! on it) lists its cards, with "Study these" (cram) and "Browse". Without
//! the text it says how to add it; Yadgar does not ship the article.

use egui::{Color32, RichText};

use super::{Command, CramScope};
use crate::deck::Library;
use crate::ground::SourceText;
use crate::store::{self, Collection};

/// How well a paragraph's cards are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Band {
    /// No card cites it, or none was studied.
    Unstudied,
    /// Average recall under 70%.
    Weak,
    /// 70% to 90%.
    Fair,
    /// 90% and more.
    Strong,
}

impl Band {
    fn of(recall: Option<f32>) -> Band {
        match recall {
            None => Band::Unstudied,
            Some(r) if r < 0.7 => Band::Weak,
            Some(r) if r < 0.9 => Band::Fair,
            Some(_) => Band::Strong,
        }
    }

    /// The paragraph's background; the text on it is the theme's strongest
    /// colour, which keeps at least 4.5:1 contrast on every fill here.
    fn fill(self, dark: bool) -> Color32 {
        match (self, dark) {
            (Band::Unstudied, _) => Color32::TRANSPARENT,
            (Band::Weak, false) => Color32::from_rgb(250, 214, 208),
            (Band::Fair, false) => Color32::from_rgb(250, 234, 196),
            (Band::Strong, false) => Color32::from_rgb(208, 238, 212),
            (Band::Weak, true) => Color32::from_rgb(96, 36, 36),
            (Band::Fair, true) => Color32::from_rgb(84, 66, 24),
            (Band::Strong, true) => Color32::from_rgb(30, 74, 42),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Band::Unstudied => "no studied cards",
            Band::Weak => "under 70%",
            Band::Fair => "70% to 90%",
            Band::Strong => "90% and more",
        }
    }
}

/// The reader's state: which paragraph is open.
#[derive(Default)]
pub(crate) struct Reader {
    selected: Option<u32>,
}

/// The cards citing each paragraph, and their average recall now.
struct Paragraphs {
    /// For paragraph n (index n - 1): (deck, card) indices into the library.
    cards: Vec<Vec<(usize, usize)>>,
    recall: Vec<Option<f32>>,
}

fn paragraphs(source: &SourceText, collection: &Collection, library: &Library) -> Paragraphs {
    let count = source.paragraph_count();
    let mut cards = vec![Vec::new(); count];
    let mut sums = vec![(0.0_f64, 0_u32); count];
    let now = store::now();
    for (d, loaded) in library.decks.iter().enumerate() {
        if !cites(&loaded.deck, source) {
            continue;
        }
        for (c, card) in loaded.deck.cards.iter().enumerate() {
            let Some(index) = card.source.as_ref().and_then(|s| usize::try_from(s.paragraph).ok()?.checked_sub(1))
            else {
                continue;
            };
            let Some(list) = cards.get_mut(index) else { continue };
            list.push((d, c));
            let recall = collection
                .progress()
                .state(&loaded.deck.id, &card.id)
                .and_then(|state| collection.scheduler().retrievability(state, now));
            if let (Some(r), Some(sum)) = (recall, sums.get_mut(index)) {
                sum.0 += f64::from(r);
                sum.1 += 1;
            }
        }
    }
    let recall = sums.iter().map(|(sum, n)| (*n > 0).then(|| (*sum / f64::from(*n)) as f32)).collect();
    Paragraphs { cards, recall }
}

/// Whether `deck`'s paragraph numbers refer to `source`: its recorded
/// fingerprint is the text's, or it records none (a deck of the student's own).
pub(crate) fn cites(deck: &crate::Deck, source: &SourceText) -> bool {
    deck.source_sha256.as_deref().is_none_or(|f| f.eq_ignore_ascii_case(source.fingerprint()))
}

/// Whether `source` is the text the decks were written from: it must have
/// the fingerprint a deck records (any text is taken when none records one).
///
/// # Errors
/// Both fingerprints, and what to do.
pub(crate) fn check_source(library: &Library, source: &SourceText) -> Result<(), String> {
    let mut expected: Vec<&str> = library.decks.iter().filter_map(|d| d.deck.source_sha256.as_deref()).collect();
    expected.sort_unstable();
    expected.dedup();
    if expected.is_empty() || expected.iter().any(|e| e.eq_ignore_ascii_case(source.fingerprint())) {
        return Ok(());
    }
    Err(format!(
        "This is not the text the decks were written from: its SHA-256 fingerprint is {}, the decks expect {}. \
         Choose your copy of the article, saved as plain text.",
        source.fingerprint(),
        expected.join(" or ")
    ))
}

impl Reader {
    /// Draws the reader; `source` is the text set in Settings, or why it
    /// could not be used, or `None` when none is set.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        source: Option<&Result<SourceText, String>>,
        collection: &Collection,
        library: &Library,
    ) -> Option<Command> {
        let mut command = None;
        ui.heading("Reader");
        let source = match source {
            Some(Ok(source)) => source,
            other => {
                ui.add_space(8.0);
                if let Some(Err(why)) = other {
                    ui.colored_label(ui.visuals().error_fg_color, why);
                    ui.add_space(6.0);
                }
                ui.label(
                    "The reader shows the article the cards come from, each paragraph shaded by how well you \
                     know its cards. Yadgar does not include the article: add your own copy (a plain-text file) \
                     in Settings, under “Source text”.",
                );
                ui.add_space(6.0);
                if ui.button("Open Settings").clicked() {
                    command = Some(Command::OpenSettings);
                }
                return command;
            }
        };
        let found = paragraphs(source, collection, library);
        key_ui(ui);
        ui.add_space(4.0);
        let dark = ui.visuals().dark_mode;
        // Frames sized from the width outside the scroll area (margins and
        // the scroll bar taken off), so no paragraph runs past the window.
        let width = (ui.available_width() - 40.0).min(820.0);
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            for n in 1..=source.paragraph_count() {
                let Ok(number) = u32::try_from(n) else { break };
                let text = source.paragraph(number).unwrap_or_default();
                let recall = found.recall.get(n - 1).copied().flatten();
                let cards = found.cards.get(n - 1).map_or(&[][..], Vec::as_slice);
                let band = Band::of(recall);
                let open = self.selected == Some(number);
                let stroke = if open {
                    egui::Stroke::new(2.0, ui.visuals().selection.stroke.color)
                } else {
                    egui::Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color)
                };
                let frame = egui::Frame::new()
                    .fill(band.fill(dark))
                    .stroke(stroke)
                    .corner_radius(6.0)
                    .inner_margin(egui::Margin::symmetric(10, 8))
                    .show(ui, |ui| {
                        ui.set_width(width);
                        let strong = ui.visuals().strong_text_color();
                        let summary = match recall {
                            Some(r) => format!(
                                "¶ {number} · {} {} · recall {:.0}%",
                                cards.len(),
                                super::home::plural(cards.len(), "card", "cards"),
                                r * 100.0
                            ),
                            None => format!(
                                "¶ {number} · {} {}",
                                cards.len(),
                                super::home::plural(cards.len(), "card", "cards")
                            ),
                        };
                        ui.label(RichText::new(summary).color(strong).strong());
                        ui.add(egui::Label::new(RichText::new(text).size(15.0).color(strong)).wrap().selectable(false));
                    });
                let response = ui
                    .interact(frame.response.rect, ui.scope_id().with(("paragraph", number)), egui::Sense::click())
                    .on_hover_text("Show the cards that cite this paragraph");
                response
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Paragraph {number}")));
                if response.clicked() {
                    self.selected = if open { None } else { Some(number) };
                }
                if open && let Some(c) = cards_ui(ui, width, number, source, cards, collection, library) {
                    command = Some(c);
                }
                ui.add_space(6.0);
            }
        });
        command
    }
}

/// The key to the shading.
fn key_ui(ui: &mut egui::Ui) {
    let dark = ui.visuals().dark_mode;
    ui.label("Each paragraph is shaded by the average predicted recall, now, of the studied cards that cite it:");
    ui.horizontal_wrapped(|ui| {
        for band in [Band::Weak, Band::Fair, Band::Strong, Band::Unstudied] {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 14.0), egui::Sense::hover());
            ui.painter().rect(
                rect,
                3.0,
                band.fill(dark),
                ui.visuals().widgets.noninteractive.bg_stroke,
                egui::StrokeKind::Inside,
            );
            ui.label(band.label());
            ui.add_space(10.0);
        }
    });
    ui.label(RichText::new("Click a paragraph (or Tab to it and press Enter) to see its cards.").weak());
}

/// The cards of an open paragraph, with Study these and Browse.
fn cards_ui(
    ui: &mut egui::Ui,
    width: f32,
    paragraph: u32,
    source: &SourceText,
    cards: &[(usize, usize)],
    collection: &Collection,
    library: &Library,
) -> Option<Command> {
    let mut command = None;
    egui::Frame::group(ui.style()).inner_margin(egui::Margin::same(10)).show(ui, |ui| {
        ui.set_width(width);
        if cards.is_empty() {
            ui.label(RichText::new("No card cites this paragraph.").weak());
            return;
        }
        ui.horizontal(|ui| {
            if ui.button("Study these").on_hover_text("Cram these cards: your schedule does not change").clicked() {
                command = Some(Command::Cram(CramScope::Paragraph(paragraph, source.fingerprint().to_owned())));
            }
            if ui.button("Browse").on_hover_text(format!("Open the browser at source:{paragraph}")).clicked() {
                command = Some(Command::Browse(format!("source:{paragraph}")));
            }
        });
        let now = store::now();
        for (d, c) in cards {
            let Some(loaded) = library.decks.get(*d) else { continue };
            let Some(card) = loaded.deck.cards.get(*c) else { continue };
            let recall = collection
                .progress()
                .state(&loaded.deck.id, &card.id)
                .and_then(|state| collection.scheduler().retrievability(state, now));
            ui.separator();
            ui.add(egui::Label::new(&card.question).wrap());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&card.answer).strong());
                let recall =
                    recall.map_or_else(|| "not studied yet".to_owned(), |r| format!("recall {:.0}%", r * 100.0));
                ui.label(RichText::new(recall).weak());
            });
        }
    });
    command
}

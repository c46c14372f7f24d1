//! The bundled typeface. egui's built-in font has no glyphs for ṭ, Ḵ or ḡ,
//! which the source text's names use, so DejaVu Sans comes first.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily, FontId, TextStyle};

/// DejaVu Sans, from Debian's fonts-dejavu-core (licence beside it in assets/).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Puts DejaVu Sans first in both families and sets readable text sizes.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert("DejaVuSans".to_owned(), Arc::new(FontData::from_static(DEJAVU_SANS)));
    if let Some(family) = fonts.families.get_mut(&FontFamily::Proportional) {
        family.insert(0, "DejaVuSans".to_owned());
    }
    // Monospace keeps Hack for its shape, with DejaVu behind it for the
    // letters Hack lacks.
    if let Some(family) = fonts.families.get_mut(&FontFamily::Monospace) {
        family.push("DejaVuSans".to_owned());
    }
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(26.0)),
            (TextStyle::Body, FontId::proportional(16.0)),
            (TextStyle::Button, FontId::proportional(16.0)),
            (TextStyle::Small, FontId::proportional(13.0)),
            (TextStyle::Monospace, FontId::monospace(15.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.button_padding = egui::vec2(12.0, 6.0);
    });
    set_contrast(ctx);
}

/// Text colours that meet WCAG AA (4.5:1) on the panels and group frames
/// of both themes. egui's weak text is its text colour at 60% opacity:
/// about 2.7:1 in the dark theme (grey 95 on grey 27) and 2.9:1 in the
/// light one (grey 147 on grey 248). Here: dark text grey 180 (8.3:1 on
/// grey 27), weak grey 140 (5.1:1 on 27, 4.8:1 on a frame's grey 32);
/// light text stays grey 80 (7.6:1 on 248), weak grey 100 (5.6:1). Errors
/// and warnings too: light error (180, 20, 20) 6.5:1 and warning (150, 80,
/// 0) 5.7:1 on grey 248; dark error (255, 120, 110) 6.8:1 on grey 27.
fn set_contrast(ctx: &egui::Context) {
    ctx.style_mut_of(egui::Theme::Dark, |style| {
        style.visuals.widgets.noninteractive.fg_stroke.color = egui::Color32::from_gray(180);
        style.visuals.weak_text_color = Some(egui::Color32::from_gray(140));
        style.visuals.error_fg_color = egui::Color32::from_rgb(255, 120, 110);
    });
    ctx.style_mut_of(egui::Theme::Light, |style| {
        style.visuals.weak_text_color = Some(egui::Color32::from_gray(100));
        style.visuals.error_fg_color = egui::Color32::from_rgb(180, 20, 20);
        style.visuals.warn_fg_color = egui::Color32::from_rgb(150, 80, 0);
    });
}

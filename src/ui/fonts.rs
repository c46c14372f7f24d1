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
}

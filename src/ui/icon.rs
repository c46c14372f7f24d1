//! The window's identity on the desktop: the application id that taskbars
//! and docks group windows by, and the icon drawn in `assets/icons/`.

/// The reverse-DNS application id. The desktop file and the AppStream
/// metainfo in `packaging/linux/` are named after it, and on Linux the window
/// carries it (Wayland `app_id`, X11 `WM_CLASS`) so the desktop matches the
/// window to its launcher and icon.
pub const APP_ID: &str = "io.github.yadgar.Yadgar";

/// The icon at 128 pixels, rendered from `assets/icons/yadgar.svg`.
static ICON_PNG: &[u8] = include_bytes!("../../assets/icons/hicolor/128x128/apps/io.github.yadgar.Yadgar.png");

/// The window icon, or `None` (the platform's default icon) if the bundled
/// PNG cannot be decoded, which a test rules out.
pub fn window_icon() -> Option<egui::IconData> {
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => Some(icon),
        Err(e) => {
            eprintln!("yadgar: the window icon could not be read, using the default: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_icon_decodes_to_a_square_of_128_pixels() {
        let icon = window_icon().map(|i| (i.width, i.height, i.rgba.len()));
        assert_eq!(icon, Some((128, 128, 128 * 128 * 4)));
    }
}

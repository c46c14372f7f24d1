//! What the egui_kittest tests share: opening the app on a data folder and
//! driving it as a student would (find, click, type, press, wait).

#![allow(dead_code)]

use std::path::Path;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::ui::{Config, YadgarApp};

/// The whole app on the profile "default" of `data`, in a window of `size`.
pub fn open_app(data: &Path, size: [f32; 2]) -> Harness<'static, YadgarApp> {
    let config = Config::for_data_dir(data.to_path_buf(), "default");
    let mut harness = Harness::builder().with_size(size).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run_ok();
    harness
}

/// Whether some widget's label contains `label`.
pub fn shows(harness: &Harness<'_, YadgarApp>, label: &str) -> bool {
    harness.query_all_by_label_contains(label).next().is_some()
}

/// Puts `text` in the field labelled `label`.
pub fn set_field(harness: &mut Harness<'_, YadgarApp>, label: &str, text: &str) {
    let field = harness.get_by_label(label);
    field.focus();
    field.set_text_value_accesskit(text);
    harness.run_ok();
}

/// Scrolls the widget labelled `label` into view and clicks it.
pub fn click(harness: &mut Harness<'_, YadgarApp>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run_ok();
    harness.get_by_label(label).click();
    harness.run_ok();
}

/// Presses `key`.
pub fn press(harness: &mut Harness<'_, YadgarApp>, key: Key) {
    harness.key_press(key);
    harness.run_ok();
}

/// Presses `key` with `modifiers`.
pub fn press_with(harness: &mut Harness<'_, YadgarApp>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.run_ok();
}

/// Presses Ctrl (Cmd on a Mac) and `key`.
pub fn ctrl(harness: &mut Harness<'_, YadgarApp>, key: Key) {
    press_with(harness, Modifiers::COMMAND, key);
}

/// Steps the app until `label` shows (work on a worker thread), for up to
/// about 12 s.
pub fn wait_for(harness: &mut Harness<'_, YadgarApp>, label: &str) {
    for _ in 0..600 {
        harness.step();
        if shows(harness, label) {
            harness.run_ok();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{label:?} never showed");
}

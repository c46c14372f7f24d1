//! Yadgar: a spaced-repetition study and quiz app.
//!
//! The core (every module but `ui`) is pure: decks, text matching, grounding,
//! and the store, which is the only code that touches files. The egui shell
//! lives in `ui` and only there imports egui or eframe (DESIGN.md,
//! invariant 1).

pub mod answer;
pub mod browse;
pub mod check;
pub mod commands;
pub mod content;
pub mod deck;
pub mod exam;
pub mod ground;
pub mod history;
pub mod interop;
pub mod query;
pub mod revlog;
pub mod schedule;
pub mod stats;
pub mod store;
pub mod study;
pub mod text;
pub mod time;
#[cfg(feature = "ui")]
pub mod ui;

pub use deck::{Card, CardId, CardKind, Deck, DeckError, DeckErrorKind, DeckId, Source};

//! Yadgar: a spaced-repetition study and quiz app.
//!
//! The core (every module but `ui`) is pure: decks, text matching, grounding,
//! and the store, which is the only code that touches files. The egui shell
//! lives in `ui` and only there imports egui or eframe (DESIGN.md,
//! invariant 1).

pub mod check;
pub mod deck;
pub mod ground;
pub mod store;
pub mod text;
pub mod ui;

pub use deck::{Card, CardId, CardKind, Deck, DeckError, DeckErrorKind, DeckId, Source};

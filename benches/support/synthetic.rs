//! The synthetic deck used by benchmarks: `n` cards of every kind, with
//! realistic lengths. Included by `examples/synthetic_deck.rs` and
//! `benches/browser_scale.rs` with `#[path]`.

// Fixed arrays indexed modulo their length, which cannot fail.
#![allow(clippy::indexing_slicing)]

use yadgar::deck::FORMAT_VERSION;
use yadgar::{Card, CardId, CardKind, Deck, DeckId, Source};

/// A deck of `count` generated cards.
pub fn deck(count: usize) -> Deck {
    let months = ["January", "March", "May", "August", "October", "December"];
    let cards = (0..count)
        .map(|i| {
            let kind = CardKind::ALL[i % CardKind::ALL.len()];
            Card {
                id: CardId(format!("synthetic-{i:06}").into()),
                kind,
                question: format!("Synthetic question {i}: which {} belongs to fact number {i}?", kind.name()),
                answer: format!("{} {} {}", 1 + i % 28, months[i % months.len()], 1917 + i % 75),
                accept: vec![format!("answer {i}")],
                tags: vec!["synthetic".to_owned(), format!("group-{}", i % 50)],
                source: Some(Source { paragraph: 1 + (i % 34) as u32 }),
                note: format!("A note of one sentence about synthetic fact {i}, long enough to be realistic."),
                ..Card::default()
            }
        })
        .collect();
    Deck {
        format: FORMAT_VERSION,
        id: DeckId("synthetic".into()),
        title: format!("Synthetic deck of {count} cards"),
        source_sha256: None,
        description: "Generated for benchmarks.".to_owned(),
        covers: Vec::new(),
        cards,
        retired: Vec::new(),
    }
}

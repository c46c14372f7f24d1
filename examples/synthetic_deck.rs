//! Writes a synthetic deck of N cards, for start-up and scale benchmarks.
//!
//! usage: cargo run --release --example synthetic_deck -- OUT.json N

// The generator indexes fixed arrays modulo their length, which cannot fail.
#![allow(clippy::indexing_slicing)]

use yadgar::deck::FORMAT_VERSION;
use yadgar::{Card, CardId, CardKind, Deck, DeckId, Source};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(count)) = (args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: synthetic_deck OUT.json N");
        return std::process::ExitCode::FAILURE;
    };
    let months = ["January", "March", "May", "August", "October", "December"];
    let cards = (0..count)
        .map(|i| {
            let kind = CardKind::ALL[i % CardKind::ALL.len()];
            Card {
                id: CardId(format!("synthetic-{i:06}")),
                kind,
                question: format!("Synthetic question {i}: which {} belongs to fact number {i}?", kind.name()),
                answer: format!("{} {} {}", 1 + i % 28, months[i % months.len()], 1917 + i % 75),
                accept: vec![format!("answer {i}")],
                tags: vec!["synthetic".to_owned(), format!("group-{}", i % 50)],
                source: Some(Source { paragraph: 1 + (i % 34) as u32 }),
                note: format!("A note of one sentence about synthetic fact {i}, long enough to be realistic."),
            }
        })
        .collect();
    let deck = Deck {
        format: FORMAT_VERSION,
        id: DeckId("synthetic".to_owned()),
        title: format!("Synthetic deck of {count} cards"),
        description: "Generated for benchmarks.".to_owned(),
        covers: Vec::new(),
        cards,
    };
    let json = match deck.to_json() {
        Ok(json) => json,
        Err(e) => {
            eprintln!("synthetic_deck: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(out, json) {
        eprintln!("synthetic_deck: cannot write {out}: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

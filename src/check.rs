//! `yadgar check`: validates deck files and, given the source text, checks
//! that every card's answer is stated in the paragraph it cites.

use std::collections::BTreeSet;

use crate::deck::{Deck, DeckError, DeckOrigin, Library};
use crate::ground::SourceText;

/// What `yadgar check` found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// One line per problem, ready to print.
    pub problems: Vec<String>,
    /// Decks that loaded.
    pub decks: usize,
    /// Cards in those decks.
    pub cards: usize,
    /// With a source text: the paragraphs no card cites (not an error: a
    /// small deck need not cover the whole text).
    pub uncited_paragraphs: Vec<usize>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks parsed decks together (ids must be unique across files) and, with
/// `source`, checks each card's grounding.
pub fn check(results: Vec<(String, Result<Deck, DeckError>)>, source: Option<&SourceText>) -> CheckReport {
    let library = Library::from_results(results.into_iter().map(|(file, r)| (file, DeckOrigin::Profile, r)));
    let mut report = CheckReport {
        problems: library.errors.iter().map(ToString::to_string).collect(),
        decks: library.decks.len(),
        cards: library.card_count(),
        uncited_paragraphs: Vec::new(),
    };
    let Some(source) = source else { return report };
    let mut cited = BTreeSet::new();
    for loaded in &library.decks {
        for card in &loaded.deck.cards {
            if let Some(s) = &card.source {
                cited.insert(s.paragraph as usize);
            }
            if let Err(why) = source.check(card) {
                report.problems.push(format!("{}: card {:?} is not grounded: {why}", loaded.file, card.id.0));
            }
        }
    }
    report.uncited_paragraphs = (1..=source.paragraph_count()).filter(|p| !cited.contains(p)).collect();
    report
}

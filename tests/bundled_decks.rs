//! The bundled decks as a whole: every paragraph of the source is covered,
//! no question is asked twice, every deck holds the kinds it claims, and
//! every card carries what the deck format and CARDS.md require.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, HashMap};

#[path = "support/source.rs"]
mod support;

use yadgar::deck::Library;
use yadgar::ground::SourceText;
use yadgar::text::{contains_words, normalise};

const ERAS: [&str; 6] = ["1917-1921", "1920s", "1930s", "1941-1946", "1946-1978", "1979-1991"];
/// "Several" cards per paragraph.
const MIN_CARDS_PER_PARAGRAPH: usize = 3;

fn library() -> Library {
    let library = Library::bundled();
    assert!(library.errors.is_empty(), "bundled decks fail to load: {:?}", library.errors);
    library
}

/// The source text, or `None` when it is not on this machine (see
/// `support/source.rs`: skipped with a line, failed on CI).
fn source() -> Option<SourceText> {
    let path = support::source_path()?;
    Some(SourceText::new(&std::fs::read_to_string(&path).expect("the source text is readable")))
}

#[test]
fn every_paragraph_is_cited_by_several_cards() {
    if let Some(source) = source() {
        assert_eq!(source.paragraph_count(), 34);
    }
    let mut per_paragraph: BTreeMap<u32, usize> = BTreeMap::new();
    for loaded in &library().decks {
        for card in &loaded.deck.cards {
            *per_paragraph.entry(card.source.as_ref().expect("source").paragraph).or_default() += 1;
        }
    }
    let thin: Vec<String> = (1..=34u32)
        .filter(|p| per_paragraph.get(p).copied().unwrap_or(0) < MIN_CARDS_PER_PARAGRAPH)
        .map(|p| format!("paragraph {p}: {} cards", per_paragraph.get(&p).copied().unwrap_or(0)))
        .collect();
    assert!(thin.is_empty(), "paragraphs with fewer than {MIN_CARDS_PER_PARAGRAPH} cards: {thin:?}");
}

#[test]
fn no_two_cards_in_any_decks_ask_the_same_question() {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut clashes = Vec::new();
    for loaded in &library().decks {
        for card in &loaded.deck.cards {
            let key = normalise(&card.question);
            let here = format!("{}/{}", loaded.deck.id, card.id);
            if let Some(other) = seen.insert(key, here.clone()) {
                clashes.push(format!("{here} and {other}"));
            }
        }
    }
    assert!(clashes.is_empty(), "same normalised question: {clashes:?}");
}

#[test]
fn card_ids_are_unique_across_the_bundled_decks() {
    let mut seen: HashMap<String, String> = HashMap::new();
    for loaded in &library().decks {
        for card in &loaded.deck.cards {
            if let Some(other) = seen.insert(card.id.0.to_string(), loaded.deck.id.0.to_string()) {
                panic!("card id {} is in both {other} and {}", card.id, loaded.deck.id);
            }
        }
    }
}

#[test]
fn every_deck_claims_kinds_and_holds_a_card_of_each() {
    for loaded in &library().decks {
        let deck = &loaded.deck;
        assert!(!deck.covers.is_empty(), "{} claims no kinds in \"covers\"", deck.id);
        for kind in &deck.covers {
            assert!(deck.cards.iter().any(|c| c.kind == *kind), "{} claims {kind:?} but has none", deck.id);
        }
    }
}

#[test]
fn every_card_has_one_era_a_topic_a_note_and_a_source() {
    let mut problems = Vec::new();
    for loaded in &library().decks {
        for card in &loaded.deck.cards {
            let eras = card.tags.iter().filter(|t| ERAS.contains(&t.as_str())).count();
            let topics = card.tags.len() - eras;
            if eras != 1 || topics == 0 {
                problems.push(format!("{}: tags {:?} need one era and a topic", card.id, card.tags));
            }
            if card.note.trim().is_empty() {
                problems.push(format!("{}: no note", card.id));
            }
            if card.source.is_none() {
                problems.push(format!("{}: no source paragraph", card.id));
            }
            if contains_words(&normalise(&card.question), &normalise(&card.answer)) {
                problems.push(format!("{}: the question gives away the answer {:?}", card.id, card.answer));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_answer_is_grounded_in_its_paragraph() {
    let Some(source) = source() else { return };
    let mut problems = Vec::new();
    for loaded in &library().decks {
        for card in &loaded.deck.cards {
            if let Err(why) = source.check(card) {
                problems.push(format!("{}: {why}", card.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

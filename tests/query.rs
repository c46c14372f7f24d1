//! The browser's query language: what each query matches over a small set
//! of cards in known states, where errors point, and that random input never
//! panics the parser.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use yadgar::query::{CardView, Timing, haystack, parse};
use yadgar::schedule::{CardState, Memory, Phase};
use yadgar::text::normalise;
use yadgar::{Card, CardId, CardKind, DeckId};

struct Fixture {
    deck: DeckId,
    title: String,
    card: Card,
    haystack: String,
    state: Option<CardState>,
    edited: bool,
    timing: Timing,
}

fn card(id: &str, kind: CardKind, question: &str, answer: &str, tags: &[&str], note: &str) -> Card {
    Card {
        id: CardId(id.into()),
        kind,
        question: question.into(),
        answer: answer.into(),
        accept: vec![],
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        // The treaty card cites paragraph 6, for source:6.
        source: (id == "treaty-1921").then_some(yadgar::deck::Source { paragraph: 6 }),
        note: note.into(),
        ..Card::default()
    }
}

fn fixtures() -> Vec<Fixture> {
    let review = CardState {
        phase: Phase::Review,
        memory: Some(Memory { stability: 12.0, difficulty: 6.5 }),
        interval_days: 10,
        reps: 6,
        lapses: 3,
        leech: true,
        ..CardState::default()
    };
    let suspended = CardState { phase: Phase::Learning, reps: 1, suspended: true, ..CardState::default() };
    let items = [
        (
            "soviet-iran-dates",
            "Soviet–Iran dates",
            card(
                "treaty-1921",
                CardKind::Date,
                "When was the Soviet–Iranian treaty signed?",
                "26 February 1921",
                &["1921", "treaties"],
                "Clause 6 allowed intervention.",
            ),
            None,
            false,
            Timing::default(),
        ),
        (
            "soviet-iran-dates",
            "Soviet–Iran dates",
            card(
                "entry-1941",
                CardKind::Date,
                "On what date did Soviet troops enter Iran?",
                "25 August 1941",
                &["war"],
                "",
            ),
            Some(review),
            true,
            Timing { retrievability: Some(0.7), due_in_days: Some(-2), due_now: true },
        ),
        (
            "my-notes",
            "My lecture notes",
            card("qawam", CardKind::Actor, "Who negotiated the oil deal of 1946?", "Qawām-al-Salṭana", &["oil"], ""),
            Some(suspended),
            false,
            Timing { retrievability: None, due_in_days: Some(0), due_now: false },
        ),
    ];
    items
        .into_iter()
        .map(|(deck, title, card, state, edited, timing)| Fixture {
            deck: DeckId(deck.into()),
            title: normalise(title),
            haystack: haystack(&card),
            card,
            state,
            edited,
            timing,
        })
        .collect()
}

fn matching(query: &str) -> Vec<String> {
    let query = parse(query).unwrap_or_else(|e| panic!("{query:?}: {e}"));
    fixtures()
        .iter()
        .filter(|f| {
            query.matches(&CardView {
                deck: &f.deck,
                deck_title: &f.title,
                card: &f.card,
                haystack: &f.haystack,
                state: f.state.as_ref(),
                edited: f.edited,
                timing: f.timing,
            })
        })
        .map(|f| f.card.id.0.to_string())
        .collect()
}

#[test]
fn queries_match_the_cards_they_describe() {
    let cases: &[(&str, &[&str])] = &[
        ("", &["treaty-1921", "entry-1941", "qawam"]),
        ("treaty", &["treaty-1921"]),
        ("TREATY 1921", &["treaty-1921"]),
        ("qawam al saltana", &["qawam"]),
        ("\"oil deal\"", &["qawam"]),
        ("\"deal oil\"", &[]),
        ("clause", &["treaty-1921"]),
        ("-treaty", &["entry-1941", "qawam"]),
        ("deck:my-notes", &["qawam"]),
        ("deck:\"My lecture notes\"", &["qawam"]),
        ("deck:soviet*", &["treaty-1921", "entry-1941"]),
        // deck: matches the start of a title or id, as Anki's deck:My* does.
        ("deck:My", &["qawam"]),
        ("deck:\"my lecture\"", &["qawam"]),
        ("deck:soviet", &["treaty-1921", "entry-1941"]),
        ("deck:lecture", &[]),
        ("source:6", &["treaty-1921"]),
        ("-deck:soviet-iran-dates", &["qawam"]),
        ("tag:war", &["entry-1941"]),
        ("tag:WAR", &["entry-1941"]),
        ("tag:19*", &["treaty-1921"]),
        ("kind:actor", &["qawam"]),
        ("kind:date -tag:war", &["treaty-1921"]),
        ("is:new", &["treaty-1921"]),
        ("-is:new", &["entry-1941", "qawam"]),
        ("is:due", &["entry-1941"]),
        ("is:suspended", &["qawam"]),
        ("is:leech", &["entry-1941"]),
        ("is:edited", &["entry-1941"]),
        ("is:learning", &["qawam"]),
        ("is:review", &["entry-1941"]),
        ("prop:r<0.8", &["entry-1941"]),
        ("prop:r>=0.8", &[]),
        ("prop:lapses>=3", &["entry-1941"]),
        ("prop:lapses=0", &["treaty-1921", "qawam"]),
        ("prop:reps!=0", &["entry-1941", "qawam"]),
        ("prop:ivl>5", &["entry-1941"]),
        ("prop:interval<=10", &["entry-1941", "qawam"]),
        ("prop:s>10", &["entry-1941"]),
        ("prop:d<=6.5", &["entry-1941"]),
        ("prop:due<0", &["entry-1941"]),
        ("prop:due=0", &["qawam"]),
        ("1921 tag:treaties is:new", &["treaty-1921"]),
    ];
    for (query, expected) in cases {
        assert_eq!(matching(query), *expected, "query {query:?}");
    }
}

#[test]
fn errors_say_where_and_what_to_write() {
    let cases: &[(&str, usize, &str)] = &[
        ("treaty \"oil", 7, "never closed"),
        ("kind:dates", 5, "\"dates\" is not a kind: use one of date, clause"),
        ("-kind:x", 6, "not a kind"),
        ("is:fresh", 3, "is:fresh is not known"),
        ("prop:r", 6, "needs a comparison"),
        ("prop:r<abc", 7, "\"abc\" is not a number"),
        ("prop:zz>1", 5, "prop:zz is not known"),
        ("war - treaty", 4, "lone '-'"),
        ("deck:", 0, "needs a value"),
        ("tag:", 0, "needs a value"),
        ("\"...\"", 0, "no letters or digits"),
    ];
    for (query, position, message) in cases {
        let error = parse(query).expect_err(query);
        assert_eq!(error.position, *position, "{query:?}: {error}");
        assert!(error.message.contains(message), "{query:?}: {}", error.message);
    }
    assert_eq!(parse("is:x").unwrap_err().to_string().split(':').next(), Some("at character 4"));
}

#[test]
fn an_unknown_field_is_plain_text() {
    assert_eq!(matching("1921:"), vec!["treaty-1921".to_owned()]);
}

proptest! {
    #[test]
    fn parse_never_panics_and_errors_point_inside_the_query(input in ".{0,40}") {
        if let Err(e) = parse(&input) {
            prop_assert!(e.position <= input.chars().count(), "{e:?}");
        }
    }

    #[test]
    fn parse_never_panics_on_query_like_input(input in "(-?(deck|tag|kind|is|prop|r|x)?:?[\"<>=!a-z0-9.*]{0,6} ?){0,6}") {
        if let Ok(query) = parse(&input) {
            for f in fixtures() {
                let _ = query.matches(&CardView {
                    deck: &f.deck, deck_title: &f.title, card: &f.card, haystack: &f.haystack,
                    state: f.state.as_ref(), edited: f.edited, timing: f.timing,
                });
            }
        }
    }
}

//! Normalisation, date reading and grounding, as data-driven tables, plus
//! property tests that random input never panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use yadgar::ground::{SourceText, Ungrounded};
use yadgar::text::{WrittenDate, normalise, parse_date};
use yadgar::{Card, CardId, CardKind, Deck, Source};

#[test]
fn normalise_ignores_case_diacritics_punctuation_and_quotes() {
    let cases = [
        ("Qawām-al-Salṭana", "qawam al saltana"),
        ("Ḵomeyni", "komeyni"),
        ("Āšurādā", "asurada"),
        ("Kuček Khan", "kucek khan"),
        ("Raskol’nikov", "raskolnikov"),
        ("Raskol'nikov", "raskolnikov"),
        ("“Persazneft”", "persazneft"),
        ("  the   Treaty,  of 1921! ", "the treaty of 1921"),
        ("Moḡān", "mogan"),
        ("enqelāb-e sefid", "enqelab e sefid"),
        ("", ""),
        ("...", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(normalise(input), expected, "normalise({input:?})");
    }
}

#[test]
fn dates_are_read_in_every_common_form() {
    let d = |y, m, day| WrittenDate::new(y, m, day);
    let cases: Vec<(&str, Option<WrittenDate>)> = vec![
        ("25 August 1941", d(1941, 8, Some(25))),
        ("August 25, 1941", d(1941, 8, Some(25))),
        ("August 25 1941", d(1941, 8, Some(25))),
        ("1941-08-25", d(1941, 8, Some(25))),
        ("25.8.1941", d(1941, 8, Some(25))),
        ("25/08/1941", d(1941, 8, Some(25))),
        ("on 25 August 1941", d(1941, 8, Some(25))),
        ("25th August 1941", d(1941, 8, Some(25))),
        ("25 Aug 1941", d(1941, 8, Some(25))),
        ("August 1941", d(1941, 8, None)),
        ("26 February 1921", d(1921, 2, Some(26))),
        ("29 February 1921", None),
        ("31 April 1941", None),
        ("1941", None),
        ("August", None),
        ("25 August", None),
        ("25 August 1941 and more", None),
        ("Chicherin", None),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_date(input), expected, "parse_date({input:?})");
    }
}

const SOURCE: &str = "The first paragraph names Chicherin and Qawām-al-Salṭana.\n\
It goes on for two lines, dated October 26 1917.\n\
\n\
   \n\
The treaty was signed on February 26, 1921, in Moscow. Clause 6 let troops enter.\n\
\n\
In August 1941 troops crossed the border; 35 million rubles were lent.\n";

fn card(answer: &str, accept: &[&str], paragraph: Option<u32>) -> Card {
    Card {
        id: CardId("c".into()),
        kind: CardKind::Concept,
        question: "q".into(),
        answer: answer.into(),
        accept: accept.iter().map(|s| (*s).to_owned()).collect(),
        tags: vec![],
        source: paragraph.map(|paragraph| Source { paragraph }),
        note: String::new(),
        ..Card::default()
    }
}

#[test]
fn a_source_splits_into_paragraphs_at_blank_lines() {
    assert_eq!(SourceText::new(SOURCE).paragraph_count(), 3);
    assert_eq!(SourceText::new("").paragraph_count(), 0);
    assert_eq!(SourceText::new("one\r\n\r\ntwo\r\n").paragraph_count(), 2);
}

#[test]
fn grounding_finds_answers_in_the_cited_paragraph_only() {
    let source = SourceText::new(SOURCE);
    let grounded: Vec<(Card, bool)> = vec![
        (card("Chicherin", &[], Some(1)), true),
        (card("Qavam al-Saltana", &["Qawam al Saltana"], Some(1)), true),
        (card("QAWĀM-AL-SALṬANA", &[], Some(1)), true),
        (card("26 October 1917", &[], Some(1)), true),
        (card("26 February 1921", &[], Some(2)), true),
        (card("1921-02-26", &[], Some(2)), true),
        (card("February 1921", &[], Some(2)), true),
        (card("clause 6", &[], Some(2)), true),
        (card("August 1941", &[], Some(3)), true),
        (card("35 million", &[], Some(3)), true),
        // Stated, but in another paragraph.
        (card("Chicherin", &[], Some(2)), false),
        // The wrong day of a month the paragraph names.
        (card("27 February 1921", &[], Some(2)), false),
        // A full date is not stated by a paragraph that gives only the month.
        (card("25 August 1941", &[], Some(3)), false),
        // Whole words only: "Mos" is not "Moscow".
        (card("Mos", &[], Some(2)), false),
        (card("35,000,000", &[], Some(3)), false),
        (card("Karakhan", &["Karachan"], Some(1)), false),
    ];
    for (card, expected) in grounded {
        assert_eq!(source.check(&card).is_ok(), expected, "answer {:?} accept {:?}", card.answer, card.accept);
    }
}

#[test]
fn grounding_explains_what_is_wrong() {
    let source = SourceText::new(SOURCE);
    assert_eq!(source.check(&card("x", &[], None)), Err(Ungrounded::NoSource));
    assert_eq!(source.check(&card("x", &[], Some(9))), Err(Ungrounded::NoSuchParagraph { paragraph: 9, count: 3 }));
    let err = source.check(&card("Lenin", &[], Some(1))).expect_err("not stated");
    assert_eq!(
        err.to_string(),
        "paragraph 1 does not state the answer \"Lenin\" or any of its accept forms: fix the card"
    );
}

proptest! {
    #[test]
    fn normalising_twice_changes_nothing(text in any::<String>()) {
        let once = normalise(&text);
        prop_assert_eq!(normalise(&once), once);
    }

    #[test]
    fn the_ascii_fast_path_agrees_with_the_unicode_one(text in "[ -~\t\n]{0,60}") {
        // A trailing " é" sends the same text through the Unicode path.
        let fast = normalise(&text);
        let unicode = normalise(&format!("{text} \u{e9}"));
        let expected = if fast.is_empty() { "e".to_owned() } else { format!("{fast} e") };
        prop_assert_eq!(unicode, expected);
    }

    #[test]
    fn reading_dates_never_panics(text in any::<String>()) {
        let _ = parse_date(&text);
    }

    #[test]
    fn any_bytes_give_a_deck_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Deck::from_json("random.json", &bytes);
    }

    #[test]
    fn any_json_shaped_text_gives_a_deck_or_an_error(text in r#"\{"format": ?[0-9], "id": "[a-z ]{0,5}", "title": ".{0,4}", "cards": \[.{0,40}\]\}"#) {
        let _ = Deck::from_json("random.json", text.as_bytes());
    }
}

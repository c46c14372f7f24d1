//! Every deck validation rule, with a malformed deck for each, asserting the
//! exact file, line, column or card that the message names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;

use yadgar::Deck;
use yadgar::store::load_deck_file;

/// A well-formed deck with two cards, as lines, so cases can break one line.
const GOOD: &str = r#"{
  "format": 1,
  "id": "sample",
  "title": "Sample deck",
  "cards": [
    {
      "id": "card-one",
      "kind": "date",
      "question": "When was the treaty signed?",
      "answer": "26 February 1921",
      "accept": ["February 26, 1921"],
      "tags": ["1917-1921", "treaties"],
      "source": { "paragraph": 5 },
      "note": "A note."
    },
    {
      "id": "card-two",
      "kind": "actor",
      "question": "Who signed it?",
      "answer": "Chicherin"
    }
  ]
}
"#;

fn error_for(text: &str) -> String {
    match Deck::from_json("bad.json", text.as_bytes()) {
        Ok(_) => "no error".to_owned(),
        Err(e) => e.to_string(),
    }
}

fn with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "case does not apply: {from}");
    GOOD.replacen(from, to, 1)
}

#[test]
fn the_good_deck_loads() {
    let deck = Deck::from_json("good.json", GOOD.as_bytes()).expect("good deck");
    assert_eq!(deck.cards.len(), 2);
    assert_eq!(deck.cards[0].accept, vec!["February 26, 1921".to_owned()]);
}

#[test]
fn each_rule_names_the_file_and_the_place() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty file", String::new(), "bad.json: the file is empty"),
        ("only spaces", "  \n\n ".to_owned(), "bad.json: the file is empty"),
        ("truncated", GOOD[..60].to_owned(), "bad.json:4:25: EOF while parsing a value"),
        (
            "syntax",
            with(r#""title": "Sample deck","#, r#""title": "Sample deck",,"#),
            "bad.json:4:26: key must be a string",
        ),
        ("format as text", with(r#""format": 1"#, r#""format": "1""#), "bad.json:2:15: invalid type: string \"1\""),
        ("newer format", with(r#""format": 1"#, r#""format": 2"#), "bad.json: deck format 2 is not known"),
        ("no format", with("  \"format\": 1,\n", ""), "bad.json:22:1: missing field `format`"),
        ("no cards", with(r#""cards": ["#, r#""cardz": ["#), "bad.json:5:9: unknown field `cardz`"),
        ("unknown kind", with(r#""kind": "actor""#, r#""kind": "person""#), "bad.json:18:22: unknown variant `person`"),
        (
            "misspelt field",
            with(r#""answer": "Chicherin""#, r#""anwser": "Chicherin""#),
            "bad.json:20:14: unknown field `anwser`",
        ),
        (
            "negative paragraph",
            with(r#""paragraph": 5"#, r#""paragraph": -1"#),
            "bad.json:13:33: invalid value: integer `-1`",
        ),
        ("bad deck id", with(r#""id": "sample""#, r#""id": "My Deck""#), "bad.json: deck id \"My Deck\" is not valid"),
        ("empty deck id", with(r#""id": "sample""#, r#""id": """#), "bad.json: deck id \"\" is not valid"),
        ("blank title", with(r#""title": "Sample deck""#, r#""title": "  ""#), "bad.json: the deck has no title"),
        (
            "bad card id",
            with(r#""id": "card-two""#, r#""id": "Card Two""#),
            "bad.json:17: card id \"Card Two\" is not valid",
        ),
        ("empty card id", with(r#""id": "card-two""#, r#""id": """#), "bad.json:17: card id \"\" is not valid"),
        (
            "duplicate card id",
            with(r#""id": "card-two""#, r#""id": "card-one""#),
            "bad.json:17: card \"card-one\" appears twice",
        ),
        (
            "blank question",
            with(r#""question": "Who signed it?""#, r#""question": " ""#),
            "bad.json:17: card \"card-two\": the question is blank",
        ),
        (
            "blank answer",
            with(r#""answer": "Chicherin""#, r#""answer": """#),
            "bad.json:17: card \"card-two\": the answer is blank",
        ),
        (
            "blank accept",
            with(r#"["February 26, 1921"]"#, r#"["February 26, 1921", ""]"#),
            "bad.json:7: card \"card-one\": an accept form is blank",
        ),
        (
            "tag with space",
            with(r#""treaties"]"#, r#""peace treaties"]"#),
            "bad.json:7: card \"card-one\": tag \"peace treaties\" is not valid",
        ),
        (
            "paragraph zero",
            with(r#""paragraph": 5"#, r#""paragraph": 0"#),
            "bad.json:7: card \"card-one\": source paragraph 0 does not exist",
        ),
        (
            "uncovered kind",
            with(r#""cards": ["#, r#""covers": ["date", "place"], "cards": ["#),
            "bad.json: the deck says it covers place cards but has none",
        ),
        (
            "duplicate question",
            with("Who signed it?", "when was the Treaty signed"),
            "bad.json:17: card \"card-two\" asks the same question as card \"card-one\"",
        ),
        (
            "statement without the slot",
            with(r#""note": "A note.""#, r#""note": "A note.", "statement": "The treaty was signed in Moscow.""#),
            "bad.json:7: card \"card-one\": the statement must hold {answer} exactly once",
        ),
        (
            "statement as a question",
            with(r#""note": "A note.""#, r#""note": "A note.", "statement": "Was the treaty signed on {answer}?""#),
            "bad.json:7: card \"card-one\": the statement must be a statement, not a question",
        ),
        (
            "statement without a full stop",
            with(r#""note": "A note.""#, r#""note": "A note.", "statement": "The treaty was signed on {answer}""#),
            "bad.json:7: card \"card-one\": the statement must end with a full stop",
        ),
        (
            "two distractors",
            with(r#""note": "A note.""#, r#""note": "A note.", "distractors": ["1 March 1921", "2 March 1921"]"#),
            "bad.json:7: card \"card-one\": distractors has 2: give 3 to 6 wrong answers, or none",
        ),
        (
            "a distractor twice",
            with(
                r#""note": "A note.""#,
                r#""note": "A note.", "distractors": ["1 March 1921", "2 March 1921", "1 march 1921"]"#,
            ),
            "bad.json:7: card \"card-one\": distractors lists \"1 march 1921\" twice",
        ),
        (
            "a distractor that is an accept form",
            with(
                r#""note": "A note.""#,
                r#""note": "A note.", "distractors": ["1 March 1921", "2 March 1921", "1921-02-26"]"#,
            ),
            "bad.json:7: card \"card-one\": distractors lists \"1921-02-26\", which is the answer",
        ),
        (
            "an event on an actor card",
            with(r#""answer": "Chicherin""#, r#""answer": "Chicherin", "event": "Chicherin signs""#),
            "bad.json:17: card \"card-two\": event is for date cards only",
        ),
        (
            "a sibling that is the card itself",
            with(r#""answer": "Chicherin""#, r#""answer": "Chicherin", "siblings": ["card-two"]"#),
            "bad.json:17: card \"card-two\": siblings links the card to itself",
        ),
        (
            "a sibling that is not an id",
            with(r#""answer": "Chicherin""#, r#""answer": "Chicherin", "siblings": ["Card One"]"#),
            "bad.json:17: card \"card-two\": siblings has \"Card One\", which is not a card id",
        ),
        (
            "a retired id reused",
            with(r#""cards": ["#, r#""retired": ["card-two"], "cards": ["#),
            "bad.json:17: card \"card-two\" uses a retired id",
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, expected) in &cases {
        let got = error_for(text);
        if !got.starts_with(expected) {
            failures.push(format!("{name}: expected {expected:?}\n   got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bytes_that_are_not_utf8_are_reported_with_their_position() {
    let mut bytes = GOOD.as_bytes().to_vec();
    let at = GOOD.find("A note.").expect("note") + 2;
    bytes[at] = 0xFF;
    let err = Deck::from_json("bad.json", &bytes).expect_err("must fail");
    assert_eq!(err.to_string(), "bad.json:14:18: the file is not UTF-8 text: save it as UTF-8 and try again");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(GOOD.as_bytes());
    assert!(Deck::from_json("bom.json", &bytes).is_ok());
}

#[test]
fn a_huge_broken_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.json");
    let mut file = std::fs::File::create(&path).expect("create");
    // 50 MB: a valid start, then a card list that never closes.
    file.write_all(br#"{"format": 1, "id": "huge", "title": "Huge", "cards": ["#).expect("write");
    let card = br#"{"id": "c", "kind": "date", "question": "q", "answer": "a"},"#;
    for _ in 0..(50 * 1024 * 1024 / card.len()) {
        file.write_all(card).expect("write");
    }
    drop(file);
    let err = load_deck_file(&path).expect_err("must fail");
    let message = err.to_string();
    assert!(message.starts_with(&format!("{}:1:", path.display())), "{message}");
    assert!(message.contains("EOF while parsing"), "{message}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("enormous.json");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(65 * 1024 * 1024).expect("grow");
    let err = load_deck_file(&path).expect_err("must fail");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the file is 65 MB, more than the 64 MB a deck may be: split it into several decks",
            path.display()
        )
    );
}

#[test]
fn a_missing_file_names_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gone.json");
    let err = load_deck_file(&path).expect_err("must fail");
    assert!(err.to_string().starts_with(&format!("{}: cannot read the file", path.display())), "{err}");
}

//! Editing cards and decks with real files in a temporary folder: own decks
//! are rewritten, bundled cards get overrides and their decks never change,
//! progress stays with the card id, deletes keep history and can be undone,
//! and a rejected edit changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use yadgar::deck::{Card, CardId, CardKind, DeckErrorKind, DeckId, DeckOrigin, Library, bundled_files};
use yadgar::schedule::Rating;
use yadgar::store::{self, Collection, StoreError};
use yadgar::time::Moment;

const NOON: i64 = 1_772_452_800_000;

fn open(data: &Path) -> (Collection, Library) {
    let c = Collection::open(data, "default", "dev-a").unwrap();
    let library = store::load_library(&c.profile().decks_dir());
    (c, library)
}

fn draft(question: &str, answer: &str) -> Card {
    Card {
        id: CardId(String::new()),
        kind: CardKind::Event,
        question: question.into(),
        answer: answer.into(),
        accept: vec![],
        tags: vec!["mine".into()],
        source: None,
        note: String::new(),
        ..Card::default()
    }
}

fn bundled_dates() -> DeckId {
    DeckId("soviet-iran-dates".into())
}

#[test]
fn cards_added_to_an_own_deck_are_in_its_file_with_new_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let deck = c.create_deck(&mut library, "Lecture notes").unwrap();
    assert!(deck.0.starts_with("lecture-notes-"), "{deck}");
    let first = c.add_card(&mut library, &deck, draft("Who led the 1921 coup?", "Reza Khan")).unwrap();
    let second =
        c.add_card(&mut library, &deck, draft("Who led the 1921 coup, with Reza Khan?", "Sayyed Zia")).unwrap();
    assert!(first.0.starts_with("who-led-the-1921-coup-"), "{first}");
    assert_ne!(first, second);

    let reopened = store::load_library(&c.profile().decks_dir());
    let loaded = reopened.deck(&deck).unwrap();
    assert_eq!(loaded.origin, DeckOrigin::Profile);
    assert_eq!(loaded.deck.title, "Lecture notes");
    let ids: Vec<_> = loaded.deck.cards.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, vec![first, second]);
    assert_eq!(library.deck(&deck).unwrap().deck, loaded.deck);
}

#[test]
fn invalid_cards_are_refused_with_the_rule_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let deck = c.create_deck(&mut library, "Notes").unwrap();
    c.add_card(&mut library, &deck, draft("Who led the 1921 coup?", "Reza Khan")).unwrap();
    let path = dir.path().join(format!("profiles/default/decks/{deck}.json"));
    let before = std::fs::read(&path).unwrap();

    let blank = c.add_card(&mut library, &deck, draft("   ", "x")).unwrap_err();
    assert!(
        matches!(&blank, StoreError::InvalidDeck(e) if matches!(e.kind, DeckErrorKind::Blank { field: "the question", .. })),
        "{blank}"
    );
    let duplicate = c.add_card(&mut library, &deck, draft("who led the 1921 coup", "Reza Khan")).unwrap_err();
    assert!(
        matches!(&duplicate, StoreError::InvalidDeck(e) if matches!(e.kind, DeckErrorKind::DuplicateQuestion { .. })),
        "{duplicate}"
    );
    let bad_tag = Card { tags: vec!["two words".into()], ..draft("A new question?", "x") };
    assert!(c.add_card(&mut library, &deck, bad_tag).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(library.deck(&deck).unwrap().deck.cards.len(), 1);

    // Cards cannot be added to a bundled deck.
    let bundled = c.add_card(&mut library, &bundled_dates(), draft("A new question?", "x")).unwrap_err();
    assert!(matches!(bundled, StoreError::BundledDeckChange(_)), "{bundled}");
}

#[test]
fn editing_an_own_card_keeps_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let deck = c.create_deck(&mut library, "Notes").unwrap();
    let id = c.add_card(&mut library, &deck, draft("Who led the 1921 coup?", "Reza Khan")).unwrap();
    c.grade(&deck, &id, Rating::Good, 3000, Moment::new(NOON, 0), false).unwrap();
    let state = c.progress().state(&deck, &id).cloned().unwrap();

    let mut card = library.deck(&deck).unwrap().deck.cards[0].clone();
    card.answer = "Reza Khan Mirpanj".into();
    card.note = "With Sayyed Zia.".into();
    c.edit_card(&mut library, &deck, card.clone()).unwrap();
    drop(c);

    let (c, library) = open(dir.path());
    assert_eq!(library.deck(&deck).unwrap().deck.cards, vec![card]);
    assert_eq!(c.progress().state(&deck, &id), Some(&state));
}

#[test]
fn editing_a_bundled_card_writes_an_override_and_never_the_bundled_deck() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let original = library.deck(&bundled_dates()).unwrap().deck.cards[0].clone();
    c.grade(&bundled_dates(), &original.id, Rating::Good, 3000, Moment::new(NOON, 0), false).unwrap();
    let state = c.progress().state(&bundled_dates(), &original.id).cloned().unwrap();
    let bundled_bytes: Vec<Vec<u8>> = bundled_files().iter().map(|(_, b)| b.to_vec()).collect();

    let edited = Card { note: "My own note.".into(), tags: vec!["mine".into()], ..original.clone() };
    c.edit_card(&mut library, &bundled_dates(), edited.clone()).unwrap();
    assert!(library.is_edited(&bundled_dates(), &original.id));

    let overrides: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("profiles/default/overrides.json")).unwrap()).unwrap();
    assert_eq!(
        overrides,
        serde_json::json!({"format": 1, "cards": [
            {"deck": "soviet-iran-dates", "card": original.id.0, "tags": ["mine"], "note": "My own note."}
        ]})
    );
    // The bundled deck files are as shipped, and the profile has no deck file.
    let after: Vec<Vec<u8>> = bundled_files().iter().map(|(_, b)| b.to_vec()).collect();
    assert_eq!(after, bundled_bytes);
    assert_eq!(std::fs::read_dir(dir.path().join("profiles/default/decks")).unwrap().count(), 0);
    drop(c);

    let (c, library) = open(dir.path());
    let shown = library.deck(&bundled_dates()).unwrap().deck.cards[0].clone();
    assert_eq!(shown, edited);
    assert!(library.is_edited(&bundled_dates(), &original.id));
    assert_eq!(c.progress().state(&bundled_dates(), &original.id), Some(&state));
    assert_eq!(Library::bundled().deck(&bundled_dates()).unwrap().deck.cards[0], original);

    // Editing it back as bundled removes the override.
    let (mut c, mut library) = (c, library);
    c.edit_card(&mut library, &bundled_dates(), original.clone()).unwrap();
    assert!(!library.is_edited(&bundled_dates(), &original.id));
    let overrides = std::fs::read_to_string(dir.path().join("profiles/default/overrides.json")).unwrap();
    assert!(!overrides.contains(&original.id.0), "{overrides}");
}

#[test]
fn a_bundled_edit_that_breaks_a_rule_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let cards = library.deck(&bundled_dates()).unwrap().deck.cards.clone();
    let copy = Card { question: cards[1].question.to_uppercase(), ..cards[0].clone() };
    let error = c.edit_card(&mut library, &bundled_dates(), copy).unwrap_err();
    assert!(matches!(&error, StoreError::InvalidDeck(e) if matches!(e.kind, DeckErrorKind::DuplicateQuestion { .. })));
    assert!(!dir.path().join("profiles/default/overrides.json").exists());
    assert_eq!(library.deck(&bundled_dates()).unwrap().deck.cards, cards);
}

#[test]
fn an_unreadable_overrides_file_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (c, _) = open(dir.path());
    let path = dir.path().join("profiles/default/overrides.json");
    std::fs::write(&path, b"{\"format\": 1, \"cards\": [").unwrap();
    let library = store::load_library(&c.profile().decks_dir());
    assert_eq!(library.errors.len(), 1);
    assert!(library.errors[0].to_string().contains("overrides.json:1:"), "{}", library.errors[0]);
    assert_eq!(library.deck(&bundled_dates()).unwrap().deck, Library::bundled().deck(&bundled_dates()).unwrap().deck);
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"format\": 1, \"cards\": [");
}

#[test]
fn a_deleted_card_keeps_its_history_and_comes_back_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let deck = c.create_deck(&mut library, "Notes").unwrap();
    let a = c.add_card(&mut library, &deck, draft("First question?", "a")).unwrap();
    let b = c.add_card(&mut library, &deck, draft("Second question?", "b")).unwrap();
    c.add_card(&mut library, &deck, draft("Third question?", "c")).unwrap();
    c.grade(&deck, &b, Rating::Easy, 3000, Moment::new(NOON, 0), false).unwrap();
    let state = c.progress().state(&deck, &b).cloned().unwrap();

    let deleted = c.delete_card(&mut library, &deck, &b).unwrap();
    assert_eq!(deleted.index, 1);
    let on_disk = store::load_library(&c.profile().decks_dir());
    assert_eq!(on_disk.deck(&deck).unwrap().deck.cards.len(), 2);
    // What the student wrote is kept in the trash, whatever happens next.
    let kept = std::fs::read_to_string(c.profile().dir.join("trash/deleted-cards.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(kept.lines().next().unwrap()).unwrap();
    assert_eq!(line["deck"], deck.0.as_str());
    assert_eq!(line["card"]["question"], "Second question?");
    assert_eq!(line["card"]["id"], b.0.as_str());
    // A new card with the same question never takes the deleted card's id.
    let again = c.add_card(&mut library, &deck, draft("Second question?", "b")).unwrap();
    assert_ne!(again, b);
    c.delete_card(&mut library, &deck, &again).unwrap();

    c.restore_card(&mut library, deleted).unwrap();
    drop(c);
    let (c, library) = open(dir.path());
    let ids: Vec<_> = library.deck(&deck).unwrap().deck.cards.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids[..2], [a, b.clone()]);
    assert_eq!(c.progress().state(&deck, &b), Some(&state));
}

#[test]
fn decks_are_renamed_in_place_and_deleted_into_the_trash() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let deck = c.create_deck(&mut library, "Notes").unwrap();
    c.add_card(&mut library, &deck, draft("First question?", "a")).unwrap();
    c.rename_deck(&mut library, &deck, "Lecture notes").unwrap();
    assert!(c.rename_deck(&mut library, &deck, "  ").is_err());
    let reopened = store::load_library(&c.profile().decks_dir());
    assert_eq!(reopened.deck(&deck).unwrap().deck.title, "Lecture notes");
    assert!(matches!(c.rename_deck(&mut library, &bundled_dates(), "x"), Err(StoreError::BundledDeckChange(_))));
    assert!(matches!(c.delete_deck(&mut library, &bundled_dates()), Err(StoreError::BundledDeckChange(_))));

    let trashed = c.delete_deck(&mut library, &deck).unwrap();
    assert_eq!(trashed, dir.path().join(format!("profiles/default/trash/{deck}.json")));
    assert!(library.deck(&deck).is_none());
    assert!(store::load_library(&c.profile().decks_dir()).deck(&deck).is_none());
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&trashed).unwrap()).unwrap();
    assert_eq!(kept["title"], "Lecture notes");
}

#[test]
fn cards_move_between_own_decks_with_their_progress_and_bundled_cards_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut library) = open(dir.path());
    let from = c.create_deck(&mut library, "Inbox").unwrap();
    let to = c.create_deck(&mut library, "Coup of 1921").unwrap();
    let a = c.add_card(&mut library, &from, draft("First question?", "a")).unwrap();
    let b = c.add_card(&mut library, &from, draft("Second question?", "b")).unwrap();
    c.grade(&from, &b, Rating::Good, 3000, Moment::new(NOON, 0), false).unwrap();
    let bundled = library.deck(&bundled_dates()).unwrap().deck.cards[0].id.clone();

    let report = c
        .move_cards(
            &mut library,
            &[(from.clone(), a.clone()), (from.clone(), b.clone()), (bundled_dates(), bundled)],
            &to,
        )
        .unwrap();
    assert_eq!(report, store::MoveReport { moved: 2, with_history: 1, bundled: 1 });
    let on_disk = store::load_library(&c.profile().decks_dir());
    let ids = |d: &DeckId| on_disk.deck(d).unwrap().deck.cards.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&to), vec![a.clone(), b.clone()]);
    assert!(ids(&from).is_empty());
    // The studied card's progress moved with it; the new one is still new.
    let moved = c.progress().state(&to, &b).unwrap().clone();
    assert_eq!(moved.reps, 1);
    assert!(c.progress().state(&to, &a).is_none());
    // The same after a restart (replayed from the log).
    drop(c);
    let (c, _) = open(dir.path());
    assert_eq!(c.progress().state(&to, &b), Some(&moved));
    assert_eq!(on_disk.deck(&to).unwrap().deck, library.deck(&to).unwrap().deck);
    let mut c = c;
    assert!(matches!(c.move_cards(&mut library, &[], &bundled_dates()), Err(StoreError::BundledDeckChange(_))));
}

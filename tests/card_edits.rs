//! Editing cards and decks with real files in a temporary folder: every
//! change is an event in this device's log (no deck file, `overrides.json`
//! or bundled deck is ever written), progress stays with the card id,
//! deletes keep the text and history and can be undone, a rejected edit
//! changes nothing, and all of it reads back after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use yadgar::deck::{Card, CardId, CardKind, DeckErrorKind, DeckId, DeckOrigin, Library, bundled_files};
use yadgar::schedule::Rating;
use yadgar::store::{self, Collection, StoreError};
use yadgar::time::Moment;

const NOON: i64 = 1_772_452_800_000;

fn open(data: &Path) -> Collection {
    Collection::open(data, "default", "dev-a").unwrap()
}

fn log_len(c: &Collection) -> u64 {
    std::fs::metadata(store::log::log_path(&c.profile().dir, c.device())).map_or(0, |m| m.len())
}

fn cards_of(c: &Collection, deck: &DeckId) -> Vec<Card> {
    c.library().deck(deck).unwrap().deck.cards.clone()
}

fn draft(question: &str, answer: &str) -> Card {
    Card {
        id: CardId::default(),
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
fn cards_added_to_an_own_deck_are_events_with_new_ids() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let deck = c.create_deck("Lecture notes").unwrap();
    assert!(deck.0.starts_with("lecture-notes-"), "{deck}");
    let first = c.add_card(&deck, draft("Who led the 1921 coup?", "Reza Khan")).unwrap();
    let second = c.add_card(&deck, draft("Who led the 1921 coup, with Reza Khan?", "Sayyed Zia")).unwrap();
    assert!(first.0.starts_with("who-led-the-1921-coup-"), "{first}");
    assert_ne!(first, second);
    let shown = c.library().deck(&deck).unwrap().clone();
    assert_eq!(shown.origin, DeckOrigin::Profile);
    assert_eq!(shown.deck.title, "Lecture notes");
    // No deck file: the log holds it all.
    assert_eq!(std::fs::read_dir(c.profile().decks_dir()).unwrap().count(), 0);
    drop(c);

    let c = open(dir.path());
    let loaded = c.library().deck(&deck).unwrap().clone();
    let ids: Vec<_> = loaded.deck.cards.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, vec![first, second]);
    assert_eq!(loaded.deck, shown.deck);
}

#[test]
fn invalid_cards_are_refused_with_the_rule_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let deck = c.create_deck("Notes").unwrap();
    c.add_card(&deck, draft("Who led the 1921 coup?", "Reza Khan")).unwrap();
    let before = log_len(&c);

    let blank = c.add_card(&deck, draft("   ", "x")).unwrap_err();
    assert!(
        matches!(&blank, StoreError::InvalidDeck(e) if matches!(e.kind, DeckErrorKind::Blank { field: "the question", .. })),
        "{blank}"
    );
    let duplicate = c.add_card(&deck, draft("who led the 1921 coup", "Reza Khan")).unwrap_err();
    assert!(
        matches!(&duplicate, StoreError::InvalidDeck(e) if matches!(e.kind, DeckErrorKind::DuplicateQuestion { .. })),
        "{duplicate}"
    );
    let bad_tag = Card { tags: vec!["two words".into()], ..draft("A new question?", "x") };
    assert!(c.add_card(&deck, bad_tag).is_err());
    assert_eq!(log_len(&c), before);
    assert_eq!(cards_of(&c, &deck).len(), 1);

    // Cards cannot be added to a bundled deck.
    let bundled = c.add_card(&bundled_dates(), draft("A new question?", "x")).unwrap_err();
    assert!(matches!(bundled, StoreError::BundledDeckChange(_)), "{bundled}");
}

#[test]
fn editing_an_own_card_keeps_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let deck = c.create_deck("Notes").unwrap();
    let id = c.add_card(&deck, draft("Who led the 1921 coup?", "Reza Khan")).unwrap();
    c.grade(&deck, &id, Rating::Good, 3000, Moment::new(NOON, 0), false).unwrap();
    let state = c.progress().state(&deck, &id).cloned().unwrap();

    let mut card = cards_of(&c, &deck)[0].clone();
    card.answer = "Reza Khan Mirpanj".into();
    card.note = "With Sayyed Zia.".into();
    c.edit_card(&deck, card.clone()).unwrap();
    drop(c);

    let c = open(dir.path());
    assert_eq!(cards_of(&c, &deck), vec![card]);
    assert_eq!(c.progress().state(&deck, &id), Some(&state));
}

#[test]
fn editing_a_bundled_card_is_an_event_and_never_touches_the_bundled_deck() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let original = cards_of(&c, &bundled_dates())[0].clone();
    c.grade(&bundled_dates(), &original.id, Rating::Good, 3000, Moment::new(NOON, 0), false).unwrap();
    let state = c.progress().state(&bundled_dates(), &original.id).cloned().unwrap();
    let bundled_bytes: Vec<Vec<u8>> = bundled_files().iter().map(|(_, b)| b.to_vec()).collect();

    let edited = Card { note: "My own note.".into(), tags: vec!["mine".into()], ..original.clone() };
    c.edit_card(&bundled_dates(), edited.clone()).unwrap();
    assert!(c.library().is_edited(&bundled_dates(), &original.id));
    // The event names only the fields that changed.
    let log = std::fs::read_to_string(store::log::log_path(&c.profile().dir, c.device())).unwrap();
    let line: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(line["type"], "card_edit");
    assert_eq!(line["fields"], serde_json::json!(["tags", "note"]));
    let after: Vec<Vec<u8>> = bundled_files().iter().map(|(_, b)| b.to_vec()).collect();
    assert_eq!(after, bundled_bytes);
    assert!(!dir.path().join("profiles/default/overrides.json").exists());
    assert_eq!(std::fs::read_dir(dir.path().join("profiles/default/decks")).unwrap().count(), 0);
    drop(c);

    let mut c = open(dir.path());
    assert_eq!(cards_of(&c, &bundled_dates())[0], edited);
    assert!(c.library().is_edited(&bundled_dates(), &original.id));
    assert_eq!(c.progress().state(&bundled_dates(), &original.id), Some(&state));
    assert_eq!(Library::bundled().deck(&bundled_dates()).unwrap().deck.cards[0], original);

    // Editing it back as bundled: no longer shown as edited.
    c.edit_card(&bundled_dates(), original.clone()).unwrap();
    assert!(!c.library().is_edited(&bundled_dates(), &original.id));
}

#[test]
fn a_bundled_edit_that_breaks_a_rule_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let cards = cards_of(&c, &bundled_dates());
    let before = log_len(&c);
    let copy = Card { question: cards[1].question.to_uppercase(), ..cards[0].clone() };
    let error = c.edit_card(&bundled_dates(), copy).unwrap_err();
    assert!(matches!(&error, StoreError::InvalidDeck(e) if matches!(e.kind, DeckErrorKind::DuplicateQuestion { .. })));
    assert_eq!(log_len(&c), before);
    assert_eq!(cards_of(&c, &bundled_dates()), cards);
}

#[test]
fn an_unreadable_overrides_file_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let path = dir.path().join("profiles/default/overrides.json");
    std::fs::write(&path, b"{\"format\": 1, \"cards\": [").unwrap();
    let mut c = open(dir.path());
    let library = c.library();
    assert_eq!(library.errors.len(), 1);
    assert!(library.errors[0].to_string().contains("overrides.json:1:"), "{}", library.errors[0]);
    assert_eq!(library.deck(&bundled_dates()).unwrap().deck, Library::bundled().deck(&bundled_dates()).unwrap().deck);
    // Edits still work (they are events), and the file stays as it was.
    let first = cards_of(&c, &bundled_dates())[0].clone();
    c.edit_card(&bundled_dates(), Card { note: "Mine.".into(), ..first }).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"format\": 1, \"cards\": [");
}

#[test]
fn a_deleted_card_keeps_its_text_and_history_and_comes_back_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let deck = c.create_deck("Notes").unwrap();
    let a = c.add_card(&deck, draft("First question?", "a")).unwrap();
    let b = c.add_card(&deck, draft("Second question?", "b")).unwrap();
    c.add_card(&deck, draft("Third question?", "c")).unwrap();
    c.grade(&deck, &b, Rating::Easy, 3000, Moment::new(NOON, 0), false).unwrap();
    let state = c.progress().state(&deck, &b).cloned().unwrap();

    c.delete_card(&deck, &b).unwrap();
    assert_eq!(cards_of(&c, &deck).len(), 2);
    // What the student wrote is kept, whatever happens next.
    assert_eq!(c.deleted_cards()[0].card.question, "Second question?");
    // A new card with the same question never takes the deleted card's id.
    let again = c.add_card(&deck, draft("Second question?", "b")).unwrap();
    assert_ne!(again, b);
    c.delete_card(&deck, &again).unwrap();
    drop(c);

    let mut c = open(dir.path());
    assert_eq!(c.deleted_cards().len(), 2);
    c.restore_card(&deck, &b).unwrap();
    drop(c);
    let c = open(dir.path());
    let ids: Vec<_> = cards_of(&c, &deck).iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids[..2], [a, b.clone()]);
    assert_eq!(c.progress().state(&deck, &b), Some(&state));
}

#[test]
fn decks_are_renamed_and_deleted_as_events_and_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let deck = c.create_deck("Notes").unwrap();
    c.add_card(&deck, draft("First question?", "a")).unwrap();
    c.rename_deck(&deck, "Lecture notes").unwrap();
    assert!(c.rename_deck(&deck, "  ").is_err());
    assert_eq!(c.library().deck(&deck).unwrap().deck.title, "Lecture notes");
    assert!(matches!(c.rename_deck(&bundled_dates(), "x"), Err(StoreError::BundledDeckChange(_))));
    assert!(matches!(c.delete_deck(&bundled_dates()), Err(StoreError::BundledDeckChange(_))));

    c.delete_deck(&deck).unwrap();
    assert!(c.library().deck(&deck).is_none());
    drop(c);
    let mut c = open(dir.path());
    assert!(c.library().deck(&deck).is_none());
    assert_eq!(c.deleted_decks(), &[(deck.clone(), "Lecture notes".to_owned())]);
    c.restore_deck(&deck).unwrap();
    assert_eq!(cards_of(&c, &deck).len(), 1);
}

#[test]
fn cards_move_between_own_decks_with_their_progress_and_bundled_cards_stay() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let from = c.create_deck("Inbox").unwrap();
    let to = c.create_deck("Coup of 1921").unwrap();
    let a = c.add_card(&from, draft("First question?", "a")).unwrap();
    let b = c.add_card(&from, draft("Second question?", "b")).unwrap();
    c.grade(&from, &b, Rating::Good, 3000, Moment::new(NOON, 0), false).unwrap();
    let bundled = cards_of(&c, &bundled_dates())[0].id.clone();

    let before = log_len(&c);
    let report =
        c.move_cards(&[(from.clone(), a.clone()), (from.clone(), b.clone()), (bundled_dates(), bundled)], &to).unwrap();
    assert_eq!(report, store::MoveReport { moved: 2, with_history: 1, bundled: 1 });
    assert!(log_len(&c) > before);
    let ids = |c: &Collection, d: &DeckId| cards_of(c, d).iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&c, &to), vec![a.clone(), b.clone()]);
    assert!(ids(&c, &from).is_empty());
    // The studied card's progress moved with it; the new one is still new.
    let moved = c.progress().state(&to, &b).unwrap().clone();
    assert_eq!(moved.reps, 1);
    assert!(c.progress().state(&to, &a).is_none());
    // The same after a restart (replayed from the log).
    let shown = cards_of(&c, &to);
    drop(c);
    let mut c = open(dir.path());
    assert_eq!(c.progress().state(&to, &b), Some(&moved));
    assert_eq!(cards_of(&c, &to), shown);
    assert!(matches!(c.move_cards(&[], &bundled_dates()), Err(StoreError::BundledDeckChange(_))));
    // One undo takes the whole move back.
    c.undo(Moment::new(NOON + 60_000, 0)).unwrap();
    assert_eq!(ids(&c, &from), vec![a, b]);
    assert!(ids(&c, &to).is_empty());
}

#[test]
fn after_a_move_is_undone_ctrl_z_takes_back_the_cards_own_grade_not_the_moves_copy() {
    // The grade and its copy sort at the same time, by random ids: eight
    // rounds, so picking the copy would fail all but once in 256.
    for _ in 0..8 {
        let dir = tempfile::tempdir().unwrap();
        let mut c = open(dir.path());
        let from = c.create_deck("Inbox").unwrap();
        let to = c.create_deck("Coup of 1921").unwrap();
        let card = c.add_card(&from, draft("Who led the coup?", "Reza Khan")).unwrap();
        // Graded after everything else, then moved (its history is copied to
        // the new place, dated as the grade was), then the move undone.
        c.grade(&from, &card, Rating::Good, 3000, store::now(), false).unwrap();
        c.move_cards(&[(from.clone(), card.clone())], &to).unwrap();
        assert_eq!(c.progress().state(&to, &card).unwrap().reps, 1);
        c.undo(store::now()).unwrap();
        assert_eq!(cards_of(&c, &from).len(), 1);
        // The next Ctrl+Z is the grade of the card the student sees, never the
        // copy left under the deck it no longer is in (the two sort at the
        // same time, so before, either could be picked).
        let undone = c.undo(store::now()).unwrap();
        assert_eq!(undone.as_deref(), Some(format!("grade of card {card}").as_str()));
        assert!(c.progress().state(&from, &card).is_none_or(|s| s.reps == 0), "the grade is still in force");
    }
}

#[test]
fn undo_of_an_action_takes_back_exactly_its_events_whatever_came_since() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let deck = c.create_deck("Notes").unwrap();
    let ids: Vec<CardId> = (0..3).map(|i| c.add_card(&deck, draft(&format!("Question {i}?"), "a")).unwrap()).collect();
    // A bulk suspend of three cards (three review-log events), then an edit.
    let cards: Vec<(DeckId, CardId)> = ids.iter().map(|id| (deck.clone(), id.clone())).collect();
    let at = Moment::new(NOON, 0);
    let suspend = c.apply(store::Op::Cards { cards, action: yadgar::revlog::Action::Suspend }, at).unwrap();
    assert_eq!(suspend.events.len(), 3);
    let mut edited = cards_of(&c, &deck)[0].clone();
    edited.note = "Kept.".into();
    c.edit_card(&deck, edited).unwrap();
    // The toast's Undo of the suspend: the three cards, not the later edit.
    let undone = c.apply(store::Op::UndoEvents(suspend.events.clone()), at).unwrap();
    assert_eq!(undone.undone.as_deref(), Some("3 actions"));
    assert!(ids.iter().all(|id| c.progress().state(&deck, id).is_none_or(|s| !s.suspended)));
    assert_eq!(cards_of(&c, &deck)[0].note, "Kept.");
    // Again: refused, nothing written.
    let before = log_len(&c);
    let again = c.apply(store::Op::UndoEvents(suspend.events), at).unwrap_err();
    assert!(matches!(again, StoreError::CannotUndo(_)), "{again}");
    assert_eq!(log_len(&c), before);
    // A deletion of two cards is one action: one undo brings both back.
    let delete = c
        .apply(store::Op::DeleteCards(vec![(deck.clone(), ids[1].clone()), (deck.clone(), ids[2].clone())]), at)
        .unwrap();
    assert_eq!(delete.events.len(), 1);
    assert_eq!(cards_of(&c, &deck).len(), 1);
    c.apply(store::Op::UndoEvents(delete.events), at).unwrap();
    assert_eq!(cards_of(&c, &deck).len(), 3);
}

#[test]
fn moving_cards_graded_today_counts_each_grade_once_and_so_does_undoing_the_move() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path());
    let from = c.create_deck("Inbox").unwrap();
    let to = c.create_deck("Coup of 1921").unwrap();
    let first = c.add_card(&from, draft("Who led the coup?", "Reza Khan")).unwrap();
    let second = c.add_card(&from, draft("Who led the coup with him?", "Sayyed Zia")).unwrap();
    let now = store::now();
    c.grade(&from, &first, Rating::Good, 3000, now, false).unwrap();
    c.grade(&from, &second, Rating::Again, 3000, now, false).unwrap();
    let day = c.scheduler().day(now);
    let before = (c.progress().done_today(day), c.progress().day(day));
    assert_eq!(before.0.new, 2);
    // Moved with their history: the new-card limit and the day's answers
    // see each grade once, not once per place.
    c.move_cards(&[(from.clone(), first.clone()), (from.clone(), second.clone())], &to).unwrap();
    assert_eq!(c.progress().state(&to, &first).unwrap().reps, 1);
    assert_eq!((c.progress().done_today(day), c.progress().day(day)), before);
    drop(c);
    let mut c = open(dir.path());
    assert_eq!((c.progress().done_today(day), c.progress().day(day)), before, "the same from the logs");
    // Undoing the move leaves the copies in the log, uncounted.
    c.undo(store::now()).unwrap();
    assert_eq!(c.progress().state(&from, &first).unwrap().reps, 1);
    assert_eq!((c.progress().done_today(day), c.progress().day(day)), before);
    drop(c);
    let c = open(dir.path());
    assert_eq!((c.progress().done_today(day), c.progress().day(day)), before, "the same from the logs");
}

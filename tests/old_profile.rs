//! A profile written by the build before events held edits (own deck files
//! written by the app, `overrides.json`, `profile.json` settings and exam
//! date, `exams.jsonl` with an appeal, a deck in `trash/`, a review log)
//! opens with every card, edit, setting and exam attempt, keeps working, and
//! none of its files is rewritten: new changes are events on top.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yadgar::deck::{CardId, DeckId};
use yadgar::schedule::Settings;
use yadgar::store::{Collection, LocalDirs, Opening, Theme};

const FIXTURE: &str = "tests/fixtures/old-profile";

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn copy(from: &Path, to: &Path) {
    for (name, bytes) in files(from) {
        let target = to.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

fn open(data: &Path) -> Collection {
    let local = LocalDirs::in_folder(&data.join("this-computer"));
    let device = yadgar::store::device_id(&local.device_id_file()).unwrap();
    Collection::open_as(data, "default", &device, &Opening::new(true, Some(local))).unwrap()
}

fn lecture() -> DeckId {
    DeckId("lecture-notes-4f2a1c".into())
}

fn check_old_content(c: &Collection) {
    let library = c.library();
    assert!(library.errors.is_empty(), "{:?}", library.errors);
    let own = library.deck(&lecture()).expect("the own deck");
    assert_eq!(own.deck.title, "Lecture notes");
    assert_eq!(own.deck.cards.len(), 2);
    assert_eq!(own.deck.cards[0].note, "My own note from the lecture.".replace("own ", ""));
    assert_eq!(own.deck.cards[0].accept, ["Reza Shah"]);
    let dates = DeckId("soviet-iran-dates".into());
    let bundled = &library.deck(&dates).unwrap().deck.cards[0];
    assert_eq!(bundled.note, "My own note on a bundled card.");
    assert!(library.is_edited(&dates, &bundled.id));
    // The deck the earlier build moved to the trash stays there, unshown.
    assert!(library.deck(&DeckId("old-deck-111111".into())).is_none());
    // Settings, and the exam date that earlier builds kept with the window.
    assert_eq!(c.settings().new_per_day, 33);
    assert_eq!(c.settings().desired_retention, 0.88);
    assert_eq!(c.preferences().theme, Theme::Dark);
    assert!(c.preferences().typed_answers);
    // Progress from the old log.
    let card = CardId("who-led-the-1921-coup-8a1b2c".into());
    assert_eq!(c.progress().state(&lecture(), &card).unwrap().reps, 3);
    assert_eq!(c.progress().state(&dates, &bundled.id).unwrap().reps, 3);
    assert!(c.progress().state(&lecture(), &CardId("treaty-signed-where-3d4e5f".into())).unwrap().suspended);
    // The exam attempt, with its appeal applied.
    let (attempts, warnings) = c.attempts().unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(attempts[0].appeals, [1]);
    assert_eq!(attempts[0].points, 2.0);
}

#[test]
fn an_old_profile_opens_with_everything_and_its_files_are_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profiles/default");
    copy(Path::new(FIXTURE), &profile);
    let before = files(&profile);

    let mut c = open(dir.path());
    check_old_content(&c);
    assert_eq!(c.preferences().exam_date.as_deref(), Some("2027-01-15"));
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());

    // It keeps working: an edit of an own card, of the bundled card, a new
    // card, new settings, a new exam date and a new attempt.
    let mut card = c.library().deck(&lecture()).unwrap().deck.cards[1].clone();
    card.note = "Signed on 26 February 1921.".into();
    c.edit_card(&lecture(), card).unwrap();
    let added = c
        .add_card(
            &lecture(),
            yadgar::Card {
                question: "Who was Reza Khan's partner in the 1921 coup?".into(),
                answer: "Sayyed Zia".into(),
                ..yadgar::Card::default()
            },
        )
        .unwrap();
    c.set_settings(Settings { new_per_day: 12, ..c.settings().clone() }).unwrap();
    let mut preferences = c.preferences().clone();
    preferences.exam_date = Some("2027-02-01".into());
    c.set_preferences(preferences).unwrap();
    let mut attempt = c.attempts().unwrap().0[0].clone();
    attempt.started_ms += 86_400_000;
    attempt.finished_ms += 86_400_000;
    attempt.appeals.clear();
    attempt.remark();
    c.save_attempt(&attempt).unwrap();
    drop(c);

    // Every old file is as it was; only this computer's new log is new.
    let after = files(&profile);
    for (name, bytes) in &before {
        assert_eq!(after.get(name), Some(bytes), "{} was changed", name.display());
    }
    let new: Vec<&PathBuf> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(new.iter().all(|n| {
        let name = n.to_string_lossy();
        (name.starts_with("reviews-") && name.ends_with(".jsonl")) || name.starts_with("lock-")
    }));

    // Reopened: the old content and the new changes, together.
    let c = open(dir.path());
    let mut expect_settings = c.settings().clone();
    expect_settings.new_per_day = 33;
    assert_eq!(c.settings().new_per_day, 12);
    assert_eq!(c.preferences().exam_date.as_deref(), Some("2027-02-01"));
    let own = c.library().deck(&lecture()).unwrap().deck.clone();
    assert_eq!(own.cards.len(), 3);
    assert_eq!(own.cards[1].note, "Signed on 26 February 1921.");
    assert_eq!(own.cards[2].id, added);
    assert_eq!(c.attempts().unwrap().0.len(), 2);
    // The old content is all still there (the settings aside, changed above).
    let card = CardId("who-led-the-1921-coup-8a1b2c".into());
    assert_eq!(c.progress().state(&lecture(), &card).unwrap().reps, 3);
    assert_eq!(c.attempts().unwrap().0[0].appeals, [1]);
}

#[test]
fn an_old_profile_opened_read_only_shows_the_same_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profiles/default");
    copy(Path::new(FIXTURE), &profile);
    let before = files(&profile);
    let c = Collection::open_read_only(dir.path(), "default", "reader").unwrap();
    check_old_content(&c);
    drop(c);
    assert_eq!(files(&profile), before);
}

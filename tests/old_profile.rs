//! A profile written by the build before events held edits (own deck files
//! written by the app, `overrides.json`, `profile.json` settings and exam
//! date, `exams.jsonl` with an appeal, a deck in `trash/`, a review log)
//! opens with every card, edit, setting and exam attempt, keeps working, and
//! none of its files is rewritten: new changes are events on top. Twice:
//! with a fixture written by hand (`tests/fixtures/old-profile`), and with
//! one written by that build itself, checked against what it reported
//! (`tests/fixtures/old-profile-8f0f63b`).

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

// ---------------------------------------------------------------------------
// A profile written by the previous build itself (commit 8f0f63b, through
// its own store API: tests/fixtures/old-profile-8f0f63b/README.md), checked
// against what that build reported after reopening it (`expected.json`).

const BUILT: &str = "tests/fixtures/old-profile-8f0f63b";
/// The device id the old build wrote its log as.
const OLD_DEVICE: &str = "8f0f63b000c0ffee";

fn expected() -> serde_json::Value {
    f32s(serde_json::from_slice(&std::fs::read(Path::new(BUILT).join("expected.json")).unwrap()).unwrap())
}

/// The files the old build wrote (the fixture without its README and
/// `expected.json`).
fn built_files() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = files(Path::new(BUILT));
    files.retain(|name, _| name != Path::new("README.md") && name != Path::new("expected.json"));
    files
}

/// A data folder in `dir` with the old build's profile as `default`.
fn copy_built(dir: &Path) -> PathBuf {
    let profile = dir.join("profiles/default");
    for (name, bytes) in built_files() {
        let target = profile.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    profile
}

fn json(value: impl serde::Serialize) -> serde_json::Value {
    f32s(serde_json::to_value(value).unwrap())
}

/// `value` with every fractional number rounded to `f32`, the type every
/// such value has in Yadgar: serde_json (without its `float_roundtrip`
/// feature) may read a number written in `expected.json` one `f64` ulp
/// away from what it wrote, which is the same `f32`.
fn f32s(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => Value::from(n.as_f64().unwrap() as f32),
        Value::Array(a) => Value::Array(a.into_iter().map(f32s).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, f32s(v))).collect()),
        other => other,
    }
}

/// Every key of `expected` (an object) has the same value in `actual`.
fn assert_keys_equal(what: &str, actual: &serde_json::Value, expected: &serde_json::Value) {
    let expected = expected.as_object().unwrap_or_else(|| panic!("{what}: not an object"));
    for (key, value) in expected {
        assert_eq!(actual.get(key), Some(value), "{what}: {key}");
    }
}

/// The own decks as the old build reported them: id, title and every card.
fn own_decks(c: &Collection) -> serde_json::Value {
    let library = c.library();
    let decks: Vec<serde_json::Value> = library
        .own_decks()
        .iter()
        .map(|(id, title)| {
            let deck = &library.deck(id).unwrap().deck;
            serde_json::json!({"deck": id.0, "title": title, "cards": deck.cards})
        })
        .collect();
    json(decks)
}

/// What the current build shows of an old profile, against what the old
/// build reported: every own card, the edited bundled card, the settings,
/// the preferences and exam date, the attempt with its appeal, and every
/// card's progress. `expected` may have been changed by the caller to
/// include changes made since.
fn check_against(c: &Collection, expected: &serde_json::Value) {
    let library = c.library();
    assert!(library.errors.is_empty(), "{:?}", library.errors);
    assert_eq!(own_decks(c), expected["own_decks"]);
    let edited: Vec<serde_json::Value> = library
        .decks
        .iter()
        .flat_map(|d| d.deck.cards.iter().map(move |card| (d, card)))
        .filter(|(d, card)| library.is_edited(&d.deck.id, &card.id))
        .map(|(d, card)| serde_json::json!({"deck": d.deck.id.0, "card": card}))
        .collect();
    assert_eq!(json(edited), expected["edited_bundled_cards"]);
    // The deck the old build moved to trash/ and the card it deleted stay
    // unshown.
    assert!(library.deck(&DeckId("old-deck-5fffab".into())).is_none());
    assert!(
        library.decks.iter().flat_map(|d| &d.deck.cards).all(|card| card.id.0 != "a-card-written-by-mistake-b6785a")
    );

    assert_keys_equal("settings", &json(c.settings()), &expected["settings"]);
    assert_keys_equal("preferences", &json(c.preferences()), &expected["preferences"]);
    assert_eq!(json(&c.preferences().exam_date), expected["exam_date"]);

    let (attempts, warnings) = c.attempts().unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(json(attempts.len()), expected["attempt_count"]);
    let expected_attempts = expected["attempts"].as_array().unwrap();
    for (n, (attempt, old)) in attempts.iter().zip(expected_attempts).enumerate() {
        assert_keys_equal(&format!("attempt {n}"), &json(attempt), old);
    }
    assert_eq!(json(attempts.iter().map(|a| a.appeals.clone()).collect::<Vec<_>>()), expected["appeals"]);

    // Every card with progress, and each one's whole state.
    let mut progress = Vec::new();
    for (deck, cards) in &c.progress().states {
        for (card, state) in cards {
            progress.push((deck.0.clone(), card.0.clone(), state));
        }
    }
    progress.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let expected_progress = expected["progress"].as_array().unwrap();
    let listed = |p: &[(_, _, _)]| p.iter().map(|(d, c, _)| format!("{d}/{c}")).collect::<Vec<_>>();
    let expected_listed: Vec<String> = expected_progress
        .iter()
        .map(|p| format!("{}/{}", p["deck"].as_str().unwrap(), p["card"].as_str().unwrap()))
        .collect();
    assert_eq!(listed(&progress), expected_listed);
    for ((deck, card, state), old) in progress.iter().zip(expected_progress) {
        let what = format!("progress of {deck}/{card}");
        assert_eq!(json(state.reps), old["reps"], "{what}");
        assert_eq!(json(state.lapses), old["lapses"], "{what}");
        assert_eq!(json(state.suspended), old["suspended"], "{what}");
        assert_eq!(json(state.due), old["due"], "{what}");
        assert_keys_equal(&what, &json(state), &old["state"]);
    }
}

/// Opens the data folder `data` writable as a computer whose own folders
/// are in `data/this-computer`, with device id `device` if given.
fn open_as(data: &Path, device: Option<&str>) -> Collection {
    let local = LocalDirs::in_folder(&data.join("this-computer"));
    if let Some(device) = device {
        std::fs::create_dir_all(&local.config_dir).unwrap();
        std::fs::write(local.device_id_file(), device).unwrap();
    }
    let device = yadgar::store::device_id(&local.device_id_file()).unwrap();
    Collection::open_as(data, "default", &device, &Opening::new(true, Some(local))).unwrap()
}

/// The changes made on top of the old profile: an edit of an own card, a
/// new card, new settings (that do not change any card's schedule). Returns
/// `expected` with them.
fn change(c: &mut Collection, expected: &serde_json::Value) -> serde_json::Value {
    let deck = DeckId(expected["own_decks"][0]["deck"].as_str().unwrap().into());
    let mut card = c.library().deck(&deck).unwrap().deck.cards[1].clone();
    card.note = "Edited by the current build.".into();
    card.tags.push("edited".into());
    c.edit_card(&deck, card.clone()).unwrap();
    let new = yadgar::Card {
        question: "Who was Reza Khan's partner in the 1921 coup?".into(),
        answer: "Sayyed Zia".into(),
        tags: vec!["1917-1921".into()],
        ..yadgar::Card::default()
    };
    let id = c.add_card(&deck, new.clone()).unwrap();
    c.set_settings(Settings { new_per_day: 12, reviews_per_day: 99, ..c.settings().clone() }).unwrap();

    let mut expected = expected.clone();
    let cards = expected["own_decks"][0]["cards"].as_array_mut().unwrap();
    cards[1] = json(&card);
    cards.push(json(yadgar::Card { id, ..new }));
    expected["settings"]["new_per_day"] = 12.into();
    expected["settings"]["reviews_per_day"] = 99.into();
    expected
}

#[test]
fn a_profile_written_by_the_previous_build_opens_with_all_it_reported() {
    let dir = tempfile::tempdir().unwrap();
    let profile = copy_built(dir.path());
    let expected = expected();

    let mut c = open_as(dir.path(), None);
    assert_ne!(c.device(), OLD_DEVICE);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    check_against(&c, &expected);

    let changed = change(&mut c, &expected);
    check_against(&c, &changed);
    drop(c);

    // Every file the old build wrote is as it was; only this computer's
    // new log (and its lock) is new.
    let after = files(&profile);
    for (name, bytes) in &built_files() {
        assert_eq!(after.get(name), Some(bytes), "{} was changed", name.display());
    }
    for name in after.keys().filter(|k| !built_files().contains_key(*k)) {
        let name = name.to_string_lossy();
        assert!(name.starts_with("reviews-") && name.ends_with(".jsonl") || name.starts_with("lock-"), "{name}");
    }

    // Reopened (writable, then read only): the old content and the changes.
    let c = open_as(dir.path(), None);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    check_against(&c, &changed);
    drop(c);
    let c = Collection::open_read_only(dir.path(), "default", "reader").unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    check_against(&c, &changed);
}

#[test]
fn a_profile_written_by_the_previous_build_opened_read_only_shows_all_it_reported_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = copy_built(dir.path());
    let before = files(&profile);
    let c = Collection::open_read_only(dir.path(), "default", "reader").unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    check_against(&c, &expected());
    drop(c);
    assert_eq!(files(&profile), before);
}

/// The same computer after the update: its device id is the one the old
/// build wrote its log as, so the new events go on the end of that log.
#[test]
fn a_profile_written_by_the_previous_build_keeps_its_log_when_the_same_device_goes_on_writing() {
    let dir = tempfile::tempdir().unwrap();
    let profile = copy_built(dir.path());
    let expected = expected();
    let mut c = open_as(dir.path(), Some(OLD_DEVICE));
    assert_eq!(c.device(), OLD_DEVICE);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    check_against(&c, &expected);
    let changed = change(&mut c, &expected);
    drop(c);

    let log = PathBuf::from(format!("reviews-{OLD_DEVICE}.jsonl"));
    let after = files(&profile);
    for (name, bytes) in &built_files() {
        if *name == log {
            assert!(after[name].starts_with(bytes), "the old log's lines were changed");
            assert!(after[name].len() > bytes.len());
        } else {
            assert_eq!(after.get(name), Some(bytes), "{} was changed", name.display());
        }
    }
    let c = open_as(dir.path(), None);
    assert_eq!(c.device(), OLD_DEVICE);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    check_against(&c, &changed);
}

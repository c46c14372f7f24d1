//! Sync between computers through a folder-sync tool (issue 15, first
//! slice): the device id lives in the config folder, a log written by two
//! computers is noticed and the id replaced, conflict copies are merged,
//! events from the future are held until their time, the snapshot is a
//! per-computer cache, and three simulated computers with a simulated sync
//! tool always agree in the end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/sync_sim.rs"]
mod sync_sim;

use std::path::{Path, PathBuf};
use std::process::Command;

use yadgar::deck::{CardId, DeckId};
use yadgar::revlog::Action;
use yadgar::schedule::Rating;
use yadgar::store::log::{log_path, read_log};
use yadgar::store::{self, Collection, LocalDirs, Opening};
use yadgar::time::Moment;

const DAY: i64 = 86_400_000;

fn deck() -> DeckId {
    DeckId("soviet-iran-dates".into())
}

fn card(i: usize) -> CardId {
    CardId(format!("card-{i}").into())
}

fn profile_dir(data: &Path) -> PathBuf {
    data.join("profiles/default")
}

/// A simulated computer: its data folder and its own folders.
struct Computer {
    data: PathBuf,
    local: LocalDirs,
}

impl Computer {
    fn new(root: &Path, name: &str) -> Computer {
        Computer { data: root.join(name).join("data"), local: LocalDirs::in_folder(&root.join(name).join("own")) }
    }

    fn device(&self) -> String {
        store::device_id(&self.local.device_id_file()).unwrap()
    }

    fn open_at(&self, writable: bool, now_ms: i64) -> Collection {
        let opening = Opening { writable, now: Moment::new(now_ms, 3600), local: Some(self.local.clone()) };
        Collection::open_as(&self.data, "default", &self.device(), &opening).unwrap()
    }

    fn open(&self) -> Collection {
        self.open_at(true, store::now().unix_ms)
    }
}

fn now_ms() -> i64 {
    store::now().unix_ms
}

/// Runs the binary: (success, stdout, stderr).
fn yadgar(args: &[&str], config: &Path, cache: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yadgar"))
        .args(args)
        .env("YADGAR_CONFIG_DIR", config)
        .env("YADGAR_CACHE_DIR", cache)
        .env_remove("YADGAR_DATA_DIR")
        .env_remove("CI")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn with_a_data_dir_the_device_id_and_snapshot_stay_in_this_computers_folders() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config, cache) = (dir.path().join("synced"), dir.path().join("config"), dir.path().join("cache"));
    // An earlier build kept the id in the data folder, and its log has a grade.
    std::fs::create_dir_all(profile_dir(&data)).unwrap();
    std::fs::write(data.join("device-id"), "0123456789abcdef").unwrap();
    let mut old = Collection::open(&data, "default", "0123456789abcdef").unwrap();
    old.grade(&deck(), &card(1), Rating::Good, 1000, store::now(), false).unwrap();
    drop(old);
    std::fs::write(profile_dir(&data).join("snapshot.json"), "{}").unwrap();

    let data_arg = data.display().to_string();
    let (ok, stdout, stderr) = yadgar(&["due", "--json", "--data-dir", &data_arg], &config, &cache);
    assert!(ok, "{stderr}");
    let id = std::fs::read_to_string(config.join("device-id")).unwrap();
    assert_eq!(id.len(), 16);
    assert_ne!(id, "0123456789abcdef", "the data folder's id is not this computer's");
    assert_eq!(std::fs::read_to_string(data.join("device-id")).unwrap(), "0123456789abcdef", "left as it was");
    assert!(stdout.contains("\"queue\""), "{stdout}");
    // `due` replays, so it leaves this computer's snapshot in the cache
    // folder, never in the profile; a read-only open keeps the old one.
    let snapshots: Vec<_> = std::fs::read_dir(cache.join("snapshots")).unwrap().collect();
    assert_eq!(snapshots.len(), 1);
    assert!(profile_dir(&data).join("snapshot.json").exists());
    // The window and import write; an import also deletes the old one.
    let csv = dir.path().join("words.csv");
    std::fs::write(&csv, "front,back\nsalt,tuz\n").unwrap();
    let (ok, _, stderr) =
        yadgar(&["import", csv.to_str().unwrap(), "--deck", "Words", "--data-dir", &data_arg], &config, &cache);
    assert!(ok, "{stderr}");
    assert!(!profile_dir(&data).join("snapshot.json").exists());
    let mut files: Vec<String> = std::fs::read_dir(profile_dir(&data))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    files.sort();
    assert!(files.contains(&format!("lock-{id}")), "{files:?}");
    assert!(!files.iter().any(|f| f.contains("device-id") || f.contains("snapshot")), "{files:?}");
    // The grade from the old id still counts (this test program is another
    // build than the binary, so it replays rather than use its snapshot).
    let c = Collection::open_as(
        &data,
        "default",
        &id,
        &Opening::new(false, Some(LocalDirs { config_dir: config, cache_dir: cache })),
    )
    .unwrap();
    assert!(c.progress().state(&deck(), &card(1)).is_some());
}

#[test]
fn a_log_written_by_a_cloned_computer_gives_this_one_a_new_id_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let mut c = a.open();
    let id = c.device().to_owned();
    c.grade(&deck(), &card(1), Rating::Good, 1000, store::now(), false).unwrap();
    drop(c);
    // A disk image of computer A becomes computer B: same id, same mark.
    let b = Computer::new(dir.path(), "b");
    copy_dir(&dir.path().join("a"), &dir.path().join("b"));
    assert_eq!(b.device(), id);
    let mut c = b.open();
    assert_eq!(c.device(), id, "B cannot know yet");
    c.grade(&deck(), &card(2), Rating::Easy, 1000, store::now(), false).unwrap();
    drop(c);
    let mut c = a.open();
    c.grade(&deck(), &card(3), Rating::Hard, 1000, store::now(), false).unwrap();
    drop(c);
    // Both changed reviews-<id>.jsonl: the sync tool keeps B's version and
    // leaves A's beside it as a conflict copy.
    let log = log_path(&profile_dir(&a.data), &id);
    let copy = profile_dir(&a.data).join(format!("reviews-{id} (conflicted copy 2026-12-01).jsonl"));
    std::fs::rename(&log, &copy).unwrap();
    std::fs::copy(log_path(&profile_dir(&b.data), &id), &log).unwrap();

    let mut c = a.open();
    let new = c.device().to_owned();
    assert_ne!(new, id, "{:?}", c.warnings());
    assert_eq!(a.device(), new, "the new id is kept");
    let warning = c.warnings().iter().find(|w| w.contains("changed by something else")).expect("a warning");
    assert!(warning.contains(&format!("reviews-{id}.jsonl")) && warning.contains(&new), "{warning}");
    let aside = std::fs::read_dir(&a.local.config_dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("device-id.replaced-"))
        .count();
    assert_eq!(aside, 1);
    // Nothing is lost: both computers' grades count, and new ones go to
    // the new log.
    for i in 1..=3 {
        assert!(c.progress().state(&deck(), &card(i)).is_some(), "card {i}");
    }
    c.grade(&deck(), &card(4), Rating::Good, 1000, store::now(), false).unwrap();
    drop(c);
    assert_eq!(read_log(&log_path(&profile_dir(&a.data), &new), 0).unwrap().events.len(), 1);
    // The next open is quiet.
    let c = a.open();
    assert_eq!(c.device(), new);
    assert!(!c.warnings().iter().any(|w| w.contains("changed by something else")), "{:?}", c.warnings());
}

#[test]
fn a_log_replaced_while_the_profile_is_open_sends_new_events_to_a_new_log() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let mut c = a.open();
    let id = c.device().to_owned();
    c.grade(&deck(), &card(1), Rating::Good, 1000, store::now(), false).unwrap();
    // A sync tool renames another computer's version over the open log.
    let log = log_path(&profile_dir(&a.data), &id);
    let other = dir.path().join("other.jsonl");
    std::fs::write(
        &other,
        format!(
            "{{\"v\":1,\"id\":\"{:032x}\",\"at_ms\":{},\"offset_s\":0,\"deck\":\"soviet-iran-dates\",\"card\":\"card-9\",\"type\":\"suspend\"}}\n",
            7,
            now_ms()
        ),
    )
    .unwrap();
    std::fs::rename(&other, &log).unwrap();
    let saved = c.grade(&deck(), &card(2), Rating::Good, 1000, store::now(), false).unwrap();
    let new = c.device().to_owned();
    assert_ne!(new, id);
    assert!(c.warnings().iter().any(|w| w.contains("changed by something else")), "{:?}", c.warnings());
    // The grade is in the new log, and the other writer's event is read.
    let events = read_log(&log_path(&profile_dir(&a.data), &new), 0).unwrap().events;
    assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), vec![saved]);
    assert!(c.progress().state(&deck(), &card(9)).is_some_and(|s| s.suspended));
    assert!(c.progress().state(&deck(), &card(2)).is_some());
}

#[test]
fn a_crash_or_a_profile_made_again_never_looks_like_another_computer() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let mut c = a.open();
    let id = c.device().to_owned();
    c.grade(&deck(), &card(1), Rating::Good, 1000, store::now(), false).unwrap();
    drop(c);
    // A crash after the append but before the note: the log is longer.
    let log = log_path(&profile_dir(&a.data), &id);
    let line = std::fs::read_to_string(&log).unwrap();
    let at = line.find("\"id\":\"").unwrap() + 6;
    let mut unnoted = line.clone();
    unnoted.replace_range(at..=at, if &line[at..=at] == "0" { "1" } else { "0" });
    std::fs::write(&log, format!("{line}{unnoted}")).unwrap();
    let c = a.open();
    assert_eq!(c.device(), id, "{:?}", c.warnings());
    assert_eq!(c.progress().state(&deck(), &card(1)).unwrap().reps, 2);
    drop(c);
    // The profile deleted (to the trash) and made again.
    store::delete_profile(&a.data, "default", 1).unwrap();
    let c = a.open();
    assert_eq!(c.device(), id, "{:?}", c.warnings());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn an_event_from_the_future_is_held_with_its_line_then_applied_when_its_time_comes() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_ms();
    // Computer B's clock is three days fast: its suspend is from the future.
    let b = Computer::new(dir.path(), "b");
    let mut c = b.open_at(true, now + 3 * DAY);
    c.grade(&deck(), &card(1), Rating::Good, 1000, Moment::new(now + 3 * DAY - 60_000, 0), false).unwrap();
    c.record(&deck(), &card(1), Action::Suspend, Moment::new(now + 3 * DAY, 0)).unwrap();
    let b_id = c.device().to_owned();
    drop(c);
    let a = Computer::new(dir.path(), "a");
    copy_dir(&b.data, &a.data);
    std::fs::remove_file(profile_dir(&a.data).join(format!("lock-{b_id}"))).unwrap();

    for (round, start) in [(0, now + 1000), (1, now + 1002)] {
        let mut c = a.open_at(true, now);
        assert_eq!(c.snapshot_is_current(), round == 1, "the second open is from the snapshot");
        let held: Vec<&String> = c.warnings().iter().filter(|w| w.contains("held back")).collect();
        assert_eq!(held.len(), 2, "{:?}", c.warnings());
        assert!(held[0].contains(&format!("reviews-{b_id}.jsonl:1:")), "{}", held[0]);
        assert!(held[1].contains(&format!("reviews-{b_id}.jsonl:2:")), "{}", held[1]);
        assert!(c.progress().state(&deck(), &card(1)).is_none(), "not applied yet");
        // A's own grade is stamped at A's clock, not after B's events.
        let t = Moment::new(now + 1000, 0);
        let id = c.grade(&deck(), &card(2), Rating::Good, 1000, t, false).unwrap();
        // And a clock stepping back keeps A's own order.
        let back = c.grade(&deck(), &card(2), Rating::Good, 1000, Moment::new(now - 5 * 60_000, 0), false).unwrap();
        let own = read_log(&log_path(&profile_dir(&a.data), c.device()), 0).unwrap().events;
        let at_of = |x| own.iter().find(|e| e.id == x).unwrap().at_ms;
        assert_eq!(at_of(id), start, "at the clock, or just after A's own last event");
        assert_eq!(at_of(back), start + 1, "one after A's own last event");
        assert!(c.save_snapshot().unwrap());
        drop(c);
    }
    // Two days later the events are within a day: they apply, from the
    // snapshot that held them as from a full replay.
    for cached in [true, false] {
        if !cached {
            std::fs::remove_dir_all(a.local.cache_dir.join("snapshots")).unwrap();
        }
        let c = a.open_at(false, now + 2 * DAY + 1000);
        assert!(!c.warnings().iter().any(|w| w.contains("held back")), "{:?}", c.warnings());
        let state = c.progress().state(&deck(), &card(1)).expect("applied");
        assert!(state.suspended && state.reps == 1, "{state:?}");
        assert!(!c.snapshot_is_current(), "the snapshot held them, so it is stale");
    }
}

#[test]
fn the_snapshot_is_keyed_by_settings_and_bytes_and_never_written_for_a_newer_log() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let mut c = a.open();
    c.grade(&deck(), &card(1), Rating::Good, 1000, store::now(), false).unwrap();
    assert!(c.save_snapshot().unwrap());
    drop(c);
    assert!(a.open().snapshot_is_current());
    // Other settings: not used.
    let mut c = a.open();
    c.set_settings(yadgar::schedule::Settings { desired_retention: 0.8, ..Default::default() }).unwrap();
    // The last line is a grade again, for the bytes check below.
    c.grade(&deck(), &card(2), Rating::Good, 1000, store::now(), false).unwrap();
    drop(c);
    let c = a.open();
    assert!(!c.snapshot_is_current());
    c.save_snapshot().unwrap();
    drop(c);
    // Other bytes (a log replaced by a same-length other version): not used.
    let log = log_path(&profile_dir(&a.data), &a.device());
    let text = std::fs::read_to_string(&log).unwrap();
    let changed = text.replace("\"rating\":3", "\"rating\":4");
    assert_eq!(changed.len(), text.len());
    std::fs::write(&log, changed).unwrap();
    let c = a.open_at(false, now_ms());
    assert!(!c.snapshot_is_current());
    assert_eq!(c.progress().state(&deck(), &card(1)).unwrap().reps, 1);
    drop(c);
    // A log from a newer Yadgar: read only, and no snapshot is written.
    std::fs::write(profile_dir(&a.data).join("reviews-zz.jsonl"), "{\"v\":9}\n").unwrap();
    std::fs::remove_dir_all(a.local.cache_dir.join("snapshots")).unwrap();
    let c = a.open_at(false, now_ms());
    assert!(c.read_only_reason().is_some());
    assert!(!c.save_snapshot().unwrap());
    assert!(!a.local.cache_dir.join("snapshots").exists());
}

#[test]
fn three_computers_syncing_through_a_folder_tool_always_agree() {
    let histories: u64 = std::env::var("YADGAR_SYNC_HISTORIES").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    let started = std::time::Instant::now();
    let mut total = sync_sim::Outcome::default();
    for seed in 0..histories {
        let outcome = sync_sim::run(seed).unwrap_or_else(|e| panic!("{e}"));
        total.add(outcome);
    }
    assert!(total.partial > histories as usize && total.conflict_copies > histories as usize / 2, "{total:?}");
    assert!(total.content > histories as usize, "edits, deletes, settings and undos ran: {total:?}");
    eprintln!("{histories} histories in {:.1} s: {total:?}", started.elapsed().as_secs_f64());
}

#[test]
fn another_computers_lines_are_merged_while_open_and_a_change_from_the_future_waits_for_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let t = now_ms();
    let mut c = a.open_at(true, t);
    c.grade(&deck(), &card(1), Rating::Good, 1000, Moment::new(t, 3600), false).unwrap();
    // Another computer, its clock two days ahead: a grade, then new settings.
    let b = Computer::new(dir.path(), "b");
    let mut other = Collection::open_as(
        &a.data,
        "default",
        &b.device(),
        &Opening { writable: true, now: Moment::new(t + 2 * DAY, 3600), local: None },
    )
    .unwrap();
    other.grade(&deck(), &card(2), Rating::Good, 1000, Moment::new(t + 1000, 3600), false).unwrap();
    let settings = yadgar::schedule::Settings { new_per_day: 7, ..yadgar::schedule::Settings::default() };
    other.apply(store::Op::SetSettings(settings), Moment::new(t + 2 * DAY, 3600)).unwrap();
    drop(other);

    let merged = c.merge_new(Moment::new(t + 5000, 3600)).unwrap();
    assert_eq!(merged.cards, [(deck(), card(2))]);
    assert_eq!(c.progress().state(&deck(), &card(2)).unwrap().reps, 1);
    assert_eq!(c.settings().new_per_day, 20, "the change dated two days ahead waits");
    assert!(
        c.warnings().iter().any(|w| w.contains("held back") && w.contains("settings change")),
        "{:?}",
        c.warnings()
    );
    // Nothing new: nothing changes.
    assert_eq!(c.merge_new(Moment::new(t + 6000, 3600)).unwrap(), store::Merged::default());
    // Its time comes while the profile is still open.
    let merged = c.merge_new(Moment::new(t + DAY + 1000, 3600)).unwrap();
    assert!(merged.settings);
    assert_eq!(c.settings().new_per_day, 7);
    assert_eq!(c.progress().state(&deck(), &card(1)).unwrap().reps, 1);
}

#[test]
fn undoing_a_cards_only_grade_gives_the_same_state_from_the_snapshot_as_from_the_logs() {
    // Found by the 10,000-history simulation: the undo left an empty deck
    // entry that a full replay does not make.
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let mut c = a.open();
    c.grade(&deck(), &card(1), Rating::Good, 1000, store::now(), false).unwrap();
    c.undo(store::now()).unwrap();
    assert!(c.progress().states.is_empty());
    assert!(c.save_snapshot().unwrap());
    drop(c);
    let cached = a.open_at(false, now_ms());
    assert!(cached.snapshot_is_current());
    let full = Collection::open_read_only(&a.data, "default", &a.device()).unwrap();
    assert_eq!(cached.progress().states, full.progress().states);
}

#[test]
fn another_computers_log_replaced_by_another_version_while_open_is_replayed_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let t = now_ms();
    let mut c = a.open_at(true, t);
    c.grade(&deck(), &card(1), Rating::Good, 1000, Moment::new(t, 3600), false).unwrap();
    let b = Computer::new(dir.path(), "b");
    let other_log = profile_dir(&a.data).join(format!("reviews-{}.jsonl", b.device()));
    let open_b = || {
        Collection::open_as(
            &a.data,
            "default",
            &b.device(),
            &Opening { writable: true, now: Moment::new(t, 3600), local: None },
        )
        .unwrap()
    };
    // The laptop grades card 2 and the window merges it.
    let mut other = open_b();
    other.grade(&deck(), &card(2), Rating::Good, 1000, Moment::new(t + 1000, 3600), false).unwrap();
    drop(other);
    c.merge_new(Moment::new(t + 2000, 3600)).unwrap();
    assert_eq!(c.progress().state(&deck(), &card(2)).unwrap().reps, 1);
    let first = std::fs::read(&other_log).unwrap();
    // The sync tool then delivers another version of the laptop's log: the
    // same length, but card 3 graded instead of card 2 (as when a backup of
    // that computer was restored and it studied again).
    std::fs::remove_file(&other_log).unwrap();
    let mut other = open_b();
    other.grade(&deck(), &card(3), Rating::Good, 1000, Moment::new(t + 1000, 3600), false).unwrap();
    drop(other);
    let second = std::fs::read(&other_log).unwrap();
    assert_eq!(first.len(), second.len(), "the test needs a version of the same length");
    assert_ne!(first, second);
    c.merge_new(Moment::new(t + 3000, 3600)).unwrap();
    assert!(c.progress().state(&deck(), &card(2)).is_none(), "card 2's grade is no longer in any log");
    assert_eq!(c.progress().state(&deck(), &card(3)).unwrap().reps, 1);
    // A longer version with other lines: replayed again, equal to an open.
    std::fs::remove_file(&other_log).unwrap();
    let mut other = open_b();
    for i in 4..8 {
        other.grade(&deck(), &card(i), Rating::Good, 1000, Moment::new(t + 1000 + i as i64, 3600), false).unwrap();
    }
    drop(other);
    c.merge_new(Moment::new(t + 4000, 3600)).unwrap();
    let fresh = a.open_at(false, t + 4000);
    assert_eq!(c.progress().states, fresh.progress().states);
    assert!(c.progress().state(&deck(), &card(3)).is_none());
}

/// Computer `a` at `t`: two own decks, "Inbox" and "Coup of 1921", and a
/// card added to the first and graded (at `t` + 3 ms).
fn desktop_with_a_graded_card(a: &Computer, t: i64) -> (Collection, DeckId, DeckId, CardId) {
    let at = |ms: i64| Moment::new(ms, 3600);
    let mut desktop = a.open_at(true, t);
    let inbox = desktop.apply(store::Op::CreateDeck { title: "Inbox".into() }, at(t)).unwrap().deck.unwrap();
    let coup = desktop.apply(store::Op::CreateDeck { title: "Coup of 1921".into() }, at(t + 1)).unwrap().deck.unwrap();
    let card = yadgar::deck::Card {
        question: "Who led the coup of 1921?".into(),
        answer: "Reza Khan".into(),
        ..yadgar::deck::Card::default()
    };
    let old = desktop.apply(store::Op::AddCard { deck: inbox.clone(), card }, at(t + 2)).unwrap().card.unwrap();
    desktop.grade(&inbox, &old, Rating::Good, 1000, at(t + 3), false).unwrap();
    (desktop, inbox, coup, old)
}

/// Moves one card, as the browser does.
fn move_card(c: &mut Collection, from: &DeckId, card: &CardId, to: &DeckId, at: Moment) -> store::Change {
    c.apply(store::Op::MoveCards { cards: vec![(from.clone(), card.clone())], to: to.clone() }, at).unwrap()
}

/// The sync tool copies `from`'s own log to `to`.
fn deliver_log(from: &Computer, to: &Computer) {
    let name = format!("reviews-{}.jsonl", from.device());
    std::fs::copy(profile_dir(&from.data).join(&name), profile_dir(&to.data).join(&name)).unwrap();
}

#[test]
fn a_grade_given_on_another_computer_to_a_card_moved_meanwhile_follows_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let b = Computer::new(dir.path(), "b");
    let t = now_ms();
    let at = |ms: i64| Moment::new(ms, 3600);
    let (mut desktop, inbox, coup, old) = desktop_with_a_graded_card(&a, t);
    // The sync tool gives the laptop all that; the laptop keeps studying
    // the card where it was: once before the desktop moves it, once after.
    copy_dir(&a.data, &b.data);
    let mut laptop = b.open_at(true, t + 4);
    assert!(laptop.save_snapshot().unwrap());
    laptop.grade(&inbox, &old, Rating::Hard, 1000, at(t + 1000), false).unwrap();
    let change = move_card(&mut desktop, &inbox, &old, &coup, at(t + 2000));
    assert_eq!(change.moved.unwrap().moved, 1);
    assert_eq!(desktop.progress().state(&coup, &old).unwrap().reps, 1);
    laptop.grade(&inbox, &old, Rating::Good, 1000, at(t + 3000), false).unwrap();
    drop(laptop);
    deliver_log(&b, &a);

    // Merged while open: both of the laptop's grades count for the card in
    // its new place.
    desktop.merge_new(at(t + 4000)).unwrap();
    let moved = desktop.progress().state(&coup, &old).unwrap().clone();
    assert_eq!(moved.reps, 3, "{moved:?}");
    // The same from the logs alone, and on the laptop from its snapshot
    // once the move reaches it.
    assert_eq!(a.open_at(false, t + 4000).progress().states, desktop.progress().states);
    deliver_log(&a, &b);
    let laptop = b.open_at(true, t + 4000);
    assert_eq!(laptop.progress().states, desktop.progress().states);
    assert!(laptop.library().deck(&coup).unwrap().deck.cards.iter().any(|c| c.id == old));
    drop(laptop);
    // The history read for export and optimising has them too, once each.
    let history = desktop.history_events().unwrap();
    assert_eq!(history.iter().filter(|e| e.deck == coup && e.card == old).count(), 3);

    // A grade of the moved card on the laptop, merged card by card.
    let mut laptop = b.open_at(true, t + 5000);
    laptop.grade(&coup, &old, Rating::Easy, 1000, at(t + 5000), false).unwrap();
    drop(laptop);
    deliver_log(&b, &a);
    desktop.merge_new(at(t + 6000)).unwrap();
    assert_eq!(desktop.progress().state(&coup, &old).unwrap().reps, 4);
    assert_eq!(a.open_at(false, t + 6000).progress().states, desktop.progress().states);

    // Undoing the move takes the card back to its old place with every
    // grade given there, and the copies go with the moved card.
    desktop.apply(store::Op::UndoEvents(change.events), at(t + 7000)).unwrap();
    assert_eq!(desktop.progress().state(&inbox, &old).unwrap().reps, 3);
    assert!(desktop.library().deck(&coup).unwrap().deck.cards.is_empty());
    assert_eq!(a.open_at(false, t + 7000).progress().states, desktop.progress().states);
}

#[test]
fn window_preferences_belong_to_each_computer_and_never_rewrite_the_synced_profile_json() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let b = Computer::new(dir.path(), "b");
    // A profile of an earlier build, its preferences in profile.json.
    let profile = profile_dir(&a.data);
    std::fs::create_dir_all(&profile).unwrap();
    let file = r#"{"format":1,"settings":{},"preferences":{"theme":"dark","zoom":1.25}}"#;
    std::fs::write(profile.join("profile.json"), file).unwrap();
    let mut desktop = a.open();
    assert_eq!(desktop.preferences().theme, store::Theme::Dark, "until this computer saves its own");
    let mut light = desktop.preferences().clone();
    light.theme = store::Theme::Light;
    light.zoom = 1.5;
    desktop.set_preferences(light).unwrap();
    drop(desktop);
    // The laptop shares the folder (the same data folder here) but not the
    // desktop's preferences; profile.json is as the earlier build wrote it.
    let laptop =
        Collection::open_as(&a.data, "default", &b.device(), &Opening::new(true, Some(b.local.clone()))).unwrap();
    assert_eq!(laptop.preferences().theme, store::Theme::Dark);
    assert!((laptop.preferences().zoom - 1.25).abs() < 1e-6);
    drop(laptop);
    assert_eq!(std::fs::read_to_string(profile.join("profile.json")).unwrap(), file);
    let desktop = a.open();
    assert_eq!(desktop.preferences().theme, store::Theme::Light);
    assert!((desktop.preferences().zoom - 1.5).abs() < 1e-6);
    drop(desktop);
    // A damaged preferences file is named, and the profile's are used.
    let own = std::fs::read_dir(a.local.config_dir.join("preferences")).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&own, "{not json").unwrap();
    let desktop = a.open();
    assert_eq!(desktop.preferences().theme, store::Theme::Dark);
    assert!(desktop.warnings().iter().any(|w| w.contains(&own.display().to_string())), "{:?}", desktop.warnings());
}

#[test]
fn a_new_profile_gets_only_this_computers_log_in_the_synced_folder() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let mut c = a.open();
    c.grade(&deck(), &card(1), Rating::Good, 1000, store::now(), false).unwrap();
    let mut light = c.preferences().clone();
    light.theme = store::Theme::Light;
    c.set_preferences(light).unwrap();
    assert!(c.save_snapshot().unwrap());
    drop(c);
    let mut names: Vec<String> = std::fs::read_dir(profile_dir(&a.data))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let device = a.device();
    assert_eq!(names, ["decks".to_owned(), format!("lock-{device}"), format!("reviews-{device}.jsonl")]);
}

#[test]
fn a_card_moved_to_two_places_at_once_by_two_computers_counts_its_grades_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let b = Computer::new(dir.path(), "b");
    let t = now_ms();
    let at = |ms: i64| Moment::new(ms, 3600);
    let (mut desktop, inbox, coup, old) = desktop_with_a_graded_card(&a, t);
    let treaty =
        desktop.apply(store::Op::CreateDeck { title: "Treaty of 1921".into() }, at(t + 4)).unwrap().deck.unwrap();
    copy_dir(&a.data, &b.data);
    // Each computer moves the card elsewhere before it hears of the other's
    // move: both places keep it, with its history.
    let mut laptop = b.open_at(true, t + 5);
    move_card(&mut desktop, &inbox, &old, &coup, at(t + 2000));
    move_card(&mut laptop, &inbox, &old, &treaty, at(t + 2500));
    drop(laptop);
    deliver_log(&b, &a);
    desktop.merge_new(at(t + 4000)).unwrap();
    assert_eq!(desktop.progress().state(&coup, &old).unwrap().reps, 1);
    assert_eq!(desktop.progress().state(&treaty, &old).unwrap().reps, 1);
    // One grade was given: the day and the new-card limit count it once.
    let day = desktop.scheduler().day(at(t + 3));
    assert_eq!(desktop.progress().day(day).answers, 1);
    assert_eq!(desktop.progress().done_today(day).new, 1);
    let fresh = a.open_at(false, t + 4000);
    assert_eq!(fresh.progress().states, desktop.progress().states);
    assert_eq!(fresh.progress().days, desktop.progress().days);
    // A grade at the second place afterwards counts as usual.
    desktop.merge_new(at(t + 4500)).unwrap();
    desktop.grade(&treaty, &old, Rating::Good, 1000, at(t + 5000), false).unwrap();
    assert_eq!(desktop.progress().day(day).answers, 2);
    drop(desktop);
    assert_eq!(a.open_at(false, t + 6000).progress().day(day).answers, 2, "the same from the logs");
}

#[test]
fn a_card_moved_away_and_back_keeps_a_grade_given_at_its_first_place_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let a = Computer::new(dir.path(), "a");
    let b = Computer::new(dir.path(), "b");
    let t = now_ms();
    let at = |ms: i64| Moment::new(ms, 3600);
    let (mut desktop, inbox, coup, old) = desktop_with_a_graded_card(&a, t);
    copy_dir(&a.data, &b.data);
    // The laptop grades the card where it first was; meanwhile the desktop
    // moves it away and back (back, it takes a new id: its first place has
    // history).
    let mut laptop = b.open_at(true, t + 4);
    laptop.grade(&inbox, &old, Rating::Hard, 1000, at(t + 1000), false).unwrap();
    drop(laptop);
    move_card(&mut desktop, &inbox, &old, &coup, at(t + 2000));
    move_card(&mut desktop, &coup, &old, &inbox, at(t + 3000));
    let back = desktop.library().deck(&inbox).unwrap().deck.cards.first().unwrap().id.clone();
    assert_ne!(back, old);
    assert_eq!(desktop.progress().state(&inbox, &back).unwrap().reps, 1);
    deliver_log(&b, &a);
    desktop.merge_new(at(t + 4000)).unwrap();
    assert_eq!(desktop.progress().state(&inbox, &back).unwrap().reps, 2, "the laptop's grade followed both moves");
    let fresh = a.open_at(false, t + 4000);
    assert_eq!(fresh.progress().states, desktop.progress().states);
    assert_eq!(fresh.progress().days, desktop.progress().days);
    // Counted once in the day: two grades were given.
    let day = desktop.scheduler().day(at(t + 1000));
    assert_eq!(desktop.progress().day(day).answers, 2);
}

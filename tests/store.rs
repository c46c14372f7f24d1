//! The store with real files in a temporary folder: grades survive a reopen
//! and a SIGKILL, torn and corrupt lines, the lock, snapshots, undo, merged
//! device logs, settings files and profiles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use yadgar::deck::{CardId, DeckId};
use yadgar::revlog::{Action, Event, EventId, Progress, ReviewKind};
use yadgar::schedule::{Phase, Rating, Scheduler, Settings};
use yadgar::store::{
    self, Collection, LocalDirs, Opening, StoreError, create_profile, delete_profile, list_profiles, log::log_path,
    rename_profile,
};
use yadgar::time::Moment;

const NOON: i64 = 1_772_452_800_000;

fn at(minutes: i64) -> Moment {
    Moment::new(NOON + minutes * 60_000, 3600)
}

fn deck() -> DeckId {
    DeckId("soviet-iran-dates".into())
}

fn card(i: usize) -> CardId {
    CardId(format!("card-{i}").into())
}

fn profile_dir(data: &Path) -> PathBuf {
    data.join("profiles/default")
}

fn open(data: &Path, device: &str) -> Collection {
    Collection::open(data, "default", device).unwrap()
}

/// This test computer's own folders (config, cache), beside the data folder.
fn local(data: &Path) -> LocalDirs {
    LocalDirs::in_folder(&data.join("this-computer"))
}

/// Opens with this computer's folders, so the snapshot cache is used.
fn open_cached(data: &Path, device: &str) -> Collection {
    Collection::open_as(data, "default", device, &Opening::new(true, Some(local(data)))).unwrap()
}

/// Deletes this computer's snapshots.
fn delete_snapshots(data: &Path) {
    std::fs::remove_dir_all(local(data).cache_dir.join("snapshots")).unwrap();
}

#[test]
fn grades_are_on_disk_and_replay_to_the_same_state_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    for (i, rating) in [Rating::Good, Rating::Again, Rating::Easy, Rating::Hard].into_iter().enumerate() {
        c.grade(&deck(), &card(i % 2), rating, 4000 + i as u32, at(i as i64 * 3), false).unwrap();
    }
    let before = c.progress().clone();
    drop(c);
    let c = open(dir.path(), "dev-a");
    assert_eq!(c.progress().states, before.states);
    assert_eq!(c.progress().days, before.days);
    let today = c.scheduler().day(at(0));
    assert_eq!(c.progress().day(today).answers, 4);
    assert_eq!(c.progress().day(today).new, 2);
    let text = std::fs::read_to_string(log_path(&profile_dir(dir.path()), "dev-a")).unwrap();
    assert_eq!(text.lines().count(), 4);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for field in ["v", "id", "at_ms", "offset_s", "deck", "card", "type", "rating", "kind", "answer_ms"] {
        assert!(first.get(field).is_some(), "a review event has {field}: {first}");
    }
    assert_eq!(first["kind"], "learn");
    assert_eq!(first["rating"], 3);
}

#[test]
fn undo_takes_back_the_last_grade_and_todays_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    c.grade(&deck(), &card(1), Rating::Good, 1000, at(0), false).unwrap();
    let after_one = c.progress().states.clone();
    c.grade(&deck(), &card(1), Rating::Good, 1000, at(10), false).unwrap();
    c.grade(&deck(), &card(2), Rating::Again, 1000, at(11), false).unwrap();
    let undone = c.undo(at(12)).unwrap().unwrap();
    assert!(undone.contains(card(2).0.as_str()), "{undone}");
    c.undo(at(13)).unwrap().unwrap();
    assert_eq!(c.progress().state(&deck(), &card(1)), after_one.get(&deck()).and_then(|m| m.get(&card(1))));
    let today = c.scheduler().day(at(0));
    assert_eq!(c.progress().day(today).answers, 1);
    assert_eq!(c.progress().day(today).new, 1, "card 2 is new again");
    // The undos are events too: a reopen gives the same state.
    let states = c.progress().states.clone();
    drop(c);
    assert_eq!(open(dir.path(), "dev-a").progress().states, states);
}

#[test]
fn bury_suspend_and_reset_are_logged_and_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    c.grade(&deck(), &card(1), Rating::Easy, 1000, at(0), false).unwrap();
    c.record(&deck(), &card(1), Action::Bury, at(1)).unwrap();
    c.record(&deck(), &card(2), Action::Suspend, at(2)).unwrap();
    c.record(&deck(), &card(1), Action::Reset, at(3)).unwrap();
    drop(c);
    let c = open(dir.path(), "dev-a");
    let one = c.progress().state(&deck(), &card(1)).unwrap();
    assert_eq!(one.phase, Phase::New);
    assert_eq!(one.reps, 0);
    assert!(c.progress().state(&deck(), &card(2)).unwrap().suspended);
}

#[test]
fn a_bulk_action_is_one_write_replayed_in_order_and_kept_by_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open_cached(dir.path(), "dev-a");
    c.grade(&deck(), &card(0), Rating::Good, 1000, at(0), false).unwrap();
    let cards: Vec<(DeckId, CardId)> = (0..300).map(|i| (deck(), card(i))).collect();
    assert_eq!(c.record_all(&cards, &Action::Suspend, at(1)).unwrap(), 300);
    assert!(cards.iter().all(|(d, k)| c.progress().state(d, k).is_some_and(|s| s.suspended)));
    assert_eq!(c.record_all(&cards[..10], &Action::Unsuspend, at(1)).unwrap(), 10);
    let states = c.progress().states.clone();
    assert!(c.save_snapshot().unwrap());
    drop(c);
    let log = std::fs::read_to_string(profile_dir(dir.path()).join("reviews-dev-a.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 311);
    // From the snapshot (which covers every line), and from a full replay.
    let c = open_cached(dir.path(), "dev-a");
    assert!(c.snapshot_is_current());
    assert_eq!(c.progress().states, states);
    drop(c);
    delete_snapshots(dir.path());
    let c = open(dir.path(), "dev-a");
    assert_eq!(c.progress().states, states);
    assert!(!c.progress().state(&deck(), &card(5)).unwrap().suspended);
    assert!(c.progress().state(&deck(), &card(10)).unwrap().suspended);
}

#[test]
fn cram_is_logged_but_does_not_change_the_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    c.grade(&deck(), &card(1), Rating::Easy, 1000, at(0), false).unwrap();
    let before = c.progress().state(&deck(), &card(1)).cloned();
    c.grade(&deck(), &card(1), Rating::Again, 1000, at(5), true).unwrap();
    assert_eq!(c.progress().state(&deck(), &card(1)).cloned(), before);
    let text = std::fs::read_to_string(log_path(&profile_dir(dir.path()), "dev-a")).unwrap();
    assert!(text.lines().nth(1).unwrap().contains("\"kind\":\"cram\""));
}

#[test]
fn a_second_open_of_the_profile_is_refused_with_the_holders_pid() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path(), "dev-a");
    let err = Collection::open(dir.path(), "default", "dev-a").unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "profile \"default\" is open in another Yadgar window, pid {}: close it there, or open another profile",
            std::process::id()
        )
    );
    // Read-only opens (yadgar due) still work while it is open.
    assert!(Collection::open_read_only(dir.path(), "default", "dev-a").is_ok());
    drop(first);
    assert!(Collection::open(dir.path(), "default", "dev-a").is_ok(), "the lock goes with its holder");
}

#[test]
fn a_torn_last_line_is_skipped_and_the_next_grade_starts_a_fresh_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    for i in 0..3 {
        c.grade(&deck(), &card(i), Rating::Good, 1000, at(i as i64), false).unwrap();
    }
    drop(c);
    let path = log_path(&profile_dir(dir.path()), "dev-a");
    let full = std::fs::read(&path).unwrap();
    let lines: Vec<&[u8]> = full.split_inclusive(|&b| b == b'\n').collect();
    let keep = lines[0].len() + lines[1].len();
    // Cut the last event at every byte offset short of its closing brace:
    // both complete events load.
    for cut in keep..full.len() - 1 {
        std::fs::write(&path, &full[..cut]).unwrap();
        let c = Collection::open_read_only(dir.path(), "default", "dev-a").unwrap();
        assert_eq!(c.progress().card_count(), 2, "cut at {cut}");
        let torn = cut > keep;
        assert_eq!(
            c.warnings().iter().any(|w| w.contains("cut off by a crash")),
            torn,
            "cut at {cut}: {:?}",
            c.warnings()
        );
    }
    // Only the newline missing: the event itself is whole and counts.
    std::fs::write(&path, &full[..full.len() - 1]).unwrap();
    assert_eq!(Collection::open_read_only(dir.path(), "default", "dev-a").unwrap().progress().card_count(), 3);
    // After a torn write, appending starts on a fresh line.
    std::fs::write(&path, &full[..keep + 10]).unwrap();
    let mut c = open(dir.path(), "dev-a");
    c.grade(&deck(), &card(9), Rating::Good, 1000, at(20), false).unwrap();
    drop(c);
    let c = open(dir.path(), "dev-a");
    assert_eq!(c.progress().card_count(), 3);
    assert!(c.progress().state(&deck(), &card(9)).is_some());
}

#[test]
fn a_corrupt_line_is_reported_with_its_place_and_the_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    c.grade(&deck(), &card(1), Rating::Good, 1000, at(0), false).unwrap();
    c.grade(&deck(), &card(2), Rating::Good, 1000, at(1), false).unwrap();
    drop(c);
    let path = log_path(&profile_dir(dir.path()), "dev-a");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("\"rating\":3", "\"rating\":9", 1);
    std::fs::write(&path, &broken).unwrap();
    let c = open(dir.path(), "dev-a");
    let warning = c.warnings().iter().find(|w| w.contains(":1: this line cannot be read")).expect("a warning");
    assert!(warning.starts_with(&path.display().to_string()), "{warning}");
    assert_eq!(c.progress().card_count(), 1, "the other event still counts");
    drop(c);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken, "the file is not rewritten");
}

#[test]
fn a_corrupt_line_deep_in_a_large_log_read_in_chunks_is_reported_with_its_line_number() {
    // Over 8 MB, a log is read in chunks on every core; each chunk's line
    // numbers start where the lines before it end.
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), "dev-a"));
    let path = log_path(&profile_dir(dir.path()), "dev-b");
    let lines = 60_000;
    let broken_line = 51_234;
    let mut text = String::new();
    for n in 1..=lines {
        let event = Event::new(
            EventId(n as u128),
            at(n as i64),
            deck(),
            card(n % 700),
            Action::Review { rating: Rating::Good, kind: ReviewKind::Review, answer_ms: 4_000 },
        );
        let line = serde_json::to_string(&event).unwrap();
        text.push_str(&if n == broken_line { line.replacen("\"rating\":3", "\"rating\":9", 1) } else { line });
        text.push('\n');
    }
    assert!(text.len() > 8 << 20, "large enough to be read in chunks: {} bytes", text.len());
    std::fs::write(&path, &text).unwrap();
    let c = open(dir.path(), "dev-a");
    let expected = format!("{}:{broken_line}: this line cannot be read", path.display());
    assert!(c.warnings().iter().any(|w| w.starts_with(&expected)), "{expected}\nin {:?}", c.warnings());
    assert_eq!(c.progress().card_count(), 700);
}

#[test]
fn a_log_from_a_newer_yadgar_makes_the_profile_read_only() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), "dev-a"));
    let other = log_path(&profile_dir(dir.path()), "dev-b");
    std::fs::write(&other, "{\"v\":2,\"id\":\"00000000000000000000000000000001\",\"future\":true}\n").unwrap();
    let mut c = open(dir.path(), "dev-a");
    let reason = c.read_only_reason().expect("read-only").to_owned();
    assert!(reason.contains("newer Yadgar"), "{reason}");
    let err = c.grade(&deck(), &card(1), Rating::Good, 1000, at(0), false).unwrap_err();
    assert!(err.to_string().contains("update Yadgar"), "{err}");
    assert!(
        !log_path(&profile_dir(dir.path()), "dev-a").exists()
            || std::fs::read(log_path(&profile_dir(dir.path()), "dev-a")).unwrap().is_empty()
    );
}

#[test]
fn a_conflict_copy_from_a_sync_tool_is_merged_and_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    c.grade(&deck(), &card(1), Rating::Good, 1000, at(0), false).unwrap();
    drop(c);
    let profile = profile_dir(dir.path());
    // A copy of the same events counts once.
    std::fs::copy(log_path(&profile, "dev-a"), profile.join("reviews-dev-a (conflicted copy).jsonl")).unwrap();
    let c = open(dir.path(), "dev-a");
    let reported: Vec<&String> = c.warnings().iter().filter(|w| w.contains("conflict copy")).collect();
    assert_eq!(reported.len(), 1, "{:?}", c.warnings());
    assert!(reported[0].contains("reviews-dev-a (conflicted copy).jsonl") && reported[0].contains("merged"));
    assert_eq!(c.progress().day(c.scheduler().day(at(0))).answers, 1);
    drop(c);
    // Events only in a copy (a sync tool kept the other computer's version
    // as the main file) count too.
    let mut other = open(dir.path(), "dev-b");
    other.grade(&deck(), &card(2), Rating::Good, 1000, at(1), false).unwrap();
    drop(other);
    let syncthing = profile.join("reviews-dev-b.sync-conflict-20261201-123456-ABCDEFG.jsonl");
    std::fs::rename(log_path(&profile, "dev-b"), &syncthing).unwrap();
    let c = open(dir.path(), "dev-a");
    assert_eq!(c.progress().day(c.scheduler().day(at(0))).answers, 2);
    assert!(c.progress().state(&deck(), &card(2)).is_some());
    assert_eq!(c.warnings().iter().filter(|w| w.contains("conflict copy")).count(), 2, "{:?}", c.warnings());
}

#[test]
fn the_snapshot_gives_the_same_state_as_a_full_replay_and_can_be_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open_cached(dir.path(), "dev-a");
    for i in 0..30 {
        c.grade(&deck(), &card(i % 7), Rating::ALL[i % 4], 1000, at(i as i64 * 600), false).unwrap();
    }
    assert!(c.save_snapshot().unwrap());
    // More grades after the snapshot: the next open replays only these.
    for i in 30..40 {
        c.grade(&deck(), &card(i % 7), Rating::ALL[i % 4], 1000, at(i as i64 * 600), false).unwrap();
    }
    let live = c.progress().clone();
    drop(c);
    let reopened = open_cached(dir.path(), "dev-a");
    assert!(!reopened.snapshot_is_current(), "ten grades came after it");
    let with_snapshot = reopened.progress().clone();
    drop(reopened);
    assert_eq!(with_snapshot.states, live.states);
    assert_eq!(with_snapshot.days, live.days);
    delete_snapshots(dir.path());
    let cold = open_cached(dir.path(), "dev-a").progress().clone();
    assert_eq!(cold.states, live.states);
    assert_eq!(cold.days, live.days);
}

#[test]
fn an_undo_of_a_grade_before_the_snapshot_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open_cached(dir.path(), "dev-a");
    c.grade(&deck(), &card(1), Rating::Good, 1000, at(0), false).unwrap();
    c.grade(&deck(), &card(1), Rating::Good, 1000, at(10), false).unwrap();
    assert!(c.save_snapshot().unwrap());
    drop(c);
    let mut c = open_cached(dir.path(), "dev-a");
    assert!(c.snapshot_is_current());
    c.undo(at(20)).unwrap().unwrap();
    assert_eq!(c.progress().state(&deck(), &card(1)).unwrap().reps, 1);
    drop(c);
    assert_eq!(open(dir.path(), "dev-a").progress().state(&deck(), &card(1)).unwrap().reps, 1);
}

#[test]
fn a_bad_settings_file_is_reported_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), "dev-a"));
    let path = profile_dir(dir.path()).join("profile.json");
    std::fs::write(&path, "{\"format\": 1,\n \"settings\": {\"desired_retention\": }}").unwrap();
    let mut c = open(dir.path(), "dev-a");
    let warning = c.warnings().iter().find(|w| w.contains("profile.json")).expect("warning").clone();
    assert!(warning.contains("profile.json:2:"), "{warning}");
    assert_eq!(c.settings(), &Settings::default());
    // A new setting is an event in the log: saved, and the file is untouched.
    c.set_settings(Settings { new_per_day: 5, ..Settings::default() }).unwrap();
    drop(c);
    assert!(std::fs::read_to_string(&path).unwrap().contains("\"desired_retention\": }"));
    assert_eq!(open(dir.path(), "dev-a").settings().new_per_day, 5);
}

#[test]
fn settings_are_saved_atomically_and_rejected_when_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(dir.path(), "dev-a");
    let err = c.set_settings(Settings { desired_retention: 1.3, ..Settings::default() }).unwrap_err();
    assert_eq!(err.to_string(), "desired retention must be between 0.70 and 0.99");
    c.set_settings(Settings { new_per_day: 5, ..Settings::default() }).unwrap();
    drop(c);
    assert_eq!(open(dir.path(), "dev-a").settings().new_per_day, 5);
    let leftovers: Vec<_> = std::fs::read_dir(profile_dir(dir.path()))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn profiles_are_created_listed_renamed_and_deleted_to_the_trash() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), "dev-a"));
    create_profile(dir.path(), "Exam prep").unwrap();
    assert!(matches!(create_profile(dir.path(), "Exam prep"), Err(StoreError::ProfileExists(_))));
    assert!(matches!(create_profile(dir.path(), "../x"), Err(StoreError::BadProfileName(_))));
    assert_eq!(list_profiles(dir.path()).unwrap(), vec!["Exam prep".to_owned(), "default".to_owned()]);
    rename_profile(dir.path(), "Exam prep", "Finals").unwrap();
    assert_eq!(list_profiles(dir.path()).unwrap(), vec!["Finals".to_owned(), "default".to_owned()]);
    let trashed = delete_profile(dir.path(), "Finals", 1234).unwrap();
    assert_eq!(trashed, dir.path().join("trash/Finals-1234"));
    assert!(trashed.is_dir());
    assert_eq!(list_profiles(dir.path()).unwrap(), vec!["default".to_owned()]);
}

#[test]
fn the_device_id_is_made_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config/device-id");
    let id = store::device_id(&file).unwrap();
    assert_eq!(id.len(), 16);
    assert_eq!(store::device_id(&file).unwrap(), id);
}

// ---- merging device logs -------------------------------------------------

fn event(id: u128, minutes: i64, card_no: usize, rating: Rating) -> Event {
    Event::new(
        EventId(id),
        at(minutes),
        deck(),
        card(card_no),
        Action::Review { rating, kind: ReviewKind::Learn, answer_ms: 1000 },
    )
}

fn write_log(profile: &Path, device: &str, events: &[Event]) {
    let text: String = events.iter().map(|e| serde_json::to_string(e).unwrap() + "\n").collect();
    std::fs::write(log_path(profile, device), text).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Two or three computers graded cards offline (sometimes the same card);
    /// whichever order their logs arrive in, the merged state is the same.
    #[test]
    fn merged_device_logs_give_the_same_state_in_any_order(
        grades in proptest::collection::vec((0usize..3, 0i64..5000, 0usize..4, 0usize..4), 1..40),
        order in Just([0usize, 1, 2]).prop_shuffle(),
    ) {
        let events: Vec<(usize, Event)> = grades
            .iter()
            .enumerate()
            .map(|(i, &(device, minutes, card_no, r))| (device, event(i as u128 + 1, minutes, card_no, Rating::ALL[r])))
            .collect();
        let scheduler = Scheduler::new(Settings::default()).unwrap();
        let reference = Progress::replay(&scheduler, events.iter().map(|(_, e)| e.clone()).collect());
        // A second replay of the same events is identical.
        prop_assert_eq!(&Progress::replay(&scheduler, events.iter().map(|(_, e)| e.clone()).collect()), &reference);

        let dir = tempfile::tempdir().unwrap();
        drop(open(dir.path(), "local"));
        let profile = profile_dir(dir.path());
        let mut seen = Vec::new();
        for device in order {
            // Each device's file arrives whole, one after another.
            let mine: Vec<Event> = events.iter().filter(|(d, _)| *d == device).map(|(_, e)| e.clone()).collect();
            write_log(&profile, &format!("dev-{device}"), &mine);
            seen.push(device);
            let c = Collection::open_read_only(dir.path(), "default", "local").unwrap();
            let partial = Progress::replay(
                &scheduler,
                events.iter().filter(|(d, _)| seen.contains(d)).map(|(_, e)| e.clone()).collect(),
            );
            prop_assert_eq!(&c.progress().states, &partial.states);
        }
        let c = Collection::open_read_only(dir.path(), "default", "local").unwrap();
        prop_assert_eq!(&c.progress().states, &reference.states);
        prop_assert_eq!(&c.progress().days, &reference.days);
    }
}

// ---- crashes ---------------------------------------------------------------

/// The writer the crash test kills: grades cards in a loop and prints each
/// event id once `grade` has returned. Run on its own (without the crash
/// test's environment) it grades a few cards and checks they reopen.
#[test]
fn crash_writer() {
    let (dir, limit) = match std::env::var_os("YADGAR_CRASH_DIR") {
        Some(dir) => (PathBuf::from(dir), usize::MAX),
        None => (tempfile::tempdir().unwrap().keep(), 20),
    };
    let mut c = open(&dir, "dev-crash");
    let start = c.progress().days.values().map(|d| d.answers as usize).sum::<usize>();
    let mut stdout = std::io::stdout().lock();
    for i in start..start.saturating_add(limit) {
        let now = Moment::new(NOON + i as i64 * 1000, 0);
        let id = c.grade(&deck(), &card(i % 50), Rating::ALL[i % 4], 900, now, false).unwrap();
        if limit == usize::MAX {
            use std::io::Write as _;
            writeln!(stdout, "confirmed {id}").unwrap();
            stdout.flush().unwrap();
        }
    }
    if limit != usize::MAX {
        drop(c);
        assert_eq!(open(&dir, "dev-crash").progress().days.values().map(|d| d.answers).sum::<u32>(), 20);
    }
}

#[test]
fn every_confirmed_grade_survives_sigkill_of_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut confirmed: HashSet<String> = HashSet::new();
    let mut rng_state = 0x1234_5678_u64;
    for round in 0..12 {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_writer", "--nocapture", "--test-threads=1"])
            .env("YADGAR_CRASH_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Kill after a pseudo-random number of confirmed grades (0 to 60),
        // so the kill lands at varying points of a write.
        rng_state = rng_state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let kill_after = (rng_state >> 33) % 61;
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < kill_after {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(id) = line.strip_prefix("confirmed ") {
                        confirmed.insert(id.to_owned());
                        seen += 1;
                    }
                }
                _ => break,
            }
        }
        child.kill().unwrap();
        // Lines printed between our last read and the kill were confirmed too.
        for line in lines.map_while(Result::ok) {
            if let Some(id) = line.strip_prefix("confirmed ") {
                confirmed.insert(id.to_owned());
            }
        }
        let _ = child.wait();
        let c = Collection::open_read_only(dir.path(), "default", "dev-crash").unwrap();
        let on_disk: HashSet<String> = c.history_events().unwrap().iter().map(|e| e.id.to_string()).collect();
        let missing: Vec<&String> = confirmed.iter().filter(|id| !on_disk.contains(*id)).collect();
        assert!(missing.is_empty(), "round {round}: confirmed grades lost: {missing:?}");
        assert!(c.warnings().iter().all(|w| w.contains("cut off by a crash")), "{:?}", c.warnings());
    }
    assert!(confirmed.len() > 50, "the writer confirmed too few grades to mean anything: {}", confirmed.len());
}

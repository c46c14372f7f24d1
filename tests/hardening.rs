//! Bad input and mistakes never lose what the user wrote (issue 13): one
//! test, or a few, for each defect found, with real files in temporary
//! folders and the binary run as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use yadgar::deck::{CardId, DeckId};
use yadgar::history::{MAX_REVIEWS_PER_CARD, Review, fsrs_items};
use yadgar::interop::{InteropError, Progress, apkg};
use yadgar::revlog::{Action, Event, EventId};
use yadgar::schedule::{Rating, Settings};
use yadgar::store::log::{LogSink, LogWriter, log_path, read_log};
use yadgar::store::{self, Collection};
use yadgar::time::Moment;

const NOON: i64 = 1_772_452_800_000;

fn at(minutes: i64) -> Moment {
    Moment::new(NOON + minutes * 60_000, 3600)
}

/// Runs the binary with `data` as the data folder: (exit code, stdout, stderr).
fn yadgar(data: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yadgar"))
        .args(args)
        .env("YADGAR_DATA_DIR", data)
        // The data folder doubles as this test computer's config folder, so
        // the device id is `data/device-id`.
        .env("YADGAR_CONFIG_DIR", data)
        .env("YADGAR_CACHE_DIR", data.join("cache"))
        .env_remove("CI")
        .output()
        .expect("run yadgar");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn profile_dir(data: &Path) -> PathBuf {
    data.join("profiles/default")
}

const OWN_DECK: &str = r#"{"format": 1, "id": "my-deck", "title": "My deck", "cards": [
  {"id": "a", "kind": "date", "question": "When did Soviet troops enter Iran?", "answer": "25 August 1941"}
]}
"#;

// 1. Export never overwrites without asking, and never writes into the data folder.

#[test]
fn export_refuses_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("mine.csv");
    std::fs::write(&out, "my own notes\n").unwrap();
    let (code, _, stderr) = yadgar(&data, &["export", "soviet-iran-dates", "--to", out.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains("already exists") && stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my own notes\n");
    let (code, stdout, stderr) =
        yadgar(&data, &["export", "soviet-iran-dates", "--to", out.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("exported"), "{stdout}");
    assert!(std::fs::read_to_string(&out).unwrap().lines().count() > 89, "the deck replaced the file");
}

#[test]
fn export_never_writes_inside_the_data_folder_even_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(yadgar(&data, &["due"]).0, 0);
    // An earlier build's settings file, and a deck file of the student's.
    let settings = profile_dir(&data).join("profile.json");
    std::fs::write(&settings, r#"{"format": 1, "settings": {"new_per_day": 15}}"#).unwrap();
    let own = profile_dir(&data).join("decks/my-deck.json");
    std::fs::write(&own, OWN_DECK).unwrap();
    let before = std::fs::read(&settings).unwrap();
    for (target, name) in [(&settings, "profile.json"), (&own, "my-deck.json")] {
        let (code, _, stderr) =
            yadgar(&data, &["export", "soviet-iran-dates", "--to", target.to_str().unwrap(), "--force"]);
        assert_ne!(code, 0, "{name}");
        assert!(stderr.contains("inside Yadgar's data folder"), "{stderr}");
    }
    // A new file in the data folder is refused too.
    let fresh = data.join("profiles/default/decks/new.json");
    let (code, _, _) = yadgar(&data, &["export", "soviet-iran-dates", "--to", fresh.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(!fresh.exists());
    assert_eq!(std::fs::read(&settings).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&own).unwrap(), OWN_DECK);
}

// 2. One bad setting falls back alone and is never written over.

#[test]
fn a_bad_setting_falls_back_alone_and_stays_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    drop(Collection::open(dir.path(), "default", "dev-a").unwrap());
    let path = profile_dir(dir.path()).join("profile.json");
    std::fs::write(
        &path,
        r#"{"format": 1, "settings": {"rollover_hour": 99, "new_per_day": 55, "desired_retention": 0.85},
            "preferences": {"theme": "purple", "typed_answers": true}}"#,
    )
    .unwrap();
    let mut c = Collection::open(dir.path(), "default", "dev-a").unwrap();
    assert_eq!(c.settings().new_per_day, 55);
    assert_eq!(c.settings().desired_retention, 0.85);
    assert_eq!(c.settings().rollover_hour, 4);
    assert!(c.preferences().typed_answers);
    let warnings = c.warnings().join("\n");
    assert!(warnings.contains("\"rollover_hour\" is 99"), "{warnings}");
    assert!(warnings.contains("\"theme\" is \"purple\""), "{warnings}");
    assert!(warnings.contains("profile.json"), "{warnings}");
    // Saving another setting (as `optimize` saves parameters) is an event:
    // the file, with its bad value, stays exactly as written.
    let before = std::fs::read(&path).unwrap();
    c.set_settings(Settings { reviews_per_day: 300, ..c.settings().clone() }).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!((c.settings().reviews_per_day, c.settings().rollover_hour), (300, 4));
    // Saving that setting gives it a good value; the file still keeps its own.
    c.set_settings(Settings { rollover_hour: 5, ..c.settings().clone() }).unwrap();
    assert_eq!(c.settings().rollover_hour, 5);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    drop(c);
    let c = Collection::open(dir.path(), "default", "dev-a").unwrap();
    assert_eq!(c.settings().rollover_hour, 5);
    assert_eq!(c.settings().new_per_day, 55);
}

// 3. A profile open in a window is neither deleted nor renamed.

#[test]
fn an_open_profile_cannot_be_deleted_or_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let open = Collection::open(dir.path(), "default", "dev-a").unwrap();
    let pid = std::process::id().to_string();
    for args in [&["profiles", "delete", "default", "--yes"][..], &["profiles", "rename", "default", "other"]] {
        let (code, _, stderr) = yadgar(dir.path(), args);
        assert_ne!(code, 0, "{args:?}");
        assert!(stderr.contains("is open") && stderr.contains(&pid), "{stderr}");
    }
    assert!(profile_dir(dir.path()).is_dir());
    drop(open);
    let (code, _, stderr) = yadgar(dir.path(), &["profiles", "delete", "default", "--yes"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!profile_dir(dir.path()).exists());
}

// 4. A write that fails halfway and cannot be cut back never glues the next event onto it.

/// A log file whose next append writes only half its bytes and fails,
/// and which cannot be truncated (as an append-only handle on Windows).
#[derive(Debug)]
struct HalfFailing {
    file: std::fs::File,
    fail_next: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl LogSink for HalfFailing {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.fail_next.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.file.write_all(&bytes[..bytes.len() / 2])?;
            return Err(std::io::Error::other("disk gone"));
        }
        self.file.write_all(bytes)
    }
    fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }
    fn file_len(&mut self) -> std::io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
    fn truncate(&mut self, _len: u64) -> std::io::Result<()> {
        Err(std::io::Error::other("cannot truncate an append-only handle"))
    }
}

fn review(i: u128, minutes: i64) -> Event {
    Event::new(
        EventId(i),
        at(minutes),
        DeckId("soviet-iran-dates".into()),
        CardId(format!("card-{i}").into()),
        Action::Review { rating: Rating::Good, kind: yadgar::revlog::ReviewKind::Learn, answer_ms: 1000 },
    )
}

#[test]
fn a_write_that_failed_halfway_is_never_continued() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reviews-dev.jsonl");
    let file = std::fs::OpenOptions::new().append(true).create(true).open(&path).unwrap();
    let fail_next = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writer = LogWriter::with_sink(&path, Box::new(HalfFailing { file, fail_next: fail_next.clone() })).unwrap();
    writer.append(&review(1, 0)).unwrap();
    fail_next.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(writer.append(&review(2, 1)).is_err(), "the failed write is reported");
    writer.append(&review(3, 2)).unwrap();
    let read = read_log(&path, 0).unwrap();
    let ids: Vec<u128> = read.events.iter().map(|e| e.id.0).collect();
    assert_eq!(ids, [1, 3], "both confirmed events are read, the half one is not");
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert!(read.warnings[0].contains(":2: this line cannot be read"), "{:?}", read.warnings);
}

// 5. A write that reached the disk is reported as saved even if the replay after it fails.

#[test]
fn a_saved_grade_is_reported_saved_when_the_replay_after_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Collection::open(dir.path(), "default", "dev-a").unwrap();
    let deck = DeckId("soviet-iran-dates".into());
    let card = CardId("card-1".into());
    let first = c.grade(&deck, &card, Rating::Good, 1000, at(0), false).unwrap();
    c.grade(&deck, &card, Rating::Good, 1000, at(10), false).unwrap();
    // The profile folder goes away under the open log (the replay then
    // cannot list it), and the undo of the older grade needs a full replay.
    let moved = dir.path().join("moved");
    std::fs::rename(profile_dir(dir.path()), &moved).unwrap();
    let undo = c.record(&deck, &card, Action::Undo { target: first }, at(20));
    assert!(undo.is_ok(), "the undo is on disk, so it is saved: {undo:?}");
    assert!(c.stale_reason().is_some());
    assert!(c.warnings().iter().any(|w| w.contains("was saved")), "{:?}", c.warnings());
    let text = std::fs::read_to_string(log_path(&moved, "dev-a")).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
}

// 6. Memory linear in one card's review count.

#[test]
fn one_card_with_thousands_of_reviews_costs_linear_memory_in_fitting() {
    let reviews: Vec<Review> = (0..20_000)
        .map(|i| Review { card: 1, at: Moment::new(NOON + i * 86_400_000, 0), rating: Rating::Good })
        .chain((0..50).map(|i| Review { card: 2, at: Moment::new(NOON + i * 86_400_000, 0), rating: Rating::Again }))
        .collect();
    let (items, cards) = fsrs_items(&reviews, 4);
    let held: usize = items.iter().map(|i| i.reviews.len()).sum();
    // Quadratic would be 200 million review copies; the bound keeps it small.
    assert!(held <= MAX_REVIEWS_PER_CARD * MAX_REVIEWS_PER_CARD + 50 * 50, "{held} reviews held");
    assert_eq!(items.len(), MAX_REVIEWS_PER_CARD - 1 + 49);
    assert_eq!(cards.iter().filter(|&&c| c == 2).count(), 49, "a normal card is untouched");
    let m = yadgar::history::evaluate(&reviews, 4, &[]).unwrap();
    assert!(m.log_loss.is_finite());
}

// 7. A zip bomb is stopped while it is unpacked.

fn package_with(entry: &str, bytes: &[u8], path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(entry, options).unwrap();
    zip.write_all(bytes).unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_zstd_bomb_is_refused_while_it_unpacks() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of zeros compress to a few kilobytes of zstd.
    let zeros = vec![0u8; 64 << 20];
    let compressed = ruzstd::encoding::compress_to_vec(&zeros[..], ruzstd::encoding::CompressionLevel::Fastest);
    assert!(compressed.len() < 1 << 20, "{}", compressed.len());
    let bomb = dir.path().join("bomb.apkg");
    package_with("collection.anki21b", &compressed, &bomb);
    let err = apkg::read_with_limit(&bomb, None, &Progress::new(), 8 << 20).unwrap_err();
    assert!(matches!(err, InteropError::TooLarge { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("bomb.apkg") && message.contains("more than 8 MiB"), "{message}");
}

#[test]
fn a_package_declaring_a_huge_collection_is_refused_before_unpacking() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("big.apkg");
    package_with("collection.anki2", &vec![0u8; 2 << 20], &bomb);
    let err = apkg::read_with_limit(&bomb, None, &Progress::new(), 1 << 20).unwrap_err();
    assert!(matches!(err, InteropError::TooLarge { .. }), "{err:?}");
}

// 8. Headless commands say what the window would, and --strict fails on it.

#[test]
fn headless_commands_print_every_warning_and_strict_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert_eq!(yadgar(data, &["due"]).0, 0);
    let profile = profile_dir(data);
    std::fs::write(profile.join("reviews-0123456789abcdef.jsonl"), "garbage\n{\"v\":1,\"id\":").unwrap();
    std::fs::write(profile.join("reviews-x (conflicted copy).jsonl"), "").unwrap();
    std::fs::write(profile.join("decks/broken.json"), "{\"format\": 1,\n \"id\": }").unwrap();
    std::fs::write(profile.join("profile.json"), r#"{"format": 1, "settings": {"desired_retention": 1.5}}"#).unwrap();
    let (code, stdout, stderr) = yadgar(data, &["due"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("total:"), "{stdout}");
    for expected in [
        "reviews-0123456789abcdef.jsonl:1: this line cannot be read",
        "reviews-0123456789abcdef.jsonl:2: the last line was cut off",
        "conflicted copy",
        "broken.json:2:",
        "\"desired_retention\" is 1.5",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    let (code, _, stderr) = yadgar(data, &["due", "--strict"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("--strict"), "{stderr}");
    // A snapshot does not hide what is wrong in the lines it covers.
    let device = std::fs::read_to_string(data.join("device-id")).unwrap();
    let local = store::LocalDirs { config_dir: data.to_path_buf(), cache_dir: data.join("cache") };
    let c = Collection::open_as(data, "default", device.trim(), &store::Opening::new(true, Some(local))).unwrap();
    assert!(c.save_snapshot().unwrap());
    drop(c);
    let (_, _, stderr) = yadgar(data, &["due"]);
    assert!(stderr.contains("reviews-0123456789abcdef.jsonl:1: this line cannot be read"), "{stderr}");
}

// 9. An unreadable device id is kept aside, and the user is told.

#[test]
fn an_unreadable_device_id_is_kept_aside_and_reported() {
    for bad in ["", "not hex at all!", "0123"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("device-id");
        std::fs::write(&file, bad).unwrap();
        let (code, _, stderr) = yadgar(dir.path(), &["due"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("device-id: not a device id") && stderr.contains("kept as"), "{stderr}");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("device-id.unreadable-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read_to_string(aside[0].path()).unwrap(), bad);
        let id = store::device_id(&file).unwrap();
        assert_eq!(id.len(), 16);
    }
    // An editor's byte-order mark before a good id keeps the id.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("device-id");
    std::fs::write(&file, "\u{feff}0123456789abcdef\n").unwrap();
    assert_eq!(store::device_id_checked(&file).unwrap().id, "0123456789abcdef");
}

// 10. Messages: short, naming the file and line.

#[test]
fn a_huge_bad_value_is_quoted_short() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("history.csv");
    let huge = "x".repeat(5 << 20);
    std::fs::write(
        &csv,
        format!("card_id,review_rating,review_time,review_duration\n{huge},3,2024-01-01T00:00:00Z,1\n"),
    )
    .unwrap();
    let (code, _, stderr) = yadgar(dir.path(), &["eval", "--history", csv.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.len() < 1000, "{} bytes of stderr", stderr.len());
    assert!(stderr.contains("line 2: card_id \"xxx") && stderr.contains("bytes in all"), "{stderr}");
}

#[test]
fn import_errors_name_the_file_the_user_gave() {
    let dir = tempfile::tempdir().unwrap();
    let deck = dir.path().join("deck.json");
    std::fs::write(&deck, OWN_DECK).unwrap();
    let (code, _, stderr) = yadgar(dir.path(), &["import", deck.to_str().unwrap(), "--deck", ""]);
    assert_ne!(code, 0);
    assert!(!stderr.contains("imported.json") && stderr.contains("--deck NAME is blank"), "{stderr}");
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "question,answer\n").unwrap();
    let (code, _, stderr) = yadgar(dir.path(), &["import", empty.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains(&format!("{}: nothing to import", empty.display())), "{stderr}");
}

#[test]
fn a_source_that_is_not_utf8_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.txt");
    std::fs::write(&source, b"First paragraph.\n\nSecond \xff paragraph.\n").unwrap();
    let (code, _, stderr) = yadgar(dir.path(), &["check", "--source", source.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains(&format!("{}:3:8: not UTF-8", source.display())), "{stderr}");
}

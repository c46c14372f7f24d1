//! Crash rounds: a writer that grades, imports decks, suspends cards in
//! bulk, edits cards, saves settings and writes snapshots is killed with
//! SIGKILL at pseudo-random moments. After each kill the profile opens,
//! nothing the writer confirmed is lost, and nothing half-written is
//! trusted (every deck file loads, settings read back whole, and the state
//! from the snapshot equals a full replay of the logs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use yadgar::Deck;
use yadgar::deck::{CardId, DeckId};
use yadgar::revlog::{Action, Event, EventId, ReviewKind};
use yadgar::schedule::{Rating, Settings};
use yadgar::store::{self, Collection, LocalDirs, OnExisting, Opening};
use yadgar::time::Moment;

const NOON: i64 = 1_772_452_800_000;
const DEVICE: &str = "dev-crash";
const OWN: &str = "crash-own";

fn dates() -> DeckId {
    DeckId("soviet-iran-dates".into())
}

fn own_deck_json() -> String {
    format!(
        r#"{{"format": 1, "id": "{OWN}", "title": "Crash own", "cards": [
  {{"id": "c", "kind": "concept", "question": "edit 0", "answer": "x"}}
]}}
"#
    )
}

/// A small deck to import in step `i`, with one review per card.
fn import_deck(i: usize) -> (Deck, Vec<Event>) {
    let id = format!("imp-{i}");
    let json = format!(
        r#"{{"format": 1, "id": "{id}", "title": "Import {i}", "cards": [
  {{"id": "a", "kind": "concept", "question": "First question {i}", "answer": "one"}},
  {{"id": "b", "kind": "concept", "question": "Second question {i}", "answer": "two"}}
]}}"#
    );
    let deck = Deck::from_json("import.json", json.as_bytes()).unwrap();
    let events = ["a", "b"]
        .iter()
        .enumerate()
        .map(|(k, card)| {
            Event::new(
                EventId::derived(&["crash-import", &id, card]),
                Moment::new(NOON - 86_400_000 + k as i64, 0),
                DeckId(id.as_str().into()),
                CardId((*card).into()),
                Action::Review { rating: Rating::Good, kind: ReviewKind::Learn, answer_ms: 1000 },
            )
        })
        .collect();
    (deck, events)
}

/// The writer the crash test kills. Each step does one kind of write and,
/// once it has returned, prints what it confirmed. Run on its own (without
/// the crash test's environment) it does a few steps of each kind and
/// checks they reopen.
#[test]
fn crash_writer() {
    let (dir, limit) = match std::env::var_os("YADGAR_CRASH_DIR") {
        Some(dir) => (PathBuf::from(dir), usize::MAX),
        None => (tempfile::tempdir().unwrap().keep(), 12),
    };
    // The own deck is an input file, there before the profile opens.
    let own_file = dir.join(format!("profiles/default/decks/{OWN}.json"));
    if !own_file.exists() {
        std::fs::create_dir_all(own_file.parent().unwrap()).unwrap();
        store::write_atomic(&own_file, own_deck_json().as_bytes()).unwrap();
    }
    let mut c = Collection::open_as(&dir, "default", DEVICE, &Opening::new(true, Some(local(&dir)))).unwrap();
    assert!(c.library().errors.is_empty(), "{:?}", c.library().errors);
    // Steps continue where the last (killed) writer stopped.
    let start = c.history_events().unwrap().len();
    let mut out = std::io::stdout().lock();
    for i in start..start.saturating_add(limit) {
        let now = Moment::new(NOON + i as i64 * 1000, 0);
        let confirmed = match i % 6 {
            0 => {
                let id =
                    c.grade(&dates(), &CardId(format!("g-{i}").into()), Rating::ALL[i % 4], 900, now, false).unwrap();
                format!("grade {id}")
            }
            1 => {
                let (deck, events) = import_deck(i);
                let ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
                c.import_deck(deck, events, OnExisting::Refuse).unwrap();
                format!("import imp-{i} {}", ids.join(" "))
            }
            2 => {
                let cards: Vec<(DeckId, CardId)> =
                    (0..5).map(|k| (dates(), CardId(format!("s-{i}-{k}").into()))).collect();
                c.record_all(&cards, &Action::Suspend, now).unwrap();
                format!("suspend {i}")
            }
            3 => {
                let mut card = c.library().deck(&DeckId(OWN.into())).unwrap().deck.cards[0].clone();
                card.question = format!("edit {i}");
                c.edit_card(&DeckId(OWN.into()), card).unwrap();
                format!("edit {i}")
            }
            4 => {
                c.set_settings(Settings { new_per_day: 100 + i as u32, ..c.settings().clone() }).unwrap();
                format!("settings {}", 100 + i)
            }
            _ => {
                c.save_snapshot().unwrap();
                "snapshot".to_owned()
            }
        };
        if limit == usize::MAX {
            writeln!(out, "confirmed {confirmed}").unwrap();
            out.flush().unwrap();
        }
    }
    if limit != usize::MAX {
        drop(c);
        let c = Collection::open(&dir, "default", DEVICE).unwrap();
        assert_eq!(c.settings().new_per_day, 110);
        assert!(c.progress().state(&dates(), &CardId("s-2-4".into())).unwrap().suspended);
    }
}

/// What the killed writers confirmed, for checking after each kill.
#[derive(Default)]
struct Confirmed {
    events: HashSet<String>,
    imports: Vec<String>,
    suspends: Vec<usize>,
    last_edit: usize,
    last_settings: Option<u32>,
}

impl Confirmed {
    fn note(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("confirmed ") else { return };
        let mut words = rest.split(' ');
        match words.next() {
            Some("grade") => self.events.extend(words.map(str::to_owned)),
            Some("import") => {
                self.imports.push(words.next().unwrap().to_owned());
                self.events.extend(words.map(str::to_owned));
            }
            Some("suspend") => self.suspends.push(words.next().unwrap().parse().unwrap()),
            Some("edit") => self.last_edit = words.next().unwrap().parse().unwrap(),
            Some("settings") => self.last_settings = Some(words.next().unwrap().parse().unwrap()),
            _ => {}
        }
    }
}

/// The test computer's own folders (device id mark, snapshot cache).
fn local(dir: &Path) -> LocalDirs {
    LocalDirs::in_folder(&dir.join("this-computer"))
}

fn check_after_kill(dir: &Path, confirmed: &Confirmed, round: usize) {
    // The profile opens, read-only (from the snapshot when there is one)
    // and for writing; a kill never looks like another computer writing
    // this device's log.
    let c = Collection::open_as(dir, "default", DEVICE, &Opening::new(false, Some(local(dir)))).unwrap();
    let writable = Collection::open_as(dir, "default", DEVICE, &Opening::new(true, Some(local(dir)))).unwrap();
    assert_eq!(writable.device(), DEVICE, "round {round}: {:?}", writable.warnings());
    drop(writable);
    assert!(c.warnings().iter().all(|w| w.contains("cut off by a crash")), "round {round}: {:?}", c.warnings());
    // Every confirmed event is in the log.
    let on_disk: HashSet<String> = c.history_events().unwrap().iter().map(|e| e.id.to_string()).collect();
    let missing: Vec<&String> = confirmed.events.iter().filter(|id| !on_disk.contains(*id)).collect();
    assert!(missing.is_empty(), "round {round}: confirmed events lost: {missing:?}");
    // Every deck loads whole; every confirmed import is there.
    let library = c.library();
    assert!(library.errors.is_empty(), "round {round}: {:?}", library.errors);
    for id in &confirmed.imports {
        let deck =
            library.deck(&DeckId(id.as_str().into())).unwrap_or_else(|| panic!("round {round}: import {id} lost"));
        assert_eq!(deck.deck.cards.len(), 2);
    }
    // Bulk suspends are whole.
    for i in &confirmed.suspends {
        for k in 0..5 {
            let state = c.progress().state(&dates(), &CardId(format!("s-{i}-{k}").into()));
            assert!(state.is_some_and(|s| s.suspended), "round {round}: suspend {i} of card {k} lost");
        }
    }
    // The edit and the settings are the confirmed ones or the one after.
    let question = &library.deck(&DeckId(OWN.into())).unwrap().deck.cards[0].question;
    let edit: usize = question.strip_prefix("edit ").unwrap().parse().unwrap();
    assert!(edit >= confirmed.last_edit, "round {round}: edit {} lost, file says {edit}", confirmed.last_edit);
    if let Some(n) = confirmed.last_settings {
        assert!(c.settings().new_per_day >= n, "round {round}: settings {n} lost");
    }
    // The state from the snapshot equals a full replay of the logs.
    let copy = tempfile::tempdir().unwrap();
    let profile = copy.path().join("profiles/default");
    std::fs::create_dir_all(&profile).unwrap();
    for entry in std::fs::read_dir(c.profile().dir.clone()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && name != "snapshot.json" {
            std::fs::copy(&path, profile.join(&name)).unwrap();
        }
    }
    let replayed = Collection::open_read_only(copy.path(), "default", DEVICE).unwrap();
    assert_eq!(replayed.progress().states, c.progress().states, "round {round}: the snapshot disagrees with the logs");
}

#[test]
fn nothing_confirmed_is_lost_when_any_write_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut confirmed = Confirmed::default();
    let mut steps = 0usize;
    let mut rng_state = 0x9e37_79b9_u64;
    for round in 0..12 {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_writer", "--nocapture", "--test-threads=1"])
            .env("YADGAR_CRASH_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Kill after a pseudo-random number of confirmed steps (0 to 24),
        // so the kill lands in every kind of write at varying points.
        rng_state = rng_state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let kill_after = (rng_state >> 33) % 25;
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while seen < kill_after {
            match lines.next() {
                Some(Ok(line)) => {
                    if line.starts_with("confirmed ") {
                        confirmed.note(&line);
                        seen += 1;
                    }
                }
                _ => break,
            }
        }
        child.kill().unwrap();
        // Lines printed between our last read and the kill were confirmed too.
        for line in lines.map_while(Result::ok) {
            if line.starts_with("confirmed ") {
                confirmed.note(&line);
                seen += 1;
            }
        }
        let _ = child.wait();
        steps += seen as usize;
        check_after_kill(dir.path(), &confirmed, round);
    }
    assert!(steps > 60, "the writer confirmed too few steps to mean anything: {steps}");
    assert!(!confirmed.imports.is_empty() && !confirmed.suspends.is_empty() && confirmed.last_edit > 0);
}

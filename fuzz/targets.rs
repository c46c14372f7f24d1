//! What each fuzz target does with one input, shared by the AFL++ binaries
//! (`fuzz_targets/*.rs`) and by `tests/fuzz_regressions.rs`, which replays
//! the seed corpus and every finding through the same code on `cargo test`.
//! A target panics only on a broken promise (a crash the fuzzer reports);
//! bad input must give an error, never a panic.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::Write as _;
use std::sync::OnceLock;

/// The names of the targets, as the binaries and corpus folders are named.
pub const TARGETS: [&str; 8] =
    ["deck_json", "log_line", "log_replay", "csv_import", "apkg_read", "query", "answer", "date"];

/// Runs `target` on `data`.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "deck_json" => deck_json(data),
        "log_line" => log_line(data),
        "log_replay" => log_replay(data),
        "csv_import" => csv_import(data),
        "apkg_read" => apkg_read(data),
        "query" => query(data),
        "answer" => answer(data),
        "date" => date(data),
        other => panic!("no fuzz target {other}"),
    }
}

/// A deck file: parsed and validated, and a valid deck written back and
/// read again to the same deck.
pub fn deck_json(data: &[u8]) {
    if let Ok(deck) = yadgar::Deck::from_json("fuzz.json", data) {
        let json = deck.to_json().expect("a valid deck serialises");
        let again = yadgar::Deck::from_json("again.json", json.as_bytes()).expect("a written deck reads back");
        assert_eq!(again, deck);
    }
}

/// One review-log line, read both ways the store reads it; an event that
/// parses is written and read back to the same event.
pub fn log_line(data: &[u8]) {
    let mut keys = yadgar::revlog::KeyTable::default();
    let compact = yadgar::revlog::parse_line(data, &mut keys);
    // The reader (a fast path for the writer's own lines, serde for the
    // rest) reads every line exactly as serde alone does.
    let by_serde = serde_json::from_slice::<yadgar::revlog::Event>(data).ok();
    let read = yadgar::revlog::parse_event(data).ok();
    let expected = by_serde.clone().map(|e| if e.v > yadgar::revlog::LOG_FORMAT { Err(e.v) } else { Ok(e) });
    assert_eq!(read, expected, "the log reader and serde disagree");
    assert!(read.is_none() || compact.is_ok(), "a line read as an event is read compactly too");
    if let Some(event) = by_serde {
        let line = serde_json::to_vec(&event).expect("an event serialises");
        let back: yadgar::revlog::Event = serde_json::from_slice(&line).expect("a written event reads back");
        assert_eq!(back, event);
    }
}

fn scheduler() -> &'static yadgar::schedule::Scheduler {
    static SCHEDULER: OnceLock<yadgar::schedule::Scheduler> = OnceLock::new();
    SCHEDULER.get_or_init(|| {
        yadgar::schedule::Scheduler::new(yadgar::schedule::Settings::default()).expect("default settings")
    })
}

/// A whole log: written to a file, read as the store reads it (torn and
/// broken lines skipped with warnings), and replayed into card states both
/// ways the store replays.
pub fn log_replay(data: &[u8]) {
    let Ok(mut file) = tempfile::NamedTempFile::new() else { return };
    if file.write_all(data).is_err() {
        return;
    }
    let path = file.path().to_path_buf();
    let Ok(read) = yadgar::store::log::read_log(&path, 0) else { return };
    let mut keys = yadgar::revlog::KeyTable::default();
    let Ok(compact) = yadgar::store::log::read_log_compact(&path, &mut keys) else { return };
    assert_eq!(read.events.len(), compact.events.len(), "both readers read the same lines");
    assert!(read.complete_len <= data.len() as u64);
    let _ = yadgar::revlog::Progress::replay_compact(scheduler(), keys, compact.events);
    let mut progress = yadgar::revlog::Progress::default();
    let _ = progress.apply_tail(scheduler(), read.events);
}

/// A CSV/TSV file to import: columns guessed, rows read into a deck that
/// must pass the deck rules; and the same bytes as a review history.
pub fn csv_import(data: &[u8]) {
    let guess = yadgar::interop::csv::sniff(data);
    let options = yadgar::interop::csv::CsvOptions::from_guess(&guess);
    if let Ok(imported) = yadgar::interop::csv::read(data, &options, "fuzz") {
        let json = imported.deck.to_json().expect("an imported deck serialises");
        yadgar::Deck::from_json("imported.json", json.as_bytes()).expect("an imported deck is valid");
    }
    let _ = yadgar::history::parse_csv(&String::from_utf8_lossy(data));
}

/// An Anki package: a zip holding an SQLite collection (zstd or plain),
/// read with a 16 MiB unpack limit so a bomb is stopped quickly.
pub fn apkg_read(data: &[u8]) {
    let Ok(mut file) = tempfile::Builder::new().suffix(".apkg").tempfile() else { return };
    if file.write_all(data).is_err() {
        return;
    }
    let progress = yadgar::interop::Progress::new();
    if let Ok(imported) = yadgar::interop::apkg::read_with_limit(file.path(), None, &progress, 16 << 20) {
        let json = imported.deck.to_json().expect("an imported deck serialises");
        yadgar::Deck::from_json("imported.json", json.as_bytes()).expect("an imported deck is valid");
    }
}

/// The bundled cards a query is matched against: deck id, normalised
/// title, card, haystack.
type Cards = Vec<(yadgar::DeckId, String, yadgar::Card, String)>;

fn cards() -> &'static Cards {
    static CARDS: OnceLock<Cards> = OnceLock::new();
    CARDS.get_or_init(|| {
        let library = yadgar::deck::Library::bundled();
        library
            .decks
            .iter()
            .flat_map(|d| {
                d.deck.cards.iter().map(|c| {
                    (d.deck.id.clone(), yadgar::text::normalise(&d.deck.title), c.clone(), yadgar::query::haystack(c))
                })
            })
            .take(200)
            .collect()
    })
}

/// The browser's query language: parsed, and a parsed query matched
/// against bundled cards.
pub fn query(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(query) = yadgar::query::parse(text) else { return };
    for (deck, title, card, haystack) in cards() {
        let view = yadgar::query::CardView {
            deck,
            deck_title: title,
            card,
            haystack,
            state: None,
            edited: false,
            timing: yadgar::query::Timing::default(),
        };
        let _ = query.matches(&view);
    }
}

/// The answer checker: typed answer, card answer and accept forms split at
/// NUL bytes. An answer typed exactly as the card says is always right.
pub fn answer(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\0');
    let typed = parts.next().unwrap_or("");
    let answer = parts.next().unwrap_or("");
    let accept: Vec<String> = parts.map(str::to_owned).collect();
    let _ = yadgar::answer::check(typed, answer, &accept);
    let _ = yadgar::answer::diff(typed, answer);
    if !yadgar::text::normalise(answer).is_empty() {
        assert_eq!(yadgar::answer::check(answer, answer, &[]), yadgar::answer::Verdict::Correct, "{answer:?}");
    }
}

/// Date reading: a date in any written form, and the dates inside text.
pub fn date(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = yadgar::text::parse_date(text);
    let _ = yadgar::text::dates_in(&yadgar::text::normalise(text));
    let _ = yadgar::answer::parse_number(text);
}

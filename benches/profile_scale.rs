//! Scale benchmark for the store and scheduler: a synthetic profile of
//! 100,000 cards and 1,000,000 review events (two devices), measuring
//! open from cold, open with a snapshot, building today's queue, grading
//! one card (append + fsync) and resident memory.
//!
//! usage: cargo bench --bench profile_scale [-- CARDS EVENTS]

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;
use std::time::{Duration, Instant};

use yadgar::deck::{CardId, DeckId, FORMAT_VERSION};
use yadgar::revlog::{Action, Event, EventId, ReviewKind};
use yadgar::schedule::Rating;
use yadgar::store::{self, Collection, log::log_path};
use yadgar::time::Moment;
use yadgar::{Card, CardKind, Deck, Source, study};

const DAY_MS: i64 = 86_400_000;

fn memory_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// In a fresh process: open the profile in `data`, load its decks, build
/// today's queue, and print resident memory then.
fn memory_child(data: &std::path::Path, now: Moment) {
    let collection = open(data, "bench");
    let library = collection.library();
    let (queue, _) = study::queue(collection.scheduler(), now, &library, collection.progress(), None);
    assert!(queue.counts.total() > 0);
    println!("{:.0} {:.0}", memory_mib("VmRSS:"), memory_mib("VmHWM:"));
}

/// Opens the profile for writing with the bench computer's own folders
/// (device id mark, snapshot cache) inside the temporary folder.
fn open(data: &std::path::Path, device: &str) -> Collection {
    let local = store::LocalDirs::in_folder(&data.join("this-computer"));
    Collection::open_as(data, "default", device, &store::Opening::new(true, Some(local))).unwrap()
}

fn memory_in_child(data: &std::path::Path) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--memory-child", &data.display().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text.split_whitespace();
    format!("{} MiB (peak {} MiB)", numbers.next().unwrap_or("?"), numbers.next().unwrap_or("?"))
}

fn main() {
    let now = Moment::new(1_795_000_000_000, 3600);
    let all: Vec<String> = std::env::args().collect();
    if let Some(pos) = all.iter().position(|a| a == "--memory-child") {
        memory_child(std::path::Path::new(&all[pos + 1]), now);
        return;
    }
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    let cards: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let events: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    // The deck: one file of `cards` cards in the profile.
    let t = Instant::now();
    let profile_dir = data.join("profiles/default");
    std::fs::create_dir_all(profile_dir.join("decks")).unwrap();
    let deck_id = DeckId("synthetic".into());
    let deck = Deck {
        format: FORMAT_VERSION,
        id: deck_id.clone(),
        title: "Synthetic".into(),
        source_sha256: None,
        description: String::new(),
        covers: vec![],
        cards: (0..cards)
            .map(|i| Card {
                id: CardId(format!("c{i:06}").into()),
                kind: CardKind::Date,
                question: format!("Question {i}?"),
                answer: format!("Answer {i}"),
                accept: vec![],
                tags: vec![format!("t{}", i % 40)],
                source: Some(Source { paragraph: 1 }),
                note: String::new(),
                ..Card::default()
            })
            .collect(),
        retired: vec![],
    };
    std::fs::write(profile_dir.join("decks/synthetic.json"), deck.to_json().unwrap()).unwrap();

    // The log: `events` grades over the past year, two devices, each card
    // reviewed at growing gaps so the states are realistic.
    let per_card = (events / cards).max(1);
    let mut writers: Vec<_> = ["laptop", "desktop"]
        .iter()
        .map(|d| std::io::BufWriter::new(std::fs::File::create(log_path(&profile_dir, d)).unwrap()))
        .collect();
    let mut written = 0usize;
    let mut id: u128 = 1;
    'outer: for c in 0..cards {
        let mut at = now.unix_ms - 365 * DAY_MS + (c as i64 % 97) * 3_600_000;
        for r in 0..per_card {
            if written == events {
                break 'outer;
            }
            let rating = Rating::ALL[[2, 2, 2, 0, 2, 1, 2, 3][(c + r) % 8]];
            let event = Event::new(
                EventId(id),
                Moment::new(at, 3600),
                deck_id.clone(),
                CardId(format!("c{c:06}").into()),
                Action::Review { rating, kind: ReviewKind::Review, answer_ms: 5000 },
            );
            let w = &mut writers[(c + r) % 2];
            serde_json::to_writer(&mut *w, &event).unwrap();
            w.write_all(b"\n").unwrap();
            id += 1;
            written += 1;
            at += DAY_MS * (1 << r.min(5)) as i64;
        }
    }
    drop(writers);
    println!("generated {cards} cards and {written} events in {:.1} s", t.elapsed().as_secs_f64());

    // Where cold-open time goes: reading and parsing the logs, then replay.
    let t = Instant::now();
    let paths: Vec<_> = ["laptop", "desktop"].iter().map(|d| log_path(&profile_dir, d)).collect();
    let (reads, keys) = store::log::read_logs_parallel(&paths).unwrap();
    let parsed: Vec<_> = reads.into_iter().flat_map(|r| r.events).collect();
    let parse = t.elapsed();
    let t = Instant::now();
    let scheduler = yadgar::schedule::Scheduler::new(yadgar::schedule::Settings::default()).unwrap();
    let replayed = yadgar::revlog::Progress::replay_compact(&scheduler, keys, parsed);
    let replay = t.elapsed();
    drop(replayed);
    println!(
        "(cold open breakdown: parse {:.0} ms, replay {:.0} ms)",
        parse.as_secs_f64() * 1000.0,
        replay.as_secs_f64() * 1000.0
    );

    let device = "bench";
    let rss_cold = memory_in_child(data);
    let t = Instant::now();
    let collection = open(data, device);
    let cold = t.elapsed();
    let library = collection.library();
    collection.save_snapshot().unwrap();
    drop(collection);
    let rss_snapshot = memory_in_child(data);

    let mut warm = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let c = open(data, device);
        warm.push(t.elapsed());
        drop(c);
    }
    let mut collection = open(data, device);

    let mut queue_times = Vec::new();
    let mut queue = None;
    for _ in 0..20 {
        let t = Instant::now();
        queue = Some(study::queue(collection.scheduler(), now, &library, collection.progress(), None));
        queue_times.push(t.elapsed());
    }
    let (q, refs) = queue.unwrap();

    let mut grade_times = Vec::new();
    for (i, qc) in q.cards().take(300).enumerate() {
        let r = refs[qc.index];
        let card = &library.decks[r.deck].deck.cards[r.card];
        let t = Instant::now();
        collection
            .grade(
                &library.decks[r.deck].deck.id,
                &card.id,
                Rating::Good,
                3000,
                Moment::new(now.unix_ms + i as i64 * 1000, 3600),
                false,
            )
            .unwrap();
        grade_times.push(t.elapsed());
    }

    // The statistics screen: the journal of grades is rebuilt on a worker
    // thread after a snapshot open; the screen then gathers its input (UI
    // thread) and computes (worker thread).
    let t = Instant::now();
    let built = collection.journal_job().expect("opened from the snapshot").run().unwrap();
    let journal_build = t.elapsed();
    let fresh = collection.install_journal(built);
    assert!(fresh);
    let grades = collection.progress().journal.grades.len();
    let mut gather_times = Vec::new();
    let mut compute_times = Vec::new();
    let mut stats_total = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let input = yadgar::stats::Input::gather(
            &library,
            collection.progress(),
            collection.settings(),
            now,
            &yadgar::stats::Filter::default(),
        );
        let gathered = t.elapsed();
        let t2 = Instant::now();
        let stats = yadgar::stats::compute(&input);
        let computed = t2.elapsed();
        assert_eq!(stats.cards, library.card_count());
        gather_times.push(gathered);
        compute_times.push(computed);
        stats_total.push(gathered + computed);
    }
    let mut filtered = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let filter = yadgar::stats::Filter { deck: None, tag: Some("t7".to_owned()) };
        let input = yadgar::stats::Input::gather(&library, collection.progress(), collection.settings(), now, &filter);
        let stats = yadgar::stats::compute(&input);
        filtered.push(t.elapsed());
        assert!(stats.cards > 0);
    }

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let p99 = |v: &mut Vec<Duration>| {
        v.sort();
        v[(v.len() * 99 / 100).min(v.len() - 1)]
    };
    println!("counts today: new {}, learning {}, review {}", q.counts.new, q.counts.learning, q.counts.review);
    println!("| open the profile, cold (no snapshot) | {:.0} ms |", ms(cold));
    println!("| open the profile, with a snapshot (median of 5) | {:.0} ms |", ms(median(&mut warm)));
    println!("| build today's queue (median of 20) | {:.1} ms |", ms(median(&mut queue_times)));
    println!(
        "| grade one card, append + fsync (p50 / p99 of {}) | {:.2} / {:.2} ms |",
        grade_times.len(),
        ms(median(&mut grade_times.clone())),
        ms(p99(&mut grade_times))
    );
    println!(
        "| statistics screen, all {} cards and {grades} grades: gather (UI thread) + compute (worker), median of 5 | {:.0} ms ({:.0} + {:.0}) |",
        library.card_count(),
        ms(median(&mut stats_total)),
        ms(median(&mut gather_times)),
        ms(median(&mut compute_times))
    );
    println!("| statistics screen filtered by a tag, median of 5 | {:.0} ms |", ms(median(&mut filtered)));
    println!(
        "| rebuild the journal of grades after a snapshot open (worker thread, once per start) | {:.0} ms |",
        ms(journal_build)
    );
    println!(
        "| resident memory with the profile open (fresh process, decks loaded, queue built) | cold open: {rss_cold}; from the snapshot: {rss_snapshot} |"
    );
}

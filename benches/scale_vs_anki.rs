//! The figures Yadgar is held to against Anki 26.9.3 at scale (issue 15),
//! on a synthetic profile of 100,000 cards and 1,000,000 review events:
//!
//! 1. open the profile and compute today's counts, no snapshot, warm page
//!    cache (in process, as `yadgar due` does it, and the `yadgar due`
//!    command as a whole, which also writes the snapshot);
//! 2. export the deck with its history as an `.apkg`;
//! 3. peak resident memory while importing that `.apkg`;
//! 4. start to the first frame with the deck list, with a snapshot (the
//!    release binary under Xvfb, when `Xvfb` is installed);
//! 5. `yadgar due` from the snapshot after another computer added 10,000
//!    events, against `yadgar due` from the snapshot alone.
//!
//! usage: cargo bench --bench scale_vs_anki [-- [--quick] [CARDS EVENTS] [--runs N] [--only 1,2,3,4,5] [--keep DIR]]
//!
//! `--quick` is 10,000 cards and 100,000 events. `--keep DIR` leaves the
//! profile and package in DIR (made if missing) instead of a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "support/synthetic.rs"]
mod synthetic;

#[path = "support/scale.rs"]
mod scale;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use yadgar::store::{self, Collection};

const BIN: &str = env!("CARGO_BIN_EXE_yadgar");

fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// The release binary with this run's own data, config and cache folders.
fn yadgar(data: &Path, cache: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(data)
        .env("YADGAR_CONFIG_DIR", data.join("this-computer/config"))
        .env("YADGAR_CACHE_DIR", cache);
    command
}

fn run_ok(command: &mut Command) -> String {
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{command:?} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// In a fresh process: import `package` into a new profile under `data`,
/// then print the peak resident memory in MiB.
fn import_child(package: &Path, data: &Path) {
    let mut warnings = Vec::new();
    let out = yadgar::commands::import(
        &Some(data.to_path_buf()),
        "default",
        package,
        Some("Imported"),
        &yadgar::commands::CsvColumns::default(),
        false,
        &mut warnings,
    )
    .unwrap();
    eprintln!("{}", out.trim());
    println!("{:.0}", peak_mib());
}

/// The first frame with the deck list, in ms, from `--exit-after-first-frame`.
fn first_frame(data: &Path, cache: &Path, display: &str) -> (f64, f64) {
    let out = run_ok(yadgar(data, cache).arg("--exit-after-first-frame").env("DISPLAY", display));
    let number = |prefix: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (number("first frame with the deck list: "), number("peak resident memory: "))
}

fn main() {
    let all: Vec<String> = std::env::args().collect();
    if let Some(pos) = all.iter().position(|a| a == "--import-child") {
        import_child(Path::new(&all[pos + 1]), Path::new(&all[pos + 2]));
        return;
    }
    let quick = all.iter().any(|a| a == "--quick");
    let option = |name: &str| all.iter().position(|a| a == name).and_then(|i| all.get(i + 1)).cloned();
    let runs: usize = option("--runs").and_then(|n| n.parse().ok()).unwrap_or(5).max(1);
    let keep = option("--keep").map(PathBuf::from);
    let only = option("--only").unwrap_or_else(|| "1,2,3,4,5".to_owned());
    let wants = |figure: &str| only.split(',').any(|f| f.trim() == figure);
    // Plain numbers, not the values of `--runs` and `--keep`.
    let numbers: Vec<usize> = all
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(i, _)| !matches!(all[i - 1].as_str(), "--runs" | "--keep" | "--only"))
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    let (cards, events) = match numbers.as_slice() {
        [c, e, ..] => (*c, *e),
        _ if quick => (10_000, 100_000),
        _ => (100_000, 1_000_000),
    };
    let temp = tempfile::tempdir().unwrap();
    let root = keep.unwrap_or_else(|| temp.path().to_path_buf());
    let data = root.join("data");
    let _ = std::fs::remove_dir_all(&data);
    let profile_dir = data.join("profiles/default");

    let now = store::now();
    let t = Instant::now();
    let written = scale::write_profile(&profile_dir, cards, events, now).unwrap();
    let log_bytes: u64 = scale::DEVICES
        .iter()
        .map(|d| std::fs::metadata(store::log::log_path(&profile_dir, d)).map_or(0, |m| m.len()))
        .sum();
    println!(
        "profile: {cards} cards, {written} events ({:.0} MB of logs), generated in {:.1} s",
        log_bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let bench = Bench { data, root, now, runs };
    if wants("1") {
        bench.open_and_counts();
    }
    if wants("2") || wants("3") {
        let package = bench.export();
        if wants("3") {
            bench.import(&package);
        }
    }
    if wants("4") {
        bench.window();
    }
    if wants("5") {
        bench.merge_open();
    }
}

/// The generated profile and how to measure it.
struct Bench {
    data: PathBuf,
    root: PathBuf,
    now: yadgar::time::Moment,
    runs: usize,
}

impl Bench {
    /// Figure 1: open + counts with no snapshot (no cache folder at all), as
    /// `yadgar due` does: open, load the decks, every deck's counts.
    fn open_and_counts(&self) {
        let (data, runs) = (&self.data, self.runs);
        let mut open_times = Vec::new();
        let mut library_times = Vec::new();
        let mut count_times = Vec::new();
        let mut totals = Vec::new();
        let mut report = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let collection = Collection::open_as(data, "default", "bench", &store::Opening::new(false, None)).unwrap();
            let opened = t.elapsed();
            // The open folds the decks in (the inputs and any edits).
            let library = collection.library();
            let loaded = t.elapsed();
            report = yadgar::commands::due_report(&collection, &library, self.now, false).unwrap();
            let counted = t.elapsed();
            open_times.push(opened);
            library_times.push(loaded - opened);
            count_times.push(counted - loaded);
            totals.push(counted);
        }
        println!("{}", report.lines().rev().nth(1).unwrap_or_default());
        // Where the open's time goes: reading and parsing the logs, then replay.
        let profile_dir = data.join("profiles/default");
        let paths: Vec<_> = scale::DEVICES.iter().map(|d| store::log::log_path(&profile_dir, d)).collect();
        let scheduler = yadgar::schedule::Scheduler::new(yadgar::schedule::Settings::default()).unwrap();
        let mut parse_times = Vec::new();
        let mut replay_times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let (reads, keys) = store::log::read_logs_parallel(&paths).unwrap();
            let parsed: Vec<_> = reads.into_iter().flat_map(|r| r.events).collect();
            parse_times.push(t.elapsed());
            let t = Instant::now();
            drop(yadgar::revlog::Progress::replay_compact(&scheduler, keys, parsed));
            replay_times.push(t.elapsed());
        }
        println!(
            "(open: read and parse the logs {}, replay {}, median of {runs})",
            secs(median(parse_times)),
            secs(median(replay_times))
        );
        println!(
            "| 1. open + today's counts, no snapshot, warm (in process, median of {runs}) | {} (open {}, decks {}, counts {}) | Anki 0.40 s |",
            secs(median(totals)),
            secs(median(open_times)),
            secs(median(library_times)),
            secs(median(count_times))
        );
        let mut due_times = Vec::new();
        for i in 0..runs {
            let cache = self.root.join(format!("cache-due-{i}"));
            let t = Instant::now();
            run_ok(yadgar(data, &cache).arg("due"));
            due_times.push(t.elapsed());
            let _ = std::fs::remove_dir_all(&cache);
        }
        println!(
            "| 1b. `yadgar due`, no snapshot, warm (the command, writing its snapshot; median of {runs}) | {} | |",
            secs(median(due_times))
        );
    }

    /// The cache folder with a current snapshot.
    fn cache_with_snapshot(&self) -> PathBuf {
        let cache = self.root.join("cache");
        run_ok(yadgar(&self.data, &cache).arg("due"));
        cache
    }

    /// Figure 2: export the deck with its history, the command as a whole (from
    /// its snapshot) and the package writing alone. Returns the package.
    fn export(&self) -> PathBuf {
        let data = &self.data;
        let cache = self.cache_with_snapshot();
        let package = self.root.join("synthetic.apkg");
        let t = Instant::now();
        let out = run_ok(yadgar(data, &cache).args(["export", "synthetic", "--force", "--to"]).arg(&package));
        let export_cli = t.elapsed();
        eprintln!("{}", out.trim());
        let collection = Collection::open_as(data, "default", "bench", &store::Opening::new(false, None)).unwrap();
        let library = collection.library();
        let deck = &library.decks.iter().find(|d| d.deck.id.0 == "synthetic").unwrap().deck;
        let history = collection.export_events(&deck.id).unwrap();
        let again = self.root.join("again.apkg");
        let _ = std::fs::remove_file(&again);
        let t = Instant::now();
        let exported = yadgar::interop::apkg::write(
            deck,
            &history,
            collection.scheduler(),
            &again,
            &yadgar::interop::Progress::new(),
        )
        .unwrap();
        let export_alone = t.elapsed();
        let _ = std::fs::remove_file(&again);
        println!(
            "| 2. export the deck as .apkg ({} cards, {} reviews, {:.0} MB) | {} (`yadgar export`: {}) | Anki 9.8 s |",
            exported.cards,
            exported.reviews,
            std::fs::metadata(&package).map_or(0, |m| m.len()) as f64 / 1e6,
            secs(export_alone),
            secs(export_cli)
        );
        package
    }

    /// Figure 3: import the package into a new profile, in a fresh process.
    fn import(&self, package: &Path) {
        let import_data = self.root.join("import-data");
        let _ = std::fs::remove_dir_all(&import_data);
        let t = Instant::now();
        let out = Command::new(std::env::current_exe().unwrap())
            .arg("--import-child")
            .arg(package)
            .arg(&import_data)
            .env("YADGAR_CONFIG_DIR", import_data.join("this-computer/config"))
            .env("YADGAR_CACHE_DIR", import_data.join("this-computer/cache"))
            .output()
            .unwrap();
        let import_time = t.elapsed();
        assert!(out.status.success(), "import failed: {}", String::from_utf8_lossy(&out.stderr));
        let peak = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        println!(
            "| 3. import the .apkg, peak resident memory | {peak} MiB (in {}) | Anki 354 MiB |",
            secs(import_time)
        );
    }

    /// Figure 4: the release binary's window with a snapshot, under Xvfb.
    fn window(&self) {
        let cache = self.cache_with_snapshot();
        let Ok(mut xvfb) = Command::new("Xvfb")
            .args([":97", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        else {
            println!("| 4. window to deck list, with a snapshot | (skipped: Xvfb is not installed) | Anki 1.66 s |");
            return;
        };
        std::thread::sleep(Duration::from_secs(1));
        // One start first, not counted, as in `benches/startup.sh`.
        first_frame(&self.data, &cache, ":97");
        let mut frames = Vec::new();
        let mut peaks = Vec::new();
        for _ in 0..self.runs {
            let (ms, mib) = first_frame(&self.data, &cache, ":97");
            frames.push(ms);
            peaks.push(mib);
        }
        let _ = xvfb.kill();
        let _ = xvfb.wait();
        frames.sort_by(f64::total_cmp);
        peaks.sort_by(f64::total_cmp);
        println!(
            "| 4. window to deck list, with a snapshot (Xvfb, median of {}) | {:.3} s (peak {:.0} MiB; all {:?} ms) | Anki 1.66 s |",
            self.runs,
            frames[frames.len() / 2] / 1000.0,
            peaks[peaks.len() / 2],
            frames
        );
    }
    /// Figure 5: `yadgar due` from the snapshot, then after another computer
    /// added 10,000 events (a third device's log, as a sync tool delivers
    /// it): dated after everything in the snapshot (applied on top), and
    /// dated among the events already there (both computers studied the same
    /// days: every card is replayed).
    fn merge_open(&self) {
        let data = &self.data;
        let cache = self.cache_with_snapshot();
        let saved = self.root.join("cache-saved");
        copy_dir(&cache, &saved);
        let due = |label: &str| {
            let mut times = Vec::new();
            for _ in 0..self.runs {
                let _ = std::fs::remove_dir_all(&cache);
                copy_dir(&saved, &cache);
                let t = Instant::now();
                run_ok(yadgar(data, &cache).arg("due"));
                times.push(t.elapsed());
            }
            let median = median(times);
            println!("({label}: {})", secs(median));
            median
        };
        let alone = due("`yadgar due` from the snapshot");
        let phone = store::log::log_path(&data.join("profiles/default"), "phone");
        let write_phone = |start_ms: i64, step_ms: i64| {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&phone).unwrap());
            for i in 0..10_000i64 {
                let event = yadgar::revlog::Event::new(
                    yadgar::revlog::EventId(0xfeed_0000_0000_0000_0000_0000_0000_0000 + i as u128),
                    yadgar::time::Moment::new(start_ms + i * step_ms, 3600),
                    yadgar::DeckId("synthetic".into()),
                    yadgar::CardId(format!("synthetic-{:06}", (i * 7) % 10_000).into()),
                    yadgar::revlog::Action::Review {
                        rating: yadgar::schedule::Rating::Good,
                        kind: yadgar::revlog::ReviewKind::Review,
                        answer_ms: 3000,
                    },
                );
                serde_json::to_writer(&mut out, &event).unwrap();
                std::io::Write::write_all(&mut out, b"\n").unwrap();
            }
        };
        write_phone(self.now.unix_ms + 1_000, 10);
        let after = due("after 10,000 events dated after the snapshot");
        write_phone(self.now.unix_ms - 30 * 86_400_000, 200_000);
        let among = due("after 10,000 events dated among the snapshot's (every card replayed)");
        let _ = std::fs::remove_file(&phone);
        println!(
            "| 5. open after another computer added 10,000 events (`yadgar due`, median of {}) | {} = {:.2}× the snapshot open ({}); events dated among the old ones: {} = {:.2}× | target ≤ 1.2× |",
            self.runs,
            secs(after),
            after.as_secs_f64() / alone.as_secs_f64(),
            secs(alone),
            secs(among),
            among.as_secs_f64() / alone.as_secs_f64()
        );
    }
}

/// Copies a folder and everything in it.
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

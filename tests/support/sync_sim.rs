//! A simulated folder-sync tool between three computers, shared by
//! `tests/sync.rs` (about 200 histories) and `examples/sync_sim.rs`
//! (10,000). Each computer has its own config and cache folders (its
//! device id, its snapshots) and its own copy of the profile folder. Random
//! card actions run on every computer with skewed clocks (±10 minutes, and
//! one computer a year ahead), while the sync tool copies log files between
//! them in random order and at random times: sometimes only part of a file
//! (a torn tail), sometimes as a conflict copy named the way Dropbox or
//! Syncthing name them, sometimes late. Besides grades and card actions the
//! computers edit cards (the same card on two computers, an edit against a
//! delete), delete and restore cards, move cards to a second deck while
//! other computers still study them at the old place, change settings on
//! both sides, and undo any of it. After full delivery every computer must show the same
//! state (cards, deleted cards, settings, progress), with every event any
//! computer confirmed, and each card field, deletion and setting must be
//! what the documented rule gives: the latest event by `(at_ms, id)` that
//! was not undone.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use yadgar::content::{ContentEvent, Edit};
use yadgar::deck::{Card, CardId, CardKind, Deck, DeckId, FORMAT_VERSION};
use yadgar::revlog::{Action, Event, EventId, Progress};
use yadgar::schedule::{Rating, Scheduler, Settings};
use yadgar::store::log::{list_logs, read_log};
use yadgar::store::{self, Collection, LocalDirs, Op, Opening, StoreError};
use yadgar::time::Moment;

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;
const YEAR: i64 = 365 * DAY;
/// 2026-12-01 12:00 UTC: where every history starts.
const START: i64 = 1_796_126_400_000;
const CARDS: usize = 6;

/// One simulated computer.
struct Computer {
    data: PathBuf,
    local: LocalDirs,
    device: String,
    /// Its clock minus the true time.
    skew_ms: i64,
    /// Offset of its time zone, seconds east.
    offset_s: i32,
}

impl Computer {
    fn profile(&self) -> PathBuf {
        self.data.join("profiles/default")
    }

    fn opening(&self, writable: bool, now_ms: i64, cached: bool) -> Opening {
        Opening { writable, now: Moment::new(now_ms, self.offset_s), local: cached.then(|| self.local.clone()) }
    }
}

/// What one history did, for the report.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    /// Events the computers confirmed (grades and card actions, undos too).
    pub confirmed: usize,
    /// Of them, content events: edits, deletes, restores, settings, undos of those.
    pub content: usize,
    /// Edits or deletes refused (a card deleted meanwhile, say).
    pub refused: usize,
    /// Files the sync tool delivered, whole or in part.
    pub deliveries: usize,
    /// Deliveries cut short (a torn tail).
    pub partial: usize,
    /// Conflict copies the sync tool made.
    pub conflict_copies: usize,
}

impl Outcome {
    /// Adds another history's counts to these.
    pub fn add(&mut self, other: Outcome) {
        self.confirmed += other.confirmed;
        self.content += other.content;
        self.refused += other.refused;
        self.deliveries += other.deliveries;
        self.partial += other.partial;
        self.conflict_copies += other.conflict_copies;
    }
}

fn deck() -> DeckId {
    DeckId("sim".into())
}

fn card(i: usize) -> CardId {
    CardId(format!("c{i}").into())
}

/// The deck every computer has as an input file (a synced `decks/sim.json`).
fn input_deck() -> Deck {
    Deck {
        format: FORMAT_VERSION,
        id: deck(),
        title: "Simulation".to_owned(),
        source_sha256: None,
        description: String::new(),
        covers: Vec::new(),
        cards: (0..CARDS)
            .map(|i| Card {
                id: card(i),
                kind: CardKind::Concept,
                question: format!("Question {i}?"),
                answer: format!("Answer {i}"),
                ..Card::default()
            })
            .collect(),
        retired: Vec::new(),
    }
}

fn other_deck() -> DeckId {
    DeckId("sim-moved".into())
}

/// A second own deck, empty at first: cards are moved into it.
fn other_input_deck() -> Deck {
    Deck { id: other_deck(), title: "Moved".to_owned(), cards: Vec::new(), ..input_deck() }
}

/// The fields the simulation edits.
const FIELDS: [&str; 3] = ["answer", "note", "tags"];

/// Runs history `seed` in a fresh temporary folder and checks it; returns
/// what happened, or what went wrong.
///
/// # Errors
/// A check failed: the message says which history and what differed.
pub fn run(seed: u64) -> Result<Outcome, String> {
    let root = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut computers = Vec::new();
    for i in 0..3 {
        let folder = root.path().join(format!("computer-{i}"));
        let local = LocalDirs::in_folder(&folder.join("own"));
        let device = store::device_id(&local.device_id_file()).map_err(|e| e.to_string())?;
        let skew_ms = match i {
            2 => YEAR + rng.random_range(-10 * MINUTE..=10 * MINUTE),
            _ => rng.random_range(-10 * MINUTE..=10 * MINUTE),
        };
        let offset_s = [3600, -18_000, 12_600][i];
        let data = folder.join("data");
        let decks = data.join("profiles/default/decks");
        std::fs::create_dir_all(&decks).map_err(|e| e.to_string())?;
        for deck in [input_deck(), other_input_deck()] {
            std::fs::write(decks.join(format!("{}.json", deck.id)), deck.to_json().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
        computers.push(Computer { data, local, device, skew_ms, offset_s });
    }
    let mut outcome = Outcome::default();
    let mut confirmed: Vec<(usize, yadgar::revlog::EventId)> = Vec::new();
    let mut now = START;
    let steps = rng.random_range(20..40);
    for _ in 0..steps {
        now += match rng.random_range(0..10) {
            0 => rng.random_range(DAY..3 * DAY),
            1..=3 => rng.random_range(MINUTE..6 * 60 * MINUTE),
            _ => rng.random_range(1_000..5 * MINUTE),
        };
        if rng.random_bool(0.45) {
            let who = rng.random_range(0..3);
            session(&computers[who], who, &mut rng, &mut now, &mut confirmed, &mut outcome, seed)?;
        } else {
            for _ in 0..rng.random_range(1..4) {
                let from = rng.random_range(0..3);
                let to = (from + rng.random_range(1..3)) % 3;
                deliver(&computers[from], &computers[to], &mut rng, false, &mut outcome)?;
            }
        }
    }
    outcome.confirmed = confirmed.len();
    // Full delivery: every file everywhere, until nothing changes.
    loop {
        let before = outcome.deliveries;
        for from in 0..3 {
            for to in 0..3 {
                if from != to {
                    deliver(&computers[from], &computers[to], &mut rng, true, &mut outcome)?;
                }
            }
        }
        if outcome.deliveries == before {
            break;
        }
    }
    outcome.content = check(&computers, &confirmed, now, seed)?;
    Ok(outcome)
}

/// A study session on one computer: open, a few actions, maybe a snapshot.
fn session(
    computer: &Computer,
    who: usize,
    rng: &mut StdRng,
    now: &mut i64,
    confirmed: &mut Vec<(usize, yadgar::revlog::EventId)>,
    outcome: &mut Outcome,
    seed: u64,
) -> Result<(), String> {
    let opening = computer.opening(true, *now + computer.skew_ms, true);
    let mut c = Collection::open_as(&computer.data, "default", &computer.device, &opening)
        .map_err(|e| format!("history {seed}: computer {who} cannot open: {e}"))?;
    if c.device() != computer.device {
        return Err(format!("history {seed}: computer {who} took a new device id: {:?}", c.warnings()));
    }
    for _ in 0..rng.random_range(1..6) {
        *now += rng.random_range(1_000..90_000);
        let at = Moment::new(*now + computer.skew_ms, computer.offset_s);
        let (d, k) = (deck(), card(rng.random_range(0..CARDS)));
        // Grades and card actions also go to cards moved to the other deck
        // (or at their old place, on a computer the move has not reached).
        let studied = if rng.random_bool(0.2) { other_deck() } else { deck() };
        let done = match rng.random_range(0..18) {
            0..=5 => {
                let rating = Rating::ALL[rng.random_range(0..4)];
                c.grade(&studied, &k, rating, rng.random_range(500..20_000), at, rng.random_bool(0.05)).map(Some)
            }
            6 => c.record(&studied, &k, Action::Bury, at).map(Some),
            7 => c.record(&studied, &k, Action::Suspend, at).map(Some),
            8 => c.record(&studied, &k, Action::Unsuspend, at).map(Some),
            9 => c.record(&studied, &k, Action::Reset, at).map(Some),
            10 => c.record(&studied, &k, Action::SendToReview, at).map(Some),
            17 => c
                .apply(Op::MoveCards { cards: vec![(d.clone(), k.clone())], to: other_deck() }, at)
                .map(|change| change.event),
            11 => c.apply(Op::Undo, at).map(|change| change.event),
            12 | 13 => {
                // An edit of one field of a card (maybe deleted meanwhile).
                let shown = c.library().deck(&d).and_then(|l| l.deck.cards.iter().find(|x| x.id == k).cloned());
                match shown {
                    Some(mut edited) => {
                        let word = format!("{}-{}", ["red", "blue", "green"][who], rng.random_range(0..1000));
                        match FIELDS[rng.random_range(0..FIELDS.len())] {
                            "answer" => edited.answer = format!("Answer {word}"),
                            "note" => edited.note = format!("Note {word}"),
                            _ => edited.tags = vec![word],
                        }
                        c.apply(Op::EditCards(vec![(d.clone(), edited)]), at).map(|change| change.event)
                    }
                    None => Err(StoreError::NoSuchCard { deck: d.0.to_string(), card: k.0.to_string() }),
                }
            }
            14 => c.apply(Op::DeleteCards(vec![(d.clone(), k.clone())]), at).map(|change| change.event),
            15 => c.apply(Op::RestoreCards(vec![(d.clone(), k.clone())]), at).map(|change| change.event),
            _ => {
                let mut settings = c.settings().clone();
                if rng.random_bool(0.5) {
                    settings.new_per_day = rng.random_range(1..60);
                } else {
                    settings.desired_retention = [0.8, 0.85, 0.9, 0.95][rng.random_range(0..4)];
                }
                c.apply(Op::SetSettings(settings), at).map(|change| change.event)
            }
        };
        match done {
            Ok(Some(id)) => confirmed.push((who, id)),
            Ok(None) => {}
            // Refused by a rule (the card is deleted, or not deleted): the
            // student is told, and nothing was written.
            Err(StoreError::NoSuchCard { .. } | StoreError::InvalidDeck(_)) => outcome.refused += 1,
            Err(e) => return Err(format!("history {seed}: computer {who}: an action failed: {e}")),
        }
    }
    if rng.random_bool(0.5) {
        c.save_snapshot().map_err(|e| format!("history {seed}: computer {who}: snapshot: {e}"))?;
    }
    Ok(())
}

/// The sync tool copies one log file (or, with `full`, every log file) from
/// `from` to `to`. A file is only ever replaced by a longer version of
/// itself (each log has one writer, so versions are prefixes of each
/// other); a delivery may stop part-way (not with `full`), and may instead
/// leave the incoming version as a conflict copy.
fn deliver(from: &Computer, to: &Computer, rng: &mut StdRng, full: bool, outcome: &mut Outcome) -> Result<(), String> {
    if !from.profile().is_dir() {
        return Ok(());
    }
    let (logs, _) = list_logs(&from.profile()).map_err(|e| e.to_string())?;
    let mut files: Vec<PathBuf> = logs.into_iter().map(|l| l.path).collect();
    if !full {
        if files.is_empty() {
            return Ok(());
        }
        let pick = files.swap_remove(rng.random_range(0..files.len()));
        files = vec![pick];
    }
    std::fs::create_dir_all(to.profile()).map_err(|e| e.to_string())?;
    for source in files {
        let Some(name) = source.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
        let incoming = std::fs::read(&source).map_err(|e| e.to_string())?;
        let target = to.profile().join(&name);
        let present = std::fs::read(&target).unwrap_or_default();
        if incoming.len() <= present.len() || !incoming.starts_with(&present) {
            continue;
        }
        let is_copy =
            !name.trim_end_matches(".jsonl").trim_start_matches("reviews-").chars().all(|c| c.is_ascii_alphanumeric());
        if !full && !is_copy && rng.random_bool(0.12) {
            // Both sides "changed": the incoming version lands beside the
            // file as a conflict copy, the way Dropbox or Syncthing name it.
            let stem = name.trim_end_matches(".jsonl");
            let copy = if rng.random_bool(0.5) {
                format!(
                    "{stem} (conflicted copy 2026-12-{:02} {}).jsonl",
                    rng.random_range(1..29),
                    rng.random_range(0..1000)
                )
            } else {
                let tag: String = (0..7).map(|_| char::from(b'A' + rng.random_range(0..26))).collect();
                format!(
                    "{stem}.sync-conflict-202612{:02}-{:06}-{tag}.jsonl",
                    rng.random_range(1..29),
                    rng.random_range(0..235_959)
                )
            };
            write_replacing(&to.profile().join(copy), &incoming)?;
            outcome.conflict_copies += 1;
            continue;
        }
        let len = if !full && rng.random_bool(0.25) {
            outcome.partial += 1;
            rng.random_range(present.len() + 1..=incoming.len())
        } else {
            incoming.len()
        };
        write_replacing(&target, incoming.get(..len).unwrap_or(&incoming))?;
        outcome.deliveries += 1;
    }
    Ok(())
}

/// Writes a file the way sync tools do: a temporary file renamed over it.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_file_name(".syncing.tmp");
    std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)).map_err(|e| e.to_string())
}

/// The documented rule, written out again for the check: the cards of the
/// simulation deck (field by field, the latest edit not undone; deleted if
/// the latest delete or restore not undone is a delete) and the settings
/// (key by key, the latest change not undone), from every content event
/// dated up to `hold`.
fn expected_content(events: &[ContentEvent], hold: i64) -> (Vec<Card>, Vec<CardId>, Settings) {
    let mut events: Vec<&ContentEvent> = events.iter().filter(|e| e.at_ms <= hold).collect();
    events.sort_by_key(|e| (e.at_ms, e.id));
    events.dedup_by_key(|e| e.id);
    let undone: HashSet<EventId> = events
        .iter()
        .filter_map(|e| match e.edit {
            Edit::Revert { target } => Some(target),
            _ => None,
        })
        .collect();
    let live = |e: &&&ContentEvent| !undone.contains(&e.id) && !e.op.is_some_and(|op| undone.contains(&op));
    let mut cards = input_deck().cards;
    let mut deleted: Vec<CardId> = Vec::new();
    let mut settings = serde_json::to_value(Settings::default()).unwrap_or_default();
    for event in events.iter().filter(live) {
        match &event.edit {
            Edit::CardEdit { card: edited, fields, .. } => {
                let Some(shown) = cards.iter_mut().find(|c| c.id == edited.id) else { continue };
                for field in fields {
                    match field.as_str() {
                        "answer" => shown.answer.clone_from(&edited.answer),
                        "note" => shown.note.clone_from(&edited.note),
                        "tags" => shown.tags.clone_from(&edited.tags),
                        _ => {}
                    }
                }
            }
            Edit::CardDelete { card, .. } if !deleted.contains(card) => deleted.push(card.clone()),
            Edit::CardRestore { card, .. } => deleted.retain(|c| c != card),
            Edit::Settings { values } => {
                for (key, value) in values {
                    settings[key] = value.clone();
                }
            }
            _ => {}
        }
    }
    deleted.sort();
    let settings = serde_json::from_value(settings).unwrap_or_default();
    (cards, deleted, settings)
}

/// After full delivery: every computer shows the same state (from its
/// snapshot and from the logs alone), now and a year later when the fast
/// computer's events have come due, and that state is the replay of every
/// event confirmed anywhere, under the documented rule. Returns how many
/// of the confirmed events were content events.
fn check(
    computers: &[Computer],
    confirmed: &[(usize, yadgar::revlog::EventId)],
    now: i64,
    seed: u64,
) -> Result<usize, String> {
    // Every confirmed event is in every computer's copy of the logs.
    let mut union: Vec<Event> = Vec::new();
    let mut content: Vec<ContentEvent> = Vec::new();
    for (i, computer) in computers.iter().enumerate() {
        let (logs, _) = list_logs(&computer.profile()).map_err(|e| e.to_string())?;
        let mut ids = HashSet::new();
        for log in logs {
            let read = read_log(&log.path, 0).map_err(|e| e.to_string())?;
            ids.extend(read.events.iter().map(|e| e.id));
            ids.extend(read.content.iter().map(|(e, _)| e.id));
            if i == 0 {
                union.extend(read.events);
                content.extend(read.content.into_iter().map(|(e, _)| e));
            }
        }
        let missing: Vec<_> = confirmed.iter().filter(|(_, id)| !ids.contains(id)).collect();
        if !missing.is_empty() {
            return Err(format!("history {seed}: computer {i} lacks confirmed events {missing:?}"));
        }
    }
    let content_ids: HashSet<EventId> = content.iter().map(|e| e.id).collect();
    let confirmed_content = confirmed.iter().filter(|(_, id)| content_ids.contains(id)).count();
    for at in [now, now + YEAR + 2 * DAY] {
        let (cards, deleted, settings) = expected_content(&content, at + DAY);
        let scheduler = Scheduler::new(settings.clone()).map_err(|e| e.to_string())?;
        let held: BTreeSet<_> = union.iter().filter(|e| e.at_ms > at + DAY).map(|e| e.id).collect();
        let due: Vec<Event> = union.iter().filter(|e| !held.contains(&e.id)).cloned().collect();
        // A moved card's events at its old place count at the new one too
        // (and in the days only there).
        let carries = yadgar::content::carries(content.iter().filter(|e| e.at_ms <= at + DAY));
        let expected = Progress::replay_moved(&scheduler, due, &carries);
        for (i, computer) in computers.iter().enumerate() {
            for cached in [true, false] {
                // Each computer opens at the same true time, so the same
                // events are due everywhere.
                let opening = computer.opening(false, at, cached);
                let c = Collection::open_as(&computer.data, "default", &computer.device, &opening)
                    .map_err(|e| format!("history {seed}: computer {i} cannot open: {e}"))?;
                let library = c.library();
                let shown: Vec<Card> = library.deck(&deck()).map(|d| d.deck.cards.clone()).unwrap_or_default();
                let want: Vec<Card> = cards.iter().filter(|c| !deleted.contains(&c.id)).cloned().collect();
                let mut gone: Vec<CardId> = c.deleted_cards().iter().map(|d| d.card.id.clone()).collect();
                gone.sort();
                if shown != want || gone != deleted || *c.settings() != settings {
                    return Err(format!(
                        "history {seed}: computer {i} (from its snapshot: {cached}) at {at} shows other cards or settings than the rule gives:\n  cards {shown:?}\n  should be {want:?}\n  deleted {gone:?}, should be {deleted:?}\n  settings {:?}\n  should be {settings:?}",
                        c.settings()
                    ));
                }
                let progress = c.progress();
                if progress.states != expected.states || progress.days != expected.days {
                    let mut differ = Vec::new();
                    let mut keys: BTreeSet<(&DeckId, &CardId)> = BTreeSet::new();
                    for states in [&progress.states, &expected.states] {
                        keys.extend(states.iter().flat_map(|(d, cards)| cards.keys().map(move |k| (d, k))));
                    }
                    for (d, k) in keys {
                        let (mine, right) = (progress.state(d, k), expected.state(d, k));
                        if mine != right {
                            differ.push(format!("card {d}/{k}: {mine:?}\n  should be {right:?}"));
                        }
                    }
                    if progress.days != expected.days {
                        differ.push(format!("days: {:?}\n  should be {:?}", progress.days, expected.days));
                    }
                    return Err(format!(
                        "history {seed}: computer {i} (from its snapshot: {cached}) at {at} differs from the replay of every event:\n{}\nwarnings: {:?}",
                        differ.join("\n"),
                        c.warnings()
                    ));
                }
                if at == now && !held.is_empty() && !c.warnings().iter().any(|w| w.contains("held back")) {
                    return Err(format!("history {seed}: computer {i}: events held back without a warning"));
                }
                if cached && !c.snapshot_is_current() {
                    c.save_snapshot().map_err(|e| e.to_string())?;
                }
            }
        }
    }
    Ok(confirmed_content)
}

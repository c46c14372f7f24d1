//! The incremental merge (issue 15): when another computer's events arrive
//! dated among those already applied, only the cards they touch are
//! replayed, plus the day counters. Whatever the path (the live merge, a
//! snapshot open, this computer's own grade dated before another's), the
//! result is the full replay's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use yadgar::deck::{CardId, DeckId};
use yadgar::revlog::{Action, Event, EventId, Grade, NeedsFullReplay, Progress, ReviewKind};
use yadgar::schedule::{Rating, Scheduler, Settings};
use yadgar::store::log::{LogWriter, log_path};
use yadgar::store::{Collection, LocalDirs, Opening};
use yadgar::time::Moment;

const DAY: i64 = 86_400_000;
/// 2026-11-01 12:00 UTC.
const START: i64 = 1_793_534_400_000;

fn deck() -> DeckId {
    DeckId("history".into())
}

fn card(i: usize) -> CardId {
    CardId(format!("card-{i}").into())
}

fn scheduler() -> Scheduler {
    Scheduler::new(Settings::default()).unwrap()
}

fn grade(id: u128, at_ms: i64, card_no: usize, rating: Rating) -> Event {
    let action = Action::Review { rating, kind: ReviewKind::Learn, answer_ms: 2000 };
    Event::new(EventId(id), Moment::new(at_ms, 3600), deck(), card(card_no), action)
}

fn undo(id: u128, at_ms: i64, of: &Event) -> Event {
    Event::new(EventId(id), Moment::new(at_ms, 3600), of.deck.clone(), of.card.clone(), Action::Undo { target: of.id })
}

/// The grades of a journal by card and time, whatever order the cards came in.
fn sorted_grades(progress: &Progress) -> Vec<(String, i64, u8, u32)> {
    let keys = &progress.journal.keys;
    let mut grades: Vec<_> = progress
        .journal
        .grades
        .iter()
        .map(|g: &Grade| {
            let (_, card) = keys.key(g.key).unwrap();
            (card.0.to_string(), g.at.unix_ms, u8::from(g.rating), g.last_interval)
        })
        .collect();
    grades.sort();
    grades
}

/// States, day counters, last event and unseen undos, as a full replay has them.
fn assert_same(merged: &Progress, replayed: &Progress, what: &str) {
    assert_eq!(merged.states, replayed.states, "{what}: states");
    assert_eq!(merged.days, replayed.days, "{what}: day counters");
    assert_eq!(merged.last_applied, replayed.last_applied, "{what}: last event");
    assert_eq!(merged.undone_unseen, replayed.undone_unseen, "{what}: undos of events not seen");
    if merged.journal.complete {
        assert_eq!(sorted_grades(merged), sorted_grades(replayed), "{what}: journal of grades");
    }
}

/// A random history of grades, card actions and undos over `cards` cards
/// and 40 days, with ids from `first_id`.
fn history(rng: &mut StdRng, first_id: u128, n: usize, cards: usize) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    for i in 0..n {
        let id = first_id + i as u128;
        let at = START + rng.random_range(0..40 * DAY);
        let card_no = rng.random_range(0..cards);
        let event = match rng.random_range(0..20) {
            0 if !events.is_empty() => {
                let target = events[rng.random_range(0..events.len())].clone();
                undo(id, at.max(target.at_ms), &target)
            }
            1 => Event::new(EventId(id), Moment::new(at, 3600), deck(), card(card_no), Action::Suspend),
            2 => Event::new(EventId(id), Moment::new(at, 3600), deck(), card(card_no), Action::Unsuspend),
            3 => Event::new(EventId(id), Moment::new(at, 3600), deck(), card(card_no), Action::Reset),
            4 => Event::new(EventId(id), Moment::new(at, 3600), deck(), card(card_no), Action::Bury),
            _ => {
                let rating = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy][rng.random_range(0..4)];
                grade(id, at, card_no, rating)
            }
        };
        events.push(event);
    }
    events
}

#[test]
fn random_tails_dated_among_the_applied_events_merge_as_a_full_replay() {
    let scheduler = scheduler();
    let mut merged_card_by_card = 0;
    for seed in 0..300 {
        let mut rng = StdRng::seed_from_u64(seed);
        let cards = rng.random_range(3..30);
        let n = rng.random_range(0..300);
        let old = history(&mut rng, 1 << 40, n, cards);
        // The other computer's events: a few cards, dated anywhere, some
        // undoing its own events or the ones already applied.
        let n = rng.random_range(1..25);
        let mut tail = history(&mut rng, 2 << 40, n, cards.min(4));
        if rng.random_bool(0.3)
            && let Some(target) = old.iter().find(|e| !matches!(e.action, Action::Undo { .. }))
        {
            tail.push(undo(3 << 40, target.at_ms + 1000, target));
        }
        // Some of its events were already applied (a conflict copy).
        if rng.random_bool(0.2)
            && let Some(again) = old.first()
        {
            tail.push(again.clone());
        }
        let mut merged = Progress::replay(&scheduler, old.clone());
        let before = merged.clone();
        let all: Vec<Event> = old.iter().chain(&tail).cloned().collect();
        let replayed = Progress::replay(&scheduler, all);
        match merged.merge_events(&scheduler, old.clone(), tail.clone()) {
            Ok(()) => {
                merged_card_by_card += 1;
                assert_same(&merged, &replayed, &format!("history {seed}"));
                // Every action on the undo stack can still be taken back, to
                // the state a replay without it gives.
                if let Some(latest) = merged.undoable.last().cloned() {
                    let undo_event = undo(
                        4 << 40,
                        merged.last_applied.unwrap().0 + 1,
                        &Event::new(
                            latest.id,
                            Moment::new(0, 0),
                            latest.key.0.clone(),
                            latest.key.1.clone(),
                            latest.action.clone(),
                        ),
                    );
                    let mut undone = merged.clone();
                    if undone.apply(&scheduler, undo_event.clone()).is_ok() {
                        let every: Vec<Event> = old.iter().chain(&tail).chain([&undo_event]).cloned().collect();
                        let want = Progress::replay(&scheduler, every);
                        assert_eq!(undone.states, want.states, "history {seed}: undo after the merge");
                        assert_eq!(undone.days, want.days, "history {seed}: undo after the merge");
                    }
                }
            }
            Err(NeedsFullReplay) => assert_eq!(merged, before, "history {seed}: a refused merge changes nothing"),
        }
    }
    assert!(merged_card_by_card > 250, "only {merged_card_by_card} of 300 merged card by card");
}

#[test]
fn a_grade_dated_before_a_cards_first_moves_the_new_card_count_to_its_day() {
    let scheduler = scheduler();
    // Card 0 was first studied on day 5 (it counts as new there); the
    // other computer graded it on day 2, so day 2 has the new card and
    // day 5 a learning step. Card 1 is untouched.
    let old = vec![grade(1, START + 5 * DAY, 0, Rating::Good), grade(2, START + 5 * DAY + 1, 1, Rating::Good)];
    let tail = vec![grade(3, START + 2 * DAY, 0, Rating::Again)];
    let mut merged = Progress::replay(&scheduler, old.clone());
    let rollover = scheduler.settings().rollover_hour;
    let day = |ms: i64| Moment::new(ms, 3600).day(rollover);
    assert_eq!(merged.day(day(START + 5 * DAY)).new, 2);
    merged.merge_events(&scheduler, old.clone(), tail.clone()).unwrap();
    assert_eq!(merged.day(day(START + 2 * DAY)).new, 1);
    assert_eq!(merged.day(day(START + 5 * DAY)).new, 1);
    assert_eq!(merged.day(day(START + 5 * DAY)).answers, 2);
    let replayed = Progress::replay(&scheduler, old.into_iter().chain(tail).collect());
    assert_same(&merged, &replayed, "one grade before");
}

#[test]
fn an_undo_whose_event_is_elsewhere_is_left_to_a_full_replay() {
    let scheduler = scheduler();
    let old = vec![grade(1, START, 0, Rating::Good)];
    // An undo filed under card 1 that takes back card 0's grade (no build
    // writes one; a hand-edited log could).
    let mut stray = undo(2, START - DAY, &old[0]);
    stray.card = card(1);
    let mut progress = Progress::replay(&scheduler, old.clone());
    let before = progress.clone();
    assert_eq!(progress.merge_events(&scheduler, old, vec![stray]), Err(NeedsFullReplay));
    assert_eq!(progress, before);
}

/// A computer with its own folders, opening a profile folder.
struct Computer {
    data: PathBuf,
    local: LocalDirs,
    device: String,
}

impl Computer {
    fn new(root: &Path) -> Computer {
        Computer {
            data: root.join("data"),
            local: LocalDirs::in_folder(&root.join("own")),
            device: "desktop0000000001".into(),
        }
    }

    /// Opens at `now_ms`, from the snapshot when `cached`.
    fn open(&self, writable: bool, now_ms: i64, cached: bool) -> Collection {
        let opening = Opening { writable, now: Moment::new(now_ms, 3600), local: cached.then(|| self.local.clone()) };
        Collection::open_as(&self.data, "default", &self.device, &opening).unwrap()
    }

    fn profile(&self) -> PathBuf {
        self.data.join("profiles/default")
    }

    /// Another computer's events, as a sync tool delivers them.
    fn deliver(&self, device: &str, events: &[Event]) {
        let mut writer = LogWriter::open(&log_path(&self.profile(), device)).unwrap();
        writer.append_all(events).unwrap();
    }
}

/// 40 cards graded over 30 days by this computer, a few undone.
fn studied(computer: &Computer) -> i64 {
    let mut c = computer.open(true, START, true);
    for day in 0..30 {
        for k in 0..40 {
            if (k + day) % 3 == 0 {
                let at = Moment::new(START + day as i64 * DAY + k as i64 * 60_000, 3600);
                let id = c.grade(&deck(), &card(k), Rating::Good, 1500, at, false).unwrap();
                if k % 11 == 0 {
                    c.apply(yadgar::store::Op::UndoEvents(vec![id]), at).unwrap();
                }
            }
        }
    }
    c.save_snapshot().unwrap();
    START + 30 * DAY
}

/// The other computer's grades of cards 3, 5 and 7, dated among this
/// computer's, one undoing one of its own, one undoing a grade of this
/// computer's.
fn phone_events(computer: &Computer) -> Vec<Event> {
    let c = computer.open(false, START + 30 * DAY, false);
    let target = c
        .progress()
        .undoable
        .iter()
        .rev()
        .find(|u| u.key.1 == card(5))
        .map(|u| Event::new(u.id, Moment::new(u.order_key().0, 3600), deck(), card(5), u.action.clone()))
        .unwrap();
    let first = grade(9 << 60, START + 4 * DAY + 7, 3, Rating::Again);
    vec![
        grade((9 << 60) + 1, START + 10 * DAY, 7, Rating::Easy),
        undo((9 << 60) + 2, START + 12 * DAY, &first),
        first,
        grade((9 << 60) + 3, START + 2 * DAY, 7, Rating::Hard),
        undo((9 << 60) + 4, START + 29 * DAY + 5, &target),
        grade((9 << 60) + 5, START + 20 * DAY, 3, Rating::Good),
    ]
}

#[test]
fn a_snapshot_open_after_another_computer_studied_the_same_days_replays_only_its_cards() {
    let dir = tempfile::tempdir().unwrap();
    let computer = Computer::new(dir.path());
    let now = studied(&computer);
    let events = phone_events(&computer);
    computer.deliver("phone000000000001", &events);
    let from_snapshot = computer.open(false, now, true);
    let replayed = computer.open(false, now, false);
    // A full replay builds the journal of grades; the snapshot open did not
    // replay everything, so it has none.
    assert!(!from_snapshot.progress().journal.complete, "the snapshot open replayed every log");
    assert!(replayed.progress().journal.complete);
    assert_same(from_snapshot.progress(), replayed.progress(), "snapshot open");
    for k in [3, 5, 7] {
        assert_ne!(from_snapshot.progress().state(&deck(), &card(k)), None);
    }
}

#[test]
fn the_live_merge_of_a_tail_dated_among_the_applied_events_equals_a_full_replay() {
    let dir = tempfile::tempdir().unwrap();
    let computer = Computer::new(dir.path());
    let now = studied(&computer);
    let mut open = computer.open(true, now, false);
    assert!(open.progress().journal.complete);
    let events = phone_events(&computer);
    // Delivered in two parts, the second dated before the first.
    computer.deliver("phone000000000001", &events[3..]);
    let merged = open.merge_new(Moment::new(now, 3600)).unwrap();
    assert_eq!(merged.events, 3);
    computer.deliver("phone000000000001", &events[..3]);
    let merged = open.merge_new(Moment::new(now, 3600)).unwrap();
    assert_eq!(merged.events, 3);
    let replayed = computer.open(false, now, false);
    assert_same(open.progress(), replayed.progress(), "live merge");

    // This computer's next grade is dated before the phone's latest event
    // (whose clock is ahead): merged card by card too.
    computer.deliver("phone000000000001", &[grade((9 << 60) + 10, now + 3_600_000, 9, Rating::Good)]);
    open.merge_new(Moment::new(now, 3600)).unwrap();
    open.grade(&deck(), &card(9), Rating::Hard, 1000, Moment::new(now + 60_000, 3600), false).unwrap();
    open.grade(&deck(), &card(10), Rating::Easy, 1000, Moment::new(now + 120_000, 3600), false).unwrap();
    let replayed = computer.open(false, now + 180_000, false);
    assert_same(open.progress(), replayed.progress(), "own grades dated before another computer's");
    // And undo still takes back this computer's latest grade.
    open.apply(yadgar::store::Op::Undo, Moment::new(now + 150_000, 3600)).unwrap();
    let replayed = computer.open(false, now + 180_000, false);
    assert_same(open.progress(), replayed.progress(), "undo after the merge");
    let ids: HashSet<_> = open.progress().undoable.iter().map(|u| u.key.1.clone()).collect();
    assert!(ids.contains(&card(9)));
}

#[test]
fn a_last_line_delivered_without_its_newline_counts_once_when_the_rest_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let computer = Computer::new(dir.path());
    let now = studied(&computer);
    // A sync tool delivers the phone's log up to its last newline, not
    // included: the line reads as an event (a cram grade, which changes no
    // state, only the day counters) and is applied.
    let phone = log_path(&computer.profile(), "phone000000000001");
    let cram = Event::new(
        EventId(7 << 60),
        Moment::new(START + 12 * DAY, 3600),
        deck(),
        card(4),
        Action::Review { rating: Rating::Again, kind: ReviewKind::Cram, answer_ms: 16_573 },
    );
    let line = serde_json::to_string(&cram).unwrap();
    std::fs::write(&phone, &line).unwrap();
    let mut open = computer.open(true, now, false);
    open.merge_new(Moment::new(now, 3600)).unwrap();
    let from_snapshot = computer.open(false, now, true);
    from_snapshot.save_snapshot().unwrap();
    drop(from_snapshot);
    // Then the newline arrives, with a grade dated among the applied ones.
    let earlier = grade((7 << 60) + 1, START + 3 * DAY, 4, Rating::Good);
    std::fs::write(&phone, format!("{line}\n{}\n", serde_json::to_string(&earlier).unwrap())).unwrap();
    open.merge_new(Moment::new(now, 3600)).unwrap();
    let replayed = computer.open(false, now, false);
    assert_same(open.progress(), replayed.progress(), "live merge");
    let from_snapshot = computer.open(false, now, true);
    assert!(!from_snapshot.progress().journal.complete, "the snapshot open replayed every log");
    assert_same(from_snapshot.progress(), replayed.progress(), "snapshot open");
}

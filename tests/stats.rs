//! Statistics on fixed histories with known answers: the forecast, true
//! retention as Anki defines it, the heatmap across daylight-saving changes
//! and the 4 am rollover; the journal of grades kept by the store; the
//! optimiser and the simulator used by the tuning screen.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use yadgar::deck::{CardId, DeckId, Library};
use yadgar::history::{HistoryError, parse_csv};
use yadgar::revlog::{Grade, ReviewKind};
use yadgar::schedule::{CardState, Due, Memory, Phase, Rating, Settings};
use yadgar::stats::tuning::{self, SimProgress};
use yadgar::stats::{self, CardInfo, Filter, Input, Period};
use yadgar::store::{Collection, LocalDirs, Opening};
use yadgar::time::{Day, Moment};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Noon UTC on 2026-11-29, a Sunday; with the 4 am rollover its study day
/// is 2026-11-29.
fn now() -> Moment {
    Moment::new(1_795_953_600_000, 0)
}

fn today() -> Day {
    now().day(4)
}

fn input(cards: Vec<CardInfo>, grades: Vec<Grade>) -> Input {
    Input { now: now(), settings: Settings::default(), cards, tags: vec!["t".to_owned()], grades }
}

fn review_card(due: Due, interval_days: u32) -> CardInfo {
    CardInfo {
        state: Some(CardState {
            phase: Phase::Review,
            due,
            interval_days,
            memory: Some(Memory { stability: interval_days as f32, difficulty: 5.0 }),
            last_review: Some(Moment::new(now().unix_ms - i64::from(interval_days) * DAY, 0)),
            reps: 3,
            ..CardState::default()
        }),
        tags: vec![0],
    }
}

fn grade(key: u32, at_ms: i64, rating: u8, kind: ReviewKind, last_interval: u32) -> Grade {
    Grade {
        key,
        at: Moment::new(at_ms, 0),
        rating: Rating::try_from(rating).unwrap(),
        kind,
        answer_ms: 6_000,
        last_interval,
    }
}

#[test]
fn the_forecast_counts_each_card_on_its_due_day_with_overdue_cards_today() {
    let t = today();
    let learning = CardInfo {
        state: Some(CardState {
            phase: Phase::Learning,
            due: Due::At(now().unix_ms + 10 * 60_000),
            ..CardState::default()
        }),
        tags: vec![],
    };
    let suspended = CardInfo {
        state: Some(CardState { suspended: true, ..review_card(Due::Day(t.plus(1)), 3).state.unwrap() }),
        tags: vec![],
    };
    let buried = CardInfo {
        state: Some(CardState { buried_until: Some(t.plus(1)), ..review_card(Due::Day(t), 3).state.unwrap() }),
        tags: vec![],
    };
    let cards = vec![
        review_card(Due::Day(t.plus(-5)), 10), // overdue: today
        review_card(Due::Day(t), 4),
        review_card(Due::Day(t.plus(1)), 30),
        review_card(Due::Day(t.plus(1)), 2),
        review_card(Due::Day(t.plus(29)), 60),
        review_card(Due::Day(t.plus(400)), 400), // past the forecast
        learning,
        suspended,
        buried,
        CardInfo { state: None, tags: vec![] }, // new
    ];
    let s = stats::compute(&input(cards, vec![]));
    assert_eq!(s.forecast.len(), stats::FORECAST_DAYS);
    assert_eq!((s.forecast[0].review, s.forecast[0].learning), (2, 1));
    assert_eq!(s.overdue, 1);
    assert_eq!((s.forecast[1].review, s.forecast[1].learning), (3, 0));
    assert_eq!(s.forecast[29].review, 1);
    let total: u32 = s.forecast.iter().map(|d| d.review + d.learning).sum();
    assert_eq!(total, 7);
    assert_eq!(s.states.new, 1);
    assert_eq!(s.states.learning, 1);
    assert_eq!(s.states.young, 4); // intervals 10, 4, 2, 3 (the buried card)
    assert_eq!(s.states.mature, 3); // 30, 60, 400
    assert_eq!(s.states.suspended, 1);
}

#[test]
fn true_retention_counts_the_first_review_of_the_day_of_cards_with_an_interval() {
    let start = now().start_of(today(), 4).unix_ms;
    let today_at = start + 2 * HOUR;
    let yesterday_at = start - 20 * HOUR;
    let grades = vec![
        // Today: young pass, then a second review of the same card (ignored).
        grade(1, today_at, 3, ReviewKind::Review, 5),
        grade(1, today_at + HOUR, 1, ReviewKind::Review, 5),
        // Today: mature fail, mature pass (hard counts as a pass).
        grade(2, today_at, 1, ReviewKind::Review, 30),
        grade(3, today_at, 2, ReviewKind::Review, 21),
        // Learning steps, relearning steps and cram never count.
        grade(4, today_at, 1, ReviewKind::Learn, 0),
        grade(5, today_at, 1, ReviewKind::Relearn, 0),
        grade(6, today_at, 1, ReviewKind::Cram, 40),
        // Yesterday: young fail.
        grade(7, yesterday_at, 1, ReviewKind::Review, 1),
        // 20 days ago: young pass (month and year only).
        grade(8, start - 20 * DAY, 4, ReviewKind::Review, 3),
        // 100 days ago: mature pass (year only); 400 days ago: nothing.
        grade(9, start - 100 * DAY, 3, ReviewKind::Review, 50),
        grade(9, start - 400 * DAY, 3, ReviewKind::Review, 50),
    ];
    let s = stats::compute(&input(vec![], grades));
    let row = |p: Period| *s.retention.iter().find(|r| r.period == p).unwrap();
    let pf = |pf: stats::PassFail| (pf.passed, pf.failed);
    assert_eq!((pf(row(Period::Today).young), pf(row(Period::Today).mature)), ((1, 0), (1, 1)));
    assert_eq!((pf(row(Period::Yesterday).young), pf(row(Period::Yesterday).mature)), ((0, 1), (0, 0)));
    assert_eq!((pf(row(Period::Week).young), pf(row(Period::Week).mature)), ((1, 1), (1, 1)));
    assert_eq!((pf(row(Period::Month).young), pf(row(Period::Month).mature)), ((2, 1), (1, 1)));
    assert_eq!((pf(row(Period::Year).young), pf(row(Period::Year).mature)), ((2, 1), (2, 1)));
    assert_eq!(row(Period::Month).total().rate(), Some(3.0 / 5.0));
    assert_eq!(s.desired_retention, 0.9);
    // Buttons: learn/relearn grades are "learning"; cram is left out.
    assert_eq!(s.buttons[0].counts, [2, 0, 0, 0]);
    assert_eq!(s.buttons[1].counts, [2, 0, 1, 1]);
    assert_eq!(s.buttons[2].counts, [1, 1, 1, 0]);
}

/// Unix ms of a local wall-clock time in a time zone.
fn local(tz: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Moment {
    let zoned = jiff::civil::date(y, mo, d).at(h, mi, 0, 0).in_tz(tz).unwrap();
    Moment::new(zoned.timestamp().as_millisecond(), zoned.offset().seconds())
}

#[test]
fn the_heatmap_counts_study_days_across_daylight_saving_changes_and_the_rollover() {
    let berlin = "Europe/Berlin";
    // Spring forward on 2026-03-29 at 02:00 (+01:00 to +02:00).
    let march = [
        local(berlin, 2026, 3, 29, 1, 30),  // before 4 am: 28 March
        local(berlin, 2026, 3, 29, 3, 59),  // still 28 March, now in summer time
        local(berlin, 2026, 3, 29, 4, 0),   // 29 March
        local(berlin, 2026, 3, 29, 23, 59), // 29 March
        local(berlin, 2026, 3, 30, 3, 0),   // 29 March
    ];
    // Fall back on 2026-10-25 at 03:00 (+02:00 to +01:00): 02:30 happens twice.
    let first_0230 = Moment::new(local(berlin, 2026, 10, 25, 0, 30).unix_ms + 2 * HOUR, 7200);
    let second_0230 = Moment::new(first_0230.unix_ms + HOUR, 3600);
    assert_eq!(second_0230.day(4), first_0230.day(4));
    let october = [first_0230, second_0230, local(berlin, 2026, 10, 25, 4, 0)];
    let grades: Vec<Grade> = march
        .iter()
        .chain(&october)
        .enumerate()
        .map(|(i, at)| Grade {
            key: i as u32,
            at: *at,
            rating: Rating::Good,
            kind: ReviewKind::Learn,
            answer_ms: 10_000,
            last_interval: 0,
        })
        .collect();
    let mut inp = input(vec![], grades);
    inp.now = local(berlin, 2026, 11, 29, 12, 0);
    let s = stats::compute(&inp);
    let day = |y, m, d| Day(jiff::civil::date(y, m, d).since(jiff::civil::date(1970, 1, 1)).unwrap().get_days());
    let count = |d: Day| s.activity.get(&d).map_or(0, |a| a.answers);
    assert_eq!(count(day(2026, 3, 28)), 2);
    assert_eq!(count(day(2026, 3, 29)), 3);
    assert_eq!(count(day(2026, 10, 24)), 2);
    assert_eq!(count(day(2026, 10, 25)), 1);
    assert_eq!(s.activity.get(&day(2026, 3, 29)).unwrap().answer_ms, 30_000);
    assert_eq!(s.days_studied, 4);
    assert_eq!(s.answers_last_year, 8);
    // The calendar shows local dates.
    assert_eq!(day(2026, 3, 29).date(), jiff::civil::date(2026, 3, 29));
}

#[test]
fn filters_and_topics_follow_decks_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let mut collection = Collection::open(dir.path(), "default", "dev1").unwrap();
    let library = Library::bundled();
    let first = &library.decks[0].deck;
    let second = &library.decks[1].deck;
    let start = Moment::new(now().unix_ms - 3 * DAY, 0);
    for card in first.cards.iter().take(5) {
        collection.grade(&first.id, &card.id, Rating::Good, 4_000, start, false).unwrap();
    }
    for card in second.cards.iter().take(3) {
        collection.grade(&second.id, &card.id, Rating::Again, 4_000, start, false).unwrap();
    }
    let all = stats::compute(&Input::gather(
        &library,
        collection.progress(),
        collection.settings(),
        now(),
        &Filter::default(),
    ));
    assert_eq!(all.grades, 8);
    assert_eq!(all.cards, library.card_count());
    let one = Filter { deck: Some(first.id.clone()), tag: None };
    let s = stats::compute(&Input::gather(&library, collection.progress(), collection.settings(), now(), &one));
    assert_eq!((s.grades, s.cards), (5, first.cards.len()));
    assert_eq!(s.buttons[0].counts, [0, 0, 5, 0]);
    let tag = first.cards[0].tags[0].clone();
    let tagged = Filter { deck: None, tag: Some(tag.clone()) };
    let s = stats::compute(&Input::gather(&library, collection.progress(), collection.settings(), now(), &tagged));
    let expected = library.decks.iter().flat_map(|d| &d.deck.cards).filter(|c| c.tags.contains(&tag)).count();
    assert_eq!(s.cards, expected);
    assert!(s.grades >= 1 && s.grades <= 8);
}

#[test]
fn the_journal_kept_while_grading_equals_a_full_replay_and_is_rebuilt_after_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let deck = DeckId("soviet-iran-dates".into());
    let library = Library::bundled();
    let cards: Vec<CardId> = library
        .decks
        .iter()
        .find(|d| d.deck.id == deck)
        .unwrap()
        .deck
        .cards
        .iter()
        .take(4)
        .map(|c| c.id.clone())
        .collect();
    let mut at = Moment::new(now().unix_ms - 30 * DAY, 3600);
    let opening = Opening::new(true, Some(LocalDirs::in_folder(&dir.path().join("this-computer"))));
    {
        let mut c = Collection::open_as(dir.path(), "default", "dev1", &opening).unwrap();
        assert!(c.progress().journal.complete);
        for day in 0..6 {
            for (i, card) in cards.iter().enumerate() {
                let rating = if (day + i) % 4 == 0 { Rating::Again } else { Rating::Good };
                c.grade(&deck, card, rating, 3_000, at, false).unwrap();
            }
            at = Moment::new(at.unix_ms + 2 * DAY, 3600);
        }
        // An undone grade leaves the journal.
        c.grade(&deck, &cards[0], Rating::Easy, 1_000, at, false).unwrap();
        c.undo(at).unwrap().unwrap();
        let live = c.progress().journal.grades.clone();
        let live_keys: Vec<_> = live.iter().map(|g| c.progress().journal.keys.key(g.key).cloned().unwrap()).collect();
        assert_eq!(live.len(), 24);
        assert!(live.iter().any(|g| g.kind == ReviewKind::Review && g.last_interval > 0));
        c.save_snapshot().unwrap();
        drop(c);
        // A full replay from the log finds the same grades.
        std::fs::remove_dir_all(dir.path().join("this-computer/cache/snapshots")).unwrap();
        let replayed = Collection::open_as(dir.path(), "default", "dev1", &opening).unwrap();
        // The replay fills the journal card by card; compare in time order.
        let mut replayed_grades = replayed.progress().journal.grades.clone();
        replayed_grades.sort_by_key(|g| (g.at, replayed.progress().journal.keys.key(g.key).cloned()));
        let mut live: Vec<_> = live.into_iter().zip(live_keys).collect();
        live.sort_by_key(|(g, k)| (g.at, Some(k.clone())));
        assert_eq!(replayed_grades.len(), live.len());
        for ((a, a_key), b) in live.iter().zip(&replayed_grades) {
            assert_eq!((a.at, a.rating, a.kind, a.last_interval), (b.at, b.rating, b.kind, b.last_interval));
            assert_eq!(replayed.progress().journal.keys.key(b.key), Some(a_key));
        }
        replayed.save_snapshot().unwrap();
    }
    // Opened from the snapshot: no journal until the background job runs.
    let mut c = Collection::open_as(dir.path(), "default", "dev1", &opening).unwrap();
    assert!(!c.progress().journal.complete);
    // A journal read before a new grade is stale and refused.
    let stale = c.journal_job().unwrap().run().unwrap();
    c.grade(&deck, &cards[1], Rating::Good, 2_000, at, false).unwrap();
    assert!(!c.install_journal(stale));
    assert!(!c.progress().journal.complete);
    let job = c.journal_job().unwrap();
    let built = std::thread::spawn(move || job.run()).join().unwrap().unwrap();
    assert!(c.install_journal(built));
    assert!(c.progress().journal.complete);
    assert_eq!(c.progress().journal.grades.len(), 25);
    assert!(c.journal_job().is_none());
}

fn shared_history() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/revlog-py-fsrs/review_logs_josh_1711744352250_to_1728234780857.csv")
}

#[test]
fn the_optimiser_lowers_log_loss_against_the_defaults_measured_the_same_way() {
    let reviews = parse_csv(&std::fs::read_to_string(shared_history()).unwrap()).unwrap();
    let progress = fsrs::CombinedProgressState::new_shared();
    let fitted = tuning::fit(&reviews, 4, &[], progress.clone()).unwrap();
    assert!(fitted.is_better());
    assert!(fitted.after.log_loss < fitted.before.log_loss - 0.003, "{fitted:?}");
    assert!(fitted.after.rmse_bins < fitted.before.rmse_bins, "{fitted:?}");
    assert_eq!(fitted.before.reviews, fitted.after.reviews);
    assert!((fitted.before.log_loss - 0.4649).abs() < 0.002, "{fitted:?}");
    assert_eq!(fitted.parameters.len(), 21);
    assert!(progress.lock().unwrap().finished());
}

#[test]
fn a_cancelled_fit_says_so_and_a_small_history_is_refused_with_a_reason() {
    let reviews = parse_csv(&std::fs::read_to_string(shared_history()).unwrap()).unwrap();
    let progress = fsrs::CombinedProgressState::new_shared();
    tuning::cancel_fit(&progress);
    assert_eq!(tuning::fit(&reviews, 4, &[], progress).unwrap_err(), HistoryError::Cancelled);
    let few = &reviews[..20];
    let err = tuning::fit(few, 4, &[], fsrs::CombinedProgressState::new_shared()).unwrap_err();
    assert!(matches!(err, HistoryError::TooSmall { needed: 64, .. }), "{err:?}");
    assert!(err.to_string().contains("keep studying"), "{err}");
}

#[test]
fn the_simulator_charts_every_retention_and_marks_the_cheapest_per_card_remembered() {
    let t = today();
    let mut cards: Vec<CardInfo> = (0..40).map(|i| review_card(Due::Day(t.plus(i % 10)), 5 + i as u32)).collect();
    cards.extend((0..60).map(|_| CardInfo { state: None, tags: vec![] }));
    let inp = input(cards, vec![]);
    let progress = SimProgress::default();
    let points = tuning::workload(&inp, &[], &progress).unwrap();
    assert_eq!(points.len(), tuning::RETENTIONS.count());
    assert_eq!(progress.fraction(), 1.0);
    assert_eq!(points.first().unwrap().retention, 0.70);
    assert_eq!(points.last().unwrap().retention, 0.97);
    // Keeping 97% costs more time a day than keeping 70%.
    assert!(points.last().unwrap().minutes_per_day > points.first().unwrap().minutes_per_day);
    let best = tuning::best(&points).unwrap();
    assert!(points.iter().all(|p| p.seconds_per_remembered >= best.seconds_per_remembered));
    // The same seed gives the same chart.
    assert_eq!(tuning::workload(&inp, &[], &SimProgress::default()).unwrap(), points);
    let cancelled = SimProgress::default();
    cancelled.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(tuning::workload(&inp, &[], &cancelled).unwrap_err(), HistoryError::Cancelled);
}

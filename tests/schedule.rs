//! The scheduler through its public interface: data-driven cases for each
//! grade in each phase, fuzz, leeches, the day rollover across DST, the
//! queue, and property tests over random grade histories.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use yadgar::schedule::{
    CardState, DoneToday, Due, Interval, LeechAction, NewCardOrder, Phase, QueueKind, Rating, Scheduler, Settings,
    build_queue, card_seed, parse_steps, study_ahead,
};
use yadgar::time::{Day, Moment};

const SEED: u64 = 42;
/// 2026-03-02 12:00 UTC, shown in UTC.
const NOON: i64 = 1_772_452_800_000;

fn at(minutes_after_noon: i64) -> Moment {
    Moment::new(NOON + minutes_after_noon * 60_000, 0)
}

fn scheduler() -> Scheduler {
    Scheduler::new(Settings::default()).unwrap()
}

fn grade(s: &Scheduler, state: &CardState, rating: Rating, now: Moment) -> CardState {
    s.answer(SEED, state, rating, now).unwrap()
}

/// Grades a new card with `ratings`, each `gap_days` after the last.
fn history(s: &Scheduler, ratings: &[Rating], gap_days: i64) -> (CardState, Moment) {
    let mut state = CardState::default();
    let mut now = at(0);
    for &r in ratings {
        state = grade(s, &state, r, now);
        now = Moment::new(now.unix_ms + gap_days * 86_400_000, 0);
    }
    (state, now)
}

#[test]
fn a_new_card_offers_the_learning_steps_then_a_graduating_interval() {
    let s = scheduler();
    let outcomes = s.next_states(SEED, &CardState::default(), at(0)).unwrap();
    let labels: Vec<String> = Rating::ALL.iter().map(|&r| outcomes.of(r).interval.label()).collect();
    assert_eq!(labels[..3], ["1m", "6m", "10m"]);
    assert!(matches!(outcomes.easy.interval, Interval::Days(d) if d >= 1), "{:?}", outcomes.easy.interval);
    assert_eq!(outcomes.again.state.phase, Phase::Learning);
    assert_eq!(outcomes.good.state.phase, Phase::Learning);
    assert_eq!(outcomes.good.state.step, 1);
    assert_eq!(outcomes.easy.state.phase, Phase::Review);
    assert_eq!(outcomes.good.state.due, Due::At(at(10).unix_ms));
}

#[test]
fn each_grade_in_each_phase_goes_where_anki_sends_it() {
    use Phase::*;
    use Rating::*;
    let s = scheduler();
    // (history of grades a day apart, then this grade) -> phase afterwards
    let cases: &[(&[Rating], Rating, Phase)] = &[
        (&[], Again, Learning),
        (&[], Hard, Learning),
        (&[], Good, Learning),
        (&[], Easy, Review),
        (&[Good], Again, Learning),
        (&[Good], Good, Review),
        (&[Good, Good], Again, Relearning),
        (&[Good, Good], Hard, Review),
        (&[Good, Good], Good, Review),
        (&[Good, Good], Easy, Review),
        (&[Good, Good, Again], Again, Relearning),
        (&[Good, Good, Again], Good, Review),
        (&[Good, Good, Again], Easy, Review),
    ];
    for (past, rating, expected) in cases {
        let (state, now) = history(&s, past, 1);
        let next = grade(&s, &state, *rating, now);
        assert_eq!(next.phase, *expected, "after {past:?} then {rating:?}");
        assert_eq!(next.reps, state.reps + 1);
        assert!(next.memory.is_some());
    }
}

#[test]
fn again_on_a_review_card_moves_it_to_relearning_and_counts_a_lapse() {
    let s = scheduler();
    let (state, now) = history(&s, &[Rating::Good, Rating::Good], 1);
    assert_eq!(state.phase, Phase::Review);
    let next = grade(&s, &state, Rating::Again, now);
    assert_eq!(next.phase, Phase::Relearning);
    assert_eq!(next.lapses, state.lapses + 1);
    assert_eq!(next.due, Due::At(now.plus_minutes(10.0).unix_ms));
}

#[test]
fn a_forgotten_card_becomes_a_leech_at_eight_lapses_and_is_suspended_if_asked() {
    for (action, suspended) in [(LeechAction::TagOnly, false), (LeechAction::Suspend, true)] {
        let s = Scheduler::new(Settings { leech_action: action, ..Settings::default() }).unwrap();
        let mut ratings = vec![Rating::Good, Rating::Good];
        for _ in 0..7 {
            ratings.extend([Rating::Again, Rating::Good]);
        }
        let (state, now) = history(&s, &ratings, 1);
        assert_eq!(state.lapses, 7);
        assert!(!state.leech);
        let next = grade(&s, &state, Rating::Again, now);
        assert_eq!(next.lapses, 8);
        assert!(next.leech);
        assert_eq!(next.suspended, suspended);
    }
}

#[test]
fn fuzz_is_fixed_per_card_and_day_and_absent_below_two_and_a_half_days() {
    let s = scheduler();
    let (state, now) = history(&s, &[Rating::Good, Rating::Good, Rating::Good, Rating::Good], 5);
    let first = s.next_states(SEED, &state, now).unwrap();
    let again = s.next_states(SEED, &state, now).unwrap();
    assert_eq!(first, again, "same card, same day: same intervals");
    // Across many cards the same state spreads over several intervals.
    let spread: std::collections::BTreeSet<String> = (0..200)
        .map(|i| s.next_states(card_seed("deck", &format!("card-{i}")), &state, now).unwrap().good.interval.label())
        .collect();
    assert!(spread.len() >= 3, "fuzz should spread the interval: {spread:?}");
    // A card graduating after a Hard step gets an interval under 2.5 days,
    // which is never fuzzed.
    let after_hard =
        grade(&s, &grade(&s, &CardState::default(), Rating::Hard, now), Rating::Good, now.plus_minutes(6.0));
    let short: std::collections::BTreeSet<String> = (0..200)
        .map(|i| {
            let seed = card_seed("deck", &format!("card-{i}"));
            s.next_states(seed, &after_hard, now.plus_minutes(16.0)).unwrap().good.interval.label()
        })
        .collect();
    assert_eq!(short.len(), 1, "intervals under 2.5 days are never fuzzed: {short:?}");
    assert!(short.contains("1d") || short.contains("2d"), "{short:?}");
}

#[test]
fn a_review_at_three_fifty_nine_counts_for_the_previous_day() {
    let rollover = 4;
    // 2026-03-02 in UTC+1: 03:59 local is 02:59Z.
    let before = Moment::new(NOON - 9 * 3_600_000 - 60_000, 3600);
    let after = Moment::new(NOON - 8 * 3_600_000, 3600);
    assert_eq!(before.day(rollover).plus(1), after.day(rollover));
    assert_eq!(Moment::new(NOON, 3600).day(rollover), after.day(rollover));
}

#[test]
fn crossing_daylight_saving_neither_skips_nor_repeats_a_day() {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let day_at = |date: &str| {
        let zoned: jiff::ZonedDateTime = format!("{date}[Europe/Berlin]").parse().unwrap();
        let _ = &tz;
        Moment::new(zoned.timestamp().as_millisecond(), zoned.offset().seconds()).day(4)
    };
    // Spring forward on 29 March 2026, fall back on 25 October 2026.
    for dates in [
        ["2026-03-27T12:00", "2026-03-28T12:00", "2026-03-29T12:00", "2026-03-30T12:00", "2026-03-31T12:00"],
        ["2026-10-23T12:00", "2026-10-24T12:00", "2026-10-25T12:00", "2026-10-26T12:00", "2026-10-27T12:00"],
    ] {
        let days: Vec<Day> = dates.iter().map(|d| day_at(d)).collect();
        for pair in days.windows(2) {
            assert_eq!(pair[1].since(pair[0]), 1, "{dates:?} -> {days:?}");
        }
    }
    // 03:59 on the night of each change still belongs to the day before.
    assert_eq!(day_at("2026-03-29T03:59").plus(1), day_at("2026-03-29T04:00"));
    assert_eq!(day_at("2026-10-25T03:59").plus(1), day_at("2026-10-25T04:00"));
    assert_eq!(day_at("2026-10-25T02:30"), day_at("2026-10-24T23:00"));
}

#[test]
fn steps_are_read_from_text_and_bad_values_are_refused() {
    assert_eq!(parse_steps("1m 10m").unwrap(), vec![1.0, 10.0]);
    assert_eq!(parse_steps("30s 1h 1d").unwrap(), vec![0.5, 60.0, 1440.0]);
    assert_eq!(parse_steps("5").unwrap(), vec![5.0]);
    assert_eq!(parse_steps("").unwrap(), Vec::<f32>::new());
    for bad in ["abc", "10x", "-1m", "0m", "1m abc"] {
        assert!(parse_steps(bad).is_err(), "{bad:?} should be refused");
    }
    for bad in [
        Settings { desired_retention: 1.3, ..Settings::default() },
        Settings { desired_retention: 0.5, ..Settings::default() },
        Settings { learning_steps_mins: vec![0.0], ..Settings::default() },
        Settings { maximum_interval_days: 0, ..Settings::default() },
        Settings { rollover_hour: 24, ..Settings::default() },
        Settings { fsrs_parameters: vec![1.0, 2.0], ..Settings::default() },
    ] {
        assert!(Scheduler::new(bad.clone()).is_err(), "{bad:?} should be refused");
    }
}

#[test]
fn the_queue_shows_learning_then_weakest_reviews_first_with_new_cards_mixed_in() {
    let s = Scheduler::new(Settings { new_per_day: 2, ..Settings::default() }).unwrap();
    let start = at(0);
    // Two review cards graduated on different days, so their recall differs.
    let mut strong = grade(&s, &CardState::default(), Rating::Easy, start);
    strong = grade(&s, &strong, Rating::Easy, Moment::new(start.unix_ms + 8 * 86_400_000, 0));
    let weak = grade(&s, &CardState::default(), Rating::Easy, Moment::new(start.unix_ms - 30 * 86_400_000, 0));
    let learning = grade(&s, &CardState::default(), Rating::Again, start);
    let now = Moment::new(start.unix_ms + 200 * 86_400_000, 0);
    let cards: Vec<(u64, Option<&CardState>)> =
        vec![(1, None), (2, Some(&strong)), (3, Some(&weak)), (4, Some(&learning)), (5, None), (6, None)];
    let queue = build_queue(&s, now, cards.clone(), DoneToday::default());
    assert_eq!((queue.counts.new, queue.counts.learning, queue.counts.review), (2, 1, 2));
    let order: Vec<(usize, QueueKind)> = queue.cards().map(|c| (c.index, c.kind)).collect();
    assert_eq!(order[0], (3, QueueKind::Learning));
    let reviews: Vec<usize> = order.iter().filter(|c| c.1 == QueueKind::Review).map(|c| c.0).collect();
    assert_eq!(reviews, vec![2, 1], "the weaker card first");
    let new: Vec<usize> = order.iter().filter(|c| c.1 == QueueKind::New).map(|c| c.0).collect();
    assert_eq!(new, vec![0, 4], "deck order, limited to 2");
    assert_eq!(queue.next(now).map(|c| c.index), Some(3));
    // Limits count what was done today.
    let queue = build_queue(&s, now, cards, DoneToday { new: 2, review: 199 });
    assert_eq!((queue.counts.new, queue.counts.review), (0, 1));
}

#[test]
fn random_new_order_is_a_shuffle_that_holds_for_the_day() {
    let s = Scheduler::new(Settings { new_card_order: NewCardOrder::Random, new_per_day: 50, ..Settings::default() })
        .unwrap();
    let cards: Vec<(u64, Option<&CardState>)> = (0..50).map(|i| (card_seed("d", &i.to_string()), None)).collect();
    let order =
        |now| build_queue(&s, now, cards.clone(), DoneToday::default()).cards().map(|c| c.index).collect::<Vec<_>>();
    let today = order(at(0));
    assert_eq!(today, order(at(60)), "same day, same order");
    assert_ne!(today, (0..50).collect::<Vec<_>>(), "shuffled");
    assert_ne!(today, order(at(24 * 60)), "a new day, a new order");
}

#[test]
fn when_nothing_is_due_the_queue_says_when_and_offers_study_ahead() {
    let s = scheduler();
    let now = at(0);
    let a = grade(&s, &CardState::default(), Rating::Easy, now);
    let b = grade(&s, &grade(&s, &CardState::default(), Rating::Easy, now), Rating::Easy, at(60));
    let cards = vec![(1, Some(&a)), (2, Some(&b))];
    let queue = build_queue(&s, at(120), cards.clone(), DoneToday::default());
    assert_eq!(queue.counts.total(), 0);
    assert_eq!(queue.next(at(120)), None);
    let Due::Day(day) = a.due else { panic!("a review") };
    assert_eq!(queue.next_due, Some(at(120).start_of(day, 4)));
    let ahead: Vec<usize> = study_ahead(&s, at(120), cards, 10).iter().map(|c| c.index).collect();
    assert_eq!(ahead, vec![0, 1], "soonest due first");
}

fn any_rating() -> impl Strategy<Value = Rating> {
    prop_oneof![Just(Rating::Again), Just(Rating::Hard), Just(Rating::Good), Just(Rating::Easy)]
}

proptest! {
    #[test]
    fn intervals_grow_from_again_to_easy_and_every_due_is_after_the_grade(
        ratings in proptest::collection::vec((any_rating(), 0i64..40 * 24 * 60), 0..25),
        seed in any::<u64>(),
        retention in 0.70f32..0.99,
        steps in prop_oneof![Just(vec![1.0f32, 10.0]), Just(vec![]), Just(vec![5.0f32]), Just(vec![1.0f32, 10.0, 60.0])],
    ) {
        let s = Scheduler::new(Settings {
            desired_retention: retention,
            learning_steps_mins: steps.clone(),
            relearning_steps_mins: steps,
            ..Settings::default()
        }).unwrap();
        let mut state = CardState::default();
        let mut now = at(0);
        for (rating, gap_minutes) in ratings {
            now = Moment::new(now.unix_ms + gap_minutes * 60_000, 0);
            let outcomes = s.next_states(seed, &state, now).unwrap();
            let minutes: Vec<f64> = Rating::ALL.iter().map(|&r| outcomes.of(r).interval.minutes()).collect();
            prop_assert!(minutes.windows(2).all(|w| w[0] <= w[1]), "{:?} for {:?}", minutes, state);
            for r in Rating::ALL {
                let due_ms = match outcomes.of(r).state.due {
                    Due::At(ms) => ms,
                    Due::Day(day) => now.start_of(day, 4).unix_ms,
                    Due::New => panic!("a graded card is never new"),
                };
                prop_assert!(due_ms > now.unix_ms, "{r:?}: due {due_ms} not after {}", now.unix_ms);
            }
            state = outcomes.into_state(rating);
        }
    }
}

proptest! {
    /// `answer` works out only the grade given (a replay grades a million
    /// times); it must give exactly the state that grade has among all four
    /// outcomes, and FSRS's memory state must be the one `fsrs` gives for
    /// that rating, after any history, with any steps and retention.
    #[test]
    fn one_grade_worked_out_alone_is_that_grade_among_all_four(
        ratings in proptest::collection::vec((any_rating(), 0i64..60 * 24 * 60), 1..25),
        seed in any::<u64>(),
        retention in 0.70f32..0.99,
        steps in prop_oneof![Just(vec![1.0f32, 10.0]), Just(vec![]), Just(vec![5.0f32]), Just(vec![1.0f32, 10.0, 60.0])],
        maximum in prop_oneof![Just(36_500u32), Just(3), Just(30)],
    ) {
        let settings = Settings {
            desired_retention: retention,
            learning_steps_mins: steps.clone(),
            relearning_steps_mins: steps,
            maximum_interval_days: maximum,
            ..Settings::default()
        };
        let s = Scheduler::new(settings.clone()).unwrap();
        let fsrs = fsrs::FSRS::new(&settings.fsrs_parameters).unwrap();
        let mut state = CardState::default();
        let mut now = at(0);
        for (rating, gap_minutes) in ratings {
            now = Moment::new(now.unix_ms + gap_minutes * 60_000, 0);
            let outcomes = s.next_states(seed, &state, now).unwrap();
            let elapsed = state.last_review.map_or(0, |last| s.day(now).since(s.day(last)).max(0) as u32);
            let memory = state.memory.map(|m| fsrs::MemoryState { stability: m.stability, difficulty: m.difficulty });
            let next = fsrs.next_states(memory, retention, elapsed).unwrap();
            for r in Rating::ALL {
                let alone = s.answer(seed, &state, r, now).unwrap();
                prop_assert_eq!(&alone, &outcomes.of(r).state, "{:?} after {:?}", r, state);
                let expected = match r {
                    Rating::Again => next.again.memory,
                    Rating::Hard => next.hard.memory,
                    Rating::Good => next.good.memory,
                    Rating::Easy => next.easy.memory,
                };
                let got = alone.memory.unwrap();
                prop_assert_eq!((got.stability, got.difficulty), (expected.stability, expected.difficulty));
            }
            state = outcomes.into_state(rating);
        }
    }
}

#[test]
fn a_card_sent_to_review_is_due_today_even_past_the_limits() {
    use yadgar::deck::{CardId, DeckId};
    use yadgar::revlog::{Action, Event, EventId, Progress, ReviewKind};
    let s = Scheduler::new(Settings { reviews_per_day: 0, new_per_day: 0, ..Settings::default() }).unwrap();
    let (deck, card) = (DeckId("d".into()), CardId("c".into()));
    let graded = Event::new(
        EventId(1),
        at(0),
        deck.clone(),
        card.clone(),
        Action::Review { rating: Rating::Easy, kind: ReviewKind::Learn, answer_ms: 1000 },
    );
    let sent = Event::new(EventId(2), at(60), deck.clone(), card.clone(), Action::SendToReview);
    let fresh = Event::new(EventId(3), at(61), deck.clone(), CardId("new".into()), Action::SendToReview);
    let before = Progress::replay(&s, vec![graded.clone()]);
    let after = Progress::replay(&s, vec![graded, sent, fresh]);
    let state = |p: &Progress, id: &str| p.state(&deck, &CardId(id.into())).cloned();
    let queue = |p: &Progress| {
        let a = state(p, "c");
        let b = state(p, "new");
        let items = vec![(1, a.as_ref()), (2, b.as_ref())];
        build_queue(&s, at(120), items, DoneToday::default()).counts
    };
    assert_eq!(queue(&before).total(), 0, "nothing due, limits at zero");
    let counts = queue(&after);
    assert_eq!((counts.review, counts.new), (1, 1), "both sent cards are in today's queue");
    assert_eq!(state(&after, "c").unwrap().due, Due::Day(s.day(at(60))));
}

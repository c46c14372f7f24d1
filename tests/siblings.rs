//! Siblings, cards that give each other away: they are never introduced as
//! new on the same study day, answering one buries the others until the
//! next day (each by its setting, as Anki does), and `yadgar due --json`
//! shows today's queue in study order.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{HashMap, HashSet};
use std::process::Command;

use yadgar::deck::{CardId, DeckId, Library};
use yadgar::schedule::{Rating, Settings};
use yadgar::store::{self, Collection};
use yadgar::study;
use yadgar::time::Moment;

const NOON: i64 = 1_772_452_800_000;
const DAY_MS: i64 = 86_400_000;

fn at(day: i64, minutes: i64) -> Moment {
    Moment::new(NOON + day * DAY_MS + minutes * 60_000, 3600)
}

/// Each bundled card's siblings, as "deck/card" keys.
fn sibling_map(library: &Library) -> HashMap<String, HashSet<String>> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for (a, b) in library.sibling_pairs() {
        out.entry(a).or_default().insert(b);
    }
    out
}

/// Today's queue as "deck/card" keys with their kinds.
fn queue(c: &Collection, library: &Library, now: Moment) -> Vec<(String, yadgar::schedule::QueueKind)> {
    let (queue, refs) = study::queue(c.scheduler(), now, library, c.progress(), None);
    queue
        .cards()
        .map(|q| {
            let r = refs[q.index];
            let loaded = &library.decks[r.deck];
            (format!("{}/{}", loaded.deck.id.0, loaded.deck.cards[r.card].id.0), q.kind)
        })
        .collect()
}

fn key_parts(key: &str) -> (DeckId, CardId) {
    let (d, c) = key.split_once('/').unwrap();
    (DeckId(d.into()), CardId(c.into()))
}

#[test]
fn new_siblings_never_share_a_study_day_and_answering_one_buries_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Collection::open(dir.path(), "default", "dev-a").unwrap();
    let settings = Settings { new_per_day: 40, ..c.settings().clone() };
    // Stamped before the first study day (a change made now would push
    // the test's earlier grades after it).
    c.apply(store::Op::SetSettings(settings), at(0, -1)).unwrap();
    let library = c.library();
    let siblings = sibling_map(&library);
    assert!(siblings.len() > 50, "the bundled decks link their siblings");
    let mut introduced_on: HashMap<String, i64> = HashMap::new();
    for day in 0..12 {
        let mut minute = 0;
        // Study the whole day's queue, as the review screen does: the queue
        // is built again after every grade.
        loop {
            let now = at(day, minute);
            let today = queue(&c, &library, now);
            let Some((key, kind)) = today.first().cloned() else { break };
            let answered: HashSet<String> = today.iter().map(|(k, _)| k.clone()).collect();
            if kind == yadgar::schedule::QueueKind::New {
                introduced_on.insert(key.clone(), day);
            }
            let (deck, card) = key_parts(&key);
            c.grade(&deck, &card, Rating::Good, 3000, now, false).unwrap();
            minute += 1;
            // Answering a card buries its new and review siblings today.
            let after: HashSet<String> = queue(&c, &library, at(day, minute)).into_iter().map(|(k, _)| k).collect();
            for sibling in siblings.get(&key).into_iter().flatten() {
                if answered.contains(sibling) {
                    let state = c.progress().state(&key_parts(sibling).0, &key_parts(sibling).1);
                    let learning = state.is_some_and(|s| {
                        matches!(s.phase, yadgar::schedule::Phase::Learning | yadgar::schedule::Phase::Relearning)
                    });
                    assert!(learning || !after.contains(sibling), "day {day}: {sibling} still queued after {key}");
                }
            }
            assert!(minute < 2000, "the day's queue ends");
        }
    }
    assert!(introduced_on.len() > 200, "most cards were introduced: {}", introduced_on.len());
    for (key, day) in &introduced_on {
        for sibling in siblings.get(key).into_iter().flatten() {
            assert_ne!(
                introduced_on.get(sibling),
                Some(day),
                "{key} and its sibling {sibling} were both new on day {day}"
            );
        }
    }
}

#[test]
fn burying_siblings_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Collection::open(dir.path(), "default", "dev-a").unwrap();
    let library = c.library();
    let siblings = sibling_map(&library);
    let first = queue(&c, &library, at(0, 0));
    let (key, _) = first.iter().find(|(k, _)| siblings.contains_key(k)).cloned().unwrap();
    let (deck, card) = key_parts(&key);
    c.grade(&deck, &card, Rating::Good, 3000, at(0, 0), false).unwrap();
    let settings = Settings { bury_new_siblings: false, new_per_day: 9999, ..c.settings().clone() };
    // Stamped before the first study day (a change made now would push
    // the test's earlier grades after it).
    c.apply(store::Op::SetSettings(settings), at(0, -1)).unwrap();
    let now: HashSet<String> = queue(&c, &library, at(0, 1)).into_iter().map(|(k, _)| k).collect();
    for sibling in &siblings[&key] {
        assert!(now.contains(sibling), "{sibling} is shown once burying is off");
    }
}

#[test]
fn due_json_lists_todays_queue_in_study_order() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_yadgar"))
        .args(["due", "--json", "--data-dir", &dir.path().display().to_string()])
        .env("YADGAR_CONFIG_DIR", dir.path().join("this-computer/config"))
        .env("YADGAR_CACHE_DIR", dir.path().join("this-computer/cache"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let queue = value["queue"].as_array().unwrap();
    assert_eq!(queue.len(), 20, "today's 20 new cards");
    assert_eq!(value["total"]["new"], 20);
    let library = Library::bundled();
    let siblings = sibling_map(&library);
    let keys: Vec<String> =
        queue.iter().map(|e| format!("{}/{}", e["deck"].as_str().unwrap(), e["card"].as_str().unwrap())).collect();
    for entry in queue {
        assert_eq!(entry["kind"], "new");
    }
    assert_eq!(keys[0], format!("soviet-iran-dates/{}", library.decks[0].deck.cards[0].id.0), "deck order");
    for key in &keys {
        for sibling in siblings.get(key).into_iter().flatten() {
            assert!(!keys.contains(sibling), "{key} and {sibling} are both new today");
        }
    }
}

//! Fills a profile with a real review history, for screenshots and for
//! looking at the statistics: the shared history of one Anki user
//! (`tests/data/revlog-py-fsrs`, MIT) is laid onto the bundled cards. The
//! history's cards, in the order they were first studied, take the bundled
//! cards in deck order (the rest of the history is left out), and every
//! time is moved so that the last review was yesterday.
//!
//! usage: cargo run --example demo_history -- HISTORY.csv DATA_DIR PROFILE

use std::collections::BTreeMap;
use std::io::Write as _;

use yadgar::deck::Library;
use yadgar::history::parse_csv;
use yadgar::revlog::{Action, Event, EventId, ReviewKind};
use yadgar::schedule::{CardState, Scheduler, Settings, card_seed};
use yadgar::time::Moment;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, history, data_dir, profile] = args.as_slice() else {
        return Err("usage: demo_history HISTORY.csv DATA_DIR PROFILE".to_owned());
    };
    let text = std::fs::read_to_string(history).map_err(|e| format!("{history}: {e}"))?;
    let reviews = parse_csv(&text).map_err(|e| format!("{history}: {e}"))?;
    let mut by_card: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for review in &reviews {
        by_card.entry(review.card).or_default().push(*review);
    }
    let mut cards: Vec<_> = by_card.into_values().collect();
    for list in &mut cards {
        list.sort_by_key(|r| r.at.unix_ms);
    }
    cards.sort_by_key(|list| list.first().map_or(i64::MAX, |r| r.at.unix_ms));
    let last = reviews.iter().map(|r| r.at.unix_ms).max().ok_or("the history is empty")?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_millis()
        as i64;
    let shift = now - 86_400_000 - last;

    let library = Library::bundled();
    let targets: Vec<_> = library
        .decks
        .iter()
        .flat_map(|d| d.deck.cards.iter().map(move |c| (d.deck.id.clone(), c.id.clone())))
        .collect();
    let scheduler = Scheduler::new(Settings::default()).map_err(|e| e.to_string())?;
    let mut events = Vec::new();
    let mut n: u128 = 0;
    for ((deck, card), list) in targets.iter().zip(&cards) {
        let mut state = CardState::default();
        for review in list {
            let at = Moment::new(review.at.unix_ms + shift, 0);
            let kind = ReviewKind::for_phase(state.phase);
            state =
                scheduler.answer(card_seed(&deck.0, &card.0), &state, review.rating, at).map_err(|e| e.to_string())?;
            n += 1;
            let action = Action::Review { rating: review.rating, kind, answer_ms: 8_000 };
            events.push(Event::new(EventId((0xdead_u128 << 96) | n), at, deck.clone(), card.clone(), action));
        }
    }
    // The answer times of the real history are in its CSV; use them.
    let durations: Vec<u32> = text.lines().skip(1).filter_map(|l| l.rsplit(',').next()?.trim().parse().ok()).collect();
    let mut by_time: Vec<(i64, u32)> =
        reviews.iter().zip(&durations).map(|(r, d)| (r.at.unix_ms + shift, (*d).min(120_000))).collect();
    by_time.sort_unstable();
    for event in &mut events {
        if let Action::Review { answer_ms, .. } = &mut event.action
            && let Ok(i) = by_time.binary_search_by_key(&event.at_ms, |(t, _)| *t)
            && let Some((_, d)) = by_time.get(i)
        {
            *answer_ms = *d;
        }
    }
    let dir = std::path::Path::new(data_dir).join("profiles").join(profile);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("reviews-demo.jsonl");
    let mut out = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    for event in &events {
        let line = serde_json::to_string(event).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("{} reviews of {} cards written to {}", events.len(), targets.len().min(cards.len()), path.display());
    Ok(())
}

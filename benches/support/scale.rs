//! The synthetic profile of the scale benchmarks: the synthetic deck of
//! `cards` cards in the profile's `decks/`, and `events` review-log events
//! over the past year in two devices' logs, each in time order as the app
//! writes them. Included with `#[path]` by `benches/scale_vs_anki.rs` and
//! `examples/scale_profile.rs`, next to `synthetic.rs`.

// Fixed arrays indexed modulo their length, which cannot fail.
#![allow(clippy::indexing_slicing)]

use std::io::Write as _;
use std::path::Path;

use yadgar::revlog::{Action, Event, EventId, ReviewKind};
use yadgar::schedule::Rating;
use yadgar::store::log::log_path;
use yadgar::time::Moment;
use yadgar::{CardId, DeckId};

use super::synthetic;

const DAY_MS: i64 = 86_400_000;

/// The two devices whose logs hold the events.
pub const DEVICES: [&str; 2] = ["laptop", "desktop"];

/// 128 well-mixed bits from a counter (splitmix64 twice), so event ids look
/// like the random ones the app writes.
fn event_id(n: u64) -> EventId {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    EventId((u128::from(mix(n)) << 64) | u128::from(mix(n ^ 0x5555_5555_5555_5555)))
}

/// Writes the deck and the logs into `profile_dir` (made if missing);
/// returns the number of events written. Most events are grades (learn,
/// review and relearn, all four buttons, varied answer times); about one in
/// two hundred is a bury, suspend, unsuspend, send-to-review or an undo of
/// the grade before it, so every kind of line is read.
pub fn write_profile(profile_dir: &Path, cards: usize, events: usize, now: Moment) -> std::io::Result<usize> {
    std::fs::create_dir_all(profile_dir.join("decks"))?;
    let deck = synthetic::deck(cards);
    let json = deck.to_json().map_err(std::io::Error::other)?;
    std::fs::write(profile_dir.join("decks/synthetic.json"), json)?;

    let deck_id = DeckId("synthetic".into());
    let per_card = events.div_ceil(cards.max(1)).max(1);
    let mut all: Vec<(usize, Event)> = Vec::with_capacity(events);
    let mut n: u64 = 0;
    'cards: for c in 0..cards {
        let card = CardId(format!("synthetic-{c:06}").into());
        let mut at = now.unix_ms - 365 * DAY_MS + (c as i64 % 97) * 3_600_000;
        let mut lapsed = false;
        for r in 0..per_card {
            if all.len() >= events {
                break 'cards;
            }
            let rating = Rating::ALL[[2, 2, 2, 0, 2, 1, 2, 3][(c + r) % 8]];
            let kind = match (r, lapsed) {
                (0, _) => ReviewKind::Learn,
                (_, true) => ReviewKind::Relearn,
                _ => ReviewKind::Review,
            };
            lapsed = rating == Rating::Again;
            let device = (c + r) % 2;
            let answer_ms = 1500 + ((n * 7919) % 20_000) as u32;
            let grade_id = event_id(n);
            let make = |id, at, action| Event::new(id, Moment::new(at, 3600), deck_id.clone(), card.clone(), action);
            all.push((device, make(grade_id, at, Action::Review { rating, kind, answer_ms })));
            n += 1;
            if n.is_multiple_of(200) && all.len() < events {
                let action = match (n / 200) % 5 {
                    0 => Action::Undo { target: grade_id },
                    1 => Action::Bury,
                    2 => Action::Suspend,
                    3 => Action::Unsuspend,
                    _ => Action::SendToReview,
                };
                all.push((device, make(event_id(n), at + 2_000, action)));
                n += 1;
            }
            at += DAY_MS * (1 << r.min(5)) as i64;
        }
    }
    all.sort_by_key(|(_, e)| e.order_key());
    let mut writers = Vec::new();
    for device in DEVICES {
        writers.push(std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(log_path(profile_dir, device))?));
    }
    for (device, event) in &all {
        let w = &mut writers[*device];
        serde_json::to_writer(&mut *w, event).map_err(std::io::Error::other)?;
        w.write_all(b"\n")?;
    }
    for mut w in writers {
        w.flush()?;
    }
    Ok(all.len())
}

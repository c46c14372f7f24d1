//! The snapshot file's encoding: a short JSON head (everything but the
//! card states), the card states in a compact binary form, and a checksum
//! over both. The states are nearly all of a snapshot (100,000 cards were
//! 28 MB of JSON, read and written in about 0.1 s each); binary, they are
//! a fifth of that and read and written in a few milliseconds.
//!
//! The snapshot is a cache (DESIGN.md, invariant 3): it is written without
//! an fsync, and a file that a crash or a disk left short or changed fails
//! the checksum and is ignored, so the open replays the logs instead.

use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::deck::{CardId, DeckId};
use crate::revlog::{CardStates, FastHash, States};
use crate::schedule::{CardState, Due, Memory, Phase};
use crate::time::{Day, Moment};

/// The first bytes of a snapshot file, then the format number in the head.
const MAGIC: &[u8; 16] = b"yadgar-snapshot\n";

/// The file: magic, the head's length and the head (JSON), the states, then
/// the checksum of every byte before it.
///
/// # Errors
/// The head cannot be written as JSON.
pub(super) fn encode(head: &impl Serialize, states: &States) -> Result<Vec<u8>, serde_json::Error> {
    let cards: usize = states.values().map(HashMap::len).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 8 + 4096 + 16 + cards * 72);
    out.extend_from_slice(MAGIC);
    // The head is written in place (it can hold an imported deck) and its
    // length filled in after.
    let length_at = out.len();
    put_u64(&mut out, 0);
    serde_json::to_writer(&mut out, head)?;
    let head_len = (out.len() - length_at - 8) as u64;
    if let Some(slot) = out.get_mut(length_at..length_at + 8) {
        slot.copy_from_slice(&head_len.to_le_bytes());
    }
    // Sorted, so the same state always gives the same bytes.
    let mut decks: Vec<(&DeckId, &CardStates)> = states.iter().collect();
    decks.sort_unstable_by(|a, b| a.0.cmp(b.0));
    put_u64(&mut out, decks.len() as u64);
    for (deck, cards) in decks {
        put_str(&mut out, &deck.0);
        put_u64(&mut out, cards.len() as u64);
        let mut cards: Vec<(&CardId, &CardState)> = cards.iter().collect();
        cards.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (card, state) in cards {
            put_str(&mut out, &card.0);
            put_state(&mut out, state);
        }
    }
    let sum = checksum(&out);
    put_u64(&mut out, sum);
    Ok(out)
}

/// The head and the states of a snapshot file; `None` if it is not one,
/// or is short or damaged.
pub(super) fn decode<H: DeserializeOwned>(bytes: &[u8]) -> Option<(H, States)> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if checksum(body) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut at = Reader(body.strip_prefix(MAGIC)?);
    let head_len = usize::try_from(at.u64()?).ok()?;
    let head: H = serde_json::from_slice(at.take(head_len)?).ok()?;
    let decks = at.u64()?;
    let mut states = States::with_capacity_and_hasher(usize::try_from(decks).ok()?.min(1 << 16), FastHash::default());
    for _ in 0..decks {
        let deck = DeckId(at.string()?.into());
        let n = usize::try_from(at.u64()?).ok()?;
        // A count is never trusted past what the bytes could hold.
        let mut cards = CardStates::with_capacity_and_hasher(n.min(at.0.len() / 40), FastHash::default());
        for _ in 0..n {
            let card = CardId(at.string()?.into());
            cards.insert(card, at.state()?);
        }
        states.insert(deck, cards);
    }
    at.0.is_empty().then_some((head, states))
}

/// A 64-bit check over `bytes`, eight at a time: enough to notice a file
/// cut short or changed by accident (it is no defence against tampering,
/// which a cache needs none of: the logs are the truth).
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 32)
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Ids are short; a length that does not fit 16 bits is written as the
    // escape 0xffff and a full 64-bit length.
    match u16::try_from(s.len()) {
        Ok(n) if n < u16::MAX => out.extend_from_slice(&n.to_le_bytes()),
        _ => {
            out.extend_from_slice(&u16::MAX.to_le_bytes());
            put_u64(out, s.len() as u64);
        }
    }
    out.extend_from_slice(s.as_bytes());
}

fn put_day(out: &mut Vec<u8>, day: Option<Day>) {
    match day {
        None => out.push(0),
        Some(Day(d)) => {
            out.push(1);
            out.extend_from_slice(&d.to_le_bytes());
        }
    }
}

/// Every field of a [`CardState`]; a new field needs a new snapshot format.
fn put_state(out: &mut Vec<u8>, s: &CardState) {
    let CardState {
        phase,
        step,
        due,
        memory,
        interval_days,
        last_review,
        reps,
        lapses,
        suspended,
        buried_until,
        leech,
        sent_for,
    } = s;
    out.push(match phase {
        Phase::New => 0,
        Phase::Learning => 1,
        Phase::Review => 2,
        Phase::Relearning => 3,
    });
    out.push(*step);
    match due {
        Due::New => out.push(0),
        Due::At(ms) => {
            out.push(1);
            out.extend_from_slice(&ms.to_le_bytes());
        }
        Due::Day(Day(d)) => {
            out.push(2);
            out.extend_from_slice(&d.to_le_bytes());
        }
    }
    match memory {
        None => out.push(0),
        Some(m) => {
            out.push(1);
            out.extend_from_slice(&m.stability.to_bits().to_le_bytes());
            out.extend_from_slice(&m.difficulty.to_bits().to_le_bytes());
        }
    }
    out.extend_from_slice(&interval_days.to_le_bytes());
    match last_review {
        None => out.push(0),
        Some(m) => {
            out.push(1);
            out.extend_from_slice(&m.unix_ms.to_le_bytes());
            out.extend_from_slice(&m.offset_s.to_le_bytes());
        }
    }
    out.extend_from_slice(&reps.to_le_bytes());
    out.extend_from_slice(&lapses.to_le_bytes());
    out.push(u8::from(*suspended) | (u8::from(*leech) << 1));
    put_day(out, *buried_until);
    put_day(out, *sent_for);
}

/// Reads the encoding above; every read checks the bytes left.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(taken)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.array()?))
    }
    fn string(&mut self) -> Option<String> {
        let short = u16::from_le_bytes(self.array()?);
        let len = if short == u16::MAX { usize::try_from(self.u64()?).ok()? } else { usize::from(short) };
        std::str::from_utf8(self.take(len)?).ok().map(str::to_owned)
    }
    fn day(&mut self) -> Option<Option<Day>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(Day(self.i32()?))),
            _ => None,
        }
    }
    fn state(&mut self) -> Option<CardState> {
        let phase = match self.u8()? {
            0 => Phase::New,
            1 => Phase::Learning,
            2 => Phase::Review,
            3 => Phase::Relearning,
            _ => return None,
        };
        let step = self.u8()?;
        let due = match self.u8()? {
            0 => Due::New,
            1 => Due::At(self.i64()?),
            2 => Due::Day(Day(self.i32()?)),
            _ => return None,
        };
        let memory = match self.u8()? {
            0 => None,
            1 => Some(Memory { stability: f32::from_bits(self.u32()?), difficulty: f32::from_bits(self.u32()?) }),
            _ => return None,
        };
        let interval_days = self.u32()?;
        let last_review = match self.u8()? {
            0 => None,
            1 => Some(Moment { unix_ms: self.i64()?, offset_s: self.i32()? }),
            _ => return None,
        };
        let reps = self.u32()?;
        let lapses = self.u32()?;
        let flags = self.u8()?;
        if flags > 3 {
            return None;
        }
        let buried_until = self.day()?;
        let sent_for = self.day()?;
        Some(CardState {
            phase,
            step,
            due,
            memory,
            interval_days,
            last_review,
            reps,
            lapses,
            suspended: flags & 1 != 0,
            buried_until,
            leech: flags & 2 != 0,
            sent_for,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn states() -> States {
        let mut states = States::default();
        let full = CardState {
            phase: Phase::Relearning,
            step: 2,
            due: Due::At(-5),
            memory: Some(Memory { stability: 0.1, difficulty: 9.75 }),
            interval_days: 400,
            last_review: Some(Moment { unix_ms: 1_795_000_000_000, offset_s: -18_000 }),
            reps: 12,
            lapses: 3,
            suspended: true,
            buried_until: Some(Day(20_000)),
            leech: true,
            sent_for: Some(Day(-1)),
        };
        let review = CardState { phase: Phase::Review, due: Due::Day(Day(21_000)), ..CardState::default() };
        let long = "x".repeat(70_000);
        for (deck, card, state) in [
            ("a", "one", CardState::default()),
            ("a", "two", full.clone()),
            ("b", "ثلاثة", review),
            ("b", long.as_str(), CardState { leech: true, ..full }),
        ] {
            states.entry(DeckId(deck.into())).or_default().insert(CardId(card.into()), state);
        }
        states
    }

    #[test]
    fn every_field_of_every_state_reads_back() {
        let head = serde_json::json!({"format": 4, "files": [1, 2]});
        let bytes = encode(&head, &states()).unwrap();
        let (read, back): (serde_json::Value, States) = decode(&bytes).unwrap();
        assert_eq!(read, head);
        assert_eq!(back, states());
    }

    #[test]
    fn a_file_cut_short_or_changed_is_not_read() {
        let bytes = encode(&serde_json::json!({}), &states()).unwrap();
        for len in [0, 7, 8, 30, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode::<serde_json::Value>(&bytes[..len]).is_none(), "cut to {len}");
        }
        for i in [0, 20, bytes.len() / 2, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[i] ^= 0x10;
            assert!(decode::<serde_json::Value>(&changed).is_none(), "byte {i} changed");
        }
        assert!(decode::<serde_json::Value>(b"{\"format\":3}").is_none());
    }
}

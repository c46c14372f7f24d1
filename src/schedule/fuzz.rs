//! Interval fuzz as Anki does it: a review interval is spread over a small
//! range so cards learnt together don't stay together. The spread is drawn
//! from a hash of the card and the day, so it is the same on every replay.

/// (start, end, factor): the fuzz grows by `factor` per day within each range.
const FUZZ_RANGES: [(f32, f32, f32); 3] = [(2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, f32::MAX, 0.05)];

fn fuzz_delta(interval: f32) -> f32 {
    if interval < 2.5 {
        return 0.0;
    }
    FUZZ_RANGES.iter().fold(1.0, |delta, &(start, end, factor)| delta + factor * (interval.min(end) - start).max(0.0))
}

/// The range an interval may be fuzzed into, kept within `minimum..=maximum`.
pub fn bounds(interval: f32, minimum: u32, maximum: u32) -> (u32, u32) {
    let minimum = minimum.min(maximum);
    let interval = interval.clamp(minimum as f32, maximum as f32);
    let delta = fuzz_delta(interval);
    let lower = ((interval - delta).round() as u32).clamp(minimum, maximum);
    let mut upper = ((interval + delta).round() as u32).clamp(minimum, maximum);
    if upper == lower && upper > 2 && upper < maximum {
        upper = lower + 1;
    }
    (lower, upper)
}

/// The fuzzed interval for a factor in `0.0..1.0`.
pub fn apply(factor: f64, interval: f32, minimum: u32, maximum: u32) -> u32 {
    let (lower, upper) = bounds(interval, minimum, maximum);
    if interval < 2.5 {
        return lower;
    }
    let span = f64::from(upper - lower + 1);
    (f64::from(lower) + factor * span).floor().min(f64::from(upper)) as u32
}

/// A stable 64-bit hash of a card's deck and card id (FNV-1a), the card's
/// part of the fuzz seed. Stable across builds and platforms, unlike std's
/// hasher.
pub fn card_seed(deck: &str, card: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in deck.bytes().chain(std::iter::once(0)).chain(card.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A number in `0.0..1.0` from a seed (splitmix64's finaliser).
pub fn unit_from_seed(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

//! Moments and study days. A moment is a Unix time with the UTC offset that
//! was in force where it happened; a study day is a local calendar day that
//! starts at the rollover hour (4 am by default), so a review at 03:59
//! belongs to the day before. Days are counted on local calendar dates, so a
//! daylight-saving change never skips or repeats one.

use serde::{Deserialize, Serialize};

const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_HOUR: i64 = 3_600_000;

/// A point in time: Unix milliseconds and the local UTC offset in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Moment {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub unix_ms: i64,
    /// Seconds east of UTC in force at that moment (+3600 for CET).
    pub offset_s: i32,
}

/// A study day: days since 1970-01-01 on the local calendar, shifted by the
/// rollover hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(pub i32);

impl Day {
    /// The day `n` days later (or earlier, for negative `n`).
    pub fn plus(self, n: i32) -> Day {
        Day(self.0.saturating_add(n))
    }

    /// The local calendar date of this study day.
    pub fn date(self) -> jiff::civil::Date {
        let epoch = jiff::civil::date(1970, 1, 1);
        epoch.checked_add(jiff::Span::new().days(self.0)).unwrap_or(epoch)
    }

    /// Whole days from `earlier` to `self` (negative if `earlier` is later).
    pub fn since(self, earlier: Day) -> i32 {
        self.0 - earlier.0
    }
}

impl Moment {
    /// A moment from Unix milliseconds and an offset in seconds.
    pub fn new(unix_ms: i64, offset_s: i32) -> Moment {
        Moment { unix_ms, offset_s }
    }

    /// The study day this moment belongs to, with the day starting at
    /// `rollover_hour` local time.
    pub fn day(self, rollover_hour: u8) -> Day {
        let local = self.unix_ms + i64::from(self.offset_s) * 1000 - i64::from(rollover_hour) * MS_PER_HOUR;
        Day(i32::try_from(local.div_euclid(MS_PER_DAY)).unwrap_or(i32::MAX))
    }

    /// This moment plus `minutes` (fractions allowed), keeping the offset.
    pub fn plus_minutes(self, minutes: f32) -> Moment {
        Moment { unix_ms: self.unix_ms + (f64::from(minutes) * 60_000.0).round() as i64, offset_s: self.offset_s }
    }

    /// When `day` starts, assuming this moment's UTC offset still holds then
    /// (good to the hour across a daylight-saving change; used for display).
    pub fn start_of(self, day: Day, rollover_hour: u8) -> Moment {
        let local = i64::from(day.0) * MS_PER_DAY + i64::from(rollover_hour) * MS_PER_HOUR;
        Moment { unix_ms: local - i64::from(self.offset_s) * 1000, offset_s: self.offset_s }
    }
}

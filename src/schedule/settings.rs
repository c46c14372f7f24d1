//! A profile's scheduling settings, with Anki's defaults, and their
//! validation: a bad value is rejected with a reason, never clamped.

use serde::{Deserialize, Serialize};

/// The order in which new cards are introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewCardOrder {
    /// Deck by deck, each in the order of its file.
    #[default]
    DeckOrder,
    /// Shuffled, with a fresh order each day.
    Random,
}

/// What happens to a card that reaches the leech threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeechAction {
    /// Mark it as a leech and keep it in the queue.
    #[default]
    TagOnly,
    /// Mark it and suspend it.
    Suspend,
}

/// Scheduling settings. Defaults are Anki's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The probability of recall to aim for when a card comes due (0.70–0.99).
    pub desired_retention: f32,
    /// Learning steps for new cards, in minutes.
    pub learning_steps_mins: Vec<f32>,
    /// Relearning steps after a lapse, in minutes.
    pub relearning_steps_mins: Vec<f32>,
    /// New cards introduced per day.
    pub new_per_day: u32,
    /// Reviews shown per day.
    pub reviews_per_day: u32,
    /// The longest interval, in days.
    pub maximum_interval_days: u32,
    /// The local hour at which a new study day starts (0–23).
    pub rollover_hour: u8,
    /// New-card order.
    pub new_card_order: NewCardOrder,
    /// Lapses that make a card a leech.
    pub leech_threshold: u32,
    /// What to do with a leech.
    pub leech_action: LeechAction,
    /// FSRS parameters; empty means the crate's defaults.
    pub fsrs_parameters: Vec<f32>,
    /// Once a card is answered, its new siblings wait until the next day,
    /// and no two new siblings are introduced on one day (as Anki's "bury
    /// new siblings").
    pub bury_new_siblings: bool,
    /// Once a card is answered, its review siblings wait until the next
    /// day (as Anki's "bury review siblings").
    pub bury_review_siblings: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            desired_retention: 0.90,
            learning_steps_mins: vec![1.0, 10.0],
            relearning_steps_mins: vec![10.0],
            new_per_day: 20,
            reviews_per_day: 200,
            maximum_interval_days: 36_500,
            rollover_hour: 4,
            new_card_order: NewCardOrder::DeckOrder,
            leech_threshold: 8,
            leech_action: LeechAction::TagOnly,
            fsrs_parameters: Vec::new(),
            bury_new_siblings: true,
            bury_review_siblings: true,
        }
    }
}

impl Settings {
    /// The forgetting curve's decay: parameter 21 of FSRS-6, or its default.
    pub fn decay(&self) -> f32 {
        self.fsrs_parameters.get(20).copied().unwrap_or(fsrs::FSRS6_DEFAULT_DECAY)
    }
}

/// A setting that is out of range, with what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// Retention outside 0.70–0.99.
    #[error("desired retention must be between 0.70 and 0.99")]
    Retention,
    /// A step list that is empty where it may not be, or has a non-positive step.
    #[error("{0} must be positive durations such as \"1m 10m\" or \"1h\"")]
    Steps(&'static str),
    /// A maximum interval of 0.
    #[error("the maximum interval must be at least 1 day")]
    MaximumInterval,
    /// A rollover hour past 23.
    #[error("the day must start at an hour from 0 to 23")]
    RolloverHour,
    /// A leech threshold of 0.
    #[error("the leech threshold must be at least 1 lapse")]
    LeechThreshold,
    /// Parameters the FSRS crate refuses.
    #[error("the FSRS parameters are not valid: reset them to the defaults")]
    Parameters,
}

impl Settings {
    /// Checks every value, returning the first that is out of range.
    ///
    /// # Errors
    /// The setting that is wrong and what is allowed.
    pub fn validate(&self) -> Result<(), SettingError> {
        if !(0.70..=0.99).contains(&self.desired_retention) {
            return Err(SettingError::Retention);
        }
        if self.learning_steps_mins.iter().any(|&m| !(m > 0.0 && m.is_finite())) {
            return Err(SettingError::Steps("learning steps"));
        }
        if self.relearning_steps_mins.iter().any(|&m| !(m > 0.0 && m.is_finite())) {
            return Err(SettingError::Steps("relearning steps"));
        }
        if self.maximum_interval_days == 0 {
            return Err(SettingError::MaximumInterval);
        }
        if self.rollover_hour > 23 {
            return Err(SettingError::RolloverHour);
        }
        if self.leech_threshold == 0 {
            return Err(SettingError::LeechThreshold);
        }
        if fsrs::FSRS::new(&self.fsrs_parameters).is_err() {
            return Err(SettingError::Parameters);
        }
        Ok(())
    }
}

/// Reads steps written as "1m 10m", "30s 1h" or "1d" into minutes.
///
/// # Errors
/// A word that is not a positive number with an optional unit s, m, h or d
/// (minutes when no unit is given).
pub fn parse_steps(text: &str) -> Result<Vec<f32>, SettingError> {
    text.split_whitespace()
        .map(|word| {
            let (number, unit) = match word.find(|c: char| c.is_ascii_alphabetic()) {
                Some(i) => word.split_at(i),
                None => (word, "m"),
            };
            let value: f32 = number.parse().map_err(|_| SettingError::Steps("steps"))?;
            let minutes = match unit {
                "s" => value / 60.0,
                "m" => value,
                "h" => value * 60.0,
                "d" => value * 1440.0,
                _ => return Err(SettingError::Steps("steps")),
            };
            if minutes > 0.0 && minutes.is_finite() { Ok(minutes) } else { Err(SettingError::Steps("steps")) }
        })
        .collect()
}

/// Writes minutes as steps ("1m 10m"), the inverse of [`parse_steps`].
pub fn format_steps(steps: &[f32]) -> String {
    steps
        .iter()
        .map(|&m| {
            if m >= 1440.0 && (m / 1440.0).fract() == 0.0 {
                format!("{}d", m / 1440.0)
            } else if m >= 60.0 && (m / 60.0).fract() == 0.0 {
                format!("{}h", m / 60.0)
            } else if m.fract() == 0.0 {
                format!("{m}m")
            } else {
                format!("{}s", (m * 60.0).round())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

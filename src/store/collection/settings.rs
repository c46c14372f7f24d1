//! `profile.json`'s settings and preferences: read as an input (a value
//! that cannot be used is kept as written and reported, never lost),
//! written back with new window preferences only for a profile opened
//! without this computer's folders (the window keeps them in its config
//! folder); and the
//! settings in force: the file's, with every device's settings events on
//! top, key by key.

use serde::Serialize;

use super::{PROFILE_FORMAT, Preferences, ProfileFile, io};
use crate::content::{ContentEvent, EXAM_DATE_KEY};
use crate::schedule::{Scheduler, Settings};
use crate::store::atomic::write_atomic;
use crate::store::{Profile, StoreError};

/// A setting or preference in `profile.json` that could not be used: its
/// section, key and the value as written, kept so that a save of other
/// settings never writes over it (only a new value for this key does).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct KeptValue {
    section: &'static str,
    key: String,
    raw: serde_json::Value,
    /// The value used instead (the default), or `None` for an unknown key.
    fallback: Option<serde_json::Value>,
}

/// What `profile.json` gave: settings, preferences, why the whole file
/// cannot be written (if so), warnings, and values kept as written.
pub(super) struct ReadSettings {
    pub(super) settings: Settings,
    pub(super) preferences: Preferences,
    pub(super) error: Option<String>,
    pub(super) warnings: Vec<String>,
    pub(super) kept: Vec<KeptValue>,
}

pub(super) fn read_settings(profile: &Profile) -> Result<ReadSettings, StoreError> {
    let path = profile.dir.join("profile.json");
    let defaults = |error: Option<String>| ReadSettings {
        settings: Settings::default(),
        preferences: Preferences::default(),
        error,
        warnings: Vec::new(),
        kept: Vec::new(),
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        // None (a new profile): the defaults. It is not written: it is an
        // input, and two computers would write it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(defaults(None)),
        Err(source) => return Err(io(&path, source)),
    };
    let value = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(map)) => map,
        Ok(_) => {
            return Ok(defaults(Some(format!(
                "{}:1:1: not a settings object; the file was left as it is and the default settings are in use: fix or delete it",
                path.display()
            ))));
        }
        Err(e) => {
            return Ok(defaults(Some(format!(
                "{}:{}:{}: {e}; the file was left as it is and the default settings are in use: fix or delete it",
                path.display(),
                e.line(),
                e.column()
            ))));
        }
    };
    let format = value.get("format").and_then(serde_json::Value::as_u64).unwrap_or(u64::from(PROFILE_FORMAT));
    if format > u64::from(PROFILE_FORMAT) {
        return Ok(defaults(Some(format!(
            "{}: written by a newer Yadgar (format {format}); update Yadgar to change settings",
            path.display()
        ))));
    }
    let mut warnings = Vec::new();
    let mut kept = Vec::new();
    let shown = path.display().to_string();
    let settings: Settings = read_section(&shown, &value, "settings", &mut warnings, &mut kept, |s: &Settings| {
        s.validate().map_err(|e| e.to_string())
    });
    let preferences: Preferences =
        read_section(&shown, &value, "preferences", &mut warnings, &mut kept, |p: &Preferences| {
            if p.zoom.is_finite() && (0.1..=10.0).contains(&p.zoom) {
                Ok(())
            } else {
                Err("the zoom must be between 0.1 and 10".to_owned())
            }
        });
    for key in value.keys().filter(|k| !["format", "settings", "preferences"].contains(&k.as_str())) {
        warnings.push(format!("{shown}: unknown entry {key:?} is ignored and kept in the file"));
    }
    Ok(ReadSettings { settings, preferences, error: None, warnings, kept })
}

/// Reads one section of `profile.json` field by field onto the defaults:
/// a field that does not parse or is out of range falls back alone to its
/// default, with a warning naming it and its value, and is kept as written.
fn read_section<T>(
    path: &str,
    file: &serde_json::Map<String, serde_json::Value>,
    section: &'static str,
    warnings: &mut Vec<String>,
    kept: &mut Vec<KeptValue>,
    valid: impl Fn(&T) -> Result<(), String>,
) -> T
where
    T: Default + Serialize + serde::de::DeserializeOwned,
{
    let default = T::default();
    let Ok(serde_json::Value::Object(mut accepted)) = json_value(&default) else { return default };
    let fields = match file.get(section) {
        None | Some(serde_json::Value::Null) => return default,
        Some(serde_json::Value::Object(fields)) => fields,
        Some(other) => {
            warnings.push(format!(
                "{path}: \"{section}\" is {} instead of an object, so every {section} value is the default; fix it in Settings",
                crate::store::shorten(&other.to_string())
            ));
            return default;
        }
    };
    for (key, raw) in fields {
        let Some(fallback) = accepted.get(key).cloned() else {
            warnings.push(format!("{path}: unknown {section} entry {key:?} is ignored and kept in the file"));
            kept.push(KeptValue { section, key: key.clone(), raw: raw.clone(), fallback: None });
            continue;
        };
        accepted.insert(key.clone(), raw.clone());
        let checked = serde_json::from_value::<T>(serde_json::Value::Object(accepted.clone()))
            .map_err(|e| e.to_string())
            .and_then(|t| valid(&t));
        if let Err(reason) = checked {
            warnings.push(format!(
                "{path}: {section} {key:?} is {}, which cannot be used ({reason}); using {fallback} instead; the file keeps the old value until you save a new one in Settings",
                crate::store::shorten(&raw.to_string())
            ));
            kept.push(KeptValue { section, key: key.clone(), raw: raw.clone(), fallback: Some(fallback.clone()) });
            accepted.insert(key.clone(), fallback);
        }
    }
    serde_json::from_value(serde_json::Value::Object(accepted)).unwrap_or(default)
}

/// `value` as JSON text read back, so that an `f32` such as 0.9 stays 0.9
/// (`serde_json::to_value` would widen it to 0.8999999761581421).
fn json_value<T: Serialize>(value: &T) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_slice(&serde_json::to_vec(value)?)
}

/// Writes `profile.json` atomically. A value in `kept` is written as it was
/// read unless the new value differs from the one used in its place: a
/// save of one setting never replaces another that could not be read.
pub(super) fn write_settings(
    profile: &Profile,
    settings: &Settings,
    preferences: &Preferences,
    kept: &[KeptValue],
) -> Result<(), StoreError> {
    let path = profile.dir.join("profile.json");
    let file = ProfileFile { format: PROFILE_FORMAT, settings: settings.clone(), preferences: preferences.clone() };
    let mut value = json_value(&file).map_err(|e| io(&path, std::io::Error::other(e)))?;
    for kept in kept {
        let Some(serde_json::Value::Object(section)) = value.get_mut(kept.section) else { continue };
        let unchanged = match (&kept.fallback, section.get(&kept.key)) {
            (None, _) => true,
            (Some(fallback), Some(now)) => fallback == now,
            (Some(_), None) => false,
        };
        if unchanged {
            section.insert(kept.key.clone(), kept.raw.clone());
        }
    }
    let mut bytes = serde_json::to_vec_pretty(&value).map_err(|e| io(&path, std::io::Error::other(e)))?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes).map_err(|source| io(&path, source))
}

/// The kept values still as written after a save of `settings` and
/// `preferences` (those given a new value are dropped).
pub(super) fn still_kept(kept: &[KeptValue], settings: &Settings, preferences: &Preferences) -> Vec<KeptValue> {
    let file = ProfileFile { format: PROFILE_FORMAT, settings: settings.clone(), preferences: preferences.clone() };
    let Ok(value) = json_value(&file) else { return kept.to_vec() };
    kept.iter()
        .filter(|k| match &k.fallback {
            None => true,
            Some(fallback) => value.get(k.section).and_then(|s| s.get(&k.key)) == Some(fallback),
        })
        .cloned()
        .collect()
}

/// Settings as a JSON object, key by key (f32 values as written).
pub(in crate::store) fn settings_map(settings: &Settings) -> serde_json::Map<String, serde_json::Value> {
    match json_value(settings) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

/// The scheduler for `base` (from `profile.json`, at `shown`) with the
/// settings events among `content` on top, key by key: a value that does
/// not parse or is out of range is left out (the earlier value stays).
pub(super) fn scheduler_for(
    base: &Settings,
    content: &[(ContentEvent, String)],
    hold_after_ms: i64,
    shown: &str,
) -> Scheduler {
    let overlay = crate::content::settings_overlay(content.iter().map(|(e, _)| e).filter(|e| e.at_ms <= hold_after_ms));
    let defaults = settings_map(&Settings::default());
    let mut map = settings_map(base);
    for (key, value) in overlay {
        if key == EXAM_DATE_KEY || !defaults.contains_key(&key) {
            continue;
        }
        let before = map.get(&key).cloned();
        let value = if value.is_null() { defaults.get(&key).cloned().unwrap_or(value) } else { value };
        map.insert(key.clone(), value);
        let ok = serde_json::from_value::<Settings>(serde_json::Value::Object(map.clone()))
            .ok()
            .is_some_and(|s| s.validate().is_ok());
        if !ok {
            match before {
                Some(v) => map.insert(key, v),
                None => map.remove(&key),
            };
        }
    }
    let settings = serde_json::from_value::<Settings>(serde_json::Value::Object(map)).unwrap_or_else(|_| base.clone());
    Scheduler::new(settings).unwrap_or_else(|e| {
        eprintln!("yadgar: {shown}: {e}; using the default settings");
        #[allow(clippy::expect_used)]
        Scheduler::new(Settings::default()).expect("the default settings are valid")
    })
}

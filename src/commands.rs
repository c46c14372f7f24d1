//! The headless subcommands `due`, `eval` and `optimize`, as functions that
//! return their output, so the binary stays thin and tests can call them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::history::{self, Metrics, Review};
use crate::store::{self, Collection};
use crate::study;
use crate::time::Moment;

/// Opens the profile with this computer's device id (from its config
/// folder, never the data folder), adding to `warnings` everything the
/// window would show about it: a replaced device id, unreadable log lines,
/// conflict copies, events held back, settings that fell back to their
/// defaults. Every command replays the logs, so each writes this computer's
/// snapshot cache afterwards unless it is already current.
fn open(
    data_dir: &Option<PathBuf>,
    profile: &str,
    writable: bool,
    warnings: &mut Vec<String>,
) -> Result<Collection, String> {
    let collection = open_unsaved(data_dir, profile, writable, warnings)?;
    if !collection.snapshot_is_current() {
        save_snapshot(&collection, warnings);
    }
    Ok(collection)
}

/// [`open`], leaving the snapshot to the caller (`due` writes it while it
/// counts).
fn open_unsaved(
    data_dir: &Option<PathBuf>,
    profile: &str,
    writable: bool,
    warnings: &mut Vec<String>,
) -> Result<Collection, String> {
    let dir = store::data_dir(data_dir.as_deref()).map_err(|e| e.to_string())?;
    let local = store::LocalDirs::from_env().map_err(|e| e.to_string())?;
    let device = store::device_id_checked(&local.device_id_file()).map_err(|e| e.to_string())?;
    warnings.extend(device.warning);
    let opening = store::Opening::new(writable, Some(local));
    let collection = Collection::open_as(&dir, profile, &device.id, &opening).map_err(|e| e.to_string())?;
    warnings.extend(collection.warnings().iter().cloned());
    Ok(collection)
}

/// Writes the snapshot cache; a failure is a warning, since nothing is lost.
fn save_snapshot(collection: &Collection, warnings: &mut Vec<String>) {
    if let Err(e) = collection.save_snapshot() {
        warnings.push(format!("the start-up cache was not saved (nothing is lost): {e}"));
    }
}

/// The profile's decks, adding each deck that failed to load (file, line,
/// what to fix) to `warnings`, as the window lists them.
fn library(collection: &Collection, warnings: &mut Vec<String>) -> std::sync::Arc<crate::deck::Library> {
    let library = collection.library();
    warnings.extend(library.errors.iter().map(ToString::to_string));
    library
}

/// `yadgar due`: today's counts per deck and the next due time.
///
/// # Errors
/// The profile cannot be opened.
pub fn due(
    data_dir: &Option<PathBuf>,
    profile: &str,
    json: bool,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    let collection = open_unsaved(data_dir, profile, false, warnings)?;
    let library = library(&collection, warnings);
    let now = store::now();
    if collection.snapshot_is_current() {
        return due_report(&collection, &library, now, json);
    }
    // The snapshot is written on a second core while the counts are made.
    let (report, saved) = std::thread::scope(|scope| {
        let saving = scope.spawn(|| collection.save_snapshot());
        let report = due_report(&collection, &library, now, json);
        (report, saving.join())
    });
    match saved {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => warnings.push(format!("the start-up cache was not saved (nothing is lost): {e}")),
        Err(_) => warnings.push("the start-up cache was not saved (nothing is lost)".to_owned()),
    }
    report
}

/// The text or JSON of `yadgar due` at `now`.
///
/// # Errors
/// Never in practice; JSON serialisation of plain values cannot fail.
pub fn due_report(
    collection: &Collection,
    library: &crate::deck::Library,
    now: Moment,
    json: bool,
) -> Result<String, String> {
    let scheduler = collection.scheduler();
    let progress = collection.progress();
    let ((queue, refs), counts) = study::queue_and_deck_counts(scheduler, now, library, progress);
    let next_due = if queue.counts.total() > 0 {
        Some(now)
    } else {
        queue.next_due_any().map(|m| Moment::new(m.unix_ms, now.offset_s))
    };
    let decks: Vec<_> = library.decks.iter().zip(counts).collect();
    if json {
        let value = serde_json::json!({
            "profile": collection.profile().name,
            "decks": decks.iter().map(|(loaded, c)| serde_json::json!({
                "id": loaded.deck.id.0, "title": loaded.deck.title,
                "new": c.new, "learning": c.learning, "review": c.review,
            })).collect::<Vec<_>>(),
            "total": { "new": queue.counts.new, "learning": queue.counts.learning, "review": queue.counts.review },
            "next_due_unix_ms": next_due.map(|m| m.unix_ms),
            "queue": queue.cards().filter_map(|q| {
                let r = refs.get(q.index)?;
                let loaded = library.decks.get(r.deck)?;
                let card = loaded.deck.cards.get(r.card)?;
                let kind = match q.kind {
                    crate::schedule::QueueKind::New => "new",
                    crate::schedule::QueueKind::Learning => "learning",
                    crate::schedule::QueueKind::Review => "review",
                };
                Some(serde_json::json!({ "deck": loaded.deck.id.0, "card": card.id.0, "kind": kind }))
            }).collect::<Vec<_>>(),
        });
        return serde_json::to_string_pretty(&value).map(|s| s + "\n").map_err(|e| e.to_string());
    }
    let mut out = String::new();
    let width = decks.iter().map(|(l, _)| l.deck.title.chars().count()).max().unwrap_or(0);
    for (loaded, c) in &decks {
        let _ = writeln!(
            out,
            "{:width$}  new {:>3}  learning {:>3}  due {:>4}",
            loaded.deck.title, c.new, c.learning, c.review
        );
    }
    let c = queue.counts;
    let _ = writeln!(out, "total: new {}, learning {}, due {}", c.new, c.learning, c.review);
    let _ = writeln!(out, "next due: {}", describe_next_due(next_due, now));
    Ok(out)
}

/// "now", "in 12 min", "in 3 h 12 min", "in 1 day 13 h", "in 4 days" or
/// "nothing scheduled".
pub fn describe_next_due(next: Option<Moment>, now: Moment) -> String {
    let Some(next) = next else { return "nothing scheduled".to_owned() };
    let minutes = (next.unix_ms - now.unix_ms).max(0) / 60_000;
    match minutes {
        0 => "now".to_owned(),
        m if m < 60 => format!("in {m} min"),
        m if m < 24 * 60 => format!("in {} h {} min", m / 60, m % 60),
        m if m < 48 * 60 => format!("in 1 day {} h", (m - 24 * 60) / 60),
        m => format!("in {} days", m / (24 * 60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_review_is_said_in_days_and_hours_past_a_day() {
        let now = Moment::new(0, 0);
        let at = |minutes: i64| describe_next_due(Some(Moment::new(minutes * 60_000, 0)), now);
        assert_eq!(at(0), "now");
        assert_eq!(at(12), "in 12 min");
        assert_eq!(at(3 * 60 + 12), "in 3 h 12 min");
        assert_eq!(at(37 * 60 + 12), "in 1 day 13 h");
        assert_eq!(at(4 * 24 * 60 + 5), "in 4 days");
        assert_eq!(describe_next_due(None, now), "nothing scheduled");
    }
}

fn load_history(
    data_dir: &Option<PathBuf>,
    profile: &str,
    file: Option<&Path>,
    writable: bool,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Review>, u8, Option<Collection>), String> {
    match file {
        Some(path) => {
            let text = store::read_text(path).map_err(|e| e.to_string())?;
            let reviews = history::parse_csv(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            // A history file is judged with the default 4 am rollover in
            // the offsets it records.
            Ok((reviews, 4, None))
        }
        None => {
            let collection = open(data_dir, profile, writable, warnings)?;
            let _ = library(&collection, warnings);
            let events = collection.history_events().map_err(|e| e.to_string())?;
            let rollover = collection.settings().rollover_hour;
            Ok((history::from_events(&events), rollover, Some(collection)))
        }
    }
}

fn metrics_line(label: &str, m: &Metrics) -> String {
    format!(
        "{label:<22} log loss {:.4}  RMSE(bins) {:.4}  AUC {:.4}  ({} reviews)\n",
        m.log_loss, m.rmse_bins, m.auc, m.reviews
    )
}

/// `yadgar eval`: scores default and profile parameters on a history.
///
/// # Errors
/// The history cannot be read or is too small.
pub fn eval(
    data_dir: &Option<PathBuf>,
    profile: &str,
    file: Option<&Path>,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    let (reviews, rollover, collection) = load_history(data_dir, profile, file, false, warnings)?;
    let defaults = history::evaluate(&reviews, rollover, &[]).map_err(|e| e.to_string())?;
    let mut out = metrics_line("default parameters", &defaults);
    if let Some(collection) = &collection {
        let own = &collection.settings().fsrs_parameters;
        if !own.is_empty() {
            let m = history::evaluate(&reviews, rollover, own).map_err(|e| e.to_string())?;
            out.push_str(&metrics_line("profile parameters", &m));
        } else {
            out.push_str("profile parameters     (none: the profile uses the defaults)\n");
        }
    }
    Ok(out)
}

/// `yadgar optimize`: fits parameters; stores them in the profile when the
/// history is the profile's own.
///
/// # Errors
/// The history cannot be read, is too small, or the settings cannot be saved.
pub fn optimize(
    data_dir: &Option<PathBuf>,
    profile: &str,
    file: Option<&Path>,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    let (reviews, rollover, collection) = load_history(data_dir, profile, file, true, warnings)?;
    let before = history::evaluate(&reviews, rollover, &[]).map_err(|e| e.to_string())?;
    let parameters = history::optimize(&reviews, rollover).map_err(|e| e.to_string())?;
    let after = history::evaluate(&reviews, rollover, &parameters).map_err(|e| e.to_string())?;
    let mut out = metrics_line("default parameters", &before);
    out.push_str(&metrics_line("fitted parameters", &after));
    let list: Vec<String> = parameters.iter().map(|p| format!("{p:.4}")).collect();
    let _ = writeln!(out, "parameters: [{}]", list.join(", "));
    if let Some(mut collection) = collection {
        let mut settings = collection.settings().clone();
        settings.fsrs_parameters = parameters;
        collection.set_settings(settings).map_err(|e| e.to_string())?;
        let _ = writeln!(out, "saved to profile {:?}", collection.profile().name);
    }
    Ok(out)
}

/// `yadgar exam`: an exam and its answer key as JSON or Markdown.
///
/// # Errors
/// An unknown format or output, or an empty scope.
#[allow(clippy::too_many_arguments)]
pub fn exam(
    data_dir: &Option<PathBuf>,
    profile: &str,
    count: usize,
    seed: u64,
    decks: &[String],
    tags: &[String],
    formats: &[String],
    output: &str,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    use crate::exam::{ExamSpec, Format, build, exam_cards, to_markdown};
    let formats = formats
        .iter()
        .map(|name| {
            Format::from_short(name.trim())
                .ok_or_else(|| format!("unknown question format {name:?}: use mc, typed, tf or timeline"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if output != "json" && output != "markdown" {
        return Err(format!("unknown output {output:?}: use --format json or --format markdown"));
    }
    // The profile's own decks count too; progress is read, never written.
    let collection = match open(data_dir, profile, false, warnings) {
        Ok(c) => Some(c),
        Err(e) => {
            warnings.push(format!("{e}; the exam uses the bundled decks only"));
            None
        }
    };
    let library = match &collection {
        Some(c) => library(c, warnings),
        None => std::sync::Arc::new(crate::deck::Library::bundled()),
    };
    for deck in decks {
        if !library.decks.iter().any(|d| d.deck.id.0 == *deck) {
            let known: Vec<&str> = library.decks.iter().map(|d| d.deck.id.0.as_str()).collect();
            return Err(format!("there is no deck {deck:?}; the decks are: {}", known.join(", ")));
        }
    }
    let cards = exam_cards(
        &library,
        |_, _| None,
        |deck, card| {
            (decks.is_empty() || decks.iter().any(|d| d == deck))
                && (tags.is_empty() || card.tags.iter().any(|t| tags.contains(t)))
        },
    );
    if cards.is_empty() {
        return Err("no card matches that deck and tag: widen the scope".to_owned());
    }
    let exam = build(&cards, &ExamSpec { count, formats, seed, weak_first: false, first: Vec::new() });
    if output == "json" {
        let questions: Vec<serde_json::Value> = exam
            .questions
            .iter()
            .map(|q| {
                let mut value = serde_json::json!({
                    "format": q.format.short(),
                    "prompt": q.prompt,
                    "options": q.options,
                    "correct": q.correct,
                    "answer": q.answer_text(),
                    "card_ids": q.cards,
                });
                if let Some(object) = value.as_object_mut() {
                    if q.format == Format::TrueFalse {
                        object.insert("statement".into(), serde_json::json!(q.prompt));
                        object.insert("shown".into(), serde_json::json!(q.shown));
                        object.insert("fact".into(), serde_json::json!(q.fact));
                    }
                    if q.format == Format::Timeline
                        && let crate::exam::Correct::Order { order } = &q.correct
                    {
                        let key: Vec<serde_json::Value> = order
                            .iter()
                            .map(|&i| serde_json::json!({ "event": q.options.get(i), "date": q.dates.get(i) }))
                            .collect();
                        object.insert("events".into(), serde_json::json!(key));
                    }
                }
                value
            })
            .collect();
        let value = serde_json::json!({ "seed": seed, "questions": questions, "notes": exam.notes });
        return serde_json::to_string_pretty(&value).map(|s| s + "\n").map_err(|e| e.to_string());
    }
    Ok(to_markdown(&exam, &format!("Mock exam ({} questions, seed {seed})", exam.questions.len())))
}

/// CSV column choices from the command line, 1-based as a person counts;
/// `None` keeps what [`crate::interop::csv::sniff`] guessed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvColumns {
    /// The question's column.
    pub question: Option<usize>,
    /// The answer's column.
    pub answer: Option<usize>,
    /// Accepted forms (separated by `|`).
    pub accept: Option<usize>,
    /// Tags (separated by spaces).
    pub tags: Option<usize>,
    /// The note.
    pub note: Option<usize>,
    /// The card kind.
    pub kind: Option<usize>,
    /// Whether the first row is a header, over the guess.
    pub header: Option<bool>,
}

impl CsvColumns {
    fn apply(&self, options: &mut crate::interop::csv::CsvOptions) -> Result<(), String> {
        let zero_based = |n: usize, name: &str| {
            n.checked_sub(1).ok_or_else(|| format!("--{name}-col counts from 1: the first column is 1"))
        };
        if let Some(n) = self.question {
            options.question = zero_based(n, "question")?;
        }
        if let Some(n) = self.answer {
            options.answer = zero_based(n, "answer")?;
        }
        for (value, slot, name) in [
            (self.accept, &mut options.accept, "accept"),
            (self.tags, &mut options.tags, "tags"),
            (self.note, &mut options.note, "note"),
            (self.kind, &mut options.kind, "kind"),
        ] {
            if let Some(n) = value {
                *slot = Some(zero_based(n, name)?);
            }
        }
        if let Some(header) = self.header {
            options.has_header = header;
        }
        Ok(())
    }
}

/// `yadgar import FILE`: reads an Anki package, CSV/TSV or deck JSON (by
/// the extension) and adds it to the profile as one deck, with its review
/// history. Returns the one-line summary and any skipped cards.
///
/// # Errors
/// The file's format is unknown or it cannot be read, the deck exists (and
/// `replace` is false), or the profile cannot be written.
pub fn import(
    data_dir: &Option<PathBuf>,
    profile: &str,
    file: &Path,
    deck_name: Option<&str>,
    columns: &CsvColumns,
    replace: bool,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    use crate::interop::{self, Format, Progress};
    let shown = file.display().to_string();
    let Some(format) = Format::from_path(file) else {
        return Err(format!("{shown}: unknown file type: import a .apkg, .csv, .tsv, .txt or .json file"));
    };
    if deck_name.is_some_and(|n| n.trim().is_empty()) {
        return Err("--deck NAME is blank: give the deck a name, or leave --deck out to use the file's".to_owned());
    }
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let progress = Progress::new();
    // Every error names the file being imported.
    let located = |e: interop::InteropError| match e {
        interop::InteropError::Csv { line, reason } => format!("{shown}:{line}: {reason}"),
        e @ (interop::InteropError::Empty(_) | interop::InteropError::Deck(_)) => format!("{shown}: {e}"),
        e => e.to_string(),
    };
    let mut imported = match format {
        Format::Apkg => interop::apkg::read(file, deck_name, &progress).map_err(located)?,
        Format::Csv | Format::Tsv => {
            let bytes = store::read_bytes(file).map_err(|e| e.to_string())?;
            let guess = interop::csv::sniff(&bytes);
            let mut options = interop::csv::CsvOptions::from_guess(&guess);
            columns.apply(&mut options)?;
            interop::csv::read(&bytes, &options, deck_name.unwrap_or(&stem)).map_err(located)?
        }
        Format::Json => {
            let bytes = store::read_bytes(file).map_err(|e| e.to_string())?;
            interop::read_json(&shown, &bytes).map_err(|e| e.to_string())?
        }
    };
    if format == Format::Json
        && let Some(name) = deck_name
    {
        imported.deck.id = interop::deck_id_from_name(name);
        name.clone_into(&mut imported.deck.title);
    }
    let mut collection = open(data_dir, profile, true, warnings)?;
    let _ = library(&collection, warnings);
    let on_existing = if replace { store::OnExisting::Replace } else { store::OnExisting::Refuse };
    let reviews = imported.reviews();
    let title = imported.deck.title.clone();
    let skipped = imported.skipped;
    let report = collection.import_deck(imported.deck, imported.events, on_existing).map_err(|e| match e {
        // The deck is checked as the file it will become; name the file
        // the user gave instead, which exists.
        store::StoreError::InvalidDeck(e) => format!("{shown}: the imported deck is not valid: {}", e.kind),
        e => e.to_string(),
    })?;
    save_snapshot(&collection, warnings);
    let mut out = format!(
        "imported {} cards and {reviews} reviews into deck {:?} ({}); skipped {}; {} events added to the log, {} already there\n",
        report.cards,
        title,
        report.deck,
        skipped.len(),
        report.events_added,
        report.events_already_present,
    );
    if report.replaced {
        let _ = writeln!(
            out,
            "it replaced the deck of the same id; its earlier cards stay in the log (undo in the app brings them back)"
        );
    }
    for skipped in &skipped {
        let _ = writeln!(out, "  skipped {}: {}", skipped.what, skipped.reason);
    }
    Ok(out)
}

/// `yadgar export DECK --to FILE`: writes a deck (the profile's or a
/// bundled one) with its review history, in the format of the extension.
///
/// # Errors
/// No such deck, an unknown extension, a target inside the data folder, an
/// existing target without `force`, or a failed write.
pub fn export(
    data_dir: &Option<PathBuf>,
    profile: &str,
    deck: &str,
    to: &Path,
    force: bool,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    use crate::interop::{self, Format, Progress};
    let shown = to.display().to_string();
    let Some(format) = Format::from_path(to) else {
        return Err(format!("{shown}: unknown file type: export to a .apkg, .csv, .tsv, .txt or .json file"));
    };
    let collection = open(data_dir, profile, false, warnings)?;
    let library = library(&collection, warnings);
    let Some(loaded) = library.decks.iter().find(|d| d.deck.id.0 == deck || d.deck.title == deck) else {
        let known: Vec<&str> = library.decks.iter().map(|d| d.deck.id.0.as_str()).collect();
        return Err(format!("there is no deck {deck:?}; the decks are: {}", known.join(", ")));
    };
    let data = store::data_dir(data_dir.as_deref()).map_err(|e| e.to_string())?;
    store::check_export_target(&data, to, force).map_err(|e| e.to_string())?;
    let events = collection.export_events(&loaded.deck.id).map_err(|e| e.to_string())?;
    let in_log = events.iter().filter(|e| matches!(e.action, crate::revlog::Action::Review { .. })).count();
    let write = |bytes: Vec<u8>| store::write_atomic(to, &bytes).map_err(|e| format!("cannot write {shown}: {e}"));
    let history = match format {
        Format::Apkg => {
            let progress = Progress::new();
            let written = interop::apkg::write(&loaded.deck, &events, collection.scheduler(), to, &progress)
                .map_err(|e| e.to_string())?;
            format!("{} reviews", written.reviews)
        }
        Format::Csv | Format::Tsv | Format::Json => {
            let bytes = match format {
                Format::Csv => interop::csv::write(&loaded.deck),
                Format::Tsv => interop::csv::write_with(&loaded.deck, b'\t'),
                _ => interop::write_json(&loaded.deck).map_err(|e| e.to_string())?,
            };
            write(bytes)?;
            if in_log == 0 {
                "no reviews".to_owned()
            } else {
                format!("no reviews (its {in_log} reviews go only into .apkg exports)")
            }
        }
    };
    Ok(format!("exported {} cards and {history} of deck {:?} to {shown}\n", loaded.deck.cards.len(), loaded.deck.id.0))
}

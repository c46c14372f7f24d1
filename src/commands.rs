//! The headless subcommands `due`, `eval` and `optimize`, as functions that
//! return their output, so the binary stays thin and tests can call them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::history::{self, Metrics, Review};
use crate::store::{self, Collection};
use crate::study;
use crate::time::Moment;

/// Opens the profile to read, with its device id.
fn open(data_dir: &Option<PathBuf>, profile: &str, writable: bool) -> Result<Collection, String> {
    let dir = store::data_dir(data_dir.as_deref()).map_err(|e| e.to_string())?;
    let device = store::device_id(&store::device_id_file(&dir, data_dir.is_some())).map_err(|e| e.to_string())?;
    let collection = if writable {
        Collection::open(&dir, profile, &device)
    } else {
        Collection::open_read_only(&dir, profile, &device)
    };
    collection.map_err(|e| e.to_string())
}

/// `yadgar due`: today's counts per deck and the next due time.
///
/// # Errors
/// The profile cannot be opened.
pub fn due(data_dir: &Option<PathBuf>, profile: &str, json: bool) -> Result<String, String> {
    let collection = open(data_dir, profile, false)?;
    let library = store::load_library(&collection.profile().decks_dir());
    let now = store::now();
    due_report(&collection, &library, now, json)
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
    let (queue, _) = study::queue(scheduler, now, library, progress, None);
    let next_due = if queue.counts.total() > 0 {
        Some(now)
    } else {
        queue.next_due_any().map(|m| Moment::new(m.unix_ms, now.offset_s))
    };
    let decks: Vec<_> = library
        .decks
        .iter()
        .map(|loaded| (loaded, study::deck_counts(scheduler, now, library, progress, &loaded.deck.id)))
        .collect();
    if json {
        let value = serde_json::json!({
            "profile": collection.profile().name,
            "decks": decks.iter().map(|(loaded, c)| serde_json::json!({
                "id": loaded.deck.id.0, "title": loaded.deck.title,
                "new": c.new, "learning": c.learning, "review": c.review,
            })).collect::<Vec<_>>(),
            "total": { "new": queue.counts.new, "learning": queue.counts.learning, "review": queue.counts.review },
            "next_due_unix_ms": next_due.map(|m| m.unix_ms),
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

/// "now", "in 3 h 12 min" or "nothing scheduled".
pub fn describe_next_due(next: Option<Moment>, now: Moment) -> String {
    let Some(next) = next else { return "nothing scheduled".to_owned() };
    let minutes = (next.unix_ms - now.unix_ms).max(0) / 60_000;
    match minutes {
        0 => "now".to_owned(),
        m if m < 60 => format!("in {m} min"),
        m if m < 48 * 60 => format!("in {} h {} min", m / 60, m % 60),
        m => format!("in {} days", m / (24 * 60)),
    }
}

fn load_history(
    data_dir: &Option<PathBuf>,
    profile: &str,
    file: Option<&Path>,
    writable: bool,
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
            let collection = open(data_dir, profile, writable)?;
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
pub fn eval(data_dir: &Option<PathBuf>, profile: &str, file: Option<&Path>) -> Result<String, String> {
    let (reviews, rollover, collection) = load_history(data_dir, profile, file, false)?;
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
pub fn optimize(data_dir: &Option<PathBuf>, profile: &str, file: Option<&Path>) -> Result<String, String> {
    let (reviews, rollover, collection) = load_history(data_dir, profile, file, true)?;
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
    let collection = open(data_dir, profile, false).ok();
    let library = match &collection {
        Some(c) => store::load_library(&c.profile().decks_dir()),
        None => crate::deck::Library::bundled(),
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
    let exam = build(&cards, &ExamSpec { count, formats, seed, weak_first: false });
    if output == "json" {
        let questions: Vec<serde_json::Value> = exam
            .questions
            .iter()
            .map(|q| {
                serde_json::json!({
                    "format": q.format.short(),
                    "prompt": q.prompt,
                    "options": q.options,
                    "correct": q.correct,
                    "answer": q.answer_text(),
                    "card_ids": q.cards,
                })
            })
            .collect();
        let value = serde_json::json!({ "seed": seed, "questions": questions, "notes": exam.notes });
        return serde_json::to_string_pretty(&value).map(|s| s + "\n").map_err(|e| e.to_string());
    }
    Ok(to_markdown(&exam, &format!("Mock exam ({} questions, seed {seed})", exam.questions.len())))
}

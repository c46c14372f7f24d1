//! CSV and TSV: one card a row. [`sniff`] guesses the delimiter, the header
//! and which column is which; [`preview`] shows the first rows as they will
//! be read; [`read`] makes the deck; [`write`] writes a deck with a header
//! row that [`read`] reads back to the same cards.

use super::{Imported, InteropError, Skipped, clean_tag, deck_id_from_name, finish, slug};
use crate::deck::{Card, CardId, CardKind, Source};
use crate::text::normalise;

/// The columns [`write`] writes, in order; a header with these names is
/// recognised by [`sniff`].
pub const COLUMNS: [&str; 11] =
    ["id", "kind", "question", "answer", "accept", "tags", "note", "paragraph", "statement", "distractors", "event"];

/// What [`sniff`] guessed about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvGuess {
    /// `b','`, `b'\t'` or `b';'`.
    pub delimiter: u8,
    /// Whether the first row names the columns.
    pub has_header: bool,
    /// The columns' names: the header's, or `column 1`, `column 2` ...
    pub columns: Vec<String>,
}

/// How to read a file: the delimiter, whether to skip a header row, and the
/// 0-based column of each field (`None`: not in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field separator.
    pub delimiter: u8,
    /// Skip the first row.
    pub has_header: bool,
    /// The question's column.
    pub question: usize,
    /// The answer's column.
    pub answer: usize,
    /// Other accepted answers, separated by `|`.
    pub accept: Option<usize>,
    /// Tags, separated by spaces.
    pub tags: Option<usize>,
    /// The note shown after the answer.
    pub note: Option<usize>,
    /// The card kind (`date`, `actor` ...; empty means `concept`).
    pub kind: Option<usize>,
    /// The card id; rows without one get an id made from the question.
    pub id: Option<usize>,
    /// The source paragraph (a number from 1).
    pub paragraph: Option<usize>,
    /// The statement for true-or-false items, with `{answer}`.
    pub statement: Option<usize>,
    /// Wrong answers for multiple choice, separated by `|`.
    pub distractors: Option<usize>,
    /// A timeline headline (date cards).
    pub event: Option<usize>,
}

impl CsvOptions {
    /// Options from a guess: columns named as [`write`] names them (or
    /// `front`/`back`) are used; otherwise the question is the first column
    /// and the answer the second.
    pub fn from_guess(guess: &CsvGuess) -> CsvOptions {
        let find = |names: &[&str]| {
            guess
                .has_header
                .then(|| guess.columns.iter().position(|c| names.contains(&c.trim().to_lowercase().as_str())))?
        };
        CsvOptions {
            delimiter: guess.delimiter,
            has_header: guess.has_header,
            question: find(&["question", "front"]).unwrap_or(0),
            answer: find(&["answer", "back"]).unwrap_or(1),
            accept: find(&["accept"]),
            tags: find(&["tags", "tag"]),
            note: find(&["note", "notes", "extra"]),
            kind: find(&["kind"]),
            id: find(&["id"]),
            paragraph: find(&["paragraph"]),
            statement: find(&["statement"]),
            distractors: find(&["distractors"]),
            event: find(&["event"]),
        }
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Guesses the delimiter (the one of tab, comma and semicolon that splits
/// the first lines into the same number of fields, more than one), whether
/// the first row is a header (it names known columns), and the columns.
pub fn sniff(bytes: &[u8]) -> CsvGuess {
    let bytes = strip_bom(bytes);
    let mut best = (b',', 0usize, false);
    for delimiter in [b'\t', b',', b';'] {
        let rows = records(bytes, delimiter, 5);
        let Some(first) = rows.first() else { continue };
        let width = first.len();
        let consistent = rows.iter().all(|r| r.len() == width);
        if width > 1 && (consistent, width) > (best.2, best.1) {
            best = (delimiter, width, consistent);
        }
    }
    let delimiter = best.0;
    let first = records(bytes, delimiter, 1).into_iter().next().unwrap_or_default();
    let known = [
        "question",
        "answer",
        "front",
        "back",
        "id",
        "kind",
        "accept",
        "tags",
        "tag",
        "note",
        "notes",
        "paragraph",
        "statement",
        "distractors",
    ];
    let has_header = first.iter().any(|c| known.contains(&c.trim().to_lowercase().as_str()));
    let columns = if has_header { first } else { (1..=first.len()).map(|n| format!("column {n}")).collect() };
    CsvGuess { delimiter, has_header, columns }
}

/// The first `n` records, leniently (for sniffing only).
fn records(bytes: &[u8], delimiter: u8, n: usize) -> Vec<Vec<String>> {
    reader(bytes, delimiter)
        .into_records()
        .take(n)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect()
}

fn reader(bytes: &[u8], delimiter: u8) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(bytes)
}

/// The first `n_rows` data rows (the header skipped) as they will be read.
///
/// # Errors
/// A row is not valid CSV (the error names its line).
pub fn preview(bytes: &[u8], options: &CsvOptions, n_rows: usize) -> Result<Vec<Vec<String>>, InteropError> {
    let mut rows = Vec::new();
    let bytes = strip_bom(bytes);
    for result in reader(bytes, options.delimiter).into_records().skip(usize::from(options.has_header)) {
        if rows.len() >= n_rows {
            break;
        }
        let record = result.map_err(|e| csv_error(bytes, e))?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

/// The 1-based line of byte `offset`, counting line breaks inside quoted
/// fields too (the csv crate counts records, not lines).
fn line_at(bytes: &[u8], offset: u64) -> u64 {
    let mut end = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    // After a CRLF the csv crate puts a record's start at the `\n`.
    while let Some(b'\r' | b'\n') = bytes.get(end) {
        end += 1;
    }
    bytes.get(..end).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() as u64) + 1
}

fn csv_error(bytes: &[u8], e: ::csv::Error) -> InteropError {
    let line = e.position().map_or(0, |p| line_at(bytes, p.byte()));
    let reason = match e.kind() {
        ::csv::ErrorKind::Utf8 { .. } => "not UTF-8 text: save the file as UTF-8 and try again".to_owned(),
        _ => format!("{e}: check the quotes on this line"),
    };
    InteropError::Csv { line, reason }
}

/// Reads every row into a card of a deck titled `title`. Rows whose
/// question or answer is blank, and rows repeating an earlier question, are
/// skipped with their line.
///
/// # Errors
/// A row is not valid CSV, lacks a column the options name, or has an
/// unknown kind or a bad paragraph (each naming the line); or no row made
/// a card.
pub fn read(bytes: &[u8], options: &CsvOptions, title: &str) -> Result<Imported, InteropError> {
    let mut cards = Vec::new();
    let mut skipped = Vec::new();
    let bytes = strip_bom(bytes);
    let records = reader(bytes, options.delimiter).into_records().skip(usize::from(options.has_header));
    for result in records {
        let record = result.map_err(|e| csv_error(bytes, e))?;
        let line = record.position().map_or(0, |p| line_at(bytes, p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // A quoted field may span lines; a file saved on Windows has CRLF
        // inside it too.
        let record: Vec<String> = record.iter().map(|f| f.replace("\r\n", "\n")).collect();
        let field = |column: usize, name: &str| -> Result<&str, InteropError> {
            record.get(column).map(|f| f.trim()).ok_or_else(|| InteropError::Csv {
                line,
                reason: format!(
                    "the {name} is column {} but this row has {} column{}: fix the row or choose another column",
                    column + 1,
                    record.len(),
                    if record.len() == 1 { "" } else { "s" }
                ),
            })
        };
        let optional = |column: Option<usize>, name: &str| column.map_or(Ok(""), |c| field(c, name));
        let question = field(options.question, "question")?;
        let answer = field(options.answer, "answer")?;
        let what = format!("line {line}");
        if question.is_empty() || answer.is_empty() {
            let blank = if question.is_empty() { "question" } else { "answer" };
            skipped.push(Skipped { what, reason: format!("the {blank} is blank") });
            continue;
        }
        let kind_text = optional(options.kind, "kind")?;
        let kind = if kind_text.is_empty() {
            CardKind::Concept
        } else {
            let Some(kind) = CardKind::ALL.into_iter().find(|k| k.name() == kind_text.to_lowercase()) else {
                let names: Vec<&str> = CardKind::ALL.iter().map(|k| k.name()).collect();
                return Err(InteropError::Csv {
                    line,
                    reason: format!(
                        "kind {:?} is not one of {}",
                        crate::text::shorten(kind_text, 80),
                        names.join(", ")
                    ),
                });
            };
            kind
        };
        let paragraph_text = optional(options.paragraph, "paragraph")?;
        let source = if paragraph_text.is_empty() {
            None
        } else {
            match paragraph_text.parse::<u32>() {
                Ok(paragraph) if paragraph >= 1 => Some(Source { paragraph }),
                _ => {
                    return Err(InteropError::Csv {
                        line,
                        reason: format!(
                            "paragraph {:?} is not a number from 1: fix it or leave it empty",
                            crate::text::shorten(paragraph_text, 80)
                        ),
                    });
                }
            }
        };
        let id_text = optional(options.id, "id")?;
        let id = if crate::deck::is_valid_card_id(id_text) { CardId(id_text.into()) } else { card_id_for(question) };
        let accept = optional(options.accept, "accept")?
            .split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        let mut tags: Vec<String> = Vec::new();
        for tag in optional(options.tags, "tags")?.split_whitespace().filter_map(clean_tag) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let note = optional(options.note, "note")?.to_owned();
        let statement = optional(options.statement, "statement")?.to_owned();
        let distractors = optional(options.distractors, "distractors")?
            .split('|')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect();
        let event = optional(options.event, "event")?.to_owned();
        let card = Card {
            id,
            kind,
            question: question.to_owned(),
            answer: answer.to_owned(),
            accept,
            tags,
            source,
            note,
            statement,
            distractors,
            event,
            ..Card::default()
        };
        cards.push((what, card));
    }
    finish(deck_id_from_name(title), title, cards, Vec::new(), skipped)
}

/// A card id from its question: a slug of its first words and a short
/// hash of the whole, stable as long as the question is unchanged.
pub fn card_id_for(question: &str) -> CardId {
    let digest = sha1_smol::Sha1::from(normalise(question)).digest().to_string();
    let hash = digest.get(..8).unwrap_or(&digest);
    CardId(compact_str::format_compact!("{}-{hash}", slug(question, 48, "card")))
}

/// The deck's cards as CSV (comma-separated) with a header row of
/// [`COLUMNS`]; accepted forms joined by `|`, tags by spaces.
pub fn write(deck: &crate::deck::Deck) -> Vec<u8> {
    write_with(deck, b',')
}

/// As [`write`], with another delimiter (`b'\t'` for TSV).
pub fn write_with(deck: &crate::deck::Deck, delimiter: u8) -> Vec<u8> {
    let mut writer = ::csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
    // Writing to memory cannot fail, so errors are not possible here; a
    // failed record would only be missing from the output.
    let _ = writer.write_record(COLUMNS);
    for card in &deck.cards {
        let paragraph = card.source.as_ref().map(|s| s.paragraph.to_string()).unwrap_or_default();
        let _ = writer.write_record([
            card.id.0.as_str(),
            card.kind.name(),
            card.question.as_str(),
            card.answer.as_str(),
            card.accept.join(" | ").as_str(),
            card.tags.join(" ").as_str(),
            card.note.as_str(),
            paragraph.as_str(),
            card.statement.as_str(),
            card.distractors.join(" | ").as_str(),
            card.event.as_str(),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

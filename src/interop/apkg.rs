//! Anki deck packages (`.apkg`): a zip holding an SQLite collection.
//! Reading takes the modern `collection.anki21b` (zstd, schema 18) or the
//! legacy `collection.anki21`/`collection.anki2` (schema 11); writing makes
//! a legacy schema-11 package, which every Anki since 2.1 imports. What maps
//! to what is in `docs/import-export.md`.

use std::collections::{HashMap, HashSet};

/// Maps and sets looked up once per review of a large history: a fast hash.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};

use super::html::{cloze_card, escape_html, has_cloze, strip_html};
use super::{Imported, InteropError, Progress, Skipped, clean_tag, deck_id_from_name, finish};
use crate::deck::{Card, CardId, CardKind, Deck};
use crate::revlog::{Action, Event, EventId, ReviewKind};
use crate::schedule::{Due, Phase, Rating, Scheduler};
use crate::time::Moment;

/// Collection entries of a package, the preferred first. A modern package
/// also holds a legacy `collection.anki2` that only says "please update
/// Anki", so the order matters.
const COLLECTIONS: [&str; 3] = ["collection.anki21b", "collection.anki21", "collection.anki2"];

/// Guids of notes Yadgar writes start with this, followed by the deck id,
/// `:` and the card id, so a deck exported to Anki and imported back keeps
/// its card ids (and so its progress).
const GUID_PREFIX: &str = "yadgar:";

/// Marks in an exported Back field around the accepted forms and the note,
/// so they can be read back.
const ACCEPT_OPEN: &str = "<div class=\"yadgar-accept\">Also accepted: ";
const NOTE_OPEN: &str = "<div class=\"yadgar-note\">";
/// A hidden block at the end of an exported Back field with what Anki's
/// Basic note has no field for: the kind and the exam data, as JSON.
const EXAM_OPEN: &str = "<div class=\"yadgar-exam\" style=\"display:none\">";

/// The part of a card an exported Back field carries hidden.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct ExamData {
    kind: Option<CardKind>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    statement: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    distractors: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    event: String,
}
const DIV_CLOSE: &str = "</div>";

const MS_PER_DAY: i64 = 86_400_000;

/// Reads an Anki package into one deck with its review history. The deck
/// is titled `deck_name`, or else after the Anki deck that holds most of
/// the cards; its id is made from that title.
///
/// # Errors
/// The file cannot be read, is not a zip, holds no collection, the
/// collection is not an Anki database, no card could be made, or the user
/// cancelled. Nothing is returned in part.
pub fn read(path: &Path, deck_name: Option<&str>, progress: &Progress) -> Result<Imported, InteropError> {
    read_with_limit(path, deck_name, progress, MAX_COLLECTION_BYTES)
}

/// The largest collection a package may unpack to: 1 GiB, far above any
/// deck's (a collection of 100,000 notes with their history is a few
/// hundred MB). A zip or zstd bomb is stopped at this size while it is
/// streamed to the temporary copy, before it fills the disk.
pub const MAX_COLLECTION_BYTES: u64 = 1 << 30;

/// Free space kept in the temporary folder: the copy stops when less
/// would be left.
const KEEP_FREE_BYTES: u64 = 256 << 20;

/// [`read`] with the largest unpacked collection given (tests use a small one).
///
/// # Errors
/// As [`read`], and [`InteropError::TooLarge`] when the collection unpacks
/// to more than `max_bytes`, [`InteropError::NoSpace`] when the temporary
/// folder would fill up.
pub fn read_with_limit(
    path: &Path,
    deck_name: Option<&str>,
    progress: &Progress,
    max_bytes: u64,
) -> Result<Imported, InteropError> {
    progress.step(0.0)?;
    let file = std::fs::File::open(path).map_err(|source| InteropError::Io { path: path.to_path_buf(), source })?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| InteropError::NotAPackage { path: path.to_path_buf(), reason: e.to_string() })?;
    let Some(entry) = COLLECTIONS.iter().find(|name| zip.index_for_name(name).is_some()).copied() else {
        return Err(InteropError::NoCollection { path: path.to_path_buf() });
    };
    let bad =
        |reason: String| InteropError::BadCollection { path: path.to_path_buf(), entry: entry.to_owned(), reason };
    // The temporary copy is deleted when `db_file` is dropped, on every path.
    let mut db_file = tempfile::NamedTempFile::new().map_err(|source| io(&std::env::temp_dir(), source))?;
    {
        let member = zip.by_name(entry).map_err(|e| bad(e.to_string()))?;
        let size = member.size().max(1);
        let too_large = || InteropError::TooLarge { path: path.to_path_buf(), limit: max_bytes };
        if member.size() > max_bytes {
            return Err(too_large());
        }
        let temp_dir = db_file.path().parent().map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
        let limits = CopyLimits { max_bytes, temp_dir: &temp_dir };
        if entry.ends_with("anki21b") {
            let decoder = ruzstd::decoding::StreamingDecoder::new(member)
                .map_err(|e| bad(format!("not zstd-compressed as expected ({e})")))?;
            copy_with_progress(decoder, db_file.as_file_mut(), size * 4, progress, 0.3, &limits).map_err(
                |e| match e {
                    CopyError::Read(e) => bad(format!("cannot decompress it ({e})")),
                    CopyError::Write(e) => io(db_file.path(), e),
                    CopyError::Cancelled => InteropError::Cancelled,
                    CopyError::TooLarge => too_large(),
                    CopyError::NoSpace(free) => InteropError::NoSpace { dir: temp_dir.clone(), free },
                },
            )?;
        } else {
            copy_with_progress(member, db_file.as_file_mut(), size, progress, 0.3, &limits).map_err(|e| match e {
                CopyError::Read(e) => bad(e.to_string()),
                CopyError::Write(e) => io(db_file.path(), e),
                CopyError::Cancelled => InteropError::Cancelled,
                CopyError::TooLarge => too_large(),
                CopyError::NoSpace(free) => InteropError::NoSpace { dir: temp_dir.clone(), free },
            })?;
        }
    }
    clear_wal_flag(db_file.as_file_mut()).map_err(|e| io(db_file.path(), e))?;
    let db = Connection::open_with_flags(db_file.path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| bad(format!("not an SQLite database ({e})")))?;
    let collection = read_collection(&db).map_err(bad)?;
    progress.step(0.6)?;
    let imported = convert(collection, deck_name, progress)?;
    progress.step(1.0)?;
    Ok(imported)
}

fn io(path: &Path, source: std::io::Error) -> InteropError {
    InteropError::Io { path: path.to_path_buf(), source }
}

enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
    Cancelled,
    TooLarge,
    /// The free bytes left in the temporary folder.
    NoSpace(u64),
}

/// How far an unpacked collection may grow.
struct CopyLimits<'a> {
    max_bytes: u64,
    temp_dir: &'a Path,
}

/// Copies `from` into `to`, reporting progress up to `share` of the whole
/// (estimated from `expected` bytes) and stopping on cancel, past
/// `limits.max_bytes`, or when the temporary folder runs low on space
/// (checked every 32 MiB).
fn copy_with_progress(
    mut from: impl Read,
    to: &mut std::fs::File,
    expected: u64,
    progress: &Progress,
    share: f64,
    limits: &CopyLimits<'_>,
) -> Result<(), CopyError> {
    let mut buffer = vec![0u8; 1 << 16];
    let mut done = 0u64;
    let mut next_space_check = 0u64;
    loop {
        let n = from.read(&mut buffer).map_err(CopyError::Read)?;
        if n == 0 {
            return to.flush().map_err(CopyError::Write);
        }
        if done + n as u64 > limits.max_bytes {
            return Err(CopyError::TooLarge);
        }
        if done >= next_space_check {
            next_space_check = done + (32 << 20);
            if let Some(free) = free_space(limits.temp_dir)
                && free < KEEP_FREE_BYTES + (32 << 20)
            {
                return Err(CopyError::NoSpace(free));
            }
        }
        to.write_all(buffer.get(..n).unwrap_or(&[])).map_err(CopyError::Write)?;
        done += n as u64;
        if progress.step(share * (done as f64 / expected as f64).min(1.0)).is_err() {
            return Err(CopyError::Cancelled);
        }
    }
}

/// The bytes free to this user in the file system of `dir`, when the
/// system says.
fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        let stat = rustix::fs::statvfs(dir).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// A collection saved in WAL mode cannot be opened read-only without its
/// `-shm` file; the copy is ours, so mark it as a rollback-journal database.
fn clear_wal_flag(file: &mut std::fs::File) -> std::io::Result<()> {
    let mut header = [0u8; 20];
    file.seek(std::io::SeekFrom::Start(0))?;
    if file.read_exact(&mut header).is_err() {
        return Ok(());
    }
    if header.starts_with(b"SQLite format 3\0") && header[18..20] == [2, 2] {
        file.seek(std::io::SeekFrom::Start(18))?;
        file.write_all(&[1, 1])?;
        file.sync_all()?;
    }
    Ok(())
}

struct Note {
    guid: String,
    tags: String,
    fields: Vec<String>,
}

struct AnkiCard {
    id: i64,
    note: i64,
    deck: i64,
    ord: i64,
    queue: i64,
    modified_s: i64,
}

struct RevlogRow {
    id: i64,
    card: i64,
    ease: i64,
    kind: i64,
    time_ms: i64,
}

struct Collection {
    decks: HashMap<i64, String>,
    notes: HashMap<i64, Note>,
    cards: Vec<AnkiCard>,
    revlog: Vec<RevlogRow>,
}

fn read_collection(db: &Connection) -> Result<Collection, String> {
    let tables: HashSet<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
        .map_err(|e| format!("not an SQLite database ({e})"))?;
    for table in ["col", "notes", "cards", "revlog"] {
        if !tables.contains(table) {
            return Err(format!("it has no {table:?} table, so it is not an Anki collection"));
        }
    }
    let sql = |e: rusqlite::Error| format!("unexpected contents ({e})");
    let mut decks = HashMap::new();
    if tables.contains("decks") {
        // Schema 18: a table, with `\x1f` between the parts of a nested name.
        let mut statement = db.prepare("SELECT id, name FROM decks").map_err(sql)?;
        let rows = statement.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).map_err(sql)?;
        for row in rows {
            let (id, name) = row.map_err(sql)?;
            decks.insert(id, name.replace('\x1f', "::"));
        }
    } else {
        let json: String = db.query_row("SELECT decks FROM col", [], |r| r.get(0)).map_err(sql)?;
        let value: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| format!("its deck list is not JSON ({e})"))?;
        if let Some(map) = value.as_object() {
            for (id, deck) in map {
                if let (Ok(id), Some(name)) = (id.parse::<i64>(), deck.get("name").and_then(|n| n.as_str())) {
                    decks.insert(id, name.to_owned());
                }
            }
        }
    }
    let mut notes = HashMap::new();
    let mut statement = db.prepare("SELECT id, guid, tags, flds FROM notes").map_err(sql)?;
    let rows = statement
        .query_map([], |r| {
            let fields: String = r.get(3)?;
            Ok((
                r.get::<_, i64>(0)?,
                Note { guid: r.get(1)?, tags: r.get(2)?, fields: fields.split('\x1f').map(str::to_owned).collect() },
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let (id, note) = row.map_err(sql)?;
        notes.insert(id, note);
    }
    let mut statement = db.prepare("SELECT id, nid, did, ord, queue, mod FROM cards ORDER BY nid, ord").map_err(sql)?;
    let cards = statement
        .query_map([], |r| {
            Ok(AnkiCard {
                id: r.get(0)?,
                note: r.get(1)?,
                deck: r.get(2)?,
                ord: r.get(3)?,
                queue: r.get(4)?,
                modified_s: r.get(5)?,
            })
        })
        .map_err(sql)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql)?;
    let mut statement = db.prepare("SELECT id, cid, ease, type, time FROM revlog ORDER BY id").map_err(sql)?;
    let revlog = statement
        .query_map([], |r| {
            Ok(RevlogRow { id: r.get(0)?, card: r.get(1)?, ease: r.get(2)?, kind: r.get(3)?, time_ms: r.get(4)? })
        })
        .map_err(sql)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql)?;
    Ok(Collection { decks, notes, cards, revlog })
}

/// Turns Anki's notes, cards and revlog into one Yadgar deck and events.
fn convert(collection: Collection, deck_name: Option<&str>, progress: &Progress) -> Result<Imported, InteropError> {
    let title = match deck_name {
        Some(name) => name.to_owned(),
        None => main_deck_name(&collection),
    };
    let deck_id = deck_id_from_name(&title);
    let mut skipped = Vec::new();
    let mut cards = Vec::new();
    let mut card_ids: HashMap<i64, CardId> = HashMap::new();
    let total = collection.cards.len().max(1) as f64;
    for (i, anki) in collection.cards.iter().enumerate() {
        if i % 256 == 0 {
            progress.step(0.6 + 0.3 * i as f64 / total)?;
        }
        let what = format!("note {} card {}", anki.note, anki.ord + 1);
        let Some(note) = collection.notes.get(&anki.note) else {
            skipped.push(Skipped { what, reason: "its note is missing from the collection".to_owned() });
            continue;
        };
        match card_from_note(note, anki) {
            Ok(card) => {
                card_ids.insert(anki.id, card.id.clone());
                cards.push((what, card));
            }
            Err(reason) => skipped.push(Skipped { what, reason }),
        }
    }
    let suspended = collection.cards.iter().filter(|c| c.queue == -1).count();
    let mut events = Vec::with_capacity(collection.revlog.len() + suspended);
    let mut last_ms: HashMap<i64, i64> = HashMap::new();
    for row in &collection.revlog {
        let Some(card) = card_ids.get(&row.card) else { continue };
        let rating = match row.ease {
            1 => Rating::Again,
            2 => Rating::Hard,
            3 => Rating::Good,
            4 => Rating::Easy,
            // 0: a manual reschedule ("set due date", "forget"), not a grade.
            _ => continue,
        };
        let kind = match row.kind {
            0 => ReviewKind::Learn,
            1 => ReviewKind::Review,
            2 => ReviewKind::Relearn,
            3 => ReviewKind::Cram,
            // 4 manual, 5 rescheduled: not answers.
            _ => continue,
        };
        let answer_ms = u32::try_from(row.time_ms.max(0)).unwrap_or(u32::MAX);
        let id = EventId::derived(&["anki-revlog", &deck_id.0, &card.0, &row.id.to_string()]);
        let at = Moment::new(row.id, 0);
        events.push(Event::new(id, at, deck_id.clone(), card.clone(), Action::Review { rating, kind, answer_ms }));
        last_ms.insert(row.card, row.id);
    }
    for anki in collection.cards.iter().filter(|c| c.queue == -1) {
        let Some(card) = card_ids.get(&anki.id) else { continue };
        let after = last_ms.get(&anki.id).map_or(i64::MIN, |ms| ms + 1);
        let at_ms = anki.modified_s.saturating_mul(1000).max(after);
        let id = EventId::derived(&["anki-suspend", &deck_id.0, &card.0]);
        events.push(Event::new(id, Moment::new(at_ms, 0), deck_id.clone(), card.clone(), Action::Suspend));
    }
    // The collection's rows are no longer needed: free them before the
    // deck is checked, which holds it twice for a moment.
    drop(collection);
    drop(card_ids);
    drop(last_ms);
    finish(deck_id, &title, cards, events, skipped)
}

/// The name of the Anki deck with the most cards (the last part of a
/// nested name is kept whole: `Lang::French` stays as it is).
fn main_deck_name(collection: &Collection) -> String {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for card in &collection.cards {
        *counts.entry(card.deck).or_default() += 1;
    }
    let best = counts.into_iter().max_by_key(|&(id, n)| (n, std::cmp::Reverse(id))).map(|(id, _)| id);
    best.and_then(|id| collection.decks.get(&id).cloned()).unwrap_or_else(|| "Imported from Anki".to_owned())
}

/// The Yadgar card for one Anki card, or why there is none.
fn card_from_note(note: &Note, anki: &AnkiCard) -> Result<Card, String> {
    let field = |i: usize| note.fields.get(i).map_or("", String::as_str);
    let first = field(0);
    let mut exam = ExamData::default();
    let (question, answer, mut accept, mut extra) = if has_cloze(first) {
        let number = u32::try_from(anki.ord + 1).map_err(|_| "a cloze card with a bad number".to_owned())?;
        let Some((q, a)) = cloze_card(first, number) else {
            return Err(format!("cloze {number} is not in the text"));
        };
        (strip_html(&q), strip_html(&a), Vec::new(), strip_html(field(1)))
    } else {
        let (front, back) = match anki.ord {
            0 => (first, field(1)),
            // A "Basic (and reversed card)" note's second card asks the other way.
            1 => (field(1), first),
            n => {
                return Err(format!(
                    "card type {} of a note type with more than two; only the first two are read",
                    n + 1
                ));
            }
        };
        let (back, data) = split_exam(back);
        exam = data;
        let (back, accept, note_text) = split_back(back);
        (strip_html(front), strip_html(back), accept, note_text)
    };
    if question.is_empty() {
        return Err("the question is empty once formatting is removed".to_owned());
    }
    if answer.is_empty() {
        return Err("the answer is empty once formatting is removed".to_owned());
    }
    accept.retain(|a| !a.trim().is_empty() && *a != answer);
    extra = extra.trim().to_owned();
    let id = match note.guid.strip_prefix(GUID_PREFIX).and_then(|rest| rest.rsplit_once(':')) {
        Some((_, card)) if anki.ord == 0 && crate::deck::is_valid_card_id(card) => CardId(card.into()),
        _ => CardId(compact_str::format_compact!("anki-{}-{}", anki.note, anki.ord)),
    };
    let mut tags: Vec<String> = note.tags.split_whitespace().filter_map(clean_tag).collect();
    tags.dedup();
    let mut seen = HashSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    Ok(Card {
        id,
        kind: exam.kind.unwrap_or(CardKind::Concept),
        question,
        answer,
        accept,
        tags,
        source: None,
        note: extra,
        statement: exam.statement,
        distractors: exam.distractors,
        event: exam.event,
        ..Card::default()
    })
}

/// Takes the hidden exam block off an exported Back field, with its data
/// (nothing when the block is absent or unreadable).
fn split_exam(back: &str) -> (&str, ExamData) {
    let Some(at) = back.find(EXAM_OPEN) else { return (back, ExamData::default()) };
    let inner = back.get(at + EXAM_OPEN.len()..).unwrap_or("");
    let inner = inner.rfind(DIV_CLOSE).and_then(|end| inner.get(..end)).unwrap_or(inner);
    let data = serde_json::from_str(&strip_html(inner)).unwrap_or_default();
    (back.get(..at).unwrap_or(back), data)
}

/// Splits an exported Back field into the answer, the accepted forms and
/// the note, undoing [`back_field`]. A field Yadgar did not write is all
/// answer.
fn split_back(back: &str) -> (&str, Vec<String>, String) {
    let mut answer = back;
    let mut note = String::new();
    let mut accept = Vec::new();
    if let Some(at) = answer.find(NOTE_OPEN) {
        let inner = answer.get(at + NOTE_OPEN.len()..).unwrap_or("");
        let inner = inner.rfind(DIV_CLOSE).and_then(|end| inner.get(..end)).unwrap_or(inner);
        note = strip_html(inner);
        answer = answer.get(..at).unwrap_or(answer);
    }
    if let Some(at) = answer.find(ACCEPT_OPEN) {
        let inner = answer.get(at + ACCEPT_OPEN.len()..).unwrap_or("");
        let inner = inner.rfind(DIV_CLOSE).and_then(|end| inner.get(..end)).unwrap_or(inner);
        accept = inner.split(" | ").map(strip_html).filter(|a| !a.is_empty()).collect();
        answer = answer.get(..at).unwrap_or(answer);
    }
    (answer, accept, note)
}

/// The Back field of an exported card: the answer, then the accepted forms
/// and the note in marked `<div>`s that [`split_back`] reads back.
fn back_field(card: &Card) -> String {
    let mut back = escape_html(&card.answer);
    if !card.accept.is_empty() {
        let forms: Vec<String> = card.accept.iter().map(|a| escape_html(a)).collect();
        back.push_str(ACCEPT_OPEN);
        back.push_str(&forms.join(" | "));
        back.push_str(DIV_CLOSE);
    }
    if !card.note.is_empty() {
        back.push_str(NOTE_OPEN);
        back.push_str(&escape_html(&card.note));
        back.push_str(DIV_CLOSE);
    }
    let data = ExamData {
        kind: Some(card.kind),
        statement: card.statement.clone(),
        distractors: card.distractors.clone(),
        event: card.event.clone(),
    };
    if let Ok(json) = serde_json::to_string(&data) {
        back.push_str(EXAM_OPEN);
        back.push_str(&escape_html(&json));
        back.push_str(DIV_CLOSE);
    }
    back
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    /// Notes (one card each).
    pub cards: usize,
    /// Revlog rows.
    pub reviews: usize,
}

/// The deflate level of exported packages: zlib's fastest. A collection
/// of 100,000 cards with 1,000,000 reviews deflates several times faster
/// than at the default level 6, into a package about a tenth larger.
const DEFLATE_LEVEL: i64 = 1;

/// Writes `deck` as a legacy Anki package (`collection.anki2`, schema 11)
/// at `path`: one "Basic" note per card (Front the question, Back the
/// answer, accepted forms and note), its tags, and its review history from
/// `events` as revlog rows, with each card scheduled as `scheduler` replays
/// them. The file appears whole or not at all: it is written to a
/// temporary file in the same folder, synced and renamed.
///
/// # Errors
/// The temporary database or the file cannot be written, or the user
/// cancelled (nothing is left behind).
pub fn write(
    deck: &Deck,
    events: &[Event],
    scheduler: &Scheduler,
    path: &Path,
    progress: &Progress,
) -> Result<Exported, InteropError> {
    progress.step(0.0)?;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let db_file = tempfile::NamedTempFile::new().map_err(|e| io(&std::env::temp_dir(), e))?;
    let failed = |e: rusqlite::Error| InteropError::Write { path: path.to_path_buf(), reason: e.to_string() };
    let reviews = {
        let mut db = Connection::open(db_file.path()).map_err(failed)?;
        write_collection(&mut db, deck, events, scheduler, progress).map_err(|e| match e {
            WriteError::Sql(e) => failed(e),
            WriteError::Interop(e) => e,
        })?
    };
    progress.step(0.8)?;
    let mut out = tempfile::Builder::new()
        .prefix(".yadgar-export-")
        .suffix(".tmp")
        .tempfile_in(&folder)
        .map_err(|e| io(&folder, e))?;
    {
        let mut zip = zip::ZipWriter::new(out.as_file_mut());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(DEFLATE_LEVEL));
        let zip_failed =
            |e: zip::result::ZipError| InteropError::Write { path: path.to_path_buf(), reason: e.to_string() };
        zip.start_file("collection.anki2", options).map_err(zip_failed)?;
        let mut db = std::fs::File::open(db_file.path()).map_err(|e| io(db_file.path(), e))?;
        std::io::copy(&mut db, &mut zip).map_err(|e| io(path, e))?;
        zip.start_file("media", options).map_err(zip_failed)?;
        zip.write_all(b"{}").map_err(|e| io(path, e))?;
        zip.finish().map_err(zip_failed)?;
    }
    progress.step(0.95)?;
    out.as_file().sync_all().map_err(|e| io(path, e))?;
    out.persist(path).map_err(|e| io(path, e.error))?;
    crate::store::sync_dir(&folder).map_err(|e| io(&folder, e))?;
    progress.step(1.0)?;
    Ok(Exported { cards: deck.cards.len(), reviews })
}

enum WriteError {
    Sql(rusqlite::Error),
    Interop(InteropError),
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> Self {
        WriteError::Sql(e)
    }
}

impl From<InteropError> for WriteError {
    fn from(e: InteropError) -> Self {
        WriteError::Interop(e)
    }
}

/// The tables of a schema-11 collection, made before the rows go in.
const SCHEMA_11_TABLES: &str = "
CREATE TABLE col (id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
  ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL, conf text NOT NULL,
  models text NOT NULL, decks text NOT NULL, dconf text NOT NULL, tags text NOT NULL);
CREATE TABLE notes (id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
  usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL, csum integer NOT NULL,
  flags integer NOT NULL, data text NOT NULL);
CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL, due integer NOT NULL,
  ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL, lapses integer NOT NULL,
  left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE revlog (id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL, ease integer NOT NULL,
  ivl integer NOT NULL, lastIvl integer NOT NULL, factor integer NOT NULL, time integer NOT NULL,
  type integer NOT NULL);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
";

/// Its indexes, made after the rows go in.
const SCHEMA_11_INDEXES: &str = "
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
";

/// The note type's id: fixed, so every export uses the same note type in
/// Anki rather than adding a new one each time.
const NOTETYPE_ID: i64 = 1_700_000_000_123;

/// A number from 1e12 to 2e12 fixed by `text`, for deck ids.
fn stable_id(text: &str) -> i64 {
    let id = EventId::derived(&["anki-id", text]).0;
    1_000_000_000_000 + i64::try_from(id % 1_000_000_000_000).unwrap_or(0)
}

fn write_collection(
    db: &mut Connection,
    deck: &Deck,
    events: &[Event],
    scheduler: &Scheduler,
    progress: &Progress,
) -> Result<usize, WriteError> {
    let card_ids: FastSet<&CardId> = deck.cards.iter().map(|c| &c.id).collect();
    let mut history: Vec<&Event> = events.iter().filter(|e| e.deck == deck.id && card_ids.contains(&e.card)).collect();
    // Undone events and the undos themselves are not history.
    let undone: FastSet<EventId> = history
        .iter()
        .filter_map(|e| match e.action {
            Action::Undo { target } => Some(target),
            _ => None,
        })
        .collect();
    history.retain(|e| !undone.contains(&e.id) && !matches!(e.action, Action::Undo { .. }));
    history.sort_by_key(|e| e.order_key());

    // Day numbers are counted from the collection's creation day: the day
    // of the first review, or a fixed day for a deck never studied.
    let first_day = history.first().map_or(20_000, |e| e.at_ms.div_euclid(MS_PER_DAY) - 1);
    let crt_s = first_day * 86_400;
    let last_ms = history.last().map_or(crt_s * 1000, |e| e.at_ms);
    let deck_anki_id = stable_id(&deck.id.0);
    let anki_card_id = |i: usize| crt_s * 1000 + i as i64 + 1;
    let index: FastMap<&CardId, usize> = deck.cards.iter().enumerate().map(|(i, c)| (&c.id, i)).collect();

    // The database is a temporary file, copied into the package once whole:
    // no journal and no waiting for the disk, and pages kept in memory.
    db.query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))?;
    db.pragma_update(None, "synchronous", "OFF")?;
    db.pragma_update(None, "cache_size", -65536)?;
    let tx = db.transaction()?;
    tx.execute_batch(SCHEMA_11_TABLES)?;
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            crt_s,
            last_ms,
            conf_json(deck.cards.len()).to_string(),
            models_json(deck_anki_id, last_ms / 1000).to_string(),
            decks_json(deck_anki_id, &deck.title, &deck.description, last_ms / 1000).to_string(),
            dconf_json().to_string()
        ],
    )?;

    // The review history as revlog rows, replaying it to know each card's
    // interval after every answer.
    let mut replay = crate::revlog::Progress::default();
    let mut last_ivl: FastMap<&CardId, i64> = FastMap::default();
    // A card's last change, for its `mod` column: Anki keeps no other time
    // of a suspension.
    let mut last_change: FastMap<&CardId, i64> = FastMap::default();
    // Revlog ids are the review's time in ms, made unique by taking the
    // next free one. The history is in time order, so every id from the
    // review's time up to the last id given is taken, and the next free one
    // is the later of its time and the last id plus one.
    let mut last_id: Option<i64> = None;
    let mut reviews = 0;
    {
        let mut insert = tx.prepare(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?1, ?2, -1, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let total = history.len().max(1) as f64;
        for (n, event) in history.iter().enumerate() {
            if n % 512 == 0 {
                progress.step(0.1 + 0.4 * n as f64 / total)?;
            }
            // An undo-free history never needs a full replay, so this
            // cannot fail; if it did, the intervals would be off, not the
            // history.
            let _ = replay.apply(scheduler, (*event).clone());
            last_change.insert(&event.card, event.at_ms);
            let Action::Review { rating, kind, answer_ms } = event.action else { continue };
            let Some(&i) = index.get(&event.card) else { continue };
            let state = replay.state(&deck.id, &event.card);
            let ivl = match state.map(|s| (s.due, s.interval_days)) {
                Some((Due::Day(_), days)) => i64::from(days.max(1)),
                Some((Due::At(ms), _)) => -((ms - event.at_ms).max(0) / 1000),
                _ => 0,
            };
            let previous = last_ivl.insert(&event.card, ivl).unwrap_or(0);
            let id = last_id.map_or(event.at_ms, |last| event.at_ms.max(last + 1));
            last_id = Some(id);
            let type_ = match kind {
                ReviewKind::Learn => 0,
                ReviewKind::Review => 1,
                ReviewKind::Relearn => 2,
                ReviewKind::Cram => 3,
            };
            let factor = if kind == ReviewKind::Learn { 0 } else { 2500 };
            insert.execute(params![id, anki_card_id(i), u8::from(rating), ivl, previous, factor, answer_ms, type_])?;
            reviews += 1;
        }
    }

    let mut note_insert = tx.prepare("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')")?;
    let mut card_insert =
        tx.prepare("INSERT INTO cards VALUES (?1, ?1, ?2, 0, ?3, -1, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, 0, 0, ?12)")?;
    let total = deck.cards.len().max(1) as f64;
    for (i, card) in deck.cards.iter().enumerate() {
        if i % 512 == 0 {
            progress.step(0.5 + 0.3 * i as f64 / total)?;
        }
        let id = anki_card_id(i);
        let modified_s = last_change.get(&card.id).map_or(crt_s, |ms| ms.div_euclid(1000));
        let tags = if card.tags.is_empty() { String::new() } else { format!(" {} ", card.tags.join(" ")) };
        let fields = format!("{}\x1f{}", escape_html(&card.question), back_field(card));
        note_insert.execute(params![
            id,
            format!("{GUID_PREFIX}{}:{}", deck.id, card.id),
            NOTETYPE_ID,
            modified_s,
            tags,
            fields,
            card.question,
            checksum(&card.question)
        ])?;
        let state = replay.state(&deck.id, &card.id);
        let s = schedule_columns(state, i, first_day);
        card_insert.execute(params![
            id,
            deck_anki_id,
            modified_s,
            s.type_,
            s.queue,
            s.due,
            s.ivl,
            s.factor,
            s.reps,
            s.lapses,
            s.left,
            s.data
        ])?;
    }
    drop(note_insert);
    drop(card_insert);
    // Indexes are built once, over the rows, rather than row by row.
    tx.execute_batch(SCHEMA_11_INDEXES)?;
    tx.commit()?;
    Ok(reviews)
}

/// Anki's note checksum: the first 8 hex digits of the SHA-1 of the first
/// field's text, as a number.
fn checksum(text: &str) -> i64 {
    let digest = sha1_smol::Sha1::from(text).digest().bytes();
    i64::from(u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]))
}

struct ScheduleColumns {
    type_: i64,
    queue: i64,
    due: i64,
    ivl: i64,
    factor: i64,
    reps: i64,
    lapses: i64,
    left: i64,
    data: String,
}

/// A card's Anki scheduling columns from its replayed state: new cards by
/// position; learning cards due at a Unix second; review cards due on a day
/// counted from the collection's creation day.
fn schedule_columns(state: Option<&crate::schedule::CardState>, position: usize, first_day: i64) -> ScheduleColumns {
    let new = ScheduleColumns {
        type_: 0,
        queue: 0,
        due: position as i64 + 1,
        ivl: 0,
        factor: 0,
        reps: 0,
        lapses: 0,
        left: 0,
        data: "{}".to_owned(),
    };
    let Some(state) = state else { return new };
    let type_ = match state.phase {
        Phase::New => return ScheduleColumns { queue: if state.suspended { -1 } else { 0 }, ..new },
        Phase::Learning => 1,
        Phase::Review => 2,
        Phase::Relearning => 3,
    };
    let (queue, due) = match state.due {
        Due::At(ms) => (1, ms.div_euclid(1000)),
        Due::Day(day) => (2, (i64::from(day.0) - first_day).max(0)),
        Due::New => (0, position as i64 + 1),
    };
    // Anki keeps the FSRS memory state and the last review time here.
    let mut data = serde_json::Map::new();
    if let Some(m) = state.memory {
        data.insert("s".into(), round(m.stability).into());
        data.insert("d".into(), round(m.difficulty).into());
    }
    if let Some(last) = state.last_review {
        data.insert("lrt".into(), last.unix_ms.div_euclid(1000).into());
    }
    let data = serde_json::Value::Object(data).to_string();
    ScheduleColumns {
        type_,
        queue: if state.suspended { -1 } else { queue },
        due,
        ivl: if type_ == 1 { 0 } else { i64::from(state.interval_days.max(1)) },
        factor: if type_ == 1 { 0 } else { 2500 },
        reps: i64::from(state.reps),
        lapses: i64::from(state.lapses),
        left: if queue == 1 { 1 } else { 0 },
        data,
    }
}

fn round(x: f32) -> f64 {
    (f64::from(x) * 10_000.0).round() / 10_000.0
}

fn conf_json(cards: usize) -> serde_json::Value {
    serde_json::json!({
        "activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200, "timeLim": 0,
        "estTimes": true, "dueCounts": true, "curModel": NOTETYPE_ID, "nextPos": cards + 1,
        "sortType": "noteFld", "sortBackwards": false, "addToCur": true, "schedVer": 2,
    })
}

fn models_json(deck_id: i64, modified_s: i64) -> serde_json::Value {
    let field = |name: &str, ord: u32| {
        serde_json::json!({
            "name": name, "ord": ord, "sticky": false, "rtl": false, "font": "Arial", "size": 20, "media": [],
        })
    };
    let model = serde_json::json!({
        "id": NOTETYPE_ID,
        "name": "Basic",
        "type": 0,
        "mod": modified_s,
        "usn": -1,
        "sortf": 0,
        "did": deck_id,
        "tmpls": [{
            "name": "Card 1", "ord": 0, "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}",
            "bqfmt": "", "bafmt": "", "did": null, "bfont": "", "bsize": 0,
        }],
        "flds": [field("Front", 0), field("Back", 1)],
        "css": ".card {\n  font-family: arial;\n  font-size: 20px;\n  text-align: center;\n  color: black;\n  background-color: white;\n}\n",
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": false,
        "req": [[0, "any", [0]]],
        "tags": [],
        "vers": [],
    });
    serde_json::json!({ NOTETYPE_ID.to_string(): model })
}

fn decks_json(deck_id: i64, title: &str, description: &str, modified_s: i64) -> serde_json::Value {
    let deck = |id: i64, name: &str, desc: &str| {
        serde_json::json!({
            "id": id, "name": name, "desc": desc, "mod": modified_s, "usn": -1, "conf": 1, "dyn": 0,
            "collapsed": false, "browserCollapsed": false, "extendNew": 0, "extendRev": 0,
            "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0],
        })
    };
    serde_json::json!({
        "1": deck(1, "Default", ""),
        deck_id.to_string(): deck(deck_id, title, description),
    })
}

fn dconf_json() -> serde_json::Value {
    serde_json::json!({
        "1": {
            "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true, "timer": 0,
            "replayq": true, "dyn": false,
            "new": { "bury": false, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 0], "order": 1, "perDay": 20 },
            "lapse": { "delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0 },
            "rev": { "perDay": 200, "ease4": 1.3, "maxIvl": 36500, "hardFactor": 1.2, "bury": false, "ivlFct": 1.0 },
        }
    })
}

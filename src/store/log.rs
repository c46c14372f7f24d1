//! The review log files: `reviews-<device>.jsonl`, one JSON event a line,
//! appended and fsynced before a grade counts as saved. Reading tolerates a
//! torn last line (a crash mid-write), holds back events dated more than a
//! day ahead, and reports anything else it cannot read with the file and
//! line, without touching the file. A sync tool's conflict copies of a log
//! are logs too: events are unique by id, so reading the union is safe.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::content::ContentEvent;
use crate::revlog::{
    Action, CompactEvent, Event, KeyTable, LOG_FORMAT, Touched, parse_event, parse_event_where, parse_line,
};

/// The log file of `device` in a profile folder.
pub fn log_path(profile_dir: &Path, device: &str) -> PathBuf {
    profile_dir.join(format!("reviews-{device}.jsonl"))
}

/// A log file found in the profile folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// Its path.
    pub path: PathBuf,
    /// The device that writes it (for a conflict copy, the device whose
    /// log it copies, as far as the name tells).
    pub device: String,
    /// A sync tool's conflict copy of a log, not a device's own log.
    pub conflict_copy: bool,
}

/// How long after this computer's clock an event may be dated and still
/// count now: one day. Later events are held back until their time.
pub const HOLD_AFTER_MS: i64 = 86_400_000;

/// Every log in `profile_dir`: each device's `reviews-<device>.jsonl`,
/// and every other regular file named `reviews-….jsonl`, which a sync
/// tool made as a conflict copy (Dropbox's `reviews-abc (conflicted copy
/// 2026-12-01).jsonl`, Syncthing's `reviews-abc.sync-conflict-20261201-123456-ABCDEFG.jsonl`)
/// and which is merged like any log. Returned separately: names of logs
/// that are not regular files (a folder, a device file), never read.
///
/// # Errors
/// The folder cannot be read.
pub fn list_logs(profile_dir: &Path) -> std::io::Result<(Vec<LogFile>, Vec<PathBuf>)> {
    let mut logs = Vec::new();
    let mut not_files = Vec::new();
    for entry in std::fs::read_dir(profile_dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some(stem) = name.strip_prefix("reviews-").and_then(|n| n.strip_suffix(".jsonl")) else { continue };
        if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            // A device file or a folder where a log should be: not ours to read.
            not_files.push(path);
            continue;
        }
        let is_device = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let conflict_copy = stem.is_empty() || !stem.chars().all(is_device);
        let device: String = stem.chars().take_while(|&c| is_device(c)).collect();
        logs.push(LogFile { path: path.clone(), device, conflict_copy });
    }
    logs.sort_by(|a, b| a.path.cmp(&b.path));
    not_files.sort();
    Ok((logs, not_files))
}

/// An event's time, for holding back events from the future.
pub trait Stamped {
    /// Unix milliseconds.
    fn at_ms(&self) -> i64;
    /// A line read and left out on purpose (see [`read_history_of`]).
    fn left_out(&self) -> bool {
        false
    }
}

impl Stamped for Option<Event> {
    fn at_ms(&self) -> i64 {
        self.as_ref().map_or(i64::MIN, |e| e.at_ms)
    }
    fn left_out(&self) -> bool {
        self.is_none()
    }
}

impl Stamped for Event {
    fn at_ms(&self) -> i64 {
        self.at_ms
    }
}

impl Stamped for CompactEvent {
    fn at_ms(&self) -> i64 {
        self.at_ms
    }
}

/// A line to append: a review-log event or a content event.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum LogLine {
    /// A grade, bury, suspend ... of a card.
    Review(Event),
    /// An edit, deck change, setting or exam.
    Content(Box<ContentEvent>),
}

impl LogLine {
    /// Its time, Unix ms.
    pub fn at_ms(&self) -> i64 {
        match self {
            LogLine::Review(e) => e.at_ms,
            LogLine::Content(e) => e.at_ms,
        }
    }
}

/// What reading a log found.
#[derive(Debug)]
pub struct LogRead<T = Event> {
    /// Every event read.
    pub events: Vec<T>,
    /// Lines skipped, with file, line and why.
    pub warnings: Vec<String>,
    /// A line from a newer Yadgar was found: this build must not write.
    pub newer_format: Option<String>,
    /// The byte length read, up to the end of the last complete line.
    pub complete_len: u64,
    /// The byte length whose events were read: `complete_len`, or past a
    /// last line with no newline that still read as an event (it is read
    /// again, complete, from `complete_len` next time).
    pub applied_len: u64,
    /// The complete lines read (blank ones too), for line numbers later.
    pub complete_lines: u64,
    /// Events dated after the hold time, each with the warning that names
    /// its file and line: they count once their time comes.
    pub held: Vec<(T, String)>,
    /// The latest time of an event read and not held.
    pub last_at_ms: Option<i64>,
    /// Content events (edits, decks, settings, exams), each with its file
    /// and line for messages; held ones too (the fold holds them back).
    pub content: Vec<(ContentEvent, String)>,
}

impl<T> Default for LogRead<T> {
    fn default() -> Self {
        LogRead {
            events: Vec::new(),
            warnings: Vec::new(),
            newer_format: None,
            complete_len: 0,
            applied_len: 0,
            complete_lines: 0,
            held: Vec::new(),
            last_at_ms: None,
            content: Vec::new(),
        }
    }
}

/// Reads a log from byte `offset` (0 for the whole file). A last line with
/// no newline that does not parse is a torn write: it is skipped with a
/// warning. A complete line that does not parse is reported with its line
/// number and skipped; the file is never changed.
///
/// # Errors
/// The file cannot be opened or read.
pub fn read_log(path: &Path, offset: u64) -> std::io::Result<LogRead> {
    read_log_tail(path, offset, (offset == 0).then_some(0), i64::MAX)
}

/// As [`read_log`], from byte `offset`, which follows `lines_before` lines
/// (for messages; `None` when unknown), holding back every event dated
/// after `hold_after_ms`.
///
/// # Errors
/// The file cannot be opened or read.
pub fn read_log_tail(
    path: &Path,
    offset: u64,
    lines_before: Option<u64>,
    hold_after_ms: i64,
) -> std::io::Result<LogRead> {
    read_range(path, offset, u64::MAX, LinesBefore::Known(lines_before), hold_after_ms, Vec::new(), parse_event)
}

/// Reads a whole log into interned events (see [`read_log`]), for replaying
/// large logs in little memory.
///
/// # Errors
/// The file cannot be opened or read.
pub fn read_log_compact(path: &Path, keys: &mut KeyTable) -> std::io::Result<LogRead<CompactEvent>> {
    read_range(path, 0, u64::MAX, LinesBefore::Known(Some(0)), i64::MAX, Vec::new(), |line| parse_line(line, keys))
}

/// Reads whole logs into interned events, splitting large files into
/// chunks at line boundaries and parsing the chunks on all cores. Returns
/// one [`LogRead`] per path, in order, and the shared key table.
///
/// # Errors
/// A file cannot be opened or read.
pub fn read_logs_parallel(paths: &[PathBuf]) -> std::io::Result<(Vec<LogRead<CompactEvent>>, KeyTable)> {
    read_logs_parallel_until(paths, i64::MAX, &|_| {})
}

/// As [`read_logs_parallel`], holding back every event dated after
/// `hold_after_ms` (see [`LogRead::held`]), and calling `on_read` with the
/// bytes read as it goes (a megabyte or so at a time, from every reader
/// thread).
///
/// # Errors
/// A file cannot be opened or read.
pub fn read_logs_parallel_until(
    paths: &[PathBuf],
    hold_after_ms: i64,
    on_read: &(dyn Fn(u64) + Sync),
) -> std::io::Result<(Vec<LogRead<CompactEvent>>, KeyTable)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8) as u64;
    // (file index, start, end) chunks, each ending just after a newline.
    let mut chunks = Vec::new();
    let lens = paths.iter().map(|path| Ok(std::fs::metadata(path)?.len())).collect::<std::io::Result<Vec<u64>>>()?;
    let total: u64 = lens.iter().sum();
    for (i, (path, &len)) in paths.iter().zip(&lens).enumerate() {
        let pieces = if len > 8 << 20 { cores } else { 1 };
        let mut start = 0;
        for k in 1..=pieces {
            let end = if k == pieces { len } else { next_line_start(path, len * k / pieces)?.max(start) };
            // The event buffer is made here, on the main thread, roomy
            // enough (events are over 100 bytes a line), so the big
            // allocations don't land in a worker's malloc arena, which
            // would keep the memory after the open. The first one has room
            // for every log's events, so the others are appended to it
            // where it lies (room not written to costs no memory).
            let room = if chunks.is_empty() { total } else { end - start };
            let events: Vec<CompactEvent> = Vec::with_capacity((room / 100) as usize + 16);
            chunks.push((i, start, end, events));
            start = end;
        }
    }
    let results: Vec<std::io::Result<ChunkRead>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|(i, start, end, events)| {
                scope.spawn(move || {
                    let path = paths.get(i).ok_or_else(|| std::io::Error::other("no such log"))?;
                    let mut keys = KeyTable::default();
                    let mut unreported = 0u64;
                    let read =
                        read_range(path, start, end, LinesBefore::CountIfNeeded, hold_after_ms, events, |line| {
                            unreported += line.len() as u64 + 1;
                            if unreported >= 1 << 20 {
                                on_read(std::mem::take(&mut unreported));
                            }
                            parse_line(line, &mut keys)
                        })?;
                    on_read(unreported);
                    Ok((i, start, read, keys))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(std::io::Error::other("a reader thread failed"))))
            .collect()
    });
    let mut results = results.into_iter().collect::<std::io::Result<Vec<ChunkRead>>>()?;
    let (keys, remaps) = shared_keys(&mut results);
    let mut reads: Vec<LogRead<CompactEvent>> = paths.iter().map(|_| LogRead::default()).collect();
    for ((i, _, chunk, _), remap) in results.into_iter().zip(remaps) {
        let Some(read) = reads.get_mut(i) else { continue };
        let remapped = |mut e: CompactEvent| {
            e.key = remap.get(e.key as usize).copied().unwrap_or(e.key);
            e
        };
        // Renumbered already (see `shared_keys`).
        let mut events = chunk.events;
        if read.events.is_empty() {
            // A file's first chunk is kept as it is, not copied.
            read.events = events;
        } else {
            read.events.append(&mut events);
        }
        read.held.extend(chunk.held.into_iter().map(|(e, why)| (remapped(e), why)));
        read.warnings.extend(chunk.warnings);
        read.content.extend(chunk.content);
        read.complete_lines += chunk.complete_lines;
        read.last_at_ms = read.last_at_ms.max(chunk.last_at_ms);
        if read.newer_format.is_none() {
            read.newer_format = chunk.newer_format;
        }
        read.complete_len = read.complete_len.max(chunk.complete_len);
        read.applied_len = read.applied_len.max(chunk.applied_len);
    }
    Ok((reads, keys))
}

/// The events of `cards`, and every undo event, in the first `len` bytes
/// of each log in `logs` (path, length), leaving out events dated after
/// `hold_after_ms`: the history an incremental merge replays. Large logs
/// are read in chunks on all cores; lines that cannot be read are left out
/// without a warning (the open that read them first gave it).
///
/// # Errors
/// A log cannot be opened or read.
pub fn read_history_of(logs: &[(PathBuf, u64)], cards: &Touched, hold_after_ms: i64) -> std::io::Result<Vec<Event>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8) as u64;
    let mut chunks = Vec::new();
    for (path, len) in logs {
        let pieces = if *len > 8 << 20 { cores } else { 1 };
        let mut start = 0;
        for k in 1..=pieces {
            let end = if k == pieces { *len } else { next_line_start(path, len * k / pieces)?.max(start).min(*len) };
            chunks.push((path, start, end));
            start = end;
        }
    }
    let keep =
        |deck: &str, card: &str, action: &Action| matches!(action, Action::Undo { .. }) || cards.contains(deck, card);
    let results: Vec<std::io::Result<Vec<Option<Event>>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|(path, start, end)| {
                scope.spawn(move || {
                    read_range(path, start, end, LinesBefore::Known(None), hold_after_ms, Vec::new(), |line| {
                        parse_event_where(line, keep)
                    })
                    .map(|read| read.events)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(std::io::Error::other("a reader thread failed"))))
            .collect()
    });
    let mut events = Vec::new();
    for result in results {
        events.extend(result?.into_iter().flatten());
    }
    Ok(events)
}

/// One chunk's result: file index, start offset, events, and its own keys.
type ChunkRead = (usize, u64, LogRead<CompactEvent>, KeyTable);

/// One key table for every chunk's events: the largest chunk's own, with
/// the other chunks' keys added. Each chunk's events are renumbered into it
/// (on all cores), and its own table is left as the renumbering: empty
/// when nothing changed.
fn shared_keys(chunks: &mut [ChunkRead]) -> (KeyTable, Vec<Vec<u32>>) {
    let base = chunks.iter().enumerate().max_by_key(|(_, c)| c.3.len()).map(|(n, _)| n);
    let mut keys = base.and_then(|n| chunks.get_mut(n)).map(|c| std::mem::take(&mut c.3)).unwrap_or_default();
    // Most keys of the other chunks are already there (every device
    // grades the same cards): they are found on all cores, and only the
    // new ones are added, in chunk order.
    let found: Vec<Vec<Option<u32>>> = std::thread::scope(|scope| {
        let keys = &keys;
        let handles: Vec<_> = chunks
            .iter()
            .map(|c| {
                let local = &c.3;
                scope.spawn(move || {
                    (0..local.len() as u32)
                        .map(|n| local.key(n).and_then(|(deck, card)| keys.find(&deck.0, &card.0)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let remaps: Vec<Vec<u32>> = chunks
        .iter()
        .zip(found)
        .map(|(c, found)| {
            let local = &c.3;
            (0..local.len() as u32)
                .map(|n| match found.get(n as usize).copied().flatten() {
                    Some(k) => k,
                    None => local.key(n).map_or(0, |(deck, card)| keys.intern(&deck.0, &card.0)),
                })
                .collect()
        })
        .collect();
    std::thread::scope(|scope| {
        for (chunk, remap) in chunks.iter_mut().zip(&remaps) {
            if remap.is_empty() {
                continue;
            }
            scope.spawn(move || {
                for e in &mut chunk.2.events {
                    e.key = remap.get(e.key as usize).copied().unwrap_or(e.key);
                }
            });
        }
    });
    (keys, remaps)
}

/// The offset just after the first newline at or after `from`.
fn next_line_start(path: &Path, from: u64) -> std::io::Result<u64> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let mut reader = BufReader::new(file);
    let mut skipped = Vec::new();
    let n = reader.read_until(b'\n', &mut skipped)?;
    Ok(from + n as u64)
}

/// The number of lines that end before byte `end`.
fn count_lines(path: &Path, end: u64) -> std::io::Result<u64> {
    if end == 0 {
        return Ok(0);
    }
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?.take(end));
    let mut count = 0;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(count);
        }
        count += buffer.iter().filter(|&&b| b == b'\n').count() as u64;
        let n = buffer.len();
        reader.consume(n);
    }
}

/// A parsed line: an event, or the version of a newer format.
type Parsed<T> = Result<Result<T, u32>, serde_json::Error>;

/// How many lines come before a read's first byte, for messages.
#[derive(Debug, Clone, Copy)]
enum LinesBefore {
    /// This many (`None`: unknown, so messages give the byte offset).
    Known(Option<u64>),
    /// Counted only if a message needs them: a large log is read in
    /// chunks on all cores, and counting the lines before each chunk
    /// would hold up its reader for nothing when no line is wrong.
    CountIfNeeded,
}

/// Reads the lines in bytes `offset..end` of a log. `lines_before` gives
/// the number of lines before `offset`, for messages.
///
/// The bytes are read a block at a time and each line is parsed where it
/// lies in the block; only a line that runs past the block is moved.
fn read_range<T: Stamped>(
    path: &Path,
    offset: u64,
    end: u64,
    lines_before: LinesBefore,
    hold_after_ms: i64,
    events: Vec<T>,
    mut parse: impl FnMut(&[u8]) -> Parsed<T>,
) -> std::io::Result<LogRead<T>> {
    let counted = std::cell::OnceCell::new();
    let lines_before = || match lines_before {
        LinesBefore::Known(n) => n,
        LinesBefore::CountIfNeeded => *counted.get_or_init(|| count_lines(path, offset).ok()),
    };
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut source = file.take(end.saturating_sub(offset));
    let mut read = LogRead { events, complete_len: offset, ..LogRead::default() };
    let mut number = 0u64;
    // The length of a last line with no newline whose event was read.
    let mut unterminated = 0u64;
    // Takes one line (with its newline, if it has one); false to stop.
    let mut take = |line: &[u8]| -> bool {
        number += 1;
        let complete = line.last() == Some(&b'\n');
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            if complete {
                read.complete_len += line.len() as u64;
                read.complete_lines += 1;
            }
            return true;
        }
        let where_ = || match lines_before() {
            Some(before) => format!("{}:{}", path.display(), before + number),
            None => format!("{} (from byte {offset}), line {number}", path.display()),
        };
        match parse(text) {
            Ok(Err(version)) => {
                read.newer_format.get_or_insert_with(|| {
                    format!("{}: written by a newer Yadgar (log format {version}); update Yadgar to study with this profile", where_())
                });
            }
            Ok(Ok(event)) if event.left_out() => {}
            Ok(Ok(event)) if event.at_ms() > hold_after_ms => {
                let warning = format!(
                    "{}: this event is dated {}, more than a day after this computer's clock (a computer with a wrong clock wrote it?); it is held back and counts from that time on",
                    where_(),
                    describe_ms(event.at_ms())
                );
                read.held.push((event, warning));
            }
            Ok(Ok(event)) => {
                read.last_at_ms = read.last_at_ms.max(Some(event.at_ms()));
                read.events.push(event);
                if !complete {
                    unterminated = line.len() as u64;
                }
            }
            Err(_) if let Ok(parsed) = crate::content::parse_content_line(text) => match parsed {
                Ok(event) => {
                    if event.at_ms <= hold_after_ms {
                        read.last_at_ms = read.last_at_ms.max(Some(event.at_ms));
                    }
                    read.content.push((event, where_()));
                }
                Err(version) => {
                    read.newer_format.get_or_insert_with(|| {
                        format!("{}: written by a newer Yadgar (log format {version}); update Yadgar to study with this profile", where_())
                    });
                }
            },
            Err(e) if !complete => {
                read.warnings.push(format!("{}: the last line was cut off by a crash and is ignored ({e})", where_()));
                return false;
            }
            Err(e) => {
                // A line of a newer format may not parse as ours at all.
                if let Ok(value) = serde_json::from_slice::<serde_json::Value>(text)
                    && value.get("v").and_then(serde_json::Value::as_u64).is_some_and(|v| v > u64::from(LOG_FORMAT))
                {
                    read.newer_format.get_or_insert_with(|| {
                        format!("{}: written by a newer Yadgar; update Yadgar to study with this profile", where_())
                    });
                } else {
                    read.warnings.push(format!(
                        "{}: this line cannot be read and is ignored ({e}); the file is left as it is",
                        where_()
                    ));
                }
            }
        }
        if complete {
            read.complete_len += line.len() as u64;
            read.complete_lines += 1;
        }
        true
    };
    let mut buffer = vec![0u8; READ_BLOCK];
    // `buffer[..filled]` holds bytes read and not yet taken as lines.
    let mut filled = 0;
    'blocks: loop {
        let n = match buffer.get_mut(filled..) {
            Some(space) => loop {
                match source.read(space) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    result => break result?,
                }
            },
            None => 0,
        };
        filled += n;
        let unread = buffer.get(..filled).unwrap_or_default();
        let mut start = 0;
        for newline in memchr::memchr_iter(b'\n', unread) {
            if !take(unread.get(start..=newline).unwrap_or_default()) {
                break 'blocks;
            }
            start = newline + 1;
        }
        if n == 0 {
            if let Some(last) = unread.get(start..).filter(|rest| !rest.is_empty()) {
                take(last);
            }
            break;
        }
        buffer.copy_within(start..filled, 0);
        filled -= start;
        if filled == buffer.len() {
            // One line longer than the block: make room for the rest of it.
            buffer.resize(buffer.len() * 2, 0);
        }
    }
    read.applied_len = read.complete_len + unterminated;
    Ok(read)
}

/// How much of a log is read at a time.
const READ_BLOCK: usize = 1 << 20;

/// A Unix time in milliseconds as an ISO date and time in UTC, for messages.
pub(super) fn describe_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| format!("{ms} ms after 1970"), |t| t.to_string())
}

/// Where a [`LogWriter`] appends: the log file, or in tests a file that
/// fails on purpose.
pub trait LogSink: std::fmt::Debug + Send + Sync {
    /// Appends all of `bytes` at the end.
    ///
    /// # Errors
    /// The write failed; part of `bytes` may have reached the file.
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Waits until what was appended is on disk.
    ///
    /// # Errors
    /// The disk did not confirm the write.
    fn sync(&mut self) -> std::io::Result<()>;
    /// The current length of the file.
    ///
    /// # Errors
    /// The length cannot be read.
    fn file_len(&mut self) -> std::io::Result<u64>;
    /// Cuts the file back to `len` bytes.
    ///
    /// # Errors
    /// The file cannot be cut (an append-only handle on Windows, a disk gone).
    fn truncate(&mut self, len: u64) -> std::io::Result<()>;
}

impl LogSink for File {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_all(bytes)
    }
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
    fn file_len(&mut self) -> std::io::Result<u64> {
        Ok(self.metadata()?.len())
    }
    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)
    }
}

/// The open log of this device, for appending.
#[derive(Debug)]
pub struct LogWriter {
    file: Box<dyn LogSink>,
    path: PathBuf,
    /// The file's length after the last complete write.
    len: u64,
    /// The newlines the last complete write added.
    last_lines: u64,
    /// A write failed since the last complete one, and may have left bytes
    /// that could not be cut off.
    failed: bool,
    /// Which file the handle writes (device and inode, on Unix), to notice
    /// the path now naming another file.
    identity: Option<(u64, u64)>,
}

/// How many events [`LogWriter::append_all`] writes at a time: a few MiB.
const APPEND_BATCH: usize = 16_384;

/// The device and inode of a file, where the system has them.
fn identity(metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

impl LogWriter {
    /// Opens (creating) the log for appending. If the file ends in a torn
    /// line, a newline is written first so the next event starts fresh.
    ///
    /// # Errors
    /// The file cannot be opened, read or written.
    pub fn open(path: &Path) -> std::io::Result<LogWriter> {
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(path)?;
        let metadata = file.metadata()?;
        let mut len = metadata.len();
        let identity = identity(&metadata);
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
                file.sync_data()?;
                len += 1;
            }
        } else if let Some(dir) = path.parent() {
            super::atomic::sync_dir(dir)?;
        }
        Ok(LogWriter { file: Box::new(file), path: path.to_path_buf(), len, last_lines: 0, failed: false, identity })
    }

    /// A writer appending to `sink`, which holds the log at `path` and ends
    /// with a complete line (or is empty). For tests that make writes fail.
    ///
    /// # Errors
    /// The sink's length cannot be read.
    pub fn with_sink(path: &Path, mut sink: Box<dyn LogSink>) -> std::io::Result<LogWriter> {
        let len = sink.file_len()?;
        Ok(LogWriter { file: sink, path: path.to_path_buf(), len, last_lines: 0, failed: false, identity: None })
    }

    /// Appends one event and waits until it is on disk.
    ///
    /// # Errors
    /// The write or the fsync failed (disk full, device gone): the event
    /// must not be shown as saved.
    pub fn append(&mut self, event: &Event) -> std::io::Result<()> {
        self.append_all(std::slice::from_ref(event))
    }

    /// Appends several events in one write and waits until all are on disk.
    /// On failure none of them counts: a partial write is cut off.
    ///
    /// Before writing, the file's length is compared with the length after
    /// the last complete write. They differ when a failed write could not
    /// be cut back (`set_len` failed; on Windows an append-only handle
    /// cannot truncate) or the file changed under us; the events then start
    /// on a new line, so a confirmed event is never glued onto a partial
    /// line (which reading skips with a warning).
    ///
    /// # Errors
    /// As [`LogWriter::append`], or the file's length cannot be read.
    pub fn append_all<E: serde::Serialize>(&mut self, events: &[E]) -> std::io::Result<()> {
        self.append_all_reporting(events, &mut |_| {})
    }

    /// [`LogWriter::append_all`], calling `written` with the number of
    /// events after each batch goes out (for a progress bar).
    ///
    /// # Errors
    /// As [`LogWriter::append_all`].
    pub fn append_all_reporting<E: serde::Serialize>(
        &mut self,
        events: &[E],
        written_events: &mut dyn FnMut(u64),
    ) -> std::io::Result<()> {
        let actual = self.file.file_len()?;
        // Many events (an import) go out a few MiB at a time rather than
        // as one buffer of them all; the sync after the last makes them count.
        let mut lines = Vec::with_capacity(events.len().min(APPEND_BATCH) * 160 + 1);
        let mut bytes = 0u64;
        let mut newlines = 0u64;
        if actual != self.len {
            lines.push(b'\n');
        }
        let mut written = Ok(());
        // One batch at least, so no events still write the newline above.
        let batches = std::iter::once(events).filter(|e| e.is_empty()).chain(events.chunks(APPEND_BATCH));
        for (n, batch) in batches.enumerate() {
            for event in batch {
                if let Err(e) = serde_json::to_writer(&mut lines, event) {
                    if n == 0 {
                        // Nothing written yet: nothing to take back.
                        return Err(std::io::Error::other(e));
                    }
                    written = Err(std::io::Error::other(e));
                    break;
                }
                lines.push(b'\n');
            }
            written = written.and_then(|()| self.file.append(&lines));
            if written.is_err() {
                break;
            }
            bytes += lines.len() as u64;
            newlines += memchr::memchr_iter(b'\n', &lines).count() as u64;
            lines.clear();
            written_events(batch.len() as u64);
        }
        let written = written.and_then(|()| self.file.sync());
        match written {
            Ok(()) => {
                self.len = actual + bytes;
                self.last_lines = newlines;
                self.failed = false;
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                // Cut off what part got out, so the next event does not
                // continue a broken line. If even that fails, the next
                // append sees the length differ and starts a new line.
                let _ = self.file.truncate(actual);
                Err(e)
            }
        }
    }

    /// The file's length after the last complete write.
    pub fn written_len(&self) -> u64 {
        self.len
    }

    /// The newlines (so the lines) the last complete write added.
    pub fn last_written_lines(&self) -> u64 {
        self.last_lines
    }

    /// Why the file at [`LogWriter::path`] is no longer what this writer
    /// wrote, if it is not: it is gone, another file took its name (a sync
    /// tool replaced it), or it is longer or shorter than after the last
    /// write (another computer with the same device id wrote it). Appending
    /// then could land in a file nobody reads, or mix two computers' events
    /// in one log. Bytes left by a failed write of ours are not a change.
    pub fn changed_on_disk(&self) -> Option<String> {
        let metadata = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) => return Some(format!("it cannot be found ({e})")),
        };
        if self.identity.is_some() && identity(&metadata) != self.identity {
            return Some("another file has replaced it".to_owned());
        }
        let len = metadata.len();
        if len < self.len || (len > self.len && !self.failed) {
            return Some(format!("it is {len} bytes long, but this computer last left it {} bytes long", self.len));
        }
        None
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

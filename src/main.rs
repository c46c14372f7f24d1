//! The `yadgar` binary: parses arguments, then runs the window or a headless
//! subcommand. All the work happens in the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use yadgar::check::check;
use yadgar::deck::bundled_files;
use yadgar::ground::SourceText;
use yadgar::store::{self, DEFAULT_PROFILE};
use yadgar::{Deck, commands, ui};

/// Yadgar: spaced-repetition study and mock exams for knowing a history text cold.
#[derive(Debug, Parser)]
#[command(name = "yadgar", version, about, long_about = None)]
struct Cli {
    /// The data folder that holds the profiles [default: the platform's data folder]
    #[arg(long, global = true, env = "YADGAR_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// The profile to open; it is created on first use
    #[arg(long, global = true, default_value = DEFAULT_PROFILE, value_name = "NAME")]
    profile: String,

    /// Window theme, over the profile's setting
    #[arg(long, value_enum)]
    theme: Option<Theme>,

    /// Print the time from start to the first frame that shows the deck list, then exit
    #[arg(long)]
    exit_after_first_frame: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Theme {
    System,
    Light,
    Dark,
}

#[derive(Debug, Subcommand)]
enum ProfileAction {
    /// List the profiles (the default)
    List,
    /// Create an empty profile
    Create { name: String },
    /// Rename a profile that is not open
    Rename { from: String, to: String },
    /// Move a profile to the trash folder; asks for --yes to confirm
    Delete {
        name: String,
        /// Confirm the deletion
        #[arg(long)]
        yes: bool,
    },
}

/// What a headless command does with warnings (printed to stderr with
/// their file and line, as the window shows them).
#[derive(Debug, Clone, Copy, clap::Args)]
struct Warnings {
    /// Exit non-zero on any warning (an unreadable log line, a broken deck, a setting out of range)
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate deck files (default: the bundled decks) and exit non-zero on any error
    Check {
        /// Also check that each card's answer is stated in the paragraph it cites
        #[arg(long, value_name = "TEXT")]
        source: Option<PathBuf>,
        /// Deck files to check
        decks: Vec<PathBuf>,
        /// Fail on warnings too (unlinked siblings, broken files)
        #[arg(long)]
        strict: bool,
    },
    /// Print today's new, learning and due counts per deck and the next due time
    Due {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        warnings: Warnings,
    },
    /// Score the scheduler's predictions (log loss, RMSE over bins, AUC) on a review history
    Eval {
        /// A review-history CSV (card_id,review_rating,review_time,review_duration) instead of the profile's own
        #[arg(long, value_name = "FILE")]
        history: Option<PathBuf>,
        #[command(flatten)]
        warnings: Warnings,
    },
    /// Print a mock exam and its answer key, from the same generator as the app
    Exam {
        /// Number of questions
        #[arg(long, default_value_t = 20)]
        count: usize,
        /// Seed: the same seed and scope give the same exam [default: random]
        #[arg(long)]
        seed: Option<u64>,
        /// Only this deck (repeatable)
        #[arg(long = "deck", value_name = "DECK")]
        decks: Vec<String>,
        /// Only cards with this tag (repeatable; any of them)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Formats to mix, comma-separated: mc, typed, tf, timeline [default: all]
        #[arg(long, value_delimiter = ',')]
        formats: Vec<String>,
        /// Output: json or markdown
        #[arg(long = "format", value_name = "FORMAT", default_value = "markdown")]
        output: String,
        #[command(flatten)]
        warnings: Warnings,
    },
    /// List, create, rename or delete profiles (deleting moves the folder to the trash)
    Profiles {
        #[command(subcommand)]
        action: Option<ProfileAction>,
    },
    /// Import a deck: an Anki package (.apkg, with its review history), CSV/TSV (.csv, .tsv, .txt) or deck JSON (.json)
    Import {
        /// The file to import; its extension gives the format
        file: PathBuf,
        /// The deck's name (its id is made from it) [default: the Anki deck's name, or the file's name]
        #[arg(long, value_name = "NAME")]
        deck: Option<String>,
        /// Replace a profile deck with the same id (its progress is kept)
        #[arg(long)]
        replace: bool,
        /// CSV: the question's column, from 1 [default: "question"/"front" in the header, else 1]
        #[arg(long, value_name = "N")]
        question_col: Option<usize>,
        /// CSV: the answer's column [default: "answer"/"back" in the header, else 2]
        #[arg(long, value_name = "N")]
        answer_col: Option<usize>,
        /// CSV: the column of other accepted answers, separated by '|'
        #[arg(long, value_name = "N")]
        accept_col: Option<usize>,
        /// CSV: the column of tags, separated by spaces
        #[arg(long, value_name = "N")]
        tags_col: Option<usize>,
        /// CSV: the column of the note shown after the answer
        #[arg(long, value_name = "N")]
        note_col: Option<usize>,
        /// CSV: the column of the card kind (date, clause, actor, number, place, organization, event, concept)
        #[arg(long, value_name = "N")]
        kind_col: Option<usize>,
        /// CSV: the first row is a header (true) or a card (false) [default: guessed]
        #[arg(long, value_name = "BOOL")]
        header: Option<bool>,
        #[command(flatten)]
        warnings: Warnings,
    },
    /// Export a deck with its review history; the extension of FILE gives the format (.apkg, .csv, .tsv, .json)
    Export {
        /// The deck's id (or title)
        deck: String,
        /// The file to write (never inside the data folder)
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        warnings: Warnings,
    },
    /// Fit FSRS parameters to a review history; on the profile's own history, store them
    Optimize {
        /// A review-history CSV instead of the profile's own (the parameters are printed, not stored)
        #[arg(long, value_name = "FILE")]
        history: Option<PathBuf>,
        #[command(flatten)]
        warnings: Warnings,
    },
}

fn main() -> ExitCode {
    let start = Instant::now();
    let matches = with_packaging_files(Cli::command()).get_matches();
    if let Some(out) = matches.subcommand_matches(PACKAGING_FILES).and_then(|m| m.get_one::<PathBuf>("out")) {
        return report(packaging_files(out));
    }
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Some(Command::Check { source, decks, strict }) => run_check(source, decks, strict),
        Some(Command::Due { json, warnings }) => {
            let mut found = Vec::new();
            report_warned(commands::due(&cli.data_dir, &cli.profile, json, &mut found), &found, warnings)
        }
        Some(Command::Eval { ref history, warnings }) => {
            let mut found = Vec::new();
            let result = commands::eval(&cli.data_dir, &cli.profile, history.as_deref(), &mut found);
            report_warned(result, &found, warnings)
        }
        Some(Command::Exam { count, seed, ref decks, ref tags, ref formats, ref output, warnings }) => {
            let seed = seed.unwrap_or_else(rand::random);
            let mut found = Vec::new();
            let result =
                commands::exam(&cli.data_dir, &cli.profile, count, seed, decks, tags, formats, output, &mut found);
            report_warned(result, &found, warnings)
        }
        Some(Command::Profiles { ref action }) => report(profiles(&cli.data_dir, action.as_ref())),
        Some(Command::Import {
            ref file,
            ref deck,
            replace,
            question_col,
            answer_col,
            accept_col,
            tags_col,
            note_col,
            kind_col,
            header,
            warnings,
        }) => {
            let columns = commands::CsvColumns {
                question: question_col,
                answer: answer_col,
                accept: accept_col,
                tags: tags_col,
                note: note_col,
                kind: kind_col,
                header,
            };
            let mut found = Vec::new();
            let result =
                commands::import(&cli.data_dir, &cli.profile, file, deck.as_deref(), &columns, replace, &mut found);
            report_warned(result, &found, warnings)
        }
        Some(Command::Export { ref deck, ref to, force, warnings }) => {
            let mut found = Vec::new();
            report_warned(commands::export(&cli.data_dir, &cli.profile, deck, to, force, &mut found), &found, warnings)
        }
        Some(Command::Optimize { ref history, warnings }) => {
            let mut found = Vec::new();
            let result = commands::optimize(&cli.data_dir, &cli.profile, history.as_deref(), &mut found);
            report_warned(result, &found, warnings)
        }
        None => run_window(cli, start),
    }
}

fn profiles(data_dir: &Option<PathBuf>, action: Option<&ProfileAction>) -> Result<String, String> {
    let dir = store::data_dir(data_dir.as_deref()).map_err(|e| e.to_string())?;
    match action.unwrap_or(&ProfileAction::List) {
        ProfileAction::List => {
            let names = store::list_profiles(&dir).map_err(|e| e.to_string())?;
            Ok(names.iter().map(|n| format!("{n}\n")).collect())
        }
        ProfileAction::Create { name } => {
            store::create_profile(&dir, name).map_err(|e| e.to_string())?;
            Ok(format!("created profile {name:?}\n"))
        }
        ProfileAction::Rename { from, to } => {
            if !store::list_profiles(&dir).map_err(|e| e.to_string())?.contains(from) {
                return Err(format!("there is no profile named {from:?}"));
            }
            // It takes the profile's locks: a profile open in a window is refused.
            store::rename_profile(&dir, from, to).map_err(|e| e.to_string())?;
            Ok(format!("renamed profile {from:?} to {to:?}\n"))
        }
        ProfileAction::Delete { name, yes } => {
            if !yes {
                return Err(format!(
                    "deleting profile {name:?} moves it to the trash folder; run again with --yes to confirm"
                ));
            }
            let now = store::now();
            let moved = store::delete_profile(&dir, name, now.unix_ms).map_err(|e| e.to_string())?;
            Ok(format!("moved profile {name:?} to {}\n", moved.display()))
        }
    }
}

/// Prints a headless command's warnings to stderr (each names its file and
/// line), then its output or error; with `--strict` any warning makes the
/// exit code non-zero (after the output).
fn report_warned(result: Result<String, String>, found: &[String], warnings: Warnings) -> ExitCode {
    for warning in found {
        eprintln!("yadgar: warning: {}", readable(warning));
    }
    let code = report(result);
    if warnings.strict && !found.is_empty() && code == ExitCode::SUCCESS {
        eprintln!("yadgar: {} warnings and --strict: exiting with an error", found.len());
        return ExitCode::from(2);
    }
    code
}

/// The hidden subcommand for packagers (packaging/*.sh). It is added here
/// rather than to [`Command`] so that the man pages and completions, made
/// from [`Cli`], leave it out.
const PACKAGING_FILES: &str = "packaging-files";

fn with_packaging_files(cli: clap::Command) -> clap::Command {
    cli.subcommand(
        clap::Command::new(PACKAGING_FILES)
            .hide(true)
            .about("Write the man pages (OUT/man) and the bash, zsh and fish completions (OUT/completions)")
            .arg(
                clap::arg!(--out <OUT> "The folder to write into")
                    .required(true)
                    .value_parser(clap::value_parser!(PathBuf)),
            ),
    )
}

/// Writes the man pages and shell completions made from the argument
/// definitions above, so they never fall out of step with the binary.
fn packaging_files(out: &Path) -> Result<String, String> {
    let man_dir = out.join("man");
    let completions_dir = out.join("completions");
    for dir in [&man_dir, &completions_dir] {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    }
    let mut cli = Cli::command();
    clap_mangen::generate_to(cli.clone(), &man_dir).map_err(|e| format!("cannot write the man pages: {e}"))?;
    for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
        clap_complete::generate_to(shell, &mut cli, "yadgar", &completions_dir)
            .map_err(|e| format!("cannot write the {shell} completions: {e}"))?;
    }
    Ok(format!("wrote {} and {}\n", man_dir.display(), completions_dir.display()))
}

/// Prints a headless command's output, or its error, and sets the exit code.
fn report(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("yadgar: {}", readable(&e));
            ExitCode::FAILURE
        }
    }
}

/// A message cut to a readable length: some quote a value from a file,
/// which may be megabytes long.
fn readable(message: &str) -> String {
    yadgar::text::shorten(message, 2000)
}

fn run_window(cli: Cli, start: Instant) -> ExitCode {
    let data_dir = match store::data_dir(cli.data_dir.as_deref()) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("yadgar: {e}");
            return ExitCode::FAILURE;
        }
    };
    let theme = match cli.theme {
        None => None,
        Some(Theme::System) => Some(egui::ThemePreference::System),
        Some(Theme::Light) => Some(egui::ThemePreference::Light),
        Some(Theme::Dark) => Some(egui::ThemePreference::Dark),
    };
    let local = match store::LocalDirs::from_env() {
        Ok(local) => local,
        Err(e) => {
            eprintln!("yadgar: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = ui::Config {
        local,
        data_dir,
        profile: cli.profile,
        theme,
        exit_after_first_frame: cli.exit_after_first_frame.then_some(start),
        native_file_dialog: true,
        inline_wait: ui::INLINE_WAIT,
    };
    let result = ui::run(config);
    if cli.exit_after_first_frame {
        print_peak_memory();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yadgar: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the peak resident memory (Linux), for the start-up benchmark.
fn print_peak_memory() {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return };
    if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
        let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
        println!("peak resident memory: {:.1} MiB", kib as f64 / 1024.0);
    }
}

fn run_check(source: Option<PathBuf>, decks: Vec<PathBuf>, strict: bool) -> ExitCode {
    let source = match source.as_deref().map(store::read_text).transpose() {
        Ok(text) => text.map(|t| SourceText::new(&t)),
        Err(e) => {
            eprintln!("yadgar check: {e}");
            return ExitCode::FAILURE;
        }
    };
    let results: Vec<_> = if decks.is_empty() {
        bundled_files().iter().map(|(file, bytes)| ((*file).to_owned(), Deck::from_json(file, bytes))).collect()
    } else {
        decks.iter().map(|p| (p.display().to_string(), store::load_deck_file(p))).collect()
    };
    let report = check(results, source.as_ref());
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if !report.uncited_paragraphs.is_empty() {
        let list: Vec<String> = report.uncited_paragraphs.iter().map(ToString::to_string).collect();
        println!("note: no card cites paragraph {}", list.join(", "));
    }
    let grounded = if source.is_some() { ", every answer grounded in its paragraph" } else { "" };
    if report.passed() && (!strict || report.warnings.is_empty()) {
        println!("ok: {} decks, {} cards{grounded}", report.decks, report.cards);
        ExitCode::SUCCESS
    } else {
        println!(
            "{} problems and {} warnings in {} decks, {} cards",
            report.problems.len(),
            report.warnings.len(),
            report.decks,
            report.cards
        );
        ExitCode::FAILURE
    }
}

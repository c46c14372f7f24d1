//! Evaluating and fitting the scheduler on the real review history in
//! `tests/data/revlog-py-fsrs` (MIT, copied with its licence), and the headless `due`, `eval` and
//! `optimize` commands.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

use yadgar::history::{HistoryError, evaluate, optimize, parse_csv};

fn shared_history() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/revlog-py-fsrs/review_logs_josh_1711744352250_to_1728234780857.csv")
}

fn yadgar(args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_yadgar"));
    // This test computer's own folders live beside the data folder.
    if let Some(data) = args.iter().position(|a| *a == "--data-dir").and_then(|i| args.get(i + 1)) {
        let local = Path::new(data).join("this-computer");
        command.env("YADGAR_CONFIG_DIR", local.join("config")).env("YADGAR_CACHE_DIR", local.join("cache"));
    }
    let out = command.args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn default_parameters_score_as_published_on_the_real_history() {
    let reviews = parse_csv(&std::fs::read_to_string(shared_history()).unwrap()).unwrap();
    assert_eq!(reviews.len(), 12_580);
    let m = evaluate(&reviews, 4, &[]).unwrap();
    // The data's README: about 0.465 log loss and 0.724 AUC with FSRS-6
    // defaults and a 4 am rollover in UTC.
    assert!((m.log_loss - 0.465).abs() < 0.005, "{m:?}");
    assert!((m.auc - 0.724).abs() < 0.01, "{m:?}");
    assert!(m.rmse_bins > 0.0 && m.rmse_bins < 0.1, "{m:?}");
}

#[test]
fn the_optimiser_lowers_log_loss_against_the_defaults() {
    let reviews = parse_csv(&std::fs::read_to_string(shared_history()).unwrap()).unwrap();
    let before = evaluate(&reviews, 4, &[]).unwrap();
    let parameters = optimize(&reviews, 4).unwrap();
    assert_eq!(parameters.len(), 21);
    let after = evaluate(&reviews, 4, &parameters).unwrap();
    assert!(after.log_loss < before.log_loss - 0.003, "before {before:?} after {after:?}");
}

#[test]
fn a_small_history_is_refused_with_a_reason() {
    let text = "card_id,review_rating,review_time,review_duration\n\
                1,3,2024-03-29T20:32:32.250000+00:00,1000\n\
                1,3,2024-04-02T20:32:32+00:00,1000\n";
    let reviews = parse_csv(text).unwrap();
    assert_eq!(optimize(&reviews, 4).unwrap_err(), HistoryError::TooSmall { found: 1, needed: 64 });
    assert!(evaluate(&reviews, 4, &[]).unwrap_err().to_string().contains("at least 64 are needed"));
}

#[test]
fn a_bad_csv_names_the_line() {
    let cases = [
        ("id,rating\n", "line 1: unknown header"),
        (
            "card_id,review_rating,review_time,review_duration\n1,3,2024-03-29T20:32:32+00:00,5\n1,7,2024-03-30T20:32:32+00:00,5\n",
            "line 3: review_rating \"7\" is not 1 to 4",
        ),
        (
            "card_id,review_rating,review_time,review_duration\nx,3,2024-03-29T20:32:32+00:00,5\n",
            "line 2: card_id \"x\" is not a number",
        ),
        ("card_id,review_rating,review_time,review_duration\n1,3,yesterday,5\n", "line 2: review_time \"yesterday\""),
        ("card_id,review_rating,review_time,review_duration\n1,3\n", "line 2: expected 4 fields, found 2"),
    ];
    for (text, expected) in cases {
        let err = parse_csv(text).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{err}");
    }
}

#[test]
fn eval_and_optimize_run_headless_on_a_history_file() {
    let file = shared_history().display().to_string();
    let (ok, stdout, stderr) = yadgar(&["eval", "--history", &file]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("default parameters     log loss 0.46"), "{stdout}");
    let (ok, stdout, stderr) = yadgar(&["optimize", "--history", &file]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("fitted parameters"), "{stdout}");
    assert!(stdout.contains("parameters: ["), "{stdout}");
}

#[test]
fn optimize_on_a_small_profile_refuses_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let (ok, _, stderr) = yadgar(&["optimize", "--data-dir", &data]);
    assert!(!ok);
    assert!(stderr.contains("at least 64 are needed"), "{stderr}");
    // Nothing stored: no settings file written, no settings event logged.
    let profile = dir.path().join("profiles/default");
    assert!(!profile.join("profile.json").exists());
    for entry in std::fs::read_dir(&profile).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let log = std::fs::read_to_string(&path).unwrap();
            assert!(!log.contains("\"type\":\"settings\""), "{log}");
        }
    }
}

#[test]
fn due_prints_counts_per_deck_as_text_and_json_with_options_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let (ok, stdout, stderr) = yadgar(&["--data-dir", &data, "due"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("total: new 20, learning 0, due 0"), "{stdout}");
    assert!(stdout.ends_with("next due: now\n"), "{stdout}");
    let (ok, stdout, _) = yadgar(&["due", "--json", "--data-dir", &data]);
    assert!(ok);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["total"]["new"], 20);
    assert_eq!(value["decks"].as_array().unwrap().len(), 4);
    assert_eq!(value["decks"][0]["id"], "soviet-iran-dates");
}

#[test]
fn profiles_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    assert_eq!(yadgar(&["profiles", "create", "Finals", "--data-dir", &data]).1, "created profile \"Finals\"\n");
    assert_eq!(yadgar(&["profiles", "--data-dir", &data]).1, "Finals\n");
    let (ok, _, stderr) = yadgar(&["profiles", "rename", "Nope", "X", "--data-dir", &data]);
    assert!(!ok && stderr.contains("there is no profile named \"Nope\""), "{stderr}");
    assert!(yadgar(&["profiles", "rename", "Finals", "Exam", "--data-dir", &data]).0);
    let (ok, _, stderr) = yadgar(&["profiles", "delete", "Exam", "--data-dir", &data]);
    assert!(!ok && stderr.contains("--yes"), "{stderr}");
    assert!(dir.path().join("profiles/Exam").is_dir(), "nothing moved without --yes");
    assert!(yadgar(&["profiles", "delete", "Exam", "--yes", "--data-dir", &data]).0);
    assert!(!dir.path().join("profiles/Exam").exists());
    assert_eq!(std::fs::read_dir(dir.path().join("trash")).unwrap().count(), 1);
}

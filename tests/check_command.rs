//! `yadgar check`, run as a deck author or CI runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

#[path = "support/source.rs"]
mod support;

fn yadgar(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yadgar")).args(args).output().expect("run yadgar");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write deck");
    path.display().to_string()
}

const DECK: &str = r#"{"format": 1, "id": "mine", "title": "Mine", "cards": [
  {"id": "a", "kind": "date", "question": "When did Soviet troops enter Iran?", "answer": "25 August 1941",
   "source": {"paragraph": 20}},
  {"id": "b", "kind": "actor", "question": "Who was it?", "answer": "Napoleon", "source": {"paragraph": 20}}
]}"#;

#[test]
fn the_bundled_decks_pass_with_the_source() {
    let Some(source) = support::source_path() else { return };
    let (ok, stdout, stderr) = yadgar(&["check", "--source", &source.display().to_string()]);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.starts_with("ok: 4 decks, "), "{stdout}");
    assert!(!stdout.contains("no card cites"), "every paragraph must be cited: {stdout}");
}

#[test]
fn a_bad_deck_fails_with_its_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(dir.path(), "bad.json", "{\"format\": 1,\n \"id\": \"x\",\n \"title\": }");
    let (ok, _, stderr) = yadgar(&["check", &bad]);
    assert!(!ok);
    assert!(stderr.contains(&format!("{bad}:3:11: expected value")), "{stderr}");
}

#[test]
fn an_ungrounded_card_is_named_with_its_paragraph() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deck = write(dir.path(), "mine.json", DECK);
    let Some(source) = support::source_path() else { return };
    let (ok, stdout, stderr) = yadgar(&["check", "--source", &source.display().to_string(), &deck]);
    assert!(!ok, "{stdout}");
    assert_eq!(
        stderr.trim(),
        format!(
            "{deck}: card \"b\" is not grounded: paragraph 20 does not state the answer \"Napoleon\" or any of its accept forms: fix the card"
        )
    );
    assert!(stdout.contains("1 problems and 0 warnings in 1 decks, 2 cards"), "{stdout}");
}

#[test]
fn without_a_source_only_the_rules_are_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deck = write(dir.path(), "mine.json", DECK);
    let (ok, stdout, _) = yadgar(&["check", &deck]);
    assert!(ok);
    assert_eq!(stdout.trim(), "ok: 1 decks, 2 cards");
}

#[test]
fn two_files_with_one_deck_id_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let one = write(dir.path(), "one.json", DECK);
    let two = write(dir.path(), "two.json", DECK);
    let (ok, _, stderr) = yadgar(&["check", &one, &two]);
    assert!(!ok);
    assert!(stderr.contains(&format!("{two}: deck id \"mine\" is already used by {one}")), "{stderr}");
}

#[test]
fn a_missing_source_file_is_reported() {
    let (ok, _, stderr) = yadgar(&["check", "--source", "/nonexistent/source.txt"]);
    assert!(!ok);
    assert!(stderr.contains("cannot use /nonexistent/source.txt"), "{stderr}");
}

#[test]
fn version_and_help_answer() {
    let (ok, stdout, _) = yadgar(&["--version"]);
    assert!(ok);
    assert_eq!(stdout.trim(), format!("yadgar {}", env!("CARGO_PKG_VERSION")));
    let (ok, stdout, _) = yadgar(&["--help"]);
    assert!(ok);
    for flag in ["--data-dir", "--profile", "--version", "--help", "check"] {
        assert!(stdout.contains(flag), "help lacks {flag}: {stdout}");
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name).display().to_string()
}

#[test]
fn a_deck_checked_against_the_text_it_was_written_from_passes_whatever_its_line_ends() {
    let (ok, stdout, stderr) = yadgar(&["check", "--source", &fixture("source.txt"), &fixture("velmora.json")]);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    // The same text saved with Windows line ends has the same fingerprint.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(fixture("source.txt")).unwrap().replace('\n', "\r\n");
    let crlf = write(dir.path(), "source-crlf.txt", &text);
    let (ok, stdout, stderr) = yadgar(&["check", "--source", &crlf, &fixture("velmora.json")]);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
}

#[test]
fn a_source_text_with_another_fingerprint_is_refused_with_both_fingerprints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(fixture("source.txt")).unwrap().replace("four copper", "five copper");
    let other = write(dir.path(), "edited.txt", &text);
    let (ok, stdout, stderr) = yadgar(&["check", "--source", &other, &fixture("velmora.json")]);
    assert!(!ok, "{stdout}");
    let actual = yadgar::ground::fingerprint(&text);
    assert!(
        stderr.contains(&format!(
            "velmora.json: the deck was written from a source text with SHA-256 \
             f73f0a80051094e93a1a3d2e605825e652de9fb75008a00bfee5eab6e06f8e79, but the text given has {actual}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("not grounded"), "a deck of another text is not graded against this one: {stderr}");
}

#[test]
fn every_bundled_deck_records_the_fingerprint_of_the_real_article() {
    let Some(path) = support::source_path() else { return };
    let text = std::fs::read_to_string(&path).unwrap();
    let fingerprint = yadgar::ground::fingerprint(&text);
    for loaded in yadgar::deck::Library::bundled().decks {
        assert_eq!(loaded.deck.source_sha256.as_deref(), Some(fingerprint.as_str()), "{}", loaded.file);
    }
}

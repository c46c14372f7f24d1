//! Round trips with real Anki: packages made by Anki's own backend (the
//! `anki` package from PyPI) are imported with `yadgar import`, exported
//! again with `yadgar export`, and imported back into Anki, which checks
//! notes, fields, tags, revlog rows and suspensions
//! (`tests/anki/roundtrip.py`).
//!
//! Without Python's `anki` the test says why and passes, except on CI
//! (`CI=true`), which must run it: `.ci/run` installs the pinned version.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

use yadgar::Deck;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/anki/roundtrip.py")
}

fn run(program: &str, args: &[&str]) -> String {
    let mut command = Command::new(program);
    // This test computer's own folders live beside the data folder.
    if let Some(data) = args.iter().position(|a| *a == "--data-dir").and_then(|i| args.get(i + 1)) {
        let local = Path::new(data).join("this-computer");
        command.env("YADGAR_CONFIG_DIR", local.join("config")).env("YADGAR_CACHE_DIR", local.join("cache"));
    }
    let out = command.args(args).output().unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} {args:?} failed:\n{stdout}\n{stderr}");
    stdout
}

/// Whether real Anki can be used; panics on CI when it cannot.
fn anki_available() -> bool {
    let probe = Command::new("python3").args(["-c", "import anki.collection"]).output();
    let reason = match probe {
        Ok(out) if out.status.success() => return true,
        Ok(out) => String::from_utf8_lossy(&out.stderr).trim().lines().last().unwrap_or("").to_owned(),
        Err(e) => format!("python3 cannot be run: {e}"),
    };
    let message = format!("the Anki round trip needs Python's `anki` package (pip install anki): {reason}");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}; CI must run this test");
    eprintln!("skipped: {message}");
    false
}

/// What `roundtrip.py check` expects Anki to find after importing `deck`.
fn expected(deck: &Deck, reviews: usize, suspended: usize) -> String {
    let cards: Vec<_> = deck
        .cards
        .iter()
        .map(|c| serde_json::json!({ "question": c.question, "answer": c.answer, "tags": c.tags }))
        .collect();
    serde_json::json!({ "cards": cards, "reviews": reviews, "suspended": suspended }).to_string()
}

#[test]
fn anki_packages_round_trip_through_yadgar_and_back_into_anki() {
    if !anki_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let made = tmp.path().join("from-anki");
    let data = tmp.path().join("data");
    let yadgar = env!("CARGO_BIN_EXE_yadgar");
    let data_arg = data.to_str().unwrap();
    run("python3", &[script().to_str().unwrap(), "make", made.to_str().unwrap()]);
    let from_anki: serde_json::Value =
        serde_json::from_slice(&std::fs::read(made.join("expected.json")).unwrap()).unwrap();
    let (cards, reviews) = (from_anki["cards"].as_u64().unwrap(), from_anki["reviews"].as_u64().unwrap());

    for name in ["modern", "legacy"] {
        // Anki -> Yadgar.
        let package = made.join(format!("{name}.apkg"));
        let deck_name = format!("From Anki {name}");
        let out = run(yadgar, &["--data-dir", data_arg, "import", package.to_str().unwrap(), "--deck", &deck_name]);
        assert!(out.starts_with(&format!("imported {cards} cards and {reviews} reviews")), "{name}: {out}");
        let deck_id = format!("from-anki-{name}");
        // The imported deck, as saved (an event in the log).
        let saved = yadgar::store::Collection::open_read_only(&data, "default", "reader").unwrap();
        let deck = saved.library().deck(&yadgar::DeckId(deck_id.as_str().into())).unwrap().deck.clone();
        drop(saved);

        // Yadgar -> Anki, with the history.
        let back = tmp.path().join(format!("{name}-back.apkg"));
        let out = run(yadgar, &["--data-dir", data_arg, "export", &deck_id, "--to", back.to_str().unwrap()]);
        assert!(out.contains(&format!("{cards} cards and {reviews} reviews")), "{out}");
        let expected_file = tmp.path().join(format!("{name}-expected.json"));
        std::fs::write(&expected_file, expected(&deck, reviews as usize, 1)).unwrap();
        let checked = run(
            "python3",
            &[script().to_str().unwrap(), "check", back.to_str().unwrap(), expected_file.to_str().unwrap()],
        );
        assert!(checked.starts_with("ok:"), "{checked}");
    }

    // A bundled deck (accepted forms and notes, no history) goes to Anki too.
    let bundled = tmp.path().join("dates.apkg");
    run(yadgar, &["--data-dir", data_arg, "export", "soviet-iran-dates", "--to", bundled.to_str().unwrap()]);
    let deck = yadgar::deck::Library::bundled().decks.into_iter().find(|d| d.deck.id.0 == "soviet-iran-dates").unwrap();
    let expected_file = tmp.path().join("dates-expected.json");
    std::fs::write(&expected_file, expected(&deck.deck, 0, 0)).unwrap();
    let checked = run(
        "python3",
        &[script().to_str().unwrap(), "check", bundled.to_str().unwrap(), expected_file.to_str().unwrap()],
    );
    assert!(checked.starts_with("ok:"), "{checked}");
}

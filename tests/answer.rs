//! The answer checker shared by typed review and exams, as a table.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use yadgar::answer::{DiffPart, Verdict, check, diff, parse_number};

#[test]
fn typed_answers_are_judged_leniently_but_exactly_where_it_matters() {
    use Verdict::*;
    let cases: &[(&str, &str, &[&str], Verdict)] = &[
        // Case, diacritics, punctuation, quotes, spaces, a leading "the".
        ("kucek khan", "Kuček Khan", &[], Correct),
        ("  KUČEK   khan ", "Kuček Khan", &[], Correct),
        ("Raskolnikov", "Raskol’nikov", &[], Correct),
        ("the Decree on Peace", "Decree on Peace", &[], Correct),
        ("Decree on Peace", "the Decree on Peace", &[], Correct),
        ("Qawam al-Saltana", "Qawām-al-Salṭana", &[], Correct),
        ("Asurada", "Āšurādā", &[], Correct),
        ("Ashurada", "Āšurādā", &["Ashurada"], Correct),
        // The English spelling of š, č, ḵ … is right without an accept form.
        ("Ashurada", "Āšurādā", &[], Correct),
        ("Kuchek Khan", "Kuček Khan", &[], Correct),
        ("Khomeyni", "Ḵomeyni", &[], Correct),
        ("Ashurade", "Āšurādā", &[], Almost),
        ("\"Persazneft\"", "Persazneft", &[], Correct),
        // Accept forms.
        ("Kuchek Khan", "Kuček Khan", &["Kuchek Khan"], Correct),
        ("Enzeli", "Anzali", &["Enzeli", "Bandar-e Anzali"], Correct),
        // Dates in every form; the wrong day is wrong.
        ("25 August 1941", "25 August 1941", &[], Correct),
        ("August 25, 1941", "25 August 1941", &[], Correct),
        ("1941-08-25", "25 August 1941", &[], Correct),
        ("25.8.1941", "25 August 1941", &[], Correct),
        ("25 Aug 1941", "25 August 1941", &[], Correct),
        ("26 August 1941", "25 August 1941", &[], Wrong),
        ("25 September 1941", "25 August 1941", &[], Wrong),
        ("1941", "25 August 1941", &[], Wrong),
        ("August 1941", "August 1941", &[], Correct),
        ("September 1941", "August 1941", &[], Wrong),
        // Numbers in every form.
        ("35,000,000", "35 million", &[], Correct),
        ("35000000", "35 million", &[], Correct),
        ("35 million", "35,000,000", &[], Correct),
        // A figure's unit may be left out but not changed; a phrase that
        // starts with a number is not a figure.
        ("35 million", "35 million rubles", &[], Correct),
        ("35 million dollars", "35 million rubles", &[], Wrong),
        ("26 May 1921, Baku", "26 February 1921, Moscow", &[], Wrong),
        ("5 and 6", "5 and 7", &[], Wrong),
        ("36 million", "35 million", &[], Wrong),
        ("30 thousand", "30,000", &[], Correct),
        ("1,106 km", "1,106 km", &[], Correct),
        ("1106", "1,106 km", &[], Correct),
        ("51%", "51 percent", &[], Correct),
        ("50", "51 percent", &[], Wrong),
        // Years and clause numbers are exact.
        ("1922", "1921", &[], Wrong),
        ("clause 5", "clause 6", &[], Wrong),
        ("clause 6", "Clause 6", &[], Correct),
        // Near misses on names are "almost", scaled to length.
        ("Kucek Kan", "Kuček Khan", &[], Almost),
        ("Chicherin", "Chicherin", &[], Correct),
        ("Chicheren", "Chicherin", &[], Almost),
        ("Chchrn", "Chicherin", &[], Wrong),
        ("Decree on Peice", "Decree on Peace", &[], Almost),
        ("Tudeh", "Tudeh", &[], Correct),
        ("Tudah", "Tudeh", &[], Almost),
        ("Iraq", "Iran", &[], Wrong),
        ("Baku", "Baka", &[], Wrong),
        ("Gilan", "Gilan", &[], Correct),
        ("Gilyan", "Gilan", &[], Almost),
        ("Tabriz", "Tehran", &[], Wrong),
        ("Karakhan", "Karakhan", &[], Correct),
        ("Lenin", "Stalin", &[], Wrong),
        // More forms students type.
        ("october 26 1917", "26 October 1917", &[], Correct),
        ("26th October 1917", "26 October 1917", &[], Correct),
        ("26/10/1917", "26 October 1917", &[], Correct),
        ("Oct 26, 1917", "26 October 1917", &[], Correct),
        ("10/26/1917", "26 October 1917", &[], Wrong),
        ("26 October 1918", "26 October 1917", &[], Wrong),
        ("February 1946", "February 1946", &[], Correct),
        ("Feb 1946", "February 1946", &[], Correct),
        ("200 million", "200 million rubles", &[], Correct),
        ("200,000,000 rubles", "200 million rubles", &[], Correct),
        ("20 million", "200 million rubles", &[], Wrong),
        ("3.6", "3.6 per cent", &[], Correct),
        ("Trans-Iranian railway", "Trans-Iranian railway", &[], Correct),
        ("trans iranian railway", "Trans-Iranian railway", &[], Correct),
        ("Soviet Republic of Gilan", "Soviet Republic of Gilān", &[], Correct),
        ("Soviet Republic of Gilam", "Soviet Republic of Gilān", &[], Almost),
        ("Republic of Gilan", "Soviet Republic of Gilān", &[], Wrong),
        ("Mohammad Reza", "Mohammad Reza", &[], Correct),
        ("Muhammad Reza", "Mohammad Reza", &[], Almost),
        ("Reza Khan", "Mohammad Reza", &[], Wrong),
        // Empty and nonsense.
        ("", "Kuček Khan", &[], Wrong),
        ("   ", "Kuček Khan", &[], Wrong),
        ("...", "Kuček Khan", &[], Wrong),
        ("the", "Kuček Khan", &[], Wrong),
    ];
    let mut failures = Vec::new();
    for (typed, answer, accept, expected) in cases {
        let accept: Vec<String> = accept.iter().map(|s| (*s).to_owned()).collect();
        let got = check(typed, answer, &accept);
        if got != *expected {
            failures.push(format!("{typed:?} vs {answer:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn numbers_are_read_with_their_scale() {
    assert_eq!(parse_number("35 million"), Some(35e6));
    assert_eq!(parse_number("1,106 km"), Some(1106.0));
    assert_eq!(parse_number("2.5 billion"), Some(2.5e9));
    assert_eq!(parse_number("Baku"), None);
    assert_eq!(parse_number(""), None);
}

#[test]
fn the_diff_marks_extra_and_missing_letters() {
    assert_eq!(
        diff("Kucek Kan", "Kucek Khan"),
        vec![DiffPart::Same("Kucek K".into()), DiffPart::Missing("h".into()), DiffPart::Same("an".into())]
    );
    assert_eq!(
        diff("27 October", "26 October"),
        vec![
            DiffPart::Same("2".into()),
            DiffPart::Extra("7".into()),
            DiffPart::Missing("6".into()),
            DiffPart::Same(" October".into())
        ]
    );
    assert_eq!(diff("", "ab"), vec![DiffPart::Missing("ab".into())]);
}

proptest! {
    #[test]
    fn the_answer_itself_is_always_correct_and_checking_never_panics(answer in "\\PC{1,30}", typed in "\\PC{0,30}") {
        let _ = check(&typed, &answer, &[]);
        if !yadgar::text::normalise(&answer).is_empty() {
            prop_assert_eq!(check(&answer, &answer, &[]), Verdict::Correct);
        }
        // The diff rebuilds both strings.
        let parts = diff(&typed, &answer);
        let rebuilt_answer: String = parts.iter().filter_map(|p| match p { DiffPart::Same(s) | DiffPart::Missing(s) => Some(s.as_str()), DiffPart::Extra(_) => None }).collect();
        prop_assert_eq!(rebuilt_answer, answer);
    }
}

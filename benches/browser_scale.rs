//! Scale benchmark for the card browser: a profile deck of 100,000 cards
//! with 300,000 review events. Measures building the search index, building
//! rows for several queries and sorts (the work done once per query, sort or
//! progress change), and the browser's frame time in the real app driven by
//! egui_kittest (layout and accessibility tree, no GPU), still and while
//! scrolling.
//!
//! usage: cargo bench --bench browser_scale [-- CARDS]

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;
use std::time::Instant;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use yadgar::browse::{self, Index, Sort, SortColumn};
use yadgar::deck::{CardId, DeckId};
use yadgar::query::parse;
use yadgar::revlog::{Action, Event, EventId, ReviewKind};
use yadgar::schedule::Rating;
use yadgar::store::{self, Collection, log::log_path};
use yadgar::time::Moment;
use yadgar::ui::{Config, YadgarApp};

#[path = "support/synthetic.rs"]
mod synthetic;

const DAY_MS: i64 = 86_400_000;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Writes the profile: one deck of `cards` cards (as
/// `examples/synthetic_deck.rs` makes them) and three reviews for every
/// second card.
fn write_profile(data: &std::path::Path, cards: usize, now: Moment) {
    let profile_dir = data.join("profiles/default");
    std::fs::create_dir_all(profile_dir.join("decks")).unwrap();
    let deck = synthetic::deck(cards);
    std::fs::write(profile_dir.join("decks/synthetic.json"), deck.to_json().unwrap()).unwrap();
    let mut log = std::io::BufWriter::new(std::fs::File::create(log_path(&profile_dir, "bench")).unwrap());
    let mut id: u128 = 1;
    for c in (0..cards).step_by(2) {
        let mut at = now.unix_ms - 200 * DAY_MS + (c as i64 % 97) * 3_600_000;
        for r in 0..3 {
            let rating = Rating::ALL[[2, 2, 0, 3, 1][(c + r) % 5]];
            let event = Event::new(
                EventId(id),
                Moment::new(at, 3600),
                DeckId("synthetic".into()),
                CardId(format!("synthetic-{c:06}").into()),
                Action::Review { rating, kind: ReviewKind::Review, answer_ms: 5000 },
            );
            serde_json::to_writer(&mut log, &event).unwrap();
            log.write_all(b"\n").unwrap();
            id += 1;
            at += DAY_MS * (3 << r);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    let cards: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let now = store::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    write_profile(data, cards, now);

    // The core: index and rows.
    {
        let collection = Collection::open(data, "default", "bench").unwrap();
        let library = collection.library();
        println!("{} cards, {} with a state", library.card_count(), collection.progress().card_count());
        let t = Instant::now();
        let index = Index::build(&library);
        println!("build the search index: {:.0} ms", ms(t));
        let cases = [
            ("", SortColumn::Deck),
            ("fact 4242", SortColumn::Deck),
            ("\"synthetic question 9\"", SortColumn::Deck),
            ("tag:group-8 -is:new prop:r<0.9", SortColumn::Deck),
            ("kind:date is:due", SortColumn::Deck),
            ("", SortColumn::Question),
            ("", SortColumn::Retrievability),
        ];
        for (text, column) in cases {
            let query = parse(text).unwrap();
            let mut best = f64::MAX;
            let mut n = 0;
            for _ in 0..5 {
                let t = Instant::now();
                let rows = browse::rows(
                    &index,
                    &library,
                    collection.progress(),
                    collection.scheduler(),
                    now,
                    &query,
                    Sort { column, descending: false },
                );
                best = best.min(ms(t));
                n = rows.len();
            }
            println!("rows for {text:?} sorted by {column:?}: {n} rows in {best:.1} ms (best of 5)");
        }
    }

    // The window: open the browser on every card, then draw frames.
    let config = Config::for_data_dir(data.to_path_buf(), "default");
    let t = Instant::now();
    let mut harness =
        Harness::builder().with_size([1400.0, 900.0]).build_eframe(move |cc| YadgarApp::new(&cc.egui_ctx, config));
    harness.run_ok();
    println!("open the app: {:.0} ms", ms(t));
    let t = Instant::now();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::B);
    harness.step();
    harness.step();
    println!("open the browser (index and rows built): {:.0} ms", ms(t));
    harness.get_by_label("Search:");

    let frames = 60;
    let t = Instant::now();
    for _ in 0..frames {
        harness.step();
    }
    println!("browser frame, still: {:.2} ms per frame ({frames} frames)", ms(t) / f64::from(frames));

    let t = Instant::now();
    harness.hover_at(egui::pos2(500.0, 500.0));
    for _ in 0..frames {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -600.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: Modifiers::NONE,
        });
        harness.step();
    }
    println!(
        "browser frame, scrolling 600 points a frame: {:.2} ms per frame ({frames} frames)",
        ms(t) / f64::from(frames)
    );

    let field = harness.get_by_label("Search:");
    field.focus();
    field.set_text_value_accesskit("tag:group-8 -is:new");
    let t = Instant::now();
    harness.step();
    println!("the frame that applies a new query (rows rebuilt): {:.0} ms", ms(t));
}

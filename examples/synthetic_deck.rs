//! Writes a synthetic deck of N cards, for start-up and scale benchmarks.
//!
//! usage: cargo run --release --example synthetic_deck -- OUT.json N

// The generator indexes fixed arrays modulo their length, which cannot fail.
#![allow(clippy::indexing_slicing)]

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(count)) = (args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: synthetic_deck OUT.json N");
        return std::process::ExitCode::FAILURE;
    };
    let deck = synthetic::deck(count);
    let json = match deck.to_json() {
        Ok(json) => json,
        Err(e) => {
            eprintln!("synthetic_deck: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(out, json) {
        eprintln!("synthetic_deck: cannot write {out}: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

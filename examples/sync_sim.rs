//! Runs the multi-computer sync simulation of `tests/sync.rs` many times:
//! three computers with skewed clocks (one a year ahead) study the same
//! profile while a simulated folder-sync tool copies their logs around,
//! tearing some copies and making Dropbox- and Syncthing-style conflict
//! copies; they grade, edit the same cards, delete and restore them, move
//! them to another deck while another computer still studies them, change
//! settings and undo. Every history must end with all computers agreeing,
//! under the documented last-writer rule.
//!
//! usage: cargo run --release --example sync_sim -- [HISTORIES] [FIRST_SEED]

#![allow(clippy::indexing_slicing)]

#[path = "../tests/support/sync_sim.rs"]
mod sync_sim;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let histories: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let first: u64 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let started = std::time::Instant::now();
    let mut total = sync_sim::Outcome::default();
    for seed in first..first + histories {
        match sync_sim::run(seed) {
            Ok(outcome) => {
                total.add(outcome);
            }
            Err(e) => {
                eprintln!("{e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    println!(
        "{histories} histories agreed in {:.1} s: {} events confirmed ({} of them edits, deletes, restores, settings and their undos; {} refused by a rule), {} deliveries ({} torn), {} conflict copies",
        started.elapsed().as_secs_f64(),
        total.confirmed,
        total.content,
        total.refused,
        total.deliveries,
        total.partial,
        total.conflict_copies
    );
    std::process::ExitCode::SUCCESS
}

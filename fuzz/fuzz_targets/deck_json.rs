//! Fuzz target `deck_json`: see `deck_json` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::deck_json(data));
}

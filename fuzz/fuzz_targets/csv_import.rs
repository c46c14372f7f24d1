//! Fuzz target `csv_import`: see `csv_import` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::csv_import(data));
}

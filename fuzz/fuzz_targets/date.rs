//! Fuzz target `date`: see `date` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::date(data));
}

//! Fuzz target `query`: see `query` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::query(data));
}

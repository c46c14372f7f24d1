//! Fuzz target `answer`: see `answer` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::answer(data));
}

//! Fuzz target `log_replay`: see `log_replay` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::log_replay(data));
}

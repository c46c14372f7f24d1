//! Fuzz target `log_line`: see `log_line` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::log_line(data));
}

//! Fuzz target `apkg_read`: see `apkg_read` in `fuzz/targets.rs`.
#[path = "../targets.rs"]
mod targets;

fn main() {
    afl::fuzz!(|data: &[u8]| targets::apkg_read(data));
}

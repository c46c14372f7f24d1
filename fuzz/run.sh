#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after another, at nice 15,
# with AFL++ through cargo-afl (stable Rust), and prints the executions,
# crashes and hangs of each as a Markdown table.
#
#   bash fuzz/run.sh 600            # ten minutes per target
#   TARGETS="query date" bash fuzz/run.sh 60
#
# Needs cargo-afl (`cargo install cargo-afl --locked`, then
# `cargo afl config --build` once, which builds AFL++ with the C compiler).
# Findings stay in fuzz/out/<target>/default/{crashes,hangs}; each one
# becomes a regression test in tests/fuzz_regressions.rs.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:?usage: fuzz/run.sh SECONDS}"
targets="${TARGETS:-deck_json log_line log_replay csv_import apkg_read query answer date}"

if ! cargo afl --version >/dev/null 2>&1; then
  echo "cargo-afl is missing: cargo install cargo-afl --locked && cargo afl config --build" >&2
  exit 1
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
nice -n 15 cargo afl build --release --locked 2>&1 | tail -n 3

# The machine's core dumps and CPU governor are not ours to change.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_SKIP_CRASHES=1 AFL_FAST_CAL=1

echo "| target | seconds | executions | executions/s | corpus | crashes | hangs |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for target in $targets; do
  out="out/$target"
  mkdir -p "$out"
  # Resume from an earlier run's queue when there is one ("-i -").
  input="corpus/$target"
  [ -f "$out/default/fuzzer_stats" ] && input="-"
  # -m 1024: an allocation past 1 GB fails and counts as a crash;
  # -t 2000: an input taking over 2 s counts as a hang.
  nice -n 15 cargo afl fuzz -i "$input" -o "$out" -m 1024 -t 2000 -V "$seconds" \
    "$CARGO_TARGET_DIR/release/$target" >"$out/log.txt" 2>&1 || {
      echo "afl-fuzz failed on $target; see fuzz/$out/log.txt" >&2
      tail -n 20 "$out/log.txt" >&2
      continue
    }
  stats="$out/default/fuzzer_stats"
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  echo "| $target | $seconds | $(get execs_done) | $(get execs_per_sec) | $(get corpus_count) | $(get saved_crashes) | $(get saved_hangs) |"
done

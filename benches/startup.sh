#!/usr/bin/env bash
# Start-up benchmark: time from process start to the first frame that shows
# the deck list, and peak resident memory, with a profile that holds a
# 10,000-card deck besides the bundled decks. Runs the release binary under
# Xvfb (installed with apt-get if missing) and reports the median of RUNS
# warm starts (one cold start first is discarded).
#
# usage: bash benches/startup.sh [RUNS]
set -euo pipefail
runs=${1:-9}
cd "$(dirname "$0")/.."
command -v Xvfb >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb libgl1-mesa-dri libegl1 libxkbcommon-x11-0 >/dev/null)
cargo build --release --quiet --bin yadgar --example synthetic_deck
data=$(mktemp -d)
trap 'kill $xpid 2>/dev/null || true; rm -rf "$data"' EXIT
mkdir -p "$data/profiles/default/decks"
target/release/examples/synthetic_deck "$data/profiles/default/decks/synthetic.json" 10000
disp=:$((200 + RANDOM % 100))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
sleep 1
export DISPLAY=$disp
# This computer's own folders (device id, snapshot cache) go in the temp folder too.
export YADGAR_CONFIG_DIR="$data/this-computer/config" YADGAR_CACHE_DIR="$data/this-computer/cache"
ms=() mib=()
for i in $(seq 0 "$runs"); do
  out=$(target/release/yadgar --data-dir "$data" --exit-after-first-frame 2>/dev/null)
  [ "$i" = 0 ] && continue
  ms+=("$(sed -n 's/^first frame with the deck list: \([0-9.]*\) ms.*/\1/p' <<<"$out")")
  mib+=("$(sed -n 's/^peak resident memory: \([0-9.]*\) MiB/\1/p' <<<"$out")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "runs: $runs (warm), deck: 10,000 cards + bundled decks"
echo "first frame with the deck list: median $(median "${ms[@]}") ms (all: ${ms[*]})"
echo "peak resident memory: median $(median "${mib[@]}") MiB (all: ${mib[*]})"

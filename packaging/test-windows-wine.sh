#!/usr/bin/env bash
# Smoke-tests the Windows build from packaging/windows.sh under Wine on
# Debian: --version, check, due --json, export (.apkg and .csv), import,
# import --replace, the profile lock, and the window's first frame under
# Xvfb. Needs wine (Debian: wine, wine64) and xvfb; uses a scratch
# WINEPREFIX. Usage: packaging/test-windows-wine.sh [yadgar.exe]
#
# Wine before 9.0 (Debian 12 has 8.0) lacks bcryptprimitives.dll, which
# Rust's standard library imports for ProcessPrng on Windows 10 and later.
# For the test only, a stand-in built with MinGW (ProcessPrng over
# RtlGenRandom) is put beside the .exe; the shipped zip does not carry it.
set -euo pipefail
source "$(dirname "$0")/common.sh"

exe=${1:-$TARGET_DIR/x86_64-pc-windows-gnu/release/yadgar.exe}
[ -f "$exe" ] || { echo "test-windows-wine.sh: no $exe; run packaging/windows.sh first" >&2; exit 1; }
command -v wine >/dev/null || { echo "test-windows-wine.sh: needs wine (apt-get install wine wine64)" >&2; exit 1; }
command -v Xvfb >/dev/null || { echo "test-windows-wine.sh: needs Xvfb (apt-get install xvfb)" >&2; exit 1; }
fail() { echo "test-windows-wine.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

scratch=$(mktemp -d)
xpid=
trap 'wineserver -k 2>/dev/null || true; [ -n "$xpid" ] && kill "$xpid" 2>/dev/null; rm -rf "$scratch"' EXIT
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$scratch/app"
cp "$exe" "$scratch/app/yadgar.exe"
cat >"$scratch/shim.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
C
printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\n  ProcessPrng\n' >"$scratch/shim.def"
x86_64-w64-mingw32-gcc -shared -O2 -o "$scratch/app/bcryptprimitives.dll" "$scratch/shim.c" "$scratch/shim.def" -ladvapi32

step "wine prefix ($(wine --version))"
wineboot -i >/dev/null 2>&1 || true
cd "$scratch"
y() { timeout 120 wine app/yadgar.exe "$@"; }

step "yadgar.exe --version"
[ "$(y --version | tr -d '\r')" = "yadgar $VERSION" ] || fail "--version"
step "yadgar.exe check"
y check | tr -d '\r' | tee check.txt | sed 's/^/   /'
grep -q '^ok: ' check.txt || fail "check"
step "yadgar.exe due --json"
y due --json >due.json
python3 -c "import json,sys; d=json.load(open('due.json')); assert d['decks'] and 'queue' in d; print('   decks:', len(d['decks']), 'queue:', len(d['queue']))"
step "data folders"
appdata=$(find "$WINEPREFIX/drive_c/users" -maxdepth 1 -mindepth 1 -type d ! -name Public | head -n 1)/AppData
[ -d "$appdata/Roaming/Yadgar/data/profiles/default" ] || fail "no profile in %APPDATA%\\Yadgar\\data\\profiles"
[ -s "$appdata/Local/Yadgar/config/device-id" ] || fail "no device id in %LOCALAPPDATA%\\Yadgar\\config"
echo "   profiles in %APPDATA%\\Yadgar\\data\\profiles, device id in %LOCALAPPDATA%\\Yadgar\\config"
step "yadgar.exe export (.apkg, .csv)"
y export soviet-iran-dates --to dates.apkg | tr -d '\r' | sed 's/^/   /'
python3 -m zipfile -l dates.apkg | grep -q collection.anki2 || fail "dates.apkg is not an Anki package"
y export soviet-iran-treaties --to treaties.csv | tr -d '\r' | sed 's/^/   /'
step "yadgar.exe import, then import --replace (keeps the old deck in trash/, fsynced)"
y import treaties.csv --deck "My treaties" | tr -d '\r' | sed 's/^/   /'
y import treaties.csv --deck "My treaties" --replace | tr -d '\r' | sed 's/^/   /'
y import dates.apkg --deck "My dates" | tr -d '\r' | sed 's/^/   /'

step "the window's first frame under Xvfb (Wine's OpenGL over Mesa)"
disp=:$((300 + RANDOM % 100))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
sleep 2
DISPLAY=$disp y --exit-after-first-frame | tr -d '\r' | tee frame.txt | sed 's/^/   /'
grep -q "first frame" frame.txt || fail "no first frame"
echo "test-windows-wine.sh: passed"

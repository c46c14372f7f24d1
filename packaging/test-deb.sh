#!/usr/bin/env bash
# Installs the .deb from packaging/deb.sh with dpkg, checks that it works
# (`yadgar --version`, `yadgar check`, the window's first frame under Xvfb,
# the man page, the desktop file and metainfo), removes it with dpkg -r and
# checks that none of its files is left. Needs root (or sudo) and apt for
# Xvfb and the validators. Usage: packaging/test-deb.sh [PACKAGE.deb]
set -euo pipefail
source "$(dirname "$0")/common.sh"

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
deb=${1:-$(ls -t "$DIST"/yadgar_*.deb 2>/dev/null | head -n 1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "test-deb.sh: no package; run packaging/deb.sh first" >&2; exit 1; }
fail() { echo "test-deb.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

if dpkg-query -W -f='${Status}' yadgar 2>/dev/null | grep -q "install ok installed"; then
  fail "yadgar is already installed; remove it first (dpkg -r yadgar) so the test starts clean"
fi
need=()
command -v xvfb-run >/dev/null || need+=(xvfb xauth)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
command -v appstreamcli >/dev/null || need+=(appstream)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "package $deb ($(du -h "$deb" | cut -f1))"
files=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n 's|^\./|/|p' | grep -v '/$')
echo "$files" | sed 's/^/   /'

step "dpkg -i"
if ! $SUDO dpkg -i "$deb"; then
  # A machine without the graphics libraries: let apt bring the dependencies.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -f -y -qq >/dev/null
fi
dpkg-query -W -f='${Status}\n' yadgar | grep -q "install ok installed" || fail "the package is not installed"
[ "$(command -v yadgar)" = /usr/bin/yadgar ] || fail "yadgar on the PATH is $(command -v yadgar), not /usr/bin/yadgar"

# Everything the program writes goes into a scratch home and data folder.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_CACHE_HOME="$scratch/cache" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data"
mkdir -p "$HOME"

step "yadgar --version"
version=$(yadgar --version)
echo "   $version"
[ "$version" = "yadgar $VERSION" ] || fail "expected 'yadgar $VERSION'"

step "yadgar check"
yadgar check | sed 's/^/   /'

step "yadgar due (a new profile in a scratch folder)"
yadgar --data-dir "$scratch/profiles" due | sed 's/^/   /'

step "the window's first frame under Xvfb"
out=$(xvfb-run -a -s "-screen 0 1280x800x24" yadgar --data-dir "$scratch/profiles" --exit-after-first-frame 2>&1) \
  || fail "the window did not start: $out"
echo "$out" | sed 's/^/   /'
echo "$out" | grep -q "first frame" || fail "no first frame reported"

step "man page, completions, desktop file, metainfo, icons"
gzip -t /usr/share/man/man1/yadgar.1.gz
zcat /usr/share/man/man1/yadgar.1.gz | grep -q '^\.TH yadgar 1' || fail "yadgar.1 is not a man page"
[ -s /usr/share/bash-completion/completions/yadgar ] || fail "no bash completion"
[ -s /usr/share/zsh/vendor-completions/_yadgar ] || fail "no zsh completion"
[ -s /usr/share/fish/vendor_completions.d/yadgar.fish ] || fail "no fish completion"
desktop-file-validate "/usr/share/applications/$APP_ID.desktop"
appstreamcli validate --no-net "/usr/share/metainfo/$APP_ID.metainfo.xml"
for size in 16 32 48 128 256 512; do
  [ -s "/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png" ] || fail "no ${size}px icon"
done

step "dpkg -r"
$SUDO dpkg -r yadgar
status=$(dpkg-query -W -f='${Status}' yadgar 2>/dev/null || true)
case "$status" in "" | "unknown ok not-installed" | "deinstall ok not-installed") ;; *) fail "after dpkg -r the status is '$status'" ;; esac
left=0
while read -r f; do
  if [ -e "$f" ]; then echo "   left behind: $f"; left=1; fi
done <<<"$files"
[ -e /usr/share/doc/yadgar ] && { echo "   left behind: /usr/share/doc/yadgar"; left=1; }
[ "$left" = 0 ] || fail "files were left after dpkg -r"
command -v yadgar >/dev/null && fail "yadgar is still on the PATH"
echo "test-deb.sh: passed: $deb installs, runs, opens its window and uninstalls cleanly"

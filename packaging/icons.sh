#!/usr/bin/env bash
# Renders the PNG sizes of the icon from assets/icons/yadgar.svg into the
# freedesktop hicolor layout under assets/icons/hicolor/ (committed, so
# building needs no SVG renderer). Run it after editing the SVG.
# Needs rsvg-convert (Debian: librsvg2-bin) and, for the Windows .ico,
# ImageMagick's convert. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
APP_ID=io.github.yadgar.Yadgar
svg=assets/icons/yadgar.svg
command -v rsvg-convert >/dev/null || { echo "icons.sh: needs rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 1; }
for size in 16 24 32 48 64 128 256 512; do
  dir="assets/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  rsvg-convert --width "$size" --height "$size" "$svg" --output "$dir/$APP_ID.png"
done
# The Windows icon (embedded in yadgar.exe by packaging/windows.sh).
if command -v convert >/dev/null; then
  convert "assets/icons/hicolor/"{16x16,24x24,32x32,48x48,64x64,256x256}"/apps/$APP_ID.png" assets/icons/yadgar.ico
else
  echo "icons.sh: ImageMagick's convert is missing (apt-get install imagemagick); assets/icons/yadgar.ico left as it was" >&2
fi
echo "icons.sh: wrote assets/icons/yadgar.ico and $(pwd)/assets/icons/hicolor/{16..512}/apps/$APP_ID.png"

#!/usr/bin/env bash
# Cross-builds yadgar.exe for 64-bit Windows on Debian (target
# x86_64-pc-windows-gnu, linked by MinGW-w64), with the icon and version
# resources linked in, and zips it with a README. Needs
# `rustup target add x86_64-pc-windows-gnu` and Debian's gcc-mingw-w64-x86-64
# (the script adds the target if rustup can). Idempotent.
set -euo pipefail
source "$(dirname "$0")/common.sh"

TARGET=x86_64-pc-windows-gnu
NAME="yadgar-$VERSION-x86_64-windows"

if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  rustup target add "$TARGET"
fi
for tool in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-windres; do
  command -v "$tool" >/dev/null || {
    echo "windows.sh: $tool is missing (apt-get install gcc-mingw-w64-x86-64)" >&2
    exit 1
  }
done

# The icon and version resources, compiled to an object file and linked into
# the .exe; only this target's build sees the flag, so other builds stay as
# they are.
res_dir="$TARGET_DIR/$TARGET/resources"
mkdir -p "$res_dir"
IFS=. read -r major minor patch <<<"${VERSION%%-*}"
x86_64-w64-mingw32-windres --input packaging/windows/yadgar.rc --output "$res_dir/yadgar-res.o" \
  --output-format=coff -DYADGAR_VERSION="\\\"$VERSION\\\"" -DYADGAR_VERSION_COMMAS="$major,$minor,$patch,0"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-C link-arg=$res_dir/yadgar-res.o"

cargo build --release --locked --target "$TARGET"
exe="$TARGET_DIR/$TARGET/release/yadgar.exe"

stage="$DIST/$NAME"
rm -rf "$stage"
mkdir -p "$stage"
cp "$exe" "$stage/yadgar.exe"
cp assets/DejaVuSans-LICENSE.txt "$stage/"
sed -e "s/@VERSION@/$VERSION/g" packaging/windows/README.txt | sed 's/$/\r/' >"$stage/README.txt"
archive="$DIST/$NAME.zip"
rm -f "$archive"
(cd "$DIST" && python3 -m zipfile -c "$NAME.zip" "$NAME")
rm -rf "$stage"
echo "windows.sh: wrote $archive ($(du -h "$archive" | cut -f1)); the program alone is $exe"

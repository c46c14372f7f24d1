#!/usr/bin/env bash
# Builds a plain .tar.gz for Linux distributions without a package: the
# release binary under bin/, the desktop file, icons, metainfo, man pages and
# completions under share/ (so it unpacks into ~/.local or /usr/local), and a
# README. Idempotent: the archive is rebuilt with fixed owners, order and
# times, so the same binary gives the same archive.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ARCH=$(uname -m)
NAME="yadgar-$VERSION-$ARCH-linux"

cargo build --release --locked
generate_packaging_files "$TARGET_DIR/release/yadgar"

stage="$DIST/$NAME"
rm -rf "$stage"
mkdir -p "$stage"/bin "$stage"/share/{applications,metainfo,man/man1,doc/yadgar} \
  "$stage"/share/bash-completion/completions "$stage"/share/zsh/site-functions \
  "$stage"/share/fish/vendor_completions.d "$stage"/share/icons/hicolor/scalable/apps
install -m 755 "$TARGET_DIR/release/yadgar" "$stage/bin/"
install -m 644 "packaging/linux/$APP_ID.desktop" "$stage/share/applications/"
install -m 644 "packaging/linux/$APP_ID.metainfo.xml" "$stage/share/metainfo/"
install -m 644 assets/icons/yadgar.svg "$stage/share/icons/hicolor/scalable/apps/$APP_ID.svg"
for png in assets/icons/hicolor/*/apps/"$APP_ID.png"; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  install -D -m 644 "$png" "$stage/share/icons/hicolor/$size/apps/$APP_ID.png"
done
for page in packaging/generated/man/*.1; do
  gzip -9 -n -c "$page" >"$stage/share/man/man1/$(basename "$page").gz"
done
install -m 644 packaging/generated/completions/yadgar.bash "$stage/share/bash-completion/completions/yadgar"
install -m 644 packaging/generated/completions/_yadgar "$stage/share/zsh/site-functions/"
install -m 644 packaging/generated/completions/yadgar.fish "$stage/share/fish/vendor_completions.d/"
install -m 644 assets/DejaVuSans-LICENSE.txt "$stage/share/doc/yadgar/"
sed -e "s/@VERSION@/$VERSION/g" -e "s/@ARCH@/$ARCH/g" packaging/linux/README.txt >"$stage/README.txt"

# Fixed metadata makes the archive reproducible (the commit's time).
mtime=$(git log -1 --format=%ct 2>/dev/null || echo 0)
archive="$DIST/$NAME.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
  -C "$DIST" -cf - "$NAME" | gzip -9 -n >"$archive"
rm -rf "$stage"
echo "tarball.sh: wrote $archive ($(du -h "$archive" | cut -f1))"

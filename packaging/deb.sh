#!/usr/bin/env bash
# Builds the Debian package (amd64 on this machine) with cargo-deb: the
# release binary, the desktop file, icons, AppStream metainfo, man pages and
# shell completions (metadata: [package.metadata.deb] in Cargo.toml).
# Installs cargo-deb from crates.io if it is missing. Idempotent: the package
# is rebuilt in place. Test it with packaging/test-deb.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"

if ! cargo deb --version >/dev/null 2>&1; then
  echo "deb.sh: installing cargo-deb from crates.io"
  cargo install cargo-deb --locked
fi
if ! command -v dpkg-shlibdeps >/dev/null; then
  echo "deb.sh: dpkg-shlibdeps is missing (apt-get install dpkg-dev); it works out the package's library dependencies" >&2
  exit 1
fi

cargo build --release --locked
generate_packaging_files "$TARGET_DIR/release/yadgar"
mkdir -p "$DIST"
deb=$(cargo deb --no-build --locked --output "$DIST/" | tail -n 1)
echo "deb.sh: wrote $deb ($(du -h "$deb" | cut -f1))"

# Shared by the packaging scripts (sourced, not run): the repository root,
# Cargo's target folder (CARGO_TARGET_DIR is honoured), the version, and the
# man pages and completions generated from the release binary.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
APP_ID=io.github.yadgar.Yadgar
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
DIST="$TARGET_DIR/dist"
export ROOT APP_ID VERSION TARGET_DIR DIST

# Writes the man pages and bash/zsh/fish completions into
# packaging/generated/ from the binary's own argument definitions.
generate_packaging_files() {
  local binary=$1
  rm -rf "$ROOT/packaging/generated"
  "$binary" packaging-files --out "$ROOT/packaging/generated" >/dev/null
}

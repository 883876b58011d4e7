#!/usr/bin/env bash
# Builds the browser booth into OUT_DIR (docs/booth.md): the WebAssembly module from this
# crate (release, wasm32-unknown-unknown), its JS glue from wasm-bindgen-cli (the exact
# version of the wasm-bindgen crate in Cargo.lock), and the static page. Uses $CARGO and
# $CARGO_TARGET_DIR when set.
set -euo pipefail
out=${1:?usage: voter-app/web/build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cargo=${CARGO:-cargo}
target_dir=${CARGO_TARGET_DIR:-$root/target}
want=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;q}' "$root/Cargo.lock")
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "build.sh: wasm-bindgen-cli $want is needed (found: ${have:-none}): cargo install wasm-bindgen-cli --version =$want" >&2
  exit 2
fi
(cd "$root" && "$cargo" build --quiet --release --locked --target wasm32-unknown-unknown -p voter-web)
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  "$target_dir/wasm32-unknown-unknown/release/ivote_voter_web.wasm"
cp "$here/static/index.html" "$here/static/booth.js" "$here/static/booth.css" "$out/"

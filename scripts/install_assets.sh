#!/usr/bin/env bash
# Offline map assets: the JavaScript/CSS that Folium would otherwise load from CDNs, copied from
# pinned npm packages into static/vendor/<package>/<version>/ (served by Streamlit static file
# serving at app/static/...; see geo/offline_assets.py, which points Folium at these copies).
#
# Every tarball is checked against the npm integrity hash pinned below before anything is copied.
# Re-running is cheap: packages already installed at the pinned version are skipped.
#
# Air-gapped set-up: put the .tgz files (from `npm pack <pkg>@<version>` on a connected machine)
# in a directory and run   GEO_ASSETS_TARBALLS=/that/dir bash scripts/install_assets.sh
# Nothing here is committed: static/* is gitignored.
set -euo pipefail
cd "$(dirname "$0")/.."

DEST="static/vendor"

# package  version  npm integrity (sha512, as in package-lock.json)  files to copy (from package/)
PACKAGES=(
  "leaflet|1.9.3|sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==|dist/leaflet.js dist/leaflet.js.map dist/leaflet.css dist/images LICENSE"
  "leaflet.markercluster|1.1.0|sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ==|dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css MIT-LICENCE.txt"
  "supercluster|8.0.1|sha512-IiOea5kJ9iqzD2t7QJq/cREyLHTtSmUT6gQsweojg9WH2sYJqZK9SswTu6jrscO6D1G5v5vYZ9ru/eq85lXeZQ==|dist/supercluster.min.js LICENSE"
  "maplibre-gl|5.24.1|sha512-HyiYBwtsbk3L1n1EPLJHWqdoyMiF80n7tEYXFZyu2m1TjvaNx6KMLiFeDdmszt1/mq2zvsR1TJuX/NMu5BonXQ==|dist/maplibre-gl.js dist/maplibre-gl.css dist/LICENSE.txt"
  "@maplibre/maplibre-gl-leaflet|0.1.4|sha512-k57wcndZIvq3m08g2je4pjUPGr43ffNW3j+gXbymt8Vi2l1lUERUi1UmdTZcTPN8LuDDYOMWRNBaSLwpAu02ew==|leaflet-maplibre-gl.js LICENSE"
)

mkdir -p "$DEST"
[ -e static/.gitkeep ] || touch static/.gitkeep

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

integrity_of() {  # npm-style "sha512-<base64>" of a file
  if command -v openssl >/dev/null 2>&1; then
    printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 | tr -d '\n')"
  else
    python3 -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode(), end="")' "$1"
  fi
}

installed=0
for spec in "${PACKAGES[@]}"; do
  IFS='|' read -r name version integrity files <<<"$spec"
  target="$DEST/$name/$version"
  stamp="$target/.integrity"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$integrity" ]; then
    continue
  fi
  # npm pack's file name: a scoped "@scope/name" packs to "scope-name-<version>.tgz"
  tgz="$(printf '%s' "${name#@}" | tr / -)-$version.tgz"
  tarball="$tmp/$tgz"
  if [ -n "${GEO_ASSETS_TARBALLS:-}" ] && [ -f "$GEO_ASSETS_TARBALLS/$tgz" ]; then
    cp "$GEO_ASSETS_TARBALLS/$tgz" "$tarball"
  else
    if ! command -v npm >/dev/null 2>&1; then
      echo "install_assets: npm is needed to fetch $name@$version (or set GEO_ASSETS_TARBALLS)" >&2
      exit 1
    fi
    (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
    [ -f "$tarball" ] || tarball="$(ls "$tmp"/*"$version".tgz | head -n1)"
  fi
  actual="$(integrity_of "$tarball")"
  if [ "$actual" != "$integrity" ]; then
    echo "install_assets: integrity mismatch for $name@$version" >&2
    echo "  expected $integrity" >&2
    echo "  got      $actual" >&2
    exit 1
  fi
  unpack="$tmp/unpack-$name"
  mkdir -p "$unpack"
  tar -xzf "$tarball" -C "$unpack"
  rm -rf "$target"
  mkdir -p "$target"
  for f in $files; do
    src="$unpack/package/$f"
    if [ -d "$src" ]; then
      cp -R "$src" "$target/"
    elif [ -f "$src" ]; then
      cp "$src" "$target/"
    else
      echo "install_assets: $name@$version has no $f" >&2
      exit 1
    fi
  done
  printf '%s' "$integrity" >"$stamp"
  installed=$((installed + 1))
  echo "install_assets: $name@$version -> $target"
done
echo "install_assets: $installed installed, $(( ${#PACKAGES[@]} - installed )) already present in $DEST"

#!/usr/bin/env bash
# Regenerates the PWA icons in public/icons/ from public/favicon.svg with headless
# Chromium (which has the system CJK fonts the SVG's 先 needs). Run from anywhere:
#   tools/icons.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/public/icons
svg=$root/public/favicon.svg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# render NAME SIZE BACKGROUND SCALE: the SVG at SCALE of the square, centred on
# BACKGROUND ("transparent" keeps the circle's corners see-through).
render() {
  local name=$1 size=$2 bg=$3 scale=$4
  cat > "$tmp/$name.html" <<HTML
<!doctype html><html><head><style>
html,body{margin:0;width:${size}px;height:${size}px;overflow:hidden;background:${bg}}
body{display:flex;align-items:center;justify-content:center}
img{width:calc(${size}px * ${scale});height:calc(${size}px * ${scale});display:block}
</style></head><body><img src="file://$svg"></body></html>
HTML
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --force-device-scale-factor=1 --default-background-color=00000000 \
    --allow-file-access-from-files --virtual-time-budget=2000 \
    --window-size="$size,$size" --screenshot="$out/$name.png" \
    "file://$tmp/$name.html" >/dev/null 2>&1
  # Lossless recompression when a PNG optimiser is installed.
  if command -v oxipng >/dev/null; then oxipng -q -o 4 --strip safe "$out/$name.png"
  elif command -v optipng >/dev/null; then optipng -quiet -o5 "$out/$name.png"; fi
  echo "$out/$name.png: $(stat -c %s "$out/$name.png") bytes"
}

render icon-192 192 transparent 1
render icon-512 512 transparent 1
# Maskable: full-bleed brand red; the SVG at 80% keeps 先 well inside the
# central 80% safe zone whatever mask the launcher applies.
render maskable-512 512 '#b71c1c' 0.8

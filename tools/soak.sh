#!/usr/bin/env bash
# The 10-minute run: the server binary on a fresh SurrealKV database under the load
# generator (bench `load`, open loop), its resident memory sampled every minute; prints
# the memory at minutes 5 and 10 and their difference. Settings: SOAK_SECONDS (600),
# LOAD_TABLETS (100), LOAD_PERIOD_MS (200). Run from the repository root after `make test`
# (it uses the server binary that builds).
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
seconds="${SOAK_SECONDS:-600}"
port=3190
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
XIANFENG_DEMO=1 XIANFENG_DB="surrealkv://$dir/soak.db" XIANFENG_ADDR="127.0.0.1:$port" XIANFENG_SITE=target/site RUST_LOG=warn \
  "$CARGO_TARGET_DIR/debug/xianfeng" > "$dir/server.log" 2>&1 &
server=$!
# Ready once the port accepts a connection (bash opens it itself; no curl needed).
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.1; done
cargo bench --profile dev -p server --bench load --no-run 2> /dev/null
LOAD_URL="http://127.0.0.1:$port" LOAD_SECONDS="$seconds" LOAD_TABLETS="${LOAD_TABLETS:-100}" \
  cargo bench --profile dev -p server --bench load 2> /dev/null > "$dir/load.log" &
load=$!
started=$(date +%s)
minute=0
while kill -0 $load 2> /dev/null; do
  sleep 5
  elapsed=$(( $(date +%s) - started ))
  if (( elapsed >= (minute + 1) * 60 )); then
    minute=$(( minute + 1 ))
    rss=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
    echo "minute $minute: server resident memory ${rss} kB"
    eval "rss_$minute=$rss"
  fi
done
cat "$dir/load.log"
if [[ -n "${rss_5:-}" && -n "${rss_10:-}" ]]; then
  awk -v a="$rss_5" -v b="$rss_10" 'BEGIN { printf "memory at minute 5: %d kB, at minute 10: %d kB (%+.1f%%)\n", a, b, (b - a) * 100 / a }'
fi

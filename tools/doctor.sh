#!/usr/bin/env bash
# `make doctor`: what this machine needs before `make run` and `make test`, each named
# with how to get it. It changes nothing. `doctor.sh build` checks what building needs
# (`make run` and `make test` run it first), `doctor.sh browser` what the browser tests
# need; without an argument, everything.
set -u
part=${1:-all}

missing=0
need() { # need <what> <how to get it>
    printf '  missing: %s\n      get it: %s\n' "$1" "$2"
    missing=$((missing + 1))
}
version_at_least() { # version_at_least <have> <want>: dotted numbers
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

if [ "$part" != browser ]; then
if command -v rustc >/dev/null && command -v cargo >/dev/null; then
    have=$(rustc --version | awk '{print $2}')
    version_at_least "$have" 1.95.0 || need "Rust 1.95 or later (have $have)" "rustup update stable"
else
    need "Rust (rustc and cargo)" "apt-get install rustup && rustup default stable   (make adds the wasm target)"
fi
command -v rustup >/dev/null || need "rustup (adds the wasm32-unknown-unknown target)" "apt-get install rustup"

if command -v node >/dev/null && command -v npm >/dev/null; then
    have=$(node --version | tr -d v)
    version_at_least "$have" 20.0.0 || need "Node.js 20 or later (have $have)" "apt-get install nodejs (Debian 13 has 20)"
else
    need "Node.js 20 or later with npm (wasm-opt, Playwright)" "apt-get install nodejs npm"
fi

for tool in make gzip stat awk sed grep; do
    command -v "$tool" >/dev/null || need "$tool" "apt-get install make gzip coreutils gawk sed grep"
done
stat -c %s /dev/null >/dev/null 2>&1 || need "GNU coreutils (stat -c)" "apt-get install coreutils"
fi

# Chromium and the CJK fonts come from Debian's packages in `make test`.
if [ "$part" != build ] && ! command -v chromium >/dev/null; then
    if ! command -v apt-get >/dev/null; then
        need "Debian or Ubuntu's apt-get (installs chromium and fonts-noto-cjk for the browser tests)" "install chromium and fonts-noto-cjk yourself"
    elif [ "$(id -u)" != 0 ]; then
        need "root, to apt-get install chromium and fonts-noto-cjk" "run as root, or: sudo apt-get install chromium fonts-noto-cjk"
    fi
fi

if [ "$missing" -gt 0 ]; then
    printf 'make doctor: %d thing(s) missing (above).\n' "$missing"
    exit 1
fi
[ "$part" = all ] && echo "make doctor: everything make run and make test need is here."
exit 0

# Xianfeng's two commands: `make run` and `make test`. Each installs what is missing
# (and skips what is there), builds, and runs. Nothing is downloaded but packages from
# the registries (crates.io, npm, Debian).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Must equal the wasm-bindgen version in Cargo.lock (pinned with `=` in app/Cargo.toml).
WASM_BINDGEN_VERSION := 0.2.130
BINARYEN_VERSION := 132
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
SITE := $(CURDIR)/target/site
PKG := $(SITE)/pkg
WASM := $(CARGO_TARGET_DIR)/wasm32-unknown-unknown/wasm-release/app.wasm
SERVER := $(CARGO_TARGET_DIR)/debug/xianfeng
E2E_PORT ?= 3100

.PHONY: run test size site server tools browser-tools unit e2e bench bench-gantt clean surreal-dev broken doctor lint

## make bench: the write path's throughput on embedded SurrealKV (synced commits), and
## the board with 1,000 projects, server-rendered over HTTP (dev profile, as `make run`
## serves it).
bench: site
	cargo bench --profile dev -p server --bench sync
	cargo bench --profile dev -p server --bench board --no-run
	@set -m; log=$$(mktemp); \
	XIANFENG_SITE=$(SITE) BOARD_BENCH_SERVE=1 cargo bench --profile dev -p server --bench board > $$log 2>/dev/null & pid=$$!; \
	for i in $$(seq 600); do grep -q '^serving' $$log && break; sleep 0.5; done; \
	grep -v '^serving' $$log; \
	(cd end2end && node bench/board.mjs $$(sed -n 's/^serving //p' $$log)); status=$$?; \
	kill -- -$$pid 2>/dev/null; kill $$pid 2>/dev/null; exit $$status

## make bench-gantt: the Gantt chart against frappe-gantt and dhtmlx-gantt in Chromium
## (2,000 and 10,000 tasks: draw, scroll and drag frame times), and scheduling in wasm.
bench-gantt: tools browser-tools site server
	@set -m; port=3199; log=$$(mktemp); \
	XIANFENG_DEMO=1 XIANFENG_DB=mem:// XIANFENG_ADDR=127.0.0.1:$$port XIANFENG_SITE=$(SITE) $(SERVER) > $$log 2>&1 & pid=$$!; \
	for i in $$(seq 600); do grep -q 'listening on' $$log && break; sleep 0.5; done; \
	(cd end2end && node bench/gantt.mjs http://127.0.0.1:$$port); status=$$?; \
	kill $$pid 2>/dev/null; exit $$status

## make run: build everything and serve the app with demo data on http://127.0.0.1:3000
run: tools site server
	XIANFENG_DEMO=1 XIANFENG_SITE=$(SITE) $(SERVER)

## make test: unit and integration tests (cargo), then end-to-end tests in Chromium.
## The server binary the browser tests use is the one `cargo test` builds for the
## integration tests: building it again with `cargo build` would recompile SurrealDB,
## whose features differ without the test-only dependencies.
test: tools browser-tools lint unit site e2e broken

## The code as written: formatted (`rustfmt.toml`), and clippy with warnings as errors for
## the server (ssr) and for the browser (hydrate, wasm). Nothing outside tests may
## `unwrap` or `expect` (`[workspace.lints]`).
lint:
	cargo fmt --all --check
	cargo clippy -p server --lib --bins -- -D warnings
	cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

## The SurrealDB server the several-instances tests start (its own workspace; built once).
surreal-dev:
	cargo build --manifest-path tools/surreal-dev/Cargo.toml

unit: surreal-dev
	cargo test --workspace

## The checker against the two deliberately broken write paths: it must catch both.
## Built into their own target directory, so the deliberately broken server never
## replaces the one the browser tests use.
broken:
	CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/broken cargo test -p server --features broken-skip-dedupe --test checker
	CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/broken cargo test -p server --features broken-answer-early --test checker

e2e:
	cd end2end && E2E_PORT=$(E2E_PORT) XIANFENG_SERVER=$(SERVER) XIANFENG_SITE=$(SITE) npx playwright test

## make size: the gzipped size of what a browser downloads.
size: site
	@printf 'wasm  %7d bytes raw, %7d gzipped\n' $$(stat -c %s $(PKG)/xianfeng_bg.wasm) $$(gzip -9 -c $(PKG)/xianfeng_bg.wasm | wc -c)
	@printf 'js    %7d bytes raw, %7d gzipped\n' $$(stat -c %s $(PKG)/xianfeng.js) $$(gzip -9 -c $(PKG)/xianfeng.js | wc -c)
	@printf 'css   %7d bytes raw, %7d gzipped\n' $$(stat -c %s $(PKG)/xianfeng.css) $$(gzip -9 -c $(PKG)/xianfeng.css | wc -c)

server:
	cargo build -p server --bin xianfeng

# The hydrate wasm: smallest profile, wasm-bindgen, wasm-opt -Oz, then gzip copies
# that the server sends to browsers that accept them.
site:
	cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
	mkdir -p $(PKG)
	wasm-bindgen --target web --no-typescript --out-dir $(PKG) --out-name xianfeng $(WASM)
	wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
		$(PKG)/xianfeng_bg.wasm -o $(PKG)/xianfeng_bg.wasm
	cp style/main.css $(PKG)/xianfeng.css
	cp -r public/. $(SITE)/
	@# The build id: pages ask for /pkg/…?v=<id>, and the service worker caches by it.
	build=$$(cat $(PKG)/xianfeng_bg.wasm $(PKG)/xianfeng.js $(PKG)/xianfeng.css public/sw.js public/pwa.js | sha256sum | cut -c1-12); \
		echo $$build > $(PKG)/build.txt; sed -i "s/__BUILD__/$$build/g" $(SITE)/sw.js
	gzip -9 -k -f $(PKG)/xianfeng_bg.wasm $(PKG)/xianfeng.js $(PKG)/xianfeng.css
	@$(MAKE) --no-print-directory size-print

size-print:
	@printf 'size: wasm %d bytes gzipped, css %d bytes gzipped\n' $$(stat -c %s $(PKG)/xianfeng_bg.wasm.gz) $$(stat -c %s $(PKG)/xianfeng.css.gz)

## make doctor: what this machine lacks for the two commands, and how to get it.
doctor:
	@tools/doctor.sh

## Toolchain for the build, each step skipped when already present.
tools:
	@tools/doctor.sh build
	@for c in clippy rustfmt; do rustup component list --installed | grep -q "^$$c" || \
		for i in 1 2 3; do rustup component add $$c && break || sleep 5; done; done
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || \
		for i in 1 2 3; do rustup target add wasm32-unknown-unknown && break || sleep 5; done
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi
	@command -v wasm-opt >/dev/null && wasm-opt --version | grep -q "version $(BINARYEN_VERSION)" || \
		npm install -g --no-fund --no-audit binaryen@$(BINARYEN_VERSION)

## Browser, CJK fonts and Playwright for end-to-end tests (Debian's Chromium; Playwright
## never downloads a browser of its own).
browser-tools:
	@tools/doctor.sh browser
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; fi
	@# Installed again when the lock file changed (a new dev dependency).
	@cd end2end && if [ ! -d node_modules/@playwright/test ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-fund --no-audit; fi

clean:
	rm -rf $(SITE) data

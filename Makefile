# Gloss: `make run` starts the app, `make test` runs every check. Both install what a fresh
# Debian or Ubuntu machine is missing first.

SHELL := /bin/bash
.DEFAULT_GOAL := run

# Fyne complains under the C locale.
ifeq ($(filter %UTF-8 %utf8,$(LANG)),)
export LANG := C.UTF-8
endif
# sqlite_fts5 turns on full-text search in go-sqlite3; x11 builds GLFW for X11 only, which
# needs no Wayland headers (XWayland runs it on Wayland desktops).
export GOFLAGS := -tags=sqlite_fts5,x11 -buildvcs=false
export CGO_ENABLED := 1

BIN := bin/gloss
BUILD_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev
TEST_PACKAGES := $(BUILD_PACKAGES) poppler-utils qpdf xvfb xauth
SHARED := $(abspath ../shared)

.PHONY: run build test deps test-deps vet eval bench fuzz stress clean package screenshots

run: deps build
	./$(BIN) $(ARGS)

build:
	go build -o $(BIN) ./cmd/gloss

test: test-deps
	go vet ./...
	go test -race ./...
	go test -count=1 -run 'TestKillDuringMigration' ./archive

deps:
	@scripts/install-deps $(BUILD_PACKAGES)

test-deps:
	@scripts/install-deps $(TEST_PACKAGES)

# Scores extraction and comment stripping on the dev corpora in ../shared.
eval: build
	@scripts/eval $(SHARED) ./$(BIN)

# Benchmarks against a generated library of N articles (make bench N=100000). The library
# is generated once and cached in $TMPDIR/gloss-bench (annotate/libgen); the benchmarks that
# need it skip unless GLOSS_BENCH_N is set, so make test never builds one. The figures go
# to bin/bench-N.txt (for benchstat); scripts/bench-startup then times the app's cold start
# on the same library under Xvfb. Targets and results: BENCHMARKS.md.
N ?= 10000
bench: deps
	go run ./annotate/libgen/cmd/glosslib -n $(N) >/dev/null
	@mkdir -p bin
	set -o pipefail; GLOSS_BENCH_N=$(N) go test -run '^$$' -bench . -benchmem -count 5 -timeout 3h ./... \
		| tee bin/bench-$(N).txt
	scripts/bench-startup $(N)

fuzz: deps
	@scripts/fuzz 10m

# The durability tests at full length (GLOSS_STRESS=1): 1,000 crashes, 2,000 damaged
# files, disk-full and migration kills, two processes writing for two minutes. `make test`
# runs short versions of the same tests.
stress: deps
	GLOSS_STRESS=1 go test -count=1 -timeout 3h -v \
		-run 'TestCrash$$|TestKillDuringMigration|TestOpenRefusesDamage|TestDiskFull|TestBackupKilled|TestTwoProcesses|TestHostileServers' ./archive/

clean:
	rm -rf bin dist

# A Linux package, dist/Gloss.tar.xz: the binary, the icon and a .desktop file, made by the
# Fyne CLI pinned in go.mod (go tool fyne). The CLI builds from cmd/gloss with FyneApp.toml
# beside it, which compiles the metadata in (fyneDo = true turns Fyne's thread checker off
# in this build only); that copy of the file goes afterwards, since the CLI bumps its build
# number. Unpack it and run `make install` inside (or `sudo make install`) to install.
PACKAGE_TAGS := sqlite_fts5,x11

package: deps
	@mkdir -p dist
	@set -euo pipefail; \
	trap 'rm -f cmd/gloss/FyneApp.toml cmd/gloss/gloss' EXIT; \
	sed 's#^Icon = .*#Icon = "../../assets/icon.png"#' FyneApp.toml > cmd/gloss/FyneApp.toml; \
	go tool fyne package -os linux --release --tags $(PACKAGE_TAGS) --src cmd/gloss \
		--icon $(CURDIR)/assets/icon.png --name Gloss --app-id app.gloss.Gloss; \
	mv Gloss.tar.xz dist/Gloss.tar.xz; \
	echo "dist/Gloss.tar.xz"; tar -tJf dist/Gloss.tar.xz | grep -E '\.desktop$$|bin/'

# The pictures in docs/: Gloss under Xvfb on a sample library (a page served from this
# machine, with highlights, notes, tags and claims, and pages from ../shared when it is
# there: pages in Latin script, which the bundled font covers), each state captured by
# `gloss screenshot`.
SCREENSHOT_PACKAGES := $(BUILD_PACKAGES) xvfb xauth python3
SCREENSHOT_STATES := main annotations claim strip dark selection

screenshots: deps build
	@scripts/install-deps $(SCREENSHOT_PACKAGES)
	@mkdir -p docs
	@set -euo pipefail; \
	tmp=$$(mktemp -d); srv=; \
	trap 'test -n "$$srv" && kill $$srv; rm -rf "$$tmp"' EXIT; \
	cp app/testdata/street-trees.html "$$tmp/"; \
	port=$$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	python3 -m http.server --bind 127.0.0.1 --directory "$$tmp" $$port >/dev/null 2>&1 & srv=$$!; \
	g="./$(BIN) --db $$tmp/library.db"; \
	if [ -d "$(SHARED)/corpus/extraction-dev" ]; then \
		c="$(SHARED)/corpus/extraction-dev"; \
		python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); latin=lambda s: sum(ch < "\u0250" for ch in s) > 0.95*len(s); [print(i, t[i]["url"]) for i in [i for i in [l.strip() for l in open(sys.argv[2])][:12] if latin(t[i].get("articleBody") or "x")][:8]]' \
			"$$c/ground-truth.json" "$$c/ids.txt" | while read -r id url; do \
			gunzip -c "$$c/html/$$id.html.gz" > "$$tmp/$$id.html"; \
			$$g import --url "$$url" "$$tmp/$$id.html" >/dev/null 2>&1 || true; \
		done; \
	fi; \
	for i in $$(seq 50); do python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' $$port 2>/dev/null && break; sleep 0.1; done; \
	id=$$($$g save "http://127.0.0.1:$$port/street-trees.html" | cut -f1); \
	$$g tag $$id cities heat >/dev/null; \
	$$g highlight $$id --quote "a mature tree cools the street around it by up to eight degrees" --color pink \
		--note "Surface and air temperature mixed up: see Okafor below." --tag heat --tag "climate plan" \
		--claimant "City climate plan" --claim-kind statistic --evidence none --claim-status misleading \
		--verdict "True of pavement surfaces, not of the air at head height." >/dev/null; \
	$$g highlight $$id --quote "Every tree we plant saves a household two hundred euros a year in energy bills." --color orange \
		--claimant "Tomas Reyes, deputy mayor" --claim-kind statistic --evidence asserted --claim-status disputed \
		--verdict "A 2019 study of 1,200 homes found 30 to 90 euros, and only for south-shaded homes." \
		--link https://example.org/energy-study --tag energy >/dev/null; \
	$$g highlight $$id --quote "Air temperature, the heat people breathe, rarely moves by more than two or three degrees over a single street." \
		--color green --note "Okafor's measurements; ask for the dataset." --tag heat >/dev/null; \
	$$g highlight $$id --quote "canopy cover" --color purple --note "The share of a district seen from above as leaves." >/dev/null; \
	$$g highlight $$id --quote "The gains are largest where canopy is continuous." --color yellow >/dev/null; \
	for s in $(SCREENSHOT_STATES); do \
		xvfb-run -a -s '-screen 0 1400x900x24' $$g screenshot --state $$s --out docs/$$s.png 2>"$$tmp/err" \
			|| { grep -v -e dbus-launch -e 'theme settings' -e app_xdg "$$tmp/err" >&2; exit 1; }; \
		echo "docs/$$s.png"; \
	done

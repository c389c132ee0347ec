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
# go.mod's toolchain line names the Go release with the standard library's latest security
# fixes; auto lets the go command fetch it from the module proxy where the machine's Go is
# older, or is told to stay local.
export GOTOOLCHAIN := auto
export CGO_ENABLED := 1

BIN := bin/gloss
BUILD_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev
TEST_PACKAGES := $(BUILD_PACKAGES) poppler-utils qpdf xvfb xauth python3
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
	scripts/fuzz 300x
	scripts/gui-race $(SHARED)
	scripts/vulncheck

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
	scripts/screenshots ./$(BIN) docs $(SHARED) $(SCREENSHOT_STATES)

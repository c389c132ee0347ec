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

.PHONY: run build test deps test-deps vet eval bench fuzz clean

run: deps build
	./$(BIN) $(ARGS)

build:
	go build -o $(BIN) ./cmd/gloss

test: test-deps
	go vet ./...
	go test -race ./...

deps:
	@scripts/install-deps $(BUILD_PACKAGES)

test-deps:
	@scripts/install-deps $(TEST_PACKAGES)

# Scores extraction and comment stripping on the dev corpora in ../shared.
eval: build
	@scripts/eval $(SHARED) ./$(BIN)

bench: deps
	go test -run '^$$' -bench . -benchmem -count 5 ./...

fuzz: deps
	@scripts/fuzz 10m

clean:
	rm -rf bin

# Chuangkou build. `make` builds the release binary build/chuangkou and the web
# pages; `make run` installs what is missing and serves; `make test` runs every suite.
SHELL := /bin/bash
.DEFAULT_GOAL := all

PKGS := libmicrohttpd jansson sqlite3 libpq libsodium inih xlsxwriter cairo pangocairo libcurl libqrencode
CC ?= cc
WARN := -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Werror
DEFS := -D_GNU_SOURCE -Isrc -Ibuild/gen
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

RELEASE_CFLAGS := -O2 -g $(WARN) $(DEFS)
DEBUG_CFLAGS := -O1 -g $(SAN) $(WARN) $(DEFS)

SRCS := $(sort $(wildcard src/base/*.c src/store/*.c src/http/*.c src/domain/*.c src/api/*.c \
	src/report/*.c src/sim/*.c))
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
CALENDARS := $(sort $(wildcard share/calendar/*.json))
GEN := build/gen/embedded.c
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

REL_OBJS := $(patsubst %.c,build/rel/%.o,$(SRCS)) build/rel/gen/embedded.o
DBG_OBJS := $(patsubst %.c,build/dbg/%.o,$(SRCS)) build/dbg/gen/embedded.o

.PHONY: all web run test test-unit test-api test-e2e test-fuzz bench deps debug \
	format format-check lint clean distclean

all: build/chuangkou web

deps:
	@bash scripts/deps.sh run

build/gen/embedded.c: scripts/embed.sh Makefile $(MIGRATIONS) $(CALENDARS)
	@mkdir -p $(dir $@)
	bash scripts/embed.sh $(MIGRATIONS) $(CALENDARS) > $@.tmp && mv $@.tmp $@

build/gen/version.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define CK_VERSION "$(VERSION)"' > $@.tmp; cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
FORCE:

build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/dbg/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DEBUG_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/rel/%.o: %.c build/gen/version.h
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/dbg/%.o: %.c build/gen/version.h
	@mkdir -p $(dir $@)
	$(CC) $(DEBUG_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/chuangkou: $(REL_OBJS) build/rel/src/main.o
	$(CC) $(RELEASE_CFLAGS) -o $@ $^ $(PKG_LIBS)

# Debug build: AddressSanitizer and UndefinedBehaviorSanitizer.
build/debug/chuangkou: $(DBG_OBJS) build/dbg/src/main.o
	@mkdir -p $(dir $@)
	$(CC) $(DEBUG_CFLAGS) -o $@ $^ $(PKG_LIBS)
debug: build/debug/chuangkou

# ---- web pages (Vite + Vue 3 + Element Plus) ----
WEB_SRCS := $(shell find web/src web/index.html web/package.json web/vite.config.* -type f 2>/dev/null)
web: web/dist/index.html
web/dist/index.html: $(WEB_SRCS) web/node_modules/.installed
	cd web && npx vite build --logLevel warn
web/node_modules/.installed: web/package.json $(wildcard web/package-lock.json)
	cd web && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund)
	@touch $@

# ---- run ----
run: deps all
	@bash scripts/run.sh

# ---- tests ----
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRCS))

build/tests/%: tests/unit/%.c $(DBG_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(DEBUG_CFLAGS) $(PKG_CFLAGS) -Itests/unit -MMD -MP -MF $@.d -o $@ $< $(DBG_OBJS) \
		$(PKG_LIBS) -lcriterion

test:
	@bash scripts/test.sh

test-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t --jobs 2; done

test-api: build/debug/chuangkou
	@bash tests/api/run.sh build/debug/chuangkou

test-e2e: build/chuangkou web
	@bash tests/e2e/run.sh

test-fuzz:
	@bash tests/fuzz/run.sh

# in-process microbenchmarks, linked against the release objects
build/bench/due_bench build/bench/case_scan build/bench/eval_rank \
	build/bench/eval_tokens build/bench/score_data build/bench/score_event: build/bench/%: bench/%.c bench/drv.h $(REL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(REL_OBJS) $(PKG_LIBS)

# load drivers for the queue cases: plain sockets and epoll, no libraries; what they
# share is in bench/drv.h
build/bench/%: bench/%.c bench/drv.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -g $(WARN) -D_GNU_SOURCE -o $@ $<

# the sqlite_batch_insert reference: plain SQLite, nothing of ours
build/bench/eval_insert: bench/eval_insert.c bench/drv.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -g $(WARN) -D_GNU_SOURCE -o $@ $< -lsqlite3

# a per-statement SQL profile of a server (LD_PRELOAD; see bench/sqlprof.c)
build/bench/sqlprof.so: bench/sqlprof.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g $(WARN) -D_GNU_SOURCE -shared -fPIC -o $@ $< -lsqlite3 -lpthread

bench: deps all build/bench/due_bench build/bench/case_scan build/bench/lifecycle \
	build/bench/sse_fanout build/bench/case_register build/bench/eval_insert build/bench/eval_rank \
	build/bench/eval_tokens build/bench/eval_submit build/bench/score_data build/bench/score_event
	@bash scripts/deps.sh bench
	@bash bench/run.sh

# ---- style ----
C_FILES = $(shell find src tests/unit tests/fuzz -name '*.[ch]')
format:
	clang-format -i $(C_FILES)
format-check:
	@clang-format --dry-run --Werror $(C_FILES) && echo "format ok"
lint: build/gen/embedded.c build/gen/version.h
	@printf '%s\n' $(SRCS) src/main.c | xargs -P $$(nproc) -I{} \
		clang-tidy --quiet {} -- $(RELEASE_CFLAGS) $(PKG_CFLAGS) 2>&1 \
		| grep -v 'warnings\? generated' ; test $${PIPESTATUS[1]} -eq 0
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -Isrc -Ibuild/gen -D__GNUC__ src
	@echo "lint ok"

clean:
	rm -rf build
distclean: clean
	rm -rf web/dist web/node_modules tests/node_modules bench/out

-include $(shell find build -name '*.d' 2>/dev/null)

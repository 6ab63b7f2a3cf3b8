# MSSP Portal - build, run and test.
#
#   make run     install missing packages (as root), build, start the stack
#   make test    the whole suite with its own servers; ends "N passed, N failed"
#   make         release binaries in build/bin
#   make asan    ASan/UBSan binaries in build/asan/bin (used by make test)
#   make bench   benchmarks in tests/bench (not part of make test)
#   make fuzz    bounded libFuzzer runs (FUZZ_SECONDS each)
#   make install PREFIX (/usr/local), DESTDIR: binaries, files, units (mk/install.mk)
#   make deb     the Debian package in build/deb (debian/, mk/deb.mk)
#   make stop    stop a stack started by make run in the background

CC       ?= cc
PKGS     := jansson libpq libcurl openssl
# pkg-config is asked when a recipe first expands these (then kept): every
# compile waits for `deps` (an order-only prerequisite), so on a bare machine
# one make call installs the packages and then builds with the right flags.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(call pkg_config,--cflags))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(call pkg_config,--libs))$(PKG_LIBS)
pkg_config = $(call pkg_found,$(shell pkg-config $(1) $(PKGS) 2>/dev/null || echo '!missing'))
pkg_found  = $(if $(filter !missing,$(1)),$(error pkg-config finds no $(PKGS): run scripts/deps),$(1))
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wformat=2
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Icgi $(WARN) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
# -lresolv: res_nquery and ns_parserr (cgi/dns.c; in libc itself since glibc
# 2.34, still linked for older ones).
LIBS      = -lfcgi $(PKG_LIBS) -lresolv -lm
# The release programs allocate with jemalloc: a page's models are many small
# jansson objects made and freed per request, which glibc's malloc spent a
# fifth of the worker on (docs/performance.md, "Session 33"). The sanitizer
# build keeps the C library's, which ASan replaces.
RELEASE_LIBS = $(LIBS) -ljemalloc

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(filter-out cgi/main_%.c,$(wildcard cgi/*.c cgi/pages/*.c))
MAIN_SRC := $(wildcard cgi/main_*.c)
BINS     := $(patsubst cgi/main_%.c,%,$(MAIN_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(patsubst tests/unit/%.c,%,$(UNIT_SRC))
SPEC_SRC := $(wildcard tests/spec/*.c)
HDRS     := $(wildcard cgi/*.h cgi/pages/*.h tests/unit/*.h)

# Fragments add FUZZ_TARGETS / BENCH_TARGETS and their own rules.
FUZZ_TARGETS :=
# A fuzz target NAME: build/fuzz/fuzz_NAME, built with FUZZ_CFLAGS (or its
# module's own) and -fsanitize=fuzzer,address,undefined; its seeds in
# tests/fuzz/NAME_corpus. $(call fuzz_run,NAME,OPTIONS) is the recipe of a
# run: FUZZ_SECONDS over a copy of the seeds (the fuzzer adds to its
# corpus), with the target's own libFuzzer options.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Icgi -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -g -O1
define fuzz_run
	rm -rf build/fuzz/$(1)_corpus
	mkdir -p build/fuzz/$(1)_corpus
	cp tests/fuzz/$(1)_corpus/* build/fuzz/$(1)_corpus/
	build/fuzz/fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -timeout=5 $(2) build/fuzz/$(1)_corpus
endef
BENCH_TARGETS :=
-include $(sort $(wildcard mk/*.mk))
.DEFAULT_GOAL := all
# Keep objects make considers intermediate (no rm after the test summary).
.SECONDARY:

.PHONY: all asan run stop test unit deps clean bench fuzz check-deps format
all: $(addprefix build/bin/,$(BINS))
asan: $(addprefix build/asan/bin/,$(BINS)) $(addprefix build/asan/tests/,$(UNITS)) \
      $(if $(SPEC_SRC),build/asan/tests/spec_runner)

# What scripts/deps installs for this call: the build's packages for every
# compile, the servers' for run, and the browser and bench tools for test and
# the benchmarks (one list, one apt-get line when not root).
DEPS_SET := $(if $(filter test unit bench bench-% fuzz fuzz-% mus-valgrind,$(MAKECMDGOALS)),test,$(if $(filter run,$(MAKECMDGOALS)),run,build))

# The release (VERSION): /metrics says it (portal_build_info), the package is named by it.
VERSION := $(shell cat VERSION 2>/dev/null || echo 0)
build/obj/cgi/metrics.o build/asan/obj/cgi/metrics.o: VERSION
build/obj/cgi/metrics.o build/asan/obj/cgi/metrics.o: ALL_CFLAGS += -DPORTAL_VERSION='"$(VERSION)"'

# --- release build ---------------------------------------------------------
build/obj/%.o: %.c $(HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
build/libportal.a: $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^
build/bin/%: build/obj/cgi/main_%.o build/libportal.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $< build/libportal.a $(RELEASE_LIBS) -o $@
build/tests/%: build/obj/tests/unit/%.o build/libportal.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $< build/libportal.a $(RELEASE_LIBS) -o $@

# --- sanitizer build (tests run these) -------------------------------------
build/asan/obj/%.o: %.c $(HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c $< -o $@
build/asan/libportal.a: $(patsubst %.c,build/asan/obj/%.o,$(LIB_SRC))
	@rm -f $@; ar rcs $@ $^
build/asan/bin/%: build/asan/obj/cgi/main_%.o build/asan/libportal.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) $< build/asan/libportal.a $(LIBS) -o $@
build/asan/tests/%: build/asan/obj/tests/unit/%.o build/asan/libportal.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) $< build/asan/libportal.a $(LIBS) -o $@
build/asan/tests/spec_runner: $(patsubst %.c,build/asan/obj/%.o,$(SPEC_SRC)) build/asan/libportal.a
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) $^ $(LIBS) -o $@

# --- dependencies, run, test -----------------------------------------------
deps:
	@scripts/deps $(DEPS_SET)

run: deps all
	@scripts/stack run

stop:
	@scripts/stack stop

test: deps asan all
	@tests/run $(TESTFLAGS)

unit: asan
	@tests/run --only unit

check-deps:
	@scripts/deps --check test

format:
	clang-format -i cgi/*.c cgi/*.h cgi/pages/*.c tests/unit/*.c

bench: all $(BENCH_TARGETS)
fuzz: $(FUZZ_TARGETS)

clean:
	rm -rf build


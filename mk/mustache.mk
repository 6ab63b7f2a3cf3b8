# mk/mustache.mk - the Mustache engine's own targets (build only its sources
# plus buf/arena/result, so they work while other modules are mid-edit).
#
#   make mus-test        unit tests + spec suite under ASan/UBSan
#   make mus-valgrind    spec suite (plain -O1 build) under valgrind
#   make fuzz-mustache   libFuzzer run for $(FUZZ_SECONDS) seconds
#   make bench-mustache  engine vs mustache.js vs hand-written C

MUS_SPEC_DIR ?= $(CURDIR)/../shared/mustache-spec
MUS_SRC  := cgi/mustache.c cgi/mustache_compile.c cgi/mustache_load.c cgi/mustache_scan.c cgi/mustache_render.c cgi/buf.c cgi/arena.c cgi/result.c
MUS_HDRS := cgi/mustache.h cgi/mustache_int.h cgi/mustache_parse.h cgi/buf.h cgi/result.h tests/unit/tap.h
MUS_CC_FLAGS = -std=c11 -D_GNU_SOURCE -Icgi $(WARN) $(PKG_CFLAGS)
MUS_LIBS     = $(PKG_LIBS)

.PHONY: mus-build mus-test mus-valgrind fuzz-mustache bench-mustache

build/mus/asan/%: $(MUS_SRC) $(MUS_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(MUS_CC_FLAGS) $(ASAN_FLAGS) $(MUS_SRC) $(MUS_MAIN) $(MUS_LIBS) -o $@

build/mus/asan/test_mustache: MUS_MAIN = tests/unit/test_mustache.c
build/mus/asan/test_mustache: tests/unit/test_mustache.c
build/mus/asan/spec_runner: MUS_MAIN = tests/spec/spec_runner.c
build/mus/asan/spec_runner: tests/spec/spec_runner.c
build/mus/asan/mustache: MUS_MAIN = cgi/main_mustache.c
build/mus/asan/mustache: cgi/main_mustache.c

build/mus/spec_runner: $(MUS_SRC) $(MUS_HDRS) tests/spec/spec_runner.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(MUS_CC_FLAGS) -O1 -g $(MUS_SRC) tests/spec/spec_runner.c $(MUS_LIBS) -o $@

build/mus/mustache: $(MUS_SRC) $(MUS_HDRS) cgi/main_mustache.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(MUS_CC_FLAGS) -O2 -g $(MUS_SRC) cgi/main_mustache.c $(MUS_LIBS) -o $@

mus-build: build/mus/asan/test_mustache build/mus/asan/spec_runner build/mus/asan/mustache build/mus/mustache

mus-test: build/mus/asan/test_mustache build/mus/asan/spec_runner
	build/mus/asan/test_mustache
	build/mus/asan/spec_runner $(MUS_SPEC_DIR)

mus-valgrind: build/mus/spec_runner
	valgrind --leak-check=full --error-exitcode=1 build/mus/spec_runner $(MUS_SPEC_DIR) >/dev/null

# --- fuzzing ------------------------------------------------------------------
# buf.c trips clang's -Wformat-nonliteral (buf_vprintf lacks format(printf,2,0)); not ours to edit.
build/fuzz/fuzz_mustache: $(MUS_SRC) $(MUS_HDRS) tests/fuzz/fuzz_mustache.c | deps
	@mkdir -p $(dir $@)
	clang $(MUS_CC_FLAGS) -Wno-format-nonliteral -g -O1 -fsanitize=fuzzer,address,undefined $(MUS_SRC) \
		tests/fuzz/fuzz_mustache.c $(MUS_LIBS) -o $@

fuzz-mustache: build/fuzz/fuzz_mustache
	$(call fuzz_run,mustache,-rss_limit_mb=2048 -artifact_prefix=build/fuzz/)

FUZZ_TARGETS += fuzz-mustache

# --- benchmark ----------------------------------------------------------------
build/mus/bench_mustache: $(MUS_SRC) $(MUS_HDRS) tests/bench/mustache/bench.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(MUS_CC_FLAGS) -O2 $(MUS_SRC) tests/bench/mustache/bench.c $(MUS_LIBS) -o $@

bench-mustache: build/mus/bench_mustache
	tests/bench/mustache/run.sh

BENCH_TARGETS += bench-mustache

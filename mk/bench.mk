# mk/bench.mk - the foundation benchmark: static file vs a minimal libfcgi +
# libpq responder vs the portal's own GET /login, all through the same nginx.
#
#   make bench-foundation   build build/bench/minimal and run the driver
#                           (BENCH_SECONDS per wrk run, default 10)

BENCH_MIN_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -O2 $(PKG_CFLAGS)
BENCH_MIN_LIBS   = -lfcgi $(PKG_LIBS)

.PHONY: bench-foundation

build/bench/minimal: tests/bench/minimal.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_MIN_CFLAGS) $< $(BENCH_MIN_LIBS) -o $@

bench-foundation: all build/bench/minimal
	tests/bench/foundation.sh

BENCH_TARGETS += bench-foundation

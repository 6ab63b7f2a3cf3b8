# mk/live.mk - the pages while data never stops (issue #23): the Global, MSP,
# companies and incident pages read by wrk while tests/bench/live_feed.py
# ingests 5,000 items/s, against the minimal responder under the same feed,
# with the caches on and off (tests/bench/live.sh; docs/performance.md,
# "Under a live feed").
#
#   make bench-live     BENCH_SIZES ("S L"), BENCH_RATE (5000), BENCH_SENDERS
#                       (4), BENCH_SECONDS (10), BENCH_CONNS (32),
#                       BENCH_PHASES ("quiet live live-nc") are passed through

.PHONY: bench-live

bench-live: all build/bench/minimal
	tests/bench/live.sh

BENCH_TARGETS += bench-live

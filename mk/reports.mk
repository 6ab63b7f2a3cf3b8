# mk/reports.mk - executive reports at scale (issue #20, "Performance";
# tests/bench/reports.sh; docs/reports.md): a company's report and the
# consolidated report made by the reporter, their time and memory, and the
# Global dashboard while reports are made.
#
#   make bench-reports      BENCH_SIZE (M), BENCH_RUNS (5), BENCH_SECONDS (20)

.PHONY: bench-reports

bench-reports: all
	tests/bench/reports.sh

BENCH_TARGETS += bench-reports

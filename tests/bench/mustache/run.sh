#!/bin/sh
# run.sh - the Mustache benchmark: this engine, mustache.js and a
# hand-written C renderer on the same templates and data. Run from the repo
# root (make bench-mustache). BENCH_SECONDS (default 2) of CPU time per
# measurement, BENCH_RUNS (default 3) runs, best kept.
set -eu
here=tests/bench/mustache
out=build/mus/bench
secs=${BENCH_SECONDS:-2}
mkdir -p "$out"
if [ ! -d "$here/node_modules/mustache" ]; then
	npm install --no-save --prefix "$here" mustache >/dev/null
fi
runs=${BENCH_RUNS:-3}
: > "$out/c.txt"
: > "$out/js.txt"
# Rates are per CPU-second of the measuring process; the best of $runs
# interleaved runs is kept for each renderer (the host is shared).
i=0
while [ "$i" -lt "$runs" ]; do
	build/mus/bench_mustache "$here/templates" "$out" "$secs" >> "$out/c.txt"
	node "$here/bench.js" "$(pwd)/$here" "$out" "$secs" >> "$out/js.txt"
	i=$((i + 1))
done
for w in fortunes dashboard; do
	cmp "$out/$w.c.html" "$out/$w.hand.html"
	cmp "$out/$w.c.html" "$out/$w.js.html"
	echo "$w: outputs byte-identical ($(wc -c < "$out/$w.c.html") bytes)"
done
cat "$out/c.txt" "$out/js.txt" | awk '
	$2 == "bytes" { next }
	{ k = $1 " " $2; if ($3 > r[k]) r[k] = $3 }
	END {
		printf "%-10s %14s %14s %14s %10s %10s\n", "workload", "engine/s", "mustache.js/s", "hand C/s", "vs js", "vs hand"
		split("fortunes dashboard", ws, " ")
		for (i = 1; i <= 2; i++) {
			w = ws[i]
			printf "%-10s %14.0f %14.0f %14.0f %9.2fx %9.2fx\n", w, r[w " c"], r[w " js"], r[w " hand"],
				r[w " c"] / r[w " js"], r[w " c"] / r[w " hand"]
		}
	}'

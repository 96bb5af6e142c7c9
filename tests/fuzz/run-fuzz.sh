#!/bin/sh
# Run the libFuzzer harnesses of a KAVOSH_FUZZ=ON build for a fixed time each.
#
#   tests/fuzz/run-fuzz.sh BUILD_DIR SECONDS [NAME...]
#
# NAME is a harness (analyze document query, the three that cover a whole
# path; markdown html text pdf docx odt epub, one reader each; glossary
# dictd; all when none is given). Each runs for SECONDS over its corpus in
# BUILD_DIR/fuzz-corpus/NAME (kept between runs, so a longer run goes on
# where the last stopped), seeded from BUILD_DIR/tests/fuzz/seeds/NAME and
# tests/fuzz/regressions/NAME. A crash or failed invariant stops with status 1
# and leaves the input in BUILD_DIR/fuzz-crashes/NAME: copy it into
# tests/fuzz/regressions/NAME/ so that ctest fuzz.NAME keeps it as a test.
# The last line of each run (cov: edges, exec count) is printed. Inputs are
# at most $FUZZ_MAX_LEN bytes (default 16384: twice the largest passage;
# longer seeds are cut), which keeps runs fast.
#
# FUZZ_CORPUS=DIR keeps the corpora in DIR/NAME instead. SECONDS 0 replays
# the corpus once (no mutation) and prints its coverage: a corpus grown fast
# by a -DKAVOSH_FUZZ_SANITIZE=OFF build is replayed by the sanitizer build,
#   FUZZ_CORPUS=build-fuzzfast/fuzz-corpus tests/fuzz/run-fuzz.sh build-fuzz 0
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [NAME...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
names=${*:-analyze document query markdown html text pdf docx odt epub glossary dictd}
status=0
for name in $names; do
    bin=$build/bin/fuzz_$name
    if [ ! -x "$bin" ]; then
        echo "$bin: not built (configure with -DKAVOSH_FUZZ=ON and clang)" >&2
        exit 2
    fi
    corpus=${FUZZ_CORPUS:-$build/fuzz-corpus}/$name
    crashes=$build/fuzz-crashes/$name
    mkdir -p "$corpus" "$crashes"
    regress=$here/regressions/$name
    [ -d "$regress" ] || regress=
    log=$build/fuzz-$name.log
    # -close_fd_mask=1: the harnesses print nothing worth keeping on stdout.
    # The readers' warnings on stderr are kept in the log with libFuzzer's report.
    if [ "$secs" = 0 ]; then
        limit=-runs=0
    else
        limit=-max_total_time=$secs
    fi
    if "$bin" "$limit" -max_len="${FUZZ_MAX_LEN:-16384}" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$crashes/" -close_fd_mask=1 \
            "$corpus" "$build/tests/fuzz/seeds/$name" ${regress:+"$regress"} >"$log" 2>&1; then
        line=$(grep -E '^#[0-9]+.*(DONE|INITED|cov:)' "$log" | tail -n 1)
        runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        echo "fuzz_$name: ${secs}s, $runs runs: $line"
    else
        echo "fuzz_$name: FAILED; the input is in $crashes, the report in $log" >&2
        grep -E 'ERROR|invariant failed|SUMMARY' "$log" | head -n 5 >&2 || true
        status=1
    fi
done
exit $status

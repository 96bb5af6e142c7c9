#!/bin/sh
# The figures of README "Bounded cost": time and peak memory of kavosh-index
# and kavosh-search on a 200 MB file of NULs, and of kavosh-search on a query
# of 363 repeats of one word and one of 1,365 one-letter prefixes (the most
# that fit in 4 KiB), over the article copied 50 times.
#   tests/bench/bounded_cost.sh BUILD_DIR        (needs GNU time, python3; ~1 GB of /tmp)
set -eu
B=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
mkdir nul big
head -c 200000000 /dev/zero > nul/nul.txt
printf '\nایران و روسیه\n' >> nul/nul.txt
/usr/bin/time -f "index a 200 MB NUL file: %e s, peak %M KB" "$B/bin/kavosh-index" -d nuldb nul || true
/usr/bin/time -f "search it: %e s, peak %M KB" "$B/bin/kavosh-search" -d nuldb ایران >/dev/null || true
for i in $(seq 1 50); do cp "$SRC/corpus/article.fa.md" "big/a$i.md"; done
"$B/bin/kavosh-index" -q -d bigdb big
q363=$(python3 -c "print(' '.join(['ایران'] * 363))")
qpre=$(python3 -c "import random; random.seed(1); print(' '.join(random.choice('abcdefghijklmnopqrstuvwxyz') + '*' for _ in range(1365)))")
/usr/bin/time -f "one word: %e s, peak %M KB" "$B/bin/kavosh-search" -d bigdb ایران >/dev/null || true
/usr/bin/time -f "363 repeats of one word: %e s, peak %M KB" "$B/bin/kavosh-search" -d bigdb "$q363" >/dev/null || true
/usr/bin/time -f "1,365 one-letter prefixes: %e s, peak %M KB" "$B/bin/kavosh-search" -d bigdb "$qpre" >/dev/null || true

#!/bin/sh
# check_examples.sh BINDIR CORPUS PAGE...: every command of the man pages'
# EXAMPLES sections runs as written, against an index of the bundled corpus
# (in a scratch $HOME with ~/papers and ~/notes), exits 0 and says no error.
# A page's example that stops working (the old `sort -t '\t'`) fails here.
set -u
bindir=$1
corpus=$2
shift 2
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home/papers" "$work/home/notes/drafts" "$work/cwd"
cp "$corpus/article.fa.md" "$work/home/papers/"
printf 'Notes on the Manas air base and soft power.\n' > "$work/home/notes/manas.md"
printf 'A draft.\n' > "$work/home/notes/drafts/draft.md"
HOME=$work/home
PATH=$bindir:$PATH
export HOME PATH
unset KAVOSH_DB NO_COLOR
cd "$work/cwd" || exit 1
kavosh-index -q -d kavosh.db "$corpus" || { echo "FAIL: cannot index $corpus"; exit 1; }
kavosh-index -q -d "$HOME/kavosh.db" "$corpus" || exit 1
status=0
n=0
for page in "$@"; do
    # The .EX ... .EE blocks, troff escapes undone.
    sed -n '/^\.EX/,/^\.EE/{/^\.E[XE]/d;p}' "$page" |
        sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\e/\\/g' > "$work/examples"
    while IFS= read -r cmd; do
        case $cmd in
        *"/usr/share/dictd/"*)
            dict=$(printf '%s\n' "$cmd" | grep -o '/usr/share/dictd/[^ ]*')
            [ -e "$dict.index" ] || { echo "skipped (no $dict): $cmd"; continue; } ;;
        esac
        n=$((n + 1))
        sh -c "$cmd" > "$work/out" 2> "$work/err" < /dev/null
        rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "FAIL: $(basename "$page"): exit $rc: $cmd"
            cat "$work/err"
            status=1
        elif grep -q 'error:' "$work/err"; then
            echo "FAIL: $(basename "$page"): $cmd"
            cat "$work/err"
            status=1
        elif ! grep -q . "$work/out" "$work/err"; then
            echo "FAIL: $(basename "$page"): no output: $cmd"
            status=1
        fi
    done < "$work/examples"
done
[ "$n" -gt 0 ] || { echo "FAIL: no examples found"; exit 1; }
[ "$status" -eq 0 ] && echo "all $n examples ran"
exit $status

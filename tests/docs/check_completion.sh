#!/bin/bash
# check_completion.sh PROGRAM COMPLETION CASES: source the bash completion,
# complete "PROGRAM --" and check that every long option of PROGRAM --help
# is offered, then check the cases of the table that are for PROGRAM.
set -u
prog=$1
completion=$2
cases=$3
name=$(basename "$prog")
status=0

# shellcheck source=/dev/null
source "$completion" || { echo "FAIL: cannot source $completion"; exit 1; }
func=$(complete -p "$name" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$func" ] || { echo "FAIL: $completion registers no function for $name"; exit 1; }

# Complete words "$@" (the last one is the one being completed); sorted result on stdout.
complete_words()
{
    COMP_WORDS=("$prog" "$@")
    COMP_CWORD=$#
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$func" "$name" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

all=$(complete_words --)
want=$("$prog" --help | sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | sort -u)
for opt in $want; do
    case " $all " in
        *" $opt "*|*" $opt= "*) ;;
        *) echo "FAIL: '$name --<TAB>' does not offer $opt (got: $all)"; status=1 ;;
    esac
done

n=0
while IFS=$'\t' read -r who words expected; do
    case $who in ''|'#'*) continue ;; esac
    [ "$who" = "$name" ] || [ "$who" = "*" ] || continue
    eval "set -- $words"
    got=$(complete_words "$@")
    if [ "$got" != "$expected" ]; then
        echo "FAIL: '$name $words<TAB>': want '$expected', got '$got'"
        status=1
    fi
    n=$((n + 1))
done < "$cases"

# Arguments of kavosh-index are files and directories.
if [ "$name" = kavosh-index ]; then
    dir=$(mktemp -d)
    mkdir "$dir/papers" && : > "$dir/paper.md"
    got=$(cd "$dir" && complete_words pa)
    if [ "$got" != "paper.md papers" ]; then
        echo "FAIL: '$name pa<TAB>' in a folder with paper.md and papers/: got '$got'"
        status=1
    fi
    got=$(cd "$dir" && complete_words -d pap)
    if [ "$got" != "papers" ]; then
        echo "FAIL: '$name -d pap<TAB>' should offer only the directory: got '$got'"
        status=1
    fi
    rm -rf "$dir"
fi

[ $status -eq 0 ] && echo "ok: $name completes $(printf '%s\n' "$want" | wc -l) options and $n cases"
exit $status

#!/bin/sh
# check_man.sh PROGRAM MANPAGE: the man page documents what PROGRAM --help
# lists (every long option, every exit status, every environment variable)
# and, if groff is installed, renders without a single warning.
set -u
prog=$1
page=$2
name=$(basename "$prog")
status=0

help=$("$prog" --help) || { echo "FAIL: $name --help exited $?"; exit 1; }
[ -r "$page" ] || { echo "FAIL: no man page $page"; exit 1; }

# The page as text: troff's "\-" is a dash, font changes are nothing.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' "$page")

# Long options: the first one on each option line of --help.
options=$(printf '%s\n' "$help" |
    sed -n 's/^ \{1,\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | sort -u)
[ -n "$options" ] || { echo "FAIL: no options found in $name --help"; exit 1; }
for opt in $options; do
    if ! printf '%s\n' "$text" | grep -Eq -- "$opt([^a-z-]|\$)"; then
        echo "FAIL: $page does not mention $opt"
        status=1
    fi
done

# Exit statuses: the "  N  meaning" lines of --help, each a ".B N" item.
for code in $(printf '%s\n' "$help" | sed -n 's/^  \([0-9]\)  .*/\1/p'); do
    if ! printf '%s\n' "$text" | grep -q "^\.B $code\$"; then
        echo "FAIL: $page has no exit status $code"
        status=1
    fi
done

# Environment variables named in --help.
for var in $(printf '%s\n' "$help" | grep -oE '(KAVOSH_[A-Z_]+|NO_COLOR)' | sort -u); do
    if ! printf '%s\n' "$text" | grep -q "^\.B $var\$"; then
        echo "FAIL: $page does not describe $var"
        status=1
    fi
done

# Rendering: -k runs preconv for the Persian and Russian examples; -ww turns
# every warning on. Any output on stderr is a failure.
if command -v groff >/dev/null 2>&1; then
    warnings=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1)
    if [ -n "$warnings" ]; then
        echo "FAIL: groff warns about $page:"
        printf '%s\n' "$warnings"
        status=1
    fi
    # The rendered page has the sections a reader looks for.
    rendered=$(groff -k -man -Tutf8 -P-c -P-b -P-u "$page" 2>/dev/null)
    for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES; do
        if ! printf '%s\n' "$rendered" | grep -q "^$section\$"; then
            echo "FAIL: $page has no $section section"
            status=1
        fi
    done
else
    echo "groff not installed: rendering not checked"
fi

[ $status -eq 0 ] && echo "ok: $page documents $(printf '%s\n' "$options" | wc -l) options of $name"
exit $status

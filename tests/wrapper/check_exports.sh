#!/bin/sh
# Fail unless every symbol the wrapper library defines for others (code or
# data) is part of the kx_ API; the linker version script is meant to ensure
# it, and this catches a map file that stops matching the build. Given the
# header too, also fail if a function it declares is not exported.
set -eu
lib=${1:?usage: check_exports.sh LIBRARY [HEADER]}
header=${2:-}
syms=$(nm -D --defined-only "$lib") || { echo "nm failed on $lib" >&2; exit 1; }
api=$(printf '%s\n' "$syms" | awk '$2 ~ /^[TDBRWVi]$/ && $3 ~ /^kx_/ { n++ } END { print n + 0 }')
stray=$(printf '%s\n' "$syms" | awk '$2 ~ /^[TDBRWVi]$/ && $3 !~ /^kx_/ { print $3 }')
if [ -n "$stray" ]; then
    echo "symbols exported outside the kx_ API:" >&2
    printf '%s\n' "$stray" >&2
    exit 1
fi
if [ "$api" -eq 0 ]; then
    echo "no kx_ symbols exported at all from $lib" >&2
    exit 1
fi
if [ -n "$header" ]; then
    # Declarations are "type name(" at the start of a line, possibly after "*".
    declared=$(sed -n 's/^[a-z_ ]*[ *]\(kx_[a-z_]*\)(.*/\1/p' "$header" | sort -u)
    [ -n "$declared" ] || { echo "no kx_ declarations found in $header" >&2; exit 1; }
    exported=$(printf '%s\n' "$syms" | awk '$2 ~ /^[TW]$/ { print $3 }')
    missing=
    for name in $declared; do
        printf '%s\n' "$exported" | grep -qx "$name" || missing="$missing $name"
    done
    if [ -n "$missing" ]; then
        echo "declared in $header but not exported:" >&2
        echo "$missing" >&2
        exit 1
    fi
fi
echo "$api kx_ symbols exported, nothing else"

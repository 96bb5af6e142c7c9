#!/bin/sh
# Fail unless every symbol the wrapper library defines for others (code or
# data) is part of the kx_ API; the linker version script is meant to ensure
# it, and this catches a map file that stops matching the build.
set -eu
lib=${1:?usage: check_exports.sh LIBRARY}
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
echo "$api kx_ symbols exported, nothing else"

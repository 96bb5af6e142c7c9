#!/bin/sh
# Each program's run path names only $ORIGIN-relative folders: an empty
# entry (CMake's padded build rpath ends in ':') makes the loader search the
# current directory for every library, so a library planted there would be
# loaded, and an absolute path ties the binary to one build tree.
#   check_rpath.sh BINARY...
# Exit 77 (skipped) without readelf.
command -v readelf >/dev/null 2>&1 || { echo "readelf not found: skipped"; exit 77; }
status=0
for bin in "$@"; do
    paths=$(readelf -d "$bin" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]$/\2/p')
    if [ -z "$paths" ]; then
        echo "$bin: no run path (the wrapper library would not be found)"
        status=1
        continue
    fi
    old_ifs=$IFS
    IFS=:
    # A trailing ':' is an empty last entry: "a:" splits to "a" alone, so check it apart.
    case "$paths" in *: | :* | *::*) echo "$bin: empty entry in run path '$paths'"; status=1 ;; esac
    for p in $paths; do
        case "$p" in
            '$ORIGIN'*) ;;
            *) echo "$bin: run path entry '$p' is not relative to \$ORIGIN"; status=1 ;;
        esac
    done
    IFS=$old_ifs
    [ $status -eq 0 ] && echo "$bin: run path $paths"
done
exit $status

#!/bin/sh
# check_links.sh SEARCH_BIN INDEX_BIN BUILD_DIR - kavosh-search links only
# what it uses: not cmark, zlib, poppler, libxml2, libarchive or libyaml (the
# indexer's document readers). Checked twice: the shared libraries the binary needs (readelf)
# and the link command the build system ran, since the linker may drop an
# unused library that CMake still put on the line. kavosh-index, which does
# read Markdown, is the control: the same check must see cmark there.
set -u
search=$1 index=$2 build=$3
forbidden='cmark|libz\.|zlib|poppler|xml2|archive|yaml'
status=0

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

if ! needed "$index" | grep -Eq cmark; then
    echo "control failed: $index does not need libcmark, so the check sees nothing" >&2
    exit 1
fi
bad=$(needed "$search" | grep -E "$forbidden")
if [ -n "$bad" ]; then
    echo "$search needs: $bad" >&2
    status=1
fi

# The link line: Makefile generators write link.txt, Ninja build.ninja.
line=
if [ -f "$build/search/CMakeFiles/kavosh-search.dir/link.txt" ]; then
    line=$(cat "$build/search/CMakeFiles/kavosh-search.dir/link.txt")
elif [ -f "$build/build.ninja" ]; then
    line=$(awk '/^build bin\/kavosh-search:/{f=1} f&&/LINK_LIBRARIES/{print; exit}' "$build/build.ninja")
fi
if [ -z "$line" ]; then
    echo "no link command found under $build" >&2
    exit 1
fi
bad=$(printf '%s\n' "$line" | tr ' ' '\n' | grep -E "$forbidden|kavosh_index|kavosh_document")
if [ -n "$bad" ]; then
    echo "kavosh-search is linked with: $bad" >&2
    status=1
fi
[ $status -eq 0 ] && echo "kavosh-search links none of: $forbidden, kavosh_index, kavosh_document"
exit $status

#!/bin/sh
# make-pdfs.sh - how the PDF fixtures of tests/index/test_formats.c were made
# (they are committed, so the tests need none of these tools). The texts are
# the project's own, written for these tests. Needs pango1.0-tools (pango-view),
# libfribidi-bin (fribidi) and poppler-utils (pdfunite), DejaVu fonts.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
font="DejaVu Sans 11"

# English, two pages.
cat > "$tmp/en1.txt" <<'TXT'
Caspian Notes on Trade

The caravan towns along the northern route kept their own ledgers of grain, salt and felt, and the merchants who crossed the steppe in spring recorded every toll they paid at the river crossings near the old fortress.

A second paragraph describes the winter markets, where traders from the mountain valleys exchanged dried apricots for copper pots and woollen cloth.
TXT
cat > "$tmp/en2.txt" <<'TXT'
The third paragraph, on the second page, follows the railway that replaced the caravans and changed the pattern of seasonal migration across the plateau.
TXT
pango-view -q --font="$font" -w 420 --wrap=word -o "$tmp/en1.pdf" "$tmp/en1.txt"
pango-view -q --font="$font" -w 420 --wrap=word -o "$tmp/en2.pdf" "$tmp/en2.txt"
pdfunite "$tmp/en1.pdf" "$tmp/en2.pdf" en.pdf

# Russian, one page.
cat > "$tmp/ru.txt" <<'TXT'
Заметки о караванной торговле

Купцы северного пути вели собственные книги учёта зерна, соли и войлока, а весной записывали каждую пошлину, уплаченную на речных переправах у старой крепости.

Во втором абзаце говорится о зимних ярмарках, где торговцы из горных долин меняли сушёный урюк на медную посуду.
TXT
pango-view -q --font="$font" -w 420 --wrap=word -o ru.pdf "$tmp/ru.txt"

# Persian, two pages, made the way older PDF producers made them: the text
# shaped into Arabic presentation forms and laid out in visual order
# (fribidi), each line drawn left to right. Lines are broken inside the
# paragraphs. Poppler gives back presentation forms wrapped in directional
# marks.
cat > "$tmp/fa1.txt" <<'TXT'
بازرگانی کاروانی در شمال

بازرگانان راه شمالی دفترهای جداگانه‌ای برای غله و نمک و نمد داشتند و در بهار هر باجی را که در گذرگاه‌های رودخانه کنار دژ کهن می‌پرداختند یادداشت می‌کردند و بهای کالا را به دلار و ریال می‌نوشتند.

در بند دوم از بازارهای زمستانی سخن می‌رود که در آن مردم دره‌های کوهستانی زردآلوی خشک را با دیگ مسی و پارچه پشمی سودا می‌کردند.
TXT
cat > "$tmp/fa2.txt" <<'TXT'
بند سوم در صفحه دوم درباره راه آهنی است که جای کاروان‌ها را گرفت و کوچ فصلی مردم فلات را دگرگون کرد و سیاست اقتصادی جمهوری اسلامی را نیز دگرگون ساخت.
TXT
for p in fa1 fa2; do
    # Lines broken at word boundaries in reading order, then each line
    # put in visual order on its own.
    python3 -c 'import sys, textwrap
for para in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    print("\n".join(textwrap.wrap(para, 55)) if para else "")' "$tmp/$p.txt" > "$tmp/$p.lines"
    fribidi --nopad --nobreak "$tmp/$p.lines" | sed 's/^\(.\)/\xe2\x80\xad\1/' > "$tmp/$p.vis"
    pango-view -q --font="$font" -o "$tmp/$p.pdf" "$tmp/$p.vis"
done
pdfunite "$tmp/fa1.pdf" "$tmp/fa2.pdf" fa.pdf

# No text layer: a page with nothing but a drawing (as a scan would be).
pango-view -q --font="$font" -o scanned.pdf -t ' '

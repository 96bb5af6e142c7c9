#!/usr/bin/env python3
"""Remake the zip seeds of the DOCX, ODT and EPUB fuzz harnesses from the
descriptions beside this script (NAME.EXT.txt: "@@ ENTRY" lines, each
followed by the entry's content; the text is the project's own, from
tests/index/test_formats.c and tests/document/test_robustness.c). The
harnesses read a description as the stored zip it describes; these
deflated zips seed the zip reader itself."""
import glob, os, zipfile

here = os.path.dirname(os.path.abspath(__file__))
for desc in sorted(glob.glob(os.path.join(here, '*.txt'))):
    text = open(desc, encoding='utf-8').read()
    out = desc[:-len('.txt')]
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for part in text.split('\n@@ '):
            part = part[3:] if part.startswith('@@ ') else part
            name, _, body = part.partition('\n')
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body.rstrip('\n'))

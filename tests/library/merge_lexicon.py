#!/usr/bin/env python3
"""Merge the lexicon files: lines of different files (or of one file) that share a spelling
in two or more languages are one concept; their spellings are united on the line of the
earliest file (order of the arguments) and the later lines dropped. Lines sharing a spelling
in one language only stay apart (two senses). Writes OUTDIR/<name> for each input."""
import os, re, sys, unicodedata
def norm(s):
    s = unicodedata.normalize('NFKC', s).lower().replace('\u200c', '').replace('ي', 'ی').replace('ك', 'ک')
    return re.sub(r'\s+', ' ', s).strip()
outdir, files = sys.argv[1], sys.argv[2:]
lines = []   # (file index, header/comment text or None, cols)
for fi, f in enumerate(files):
    header_seen = False
    for raw in open(f, encoding='utf-8'):
        raw = raw.rstrip('\n')
        if raw.startswith('#') or not raw.strip():
            lines.append((fi, raw, None)); continue
        if not header_seen:
            header_seen = True; lines.append((fi, raw, None)); continue
        cols = raw.split('\t')
        while len(cols) < 3: cols.append('')
        lines.append((fi, None, [[s.strip() for s in c.split('|') if s.strip()] for c in cols[:3]]))
parent = list(range(len(lines)))
def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]; x = parent[x]
    return x
index = {}
pairs = {}
for i, (fi, t, cols) in enumerate(lines):
    if cols is None: continue
    for li, col in enumerate(cols):
        for s in col:
            for j in index.get((li, norm(s)), ()):
                pairs.setdefault((j, i), set()).add(li)
            index.setdefault((li, norm(s)), []).append(i)
merged = 0
for (j, i), langs in pairs.items():
    if len(langs) >= 2 and find(i) != find(j):
        a, b = sorted((find(i), find(j)))
        parent[b] = a; merged += 1
groups = {}
for i, (fi, t, cols) in enumerate(lines):
    if cols is not None:
        groups.setdefault(find(i), []).append(i)
out = {fi: [] for fi in range(len(files))}
kept = 0
for i, (fi, t, cols) in enumerate(lines):
    if cols is None:
        out[fi].append(t); continue
    if find(i) != i: continue
    u = [[], [], []]
    seen = [set(), set(), set()]
    for k in groups[i]:
        for li in range(3):
            for s in lines[k][2][li]:
                if norm(s) not in seen[li]:
                    seen[li].add(norm(s)); u[li].append(s)
    out[fi].append('\t'.join(' | '.join(c) for c in u)); kept += 1
for fi, f in enumerate(files):
    with open(os.path.join(outdir, os.path.basename(f)), 'w', encoding='utf-8') as o:
        o.write('\n'.join(out[fi]) + '\n')
print('%d concept lines kept, %d merges' % (kept, merged), file=sys.stderr)

#!/usr/bin/env python3
"""Cross-language retrieval on the UDHR (../shared/corpus/udhr): a general-vocabulary check
that nothing in Kavosh was tuned on.

The three texts (fa, ru, en) are indexed together. For every article (a '## ' section) of the
source language, the query is the K longest distinct words of its first paragraph (a keyword
query, as a user types one); the right answer is any passage of the same article in the target
language, searched with --lang=TARGET (the source-language twin would otherwise come first,
as it should). Prints Success@1, Success@5 and MRR@10 per direction.

Usage: eval_udhr.py BUILD_DIR [UDHR_DIR] [--words K] [--no-expand] [--floors FILE]
Exits 77 (ctest's skip) when the UDHR is absent; with --floors (DIRECTION<TAB>FLOOR lines,
on Success@1) exits 1 when a direction is below its floor."""
import json, os, re, subprocess, sys, tempfile, shutil

def articles(path):
    """[(heading, first paragraph)] of the '## ' sections, in order."""
    out, head, paras = [], None, []
    for block in open(path, encoding='utf-8').read().split('\n\n'):
        b = block.strip()
        if b.startswith('## '):
            if head is not None:
                out.append((head, paras[0] if paras else ''))
            head, paras = b[3:].strip(), []
        elif b and not b.startswith('#') and head is not None:
            paras.append(b)
    if head is not None:
        out.append((head, paras[0] if paras else ''))
    return out

def keywords(text, k):
    words = re.findall(r'[^\W\d_]+', text.replace('\u200c', ''))
    seen, uniq = set(), []
    for w in words:
        lw = w.lower()
        if lw not in seen:
            seen.add(lw)
            uniq.append(w)
    # The k longest, kept in text order.
    keep = set(sorted(uniq, key=lambda w: (-len(w), uniq.index(w)))[:k])
    return ' '.join(w for w in uniq if w in keep)

def main():
    args = sys.argv[1:]
    k, floors, extra = 6, None, []
    if '--words' in args:
        i = args.index('--words'); k = int(args[i + 1]); del args[i:i + 2]
    if '--floors' in args:
        i = args.index('--floors'); floors = args[i + 1]; del args[i:i + 2]
    if '--no-expand' in args:
        args.remove('--no-expand'); extra.append('--no-expand')
    build = os.path.abspath(args[0])
    here = os.path.dirname(os.path.abspath(__file__))
    udhr = args[1] if len(args) > 1 else os.path.normpath(
        os.path.join(here, '..', '..', '..', 'shared', 'corpus', 'udhr'))
    files = {l: os.path.join(udhr, 'udhr.%s.md' % l) for l in ('fa', 'ru', 'en')}
    if not all(os.path.isfile(f) for f in files.values()):
        print('UDHR not found at %s: skipped' % udhr)
        return 77
    arts = {l: articles(f) for l, f in files.items()}
    n = min(len(a) for a in arts.values())
    tmp = tempfile.mkdtemp(prefix='kavosh-udhr-')
    try:
        docs = os.path.join(tmp, 'udhr')
        os.makedirs(docs)
        for l, f in files.items():
            shutil.copy(f, docs)
        db = os.path.join(tmp, 'db')
        subprocess.run([os.path.join(build, 'bin', 'kavosh-index'), '-q', '-d', db, docs],
                       check=True, cwd=tmp)
        results = {}
        for src, dst in (('en', 'fa'), ('ru', 'fa'), ('fa', 'en'), ('fa', 'ru'), ('en', 'ru'), ('ru', 'en')):
            heads = {h: i for i, (h, _) in enumerate(arts[dst][:n])}
            batch = os.path.join(tmp, 'q.%s%s' % (src, dst))
            with open(batch, 'w', encoding='utf-8') as out:
                for i, (_, para) in enumerate(arts[src][:n]):
                    out.write('a%02d\t%s\n' % (i, keywords(para, k)))
            r = subprocess.run([os.path.join(build, 'bin', 'kavosh-search'), '-d', db, '-n', '10',
                                '--json', '--lang=' + dst] + extra + ['--batch', batch],
                               capture_output=True, text=True)
            if r.returncode not in (0, 1):
                sys.stderr.write(r.stderr)
                return 2
            best = {}
            for line in r.stdout.splitlines():
                rec = json.loads(line)
                if 'rank' not in rec or 'section' not in rec:
                    continue
                i = int(rec['qid'][1:])
                sec = rec.get('section') or ''
                art = sec.split(' > ')[-1].strip() if sec else ''
                if heads.get(art) == i and i not in best:
                    best[i] = rec['rank']
            s1 = sum(1 for r_ in best.values() if r_ == 1) / n
            s5 = sum(1 for r_ in best.values() if r_ <= 5) / n
            mrr = sum(1.0 / r_ for r_ in best.values() if r_ <= 10) / n
            results['%s2%s' % (src, dst)] = s1
            print('%-6s %3d  Success@1 %.3f  Success@5 %.3f  MRR@10 %.3f' % ('%s2%s' % (src, dst), n, s1, s5, mrr))
        if floors:
            bad = 0
            for line in open(floors, encoding='utf-8'):
                if line.strip() and not line.startswith('#'):
                    d, fl = line.split('\t')[:2]
                    if results.get(d, 0.0) + 1e-9 < float(fl):
                        print('FLOOR: %s Success@1 %.3f below %s' % (d, results.get(d, 0.0), fl.strip()))
                        bad += 1
            return 1 if bad else 0
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

sys.exit(main())

#!/usr/bin/env python3
"""attest.py LEXICON.tsv [TEXT_DIR_OR_FILE ...]
For every spelling of every concept line (fa<TAB>ru<TAB>en, spellings split on '|'),
say whether it occurs in real text (default: the dev library docs, the UDHR, the article).
Folding: NFKC, lower case, ي->ی ك->ک ى->ی ة->ه ۀ->ه, harakat/tatweel/ZWNJ/¬ removed, ё->е,
whitespace collapsed; Persian words may be joined or spaced; Russian/English spellings
match as prefixes of words (inflection), so 'Узбекистан' finds 'Узбекистана'.
Output: per line 'N/M attested' and the unattested spellings; a summary at the end.
Does NOT read queries.tsv."""
import os, re, sys, unicodedata
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus"))
def fold(s):
    s = unicodedata.normalize('NFKC', s).lower()
    s = s.translate(str.maketrans({'ي':'ی','ك':'ک','ى':'ی','ة':'ه','ۀ':'ه','ё':'е','\u200c':'','\u00ac':'','\u0640':'',
                                   'أ':'ا','إ':'ا','آ':'ا','ؤ':'و','ئ':'ی'}))
    s = re.sub('[\u064b-\u065f\u0670\u0654]', '', s)
    return s
def load(paths):
    parts = []
    for p in paths:
        if os.path.isdir(p):
            for dp, _, fs in os.walk(p):
                for f in fs:
                    if f.endswith(('.md', '.txt')) and f != 'queries.tsv':
                        parts.append(open(os.path.join(dp, f), encoding='utf-8', errors='replace').read())
        elif os.path.isfile(p):
            parts.append(open(p, encoding='utf-8', errors='replace').read())
    t = fold('\n'.join(parts))
    t = re.sub(r'[^\w\u0600-\u06ff]+', ' ', t)
    return ' ' + t + ' ', ' ' + t.replace(' ', '') + ' '
def main():
    lex = sys.argv[1]
    paths = sys.argv[2:] or [ROOT + '/library/docs', ROOT + '/udhr', ROOT + '/article.fa.md']
    text, nospace = load(paths)
    tot = att = lines = full = 0
    for ln, line in enumerate(open(lex, encoding='utf-8'), 1):
        if line.startswith('#') or not line.strip() or line.startswith('fa\t'):
            continue
        cols = line.rstrip('\n').split('\t')
        lines += 1
        miss = []; n = m = 0
        for ci, col in enumerate(cols[:3]):
            for sp in col.split('|'):
                sp = sp.strip()
                if not sp: continue
                n += 1
                f = re.sub(r'[^\w\u0600-\u06ff]+', ' ', fold(sp)).strip()
                if not f: continue
                if ci == 0:
                    ok = (' ' + f) in text or f.replace(' ', '') in nospace
                else:
                    ok = (' ' + f) in text   # prefix of a word: inflected forms count
                if ok: m += 1
                else: miss.append(sp)
        tot += n; att += m
        if m == n: full += 1
        print('%d\t%d/%d\t%s' % (ln, m, n, ' | '.join(miss)))
    print('# %d concept lines, %d fully attested, %d/%d spellings attested' % (lines, full, att, tot), file=sys.stderr)
main()

#!/usr/bin/env python3
"""Index ../shared/corpus/library as a user would and score its queries with its own score.py.

Usage: eval_library.py BUILD_DIR [LIBRARY_DIR] [--target-lang] [--floors FILE] [--keep DIR]
          [--search-arg ARG]... [--index-arg ARG]...
Prints score.py's table (Success@1, Success@5, MRR@10 per category).
--target-lang: each query is searched with its category's target language named
(kavosh-search --lang: fa for en2fa and ru2fa, en for fa2en, ru for fa2ru, the
query's own language for fa, ru, en), as a user who wants Persian answers says
so; without it the queries are searched unfiltered, over all languages.  With --floors,
exits 1 when a main category's Success@1 is below its floor (lines: CATEGORY<TAB>FLOOR).
Exits 77 (ctest's skip) when the library is absent.  Nothing of the library is written
outside a temporary folder."""
import json, os, subprocess, sys, tempfile, shutil

def main():
    args = sys.argv[1:]
    floors = None
    keep = None
    if '--floors' in args:
        i = args.index('--floors'); floors = args[i + 1]; del args[i:i + 2]
    if '--keep' in args:
        i = args.index('--keep'); keep = args[i + 1]; del args[i:i + 2]
    target = '--target-lang' in args
    if target:
        args.remove('--target-lang')
    extra = []
    while '--search-arg' in args:
        i = args.index('--search-arg'); extra.append(args[i + 1]); del args[i:i + 2]
    index_extra = []
    while '--index-arg' in args:
        i = args.index('--index-arg'); index_extra.append(args[i + 1]); del args[i:i + 2]
    build = args[0]
    here = os.path.dirname(os.path.abspath(__file__))
    lib = args[1] if len(args) > 1 else os.path.normpath(
        os.path.join(here, '..', '..', '..', 'shared', 'corpus', 'library'))
    if not os.path.isfile(os.path.join(lib, 'queries.tsv')):
        print('library not found at %s: skipped' % lib)
        return 77
    bindir = os.path.join(build, 'bin')
    tmp = keep or tempfile.mkdtemp(prefix="kavosh-lib-")
    os.makedirs(tmp, exist_ok=True)
    try:
        db = os.path.join(tmp, 'lib.db')
        if not os.path.isdir(db):
            subprocess.run([os.path.join(bindir, 'kavosh-index'), '-q', '-d', db] + index_extra +
                           [os.path.join(lib, 'docs')], check=True)
        batches = {}
        with open(os.path.join(lib, 'queries.tsv'), encoding='utf-8') as f:
            next(f)
            for line in f:
                p = line.rstrip('\n').split('\t')
                if len(p) >= 3:
                    main_cat = p[1].split('-')[0]
                    lang = main_cat.split('2')[-1] if target else ''
                    batches.setdefault(lang, []).append('%s\t%s\n' % (p[0], p[2]))
        mode = 'target language named (--lang per category)' if target else 'unfiltered (all languages)'
        print('# %s' % mode)
        out_lines = []
        for lang, lines in sorted(batches.items()):
            qfile = os.path.join(tmp, 'queries%s.batch' % (('-' + lang) if lang else ''))
            with open(qfile, 'w', encoding='utf-8') as out:
                out.writelines(lines)
            cmd = [os.path.join(bindir, 'kavosh-search'), '-d', db, '-n', '10', '--json',
                   '--batch', qfile] + (['--lang=' + lang] if lang else []) + extra
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode not in (0, 1):
                sys.stderr.write(r.stderr)
                return 2
            out_lines.extend(r.stdout.splitlines())
        run = os.path.join(tmp, 'run.tsv')
        with open(run, 'w', encoding='utf-8') as out:
            for line in out_lines:
                rec = json.loads(line)
                if 'passage' not in rec or 'rank' not in rec:
                    continue
                path = rec.get('path') or rec.get('doc') or rec['passage'].split('#')[0]
                out.write('%s\t%d\t%s\t%s\n' % (rec['qid'], rec['rank'], os.path.basename(path),
                                                json.dumps(rec.get('text', ''), ensure_ascii=False)))
        s = subprocess.run([sys.executable, os.path.join(lib, 'score.py'),
                            os.path.join(lib, 'queries.tsv'), run], capture_output=True, text=True)
        sys.stdout.write(s.stdout)
        if s.returncode != 0:
            sys.stderr.write(s.stderr)
            return 2
        if floors:
            got = {}
            for line in s.stdout.splitlines():
                p = line.split()
                if len(p) >= 5:
                    try:
                        got[p[0]] = float(p[2])
                    except ValueError:
                        pass
            bad = 0
            with open(floors, encoding='utf-8') as f:
                for line in f:
                    if not line.strip() or line.startswith('#'):
                        continue
                    cat, fl = line.split('\t')[:2]
                    v = got.get(cat)
                    if v is None or v + 1e-9 < float(fl):
                        print('FLOOR: %s Success@1 %s below %s' % (cat, v, fl))
                        bad += 1
            if bad:
                return 1
        return 0
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)

sys.exit(main())

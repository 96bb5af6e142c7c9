#!/usr/bin/python3
"""Kavosh benchmark: indexing and batch-query speed and memory, with peers timed
in the same run on the same passages (SQLite FTS5, Xapian's own
TermGenerator/QueryParser through Debian's python3-xapian, and Lucene 8 with a
comparable fa/ru/en analysis chain through Debian's liblucene8-java), and one
query from a shell against Xapian's `quest`.

    tests/bench/bench.py [--build build] [--copies 200 | --mb 10] [--queries 2000]

The corpus is the bundled article copied --copies times (or as many times as
make --mb megabytes with the UDHR texts), each copy made unique so that
nothing is skipped as unchanged, plus the UDHR texts in three languages
(copied a tenth as often) when ../shared/corpus/udhr is present. Every
program gets the same paragraphs. kavosh-index runs with its default -j (one
worker per online CPU), Lucene with one indexing thread per online CPU; the
others have one writer. Figures are printed, never asserted: rerun and
compare. Needs: python3, python3-xapian, sqlite3 with FTS5 (Debian 12's has
it); for the Lucene rows javac and liblucene8-java (skipped without them).
"""
import argparse
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))


def paragraphs(text):
    """Blank-line separated blocks: the unit every program indexes."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def dir_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def run_child(argv, stdin=None, want_rss=False):
    """Run argv; return (seconds, stdout, stderr), and its peak RSS in KiB
    (from wait4) as a fourth item if want_rss."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=fo, stderr=fe)
        if stdin is not None:
            p.stdin.write(stdin.encode())
            p.stdin.close()
        _, status, usage = os.wait4(p.pid, 0)
        secs = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if p.returncode not in (0, 1):
        sys.exit(f"{argv[0]} failed ({p.returncode}): {err.decode(errors='replace')}")
    res = (secs, out.decode(errors="replace"), err.decode(errors="replace"))
    return res + (usage.ru_maxrss,) if want_rss else res


def in_process(fn):
    """Seconds and the growth of this process's peak RSS (KiB) while fn runs."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    result = fn()
    secs = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return secs, after - before, result


def lucene_classpath():
    """The jars LuceneBench.java needs, joined for -cp, or None."""
    if not shutil.which("javac") or not shutil.which("java"):
        return None
    jars = []
    for name in ("lucene-core", "lucene-analyzers-common", "lucene-queryparser"):
        found = sorted(f for f in os.listdir("/usr/share/java")
                       if f.startswith(name + "-") and f.endswith(".jar")) \
            if os.path.isdir("/usr/share/java") else []
        if not found:
            return None
        jars.append(os.path.join("/usr/share/java", found[-1]))
    return ":".join(jars)


def fts5_query(q):
    words = re.findall(r"\w+", q)
    return " OR ".join('"%s"' % w for w in words) if words else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"), help="build directory (bin/ inside)")
    ap.add_argument("--copies", type=int, default=200, help="copies of the article (default 200)")
    ap.add_argument("--mb", type=float, help="make the corpus about this many MB instead")
    ap.add_argument("--one-shot", type=int, default=30,
                    help="queries run one process each against quest (default 30)")
    ap.add_argument("--queries", type=int, default=2000, help="queries in the batch (default 2000)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--serial", action="store_true", help="also time kavosh-index -j 1")
    args = ap.parse_args()

    try:
        import xapian
    except ImportError:
        sys.exit("bench.py: needs python3-xapian (apt-get install python3-xapian)")
    kindex = os.path.join(args.build, "bin", "kavosh-index")
    ksearch = os.path.join(args.build, "bin", "kavosh-search")
    for b in (kindex, ksearch):
        if not os.access(b, os.X_OK):
            sys.exit(f"bench.py: {b} not found: build first (cmake --build {args.build})")

    tmp = tempfile.mkdtemp(prefix="kavosh-bench-")
    corpus = os.path.join(tmp, "corpus")
    os.mkdir(corpus)
    article = open(os.path.join(TOP, "corpus", "article.fa.md"), encoding="utf-8").read()
    udhr = os.path.join(TOP, "..", "shared", "corpus", "udhr")
    if args.mb:
        # One copy of the article and a tenth of a copy of each UDHR text.
        per = len(article.encode())
        for lang in ("fa", "ru", "en"):
            src = os.path.join(udhr, f"udhr.{lang}.md")
            if os.path.exists(src):
                per += os.path.getsize(src) / 10
        args.copies = max(1, round(args.mb * 1e6 / per))
    texts = []
    for i in range(args.copies):
        t = f"copy {i}\n\n" + article
        name = os.path.join(corpus, f"article-{i:05d}.md")
        open(name, "w", encoding="utf-8").write(t)
        texts.append(t)
    for lang in ("fa", "ru", "en"):
        src = os.path.join(udhr, f"udhr.{lang}.md")
        if os.path.exists(src):
            for i in range(max(1, args.copies // 10)):
                t = f"copy {i}\n\n" + open(src, encoding="utf-8").read()
                open(os.path.join(corpus, f"udhr-{lang}-{i:04d}.md"), "w", encoding="utf-8").write(t)
                texts.append(t)
    paras = [p for t in texts for p in paragraphs(t)]
    mb = sum(len(t.encode()) for t in texts) / 1e6

    qfiles = [os.path.join(TOP, "tests", "retrieval", f) for f in ("queries.tsv", "crosslang.tsv")]
    base_q = []
    for f in qfiles:
        if os.path.exists(f):
            for line in open(f, encoding="utf-8"):
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 3 and not line.startswith("#") and cols[0] != "id":
                    base_q.append(cols[2])
    queries = [base_q[i % len(base_q)] for i in range(args.queries)]

    print(f"corpus: {len(texts)} files, {mb:.1f} MB, {len(paras)} passages; "
          f"{len(queries)} queries ({len(base_q)} distinct) in one process, top 10")
    rows = []

    # Kavosh: a new index, by one worker per online CPU (its default).
    kdb = os.path.join(tmp, "kavosh.db")
    secs, _, err, rss = run_child([kindex, "-q", "-d", kdb, corpus], want_rss=True)
    rows.append(("kavosh-index", secs, rss, dir_size(kdb)))
    if args.serial:
        sdb = os.path.join(tmp, "kavosh-serial.db")
        secs, _, err, rss = run_child([kindex, "-q", "-j", "1", "-d", sdb, corpus], want_rss=True)
        rows.append(("kavosh-index -j 1", secs, rss, dir_size(sdb)))
        shutil.rmtree(sdb)

    # SQLite FTS5 (unicode61 tokenizer, its default).
    fdb = os.path.join(tmp, "fts5.db")

    def fts5_index():
        con = sqlite3.connect(fdb)
        con.execute("CREATE VIRTUAL TABLE p USING fts5(text)")
        con.executemany("INSERT INTO p(text) VALUES (?)", ((p,) for p in paras))
        con.commit()
        con.close()
    secs, rss, _ = in_process(fts5_index)
    rows.append(("sqlite fts5", secs, rss, os.path.getsize(fdb)))

    # Xapian TermGenerator with the english stemmer, as xapian's own examples do.
    xdb = os.path.join(tmp, "xapian.db")

    def xapian_index():
        db = xapian.WritableDatabase(xdb, xapian.DB_CREATE_OR_OVERWRITE)
        tg = xapian.TermGenerator()
        tg.set_stemmer(xapian.Stem("english"))
        for p in paras:
            doc = xapian.Document()
            tg.set_document(doc)
            tg.index_text(p)
            doc.set_data(p)
            db.add_document(doc)
        db.commit()
        db.close()
    secs, rss, _ = in_process(xapian_index)
    rows.append(("xapian termgenerator", secs, rss, dir_size(xdb)))

    # Lucene 8, compiled here from LuceneBench.java.
    lucene = lucene_classpath()
    ldb = os.path.join(tmp, "lucene.idx")
    pfile = os.path.join(tmp, "paragraphs.txt")
    qfile = os.path.join(tmp, "queries.txt")
    if lucene:
        with open(pfile, "w", encoding="utf-8") as f:
            for p in paras:
                f.write(" ".join(p.split()) + "\n")
        with open(qfile, "w", encoding="utf-8") as f:
            for q in queries:
                f.write(" ".join(q.split()) + "\n")
        classes = os.path.join(tmp, "lucene-classes")
        os.mkdir(classes)
        subprocess.run(["javac", "-nowarn", "-cp", lucene, "-d", classes,
                        os.path.join(HERE, "LuceneBench.java")], check=True)
        lcp = classes + ":" + lucene
        secs, out, _, rss = run_child(["java", "-cp", lcp, "LuceneBench", "index", ldb, pfile],
                                      want_rss=True)
        rows.append((f"lucene 8 ({os.cpu_count()} threads)", secs, rss, dir_size(ldb)))
    else:
        print("lucene: skipped (needs javac and liblucene8-java)")

    k = rows[0][1]
    print("\nindexing                   seconds     MB/s   peak RSS MiB   index MB  index/input"
          "  MB/s vs kavosh")
    for name, secs, rss, size in rows:
        print(f"{name:26s} {secs:8.2f} {mb / secs:8.2f} {rss / 1024:14.1f} {size / 1e6:10.1f}"
              f" {size / 1e6 / mb:11.2f}x {k / secs:13.2f}x")
    print("(kavosh and lucene: the whole process, JVM start included; fts5 and xapian: the "
          "indexing loop in this python process, RSS its growth)")

    # Queries, one process each, top 10.
    qrows = []
    batch = "".join(f"{i}\t{q}\n" for i, q in enumerate(queries))
    secs, out, err = run_child([ksearch, "-d", kdb, "--json", "-n", "10", "--timing", "--batch", "-"], batch)
    m = re.search(r"latency p50 ([\d.]+) ms, p99 ([\d.]+) ms", err)
    p50, p99 = (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))
    qrows.append(("kavosh-search --json", secs, p50, p99))
    secs, out, err = run_child([ksearch, "-d", kdb, "--tsv", "-n", "10", "--timing", "--batch", "-"], batch)
    m = re.search(r"latency p50 ([\d.]+) ms, p99 ([\d.]+) ms", err)
    p50, p99 = (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))
    qrows.append(("kavosh-search --tsv", secs, p50, p99))

    def timed_each(fn):
        lat = []
        t0 = time.monotonic()
        for q in queries:
            s = time.monotonic()
            fn(q)
            lat.append((time.monotonic() - s) * 1e3)
        total = time.monotonic() - t0
        lat.sort()
        return total, lat[len(lat) // 2], lat[int((len(lat) - 1) * 0.99)]

    con = sqlite3.connect(fdb)

    def fts5_search(q):
        mq = fts5_query(q)
        if mq:
            con.execute("SELECT rowid, bm25(p), snippet(p, 0, '[', ']', '…', 20) FROM p "
                        "WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10", (mq,)).fetchall()
    qrows.append(("sqlite fts5",) + timed_each(fts5_search))
    con.close()

    xd = xapian.Database(xdb)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_database(xd)

    def xapian_search(q):
        enq = xapian.Enquire(xd)
        try:
            enq.set_query(qp.parse_query(q))
        except xapian.QueryParserError:
            return
        for m in enq.get_mset(0, 10):
            m.document.get_data()
    qrows.append(("xapian queryparser",) + timed_each(xapian_search))

    if lucene:
        _, out, _ = run_child(["java", "-cp", lcp, "LuceneBench", "search", ldb, qfile])
        m = re.search(r"search \d+ queries ([\d.]+) s p50 ([\d.]+) p99 ([\d.]+)", out)
        if m:
            qrows.append(("lucene 8 queryparser", float(m.group(1)), float(m.group(2)),
                          float(m.group(3))))

    k = qrows[0][1]
    print("\nqueries                 seconds  queries/s   p50 ms   p99 ms   q/s vs kavosh --json")
    for name, secs, p50, p99 in qrows:
        print(f"{name:22s} {secs:8.2f} {len(queries) / secs:10.0f} {p50:8.3f} {p99:8.3f}   {k / secs:6.2f}x")
    print("\nkavosh-search's time includes starting the process and loading the glossary, and "
          "with --json making a highlighted snippet per hit (--tsv makes none); the peers' is the "
          "query loop alone (FTS5 with snippet(), Lucene and Xapian reading each hit's text).")

    # One query from a shell: a process per query, kavosh-search against quest.
    shots = [q for q in dict.fromkeys(queries)][:args.one_shot]
    if shots and shutil.which("quest"):
        def shell_ms(argv_of):
            t = []
            for q in shots:
                s0 = time.monotonic()
                subprocess.run(argv_of(q), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                t.append((time.monotonic() - s0) * 1e3)
            t.sort()
            return statistics.mean(t), t[len(t) // 2]
        kmean, kmed = shell_ms(lambda q: [ksearch, "-d", kdb, "-n", "10", q])
        qmean, qmed = shell_ms(lambda q: ["quest", "-d", kdb, "-m", "10", q])
        print(f"\none query from a shell ({len(shots)} queries, a process each): kavosh-search "
              f"mean {kmean:.1f} ms (median {kmed:.1f}), quest on the same index mean {qmean:.1f} ms "
              f"(median {qmed:.1f}): {kmean / qmean:.2f}x")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Kavosh benchmark: indexing and batch-query speed and memory, with peers timed
in the same run on the same passages (SQLite FTS5 and Xapian's own
TermGenerator/QueryParser, through Debian's python3-xapian).

    tests/bench/bench.py [--build build] [--copies 200] [--queries 2000]

The corpus is the bundled article copied --copies times (each copy made unique
so that nothing is skipped as unchanged), plus the UDHR texts in three
languages when ../shared/corpus/udhr is present. Every program gets the same
paragraphs. Figures are printed, never asserted: rerun and compare.
Needs: python3, python3-xapian, sqlite3 with FTS5 (Debian 12's has it).
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


def run_child(argv, stdin=None):
    """Run argv; return (seconds, stdout, stderr)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(stdin.encode() if stdin is not None else None)
    secs = time.monotonic() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"{argv[0]} failed ({p.returncode}): {err.decode(errors='replace')}")
    return secs, out.decode(errors="replace"), err.decode(errors="replace")


def child_peak_kib(argv, stdin=None):
    """Peak RSS of one run of argv, from wait4's rusage."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if stdin is not None:
        p.stdin.write(stdin.encode())
        p.stdin.close()
    _, _, usage = os.wait4(p.pid, 0)
    return usage.ru_maxrss


def in_process(fn):
    """Seconds and the growth of this process's peak RSS (KiB) while fn runs."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    result = fn()
    secs = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return secs, after - before, result


def fts5_query(q):
    words = re.findall(r"\w+", q)
    return " OR ".join('"%s"' % w for w in words) if words else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(TOP, "build"), help="build directory (bin/ inside)")
    ap.add_argument("--copies", type=int, default=200, help="copies of the article (default 200)")
    ap.add_argument("--queries", type=int, default=2000, help="queries in the batch (default 2000)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
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
    texts = []
    for i in range(args.copies):
        t = f"copy {i}\n\n" + article
        name = os.path.join(corpus, f"article-{i:05d}.md")
        open(name, "w", encoding="utf-8").write(t)
        texts.append(t)
    udhr = os.path.join(TOP, "..", "shared", "corpus", "udhr")
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

    # Kavosh
    kdb = os.path.join(tmp, "kavosh.db")
    secs, _, err = run_child([kindex, "-q", "-d", kdb, corpus])
    rss = child_peak_kib([kindex, "-q", "--rebuild", "-d", os.path.join(tmp, "kavosh2.db"), corpus])
    rows.append(("kavosh-index", secs, rss, dir_size(kdb)))

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

    k = rows[0][1]
    print("\nindexing               seconds     MB/s   peak RSS MiB   index MB   time vs kavosh")
    for name, secs, rss, size in rows:
        print(f"{name:22s} {secs:8.2f} {mb / secs:8.1f} {rss / 1024:14.1f} {size / 1e6:10.1f}   {secs / k:6.2f}x")

    # Queries, one process each, top 10.
    qrows = []
    batch = "".join(f"{i}\t{q}\n" for i, q in enumerate(queries))
    secs, out, err = run_child([ksearch, "-d", kdb, "--json", "-n", "10", "--timing", "--batch", "-"], batch)
    m = re.search(r"latency p50 ([\d.]+) ms, p99 ([\d.]+) ms", err)
    p50, p99 = (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))
    qrows.append(("kavosh-search --batch", secs, p50, p99))

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

    k = qrows[0][1]
    print("\nqueries                 seconds  queries/s   p50 ms   p99 ms   time vs kavosh")
    for name, secs, p50, p99 in qrows:
        print(f"{name:22s} {secs:8.2f} {len(queries) / secs:10.0f} {p50:8.3f} {p99:8.3f}   {secs / k:6.2f}x")
    print("\nkavosh-search's time includes starting the process, loading the glossary and making "
          "a highlighted snippet per hit; the peers' is the query loop alone (FTS5 with snippet()).")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

/*
 * LuceneBench.java - the Lucene 8 peer of tests/bench/bench.py: indexes the
 * same paragraphs with an analysis chain comparable to Kavosh's (Unicode
 * word breaking, lower case, Arabic/Persian normalization, digits folded,
 * fa/ru/en stop words, and every word indexed both exact and stemmed with
 * the English and Russian stemmers, positions kept, the text stored), with
 * one indexing thread per online CPU; then runs the query batch with
 * Lucene's classic QueryParser (OR of the words) for the top 10, reading
 * each hit's stored text. Compiled and run by bench.py:
 *
 *   javac -cp LUCENE_JARS -d OUT LuceneBench.java
 *   java -cp OUT:LUCENE_JARS LuceneBench index INDEXDIR PARAGRAPHS
 *   java -cp OUT:LUCENE_JARS LuceneBench search INDEXDIR QUERIES
 *
 * PARAGRAPHS and QUERIES are UTF-8, one paragraph or query a line. Prints
 * one line of figures on standard output.
 */
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ar.ArabicNormalizationFilter;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.fa.PersianAnalyzer;
import org.apache.lucene.analysis.fa.PersianNormalizationFilter;
import org.apache.lucene.analysis.miscellaneous.KeywordRepeatFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.ru.RussianLightStemFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

public class LuceneBench {
    /** fa, ru and en: the three languages Kavosh analyses. */
    static final class MultiAnalyzer extends Analyzer {
        private final CharArraySet stop;

        MultiAnalyzer() {
            stop = new CharArraySet(1024, true);
            stop.addAll(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
            stop.addAll(RussianAnalyzer.getDefaultStopSet());
            stop.addAll(PersianAnalyzer.getDefaultStopSet());
        }

        @Override
        protected TokenStreamComponents createComponents(String field) {
            Tokenizer src = new StandardTokenizer();
            TokenStream ts = new LowerCaseFilter(src);
            ts = new DecimalDigitFilter(ts);
            ts = new ArabicNormalizationFilter(ts);
            ts = new PersianNormalizationFilter(ts);
            ts = new StopFilter(ts, stop);
            ts = new KeywordRepeatFilter(ts);
            ts = new PorterStemFilter(ts);
            ts = new RussianLightStemFilter(ts);
            ts = new RemoveDuplicatesTokenFilter(ts);
            return new TokenStreamComponents(src, ts);
        }
    }

    static List<String> lines(String path) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(Paths.get(path), StandardCharsets.UTF_8)) {
            String l;
            while ((l = r.readLine()) != null)
                out.add(l);
        }
        return out;
    }

    static void index(String dir, String paras) throws Exception {
        List<String> docs = lines(paras);
        long t0 = System.nanoTime();
        IndexWriterConfig cfg = new IndexWriterConfig(new MultiAnalyzer());
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        cfg.setRAMBufferSizeMB(64);
        int threads = Runtime.getRuntime().availableProcessors();
        try (FSDirectory d = FSDirectory.open(Paths.get(dir));
             IndexWriter w = new IndexWriter(d, cfg)) {
            AtomicInteger next = new AtomicInteger();
            Thread[] pool = new Thread[threads];
            final Exception[] failure = new Exception[1];
            for (int k = 0; k < threads; k++) {
                pool[k] = new Thread(() -> {
                    try {
                        int i;
                        while ((i = next.getAndIncrement()) < docs.size()) {
                            Document doc = new Document();
                            doc.add(new TextField("text", docs.get(i), Field.Store.YES));
                            w.addDocument(doc);
                        }
                    } catch (Exception e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                    }
                });
                pool[k].start();
            }
            for (Thread t : pool)
                t.join();
            if (failure[0] != null)
                throw failure[0];
            w.commit();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("index %d docs %d threads %.3f s%n", docs.size(), threads, secs);
    }

    static void search(String dir, String queries) throws Exception {
        List<String> qs = lines(queries);
        try (FSDirectory d = FSDirectory.open(Paths.get(dir));
             DirectoryReader reader = DirectoryReader.open(d)) {
            IndexSearcher s = new IndexSearcher(reader);
            QueryParser qp = new QueryParser("text", new MultiAnalyzer());
            double[] lat = new double[qs.size()];
            long t0 = System.nanoTime();
            for (int i = 0; i < qs.size(); i++) {
                long a = System.nanoTime();
                try {
                    Query q = qp.parse(QueryParser.escape(qs.get(i)));
                    TopDocs top = s.search(q, 10);
                    for (ScoreDoc sd : top.scoreDocs)
                        s.doc(sd.doc).get("text");
                } catch (ParseException e) {
                    // A query of stop words only: no hits, as for the peers.
                }
                lat[i] = (System.nanoTime() - a) / 1e6;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Arrays.sort(lat);
            double p50 = lat.length > 0 ? lat[(lat.length - 1) / 2] : 0;
            double p99 = lat.length > 0 ? lat[(int) ((lat.length - 1) * 0.99)] : 0;
            System.out.printf("search %d queries %.3f s p50 %.3f p99 %.3f%n", qs.size(), secs, p50,
                              p99);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("index") || args[0].equals("search"))) {
            System.err.println("usage: LuceneBench index|search INDEXDIR FILE");
            System.exit(2);
        }
        if (args[0].equals("index"))
            index(args[1], args[2]);
        else
            search(args[1], args[2]);
    }
}

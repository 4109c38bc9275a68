package run.ats.verifier.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import run.ats.verifier.testsupport.KmsSite;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The crawler parses what the origin serves on the scheduler it is given, never on an event loop. */
class CrawlerParsingTest {

    private static final KmsSite SITE = KmsSite.start();

    @AfterAll
    static void stopSite() {
        SITE.close();
    }

    @Test
    void pagesAndScriptsAreParsedOffTheEventLoops() {
        // A hostile script next to the real ones: 20 KB of what froze the old regular expressions.
        SITE.put("assets/hostile.js", "import" + " ".repeat(20_000));
        SITE.put("index.html", SITE.entryPage("<script src=\"/assets/hostile.js\"></script>"));
        AtomicInteger parses = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(1, task -> new Thread(task, "test-parse"));
        Scheduler counted = Schedulers.fromExecutor(task -> {
            parses.incrementAndGet();
            threads.execute(task);
        });
        try {
            SiteFetcher fetcher = new SiteFetcher(AddressPolicy.publicOnly(true), 1 << 20, Duration.ofSeconds(5), 3,
                    Schedulers.boundedElastic());
            Deployment deployment = new DeploymentCrawler(fetcher, 50, counted).crawl(SITE.origin()).block(Duration.ofSeconds(20));
            assertThat(deployment.files()).containsKeys("index.html", "assets/kms-1.js", "assets/worker-1.js", "assets/hostile.js");
            // The page, then each of the three scripts.
            assertThat(parses.get()).isEqualTo(4);
        } finally {
            threads.shutdownNow();
        }
    }
}

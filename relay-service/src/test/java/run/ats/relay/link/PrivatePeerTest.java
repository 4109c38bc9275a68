package run.ats.relay.link;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import run.ats.protocol.wire.LinkMessage;
import run.ats.relay.directory.DirectoryHolder;
import run.ats.relay.identity.RelayIdentity;
import run.ats.relay.testsupport.TokenMint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outside a local run, a listed relay whose URL names an internal address is never contacted: a
 * newer directory version it announces is not fetched from it (with the local-run setting it is:
 * {@link LinkLimitsTest}). The address rule itself is {@link PublicAddressesTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ats.relay.main-url=http://127.0.0.1:9",
        "ats.relay.enroll=false"})
class PrivatePeerTest {

    private static final TokenMint MINT = new TokenMint("main-key-1");
    private static final java.util.concurrent.atomic.AtomicLong VERSIONS = new java.util.concurrent.atomic.AtomicLong(10);
    private FakePeer peer;

    @LocalServerPort
    int port;
    @Autowired
    DirectoryHolder directory;
    @Autowired
    RelayIdentity identity;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("relay-private-peer-test");
        registry.add("ats.relay.jwks-file", () -> MINT.writeJwks(dir).toString());
        registry.add("ats.relay.key-file", () -> dir.resolve("relay.key").toString());
        registry.add("ats.relay.directory-key", FakePeer::directoryKey);
    }

    @AfterEach
    void close() {
        peer.close();
    }

    @Test
    void aPeerListedAtALoopbackAddressIsNotFetchedFrom() throws Exception {
        long version = VERSIONS.addAndGet(10);
        peer = new FakePeer(directory, identity, "127.0.0.1", version).link(port);
        peer.send(new LinkMessage.DirectoryVersion(version + 1));
        Thread.sleep(1500);
        assertThat(peer.directoryFetches()).isZero();
    }

    @Test
    void aPeerListedAsLocalhostIsNotFetchedFrom() throws Exception {
        long version = VERSIONS.addAndGet(10);
        peer = new FakePeer(directory, identity, "peer.relays.localhost", version).link(port);
        peer.send(new LinkMessage.DirectoryVersion(version + 1));
        Thread.sleep(1500);
        assertThat(peer.directoryFetches()).isZero();
    }
}

package run.ats.relay.directory;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.protocol.directory.SignedDirectory;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A relay holds only versions signed by the pinned key, and only newer ones, whoever offers them. */
class DirectoryHolderTest {

    @Test
    void forgedOlderAndUnpinnedVersionsAreRefused() throws Exception {
        KeyPair directoryKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair forger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        List<DirectoryEntry> relays = List.of(DirectoryEntry.of(relay.getPublic(), "ws://127.0.0.1:1/v1/ws", 4));
        DirectoryHolder holder = new DirectoryHolder(new SimpleMeterRegistry());

        SignedDirectory v2 = SignedDirectory.sign(new Directory(2, 0, 3, relays), directoryKey.getPrivate());
        assertThat(holder.offer(v2)).as("nothing pinned yet").isFalse();

        holder.pin(directoryKey.getPublic());
        assertThat(holder.offer(v2)).isTrue();
        assertThat(holder.offer(SignedDirectory.sign(new Directory(9, 0, 3, List.of()), forger.getPrivate()))).as("forged").isFalse();
        assertThat(holder.offer(SignedDirectory.sign(new Directory(1, 0, 3, List.of()), directoryKey.getPrivate()))).as("older").isFalse();
        assertThat(holder.offer(v2)).as("the same again").isFalse();
        assertThat(holder.newest().orElseThrow().directory().version()).isEqualTo(2);
        assertThat(holder.offer(SignedDirectory.sign(new Directory(3, 0, 3, List.of()), directoryKey.getPrivate()))).isTrue();
    }
}

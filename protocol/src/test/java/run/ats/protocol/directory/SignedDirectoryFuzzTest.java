package run.ats.protocol.directory;

import com.code_intelligence.jazzer.junit.FuzzTest;
import run.ats.protocol.crypto.Ed25519;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directory versions as anyone may deliver them (a peer relay gossips them): parsing ends in a value or an {@link InvalidDirectoryException};
 * a parsed value survives its canonical form unchanged; checking a signature answers yes or no,
 * the same for both forms; and the roots relays compute from a parsed directory are among its
 * relays. Keys and seeds come from the committed vectors ({@code vectors/signed-directory.json}).
 */
class SignedDirectoryFuzzTest {

    private static final JsonNode VECTORS = vectors();
    private static final PublicKey DIRECTORY_KEY = key("directory_public_hex");

    @FuzzTest(maxDuration = "20s")
    void signedDirectories(byte[] input) {
        SignedDirectory parsed;
        try {
            parsed = SignedDirectory.parse(new String(input, StandardCharsets.UTF_8));
        } catch (InvalidDirectoryException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        String canonical = parsed.toJson();
        SignedDirectory again = parseDirectory(canonical);
        assertThat(again).isEqualTo(parsed);
        assertThat(again.toJson()).isEqualTo(canonical);
        assertThat(verifies(again)).isEqualTo(verifies(parsed));

        Directory directory = parsed.directory();
        List<String> ids = directory.relays().stream().map(DirectoryEntry::relayId).toList();
        List<String> roots = directory.roots("tEitVHIzQk6ySa64HU4pR4", "dqcj");
        assertThat(roots).hasSizeLessThanOrEqualTo(directory.rootsPerTree()).doesNotHaveDuplicates();
        assertThat(ids).containsAll(roots);
    }

    private static boolean verifies(SignedDirectory directory) {
        try {
            directory.verifiedWith(DIRECTORY_KEY);
            return true;
        } catch (InvalidDirectoryException notSigned) {
            return false;
        }
    }

    private static SignedDirectory parseDirectory(String canonical) {
        try {
            return SignedDirectory.parse(canonical);
        } catch (InvalidDirectoryException e) {
            throw new AssertionError("the canonical form of a parsed directory is refused: " + e.getMessage() + " in " + canonical, e);
        }
    }

    static PublicKey key(String field) {
        return Ed25519.publicKey(HexFormat.of().parseHex(VECTORS.get(field).asString()));
    }

    private static JsonNode vectors() {
        try (InputStream in = SignedDirectoryFuzzTest.class.getResourceAsStream("/vectors/signed-directory.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

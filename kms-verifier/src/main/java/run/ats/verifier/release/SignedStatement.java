package run.ats.verifier.release;

import run.ats.protocol.crypto.Ed25519;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A statement's exact bytes and a release key's Ed25519 signature over them (domain
 * {@value #DOMAIN}). The log entry is {@link #leafData()}: a fixed text form, so auditors can
 * recompute the leaf hash without any JSON canonicalisation.
 */
public record SignedStatement(byte[] statement, byte[] signature) {

    public static final String DOMAIN = "ats-kms-statement-v1";
    public static final int MAX_STATEMENT_BYTES = 128 * 1024;
    private static final String ENTRY_HEADER = "ats-kms-log-entry-v1\n";
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    public SignedStatement {
        statement = statement.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] statement() {
        return statement.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public static SignedStatement sign(byte[] statement, PrivateKey key) {
        return new SignedStatement(statement, Ed25519.sign(key, Ed25519.domainSeparated(DOMAIN, statement)));
    }

    /** From the base64 fields of a request; malformed base64 is an {@link InvalidStatementException}. */
    public static SignedStatement fromBase64(String statement, String signature) {
        try {
            return new SignedStatement(Base64.getDecoder().decode(statement), Base64.getDecoder().decode(signature));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidStatementException("statement and signature are standard base64");
        }
    }

    /** Whether one of {@code keys} signed it. */
    public boolean signedByAnyOf(List<PublicKey> keys) {
        byte[] message = Ed25519.domainSeparated(DOMAIN, statement);
        return keys.stream().anyMatch(key -> Ed25519.verify(key, message, signature));
    }

    /** The statement, parsed and checked; an {@link InvalidStatementException} says what is wrong. */
    public Statement parse() {
        if (statement.length > MAX_STATEMENT_BYTES) {
            throw new InvalidStatementException("a statement has at most " + MAX_STATEMENT_BYTES + " bytes");
        }
        try {
            JsonNode tree = JSON.readTree(statement);
            String type = tree.path("type").asString("");
            return switch (type) {
                case "release" -> JSON.treeToValue(tree, Statement.Release.class);
                case "deprecation" -> JSON.treeToValue(tree, Statement.Deprecation.class);
                default -> throw new InvalidStatementException("type is 'release' or 'deprecation'");
            };
        } catch (JacksonException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidStatementException invalid) {
                throw invalid;
            }
            throw new InvalidStatementException("not a statement: " + e.getOriginalMessage());
        }
    }

    public byte[] leafData() {
        return (ENTRY_HEADER + Base64.getEncoder().encodeToString(statement) + "\n"
                + Base64.getEncoder().encodeToString(signature) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    public static SignedStatement fromLeafData(byte[] data) {
        String text = new String(data, StandardCharsets.US_ASCII);
        String[] lines = text.split("\n", -1);
        if (!text.startsWith(ENTRY_HEADER) || lines.length != 4 || !lines[3].isEmpty()) {
            throw new InvalidStatementException("not an ats-kms-log-entry-v1 entry");
        }
        SignedStatement entry = fromBase64(lines[1], lines[2]);
        // One spelling per entry: the decoder also takes base64 with stray bits in its last character.
        if (!Arrays.equals(entry.leafData(), data)) {
            throw new InvalidStatementException("an entry's lines are canonical base64");
        }
        return entry;
    }
}

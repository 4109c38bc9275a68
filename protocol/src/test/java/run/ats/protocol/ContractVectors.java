package run.ats.protocol;

import com.nimbusds.jose.util.JSONObjectUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

/**
 * The golden values of the ATS contract, from the committed copy in
 * {@code src/test/resources/vectors/ats-contract.json}. Every implementation of the contract
 * (Java services, the PWA) must reproduce them.
 */
public final class ContractVectors {

    private static final String RESOURCE = "/vectors/ats-contract.json";

    private ContractVectors() {
    }

    public record TopicTagCase(String name, String tag) {
    }

    public record RelayIdCase(String ed25519PublicHex, String relayId) {
    }

    public record GeohashCase(double lat, double lon, String geohash) {
    }

    public static List<TopicTagCase> topicTags() {
        return list(load().get("topic_tags")).stream()
                .map(ContractVectors::object)
                .map(o -> new TopicTagCase((String) o.get("name"), (String) o.get("tag")))
                .toList();
    }

    public static RelayIdCase relayId() {
        Map<String, Object> o = object(load().get("relay_id"));
        return new RelayIdCase((String) o.get("ed25519_public_hex"), (String) o.get("relay_id"));
    }

    public static List<GeohashCase> geohashes() {
        return list(load().get("geohash")).stream()
                .map(ContractVectors::object)
                .map(o -> new GeohashCase(
                        ((Number) o.get("lat")).doubleValue(), ((Number) o.get("lon")).doubleValue(), (String) o.get("geohash")))
                .toList();
    }

    private static Map<String, Object> load() {
        try (InputStream in = ContractVectors.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath");
            }
            return JSONObjectUtils.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParseException e) {
            throw new IllegalStateException(RESOURCE + " is not valid JSON", e);
        }
    }

    private static List<?> list(Object value) {
        return (List<?>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return (Map<String, Object>) value;
    }
}

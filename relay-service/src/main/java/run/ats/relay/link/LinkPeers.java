package run.ats.relay.link;

import org.springframework.stereotype.Component;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.protocol.wire.LinkCodec;
import run.ats.relay.directory.DirectoryHolder;
import run.ats.relay.identity.RelayIdentity;

import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Who a peer relay is: only relays listed in the signed directory this relay holds may link,
 * and each proves its key by signing the other's fresh nonce ({@link LinkCodec#proof}).
 */
@Component
public final class LinkPeers {

    private final DirectoryHolder directory;
    private final RelayIdentity identity;
    /** Seeded once; nonces drawn on event loops never read the entropy device. */
    private final SecureRandom random;

    LinkPeers(DirectoryHolder directory, RelayIdentity identity) throws NoSuchAlgorithmException {
        this.directory = directory;
        this.identity = identity;
        this.random = SecureRandom.getInstance("DRBG");
        this.random.nextBytes(new byte[32]);
    }

    String myId() {
        return identity.relayId();
    }

    String nonce() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Our signature answering {@code challengerId}'s nonce. */
    String prove(String nonce, String challengerId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.sign(
                identity.keys().getPrivate(), LinkCodec.proof(nonce, challengerId, identity.relayId())));
    }

    /** Whether {@code proverId} is a listed relay whose key signed our {@code nonce}. */
    boolean verify(String proverId, String nonce, String signature) {
        Optional<DirectoryEntry> peer = entry(proverId);
        if (peer.isEmpty() || proverId.equals(identity.relayId())) {
            return false;
        }
        try {
            return Ed25519.verify(peer.get().key(), LinkCodec.proof(nonce, identity.relayId(), proverId),
                    Base64.getUrlDecoder().decode(signature));
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    Optional<DirectoryEntry> entry(String relayId) {
        return directory.newest().flatMap(signed -> signed.directory().relay(relayId));
    }

    /** The peer's link endpoint: its public URL with the path {@code /v1/link}. */
    Optional<URI> linkUrl(String relayId) {
        return entry(relayId).map(e -> URI.create(e.url()).resolve("/v1/link"));
    }

    /** The peer's {@code GET /v1/directory}, for gossip. */
    Optional<URI> directoryUrl(String relayId) {
        return entry(relayId).map(e -> URI.create(e.url().replaceFirst("^ws", "http")).resolve("/v1/directory"));
    }
}

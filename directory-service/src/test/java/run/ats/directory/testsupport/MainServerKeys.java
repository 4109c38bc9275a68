package run.ats.directory.testsupport;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Stands in for the main server at its one boundary with the directory: an ES256 key published
 * at {@code /.well-known/jwks.json} over HTTP on loopback, and service tokens signed with it.
 */
public final class MainServerKeys implements AutoCloseable {

    private final ECKey key;
    private final HttpServer server;

    public MainServerKeys() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("main-1").algorithm(JWSAlgorithm.ES256).generate();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/.well-known/jwks.json", exchange -> {
            byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A service token for {@code audience}, valid for five minutes. */
    public String serviceToken(String audience) {
        return sign(key, audience, Instant.now().plus(Duration.ofMinutes(5)));
    }

    public String expiredServiceToken(String audience) {
        return sign(key, audience, Instant.now().minus(Duration.ofMinutes(5)));
    }

    /** A well-formed token under a key the main server never published. */
    public static String foreignServiceToken(String audience) throws Exception {
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("main-1").algorithm(JWSAlgorithm.ES256).generate();
        return sign(other, audience, Instant.now().plus(Duration.ofMinutes(5)));
    }

    private static String sign(ECKey key, String audience, Instant expires) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer("http://main.test").subject("main-server").audience(audience)
                    .issueTime(new Date()).expirationTime(Date.from(expires)).jwtID(UUID.randomUUID().toString())
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

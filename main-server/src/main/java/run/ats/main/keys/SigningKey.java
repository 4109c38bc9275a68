package run.ats.main.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.security.SecureRandom;

/** One ES256 key pair with its {@code kid} (the RFC 7638 thumbprint). */
public record SigningKey(String kid, ECKey jwk, long createdMs) {

    /** Signs {@code claims} as a JWT with {@code kid} and {@code typ: JWT} in the header. */
    public String sign(JWTClaimsSet claims, SecureRandom random) {
        try {
            ECDSASigner signer = new ECDSASigner(jwk);
            signer.getJCAContext().setSecureRandom(random);
            JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(JOSEObjectType.JWT).build();
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with key " + kid + " failed", e);
        }
    }
}

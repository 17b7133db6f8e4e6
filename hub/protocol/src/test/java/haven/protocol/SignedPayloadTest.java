package haven.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one canonical form the coordinator signs, and the check a hub runs before it acts (docs/asyncapi.yaml). */
class SignedPayloadTest {
    private static final String ACK = "haven/v1/school/year5/cmd/ack";
    private final CoordinatorSigner coordinator = CoordinatorSigner.generate();
    private final SignatureVerifier hub = new SignatureVerifier(coordinator.publicKey());

    private static byte[] ack(String report) {
        ObjectNode args = Json.object().put("report", report).put("incident", 7);
        return new Command("0190d5a0-0000-7000-8000-000000000001", Instant.parse("2026-12-02T09:00:00Z"), CommandName.ACK,
                "coordinator", "dsl", args).encode();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theCanonicalFormIsContextTopicLengthTopicAndSortedCompactJson() {
        byte[] canonical = SignedPayload.canonical("haven/v1/s/r/cmd/ack",
                Json.parse(bytes("{ \"b\": 1, \"a\": {\"z\": true, \"y\": \"x\"}, \"sig\": {\"key\": \"k\"} }")));

        assertEquals("haven-sig-v1\n20\nhaven/v1/s/r/cmd/ack\n{\"a\":{\"y\":\"x\",\"z\":true},\"b\":1}",
                new String(canonical, StandardCharsets.UTF_8));
    }

    @Test
    void fieldOrderAndWhitespaceDoNotChangeTheCanonicalForm() {
        assertArrayEquals(SignedPayload.canonical(ACK, Json.parse(bytes("{\"a\":1,\"b\":[1,{\"d\":2,\"c\":3}]}"))),
                SignedPayload.canonical(ACK, Json.parse(bytes("{ \"b\" : [ 1 , { \"c\":3, \"d\":2 } ], \"a\" : 1 }"))));
    }

    @Test
    void theTopicIsPartOfWhatIsSigned() {
        assertNotEquals(new String(SignedPayload.canonical(ACK, Json.parse(ack("r")))),
                new String(SignedPayload.canonical("haven/v1/school/year6/cmd/ack", Json.parse(ack("r")))));
    }

    @Test
    void aSignedCommandVerifiesAndComesBackWithoutItsSignature() throws Exception {
        byte[] signed = coordinator.sign(ACK, ack("r-1"));

        byte[] unsigned = hub.verify(ACK, signed);

        assertFalse(Json.parse(unsigned).has(SignedPayload.FIELD));
        assertEquals(Command.decode(ACK, ack("r-1")), Command.decode(ACK, unsigned));
        assertEquals(coordinator.publicKey().id(), Json.parse(signed).path("sig").path("key").asText());
    }

    @Test
    void anUnsignedCommandIsRefusedAsUnsigned() {
        assertEquals(SignatureVerifier.Reason.UNSIGNED, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify(ACK, ack("r-1"))).reason());
        assertEquals(SignatureVerifier.Reason.UNSIGNED, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify(ACK, new byte[0])).reason());
    }

    @Test
    void aCommandSignedByAnotherKeyIsRefusedAsOtherKey() {
        byte[] forged = CoordinatorSigner.generate().sign(ACK, ack("r-1"));

        assertEquals(SignatureVerifier.Reason.OTHER_KEY, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify(ACK, forged)).reason());
    }

    @Test
    void anotherKeysSignatureUnderOurKeyIdIsRefusedAsBad() {
        ObjectNode forged = (ObjectNode) Json.parse(CoordinatorSigner.generate().sign(ACK, ack("r-1")));
        ((ObjectNode) forged.get("sig")).put("key", coordinator.publicKey().id());

        assertEquals(SignatureVerifier.Reason.BAD_SIGNATURE, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify(ACK, bytes(Json.write(forged)))).reason());
    }

    @Test
    void aChangedFieldOrAnotherTopicBreaksTheSignature() {
        ObjectNode changed = (ObjectNode) Json.parse(coordinator.sign(ACK, ack("r-1")));
        changed.put("report", "r-2");

        assertEquals(SignatureVerifier.Reason.BAD_SIGNATURE, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify(ACK, bytes(Json.write(changed)))).reason());
        byte[] genuine = coordinator.sign(ACK, ack("r-1"));
        assertEquals(SignatureVerifier.Reason.BAD_SIGNATURE, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify("haven/v1/school/year6/cmd/ack", genuine)).reason());
        assertEquals(SignatureVerifier.Reason.BAD_SIGNATURE, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify("haven/v1/school/year5/cmd/release", genuine)).reason());
    }

    @Test
    void aMalformedSignatureIsRefusedAsMalformed() {
        ObjectNode odd = (ObjectNode) Json.parse(coordinator.sign(ACK, ack("r-1")));
        ((ObjectNode) odd.get("sig")).put("ed25519", "not base64 !");
        ObjectNode notObject = (ObjectNode) Json.parse(ack("r-1"));
        notObject.put("sig", "x");

        assertEquals(SignatureVerifier.Reason.MALFORMED, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify(ACK, bytes(Json.write(odd)))).reason());
        assertEquals(SignatureVerifier.Reason.MALFORMED, assertThrows(SignatureVerifier.Refused.class,
                () -> hub.verify(ACK, bytes(Json.write(notObject)))).reason());
    }

    @Test
    void withoutSignatureDropsOnlyTheSigFieldAndLeavesAnythingElseAsItWas() {
        byte[] signed = coordinator.sign(ACK, ack("r-1"));

        assertEquals(Json.parse(ack("r-1")), Json.parse(SignedPayload.withoutSignature(signed)));
        assertArrayEquals(new byte[0], SignedPayload.withoutSignature(new byte[0]));
        assertArrayEquals(bytes("not json"), SignedPayload.withoutSignature(bytes("not json")));
    }

    @Test
    void thePublicKeyRoundTripsThroughItsOneLineFormAndKeepsItsId() throws Exception {
        CoordinatorKey parsed = CoordinatorKey.parse(coordinator.publicKey().encoded());

        assertEquals(coordinator.publicKey().id(), parsed.id());
        new SignatureVerifier(parsed).verify(ACK, coordinator.sign(ACK, ack("r-1")));
        CoordinatorSigner reloaded = CoordinatorSigner.of(coordinator.pkcs8(), coordinator.publicKey().key().getEncoded());
        hub.verify(ACK, reloaded.sign(ACK, ack("r-1")));
    }

    @Test
    void aBadPublicKeyOrAMismatchedPairIsRefusedWithoutEchoingIt() {
        ContractViolation notBase64 = assertThrows(ContractViolation.class, () -> CoordinatorKey.parse("secret-looking text"));
        assertFalse(notBase64.getMessage().contains("secret-looking"));
        assertThrows(ContractViolation.class, () -> CoordinatorKey.parse("AAAA"));
        assertThrows(ContractViolation.class, () -> CoordinatorSigner.of(coordinator.pkcs8(),
                CoordinatorSigner.generate().publicKey().key().getEncoded()));
    }
}

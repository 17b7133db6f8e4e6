package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignOffsTest {
    private static final Instant AT = Instant.parse("2025-03-04T10:15:30Z");

    private static SignOff by(String name, String role) {
        return new SignOff(name, role, AT);
    }

    @Test
    void twoDifferentSeniorStaffAllowRelease() {
        SignOffs.Decision decision = SignOffs.decide(List.of(by("ms.khan", "senior"), by("mr.oak", "senior")));

        assertTrue(decision.releaseAllowed());
        assertEquals(List.of("ms.khan", "mr.oak"), decision.counted());
        assertEquals(0, decision.stillNeeded());
    }

    @Test
    void theHeadCountsAsSeniorAndTheCoordinatorCounts() {
        assertTrue(SignOffs.decide(List.of(by("head", "head"), by("dsl", "coordinator"))).releaseAllowed());
    }

    @Test
    void theSamePersonSigningTwiceCountsOnce() {
        SignOffs.Decision decision = SignOffs.decide(List.of(by("ms.khan", "senior"), by(" MS.KHAN ", "coordinator")));

        assertFalse(decision.releaseAllowed());
        assertEquals(1, decision.stillNeeded());
        assertTrue(decision.notCounted().get(0).contains("already signed"), decision.notCounted().toString());
    }

    @Test
    void aTeacherCannotSignOff() {
        SignOffs.Decision decision = SignOffs.decide(List.of(by("mr.teach", "teacher"), by("ms.khan", "senior")));

        assertFalse(decision.releaseAllowed());
        assertEquals(List.of("ms.khan"), decision.counted());
        assertTrue(decision.notCounted().get(0).startsWith("mr.teach (teacher): only senior staff"), decision.notCounted().toString());
    }

    @Test
    void techniciansGovernorsAndUnknownRolesCannotSignOff() {
        assertFalse(SignOffs.mayApprove("technician"));
        assertFalse(SignOffs.mayApprove("governor"));
        assertFalse(SignOffs.mayApprove("Senior"));
        assertFalse(SignOffs.mayApprove(null));
        assertFalse(SignOffs.decide(List.of(by("a", "technician"), by("b", "governor"), by("c", "teacher"))).releaseAllowed());
    }

    @Test
    void noSignOffsNeedTwo() {
        assertEquals(2, SignOffs.decide(List.of()).stillNeeded());
    }

    @Test
    void aSignOffWithoutANameIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> by(" ", "senior"));
        assertTrue(e.getMessage().contains("staffName"), e.getMessage());
    }
}

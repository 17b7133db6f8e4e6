package haven.classroom.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IsolationStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-04T10:15:30Z"), ZoneOffset.UTC);
    private final Machine pc7 = new Machine("PC-07", "02:00:5e:91:01:07", "10.91.1.7");
    private final Machine pc8 = new Machine("PC-08", "02:00:5e:91:01:08", "10.91.1.8");

    @TempDir
    Path temp;

    /** A backend that remembers what it was asked and answers applied, or fails when told to. */
    private static final class RecordingIsolator implements Isolator {
        final List<String> calls = new ArrayList<>();
        boolean failing;

        @Override
        public IsolationResult isolate(Machine machine) {
            calls.add("isolate " + machine.name());
            return answer(machine);
        }

        @Override
        public IsolationResult release(Machine machine) {
            calls.add("release " + machine.name());
            return answer(machine);
        }

        private IsolationResult answer(Machine machine) {
            return failing ? IsolationResult.notApplied(machine, backend(), "", "firewall unreachable")
                    : new IsolationResult(machine, backend(), true, true, "h", "e", null);
        }

        @Override
        public String backend() {
            return "recording";
        }
    }

    @Test
    void activeIsolationsSurviveReopeningTheFile() throws Exception {
        Path file = temp.resolve("hub.db");
        try (Database db = Database.open(file, "db/hub")) {
            IsolationStore store = new IsolationStore(db, CLOCK);
            store.recordActive(pc7, "nftables");
            store.recordActive(pc8, "nftables");
        }
        try (Database db = Database.open(file, "db/hub")) {
            List<IsolationStore.ActiveIsolation> active = new IsolationStore(db, CLOCK).active();

            assertEquals(List.of(pc7, pc8), active.stream().map(IsolationStore.ActiveIsolation::machine).toList());
            assertEquals(Instant.parse("2025-03-04T10:15:30Z"), active.get(0).appliedAt());
            assertEquals("nftables", active.get(0).backend());
        }
    }

    @Test
    void recordingTheSameMachineTwiceKeepsOneActiveRow() throws Exception {
        try (Database db = Database.open(temp.resolve("hub.db"), "db/hub")) {
            IsolationStore store = new IsolationStore(db, CLOCK);
            long first = store.recordActive(pc7, "nftables");
            long second = store.recordActive(new Machine("PC-07b", pc7.mac(), "10.91.1.77"), "webhook");

            assertEquals(first, second);
            List<IsolationStore.ActiveIsolation> active = store.active();
            assertEquals(1, active.size());
            assertEquals("10.91.1.77", active.get(0).machine().ip());
        }
    }

    @Test
    void markingReleasedEndsTheIsolationAndAllowsANewOneLater() throws Exception {
        try (Database db = Database.open(temp.resolve("hub.db"), "db/hub")) {
            IsolationStore store = new IsolationStore(db, CLOCK);
            long first = store.recordActive(pc7, "nftables");

            assertTrue(store.markReleased(pc7));
            assertFalse(store.markReleased(pc7), "nothing left to release");
            assertEquals(List.of(), store.active());
            assertTrue(store.recordActive(pc7, "nftables") > first, "a new isolation is a new row; the old one is history");
        }
    }

    @Test
    void theOutcomeIsStoredOnTheActiveRow() throws Exception {
        try (Database db = Database.open(temp.resolve("hub.db"), "db/hub")) {
            IsolationStore store = new IsolationStore(db, CLOCK);
            store.recordActive(pc7, "webhook");
            assertTrue(store.recordOutcome(IsolationResult.notApplied(pc7, "webhook", "attempt 1: 503", "webhook down")));

            IsolationStore.ActiveIsolation active = store.active().get(0);
            assertFalse(active.applied());
            assertEquals("webhook down", active.failure().orElseThrow());
            assertFalse(store.recordOutcome(new IsolationResult(pc8, "webhook", true, true, "", "", null)), "pc8 is not isolated");
        }
    }

    @Test
    void aFailedIsolationStaysActiveAndIsTriedAgainAtTheNextStart() throws Exception {
        Path file = temp.resolve("hub.db");
        RecordingIsolator backend = new RecordingIsolator();
        backend.failing = true;
        try (Database db = Database.open(file, "db/hub")) {
            IsolationResult result = new IsolationService(backend, new IsolationStore(db, CLOCK)).isolate(pc7);
            assertFalse(result.applied());
        }
        backend.failing = false;
        try (Database db = Database.open(file, "db/hub")) {
            IsolationService restarted = new IsolationService(backend, new IsolationStore(db, CLOCK));
            List<IsolationResult> reapplied = restarted.reapplyActive();

            assertEquals(1, reapplied.size());
            assertTrue(reapplied.get(0).applied());
            assertTrue(restarted.active().get(0).verified(), "the new outcome is stored");
            assertEquals(List.of("isolate PC-07", "isolate PC-07"), backend.calls);
        }
    }

    @Test
    void aFailedReleaseLeavesTheMachineIsolatedButAManualReleaseEndsIt() throws Exception {
        try (Database db = Database.open(temp.resolve("hub.db"), "db/hub")) {
            IsolationStore store = new IsolationStore(db, CLOCK);
            RecordingIsolator backend = new RecordingIsolator();
            IsolationService service = new IsolationService(backend, store);
            service.isolate(pc7);
            backend.failing = true;

            assertFalse(service.release(pc7).applied());
            assertEquals(1, service.active().size(), "a failed release must not drop the isolation");

            IsolationService manual = new IsolationService(new ManualIsolator(), store);
            IsolationResult result = manual.release(pc7);
            assertEquals(ManualIsolator.RELEASE_INSTRUCTION, result.failure());
            assertEquals(List.of(), manual.active());
        }
    }

    @Test
    void manualIsolationTellsStaffToUnplugAndNotSwitchOff() {
        IsolationResult result = new ManualIsolator().isolate(pc7);

        assertFalse(result.applied());
        assertFalse(result.verified());
        assertEquals("manual: unplug the network cable, do not switch the computer off", result.failure());
    }
}

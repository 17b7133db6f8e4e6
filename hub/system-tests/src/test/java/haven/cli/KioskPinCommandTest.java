package haven.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.HubConfig;
import haven.classroom.TeacherPin;
import haven.config.ConfigFile;
import haven.protocol.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** `haven kiosk-pin` prints the hub.yaml line for teacher mode: the PIN's hash, never the PIN, and hub.yaml takes it. */
class KioskPinCommandTest {
    private static String run(String stdin, int expectedExit) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(expectedExit, HavenCli.run("kiosk-pin"));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void thePrintedLineIsAHashThatHubYamlTakesAndThatMatchesThePin() {
        String printed = run("4821\n", 0);
        assertFalse(printed.contains("4821"), printed);
        String hash = printed.substring(printed.indexOf('"') + 1, printed.lastIndexOf('"'));
        assertTrue(TeacherPin.parse(hash).matches("4821"));
        ObjectNode yaml = Json.object().put("site", "s").put("room", "r");
        yaml.putObject("kiosk").put("teacherPin", hash);
        yaml.putObject("coordinator").put("publicKey", haven.testkit.Stack.SIGNER.publicKey().encoded());
        assertTrue(HubConfig.from(ConfigFile.of("hub.yaml", yaml)).teacherPin().orElseThrow().matches("4821"));
        assertEquals("", run("12\n", 2), "too short a PIN is refused with exit 2");
    }
}

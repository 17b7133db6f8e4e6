package haven.cli;

import haven.classroom.TeacherPin;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Makes the hub.yaml line for {@code kiosk.teacherPin}: reads the PIN (not echoed on a terminal, or one line
 * of standard input) and prints only its PBKDF2 hash, so the PIN itself is never in a file or a shell history.
 */
@Command(name = "kiosk-pin", description = "Print the kiosk.teacherPin hash for hub.yaml (reads the PIN from the terminal or stdin).")
final class KioskPinCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Console console = System.console();
        String pin;
        if (console != null) {
            char[] typed = console.readPassword("Teacher PIN (4-12 digits): ");
            pin = typed == null ? "" : new String(typed);
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            pin = line == null ? "" : line.strip();
        }
        System.out.println("kiosk:\n  teacherPin: \"" + TeacherPin.hash(pin) + "\"");
        return 0;
    }
}

package haven.classroom.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.pi4j.boardinfo.util.BoardInfoHelper;
import com.pi4j.context.Context;
import haven.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpioBoardTest {

    @Test
    void aGpiodContextHoldsOnlyTheGpiodProvidersSoTheMockCannotOutrankThem() {
        Context context = GpioBoard.gpiodContext();
        try {
            assertEquals(Set.of("gpiod-digital-input", "gpiod-digital-output"), context.providers().all().keySet());
        } finally {
            context.shutdown();
        }
    }

    @Test
    void aSimulatedBoardHoldsOnlyTheMockProviders() {
        try (GpioBoard board = GpioBoard.open(GpioBoard.Provider.MOCK)) {
            assertTrue(board.simulated());
        }
        Context context = GpioBoard.context(GpioBoard.Provider.MOCK);
        try {
            assertEquals(Set.of("mock-digital-input", "mock-digital-output"), context.providers().all().keySet());
        } finally {
            context.shutdown();
        }
    }

    @Test
    void gpiodOnAMachinePi4JDoesNotTakeForAPiIsRefusedInTheWordsOfTheSetting() {
        assumeFalse(BoardInfoHelper.runningOnRaspberryPi(), "this machine is a Raspberry Pi");
        ConfigException e = assertThrows(ConfigException.class, () -> GpioBoard.open(GpioBoard.Provider.GPIOD));
        assertTrue(e.getMessage().startsWith("gpio.provider is gpiod, but Pi4J does not recognise this machine as a Raspberry Pi"),
                e.getMessage());
    }

    @Test
    void theRefusalSaysWhetherAnyGpioChipExists(@TempDir Path dev) throws IOException {
        assertEquals("no GPIO chip: no " + dev.resolve("gpiochip*"), GpioBoard.chipsIn(dev));
        Files.createFile(dev.resolve("gpiochip4"));
        Files.createFile(dev.resolve("gpiochip0"));
        Files.createFile(dev.resolve("ttyAMA0"));
        assertEquals("found gpiochip0, gpiochip4", GpioBoard.chipsIn(dev));
    }
}

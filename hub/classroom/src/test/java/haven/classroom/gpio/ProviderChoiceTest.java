package haven.classroom.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderChoiceTest {
    @TempDir
    Path dir;

    @Test
    void autoOnAMachineWithoutADeviceTreeSimulatesAndSaysWhy() {
        ProviderChoice choice = ProviderChoice.of(GpioBoard.Provider.AUTO, dir.resolve("model"), dir.resolve("gpiochip0"));
        assertEquals(GpioBoard.Provider.MOCK, choice.provider());
        assertEquals("not a Raspberry Pi: no " + dir.resolve("model"), choice.reason());
    }

    @Test
    void autoOnAnotherArmBoardSimulatesAndNamesTheBoard() throws IOException {
        Path model = Files.writeString(dir.resolve("model"), "Pine64 RockPro64 v2.1\0");
        Files.createFile(dir.resolve("gpiochip0"));
        ProviderChoice choice = ProviderChoice.of(GpioBoard.Provider.AUTO, model, dir.resolve("gpiochip0"));
        assertEquals(GpioBoard.Provider.MOCK, choice.provider());
        assertEquals("not a Raspberry Pi: " + model + " says 'Pine64 RockPro64 v2.1'", choice.reason());
    }

    @Test
    void autoOnAPiWithoutItsGpioChipSimulatesAndSaysTheChipIsMissing() throws IOException {
        Path model = Files.writeString(dir.resolve("model"), "Raspberry Pi 4 Model B Rev 1.4\0");
        ProviderChoice choice = ProviderChoice.of(GpioBoard.Provider.AUTO, model, dir.resolve("gpiochip0"));
        assertEquals(GpioBoard.Provider.MOCK, choice.provider());
        assertEquals("Raspberry Pi 4 Model B Rev 1.4 but no GPIO chip " + dir.resolve("gpiochip0"), choice.reason());
    }

    @Test
    void autoOnAPiWithItsGpioChipUsesGpiod() throws IOException {
        Path model = Files.writeString(dir.resolve("model"), "Raspberry Pi 5 Model B Rev 1.0\0");
        Path chip = Files.createFile(dir.resolve("gpiochip0"));
        ProviderChoice choice = ProviderChoice.of(GpioBoard.Provider.AUTO, model, chip);
        assertEquals(GpioBoard.Provider.GPIOD, choice.provider());
        assertEquals("Raspberry Pi 5 Model B Rev 1.0 with " + chip, choice.reason());
    }

    @Test
    void anExplicitProviderIsTakenAsWrittenWhateverTheMachine() {
        ProviderChoice choice = ProviderChoice.of(GpioBoard.Provider.GPIOD, dir.resolve("model"), dir.resolve("gpiochip0"));
        assertEquals(GpioBoard.Provider.GPIOD, choice.provider());
        assertEquals("configured gpio.provider gpiod", choice.reason());
    }
}

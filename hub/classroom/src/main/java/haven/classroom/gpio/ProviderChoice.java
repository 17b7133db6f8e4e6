package haven.classroom.gpio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which GPIO provider a hub uses and why, as logged at start-up: {@code gpio.provider: auto} picks gpiod
 * only on a Raspberry Pi with its GPIO chip, so a bench machine falls back to the simulated pins and the
 * log says what was missing. An explicit {@code gpiod} or {@code mock} is taken as written.
 */
public record ProviderChoice(GpioBoard.Provider provider, String reason) {
    /** The Pi's own files: the device-tree model (absent on x86) and the 40-pin header's chip. */
    public static final Path DEVICE_TREE_MODEL = Path.of("/proc/device-tree/model");
    public static final Path GPIO_CHIP = Path.of("/dev/gpiochip0");

    public static ProviderChoice of(GpioBoard.Provider requested) {
        return of(requested, DEVICE_TREE_MODEL, GPIO_CHIP);
    }

    static ProviderChoice of(GpioBoard.Provider requested, Path model, Path chip) {
        if (requested != GpioBoard.Provider.AUTO) {
            return new ProviderChoice(requested, "configured gpio.provider " + requested.name().toLowerCase(Locale.ROOT));
        }
        String board = boardModel(model);
        if (board == null) {
            return new ProviderChoice(GpioBoard.Provider.MOCK, "not a Raspberry Pi: no " + model);
        }
        if (!board.contains("Raspberry Pi")) {
            return new ProviderChoice(GpioBoard.Provider.MOCK, "not a Raspberry Pi: " + model + " says '" + board + "'");
        }
        if (!Files.exists(chip)) {
            return new ProviderChoice(GpioBoard.Provider.MOCK, board + " but no GPIO chip " + chip);
        }
        return new ProviderChoice(GpioBoard.Provider.GPIOD, board + " with " + chip);
    }

    private static String boardModel(Path model) {
        try {
            // The device tree ends the string with a NUL.
            return Files.isReadable(model) ? Files.readString(model).replace("\0", "").strip() : null;
        } catch (IOException e) {
            return null;
        }
    }
}

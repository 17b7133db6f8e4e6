package haven.classroom.gpio;

import com.pi4j.Pi4J;
import com.pi4j.boardinfo.util.BoardInfoHelper;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import haven.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pi4J context of one hub. On a Raspberry Pi the gpiod provider drives the real header (the
 * character-device interface current Raspberry Pi OS supports); elsewhere Pi4J's mock provider stands in,
 * and only then may the simulation API move the inputs.
 */
public final class GpioBoard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GpioBoard.class);

    public enum Provider { AUTO, MOCK, GPIOD }

    private final Context context;
    private final boolean simulated;

    private GpioBoard(Context context, boolean simulated) {
        this.context = context;
        this.simulated = simulated;
    }

    public static GpioBoard open(Provider requested) {
        ProviderChoice choice = ProviderChoice.of(requested);
        log.info("gpio provider={} requested={} reason=\"{}\"", choice.provider().name().toLowerCase(Locale.ROOT),
                requested.name().toLowerCase(Locale.ROOT), choice.reason());
        return new GpioBoard(context(choice.provider()), choice.provider() == Provider.MOCK);
    }

    /**
     * Only the chosen provider's classes are in the context. With Pi4J's auto-detection the mock plugin
     * (priority 1000) is found next to gpiod (150) and wins wherever a provider is picked by rank, so a
     * configured {@code gpiod} has to mean gpiod and nothing else.
     */
    static Context context(Provider chosen) {
        if (chosen == Provider.MOCK) {
            return Pi4J.newContextBuilder()
                    .noAutoDetect()
                    .add(new MockPlatform())
                    .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                    .build();
        }
        // Pi4J's gpiod library skips opening any chip on a board it does not recognise, and the first pin
        // then fails without saying why: refuse here, in the words of the setting.
        if (!BoardInfoHelper.runningOnRaspberryPi()) {
            throw new ConfigException("gpio.provider is gpiod, but Pi4J does not recognise this machine as a Raspberry Pi"
                    + " (board " + BoardInfoHelper.current().getBoardModel() + " from /proc/cpuinfo);"
                    + " use gpio.provider: auto or mock without GPIO hardware");
        }
        return gpiodContext();
    }

    static Context gpiodContext() {
        Context context = Pi4J.newContextBuilder()
                .noAutoDetect()
                .add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance())
                .build();
        // Pi4J logs a provider whose initialize() failed (no chip found) and leaves it out of the context;
        // the first pin would then fail with "provider could not be found ... include this JAR".
        if (!context.providers().exists(GpioDDigitalInputProvider.ID) || !context.providers().exists(GpioDDigitalOutputProvider.ID)) {
            try {
                context.shutdown();
            } catch (RuntimeException e) {
                log.debug("gpio shutdown after failed start reason={}", e.getMessage());
            }
            throw new ConfigException("gpio.provider is gpiod, but no GPIO chip could be opened (" + chipsIn(Path.of("/dev"))
                    + "; Pi4J's reason is logged above); check the wiring of the header and that the haven user is in group gpio,"
                    + " or use gpio.provider: mock");
        }
        return context;
    }

    /** What a technician would see with {@code ls /dev/gpiochip*}. */
    static String chipsIn(Path dev) {
        try (Stream<Path> files = Files.list(dev)) {
            List<String> chips = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("gpiochip")).sorted().toList();
            return chips.isEmpty() ? "no GPIO chip: no " + dev.resolve("gpiochip*") : "found " + String.join(", ", chips);
        } catch (IOException e) {
            return "no GPIO chip: " + dev + " unreadable";
        }
    }

    public boolean simulated() {
        return simulated;
    }

    /** An input with the internal pull-up on: the button and key switch close to ground. */
    public DigitalInput input(String id, int bcmPin) {
        var config = DigitalInputConfigBuilder.newInstance(context)
                .id(id).name(id).address(bcmPin).pull(PullResistance.PULL_UP)
                .provider(simulated ? MockDigitalInputProvider.ID : "gpiod-digital-input")
                .build();
        DigitalInput input = context.create(config);
        mock(input).ifPresent(m -> m.mockState(DigitalState.HIGH));
        return input;
    }

    public DigitalOutput output(String id, int bcmPin) {
        var config = DigitalOutputConfigBuilder.newInstance(context)
                .id(id).name(id).address(bcmPin)
                .initial(DigitalState.LOW).shutdown(DigitalState.LOW)
                .provider(simulated ? MockDigitalOutputProvider.ID : "gpiod-digital-output")
                .build();
        return context.create(config);
    }

    /** The mock behind an input, present only on simulated GPIO. */
    public Optional<MockDigitalInput> mock(DigitalInput input) {
        return simulated && input instanceof MockDigitalInput m ? Optional.of(m) : Optional.empty();
    }

    @Override
    public void close() {
        try {
            context.shutdown();
        } catch (RuntimeException e) {
            log.warn("gpio shutdown failed reason={}", e.getMessage());
        }
    }
}

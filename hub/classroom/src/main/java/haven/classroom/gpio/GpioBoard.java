package haven.classroom.gpio;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
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
        Provider chosen = requested == Provider.AUTO ? (looksLikeRaspberryPi() ? Provider.GPIOD : Provider.MOCK) : requested;
        Context context;
        if (chosen == Provider.MOCK) {
            context = Pi4J.newContextBuilder()
                    .noAutoDetect()
                    .add(new MockPlatform())
                    .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                    .build();
        } else {
            context = Pi4J.newContextBuilder().autoDetect().build();
        }
        log.info("gpio provider={} requested={}", chosen.name().toLowerCase(Locale.ROOT), requested.name().toLowerCase(Locale.ROOT));
        return new GpioBoard(context, chosen == Provider.MOCK);
    }

    private static boolean looksLikeRaspberryPi() {
        try {
            Path model = Path.of("/proc/device-tree/model");
            return Files.exists(Path.of("/dev/gpiochip0")) && Files.isReadable(model)
                    && Files.readString(model).contains("Raspberry Pi");
        } catch (java.io.IOException e) {
            return false;
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

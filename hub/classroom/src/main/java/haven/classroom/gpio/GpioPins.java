package haven.classroom.gpio;

/** BCM pin numbers of the hub's wiring (firmware-config/wiring.md). */
public record GpioPins(int button, int keySwitch, int greenLed, int amberLed, int redLed) {
    public static final GpioPins DEFAULT = new GpioPins(17, 27, 22, 23, 24);

    public GpioPins {
        check("gpio.button", button);
        check("gpio.keySwitch", keySwitch);
        check("gpio.greenLed", greenLed);
        check("gpio.amberLed", amberLed);
        check("gpio.redLed", redLed);
    }

    private static void check(String key, int pin) {
        if (pin < 2 || pin > 27) {
            throw new IllegalArgumentException(key + " must be a BCM pin 2..27, got " + pin);
        }
    }
}

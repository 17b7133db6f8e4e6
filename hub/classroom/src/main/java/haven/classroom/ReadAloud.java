package haven.classroom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Read it to me" without the network: the hub speaks a slide with espeak-ng (Debian's package), so it
 * works on a Pi whose Chromium has no offline voices (measured: headless Debian Chromium lists none).
 * The text goes to espeak-ng on stdin, never as an argument or through a shell.
 */
public final class ReadAloud {
    private static final Logger log = LoggerFactory.getLogger(ReadAloud.class);
    public static final Path ESPEAK = Path.of("/usr/bin/espeak-ng");
    static final int MAX_CHARS = 1_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Kiosk language -> espeak-ng voice: every language the kiosk has message files for (Debian's espeak-ng-data). */
    private static final Map<String, String> VOICES = Map.of("en", "en-gb", "cy", "cy", "ar", "ar",
            "pl", "pl", "ro", "ro", "ur", "ur", "pa", "pa");

    private final Path espeak;

    public ReadAloud(Path espeak) {
        this.espeak = espeak;
    }

    public boolean available() {
        return Files.isExecutable(espeak);
    }

    /** A WAV of {@code text} read slowly for young pupils; empty if espeak-ng is missing or fails. */
    public Optional<byte[]> wav(String text, String language) {
        if (text == null || text.isBlank() || text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("text must be 1.." + MAX_CHARS + " characters");
        }
        String voice = VOICES.get(language);
        if (voice == null) {
            throw new IllegalArgumentException("lang must be one of " + VOICES.keySet());
        }
        if (!available()) {
            return Optional.empty();
        }
        Process process = null;
        try {
            process = new ProcessBuilder(espeak.toString(), "-v", voice, "-s", "140", "--stdout")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Process p = process;
            CompletableFuture<byte[]> audio = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = p.getInputStream()) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            }, r -> Thread.ofVirtual().name("read-aloud").start(r));
            try (OutputStream in = process.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                log.warn("read-aloud failed voice={} reason={}", voice, process.isAlive() ? "timeout" : "exit " + process.exitValue());
                return Optional.empty();
            }
            byte[] wav = audio.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return wav.length > 44 ? Optional.of(wav) : Optional.empty();
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("read-aloud failed voice={} reason={}", voice, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}

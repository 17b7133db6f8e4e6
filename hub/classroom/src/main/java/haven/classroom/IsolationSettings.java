package haven.classroom;

import com.fasterxml.jackson.databind.JsonNode;
import haven.config.ConfigException;
import haven.config.ConfigFile;
import haven.classroom.isolation.Isolator;
import haven.classroom.isolation.Machine;
import haven.classroom.isolation.ManualIsolator;
import haven.classroom.isolation.NftablesIsolator;
import haven.classroom.isolation.WebhookIsolator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The room's computers and how to cut them off, from hub.yaml ({@code computers:} and {@code isolation:}).
 * The backend defaults to manual: nothing on the network changes unless a school configures it.
 */
public record IsolationSettings(String backend, List<Machine> computers, Duration chooseWindow,
                                Path nft, Optional<String> netns, Optional<String> allowIp,
                                Optional<URI> webhookUrl, Optional<String> webhookSecret) {

    public static IsolationSettings from(ConfigFile file) {
        String backend = file.string("isolation.backend", ManualIsolator.BACKEND);
        List<Machine> computers = new ArrayList<>();
        JsonNode list = file.node("computers");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray()) {
                throw file.error("computers", "a list of {name, mac, ip}");
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode c = list.get(i);
                try {
                    computers.add(new Machine(c.path("name").asText(null), c.path("mac").asText(null), c.path("ip").asText(null)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("config " + file.name() + ": computers[" + i + "]: " + e.getMessage());
                }
            }
        }
        Optional<URI> url = file.optionalString("isolation.webhook.url").map(URI::create);
        Optional<String> secret = file.optionalString("isolation.webhook.secret");
        switch (backend) {
            case ManualIsolator.BACKEND, NftablesIsolator.BACKEND -> { }
            case WebhookIsolator.BACKEND -> {
                if (url.isEmpty() || secret.isEmpty()) {
                    throw file.error("isolation.webhook", "a url and a secret when isolation.backend is webhook");
                }
            }
            default -> throw file.error("isolation.backend", "manual, nftables or webhook");
        }
        return new IsolationSettings(backend, List.copyOf(computers),
                Duration.ofSeconds(file.integer("isolation.chooseSeconds", 20, 1, 300)),
                Path.of(file.string("isolation.nftables.nft", NftablesIsolator.DEFAULT_NFT.toString())),
                file.optionalString("isolation.nftables.netns"), file.optionalString("isolation.nftables.allowIp"),
                url, secret);
    }

    /** Builds the configured backend. */
    public Isolator isolator(Clock clock) {
        return switch (backend) {
            // No ping probe here: the hub's own pings do not cross its forward chain, so they would prove
            // nothing. Verification is the kernel's own read-back of the set element.
            case NftablesIsolator.BACKEND -> new NftablesIsolator(nft, netns, allowIp, Optional.empty());
            case WebhookIsolator.BACKEND -> new WebhookIsolator(WebhookIsolator.Settings.of(webhookUrl.orElseThrow(),
                    webhookSecret.orElseThrow()), clock);
            default -> new ManualIsolator();
        };
    }
}

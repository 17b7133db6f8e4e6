package haven.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import haven.config.ConfigFile;
import haven.mqtt.MqttLink;
import haven.mqtt.PublishFailed;
import haven.protocol.FilterTargets;
import haven.protocol.Ids;
import haven.protocol.Topics;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The school's filter test list from coordinator.yaml ({@code filter.*}, firmware-config/coordinator.yaml
 * documents the keys), published retained to every site the coordinator knows so each hub has it when it
 * starts. The list is the school's choice: Haven ships no list of harmful sites (docs/FILTERING.md).
 */
public final class FilterTargetList {
    /** Every site with a room (rooms is owned by Rooms); each gets the signed list. */
    private static final String SITES = "SELECT DISTINCT site FROM rooms";

    private static final Logger log = LoggerFactory.getLogger(FilterTargetList.class);
    public static final FilterTargetList NONE = new FilterTargetList(Optional.empty());

    private final Optional<FilterTargets> targets;
    private final Optional<UnblockWebhook.Settings> unblockWebhook;

    public FilterTargetList(Optional<FilterTargets> targets) {
        this(targets, Optional.empty());
    }

    public FilterTargetList(Optional<FilterTargets> targets, Optional<UnblockWebhook.Settings> unblockWebhook) {
        this.targets = targets;
        this.unblockWebhook = unblockWebhook;
    }

    /** Where approved unblock requests are sent, if the school's filter has an API for it. */
    public Optional<UnblockWebhook.Settings> unblockWebhook() {
        return unblockWebhook;
    }

    private static Optional<UnblockWebhook.Settings> unblockWebhook(ConfigFile file) {
        Optional<String> url = file.optionalString("filter.unblockWebhook.url");
        Optional<String> secret = file.optionalString("filter.unblockWebhook.secret");
        if (url.isEmpty()) {
            if (secret.isPresent()) {
                throw file.error("filter.unblockWebhook.url", "an http(s) URL when filter.unblockWebhook.secret is set");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(new UnblockWebhook.Settings(java.net.URI.create(url.get()), secret.orElse("")));
        } catch (IllegalArgumentException e) {
            throw file.error(secret.isEmpty() || secret.get().length() < 16 ? "filter.unblockWebhook.secret" : "filter.unblockWebhook.url",
                    e.getMessage());
        }
    }

    public Optional<FilterTargets> targets() {
        return targets;
    }

    public static FilterTargetList from(ConfigFile file, Instant loadedAt) {
        Optional<UnblockWebhook.Settings> webhook = unblockWebhook(file);
        JsonNode list = file.node("filter.targets");
        if (list == null || list.isMissingNode()) {
            texts(file, "filter.blockPageSignatures");
            texts(file, "filter.interceptionIssuers");
            texts(file, "filter.sinkholes");
            return new FilterTargetList(Optional.empty(), webhook);
        }
        if (!list.isArray()) {
            throw file.error("filter.targets", "a list of {category, target, expected}");
        }
        List<FilterTargets.Target> targets = new ArrayList<>();
        int i = 0;
        for (JsonNode t : list) {
            String where = "filter.targets[" + i++ + "]";
            try {
                targets.add(new FilterTargets.Target(Ids.require("category", t.path("category").asText("")),
                        t.path("target").asText(""), t.path("expected").asText("blocked")));
            } catch (IllegalArgumentException e) {
                throw file.error(where, "category (an id), target (a host name or http(s) URL), expected (blocked or reachable): " + e.getMessage());
            }
        }
        try {
            return new FilterTargetList(Optional.of(new FilterTargets(loadedAt, targets, texts(file, "filter.blockPageSignatures"),
                    texts(file, "filter.interceptionIssuers"), texts(file, "filter.sinkholes"))), webhook);
        } catch (IllegalArgumentException e) {
            throw file.error("filter", e.getMessage());
        }
    }

    private static List<String> texts(ConfigFile file, String key) {
        JsonNode node = file.node(key);
        List<String> out = new ArrayList<>();
        if (node == null || node.isMissingNode()) {
            return out;
        }
        if (!node.isArray()) {
            throw file.error(key, "a list of strings");
        }
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Publishes the list (retained) to each configured site and each site a hub has reported from. */
    public void publish(MqttLink mqtt, Database db, Set<String> configuredSites, haven.protocol.CoordinatorSigner signer) {
        if (targets.isEmpty()) {
            return;
        }
        try {
            Set<String> sites = new TreeSet<>(configuredSites);
            sites.addAll(db.query(c -> {
                return c.createQuery(SITES).mapTo(String.class).list();
            }));
            for (String site : sites) {
                mqtt.publish(Topics.filterTargets(site), signer.sign(Topics.filterTargets(site), targets.get().encode()), true);
            }
            log.info("filter targets published sites={} targets={}", sites.size(), targets.get().targets().size());
        } catch (SQLException | PublishFailed e) {
            log.warn("filter targets not published reason={}", e.getMessage());
        }
    }
}

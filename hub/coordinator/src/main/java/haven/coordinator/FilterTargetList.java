package haven.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import haven.config.ConfigFile;
import haven.mqtt.MqttLink;
import haven.mqtt.PublishFailed;
import haven.protocol.FilterTargets;
import haven.protocol.Ids;
import haven.protocol.Topics;
import haven.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
    private static final Logger log = LoggerFactory.getLogger(FilterTargetList.class);
    public static final FilterTargetList NONE = new FilterTargetList(Optional.empty());

    private final Optional<FilterTargets> targets;

    public FilterTargetList(Optional<FilterTargets> targets) {
        this.targets = targets;
    }

    public Optional<FilterTargets> targets() {
        return targets;
    }

    public static FilterTargetList from(ConfigFile file, Instant loadedAt) {
        JsonNode list = file.node("filter.targets");
        if (list == null || list.isMissingNode()) {
            texts(file, "filter.blockPageSignatures");
            texts(file, "filter.interceptionIssuers");
            texts(file, "filter.sinkholes");
            return NONE;
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
                    texts(file, "filter.interceptionIssuers"), texts(file, "filter.sinkholes"))));
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
    public void publish(MqttLink mqtt, Database db, Set<String> configuredSites) {
        if (targets.isEmpty()) {
            return;
        }
        try {
            Set<String> sites = new TreeSet<>(configuredSites);
            sites.addAll(db.read(c -> {
                List<String> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT site FROM rooms"); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }));
            for (String site : sites) {
                mqtt.publish(Topics.filterTargets(site), targets.get().encode(), true);
            }
            log.info("filter targets published sites={} targets={}", sites.size(), targets.get().targets().size());
        } catch (SQLException | PublishFailed e) {
            log.warn("filter targets not published reason={}", e.getMessage());
        }
    }
}

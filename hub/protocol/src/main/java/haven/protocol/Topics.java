package haven.protocol;

import java.util.Optional;

/** Builds and parses the topics of MQTT contract v1. The one place topic strings are spelled. */
public final class Topics {
    public static final String ROOT = "haven/v1";
    /** What the coordinator subscribes to: every hub's events and presence. */
    public static final String ALL_EVENTS = ROOT + "/+/+/event/+";
    public static final String ALL_STATUS = ROOT + "/+/+/status";
    /**
     * The reserved level for a site's own topics, in the place a room id stands: haven/v1/{site}/_site/...
     * Room ids never start with '_' (see {@link Ids}), so no room can share a site-wide topic.
     */
    public static final String SITE_LEVEL = "_site";

    private Topics() {
    }

    public static String status(RoomId room) {
        return ROOT + "/" + room.site() + "/" + room.room() + "/status";
    }

    public static String event(RoomId room, EventType type) {
        return ROOT + "/" + room.site() + "/" + room.room() + "/event/" + type.wire();
    }

    public static String command(RoomId room, CommandName name) {
        return ROOT + "/" + room.site() + "/" + room.room() + "/cmd/" + name.wire();
    }

    public static String commands(RoomId room) {
        return ROOT + "/" + room.site() + "/" + room.room() + "/cmd/+";
    }

    public static String aup(String site, String keyStage) {
        return ROOT + "/" + Ids.require("site", site) + "/" + SITE_LEVEL + "/aup/" + Ids.require("keyStage", keyStage);
    }

    /** Every AUP of one site: what a hub's broker account may read. */
    public static String aups(String site) {
        return ROOT + "/" + Ids.require("site", site) + "/" + SITE_LEVEL + "/aup/#";
    }

    /**
     * The school's filter test targets (retained, published by the coordinator): what each hub of the site
     * tries to reach to prove the filter blocks it (docs/FILTERING.md).
     */
    public static String filterTargets(String site) {
        return ROOT + "/" + Ids.require("site", site) + "/" + SITE_LEVEL + "/filter-targets";
    }

    /** True for haven/v1/{site}/_site/filter-targets. */
    public static boolean isFilterTargets(String topic) {
        String[] parts = topic.split("/", -1);
        return topic.startsWith(ROOT + "/") && parts.length == 5 && parts[3].equals(SITE_LEVEL) && parts[4].equals("filter-targets");
    }

    /**
     * The head of the coordinator's evidence chain (retained, published by the coordinator, read by every hub
     * of the site, written by none): what the hubs witness so a rewritten log is caught (docs/EVIDENCE.md).
     */
    public static String chainHead(String site) {
        return ROOT + "/" + Ids.require("site", site) + "/" + SITE_LEVEL + "/chain-head";
    }

    /** True for haven/v1/{site}/_site/chain-head. */
    public static boolean isChainHead(String topic) {
        String[] parts = topic.split("/", -1);
        return topic.startsWith(ROOT + "/") && parts.length == 5 && parts[3].equals(SITE_LEVEL) && parts[4].equals("chain-head");
    }

    /** The opt-in Home Assistant state of a room (retained): what HA entities read, never pupil data. */
    public static String haState(RoomId room) {
        return ROOT + "/" + room.site() + "/" + room.room() + "/ha/state";
    }

    public static boolean isHaState(String topic) {
        String[] parts = topic.split("/", -1);
        return topic.startsWith(ROOT + "/") && parts.length == 6 && parts[4].equals("ha") && parts[5].equals("state");
    }

    /** True for haven/v1/{site}/_site/aup/{keyStage}, which the coordinator publishes and hubs read. */
    public static boolean isAup(String topic) {
        String[] parts = topic.split("/", -1);
        return topic.startsWith(ROOT + "/") && parts.length == 6 && parts[3].equals(SITE_LEVEL) && parts[4].equals("aup");
    }

    /** A topic of the contract, taken apart. Anything else is empty, and ingest rejects it. */
    public sealed interface Parsed {
        RoomId room();
    }

    public record StatusTopic(RoomId room) implements Parsed {
    }

    public record EventTopic(RoomId room, String type) implements Parsed {
    }

    public record CommandTopic(RoomId room, String name) implements Parsed {
    }

    public static Optional<Parsed> parse(String topic) {
        if (topic == null || !topic.startsWith(ROOT + "/")) {
            return Optional.empty();
        }
        String[] parts = topic.substring(ROOT.length() + 1).split("/", -1);
        if (parts.length < 3 || !Ids.isValid(parts[0]) || !Ids.isValid(parts[1])) {
            return Optional.empty();
        }
        RoomId room = new RoomId(parts[0], parts[1]);
        if (parts.length == 3 && parts[2].equals("status")) {
            return Optional.of(new StatusTopic(room));
        }
        if (parts.length == 4 && parts[2].equals("event") && !parts[3].isEmpty()) {
            return Optional.of(new EventTopic(room, parts[3]));
        }
        if (parts.length == 4 && parts[2].equals("cmd") && !parts[3].isEmpty()) {
            return Optional.of(new CommandTopic(room, parts[3]));
        }
        return Optional.empty();
    }
}

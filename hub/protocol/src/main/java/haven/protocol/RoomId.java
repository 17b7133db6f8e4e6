package haven.protocol;

/** One classroom: the pair every hub topic is scoped by. */
public record RoomId(String site, String room) {
    /**
     * Room ids that are refused although they match the id rule: "aup" was the site's AUP level before
     * the reserved {@link Topics#SITE_LEVEL} existed, and an older broker ACL may still grant it, so a
     * room of that name could read or shadow a site's AUPs during an upgrade.
     */
    public static final java.util.Set<String> RESERVED_ROOMS = java.util.Set.of("aup");

    public RoomId {
        Ids.require("site", site);
        requireRoom(room);
    }

    /** Returns a valid, unreserved room id or throws naming the field, for config loaders and the CLI. */
    public static String requireRoom(String room) {
        Ids.require("room", room);
        if (RESERVED_ROOMS.contains(room)) {
            throw new IllegalArgumentException("room '" + room + "' is a reserved word of the MQTT contract; choose another room id");
        }
        return room;
    }

    @Override
    public String toString() {
        return site + "/" + room;
    }
}

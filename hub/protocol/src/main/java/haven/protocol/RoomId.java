package haven.protocol;

/** One classroom: the pair every hub topic is scoped by. */
public record RoomId(String site, String room) {
    public RoomId {
        Ids.require("site", site);
        Ids.require("room", room);
    }

    @Override
    public String toString() {
        return site + "/" + room;
    }
}

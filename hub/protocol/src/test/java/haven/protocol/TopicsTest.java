package haven.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TopicsTest {
    private final RoomId room = new RoomId("st-marys", "year5");

    @Test
    void buildsTheContractTopics() {
        assertEquals("haven/v1/st-marys/year5/status", Topics.status(room));
        assertEquals("haven/v1/st-marys/year5/event/worry.reported", Topics.event(room, EventType.WORRY_REPORTED));
        assertEquals("haven/v1/st-marys/year5/cmd/ack", Topics.command(room, CommandName.ACK));
        assertEquals("haven/v1/st-marys/_site/aup/ks2", Topics.aup("st-marys", "ks2"));
    }

    @Test
    void parsesWhatItBuilds() {
        var event = assertInstanceOf(Topics.EventTopic.class, Topics.parse(Topics.event(room, EventType.HUB_STARTED)).orElseThrow());
        assertEquals(room, event.room());
        assertEquals("hub.started", event.type());
        assertInstanceOf(Topics.StatusTopic.class, Topics.parse(Topics.status(room)).orElseThrow());
        assertInstanceOf(Topics.CommandTopic.class, Topics.parse(Topics.command(room, CommandName.RELEASE)).orElseThrow());
    }

    @Test
    void topicsOutsideTheContractDoNotParse() {
        assertTrue(Topics.parse("haven/v2/a/b/status").isEmpty());
        assertTrue(Topics.parse("haven/v1/UPPER/b/status").isEmpty());
        assertTrue(Topics.parse("haven/v1/a/b/event").isEmpty());
        assertTrue(Topics.parse("haven/v1/a/b/event/x/y").isEmpty());
        assertTrue(Topics.parse("other/topic").isEmpty());
        assertFalse(Topics.isAup("haven/v1/a/b/status"));
        assertTrue(Topics.isAup("haven/v1/a/_site/aup/ks1"));
        assertFalse(Topics.isAup("haven/v1/a/aup/ks1"), "the old site level is gone");
    }

    @Test
    void idsFollowTheContractRule() {
        assertTrue(Ids.isValid("a"));
        assertTrue(Ids.isValid("year-5-oak"));
        assertFalse(Ids.isValid("-leading-dash"));
        assertFalse(Ids.isValid("Room5"));
        assertFalse(Ids.isValid("a".repeat(33)));
        var e = assertThrows(IllegalArgumentException.class, () -> new RoomId("ok", "Bad Room"));
        assertTrue(e.getMessage().startsWith("room must match"), e.getMessage());
    }
}

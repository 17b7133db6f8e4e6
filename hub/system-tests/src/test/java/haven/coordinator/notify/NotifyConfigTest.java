package haven.coordinator.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import haven.config.ConfigException;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.protocol.RoomId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotifyConfigTest {
    private static final String GOOD = """
            database: /tmp/never-opened.db
            notify:
              dashboardUrl: https://haven.example-school.org/
              smtp:
                host: smtp.example-school.org
                security: starttls
                username: haven
                password: secret-secret
                from: haven@example-school.org
              webhooks:
                safeguarding-chat:
                  format: google-chat
                  url: https://chat.example-school.org/hook
              contacts:
                - staff: dsl
                  email: dsl@example-school.org
                  webhooks: [safeguarding-chat]
                - staff: mrs.head
                  email: head@example-school.org
                - staff: on-call
                  webhooks: [safeguarding-chat]
              ladders:
                worry:
                  - contacts: [dsl]
                  - after: 10m
                    contacts: [mrs.head]
              outOfHours:
                worry:
                  - contacts: [on-call]
              schoolHours:
                timeZone: Europe/London
                monday: "08:00-16:30"
                tuesday: "08:00-12:00, 13:00-16:30"
                terms: ["2026-09-03..2026-10-23", "2026-11-02..2026-12-18"]
              roomNames:
                example-school:
                  year5-elm: "Year 5 (Elm)"
            """;

    private static CoordinatorConfig load(String yaml) throws Exception {
        ObjectNode root = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(yaml);
        return CoordinatorConfig.from(ConfigFile.of("coordinator.yaml", root));
    }

    private static String refused(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void aFullNotifySectionIsReadWithItsLaddersContactsAndHours() throws Exception {
        NotifyConfig n = load(GOOD).alerts().orElseThrow();
        assertEquals(587, n.smtp().orElseThrow().port());
        assertEquals(List.of("email", "webhook:safeguarding-chat"), n.contacts().get("dsl").channels());
        List<Step> day = n.ladder(AlertKind.WORRY, true);
        assertEquals(List.of(Duration.ZERO, Duration.ofMinutes(10)), day.stream().map(Step::after).toList());
        assertEquals(List.of("on-call"), n.ladder(AlertKind.URGENT_WORRY, false).get(0).contacts());
        assertEquals(day, n.ladder(AlertKind.URGENT_WORRY, true), "urgent falls back to the worry ladder");
        assertEquals("Year 5 (Elm)", n.roomName(new RoomId("example-school", "year5-elm")));
        SchoolHours hours = n.schoolHours().orElseThrow();
        assertTrue(hours.isOpen(Instant.parse("2026-11-30T10:00:00Z")), "a Monday in term, 10:00 in London");
        assertFalse(hours.isOpen(Instant.parse("2026-11-30T17:00:00Z")), "after school");
        assertFalse(hours.isOpen(Instant.parse("2026-12-01T12:30:00Z")), "Tuesday lunch break");
        assertFalse(hours.isOpen(Instant.parse("2026-10-26T10:00:00Z")), "half term Monday");
        assertFalse(hours.isOpen(Instant.parse("2026-12-02T10:00:00Z")), "Wednesday: no hours given");
    }

    @Test
    void withoutANotifySectionThereAreNoAlerts() throws Exception {
        assertTrue(load("database: /tmp/x.db\n").alerts().isEmpty());
    }

    @Test
    void aMisspeltKeyInsideAContactIsRefusedByName() {
        String m = refused(GOOD.replace("    email: head@", "    emial: head@"));
        assertTrue(m.contains("unknown key 'notify.contacts[1].emial'"), m);
    }

    @Test
    void aMisspeltSmtpKeyIsRefusedByName() {
        String m = refused(GOOD.replace("    security: starttls", "    securty: starttls"));
        assertTrue(m.contains("unknown key 'notify.smtp.securty'"), m);
    }

    @Test
    void aLadderNamingAnUnknownContactIsRefused() {
        String m = refused(GOOD.replace("contacts: [mrs.head]", "contacts: [mr.head]"));
        assertTrue(m.contains("notify.ladders.worry[1].contacts names 'mr.head'"), m);
    }

    @Test
    void aLaterStepMustComeAfterTheOneBefore() {
        String m = refused(GOOD.replace("after: 10m", "after: 0"));
        assertTrue(m.contains("notify.ladders.worry[1].after must be later"), m);
    }

    @Test
    void anUnknownAlertKindIsRefused() {
        String m = refused(GOOD.replace("  ladders:\n    worry:", "  ladders:\n    wory:"));
        assertTrue(m.contains("unknown key 'notify.ladders.wory'"), m);
    }

    @Test
    void theOtherKindsHaveLaddersOnlyWhenTheSchoolWritesThem() throws Exception {
        NotifyConfig plain = load(GOOD).alerts().orElseThrow();
        for (AlertKind kind : List.of(AlertKind.ISOLATION, AlertKind.HUB_OFFLINE, AlertKind.FILTER_CHECK_FAILED,
                AlertKind.STAFF_CONCERN, AlertKind.ACTION_OVERDUE)) {
            assertTrue(plain.ladder(kind, true).isEmpty(), kind + " is not alerted without a ladder of its own");
            assertTrue(plain.ladder(kind, false).isEmpty(), kind + " does not fall back to the on-call worry ladder");
        }
        assertEquals(Duration.ofMinutes(10), plain.hubOffline());
        NotifyConfig n = load(GOOD.replace("  outOfHours:\n    worry:", "    filter-check-failed:\n      - contacts: [on-call]\n"
                + "    hub-offline:\n      - contacts: [dsl]\n  hubOfflineMinutes: 20\n  outOfHours:\n    isolation:\n"
                + "      - contacts: [on-call]\n    worry:")).alerts().orElseThrow();
        assertEquals(List.of("on-call"), n.ladder(AlertKind.FILTER_CHECK_FAILED, true).get(0).contacts());
        assertEquals(List.of("dsl"), n.ladder(AlertKind.HUB_OFFLINE, true).get(0).contacts());
        assertEquals(List.of("on-call"), n.ladder(AlertKind.ISOLATION, false).get(0).contacts());
        assertTrue(n.ladder(AlertKind.ISOLATION, true).isEmpty());
        assertEquals(Duration.ofMinutes(20), n.hubOffline());
    }

    @Test
    void kindsWithoutALadderOfTheirOwnAreRefusedAsLadderKeys() {
        for (String kind : List.of("hub-back", "test", "hub-ofline")) {
            String m = refused(GOOD.replace("    worry:\n      - contacts: [dsl]", "    " + kind + ":\n      - contacts: [dsl]\n    worry:\n      - contacts: [dsl]"));
            assertTrue(m.contains("unknown key 'notify.ladders." + kind + "'") && m.contains("filter-check-failed"), m);
        }
        String m = refused(GOOD.replace("  roomNames:", "  hubOfflineMinute: 5\n  roomNames:"));
        assertTrue(m.contains("unknown key 'notify.hubOfflineMinute'"), m);
    }

    @Test
    void aPasswordIsNotSentInClearToAnotherHost() {
        String m = refused(GOOD.replace("security: starttls", "security: none"));
        assertTrue(m.contains("notify.smtp.security must be starttls or tls"), m);
    }

    @Test
    void aboutAnAdultCannotBeAnUrgentCategory() {
        String m = refused(GOOD.replace("  roomNames:", "  urgentCategories: [about-an-adult]\n  roomNames:"));
        assertTrue(m.contains("notify.urgentCategories"), m);
    }

    @Test
    void durationsAreWrittenAsSecondsMinutesOrHours() {
        assertEquals(Duration.ofSeconds(20), NotifyConfig.duration("20s"));
        assertEquals(Duration.ofHours(1), NotifyConfig.duration("1h"));
        assertThrows(IllegalArgumentException.class, () -> NotifyConfig.duration("10 minutes"));
    }
}

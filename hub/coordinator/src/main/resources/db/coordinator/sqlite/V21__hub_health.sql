-- Hub health (docs/FILTERING.md): the latest hub.health of each room's retained status, with the difference
-- between the hub's clock and the coordinator's receive time; and each event whose hub time was that far out.
CREATE TABLE hub_health (
    site        TEXT    NOT NULL,
    room        TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    hub_at      TEXT    NOT NULL,
    skew_millis INTEGER NOT NULL,
    health      TEXT,
    PRIMARY KEY (site, room)
);
CREATE TABLE event_clock_skew (
    event_id    TEXT    PRIMARY KEY,
    site        TEXT    NOT NULL,
    room        TEXT    NOT NULL,
    skew_millis INTEGER NOT NULL
);

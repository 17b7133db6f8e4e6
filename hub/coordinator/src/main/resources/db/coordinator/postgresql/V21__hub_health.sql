-- Hub health (docs/FILTERING.md): the latest hub.health of each room's retained status, with the difference
-- between the hub's clock and the coordinator's receive time; and each event whose hub time was that far out.
CREATE TABLE hub_health (
    site        TEXT   COLLATE "C" NOT NULL,
    room        TEXT   COLLATE "C" NOT NULL,
    received_at TEXT   COLLATE "C" NOT NULL,
    hub_at      TEXT   COLLATE "C" NOT NULL,
    skew_millis BIGINT NOT NULL,
    health      TEXT   COLLATE "C",
    PRIMARY KEY (site, room)
);
CREATE TABLE event_clock_skew (
    event_id    TEXT   COLLATE "C" PRIMARY KEY,
    site        TEXT   COLLATE "C" NOT NULL,
    room        TEXT   COLLATE "C" NOT NULL,
    skew_millis BIGINT NOT NULL
);

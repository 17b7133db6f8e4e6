-- Alerts to staff that did not get through (docs/NOTIFICATIONS.md): per incident, the failed send attempts
-- since its last accepted one, and how many per channel, so the dashboard can say "e-mail failed 3 times"
-- outside the timeline. Kept by the notifier in the same transaction as each notify.attempt record;
-- an accepted attempt deletes the row.
CREATE TABLE alert_failures (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
    failures    INTEGER NOT NULL,
    channels    TEXT COLLATE "C" NOT NULL
);

-- Web Push (docs/NOTIFICATIONS.md): the coordinator's VAPID key pair, made at first start and kept, since
-- every browser subscription is bound to its public key; and each staff device's subscription.
CREATE TABLE push_keys (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE push_subscriptions (
    endpoint   TEXT PRIMARY KEY,
    staff      TEXT NOT NULL REFERENCES staff(name),
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX push_subscriptions_staff ON push_subscriptions(staff);

-- Web Push (docs/NOTIFICATIONS.md): the coordinator's VAPID key pair, made at first start and kept, since
-- every browser subscription is bound to its public key; and each staff device's subscription.
CREATE TABLE push_keys (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  TEXT COLLATE "C" NOT NULL,
    private_key TEXT COLLATE "C" NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL
);
CREATE TABLE push_subscriptions (
    endpoint   TEXT COLLATE "C" PRIMARY KEY,
    staff      TEXT COLLATE "C" NOT NULL REFERENCES staff(name),
    p256dh     TEXT COLLATE "C" NOT NULL,
    auth       TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX push_subscriptions_staff ON push_subscriptions(staff);

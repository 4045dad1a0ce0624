-- 0003: the queue (排队叫号): ticket series per hall and the catalogue items
-- they serve, window work profiles and live window state, per-series day
-- counters, tickets with their append-only timeline, and the near-turn
-- notification outbox. Everything the queue knows lives here, so a restart
-- (or another server node) sees exactly the queue as it was.

-- A ticket series (A, B, …) of a hall. Prefixes are never reused in a hall:
-- a series is deactivated, not removed.
CREATE TABLE queue_series (
    id {{ID}},
    hall_id BIGINT NOT NULL REFERENCES org_node(id),
    prefix {{TEXT_C}} NOT NULL,
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX queue_series_prefix ON queue_series (hall_id, prefix);

-- The catalogue items (by code) a series serves; an item belongs to at most
-- one series of a hall, so a ticket for an item finds its queue.
CREATE TABLE series_item (
    series_id BIGINT NOT NULL REFERENCES queue_series(id),
    hall_id BIGINT NOT NULL REFERENCES org_node(id),
    item_code {{TEXT_C}} NOT NULL,
    PRIMARY KEY (series_id, item_code)
);
CREATE UNIQUE INDEX series_item_hall_code ON series_item (hall_id, item_code);

-- Queue settings of a hall; a hall without a row uses the defaults (queue.h).
CREATE TABLE queue_hall (
    hall_id BIGINT PRIMARY KEY REFERENCES org_node(id),
    recall_limit INTEGER NOT NULL CHECK (recall_limit BETWEEN 0 AND 9),
    updated_at BIGINT NOT NULL
);

-- What a window serves: its series in order of preference, and how it picks
-- the next ticket.
CREATE TABLE window_profile (
    window_id BIGINT PRIMARY KEY REFERENCES org_node(id),
    mode TEXT NOT NULL CHECK (mode IN ('longest_wait', 'strict_priority')),
    updated_at BIGINT NOT NULL
);
CREATE TABLE window_profile_series (
    window_id BIGINT NOT NULL REFERENCES window_profile(window_id),
    series_id BIGINT NOT NULL REFERENCES queue_series(id),
    seq INTEGER NOT NULL,
    PRIMARY KEY (window_id, series_id)
);
CREATE INDEX window_profile_series_series ON window_profile_series (series_id);

-- The last number given per series and service day: numbering survives a
-- restart and, on PostgreSQL, the row lock orders concurrent issuers.
CREATE TABLE ticket_counter (
    series_id BIGINT NOT NULL REFERENCES queue_series(id),
    service_day {{TEXT_C}} NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (series_id, service_day)
);

-- A ticket. series_id is the series that numbered it (its code keeps that
-- prefix for good); queue_series_id is the queue it is in now (a transfer
-- moves it). priority: 0 normal, 1 agent (代办), 2 appointment, 3 green
-- channel. issued_at is the place in line and never changes. wait_s and
-- service_s are folded from the timeline as it is written (waiting_since and
-- serving_since mark the open interval), never typed in. The phone is kept
-- only as a SHA-256 hash; the name only masked (张*).
CREATE TABLE ticket (
    id {{ID}},
    hall_id BIGINT NOT NULL REFERENCES org_node(id),
    service_day {{TEXT_C}} NOT NULL,
    series_id BIGINT NOT NULL REFERENCES queue_series(id),
    number INTEGER NOT NULL,
    code {{TEXT_C}} NOT NULL,
    queue_series_id BIGINT NOT NULL REFERENCES queue_series(id),
    item_code TEXT,
    version_id BIGINT REFERENCES catalog_version(id),
    priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'serving', 'parked', 'done',
                                           'no_show', 'withdrawn')),
    channel TEXT NOT NULL CHECK (channel IN ('kiosk', 'web', 'staff', 'walk_direct',
                                             'appointment')),
    window_id BIGINT REFERENCES org_node(id),
    staff_id BIGINT REFERENCES staff(id),
    target_window_id BIGINT REFERENCES org_node(id),
    recalls INTEGER NOT NULL DEFAULT 0,
    issued_at BIGINT NOT NULL,
    called_at BIGINT,
    started_at BIGINT,
    finished_at BIGINT,
    waiting_since BIGINT,
    serving_since BIGINT,
    wait_s BIGINT NOT NULL DEFAULT 0,
    service_s BIGINT NOT NULL DEFAULT 0,
    display_name TEXT,
    phone_hash TEXT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ticket_number ON ticket (hall_id, service_day, series_id, number);
CREATE UNIQUE INDEX ticket_code ON ticket (hall_id, service_day, code);
-- the live queue: small, since tickets leave it when called
CREATE INDEX ticket_waiting ON ticket (hall_id, service_day, queue_series_id, priority, issued_at)
    WHERE status = 'waiting';
CREATE INDEX ticket_parked ON ticket (window_id) WHERE status = 'parked';
-- the hall screen's last calls
CREATE INDEX ticket_called ON ticket (hall_id, service_day, called_at) WHERE called_at IS NOT NULL;
-- recent service times of a series (ETA)
CREATE INDEX ticket_done ON ticket (queue_series_id, finished_at) WHERE status = 'done';

-- What a window is doing now. ticket_id: the ticket it has called or is
-- serving (a parked ticket is not current).
CREATE TABLE window_state (
    window_id BIGINT PRIMARY KEY REFERENCES org_node(id),
    hall_id BIGINT NOT NULL REFERENCES org_node(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'paused', 'closed')),
    staff_id BIGINT REFERENCES staff(id),
    ticket_id BIGINT REFERENCES ticket(id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX window_state_hall ON window_state (hall_id);

-- The timeline of a ticket, appended, never changed. Ticket ids grow with
-- time and events follow their ticket within hours, so the index on
-- (ticket_id, id) takes its inserts at its end, like a time-leading index.
CREATE TABLE ticket_event (
    id {{ID}},
    ticket_id BIGINT NOT NULL REFERENCES ticket(id),
    ts BIGINT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('issued', 'called', 'recalled', 'started', 'parked',
                                       'resumed', 'transferred', 'finished', 'no_show',
                                       'withdrawn')),
    window_id BIGINT,
    staff_id BIGINT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id, id);
CREATE INDEX ticket_event_ts ON ticket_event (ts);

-- Near-turn notifications waiting for the sender (SMS or message; a later
-- issue sends them and sets sent_at). One record per ticket and kind.
CREATE TABLE notify_outbox (
    id {{ID}},
    ticket_id BIGINT NOT NULL REFERENCES ticket(id),
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    eta_minutes INTEGER,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE UNIQUE INDEX notify_outbox_once ON notify_outbox (ticket_id, kind);
CREATE INDEX notify_outbox_unsent ON notify_outbox (id) WHERE sent_at IS NULL;

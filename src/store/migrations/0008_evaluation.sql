-- 0008: 好差评 (evaluation of every service, DOMAIN.md §4): per-region
-- settings, the reasons a 差评 may give, versioned indicator sets, the service
-- events that can be evaluated (one per finished ticket, one per configured
-- case node) with their hashed tokens, the append-only hash-chained
-- evaluations, fraud flags, and the rollups that metrics and rankings read.
--
-- Personal data of an evaluator (phone, ID number) is stored like a case
-- applicant's (0007): encrypted with the data key, a keyed hash, a mask.

-- The staff card's 党员先锋岗 (party-member pioneer post), '' none.
ALTER TABLE staff ADD COLUMN pioneer_post TEXT NOT NULL DEFAULT '';

-- Settings of a region. window_days: natural days an ended service may be
-- evaluated. unrated_mode: 'unrated' records 未评 when the window closes,
-- 'default' records default_level marked as defaulted. followup: one 追评 per
-- service allowed. case_nodes: which case nodes are evaluated ('complete',
-- 'accept,complete'). Fraud thresholds: burst_n evaluations from one device
-- or address within burst_s seconds; an evaluation within fast_s seconds of
-- the service's end from the address that ended it; streak_n level-5
-- evaluations in a row for one staff member, each within fast_s*4 seconds
-- of the end.
CREATE TABLE eval_setting (
    region_id BIGINT PRIMARY KEY REFERENCES org_node(id),
    window_days INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 90),
    unrated_mode TEXT NOT NULL CHECK (unrated_mode IN ('unrated', 'default')),
    default_level INTEGER NOT NULL CHECK (default_level BETWEEN 1 AND 5),
    followup INTEGER NOT NULL CHECK (followup IN (0, 1)),
    case_nodes TEXT NOT NULL CHECK (case_nodes IN ('complete', 'accept,complete')),
    burst_n INTEGER NOT NULL CHECK (burst_n BETWEEN 2 AND 1000),
    burst_s INTEGER NOT NULL CHECK (burst_s BETWEEN 10 AND 86400),
    fast_s INTEGER NOT NULL CHECK (fast_s BETWEEN 1 AND 600),
    streak_n INTEGER NOT NULL CHECK (streak_n BETWEEN 5 AND 1000),
    updated_at BIGINT NOT NULL
);

-- The reasons a 差评 picks from (configurable per region; code unique there).
CREATE TABLE eval_reason (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    code {{TEXT_C}} NOT NULL,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX eval_reason_code ON eval_reason (region_id, code);

-- Indicator sets, versioned: a published set is never edited; publishing
-- makes a new version the current one for its region and kind.
CREATE TABLE eval_indicator_set (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    kind TEXT NOT NULL CHECK (kind IN ('offline', 'online')),
    version INTEGER NOT NULL,
    current INTEGER NOT NULL DEFAULT 1,
    published_by BIGINT REFERENCES staff(id),
    published_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX eval_indicator_set_version ON eval_indicator_set (region_id, kind, version);

-- pos: 1..8, the column of the rollups' dimension sums.
CREATE TABLE eval_indicator (
    set_id BIGINT NOT NULL REFERENCES eval_indicator_set(id),
    pos INTEGER NOT NULL CHECK (pos BETWEEN 1 AND 8),
    code {{TEXT_C}} NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    PRIMARY KEY (set_id, pos)
);

-- A service that can be evaluated once (一次一评 / 一事一评). source 'ticket'
-- (node 'service') or 'case' (node 'accept' or 'complete'). Created pending
-- when the ticket is issued or the case registered (so the printed QR code can
-- carry its token), opened when the service ends (ended_at, expires_at, the
-- staff member and window that delivered it, ended_ip: the console's address).
-- state: pending | open | rated | unrated | defaulted | void (never served).
CREATE TABLE eval_event (
    id {{ID}},
    source TEXT NOT NULL CHECK (source IN ('ticket', 'case')),
    node TEXT NOT NULL CHECK (node IN ('service', 'accept', 'complete')),
    ticket_id BIGINT REFERENCES ticket(id),
    case_id BIGINT REFERENCES case_file(id),
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    hall_id BIGINT REFERENCES org_node(id),
    unit_id BIGINT REFERENCES org_node(id),
    window_id BIGINT REFERENCES org_node(id),
    staff_id BIGINT REFERENCES staff(id),
    node_path {{TEXT_C}},
    item_id BIGINT REFERENCES catalog_item(id),
    version_id BIGINT REFERENCES catalog_version(id),
    item_code TEXT NOT NULL DEFAULT '',
    item_name TEXT NOT NULL DEFAULT '',
    token_hash {{TEXT_C}} NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'open', 'rated', 'unrated', 'defaulted', 'void')),
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    expires_at BIGINT,
    ended_ip TEXT,
    evaluation_id BIGINT,
    followup_id BIGINT
);
CREATE UNIQUE INDEX eval_event_token ON eval_event (token_hash);
CREATE UNIQUE INDEX eval_event_ticket ON eval_event (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE UNIQUE INDEX eval_event_case ON eval_event (case_id, node) WHERE case_id IS NOT NULL;
CREATE INDEX eval_event_expiry ON eval_event (expires_at) WHERE state = 'open';
CREATE INDEX eval_event_window ON eval_event (window_id, ended_at) WHERE state = 'open';

-- An evaluation: append-only, hash-chained (prev_hash, hash: SHA-256 over the
-- previous hash and the canonical record). kind 'first' or 'followup' (追评);
-- level 1..5, bad = level <= 2; defaulted = recorded by the system when the
-- window closed (never counted as actively given). reasons: JSON array of
-- reason codes; dims: JSON object indicator code -> 1..5 of set set_id.
-- channel: tablet | qr | web | window_qr | staff_qr | hotline | paper | sms |
-- system. device_id: the tablet; device: the browser's own id (public pages,
-- ≤ 64 characters) or 'tablet:<id>'. entered_by: the staff member who typed a hotline or paper
-- evaluation. The service's who/where are copied so rollups, pushes and
-- lists need no join. excluded: an upheld appeal took it out of scoring (the
-- only column ever updated, and not part of the hash).
CREATE TABLE evaluation (
    id {{ID}},
    event_id BIGINT NOT NULL REFERENCES eval_event(id),
    kind TEXT NOT NULL CHECK (kind IN ('first', 'followup')),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    bad INTEGER NOT NULL CHECK (bad IN (0, 1)),
    defaulted INTEGER NOT NULL CHECK (defaulted IN (0, 1)),
    reasons TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL DEFAULT '',
    set_id BIGINT REFERENCES eval_indicator_set(id),
    dims TEXT NOT NULL DEFAULT '{}',
    channel TEXT NOT NULL,
    device_id BIGINT,
    device TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    entered_by BIGINT REFERENCES staff(id),
    evaluator_name TEXT NOT NULL DEFAULT '',
    phone_enc TEXT,
    phone_hash {{TEXT_C}},
    phone_mask TEXT NOT NULL DEFAULT '',
    id_enc TEXT,
    id_mask TEXT NOT NULL DEFAULT '',
    region_id BIGINT NOT NULL,
    hall_id BIGINT,
    unit_id BIGINT,
    window_id BIGINT,
    staff_id BIGINT,
    item_id BIGINT,
    version_id BIGINT,
    day {{TEXT_C}} NOT NULL,
    created_at BIGINT NOT NULL,
    excluded INTEGER NOT NULL DEFAULT 0,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX evaluation_event ON evaluation (event_id, kind);
CREATE INDEX evaluation_created ON evaluation (created_at);

-- The chain's head: the last evaluation id and its hash (one row).
CREATE TABLE eval_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO eval_head (id, last_id, last_hash) VALUES (1, 0, '');

-- Fraud flags (never deletions). kind: burst_device | burst_ip | fast_console
-- | streak. evidence: JSON (the evaluations, addresses, times). status: open |
-- dismissed | confirmed, decided by a supervisor with a note.
CREATE TABLE eval_flag (
    id {{ID}},
    kind TEXT NOT NULL CHECK (kind IN ('burst_device', 'burst_ip', 'fast_console', 'streak')),
    evaluation_id BIGINT NOT NULL REFERENCES evaluation(id),
    region_id BIGINT NOT NULL,
    node_path {{TEXT_C}} NOT NULL,
    staff_id BIGINT,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'confirmed')),
    decided_by BIGINT REFERENCES staff(id),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX eval_flag_path ON eval_flag (node_path, id);
CREATE UNIQUE INDEX eval_flag_once ON eval_flag (evaluation_id, kind);

-- Where the fraud sweep has got to (one row).
CREATE TABLE eval_sweep (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_eval_id BIGINT NOT NULL
);
INSERT INTO eval_sweep (id, last_eval_id) VALUES (1, 0);

-- Rollups, kept incrementally by every write that changes a figure:
-- per local day, window, staff member, item, channel and indicator set.
-- n1..n5 count first evaluations at each level (active and defaulted);
-- active/active_good the ones the citizen gave (good: level >= 4);
-- defaulted, unrated: services closed without an active evaluation;
-- bad: active 差评 not excluded; excluded: 差评 an upheld appeal removed;
-- bad_replied (contacted), bad_rectified (followed up after rectification),
-- bad_satisfied (the citizen satisfied or basically satisfied);
-- dim_n evaluations with dimension scores, dim1..dim8 their sums by position.
CREATE TABLE eval_rollup (
    day {{TEXT_C}} NOT NULL,
    window_id BIGINT NOT NULL,
    staff_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    channel {{TEXT_C}} NOT NULL,
    set_id BIGINT NOT NULL,
    n1 BIGINT NOT NULL DEFAULT 0,
    n2 BIGINT NOT NULL DEFAULT 0,
    n3 BIGINT NOT NULL DEFAULT 0,
    n4 BIGINT NOT NULL DEFAULT 0,
    n5 BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 0,
    active_good BIGINT NOT NULL DEFAULT 0,
    defaulted BIGINT NOT NULL DEFAULT 0,
    unrated BIGINT NOT NULL DEFAULT 0,
    bad BIGINT NOT NULL DEFAULT 0,
    excluded BIGINT NOT NULL DEFAULT 0,
    bad_replied BIGINT NOT NULL DEFAULT 0,
    bad_rectified BIGINT NOT NULL DEFAULT 0,
    bad_satisfied BIGINT NOT NULL DEFAULT 0,
    dim_n BIGINT NOT NULL DEFAULT 0,
    dim1 BIGINT NOT NULL DEFAULT 0,
    dim2 BIGINT NOT NULL DEFAULT 0,
    dim3 BIGINT NOT NULL DEFAULT 0,
    dim4 BIGINT NOT NULL DEFAULT 0,
    dim5 BIGINT NOT NULL DEFAULT 0,
    dim6 BIGINT NOT NULL DEFAULT 0,
    dim7 BIGINT NOT NULL DEFAULT 0,
    dim8 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, window_id, staff_id, item_id, channel, set_id)
);
CREATE INDEX eval_rollup_window ON eval_rollup (window_id, day);
CREATE INDEX eval_rollup_staff ON eval_rollup (staff_id, day);

-- The same figures per month ('YYYY-MM') and window: a month's ranking of
-- every window reads one row per window.
CREATE TABLE eval_month_window (
    month {{TEXT_C}} NOT NULL,
    window_id BIGINT NOT NULL,
    n1 BIGINT NOT NULL DEFAULT 0,
    n2 BIGINT NOT NULL DEFAULT 0,
    n3 BIGINT NOT NULL DEFAULT 0,
    n4 BIGINT NOT NULL DEFAULT 0,
    n5 BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 0,
    active_good BIGINT NOT NULL DEFAULT 0,
    defaulted BIGINT NOT NULL DEFAULT 0,
    unrated BIGINT NOT NULL DEFAULT 0,
    bad BIGINT NOT NULL DEFAULT 0,
    excluded BIGINT NOT NULL DEFAULT 0,
    bad_replied BIGINT NOT NULL DEFAULT 0,
    bad_rectified BIGINT NOT NULL DEFAULT 0,
    bad_satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, window_id)
);

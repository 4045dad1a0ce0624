-- 0012: commitments (亮承诺) and their fulfilment (践诺), DOMAIN.md §2:
-- a unit's, a window's or a staff member's published commitment with a due
-- day, the owner's evidence reports, a leader's confirmation, and the
-- regions' publication period for the portal.

-- Settings of a region (its root node): how finely the portal publishes the
-- 践诺率 (year | quarter | month; a region without a row publishes yearly).
CREATE TABLE commitment_setting (
    region_id BIGINT PRIMARY KEY REFERENCES org_node(id),
    publish_period TEXT NOT NULL CHECK (publish_period IN ('year', 'quarter', 'month')),
    updated_at BIGINT NOT NULL
);

-- A commitment. owner_kind / owner_id: an org_node of kind unit or window,
-- or a staff member. node_id / node_path: the owner node (a staff member's
-- home node when it was made; reads follow the staff member's present home).
-- period: '' when a day was given, else 'YYYY' | 'YYYY-Qn' | 'YYYY-MM'; due_day
-- is the given day or the period's last day. target_value: a decimal number
-- as text (NULL: none). state: open (no report yet; editable) | reported
-- (awaiting confirmation) | fulfilled | partly | missed (confirmed) |
-- withdrawn. The latest report's and confirmation's figures are copied here
-- so lists need no join; the history lives in commitment_report.
CREATE TABLE commitment (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('unit', 'window', 'staff')),
    owner_id BIGINT NOT NULL,
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    node_path {{TEXT_C}} NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('service', 'efficiency', 'conduct', 'integrity',
        'other')),
    target_text TEXT NOT NULL DEFAULT '',
    target_value TEXT,
    target_unit TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    due_day TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    state TEXT NOT NULL CHECK (state IN ('open', 'reported', 'fulfilled', 'partly', 'missed',
        'withdrawn')),
    reports INTEGER NOT NULL DEFAULT 0,
    reported_at BIGINT,
    reported_by BIGINT REFERENCES staff(id),
    confirmed_at BIGINT,
    confirmed_by BIGINT REFERENCES staff(id),
    confirm_note TEXT,
    withdrawn_at BIGINT,
    withdrawn_by BIGINT REFERENCES staff(id),
    withdraw_reason TEXT,
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- the scoring engine's month close and the 践诺率: by due day, grouped by
-- owner, counted by state without touching the table
CREATE INDEX commitment_due ON commitment (due_day, owner_kind, owner_id, state);
CREATE INDEX commitment_owner ON commitment (owner_kind, owner_id, due_day);
CREATE INDEX commitment_path ON commitment (node_path, due_day);

-- The reports of a commitment, in order (seq 1, 2 … after a 'missed' or
-- 'partly' confirmation the owner may report again until the due day), each
-- with its confirmation once given. links: a JSON array of URLs.
CREATE TABLE commitment_report (
    id {{ID}},
    commitment_id BIGINT NOT NULL REFERENCES commitment(id),
    seq INTEGER NOT NULL,
    evidence TEXT NOT NULL,
    links TEXT NOT NULL DEFAULT '[]',
    reported_by BIGINT REFERENCES staff(id),
    reported_at BIGINT NOT NULL,
    result TEXT CHECK (result IN ('fulfilled', 'partly', 'missed')),
    confirmed_by BIGINT REFERENCES staff(id),
    confirmed_at BIGINT,
    note TEXT
);
CREATE UNIQUE INDEX commitment_report_seq ON commitment_report (commitment_id, seq);

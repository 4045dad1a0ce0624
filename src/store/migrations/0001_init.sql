-- 0001: the org tree, staff accounts, window assignments, devices, sessions,
-- login throttling and the hash-chained audit log.
-- Macros replaced per backend by migrate.c: {{ID}} integer primary key,
-- {{BLOB}} binary column, {{TEXT_C}} text compared byte by byte.

CREATE TABLE org_node (
    id {{ID}},
    parent_id BIGINT REFERENCES org_node(id),
    kind TEXT NOT NULL CHECK (kind IN ('region', 'unit', 'hall', 'window')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    path {{TEXT_C}} NOT NULL,
    depth INTEGER NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX org_node_sibling_code ON org_node (COALESCE(parent_id, 0), code);
CREATE UNIQUE INDEX org_node_path ON org_node (path);
CREATE INDEX org_node_parent ON org_node (parent_id, kind);

CREATE TABLE staff (
    id {{ID}},
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    badge_no TEXT NOT NULL DEFAULT '',
    post TEXT NOT NULL DEFAULT '',
    party_member INTEGER NOT NULL DEFAULT 0,
    role TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'supervisor', 'staff')),
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    password_hash TEXT NOT NULL,
    has_photo INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX staff_node ON staff (node_id);

CREATE TABLE staff_photo (
    staff_id BIGINT PRIMARY KEY REFERENCES staff(id),
    mime TEXT NOT NULL,
    data {{BLOB}} NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE window_assignment (
    id {{ID}},
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    window_id BIGINT NOT NULL REFERENCES org_node(id),
    is_chief INTEGER NOT NULL DEFAULT 0,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE UNIQUE INDEX window_assignment_open ON window_assignment (staff_id, window_id)
    WHERE ended_at IS NULL;
CREATE INDEX window_assignment_window ON window_assignment (window_id);

CREATE TABLE device (
    id {{ID}},
    kind TEXT NOT NULL CHECK (kind IN ('display', 'evaluator', 'kiosk')),
    name TEXT NOT NULL,
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    token_hash TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    last_seen_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX device_node ON device (node_id);

CREATE TABLE session (
    id {{ID}},
    token_hash TEXT NOT NULL UNIQUE,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_expiry ON session (expires_at);

CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    ts BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    node_id BIGINT,
    ip TEXT NOT NULL,
    request_id TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_ts ON audit_log (ts);

-- the chain head: one row, updated with every append, so concurrent writers
-- (several nodes on PostgreSQL) serialise on its row lock
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

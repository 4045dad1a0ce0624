-- 0002: the working-day calendar (dated exceptions to the weekend rule), the
-- service catalogue (事项) with versions, materials, procedure steps and
-- places, and the record of one-time notices (一次性告知书) given.

-- A year is known only when it has a calendar_year row: computing a deadline
-- that reaches into an unknown year is an error, never "weekends only".
CREATE TABLE calendar_year (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL
);

-- is_off = 1: a statutory day off (放假); is_off = 0: a make-up working day
-- (调休上班) on a weekend. Every other day follows the weekend rule.
CREATE TABLE calendar_day (
    day {{TEXT_C}} PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES calendar_year(year),
    is_off INTEGER NOT NULL CHECK (is_off IN (0, 1)),
    name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX calendar_day_year ON calendar_day (year);

-- A service item's identity; its content lives in versions.
CREATE TABLE catalog_item (
    id {{ID}},
    code {{TEXT_C}} NOT NULL UNIQUE,
    unit_id BIGINT NOT NULL REFERENCES org_node(id),
    current_version_id BIGINT,
    draft_version_id BIGINT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX catalog_item_unit ON catalog_item (unit_id);

-- One version of an item. A published version is never edited: editing
-- makes a new draft; publishing supersedes the old current version.
CREATE TABLE catalog_version (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES catalog_item(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('immediate', 'promised')),
    legal_limit INTEGER NOT NULL,
    legal_unit TEXT NOT NULL CHECK (legal_unit IN ('workdays', 'days', 'hours')),
    promised_limit INTEGER NOT NULL,
    promised_unit TEXT NOT NULL CHECK (promised_unit IN ('workdays', 'days', 'hours')),
    basis TEXT NOT NULL DEFAULT '',
    conditions TEXT NOT NULL DEFAULT '',
    fee_free INTEGER NOT NULL DEFAULT 1,
    fee_amount_cents BIGINT NOT NULL DEFAULT 0,
    fee_basis TEXT NOT NULL DEFAULT '',
    appointable INTEGER NOT NULL DEFAULT 0,
    ticket_prefix TEXT NOT NULL DEFAULT '',
    online TEXT NOT NULL DEFAULT 'none' CHECK (online IN ('none', 'partial', 'full')),
    phone TEXT NOT NULL DEFAULT '',
    remedies TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    published_by TEXT,
    published_at BIGINT
);
CREATE UNIQUE INDEX catalog_version_number ON catalog_version (item_id, version);

-- The materials a citizen must bring (申请材料).
CREATE TABLE catalog_material (
    id {{ID}},
    version_id BIGINT NOT NULL REFERENCES catalog_version(id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL CHECK (form IN ('original', 'copy', 'original_and_copy', 'electronic')),
    copies INTEGER NOT NULL DEFAULT 1,
    issuer TEXT NOT NULL DEFAULT '',
    required INTEGER NOT NULL DEFAULT 1,
    notes TEXT NOT NULL DEFAULT '',
    sample_file_id BIGINT
);
CREATE INDEX catalog_material_version ON catalog_material (version_id, seq);

-- Sample files (样表) for materials: a filled-in example form, PDF or image.
CREATE TABLE catalog_file (
    id {{ID}},
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    data {{BLOB}} NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The procedure (办理流程), in order.
CREATE TABLE catalog_step (
    id {{ID}},
    version_id BIGINT NOT NULL REFERENCES catalog_version(id),
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX catalog_step_version ON catalog_step (version_id, seq);

-- Where the item is served: halls and windows.
CREATE TABLE catalog_place (
    version_id BIGINT NOT NULL REFERENCES catalog_version(id),
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    PRIMARY KEY (version_id, node_id)
);
CREATE INDEX catalog_place_node ON catalog_place (node_id);

-- One-time notices given (一次性告知): who, to whom, when, which version,
-- and the materials the citizen still lacked.
CREATE TABLE catalog_notice (
    id {{ID}},
    item_id BIGINT NOT NULL REFERENCES catalog_item(id),
    version_id BIGINT NOT NULL REFERENCES catalog_version(id),
    node_id BIGINT REFERENCES org_node(id),
    issued_by BIGINT REFERENCES staff(id),
    citizen_name TEXT NOT NULL DEFAULT '',
    missing_json TEXT NOT NULL DEFAULT '[]',
    issued_at BIGINT NOT NULL
);
CREATE INDEX catalog_notice_item ON catalog_notice (item_id, issued_at);

-- 0007: cases (办件) and first inquiries (首问登记) with their timelines,
-- working-day clocks, extensions (延期), accountability records (责任追究),
-- follow-up calls (服务回访), staff notifications and per-region settings.
--
-- Personal data: a citizen's phone and ID number are stored encrypted with the
-- server's data key (*_enc, libsodium secretbox, hex), with a keyed hash
-- (*_hash) for lookups and a masked copy (*_mask, 138****5678) for lists.
-- Dates of the working-day calendar are 'YYYY-MM-DD'; times UTC epoch seconds.

-- Settings of a region (the root node of a tree).
CREATE TABLE case_setting (
    region_id BIGINT PRIMARY KEY REFERENCES org_node(id),
    yellow_pct INTEGER NOT NULL CHECK (yellow_pct BETWEEN 50 AND 99),
    escalate_minutes INTEGER NOT NULL CHECK (escalate_minutes BETWEEN 5 AND 10080),
    followup_sample_pct INTEGER NOT NULL CHECK (followup_sample_pct BETWEEN 0 AND 100),
    followup_days INTEGER NOT NULL CHECK (followup_days BETWEEN 1 AND 30),
    updated_at BIGINT NOT NULL
);

-- A first inquiry. owner_id answers for it until it is closed; pending_* name
-- the receiver of a handover not yet accepted (a colleague, or anyone of a
-- unit). status: open | answered | referred | converted.
CREATE TABLE inquiry (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    node_path {{TEXT_C}} NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES staff(id),
    first_owner_id BIGINT NOT NULL REFERENCES staff(id),
    citizen_name TEXT NOT NULL,
    phone_enc TEXT NOT NULL,
    phone_hash {{TEXT_C}} NOT NULL,
    phone_mask TEXT NOT NULL,
    question TEXT NOT NULL,
    item_code TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('window', 'phone', 'online')),
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'referred', 'converted')),
    answer TEXT,
    referred_to TEXT,
    case_id BIGINT,
    pending_staff_id BIGINT REFERENCES staff(id),
    pending_node_id BIGINT REFERENCES org_node(id),
    pending_since BIGINT,
    escalated_at BIGINT,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX inquiry_owner ON inquiry (owner_id, status, id);
CREATE INDEX inquiry_pending_staff ON inquiry (pending_staff_id) WHERE pending_staff_id IS NOT NULL;
CREATE INDEX inquiry_pending_node ON inquiry (pending_node_id) WHERE pending_node_id IS NOT NULL;
CREATE INDEX inquiry_path ON inquiry (node_path, id);
-- the escalation sweep: handovers still waiting
CREATE INDEX inquiry_pending_since ON inquiry (pending_since) WHERE pending_since IS NOT NULL
    AND escalated_at IS NULL;

CREATE TABLE inquiry_event (
    id {{ID}},
    inquiry_id BIGINT NOT NULL REFERENCES inquiry(id),
    kind TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff(id),
    actor TEXT NOT NULL,
    target_staff_id BIGINT REFERENCES staff(id),
    target_node_id BIGINT REFERENCES org_node(id),
    detail TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX inquiry_event_inquiry ON inquiry_event (inquiry_id, id);

-- Case numbers per region and day: 2026-1129-000123.
CREATE TABLE case_counter (
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    day {{TEXT_C}} NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (region_id, day)
);

-- A case. Clocks: limits in their unit (workdays | days | hours); the
-- deadlines (promised_due with approved extensions, legal_due) are NULL while
-- a pause is open; yellow_day is the first day of the yellow warning;
-- warn_level (0 none, 1 yellow, 2 red, 3 overdue) is the level already
-- notified, next_warn_day the day the sweep must look again (NULL: never).
-- open is 1 until completed, returned or withdrawn.
CREATE TABLE case_file (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    number {{TEXT_C}} NOT NULL,
    query_hash {{TEXT_C}} NOT NULL,
    item_id BIGINT NOT NULL REFERENCES catalog_item(id),
    version_id BIGINT NOT NULL REFERENCES catalog_version(id),
    item_code TEXT NOT NULL,
    item_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('immediate', 'promised')),
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    node_path {{TEXT_C}} NOT NULL,
    handler_id BIGINT NOT NULL REFERENCES staff(id),
    first_owner_id BIGINT NOT NULL REFERENCES staff(id),
    registered_by BIGINT REFERENCES staff(id),
    ticket_id BIGINT REFERENCES ticket(id),
    inquiry_id BIGINT REFERENCES inquiry(id),
    window_id BIGINT REFERENCES org_node(id),
    applicant_kind TEXT NOT NULL CHECK (applicant_kind IN ('person', 'org')),
    applicant_name TEXT NOT NULL,
    phone_enc TEXT NOT NULL,
    phone_hash {{TEXT_C}} NOT NULL,
    phone_mask TEXT NOT NULL,
    id_enc TEXT,
    id_mask TEXT,
    org_code TEXT,
    agent_name TEXT,
    agent_phone_enc TEXT,
    agent_phone_mask TEXT,
    agent_id_enc TEXT,
    agent_id_mask TEXT,
    modes TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('received', 'supplement_requested', 'supplemented',
                                         'accepted', 'in_progress', 'decided', 'completed',
                                         'returned', 'withdrawn')),
    open INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    decision TEXT,
    received_day {{TEXT_C}} NOT NULL,
    received_at BIGINT NOT NULL,
    promised_limit INTEGER NOT NULL,
    promised_unit TEXT NOT NULL,
    legal_limit INTEGER NOT NULL,
    legal_unit TEXT NOT NULL,
    extension_days INTEGER NOT NULL DEFAULT 0,
    promised_due {{TEXT_C}},
    legal_due {{TEXT_C}},
    yellow_day {{TEXT_C}},
    warn_level INTEGER NOT NULL DEFAULT 0,
    next_warn_day {{TEXT_C}},
    closed_at BIGINT,
    closed_day {{TEXT_C}},
    outcome TEXT CHECK (outcome IN ('early', 'on_time', 'late')),
    used_units INTEGER,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX case_file_number ON case_file (region_id, number);
CREATE INDEX case_file_handler ON case_file (handler_id, open, id);
CREATE INDEX case_file_first ON case_file (first_owner_id, id);
CREATE INDEX case_file_path ON case_file (node_path, id);
CREATE INDEX case_file_ticket ON case_file (ticket_id) WHERE ticket_id IS NOT NULL;
-- warnings: every yellow, red or overdue open case is yellow_day <= today
CREATE INDEX case_file_yellow ON case_file (yellow_day, promised_due, open) WHERE open = 1;
-- the notification sweep
CREATE INDEX case_file_next_warn ON case_file (next_warn_day) WHERE next_warn_day IS NOT NULL;
-- efficiency statistics over completed cases
CREATE INDEX case_file_closed ON case_file (closed_day) WHERE state = 'completed';

CREATE TABLE case_material (
    case_id BIGINT NOT NULL REFERENCES case_file(id),
    material_id BIGINT NOT NULL REFERENCES catalog_material(id),
    name TEXT NOT NULL,
    required INTEGER NOT NULL,
    received_at BIGINT,
    requested INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, material_id)
);

-- Clock stops: a 补正 request (kind supplement) or an excluded period
-- (hearing, testing, inspection, appraisal, expert). stop_day counts;
-- counting restarts the day after resume_day (NULL while open).
CREATE TABLE case_pause (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES case_file(id),
    kind TEXT NOT NULL CHECK (kind IN ('supplement', 'hearing', 'testing', 'inspection',
                                       'appraisal', 'expert')),
    stop_day {{TEXT_C}} NOT NULL,
    resume_day {{TEXT_C}},
    reason TEXT NOT NULL DEFAULT '',
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX case_pause_case ON case_pause (case_id, id);

CREATE TABLE case_event (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES case_file(id),
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    staff_id BIGINT REFERENCES staff(id),
    actor TEXT NOT NULL,
    node_id BIGINT REFERENCES org_node(id),
    detail TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX case_event_case ON case_event (case_id, id);

-- 延期: requested by the handler, decided by a leader; the citizen notice is
-- a notification record (citizen_notice_id).
CREATE TABLE case_extension (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES case_file(id),
    days INTEGER NOT NULL CHECK (days > 0),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_by BIGINT NOT NULL REFERENCES staff(id),
    requested_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES staff(id),
    decided_at BIGINT,
    decision_note TEXT,
    citizen_notice_id BIGINT
);
CREATE INDEX case_extension_case ON case_extension (case_id, id);
CREATE INDEX case_extension_pending ON case_extension (id) WHERE status = 'pending';

-- 责任追究: against a person; source overdue | complaint | finding; a leader
-- decides the grade (reminder, criticism, formal) or dismisses it.
CREATE TABLE accountability (
    id {{ID}},
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    node_path {{TEXT_C}} NOT NULL,
    case_id BIGINT REFERENCES case_file(id),
    source TEXT NOT NULL CHECK (source IN ('overdue', 'complaint', 'finding')),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'decided', 'dismissed')),
    grade TEXT CHECK (grade IN ('reminder', 'criticism', 'formal')),
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES staff(id),
    decided_at BIGINT,
    decision_note TEXT
);
CREATE INDEX accountability_staff ON accountability (staff_id, id);
CREATE INDEX accountability_path ON accountability (node_path, status, id);

-- 服务回访: scheduled when a case completes; result reached | unreachable |
-- declined; satisfaction 1-5 when reached.
CREATE TABLE followup (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES case_file(id),
    node_path {{TEXT_C}} NOT NULL,
    due_day {{TEXT_C}} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'done')),
    result TEXT CHECK (result IN ('reached', 'unreachable', 'declined')),
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    notes TEXT,
    called_by BIGINT REFERENCES staff(id),
    called_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX followup_case ON followup (case_id);
CREATE INDEX followup_due ON followup (node_path, due_day) WHERE status = 'scheduled';

-- The notification outbox: to a staff member (seen in the console; a sender
-- may also deliver it by SMS) or to a citizen (phone_enc; sent_at set by the
-- sender). kind: case_yellow | case_red | case_overdue | extension_request |
-- extension_decided | extension_notice | handover | handover_escalated |
-- accountability | followup_due.
CREATE TABLE notification (
    id {{ID}},
    staff_id BIGINT REFERENCES staff(id),
    phone_enc TEXT,
    kind TEXT NOT NULL,
    case_id BIGINT REFERENCES case_file(id),
    inquiry_id BIGINT REFERENCES inquiry(id),
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    sent_at BIGINT
);
CREATE INDEX notification_staff ON notification (staff_id, id) WHERE staff_id IS NOT NULL;
CREATE INDEX notification_unsent ON notification (id) WHERE sent_at IS NULL;

-- A change to the working-day calendar moves open cases' deadlines: the sweep
-- recomputes them in batches from next_id on, then deletes the row.
CREATE TABLE case_recalc (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    next_id BIGINT NOT NULL
);

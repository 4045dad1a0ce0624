-- 0004: appointments (预约): daily time slots per catalogue item and hall with
-- a capacity, and the bookings made in them. A booking keeps the citizen's
-- name; the phone and ID number only as SHA-256 hashes; the booking code only
-- as its SHA-256 hash plus a short hint (its first characters) for staff lists.

-- A slot definition: the same every working day. Minutes after local midnight
-- (Asia/Shanghai), start < end <= 1440.
CREATE TABLE appointment_slot (
    id {{ID}},
    hall_id BIGINT NOT NULL REFERENCES org_node(id),
    item_code {{TEXT_C}} NOT NULL,
    start_min INTEGER NOT NULL CHECK (start_min >= 0 AND start_min < 1440),
    end_min INTEGER NOT NULL CHECK (end_min > start_min AND end_min <= 1440),
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointment_slot_start ON appointment_slot (hall_id, item_code, start_min);

-- A booking. status: booked → cancelled | checked_in | no_show. ticket_id is
-- the ticket made at check-in. channel: web (the citizen) or phone (staff
-- booking for a caller).
CREATE TABLE appointment (
    id {{ID}},
    hall_id BIGINT NOT NULL REFERENCES org_node(id),
    item_code {{TEXT_C}} NOT NULL,
    day {{TEXT_C}} NOT NULL,
    start_min INTEGER NOT NULL,
    end_min INTEGER NOT NULL,
    name TEXT NOT NULL,
    phone_hash {{TEXT_C}} NOT NULL,
    id_number_hash TEXT,
    code_hash {{TEXT_C}} NOT NULL,
    code_hint TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('web', 'phone')),
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'checked_in', 'no_show')),
    staff_id BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    checked_in_at BIGINT,
    ticket_id BIGINT REFERENCES ticket(id),
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointment_code ON appointment (code_hash);
-- one active booking per person, item and day
CREATE UNIQUE INDEX appointment_person_item_day ON appointment (phone_hash, item_code, day)
    WHERE status IN ('booked', 'checked_in');
CREATE INDEX appointment_person_day ON appointment (phone_hash, day);
CREATE INDEX appointment_slot_day ON appointment (hall_id, item_code, day, start_min);
-- the no-show sweep: bookings still open
CREATE INDEX appointment_open ON appointment (day) WHERE status = 'booked';

-- 0006: the order in which a window calls (longest wait first: priority class,
-- then issue time) as an index over the waiting tickets of a hall's day, so
-- call-next reads its first match instead of sorting the hall's whole line
-- in a temporary b-tree on every call.
CREATE INDEX ticket_call_order ON ticket (hall_id, service_day, priority DESC, issued_at, id)
    WHERE status = 'waiting';

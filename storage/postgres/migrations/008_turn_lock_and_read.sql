-- A turn's lock and its first read in one statement (storage/postgres/pgLocks.ts): letting go of the lock the
-- connection held, taking the conversation's (at once, or waiting up to wait_ms), then reading the turn's
-- state rows. One round trip where these were two or three.
--
-- Why a function and not one SELECT: a statement reads from a snapshot taken when it starts, which would be
-- before the lock was taken, so it could miss what the conversation's previous turn (on another instance)
-- committed just before it let go. In a VOLATILE PL/pgSQL function each statement takes a new snapshot, so the
-- read below sees everything committed before the lock was ours.
--
-- Rows: (false, null...) when the lock was not free (nothing read); else true with one row per key found, or
-- one row of nulls when none was.
CREATE FUNCTION turn_lock_and_read(held text, wanted text, keys text[], wait_ms integer)
RETURNS TABLE (got boolean, state_key text, state_value jsonb, state_etag text, state_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF held <> '' THEN
    PERFORM pg_advisory_unlock(hashtextextended(held, 0));
  END IF;
  IF wait_ms > 0 THEN
    -- For this statement's own transaction only; running out raises lock_not_available (55P03).
    PERFORM set_config('lock_timeout', wait_ms || 'ms', true);
    PERFORM pg_advisory_lock(hashtextextended(wanted, 0));
  ELSIF NOT pg_try_advisory_lock(hashtextextended(wanted, 0)) THEN
    RETURN QUERY SELECT false, NULL::text, NULL::jsonb, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;
  RETURN QUERY SELECT true, s.key, s.value, s.etag, s.updated_at FROM bot_state s WHERE s.key = ANY(keys);
  IF NOT FOUND THEN
    RETURN QUERY SELECT true, NULL::text, NULL::jsonb, NULL::text, NULL::timestamptz;
  END IF;
END
$$;

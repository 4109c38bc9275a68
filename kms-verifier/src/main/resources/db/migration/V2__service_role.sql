-- The service's role (spring.r2dbc.username, ${app_user} here) may append to the log and read it,
-- and nothing else; the tables' owner (spring.flyway.user, who runs these migrations) keeps
-- ALTER, TRUNCATE, DROP and the triggers. So the append-only rule holds against the service's
-- own credentials, not only against bugs. When both are one role (a local run) these grants change nothing.
GRANT SELECT, INSERT ON log_entries, log_nodes, release_files TO "${app_user}";
-- The head moves forward under a row lock (SELECT ... FOR UPDATE needs UPDATE).
GRANT SELECT, UPDATE ON log_head TO "${app_user}";
GRANT SELECT, INSERT ON releases TO "${app_user}";
GRANT UPDATE (deprecated_index, deprecated_reason) ON releases TO "${app_user}";
-- The monitor's history is pruned: not part of the log.
GRANT SELECT, INSERT, DELETE ON verifications TO "${app_user}";
GRANT USAGE, SELECT ON SEQUENCE verifications_id_seq TO "${app_user}";
-- Whether an older version kept the log key here (so a key file is not made in its place), never the key.
GRANT SELECT (id, public_key) ON log_key TO "${app_user}";

-- The head only grows: a smaller size, or another root for the same size, would be a fork.
CREATE FUNCTION refuse_log_head_rewind() RETURNS trigger AS $$
BEGIN
    IF NEW.size < OLD.size OR (NEW.size = OLD.size AND NEW.root <> OLD.root) THEN
        RAISE EXCEPTION 'the transparency log only grows: head % -> % refused', OLD.size, NEW.size;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER log_head_forward_only BEFORE UPDATE ON log_head
    FOR EACH ROW EXECUTE FUNCTION refuse_log_head_rewind();

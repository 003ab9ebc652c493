sqlite_master
CREATE TABLE account (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    base_url TEXT NOT NULL CHECK (length(base_url) > 0),
    tenant TEXT,
    dialect TEXT NOT NULL CHECK (dialect IN ('agentflow', 'v2', 'knowrithm', 'turns')),
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE conversation (
    id INTEGER PRIMARY KEY,
    remote_id TEXT UNIQUE CHECK (remote_id IS NULL OR length(remote_id) > 0),
    agent_id TEXT,
    title TEXT,
    metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
    source TEXT,
    source_ref_id TEXT,
    message_count INTEGER CHECK (message_count IS NULL OR message_count >= 0),
    max_context_length INTEGER,
    created_at INTEGER,
    updated_at INTEGER,
    deleted_at INTEGER,
    purged_at INTEGER,
    last_seen_pass INTEGER,
    content_hash TEXT
) STRICT;
CREATE INDEX conversation_agent ON conversation (agent_id);
CREATE INDEX conversation_created ON conversation (coalesce(created_at, -9223372036854775808), id);
CREATE INDEX conversation_source_ref ON conversation (source_ref_id);
CREATE INDEX conversation_title ON conversation (coalesce(title, '') COLLATE NOCASE, id);
CREATE INDEX conversation_tombstone ON conversation (coalesce(purged_at, deleted_at))
    WHERE deleted_at IS NOT NULL OR purged_at IS NOT NULL;
CREATE INDEX conversation_updated ON conversation (coalesce(updated_at, -9223372036854775808), id);
CREATE TRIGGER conversation_search_delete BEFORE DELETE ON conversation BEGIN
    DELETE FROM title_search WHERE rowid = old.id;
    INSERT INTO fragment_search (fragment_search, rowid, content)
        SELECT 'delete', f.id, f.content FROM turn t JOIN fragment f ON f.turn_id = t.id
        WHERE t.conversation_id = old.id AND t.deleted_at IS NULL AND f.kind = 'text'
            AND old.deleted_at IS NULL AND old.purged_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id);
END;
CREATE TRIGGER conversation_search_insert AFTER INSERT ON conversation
WHEN new.title IS NOT NULL AND new.deleted_at IS NULL AND new.purged_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.conversations_after < new.id)
BEGIN
    INSERT INTO title_search (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER conversation_search_title AFTER UPDATE OF title, deleted_at, purged_at ON conversation
WHEN old.title IS NOT new.title
    OR (old.deleted_at IS NULL AND old.purged_at IS NULL) <> (new.deleted_at IS NULL AND new.purged_at IS NULL)
BEGIN
    DELETE FROM title_search WHERE rowid = old.id;
    INSERT INTO title_search (rowid, title)
        SELECT new.id, new.title
        WHERE new.title IS NOT NULL AND new.deleted_at IS NULL AND new.purged_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.conversations_after < new.id);
END;
CREATE TRIGGER conversation_search_visibility AFTER UPDATE OF deleted_at, purged_at ON conversation
WHEN (old.deleted_at IS NULL AND old.purged_at IS NULL) <> (new.deleted_at IS NULL AND new.purged_at IS NULL)
BEGIN
    INSERT INTO fragment_search (fragment_search, rowid, content)
        SELECT 'delete', f.id, f.content FROM turn t JOIN fragment f ON f.turn_id = t.id
        WHERE t.conversation_id = old.id AND t.deleted_at IS NULL AND f.kind = 'text'
            AND old.deleted_at IS NULL AND old.purged_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id);
    INSERT INTO fragment_search (rowid, content)
        SELECT f.id, f.content FROM turn t JOIN fragment f ON f.turn_id = t.id
        WHERE t.conversation_id = new.id AND t.deleted_at IS NULL AND f.kind = 'text'
            AND new.deleted_at IS NULL AND new.purged_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id)
        ORDER BY f.id;
END;
CREATE TABLE data_frame (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    columns TEXT NOT NULL CHECK (json_valid(columns) AND json_type(columns) = 'array'),
    row_count INTEGER CHECK (row_count IS NULL OR row_count >= 0),
    cached_rows TEXT CHECK (cached_rows IS NULL OR (json_valid(cached_rows) AND json_type(cached_rows) = 'array')),
    cached_at INTEGER,
    UNIQUE (conversation_id, name)
) STRICT;
CREATE TABLE file (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    file_ref TEXT NOT NULL UNIQUE CHECK (length(file_ref) > 0),
    name TEXT NOT NULL,
    content_type TEXT,
    size INTEGER CHECK (size IS NULL OR size >= 0),
    direction TEXT NOT NULL CHECK (direction IN ('input', 'output')),
    cached_path TEXT CHECK (cached_path IS NULL OR (length(cached_path) > 0
        AND substr(cached_path, 1, 1) <> '/' AND instr(cached_path, '..') = 0)),
    cached_at INTEGER
) STRICT;
CREATE INDEX file_conversation ON file (conversation_id);
CREATE TABLE fragment (
    id INTEGER PRIMARY KEY,
    turn_id INTEGER NOT NULL REFERENCES turn (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    kind TEXT NOT NULL CHECK (length(kind) > 0),
    content TEXT NOT NULL,
    state TEXT CHECK (state IS NULL OR state IN ('in-progress', 'done')),
    metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
    UNIQUE (turn_id, position)
) STRICT;
CREATE TRIGGER fragment_search_delete AFTER DELETE ON fragment WHEN old.kind = 'text' AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < old.id) BEGIN
    INSERT INTO fragment_search (fragment_search, rowid, content)
        SELECT 'delete', old.id, old.content FROM turn t JOIN conversation c ON c.id = t.conversation_id
        WHERE t.id = old.turn_id AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL;
END;
CREATE TRIGGER fragment_search_insert AFTER INSERT ON fragment
WHEN new.kind = 'text' AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < new.id)
BEGIN
    INSERT INTO fragment_search (rowid, content)
        SELECT new.id, new.content FROM turn t JOIN conversation c ON c.id = t.conversation_id
        WHERE t.id = new.turn_id AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL;
END;
CREATE TRIGGER fragment_search_update AFTER UPDATE OF content, kind, turn_id ON fragment
WHEN old.kind = 'text' OR new.kind = 'text' BEGIN
    INSERT INTO fragment_search (fragment_search, rowid, content)
        SELECT 'delete', old.id, old.content FROM turn t JOIN conversation c ON c.id = t.conversation_id
        WHERE old.kind = 'text' AND t.id = old.turn_id AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < old.id)
            AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL;
    INSERT INTO fragment_search (rowid, content)
        SELECT new.id, new.content FROM turn t JOIN conversation c ON c.id = t.conversation_id
        WHERE new.kind = 'text' AND t.id = new.turn_id AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < new.id)
            AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL;
END;
CREATE VIRTUAL TABLE fragment_search USING fts5 (
    content, content = 'fragment', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE "outbox" (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL CHECK (kind IN ('create_conversation', 'send_message', 'rename', 'generate_title',
        'delete_conversation', 'restore_conversation', 'delete_message', 'restore_message', 'upload_file')),
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) > 0),
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
, attempted_at INTEGER, sent_after_turn TEXT, claim_owner TEXT CHECK (claim_owner IS NULL OR length(claim_owner) > 0), claim_expires_at INTEGER) STRICT;
CREATE INDEX outbox_conversation ON outbox (conversation_id, id);
CREATE TABLE search_deferral (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fragments_after INTEGER NOT NULL,
    conversations_after INTEGER NOT NULL
) STRICT;
CREATE TABLE sync_state (
    scope TEXT NOT NULL PRIMARY KEY CHECK (length(scope) > 0),
    cursor TEXT,
    page_offset INTEGER CHECK (page_offset IS NULL OR page_offset >= 0),
    pass_generation INTEGER,
    high_water_mark INTEGER,
    last_event_id TEXT,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE VIRTUAL TABLE title_search USING fts5 (
    title, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE turn (
    id INTEGER PRIMARY KEY,
    remote_id TEXT UNIQUE CHECK (remote_id IS NULL OR length(remote_id) > 0),
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    timestamp INTEGER,
    state TEXT CHECK (state IS NULL OR state IN ('in-progress', 'done', 'stopped', 'error')),
    error_detail TEXT,
    in_reply_to TEXT,
    deleted_at INTEGER
, outbox_id INTEGER REFERENCES outbox (id) ON DELETE SET NULL) STRICT;
CREATE INDEX turn_conversation ON turn (conversation_id, ordinal, id);
CREATE INDEX turn_outbox ON turn (outbox_id) WHERE outbox_id IS NOT NULL;
CREATE INDEX turn_tombstone ON turn (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TRIGGER turn_search_delete BEFORE DELETE ON turn WHEN old.deleted_at IS NULL BEGIN
    INSERT INTO fragment_search (fragment_search, rowid, content)
        SELECT 'delete', f.id, f.content FROM fragment f
        WHERE f.turn_id = old.id AND f.kind = 'text' AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id)
            AND EXISTS (SELECT 1 FROM conversation c
                WHERE c.id = old.conversation_id AND c.deleted_at IS NULL AND c.purged_at IS NULL);
END;
CREATE TRIGGER turn_search_visibility AFTER UPDATE OF deleted_at, conversation_id ON turn
WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) OR old.conversation_id <> new.conversation_id
BEGIN
    INSERT INTO fragment_search (fragment_search, rowid, content)
        SELECT 'delete', f.id, f.content FROM fragment f
        WHERE f.turn_id = old.id AND f.kind = 'text' AND old.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id)
            AND EXISTS (SELECT 1 FROM conversation c
                WHERE c.id = old.conversation_id AND c.deleted_at IS NULL AND c.purged_at IS NULL);
    INSERT INTO fragment_search (rowid, content)
        SELECT f.id, f.content FROM fragment f
        WHERE f.turn_id = new.id AND f.kind = 'text' AND new.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id)
            AND EXISTS (SELECT 1 FROM conversation c
                WHERE c.id = new.conversation_id AND c.deleted_at IS NULL AND c.purged_at IS NULL)
        ORDER BY f.id;
END;

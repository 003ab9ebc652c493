import GRDB

/// The replica's schema: its migrations and the mark that tells a replica from any other file.
///
/// Every table follows DESIGN's data model. Times are INTEGER milliseconds since the
/// Unix epoch (`Timestamp.milliseconds`); JSON is TEXT checked by `json_valid`.
/// `Schema/replica.sql` is what a fresh migration produces; a test keeps them equal.
enum ReplicaSchema {
    /// `PRAGMA application_id` of every replica ("CSYR"): how a foreign SQLite file is
    /// recognised before anything is written to it.
    static let applicationID: Int32 = 0x4353_5952

    /// The migrations, in order. Never edit a shipped one: add another.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 replica") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2 fast import and listing") { db in
            try db.execute(sql: v2)
        }
        // GRDB runs it with foreign keys off and checks them before committing: steps 1, 2,
        // 10 and 12 of SQLite's "making other kinds of table schema changes".
        migrator.registerMigration("v3 outbox writes") { db in
            try db.execute(sql: v3OutboxRebuild)
            try db.execute(sql: v3TurnLink)
        }
        migrator.registerMigration("v4 outbox attempts and claims") { db in
            try db.execute(sql: v4OutboxAttemptsAndClaims)
        }
        migrator.registerMigration("v5 batch writes") { db in
            try db.execute(sql: v5BatchWrites)
        }
        migrator.registerMigration("v6 search indexes merged after writes") { db in
            try db.execute(sql: v6SearchMergedAfterWrites)
        }
        return migrator
    }()

    private static let v1 = """
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
        -- The listing's sort keys exactly as ConversationQueries spells them, so pages walk
        -- an index and a cursor seeks into it instead of sorting every match.
        CREATE INDEX conversation_updated ON conversation (coalesce(updated_at, -9223372036854775808), id);
        CREATE INDEX conversation_created ON conversation (coalesce(created_at, -9223372036854775808), id);
        CREATE INDEX conversation_title ON conversation (coalesce(title, '') COLLATE NOCASE, id);
        CREATE INDEX conversation_agent ON conversation (agent_id);
        CREATE INDEX conversation_source_ref ON conversation (source_ref_id);
        CREATE INDEX conversation_tombstone ON conversation (coalesce(purged_at, deleted_at))
            WHERE deleted_at IS NOT NULL OR purged_at IS NOT NULL;

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
        ) STRICT;
        CREATE INDEX turn_conversation ON turn (conversation_id, ordinal, id);
        CREATE INDEX turn_tombstone ON turn (deleted_at) WHERE deleted_at IS NOT NULL;

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

        CREATE TABLE sync_state (
            scope TEXT NOT NULL PRIMARY KEY CHECK (length(scope) > 0),
            cursor TEXT,
            page_offset INTEGER CHECK (page_offset IS NULL OR page_offset >= 0),
            pass_generation INTEGER,
            high_water_mark INTEGER,
            last_event_id TEXT,
            updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE RESTRICT,
            kind TEXT NOT NULL CHECK (kind IN ('create_conversation', 'send_message', 'rename',
                'delete_conversation', 'restore_conversation', 'delete_message', 'restore_message', 'upload_file')),
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) > 0),
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            last_error TEXT,
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX outbox_conversation ON outbox (conversation_id, id);

        -- One row per searchable text: a conversation's title (rowid = -conversation.id)
        -- or a text fragment (rowid = fragment.id). Only visible rows are indexed: the
        -- triggers below add and remove entries in the transaction that changes the
        -- rows, so soft-deleted and purged text leaves search and a restore brings it back.
        CREATE VIRTUAL TABLE search_index USING fts5 (
            title, body, conversation_id UNINDEXED, turn_id UNINDEXED,
            tokenize = 'unicode61 remove_diacritics 2'
        );

        CREATE VIEW searchable_fragment AS
            SELECT f.id AS fragment_id, f.content, t.id AS turn_id, c.id AS conversation_id
            FROM fragment f JOIN turn t ON t.id = f.turn_id JOIN conversation c ON c.id = t.conversation_id
            WHERE f.kind = 'text' AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL;

        CREATE TRIGGER conversation_search_insert AFTER INSERT ON conversation
        WHEN new.title IS NOT NULL AND new.deleted_at IS NULL AND new.purged_at IS NULL BEGIN
            INSERT INTO search_index (rowid, title, conversation_id) VALUES (-new.id, new.title, new.id);
        END;

        CREATE TRIGGER conversation_search_title AFTER UPDATE OF title, deleted_at, purged_at ON conversation
        WHEN old.title IS NOT new.title
            OR (old.deleted_at IS NULL AND old.purged_at IS NULL) <> (new.deleted_at IS NULL AND new.purged_at IS NULL)
        BEGIN
            DELETE FROM search_index WHERE rowid = -old.id;
            INSERT INTO search_index (rowid, title, conversation_id)
                SELECT -new.id, new.title, new.id
                WHERE new.title IS NOT NULL AND new.deleted_at IS NULL AND new.purged_at IS NULL;
        END;

        CREATE TRIGGER conversation_search_visibility AFTER UPDATE OF deleted_at, purged_at ON conversation
        WHEN (old.deleted_at IS NULL AND old.purged_at IS NULL) <> (new.deleted_at IS NULL AND new.purged_at IS NULL)
        BEGIN
            DELETE FROM search_index WHERE rowid IN (
                SELECT f.id FROM fragment f JOIN turn t ON t.id = f.turn_id WHERE t.conversation_id = new.id);
            INSERT INTO search_index (rowid, body, conversation_id, turn_id)
                SELECT fragment_id, content, conversation_id, turn_id FROM searchable_fragment
                WHERE conversation_id = new.id;
        END;

        CREATE TRIGGER conversation_search_delete BEFORE DELETE ON conversation BEGIN
            DELETE FROM search_index WHERE rowid = -old.id;
            DELETE FROM search_index WHERE rowid IN (
                SELECT f.id FROM fragment f JOIN turn t ON t.id = f.turn_id WHERE t.conversation_id = old.id);
        END;

        CREATE TRIGGER turn_search_visibility AFTER UPDATE OF deleted_at, conversation_id ON turn
        WHEN (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) OR old.conversation_id <> new.conversation_id
        BEGIN
            DELETE FROM search_index WHERE rowid IN (SELECT id FROM fragment WHERE turn_id = new.id);
            INSERT INTO search_index (rowid, body, conversation_id, turn_id)
                SELECT fragment_id, content, conversation_id, turn_id FROM searchable_fragment
                WHERE turn_id = new.id;
        END;

        CREATE TRIGGER turn_search_delete BEFORE DELETE ON turn BEGIN
            DELETE FROM search_index WHERE rowid IN (SELECT id FROM fragment WHERE turn_id = old.id);
        END;

        CREATE TRIGGER fragment_search_insert AFTER INSERT ON fragment BEGIN
            INSERT INTO search_index (rowid, body, conversation_id, turn_id)
                SELECT fragment_id, content, conversation_id, turn_id FROM searchable_fragment
                WHERE fragment_id = new.id;
        END;

        CREATE TRIGGER fragment_search_update AFTER UPDATE OF content, kind, turn_id ON fragment BEGIN
            DELETE FROM search_index WHERE rowid = old.id;
            INSERT INTO search_index (rowid, body, conversation_id, turn_id)
                SELECT fragment_id, content, conversation_id, turn_id FROM searchable_fragment
                WHERE fragment_id = new.id;
        END;

        CREATE TRIGGER fragment_search_delete AFTER DELETE ON fragment BEGIN
            DELETE FROM search_index WHERE rowid = old.id;
        END;
        """

    /// Speed, same behaviour: a fragment enters the search index straight from the new row
    /// (two key lookups for visibility) instead of through the three-table
    /// `searchable_fragment` view, and the unfiltered listing total comes from a tally the
    /// triggers keep instead of counting every conversation on every page.
    private static let v2 = """
        DROP TRIGGER fragment_search_insert;
        CREATE TRIGGER fragment_search_insert AFTER INSERT ON fragment WHEN new.kind = 'text' BEGIN
            INSERT INTO search_index (rowid, body, conversation_id, turn_id)
                SELECT new.id, new.content, t.conversation_id, t.id
                FROM turn t JOIN conversation c ON c.id = t.conversation_id
                WHERE t.id = new.turn_id AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL;
        END;

        -- The listing's totals without a filter: conversations not purged, and of those the
        -- ones not soft-deleted. One row, kept by the triggers below in the writing transaction.
        CREATE TABLE conversation_tally (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            kept INTEGER NOT NULL CHECK (kept >= 0),
            visible INTEGER NOT NULL CHECK (visible >= 0 AND visible <= kept)
        ) STRICT;
        INSERT INTO conversation_tally (id, kept, visible)
            SELECT 1, count(*) FILTER (WHERE purged_at IS NULL),
                count(*) FILTER (WHERE purged_at IS NULL AND deleted_at IS NULL)
            FROM conversation;

        CREATE TRIGGER conversation_tally_insert AFTER INSERT ON conversation BEGIN
            UPDATE conversation_tally SET kept = kept + (new.purged_at IS NULL),
                visible = visible + (new.purged_at IS NULL AND new.deleted_at IS NULL)
            WHERE id = 1;
        END;

        CREATE TRIGGER conversation_tally_update AFTER UPDATE OF deleted_at, purged_at ON conversation
        WHEN (old.purged_at IS NULL) <> (new.purged_at IS NULL) OR (old.deleted_at IS NULL) <> (new.deleted_at IS NULL)
        BEGIN
            UPDATE conversation_tally SET kept = kept + (new.purged_at IS NULL) - (old.purged_at IS NULL),
                visible = visible + (new.purged_at IS NULL AND new.deleted_at IS NULL)
                    - (old.purged_at IS NULL AND old.deleted_at IS NULL)
            WHERE id = 1;
        END;

        CREATE TRIGGER conversation_tally_delete AFTER DELETE ON conversation BEGIN
            UPDATE conversation_tally SET kept = kept - (old.purged_at IS NULL),
                visible = visible - (old.purged_at IS NULL AND old.deleted_at IS NULL)
            WHERE id = 1;
        END;
        """

    /// v3, the outbox as offline writes need it, first half: `generate_title` joins the kinds
    /// (a CHECK cannot be altered, so the table is rebuilt the documented way, keeping every
    /// row), and `delivered_at` records that the remote received an op whose answer did not
    /// arrive whole (a reply stream cut after it started): its retry reads instead of writing.
    static let v3OutboxRebuild = """
        CREATE TABLE outbox_rebuilt (
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
        ) STRICT;
        INSERT INTO outbox_rebuilt (id, conversation_id, kind, payload, idempotency_key, state, attempts, last_error, created_at)
            SELECT id, conversation_id, kind, payload, idempotency_key, state, attempts, last_error, created_at FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_rebuilt RENAME TO outbox;
        CREATE INDEX outbox_conversation ON outbox (conversation_id, id);
        """

    /// v3, second half: a turn made by an op (a message sent offline, its streamed reply) links
    /// to that op until the op completes, so its local key adopts the remote id instead of
    /// duplicating.
    static let v3TurnLink = """
        ALTER TABLE turn ADD COLUMN outbox_id INTEGER REFERENCES outbox (id) ON DELETE SET NULL;
        CREATE INDEX turn_outbox ON turn (outbox_id) WHERE outbox_id IS NOT NULL;
        """

    /// v4, exactly once without help from the platform, four nullable columns on `outbox`
    /// (added, not rebuilt: every earlier row stays as it was):
    /// - `attempted_at`: when the first attempt began, committed before its request left, so
    ///   a retry knows the remote may hold the write although no answer came back;
    /// - `sent_after_turn`: the remote id of the last remote turn the replica held in the
    ///   conversation when that first attempt began: a sent message found on the remote must
    ///   come after it (read-before-resend);
    /// - `claim_owner`, `claim_expires_at`: the process pushing the op now and until when,
    ///   so two processes on one replica never push the same op at the same time.
    static let v4OutboxAttemptsAndClaims = """
        ALTER TABLE outbox ADD COLUMN attempted_at INTEGER;
        ALTER TABLE outbox ADD COLUMN sent_after_turn TEXT;
        ALTER TABLE outbox ADD COLUMN claim_owner TEXT CHECK (claim_owner IS NULL OR length(claim_owner) > 0);
        ALTER TABLE outbox ADD COLUMN claim_expires_at INTEGER;
        """
}

extension ReplicaSchema {
    /// v5, the schema for batch writes (issue "The sync at the machine's limit"). Every row of
    /// every table stays as it was; only the search index, its triggers and the tally change.
    ///
    /// - Search keeps no second copy of the text: fragments are indexed by `fragment_search`, an
    ///   FTS5 table with external content (`content='fragment'`), and titles by a small index of
    ///   their own, `title_search` (rowid = conversation id). One index for both made every
    ///   title's rowid (`-conversation.id`) come before the fragments' in a write, and FTS5 writes
    ///   its pending terms to a new segment whenever a rowid goes down: one segment per
    ///   conversation, merged again and again. Each index now receives ascending rowids.
    /// - What is searchable is exactly what it was: text fragments (`kind = 'text'`) of turns not
    ///   soft-deleted in conversations neither soft-deleted nor purged, and those conversations'
    ///   titles. External content must be told the exact old text of an entry it removes, so
    ///   every trigger that removes one reads it from the row it removes, and only when that row
    ///   was indexed. No trigger joins three tables per row: a fragment's own triggers look up
    ///   its turn and conversation by key; the joins run only when a whole turn or conversation
    ///   is hidden, shown or removed.
    /// - A page's new rows are indexed by one statement when the page ends, not by a trigger
    ///   per row: on SQLite before 3.44, FTS5 writes its pending terms to disk at every
    ///   statement savepoint, and a row trigger (or a foreign key) gives every INSERT one, so
    ///   per-row indexing wrote one index segment per fragment. `search_deferral` holds, while
    ///   a page is written, the ids after which rows are the page's; every trigger leaves those
    ///   rows to the page's closing statement (see `PageWriter`).
    /// - A removed turn or conversation takes its text out of the index in a BEFORE DELETE
    ///   trigger, while its rows still say whether they were visible; the cascaded deletes of its
    ///   fragments then find no turn (or conversation) and leave the index alone, so nothing is
    ///   removed twice.
    /// - The listing tally and its three triggers go: totals are counted when asked, from the
    ///   table's smallest index and the tombstone index (see `ConversationQueries.total`).
    /// - The conversation indexes all stay: each serves a query (the three sort keys of
    ///   `ConversationQuery` with their cursors, the agent and source-ref filters and the
    ///   engine's per-agent reads, the tombstone collection and the totals); none is written
    ///   per fragment.
    /// - Stored change tokens (`content_hash`) are left as they are: the engine's tokens are
    ///   already canonical (sorted-key JSON, or the remote's own hash) and compared as opaque
    ///   text, so there is nothing to re-derive.
    /// v6: the search indexes stop merging their segments as they are written (FTS5's
    /// `automerge` 0, a setting kept in each index's `_config` table). The engine merges them
    /// once a sync or an import ends instead (`SearchIndexCompactor.mergeIfGrown`): all of them
    /// when the index grew by a tenth, else a bounded amount on the levels that hold several.
    /// FTS5's default merged as each page committed and merged the same rows again level after
    /// level: a 10,000-conversation write of pages of 100 took 3.2–4.0 s instead of 4.0–4.6 s.
    /// FTS5's `crisismerge` still bounds the segments a long write leaves (16 a level).
    static let v6SearchMergedAfterWrites = """
        INSERT INTO fragment_search (fragment_search, rank) VALUES ('automerge', 0);
        INSERT INTO title_search (title_search, rank) VALUES ('automerge', 0);
        """

    static let v5BatchWrites = """
        DROP TRIGGER conversation_tally_insert;
        DROP TRIGGER conversation_tally_update;
        DROP TRIGGER conversation_tally_delete;
        DROP TABLE conversation_tally;

        DROP TRIGGER conversation_search_insert;
        DROP TRIGGER conversation_search_title;
        DROP TRIGGER conversation_search_visibility;
        DROP TRIGGER conversation_search_delete;
        DROP TRIGGER turn_search_visibility;
        DROP TRIGGER turn_search_delete;
        DROP TRIGGER fragment_search_insert;
        DROP TRIGGER fragment_search_update;
        DROP TRIGGER fragment_search_delete;
        DROP VIEW searchable_fragment;
        DROP TABLE search_index;

        CREATE VIRTUAL TABLE fragment_search USING fts5 (
            content, content = 'fragment', content_rowid = 'id',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE VIRTUAL TABLE title_search USING fts5 (
            title, tokenize = 'unicode61 remove_diacritics 2'
        );

        INSERT INTO title_search (rowid, title)
            SELECT id, title FROM conversation
            WHERE title IS NOT NULL AND deleted_at IS NULL AND purged_at IS NULL ORDER BY id;
        INSERT INTO fragment_search (rowid, content)
            SELECT f.id, f.content FROM fragment f
            JOIN turn t ON t.id = f.turn_id JOIN conversation c ON c.id = t.conversation_id
            WHERE f.kind = 'text' AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL
            ORDER BY f.id;

        -- While a page is written (PageWriter), its new rows are indexed by one statement at
        -- its end: a row here says which ids are new (greater than these), and the triggers
        -- leave them alone. Empty outside a page, so every other write is indexed at once.
        CREATE TABLE search_deferral (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            fragments_after INTEGER NOT NULL,
            conversations_after INTEGER NOT NULL
        ) STRICT;

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

        CREATE TRIGGER conversation_search_delete BEFORE DELETE ON conversation BEGIN
            DELETE FROM title_search WHERE rowid = old.id;
            INSERT INTO fragment_search (fragment_search, rowid, content)
                SELECT 'delete', f.id, f.content FROM turn t JOIN fragment f ON f.turn_id = t.id
                WHERE t.conversation_id = old.id AND t.deleted_at IS NULL AND f.kind = 'text'
                    AND old.deleted_at IS NULL AND old.purged_at IS NULL AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id);
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

        CREATE TRIGGER turn_search_delete BEFORE DELETE ON turn WHEN old.deleted_at IS NULL BEGIN
            INSERT INTO fragment_search (fragment_search, rowid, content)
                SELECT 'delete', f.id, f.content FROM fragment f
                WHERE f.turn_id = old.id AND f.kind = 'text' AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < f.id)
                    AND EXISTS (SELECT 1 FROM conversation c
                        WHERE c.id = old.conversation_id AND c.deleted_at IS NULL AND c.purged_at IS NULL);
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

        -- Runs for a fragment deleted on its own; one deleted with its turn (a cascade) finds
        -- no turn, and turn_search_delete has already taken its text out.
        CREATE TRIGGER fragment_search_delete AFTER DELETE ON fragment WHEN old.kind = 'text' AND NOT EXISTS (SELECT 1 FROM search_deferral d WHERE d.fragments_after < old.id) BEGIN
            INSERT INTO fragment_search (fragment_search, rowid, content)
                SELECT 'delete', old.id, old.content FROM turn t JOIN conversation c ON c.id = t.conversation_id
                WHERE t.id = old.turn_id AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL;
        END;
        """
}

extension ReplicaSchema {
    /// The schema as `Schema/replica.sql` records it: GRDB's `dumpSchema` of a database
    /// (internal SQLite, GRDB and FTS5 shadow tables left out), sorted by SQLite.
    static func dump(_ db: Database) throws -> String {
        final class Text: TextOutputStream {
            var value = ""
            func write(_ string: String) { value += string }
        }
        let text = Text()
        try db.dumpSchema(to: text)
        return text.value
    }
}

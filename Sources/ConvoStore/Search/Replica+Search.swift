import GRDB

extension Replica {
    /// Full-text search over conversation titles and fragment text, best first (bm25).
    ///
    /// A query of one word (or one phrase or prefix) with no filter ranks at most the
    /// ``SearchQueries/rankingWindow`` matches written last: for a word with no more matches
    /// than that, the hits are exactly the best by bm25; for a more common one, they are the
    /// best of its most recently written matches, so a common word answers as fast as a rare
    /// one. Queries of several terms, and filtered ones, rank every match.
    ///
    /// The text is a person's query: words (all must match), `"a phrase"`, `-word` to exclude,
    /// `prefix*`. It is never passed raw to FTS5 (see DESIGN, "Query API"). Each hit is one
    /// title or one fragment, so all words must occur in the same title or fragment. Matching
    /// ignores case and diacritics. Soft-deleted and purged conversations and turns are
    /// never found (`filters.includeDeleted` is ignored).
    ///
    ///     let hits = try await replica.search(#"renewal -draft "acme corp""#, limit: 10)
    ///
    /// - Throws: `StoreError` `.invalidQuery` (no word to look for, only exclusions, more than
    ///   4096 bytes or 32 terms, a limit outside 1…1000), `.database`.
    public func search(
        _ text: String, filters: ConversationFilters = .init(), limit: Int = 20, markers: SnippetMarkers = .brackets
    ) async throws -> [SearchHit] {
        let expression = try SearchExpression(parsing: text)
        try ConversationQueries.checkLimit(limit)
        return try await reading { db in try SearchQueries.hits(expression, filters: filters, limit: limit, markers: markers, db) }
    }
}

enum SearchQueries {
    /// The most matches a one-term, unfiltered query ranks: those written last.
    static let rankingWindow = 2000

    /// The best `limit` hits in two steps: rank the matches (FTS5 alone when no filter
    /// narrows the conversations; see ``FilteredPlan`` when one does), then build snippets and join titles and turn ids for
    /// the few kept. Snippets are the costly part, and SQLite computes a result column
    /// for every row it sorts, so computing them in the ranking step made a common word
    /// cost a snippet per match.
    ///
    /// Fragments and titles have an index each (`fragment_search`, `title_search`); a hit is
    /// a fragment id, or minus a conversation id for a title, and both rankings merge by bm25.
    /// The indexes hold visible text only (the schema's triggers remove soft-deleted and
    /// purged rows in the transaction that hides them), so the unfiltered ranking needs
    /// no join to check visibility.
    /// How a filtered search finds its matches.
    enum FilteredPlan: Equatable {
        /// Visit the fragments that pass the filter and look each up in the search index.
        case filterFirst
        /// Walk the term's matches in the search index and keep those that pass the filter.
        case matchesFirst
    }

    /// Below this many fragments passing a filter, a filtered search visits them
    /// (``FilteredPlan/filterFirst``): a lookup each costs about what reading a few matches
    /// does, and a common term can have a hundred thousand matches.
    static let filterFirstLimit = 5000

    /// Counts the fragments passing `filters`, stopping at ``filterFirstLimit``: the count
    /// costs at most what the plan it chooses does.
    static func plan(_ filters: ConversationFilters, _ db: Database) throws -> FilteredPlan {
        let (filterSQL, arguments) = ConversationQueries.whereClause(filters, includeDeleted: false)
        let passing = try Int.fetchOne(
            db.cachedStatement(sql: """
                SELECT count(*) FROM (SELECT 1 FROM conversation c
                    JOIN turn t ON t.conversation_id = c.id JOIN fragment f ON f.turn_id = t.id
                    WHERE \(filterSQL) LIMIT \(filterFirstLimit))
                """), arguments: arguments) ?? 0
        return passing < filterFirstLimit ? .filterFirst : .matchesFirst
    }

    /// The ranking step of a filtered search: hit (a fragment id, or minus a conversation id
    /// for a title) and its bm25, best `limit` first. Arguments: for ``FilteredPlan/filterFirst``
    /// the filter's, the match, the filter's, the match; for ``FilteredPlan/matchesFirst`` the
    /// match, the filter's, the match, the filter's; then the limit.
    static func filteredRanking(_ plan: FilteredPlan, filterSQL: String, oneTerm: Bool) -> String {
        switch plan {
        case .filterFirst:
            // Few fragments pass the filter: visit them through the conversation indexes and
            // look each up in the search index by rowid, never reading the term's other matches.
            """
            SELECT hit, hit_rank FROM (
                SELECT f.id AS hit, fragment_search.rank AS hit_rank
                FROM conversation c CROSS JOIN turn t CROSS JOIN fragment f CROSS JOIN fragment_search
                WHERE \(filterSQL) AND t.conversation_id = c.id AND f.turn_id = t.id AND f.kind = 'text'
                    AND fragment_search.rowid = f.id AND fragment_search MATCH ?
                UNION ALL
                SELECT -c.id AS hit, title_search.rank AS hit_rank
                FROM conversation c CROSS JOIN title_search
                WHERE \(filterSQL) AND title_search.rowid = c.id AND title_search MATCH ?)
            ORDER BY hit_rank, hit LIMIT ?
            """
        case .matchesFirst:
            // Many fragments pass: walk the matches and keep those that pass. One term walks
            // them newest first and ranks a window, as unfiltered; more terms rank them all.
            """
            SELECT hit, hit_rank FROM (
                SELECT * FROM (SELECT fragment_search.rowid AS hit, fragment_search.rank AS hit_rank
                    FROM fragment_search JOIN fragment f ON f.id = fragment_search.rowid
                    JOIN turn t ON t.id = f.turn_id JOIN conversation c ON c.id = t.conversation_id
                    WHERE fragment_search MATCH ? AND \(filterSQL)
                    \(oneTerm ? "ORDER BY fragment_search.rowid DESC LIMIT \(rankingWindow)" : ""))
                UNION ALL
                SELECT * FROM (SELECT -title_search.rowid AS hit, title_search.rank AS hit_rank
                    FROM title_search JOIN conversation c ON c.id = title_search.rowid
                    WHERE title_search MATCH ? AND \(filterSQL)
                    \(oneTerm ? "ORDER BY title_search.rowid DESC LIMIT \(rankingWindow)" : "")))
            ORDER BY hit_rank, hit LIMIT ?
            """
        }
    }

    static func hits(
        _ expression: SearchExpression, filters: ConversationFilters, limit: Int, markers: SnippetMarkers, _ db: Database
    ) throws -> [SearchHit] {
        let match = expression.fts5
        let ranking: String
        var arguments: StatementArguments
        if ConversationQueries.narrows(filters) {
            let (filterSQL, filterArguments) = ConversationQueries.whereClause(filters, includeDeleted: false)
            let plan = try plan(filters, db)
            ranking = filteredRanking(plan, filterSQL: filterSQL, oneTerm: expression.terms.count == 1)
            switch plan {
            case .filterFirst:
                arguments = filterArguments
                arguments += [match]
                arguments += filterArguments
                arguments += [match]
            case .matchesFirst:
                arguments = [match]
                arguments += filterArguments
                arguments += [match]
                arguments += filterArguments
            }
        } else if expression.terms.count == 1 {
            // FTS5 walks one term's matches newest first and computes bm25 only for those read;
            // titles have a window of their own.
            ranking = """
                SELECT hit, hit_rank FROM (
                    SELECT * FROM (SELECT rowid AS hit, rank AS hit_rank FROM fragment_search
                        WHERE fragment_search MATCH ? ORDER BY rowid DESC LIMIT \(rankingWindow))
                    UNION ALL
                    SELECT * FROM (SELECT -rowid AS hit, rank AS hit_rank FROM title_search
                        WHERE title_search MATCH ? ORDER BY rowid DESC LIMIT \(rankingWindow)))
                ORDER BY hit_rank, hit LIMIT ?
                """
            arguments = [match, match]
        } else {
            ranking = """
                SELECT hit, hit_rank FROM (
                    SELECT rowid AS hit, rank AS hit_rank FROM fragment_search WHERE fragment_search MATCH ?
                    UNION ALL
                    SELECT -rowid AS hit, rank AS hit_rank FROM title_search WHERE title_search MATCH ?)
                ORDER BY hit_rank, hit LIMIT ?
                """
            arguments = [match, match]
        }
        // Unfiltered, the ranking read every match: when it kept fewer than `limit`, they are all.
        let fewHitsAreEveryMatch = !ConversationQueries.narrows(filters)
        arguments += [limit]
        if fewHitsAreEveryMatch {
            arguments += [limit, markers.open, markers.close, markers.ellipsis, match]
        }
        arguments += [markers.open, markers.close, markers.ellipsis, match, markers.open, markers.close, markers.ellipsis, match]
        let sql = hitsSQL(ranking: ranking, fewHitsAreEveryMatch: fewHitsAreEveryMatch)
        let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
        return rows.map { row in
            SearchHit(
                conversationID: row["conversation_remote_id"] ?? "", conversationLocalID: row["conversation_id"],
                turnID: row["turn_remote_id"], title: row["title"], snippet: row["snippet"] ?? "", rank: row["hit_rank"])
        }
    }

    /// The second step: the ranked hits (`ranking`, at most `limit` rows) joined to their
    /// snippets, titles and turn ids. Arguments: the ranking's and its limit; when
    /// `fewHitsAreEveryMatch`, the limit again and the snippet markers and match for the walk
    /// below; then the snippet markers and match for fragments, then for titles.
    ///
    /// A snippet needs the search index positioned on its row. Each fragment hit is looked up
    /// by rowid with the match, which costs a fresh seek of every term (about 45 µs a hit over a
    /// million fragments). `CROSS JOIN` keeps the hits the outer loop: with the limit bound as
    /// a parameter the planner cannot tell they are few, and it walked every match of the
    /// query to look each up among them (95 ms instead of 0.3 for a common word).
    ///
    /// `fewHitsAreEveryMatch` says the ranking read every match (no filter): when it kept fewer
    /// hits than its limit, those hits are all the query's matches, so one walk of the matches
    /// positions the index on each of them for the price of one seek. The walk is taken only
    /// then, and for two fragment hits or more (one is a single seek either way); a 2-term
    /// query's p50 went from 0.79 to 0.57 ms over a million fragments (BENCHMARKS.md). The
    /// walk's `+rowid` keeps SQLite from turning its `IN` into those lookups again. Titles are
    /// always looked up: their index is small and its seeks cheap.
    static func hitsSQL(ranking: String, fewHitsAreEveryMatch: Bool = false) -> String {
        let hitColumns = """
            c.id AS conversation_id, c.remote_id AS conversation_remote_id, c.title AS title,
                t.remote_id AS turn_remote_id, best.hit_rank AS hit_rank, best.hit AS hit
            """
        let fragmentJoins = "JOIN fragment f ON f.id = best.hit JOIN turn t ON t.id = f.turn_id JOIN conversation c ON c.id = t.conversation_id"
        let titles = """
            SELECT c.id, c.remote_id, c.title, NULL, best.hit_rank, best.hit,
                snippet(title_search, 0, ?, ?, ?, 16)
            FROM best
            CROSS JOIN title_search ON title_search.rowid = -best.hit
            JOIN conversation c ON c.id = -best.hit
            WHERE best.hit < 0 AND title_search MATCH ?
            ORDER BY hit_rank, hit
            """
        guard fewHitsAreEveryMatch else {
            return """
                WITH best AS MATERIALIZED (\(ranking))
                SELECT \(hitColumns), snippet(fragment_search, 0, ?, ?, ?, 16) AS snippet
                FROM best
                CROSS JOIN fragment_search ON fragment_search.rowid = best.hit
                \(fragmentJoins)
                WHERE best.hit > 0 AND fragment_search MATCH ?
                UNION ALL
                \(titles)
                """
        }
        // `strategy` is one row, the outer loop of both ways to the snippets, so the way not
        // taken never opens the search index.
        return """
            WITH best AS MATERIALIZED (\(ranking)),
            strategy AS MATERIALIZED (
                SELECT count(*) < ? AND count(*) FILTER (WHERE hit > 0) > 1 AS walk FROM best),
            fragment_snippet AS MATERIALIZED (
                SELECT fragment_search.rowid AS hit, snippet(fragment_search, 0, ?, ?, ?, 16) AS snippet
                FROM strategy CROSS JOIN fragment_search
                WHERE strategy.walk AND fragment_search MATCH ? AND +fragment_search.rowid IN (SELECT hit FROM best)
                UNION ALL
                SELECT best.hit, snippet(fragment_search, 0, ?, ?, ?, 16)
                FROM strategy CROSS JOIN best CROSS JOIN fragment_search ON fragment_search.rowid = best.hit
                WHERE NOT strategy.walk AND best.hit > 0 AND fragment_search MATCH ?)
            SELECT \(hitColumns), fragment_snippet.snippet AS snippet
            FROM fragment_snippet CROSS JOIN best ON best.hit = fragment_snippet.hit
            \(fragmentJoins)
            UNION ALL
            \(titles)
            """
    }
}

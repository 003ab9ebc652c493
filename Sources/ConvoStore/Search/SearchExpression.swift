/// A person's search text turned into a safe FTS5 MATCH expression.
///
/// The language: words (all must match), `"a phrase"`, `-word` or `-"a phrase"` to
/// exclude, `prefix*`. Nothing the person types reaches FTS5 as syntax: every term is
/// emitted as a quoted FTS5 string, so `NEAR`, `AND`, `:`, `^`, `(`, `)` and `+` are
/// plain text (which the tokenizer reduces to words). Control characters are spaces;
/// an unbalanced quote runs to the end of the text; a term with no letter or digit
/// (a lone `*`, `-`, `(`…) is dropped.
///
///     try SearchExpression(parsing: #"renewal "acme corp" -draft quot*"#).fts5
///     // ("renewal" AND "acme corp" AND "quot"*) NOT "draft"
struct SearchExpression: Sendable, Hashable {
    /// One term of the query.
    struct Term: Sendable, Hashable {
        var text: String
        var isPrefix: Bool
        var isExcluded: Bool

        /// The term as an FTS5 string: double quotes inside are doubled.
        var fts5: String {
            "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (isPrefix ? "*" : "")
        }
    }

    /// The longest search text accepted, in UTF-8 bytes.
    static let maximumBytes = 4096
    /// The most terms a query may hold.
    static let maximumTerms = 32

    var terms: [Term]

    /// Parses `text`.
    ///
    /// - Throws: `StoreError` `.invalidQuery` when the text is too long, has too many terms,
    ///   nothing to search for, or only exclusions (FTS5 cannot match "everything but").
    init(parsing text: String) throws {
        guard text.utf8.count <= Self.maximumBytes else {
            throw StoreError(.invalidQuery, "the search text is longer than \(Self.maximumBytes) bytes")
        }
        terms = Self.tokenize(text)
        guard terms.count <= Self.maximumTerms else {
            throw StoreError(.invalidQuery, "the search has more than \(Self.maximumTerms) terms")
        }
        guard !terms.isEmpty else {
            throw StoreError(.invalidQuery, "the search has no word to look for")
        }
        guard terms.contains(where: { !$0.isExcluded }) else {
            throw StoreError(.invalidQuery, "the search only excludes words; add a word to look for")
        }
    }

    /// The FTS5 expression: the wanted terms joined by AND, then each excluded one by NOT.
    var fts5: String {
        let wanted = terms.filter { !$0.isExcluded }.map(\.fts5).joined(separator: " AND ")
        return terms.filter(\.isExcluded).reduce("(\(wanted))") { expression, term in
            "(\(expression) NOT \(term.fts5))"
        }
    }

    private static func tokenize(_ text: String) -> [Term] {
        // Control characters (U+0000 included) become spaces before anything else.
        let scalars = text.unicodeScalars.map { scalar -> Unicode.Scalar in
            scalar.properties.generalCategory == .control || scalar.properties.isWhitespace ? " " : scalar
        }
        var terms: [Term] = []
        var index = 0
        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        while index < scalars.count {
            guard let scalar = peek() else { break }
            if scalar == " " {
                index += 1
                continue
            }
            var excluded = false
            if scalar == "-", let next = peek(1), next != " " {
                excluded = true
                index += 1
            }
            var body = String.UnicodeScalarView()
            var prefix = false
            if peek() == "\"" {
                index += 1
                while let next = peek(), next != "\"" {
                    body.append(next)
                    index += 1
                }
                index += 1  // the closing quote, or past the end when unbalanced
                if peek() == "*" {
                    prefix = true
                    while peek() == "*" { index += 1 }
                }
            } else {
                while let next = peek(), next != " ", next != "\"" {
                    body.append(next)
                    index += 1
                }
                while body.last == "*" {
                    body.removeLast()
                    prefix = true
                }
            }
            let term = String(body)
            if hasWordCharacter(term) {
                terms.append(Term(text: term, isPrefix: prefix, isExcluded: excluded))
            }
        }
        return terms
    }

    /// Whether the tokenizer can find a word in `text`: a letter or a digit.
    private static func hasWordCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        }
    }
}

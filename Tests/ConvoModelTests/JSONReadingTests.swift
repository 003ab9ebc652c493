import ConvoModel
import Testing

/// Reading parsed JSON by hand: what each kind of member accepts, and how a refusal is named.
@Suite("JSON reading")
struct JSONReadingTests {
    struct Item: JSONReadable, Equatable {
        var id: String
        var note: String?

        init(json value: JSONValue) throws(JSONReadError) {
            let object = try JSONObjectReader(value)
            id = try object.required("id")
            note = try object.optional("note")
        }
    }

    struct Page: JSONReadable {
        var items: [Item]

        init(json value: JSONValue) throws(JSONReadError) {
            items = try JSONObjectReader(value).required("items")
        }
    }

    @Test("a refusal deep in a document names its path from the root, and says what was wrong")
    func refusalNamesItsPath() {
        let cases: [(String, String, JSONReadError.Problem)] = [
            (#"{"items":[{"id":"a"},{"note":"x"}]}"#, "$.items[1].id", .missing),
            (#"{"items":[{"id":"a"},{"id":null}]}"#, "$.items[1].id", .null(expected: "a string")),
            (#"{"items":[{"id":7}]}"#, "$.items[0].id", .mismatch(expected: "a string", found: "a number")),
            (#"{"items":{}}"#, "$.items", .mismatch(expected: "an array", found: "an object")),
            (#"{"items":[{"id":"a"}"#, "$", .notJSON("not JSON at byte 20: expected ',' or ']'")),
        ]
        for (text, path, problem) in cases {
            let error = #expect(throws: JSONReadError.self) { try Page.read(document: text) }
            #expect(error?.jsonPath == path, "\(text)")
            #expect(error?.problem == problem, "\(text)")
        }
    }

    @Test("optional members may be absent or null; required ones may be neither, even as any JSON value")
    func optionalAndRequiredMembers() throws {
        let page = try Page.read(document: #"{"items":[{"id":"a"},{"id":"b","note":null},{"id":"c","note":"kept"}]}"#)
        #expect(page.items.map(\.note) == [nil, nil, "kept"])
        let object = try JSONObjectReader(.object(["meta": .null]))
        #expect(throws: JSONReadError.self) { try object.required("meta", as: JSONValue.self) }
        #expect(throws: JSONReadError.self) { try object.omittable("meta", as: JSONValue.self) }
        #expect(try object.nullable("meta", as: JSONValue.self) == nil)
        #expect(try object.omittable("absent", as: JSONValue.self) == nil)
    }

    @Test("bytes that are not UTF-8 are not JSON, never read with a replacement character")
    func invalidUTF8IsNotJSON() {
        let bytes: [UInt8] = Array(#"{"items":[{"id":""#.utf8) + [0xFF] + Array(#""}]}"#.utf8)
        let error = #expect(throws: JSONReadError.self) {
            try bytes.withUnsafeBytes { buffer throws(JSONReadError) in try Page.read(document: buffer) }
        }
        #expect(error?.problem == .notJSON("not UTF-8"))
    }
}

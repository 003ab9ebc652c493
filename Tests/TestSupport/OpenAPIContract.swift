import Foundation

/// One dialect's API contract (`Schema/<dialect>.openapi.json`), used to check requests
/// and responses — recorded fixtures, the emulator's live answers — against it.
///
/// Paths are relative to the dialect's base URL, exactly as the document's `paths`
/// declare them; ids in a concrete path stay percent-encoded (`conv_a%2Fb` is one segment).
///
///     let contract = try OpenAPIContract(dialect: "agentflow")
///     let violations = contract.validateResponse(
///         method: "GET", path: "/conversations", status: 200,
///         contentType: "application/json", body: data)
///     #expect(violations.isEmpty, "\(violations)")
///
/// Validation never throws; it returns ``ContractViolation``s, empty when the message
/// conforms. A status the operation does not declare is a violation. An undeclared path
/// may only answer 404 (`components/responses/RouteNotFound`) and an undeclared method of
/// a declared path only 405 (`components/responses/MethodNotAllowed`).
///
/// ## Topics
/// - ``validateResponse(method:path:status:contentType:body:headers:)``
/// - ``validateRequest(method:path:query:headers:)``
/// - ``validateRequestBody(method:path:contentType:body:)``
/// - ``operation(method:path:)``
public struct OpenAPIContract: Sendable {
    /// The contract's name: the dialect, or the file's name without extensions.
    public let name: String
    /// The whole OpenAPI document.
    public let document: ContractJSON
    private let templates: [PathTemplate]

    /// Loads `Schema/<dialect>.openapi.json` from the repository.
    ///
    /// - Throws: ``OpenAPIContractError`` (`.unreadable`, `.notAnOpenAPIDocument`).
    public init(dialect: String) throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Schema")
            .appendingPathComponent("\(dialect).openapi.json")
        try self.init(contentsOf: url, name: dialect)
    }

    /// Loads an OpenAPI 3.1 document written as JSON.
    ///
    /// - Throws: ``OpenAPIContractError`` (`.unreadable`, `.notAnOpenAPIDocument`).
    public init(contentsOf url: URL, name: String? = nil) throws {
        let file = url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw OpenAPIContractError(code: .unreadable, file: file)
        }
        guard let document = try? ContractJSON(data: data), document["openapi"]?.stringValue != nil,
            let paths = document["paths"]?.members
        else {
            throw OpenAPIContractError(code: .notAnOpenAPIDocument, file: file)
        }
        self.name = name ?? String(file.prefix { $0 != "." })
        self.document = document
        self.templates = paths.map { PathTemplate(template: $0.key, item: $0.value) }
    }

    /// Every operation the document declares, sorted by path then method.
    public var operations: [ContractOperation] {
        templates.flatMap { template in
            template.methods.map { ContractOperation(method: $0, pathTemplate: template.template, operationID: template.operationID($0)) }
        }
        .sorted { ($0.pathTemplate, $0.method) < ($1.pathTemplate, $1.method) }
    }

    /// The operation serving `method` on a concrete `path` (query string ignored), if declared.
    ///
    /// Literal segments win over templated ones, as OpenAPI specifies:
    /// `/conversation/deleted` is never `/conversation/{id}`.
    public func operation(method: String, path: String) -> ContractOperation? {
        guard let (template, _) = match(path), template.methods.contains(method.uppercased()) else { return nil }
        let verb = method.uppercased()
        return ContractOperation(method: verb, pathTemplate: template.template, operationID: template.operationID(verb))
    }

    // MARK: Responses

    /// Checks a response: that its status is declared, its content type is one the status
    /// declares, and its body conforms (JSON schemas; event streams event by event, per
    /// the media type's `x-convosync-events`).
    ///
    /// - Parameters:
    ///   - headers: the response's headers; when given, required headers (like
    ///     `Retry-After` on 429) must be present and declared ones must conform.
    public func validateResponse(
        method: String, path: String, status: Int, contentType: String?, body: Data,
        headers: [String: String]? = nil
    ) -> [ContractViolation] {
        let verb = method.uppercased()
        guard let (template, _) = match(path) else {
            guard status == 404, let fallback = component("responses", "RouteNotFound") else {
                return [ContractViolation(path: "", message: "\(verb) \(stripQuery(path)) matches no path of the contract")]
            }
            return validate(response: fallback, contentType: contentType, body: body, headers: headers)
        }
        guard let operation = template.item[verb.lowercased()] else {
            guard status == 405, let fallback = component("responses", "MethodNotAllowed") else {
                return [ContractViolation(path: "", message: "\(verb) is not declared for \(template.template)")]
            }
            return validate(response: fallback, contentType: contentType, body: body, headers: headers)
        }
        let responses = operation["responses"]?.members ?? [:]
        let statusKey = String(status)
        let rangeKey = "\(status / 100)XX"
        guard let response = responses[statusKey] ?? responses[rangeKey] ?? responses["default"] else {
            let listed = responses.keys.sorted().joined(separator: ", ")
            return [ContractViolation(path: "", message: "status \(status) is not declared for \(verb) \(template.template) (declared: \(listed))")]
        }
        return validate(response: resolved(response), contentType: contentType, body: body, headers: headers)
    }

    private func validate(response: ContractJSON, contentType: String?, body: Data, headers: [String: String]?) -> [ContractViolation] {
        var violations: [ContractViolation] = []
        if let headers {
            violations += validate(headers: headers, declared: response["headers"]?.members ?? [:])
        }
        guard let content = response["content"]?.members, !content.isEmpty else {
            if !body.isEmpty {
                violations.append(ContractViolation(path: "", message: "a body of \(body.count) bytes where the contract declares none"))
            }
            return violations
        }
        guard let contentType, !contentType.isEmpty else {
            violations.append(ContractViolation(path: "", message: "no content type; expected \(content.keys.sorted().joined(separator: " or "))"))
            return violations
        }
        guard let (mediaType, media) = mediaType(contentType, in: content) else {
            violations.append(ContractViolation(path: "", message: "content type \(contentType) is not declared (expected \(content.keys.sorted().joined(separator: " or ")))"))
            return violations
        }
        if isJSON(mediaType) {
            violations += validateJSONBody(body, schema: media["schema"])
        } else if mediaType == "text/event-stream" {
            violations += validateEventStream(body, events: media["x-convosync-events"]?.members ?? [:])
        }
        return violations
    }

    // MARK: Requests

    /// Checks a request's path and query parameters (and, when given, its headers)
    /// against the operation's declared parameters: required ones present, values of
    /// the declared type and within their bounds. Undeclared query parameters are
    /// ignored, as the contracts specify.
    ///
    /// - Parameter query: the raw query string (`limit=20&cursor=abc`), percent-encoded;
    ///   `nil` takes the query from `path`.
    public func validateRequest(method: String, path: String, query: String? = nil, headers: [String: String]? = nil) -> [ContractViolation] {
        let verb = method.uppercased()
        guard let (template, pathValues) = match(path), let operation = template.item[verb.lowercased()] else {
            return [ContractViolation(path: "", message: "\(verb) \(stripQuery(path)) matches no operation of the contract")]
        }
        let queryItems = Self.parseQuery(query ?? path.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? "")
        var violations: [ContractViolation] = []
        for parameter in parameters(of: operation, in: template.item) {
            guard let name = parameter["name"]?.stringValue, let location = parameter["in"]?.stringValue else { continue }
            let required = parameter["required"]?.boolValue ?? false
            let schema = parameter["schema"] ?? .object([:])
            let values: [String]
            let label: String
            switch location {
            case "path":
                values = pathValues[name].map { [$0] } ?? []
                label = "{\(name)}"
            case "query":
                values = queryItems.filter { $0.name == name }.map(\.value)
                label = "?\(name)"
            case "header":
                guard let headers else { continue }
                values = headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }.map { [$0.value] } ?? []
                label = "header \(name)"
            default:
                continue
            }
            if values.isEmpty {
                if required { violations.append(ContractViolation(path: label, message: "missing required parameter")) }
                continue
            }
            if values.count > 1 {
                violations.append(ContractViolation(path: label, message: "given \(values.count) times, expected once"))
            }
            violations += validate(parameterValue: values[0], schema: schema, label: label)
        }
        return violations
    }

    /// Checks a JSON request body against the operation's declared request body.
    public func validateRequestBody(method: String, path: String, contentType: String, body: Data) -> [ContractViolation] {
        let verb = method.uppercased()
        guard let (template, _) = match(path), let operation = template.item[verb.lowercased()] else {
            return [ContractViolation(path: "", message: "\(verb) \(stripQuery(path)) matches no operation of the contract")]
        }
        guard let requestBody = operation["requestBody"].map(resolved), let content = requestBody["content"]?.members else {
            return body.isEmpty ? [] : [ContractViolation(path: "", message: "a body where the contract declares none")]
        }
        guard let (mediaType, media) = mediaType(contentType, in: content) else {
            return [ContractViolation(path: "", message: "content type \(contentType) is not declared (expected \(content.keys.sorted().joined(separator: " or ")))")]
        }
        return isJSON(mediaType) ? validateJSONBody(body, schema: media["schema"]) : []
    }

    // MARK: Helpers

    private func validateJSONBody(_ body: Data, schema: ContractJSON?) -> [ContractViolation] {
        let value: ContractJSON
        do {
            value = try ContractJSON(data: body)
        } catch {
            return [ContractViolation(path: "", message: "the body is not valid JSON (\(body.count) bytes)")]
        }
        guard let schema else { return [] }
        return validate(value, against: schema)
    }

    private func validate(headers: [String: String], declared: [String: ContractJSON]) -> [ContractViolation] {
        var violations: [ContractViolation] = []
        for (name, header) in declared.sorted(by: { $0.key < $1.key }) where name.lowercased() != "content-type" {
            let header = resolved(header)
            let value = headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
            guard let value else {
                if header["required"]?.boolValue == true {
                    violations.append(ContractViolation(path: "header \(name)", message: "missing required header"))
                }
                continue
            }
            violations += validate(parameterValue: value, schema: header["schema"] ?? .object([:]), label: "header \(name)")
        }
        return violations
    }

    /// Validates a parameter's text, read as the schema's scalar type (`integer`, `number`, `boolean`, `string`).
    private func validate(parameterValue text: String, schema: ContractJSON, label: String) -> [ContractViolation] {
        let schema = resolved(schema)
        let types = schema["type"].map { $0.elements?.compactMap(\.stringValue) ?? [$0.stringValue ?? ""] } ?? []
        let value: ContractJSON
        if types.contains("integer") {
            guard let integer = Int64(text) else {
                return [ContractViolation(path: label, message: "expected integer, got \(ContractJSON.string(text).brief)")]
            }
            value = .int(integer)
        } else if types.contains("number") {
            guard let number = Double(text), number.isFinite else {
                return [ContractViolation(path: label, message: "expected number, got \(ContractJSON.string(text).brief)")]
            }
            value = .double(number)
        } else if types.contains("boolean") {
            guard text == "true" || text == "false" else {
                return [ContractViolation(path: label, message: "expected true or false, got \(ContractJSON.string(text).brief)")]
            }
            value = .bool(text == "true")
        } else {
            value = .string(text)
        }
        return validate(value, against: schema, at: label)
    }

    /// Path-item parameters overridden by the operation's own (same name and location).
    private func parameters(of operation: ContractJSON, in item: ContractJSON) -> [ContractJSON] {
        let shared = (item["parameters"]?.elements ?? []).map(resolved)
        let own = (operation["parameters"]?.elements ?? []).map(resolved)
        func key(_ parameter: ContractJSON) -> String {
            (parameter["in"]?.stringValue ?? "") + ":" + (parameter["name"]?.stringValue ?? "")
        }
        let ownKeys = Set(own.map(key))
        return shared.filter { !ownKeys.contains(key($0)) } + own
    }

    /// The declared media type for a response's `Content-Type` (parameters ignored, wildcards honoured).
    private func mediaType(_ contentType: String, in content: [String: ContractJSON]) -> (String, ContractJSON)? {
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        if let media = content.first(where: { $0.key.lowercased() == essence }) { return (essence, media.value) }
        let family = essence.split(separator: "/").first.map { "\($0)/*" } ?? ""
        if let media = content.first(where: { $0.key == family || $0.key == "*/*" }) { return (essence, media.value) }
        return nil
    }

    private func isJSON(_ mediaType: String) -> Bool {
        mediaType == "application/json" || mediaType.hasSuffix("+json")
    }

    /// Follows a `$ref` (of a response, parameter or header) to its target.
    func resolved(_ node: ContractJSON) -> ContractJSON {
        var node = node
        var hops = 0
        while let reference = node["$ref"]?.stringValue, hops < 16 {
            let parts = reference.split(separator: "/").dropFirst().map(String.init)
            guard reference.hasPrefix("#/"), parts.count == 3, let target = component(parts[1], parts[2]) else { return node }
            node = target
            hops += 1
        }
        return node
    }

    private func component(_ kind: String, _ name: String) -> ContractJSON? {
        document["components"]?[kind]?[name]
    }

    private func stripQuery(_ path: String) -> String {
        String(path.prefix { $0 != "?" && $0 != "#" })
    }

    /// The most specific path template matching `path`, with its decoded path parameters.
    private func match(_ path: String) -> (PathTemplate, [String: String])? {
        let segments = stripQuery(path).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let candidates = templates.compactMap { template in template.match(segments).map { (template, $0) } }
        return candidates.min { lhs, rhs in lhs.0.isMoreSpecific(than: rhs.0) }
    }

    /// Splits a raw query string into decoded name/value pairs (`+` is a space).
    static func parseQuery(_ query: String) -> [(name: String, value: String)] {
        let query = query.hasPrefix("?") ? String(query.dropFirst()) : query
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

/// An operation of a contract: its method and path template.
public struct ContractOperation: Sendable, Hashable, CustomStringConvertible {
    /// The HTTP method, uppercased.
    public let method: String
    /// The path template as the contract declares it, e.g. `/conversations/{id}`.
    public let pathTemplate: String
    /// The `operationId`, when declared.
    public let operationID: String?

    /// `GET /conversations/{id}`.
    public var description: String { "\(method) \(pathTemplate)" }
}

/// A `paths` entry, split into literal and templated segments for matching.
struct PathTemplate: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case parameter(String)
    }

    static let methodNames = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let template: String
    let item: ContractJSON
    let segments: [Segment]

    init(template: String, item: ContractJSON) {
        self.template = template
        self.item = item
        self.segments = template.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
    }

    /// The uppercased methods this path declares.
    var methods: [String] {
        Self.methodNames.filter { item[$0] != nil }.map { $0.uppercased() }
    }

    func operationID(_ method: String) -> String? {
        item[method.lowercased()]?["operationId"]?.stringValue
    }

    /// Decoded parameter values when the concrete segments fit this template.
    func match(_ concrete: [String]) -> [String: String]? {
        guard concrete.count == segments.count else { return nil }
        var values: [String: String] = [:]
        for (segment, part) in zip(segments, concrete) {
            switch segment {
            case .literal(let literal):
                guard literal == part else { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                values[name] = part.removingPercentEncoding ?? part
            }
        }
        return values
    }

    /// Whether this template wins over `other` for a path both match: the first segment
    /// where they differ is literal here.
    func isMoreSpecific(than other: PathTemplate) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }
}

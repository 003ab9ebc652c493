import Foundation

extension OpenAPIContract {
    /// Validates a value against a schema of this document.
    ///
    /// Supports the JSON Schema keywords the contracts use: `$ref` (local, cycles
    /// stopped), `type` (also as an array, `null` included), `properties`, `required`,
    /// `additionalProperties` (false or a schema), `items`, `minItems`/`maxItems`, `enum`,
    /// `const`, `oneOf`/`anyOf`/`allOf`/`not`, `minimum`/`maximum` (and exclusive),
    /// `minLength`/`maxLength`, `pattern` and `format: date-time` (RFC 3339).
    ///
    ///     contract.validate(.object([:]), against: .object(["$ref": .string("#/components/schemas/Conversation")]))
    public func validate(_ value: ContractJSON, against schema: ContractJSON, at path: String = "") -> [ContractViolation] {
        var validator = SchemaValidator(document: document)
        validator.validate(value, schema, path)
        return validator.violations
    }

    /// Validates a value against `components/schemas/<name>`.
    public func validate(_ value: ContractJSON, againstSchemaNamed name: String) -> [ContractViolation] {
        validate(value, against: .object(["$ref": .string("#/components/schemas/\(name)")]))
    }
}

/// Walks a value and a schema together, collecting violations with JSON-pointer paths.
struct SchemaValidator {
    let document: ContractJSON
    var violations: [ContractViolation] = []
    /// `$ref`s being expanded at each instance path: a ref seen again at the same path is a cycle.
    private var expanding: Set<String> = []

    init(document: ContractJSON) {
        self.document = document
    }

    mutating func validate(_ value: ContractJSON, _ schema: ContractJSON, _ path: String) {
        if case .bool(let allowed) = schema {
            if !allowed { fail(path, "no value is allowed here") }
            return
        }
        guard case .object(let keywords) = schema else { return }

        if let reference = keywords["$ref"]?.stringValue {
            let key = reference + "@" + path
            if expanding.contains(key) {
                fail(path, "$ref cycle through \(reference) that never reaches a constraint")
                return
            }
            guard let target = resolve(reference) else {
                fail(path, "unresolvable $ref \(reference)")
                return
            }
            expanding.insert(key)
            validate(value, target, path)
            expanding.remove(key)
        }

        if let type = keywords["type"], !matches(value, type: type) {
            let expected = (type.elements?.compactMap(\.stringValue) ?? [type.stringValue ?? "?"])
                .joined(separator: " or ")
            fail(path, "expected \(expected), got \(value.typeName)")
            return
        }
        if let options = keywords["enum"]?.elements, !options.contains(where: { $0.jsonEquals(value) }) {
            let listed = options.map(\.brief).joined(separator: ", ")
            fail(path, "unknown value \(value.brief), expected one of \(listed)")
        }
        if let constant = keywords["const"], !constant.jsonEquals(value) {
            fail(path, "expected \(constant.brief), got \(value.brief)")
        }

        switch value {
        case .string(let string): checkString(string, keywords, path)
        case .int, .double: checkNumber(value.number ?? 0, keywords, path)
        case .array(let elements): checkArray(elements, keywords, path)
        case .object(let members): checkObject(members, keywords, path)
        case .null, .bool: break
        }

        if let all = keywords["allOf"]?.elements {
            for branch in all { validate(value, branch, path) }
        }
        if let any = keywords["anyOf"]?.elements {
            let results = any.map { branchViolations(value, $0, path) }
            if !results.contains(where: \.isEmpty) { failBranches(path, "anyOf", results) }
        }
        if let one = keywords["oneOf"]?.elements {
            let results = one.map { branchViolations(value, $0, path) }
            let passing = results.filter(\.isEmpty).count
            if passing == 0 {
                failBranches(path, "oneOf", results)
            } else if passing > 1 {
                fail(path, "matches \(passing) branches of oneOf, expected exactly one")
            }
        }
        if let not = keywords["not"], branchViolations(value, not, path).isEmpty {
            fail(path, "matches a schema it must not match")
        }
    }

    private mutating func checkString(_ string: String, _ keywords: [String: ContractJSON], _ path: String) {
        let length = string.unicodeScalars.count
        if let minimum = keywords["minLength"]?.number, Double(length) < minimum {
            fail(path, "string of length \(length) is shorter than \(Int(minimum))")
        }
        if let maximum = keywords["maxLength"]?.number, Double(length) > maximum {
            fail(path, "string of length \(length) is longer than \(Int(maximum))")
        }
        if let pattern = keywords["pattern"]?.stringValue {
            if let regex = try? NSRegularExpression(pattern: pattern) {
                let range = NSRange(string.startIndex..., in: string)
                if regex.firstMatch(in: string, range: range) == nil {
                    fail(path, "\(ContractJSON.string(string).brief) does not match \(pattern)")
                }
            } else {
                fail(path, "the contract's pattern \(pattern) does not compile")
            }
        }
        if keywords["format"]?.stringValue == "date-time", !RFC3339.isValid(string) {
            fail(path, "\(ContractJSON.string(string).brief) is not an RFC 3339 date-time")
        }
    }

    private mutating func checkNumber(_ number: Double, _ keywords: [String: ContractJSON], _ path: String) {
        if let minimum = keywords["minimum"]?.number, number < minimum {
            fail(path, "\(format(number)) is less than the minimum \(format(minimum))")
        }
        if let maximum = keywords["maximum"]?.number, number > maximum {
            fail(path, "\(format(number)) is more than the maximum \(format(maximum))")
        }
        if let minimum = keywords["exclusiveMinimum"]?.number, number <= minimum {
            fail(path, "\(format(number)) is not more than \(format(minimum))")
        }
        if let maximum = keywords["exclusiveMaximum"]?.number, number >= maximum {
            fail(path, "\(format(number)) is not less than \(format(maximum))")
        }
    }

    private mutating func checkArray(_ elements: [ContractJSON], _ keywords: [String: ContractJSON], _ path: String) {
        if let minimum = keywords["minItems"]?.number, Double(elements.count) < minimum {
            fail(path, "\(elements.count) items, fewer than \(Int(minimum))")
        }
        if let maximum = keywords["maxItems"]?.number, Double(elements.count) > maximum {
            fail(path, "\(elements.count) items, more than \(Int(maximum))")
        }
        if let items = keywords["items"] {
            for (index, element) in elements.enumerated() {
                validate(element, items, path + "/\(index)")
            }
        }
    }

    private mutating func checkObject(_ members: [String: ContractJSON], _ keywords: [String: ContractJSON], _ path: String) {
        let properties = keywords["properties"]?.members ?? [:]
        for name in keywords["required"]?.elements?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            fail(path + "/" + escape(name), "missing required member")
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            let memberPath = path + "/" + escape(name)
            if let schema = properties[name] {
                validate(member, schema, memberPath)
            } else if let additional = keywords["additionalProperties"] {
                if case .bool(false) = additional {
                    fail(memberPath, "unknown member")
                } else {
                    validate(member, additional, memberPath)
                }
            }
        }
    }

    private func matches(_ value: ContractJSON, type: ContractJSON) -> Bool {
        let names = type.elements?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
        let actual = value.typeName
        return names.contains { name in
            name == actual || (name == "number" && actual == "integer")
        }
    }

    private func branchViolations(_ value: ContractJSON, _ schema: ContractJSON, _ path: String) -> [ContractViolation] {
        var branch = SchemaValidator(document: document)
        branch.expanding = expanding
        branch.validate(value, schema, path)
        return branch.violations
    }

    /// Reports a failed `anyOf`/`oneOf` with the violations of the closest branch, so the field is named.
    private mutating func failBranches(_ path: String, _ keyword: String, _ results: [[ContractViolation]]) {
        fail(path, "matches no branch of \(keyword)")
        if let closest = results.min(by: { $0.count < $1.count }) {
            violations.append(contentsOf: closest)
        }
    }

    /// Resolves a local reference (`#/components/schemas/Name`), decoding `~1` and `~0`.
    private func resolve(_ reference: String) -> ContractJSON? {
        guard reference.hasPrefix("#") else { return nil }
        var node = document
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let members = node.members, let next = members[key] {
                node = next
            } else if let elements = node.elements, let index = Int(key), elements.indices.contains(index) {
                node = elements[index]
            } else {
                return nil
            }
        }
        return node
    }

    private func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    private mutating func fail(_ path: String, _ message: String) {
        violations.append(ContractViolation(path: path, message: message))
    }
}

/// RFC 3339 `date-time` (section 5.6): full date, `T`, full time with optional fraction and an offset.
enum RFC3339 {
    /// Whether `text` is a valid RFC 3339 date-time (calendar and clock ranges checked).
    static func isValid(_ text: String) -> Bool {
        let shape = /(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))/
        guard let match = text.wholeMatch(of: shape),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
            let hour = Int(match.4), let minute = Int(match.5), let second = Int(match.6)
        else { return false }
        guard (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return false }
        if let offsetHours = match.9, let offsetMinutes = match.10 {
            guard let hours = Int(offsetHours), let minutes = Int(offsetMinutes), hours <= 23, minutes <= 59
            else { return false }
        }
        return true
    }
}

import Foundation

/// One file to upload: its name as the user gave it, a media type and the bytes.
public struct FileUpload: Sendable, Hashable {
    /// Free text; quoted safely on the wire, never used as a path.
    public var filename: String
    /// Default `application/octet-stream`; a value holding control characters is replaced by it.
    public var contentType: String
    /// The file's bytes.
    public var data: Data

    /// Makes an upload.
    public init(filename: String, contentType: String = "application/octet-stream", data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// A `multipart/form-data` body of files under one repeated field name (`files` for v2).
///
///     let form = MultipartForm(files: [FileUpload(filename: "report.csv", contentType: "text/csv", data: bytes)])
///     let request = RemoteRequest(.post, "/agents/{aid}/conversations/{cid}/files", parameters: ids,
///                                 body: .multipart(form), idempotencyKey: key)
///
/// File names are written as the HTML standard does: UTF-8, with `"`, CR and LF (and here
/// every other C0 control and DEL) percent-encoded, so a hostile name cannot end the header
/// or inject a field.
public struct MultipartForm: Sendable, Hashable {
    /// The form field each file is sent under.
    public var fieldName: String
    /// The files, in order.
    public var files: [FileUpload]

    /// Makes a form; `fieldName` defaults to `files`.
    public init(fieldName: String = "files", files: [FileUpload]) {
        self.fieldName = fieldName
        self.files = files
    }

    /// The body bytes and the `Content-Type` header value (with its boundary).
    func encoded() -> (contentType: String, body: Data) {
        var boundary = Self.makeBoundary()
        while files.contains(where: { $0.data.range(of: Data(boundary.utf8)) != nil }) {
            boundary = Self.makeBoundary()
        }
        var body = Data()
        for file in files {
            body.append(Data("--\(boundary)\r\n".utf8))
            body.append(
                Data(
                    "Content-Disposition: form-data; name=\"\(Self.quoted(fieldName))\"; filename=\"\(Self.quoted(file.filename))\"\r\n"
                        .utf8))
            body.append(Data("Content-Type: \(Self.safeContentType(file.contentType))\r\n\r\n".utf8))
            body.append(file.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    static func makeBoundary() -> String {
        let random = (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined(separator: "")
        return "convosync-" + random
    }

    /// A header parameter value with `"`, CR, LF, other C0 controls and DEL percent-encoded.
    static func quoted(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar.value < 0x20 || scalar.value == 0x7F {
                result += String(format: "%%%02X", scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func safeContentType(_ value: String) -> String {
        let valid = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        return valid ? value : "application/octet-stream"
    }
}

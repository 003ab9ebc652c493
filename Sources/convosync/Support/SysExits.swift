/// Exit statuses after BSD's sysexits(3), so scripts can tell a typo from a broken file.
enum SysExits {
    /// Success, including a search that matched nothing.
    static let ok: Int32 = 0
    /// The command line was wrong: an unknown flag, a missing argument.
    static let usage: Int32 = 64
    /// The input data was wrong: a bad JSONL line, a file that is not a replica.
    static let dataError: Int32 = 65
    /// An input file does not exist: no replica at `--db`, no file to import.
    static let noInput: Int32 = 66
    /// The remote could not be reached or refused service.
    static let unavailable: Int32 = 69
    /// A bug: something that should not happen did.
    static let software: Int32 = 70
    /// An output file could not be created.
    static let cannotCreate: Int32 = 73
    /// Reading or writing failed (a full disk, a closed pipe).
    static let ioError: Int32 = 74
    /// The remote answered something that breaks its protocol (a malformed response).
    static let protocolError: Int32 = 76
    /// A temporary failure: retrying later may work (rate limited, replica locked).
    static let temporaryFailure: Int32 = 75
    /// Permission denied: bad credentials, an unsafe credentials file.
    static let noPermission: Int32 = 77
    /// Something is wrong in the configuration.
    static let configuration: Int32 = 78
}

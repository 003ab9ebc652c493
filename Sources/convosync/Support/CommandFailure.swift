import ArgumentParser
import ConvoAccounts
import ConvoStore
import ConvoSync

/// A failure a command reports as one sentence on standard error with a sysexits status.
struct CommandFailure: Error {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    /// The sentence and status for an account error: its own sentence, with the sysexits
    /// status of its code (78 configuration, 73 cannot create, 74 I/O).
    init(_ error: AccountsError) {
        let status: Int32 =
            switch error.code {
            case .configuration: SysExits.configuration
            case .cannotCreate: SysExits.cannotCreate
            case .ioFailure: SysExits.ioError
            }
        self.init(error.message, exitCode: status)
    }

    /// The sentence and status for a replica error.
    init(_ error: StoreError) {
        let path = error.path.map { "'\($0)'" } ?? "the replica"
        switch error.code {
        case .noSuchReplica:
            self.init(
                "There is no replica at \(path); create one with 'convosync import' or 'convosync sync'.",
                exitCode: SysExits.noInput)
        case .notAReplica:
            self.init("\(path) is not a ConvoSync replica; it was left untouched.", exitCode: SysExits.dataError)
        case .newerSchema:
            self.init(
                "\(path) was written by a newer ConvoSync; upgrade convosync to read it (it was left untouched).",
                exitCode: SysExits.dataError)
        case .accountMismatch:
            self.init(
                "\(path) is the replica of another account; use another --db file for this one (it was left untouched).",
                exitCode: SysExits.dataError)
        case .invalidQuery, .invalidArgument:
            self.init("\(error.message.prefixCapitalized).", exitCode: SysExits.usage)
        case .invalidImportLine:
            self.init("Line \(error.line ?? 0): \(error.message).", exitCode: SysExits.dataError)
        case .notFound:
            self.init("There is no conversation '\(error.remoteID ?? "")' in \(path).", exitCode: SysExits.dataError)
        case .database where error.sqliteCode == 13:
            self.init(
                "The disk holding \(path) is full; free some space and run the command again (the replica was left consistent).",
                exitCode: SysExits.ioError)
        case .database where error.sqliteCode == 5 || error.sqliteCode == 6:
            self.init("\(path) is locked by another process; try again in a moment.", exitCode: SysExits.temporaryFailure)
        default:
            self.init(
                "Reading or writing \(path) failed (\(error.message)); check that its disk has free space and is writable, then try again.",
                exitCode: SysExits.ioError)
        }
    }
}

/// Runs a command's body, turning every failure into one sentence on standard error
/// and a sysexits status. Argument-parser's own errors (usage, help) pass through.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CommandFailure {
        printError("convosync: \(error.message)")
        throw ExitCode(error.exitCode)
    } catch let error as AccountsError {
        let failure = CommandFailure(error)
        printError("convosync: \(failure.message)")
        throw ExitCode(failure.exitCode)
    } catch let error as StoreError {
        let failure = CommandFailure(error)
        printError("convosync: \(failure.message)")
        throw ExitCode(failure.exitCode)
    } catch let error as SyncError {
        let failure = CommandFailure(error, remote: nil)
        printError("convosync: \(failure.message)")
        throw ExitCode(failure.exitCode)
    } catch {
        printError("convosync: unexpected error: \(error)")
        throw ExitCode(SysExits.software)
    }
}

extension String {
    /// The string with its first character uppercased.
    var prefixCapitalized: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}

import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `convosync discard OP_ID`: drops a refused write and undoes its local effect.
struct DiscardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Drop a local write the remote refused, and undo it in the replica.",
        discussion: """
            Removes a failed op from the outbox ('convosync status' lists them) and undoes its \
            optimistic effect: a sent message disappears, a rename or delete is reverted, a \
            conversation created offline is removed. Only failed ops can be discarded: a pending \
            one may be on its way to the remote. On a terminal it asks first, unless --yes; from a \
            script it does not ask.

            Exit status: 0 discarded (or declined at the prompt); 64 the op is not failed; 65 no \
            such op; 66 no replica; 75 the replica is locked by another process.

            Example:
              convosync discard --account work 12 --yes
            """
    )

    @OptionGroup var location: ReplicaLocationOptions

    @Argument(help: ArgumentHelp("The op's id, as 'convosync status' lists it.", valueName: "op-id"))
    var opID: Int64

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.")
    var yes = false

    @Flag(name: .long, help: "Print the discarded op as one JSON document, for scripts.")
    var json = false

    func validate() throws {
        guard opID >= 1 else { throw ValidationError("The op id is a positive number, as 'convosync status' lists it.") }
    }

    func run() async throws {
        try await reportingFailures {
            let op = try await OfflineSession.with(replicaAt: try location.path()) { session -> OutboxOp? in
                guard let op = try await session.replica.pendingOutbox().first(where: { $0.id == opID }) else {
                    throw CommandFailure(
                        "There is no op \(opID) in the outbox of '\(session.replica.path)'; 'convosync status' lists them.",
                        exitCode: SysExits.dataError)
                }
                guard op.state == .failed else {
                    throw CommandFailure(
                        "Op \(opID) is pending, not failed: it may be on its way to the remote, so it cannot be discarded.",
                        exitCode: SysExits.usage)
                }
                guard yes || isatty(STDIN_FILENO) != 1 || confirm(op) else { return nil }
                try await session.discardWrite(opID)
                return op
            }
            guard let op else {
                print("Kept op \(opID).")
                return
            }
            let target = Self.target(op)
            if json {
                var document = OpDocument(op)
                document.state = "discarded"
                try printJSON(document.json)
            } else {
                print("Discarded op \(opID) (\(op.kind) on \(target)).")
            }
        }
    }

    /// Asks on the terminal whether to discard `op`; anything but y or yes keeps it.
    private func confirm(_ op: OutboxOp) -> Bool {
        FileHandle.standardError.write(Data("Discard op \(opID) (\(op.kind) on \(Self.target(op))) and undo it locally? [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }

    /// The conversation an op is about, as the messages name it.
    private static func target(_ op: OutboxOp) -> String {
        TextLayout.printable(op.conversationID ?? "local:\(op.conversationLocalID)")
    }
}

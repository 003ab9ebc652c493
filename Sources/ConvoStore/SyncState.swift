import ConvoModel
import Foundation

/// Where one sync scope stands: a listing pass, one conversation's messages, one watch.
///
/// The engine names scopes (e.g. `"conversations"`, `"messages:c_123"`, `"watch:c_123"`);
/// the replica only stores them, in the same transaction as the rows they describe
/// (DESIGN, "Sync: how the replica stays true").
public struct SyncState: Sendable, Hashable {
    /// The scope's name; never empty.
    public var scope: String
    /// The opaque cursor (or page token) that follows the last applied page.
    public var cursor: String?
    /// The offset (or page number) that follows the last applied page.
    public var offset: Int64?
    /// The pass number stamped on rows seen by the current mark-and-sweep pass.
    public var passGeneration: Int64?
    /// The newest remote update time applied so far.
    public var highWaterMark: Date?
    /// The id of the last applied SSE snapshot.
    public var lastEventID: String?
    /// When this row was last written.
    public var updatedAt: Date

    /// Makes a state value.
    public init(
        scope: String, cursor: String? = nil, offset: Int64? = nil, passGeneration: Int64? = nil,
        highWaterMark: Date? = nil, lastEventID: String? = nil, updatedAt: Date
    ) {
        self.scope = scope
        self.cursor = cursor
        self.offset = offset
        self.passGeneration = passGeneration
        self.highWaterMark = highWaterMark
        self.lastEventID = lastEventID
        self.updatedAt = updatedAt
    }
}

/// The fields of one scope's ``SyncState`` to set, written with a sync write in one transaction.
///
/// Fields left at `.keep` are not touched; `.set(nil)` clears one.
///
///     let update = SyncStateUpdate(scope: "conversations", cursor: .set(page.nextCursor), passGeneration: .set(7))
///     try await replica.upsertConversations(page.items, pass: 7, syncState: update)
public struct SyncStateUpdate: Sendable, Hashable {
    /// What to do with one field.
    public enum Change<Value: Sendable & Hashable>: Sendable, Hashable {
        /// Leave the stored value as it is (a new scope starts with `nil`).
        case keep
        /// Store this value; `nil` clears the field.
        case set(Value?)
    }

    /// The scope to write; must not be empty (an empty scope fails the whole transaction).
    public var scope: String
    /// The cursor or page token to store.
    public var cursor: Change<String>
    /// The offset or page number to store.
    public var offset: Change<Int64>
    /// The mark-and-sweep pass number to store.
    public var passGeneration: Change<Int64>
    /// The newest applied update time to store.
    public var highWaterMark: Change<Date>
    /// The last applied SSE id to store.
    public var lastEventID: Change<String>

    /// Makes an update; every field defaults to `.keep`.
    public init(
        scope: String, cursor: Change<String> = .keep, offset: Change<Int64> = .keep,
        passGeneration: Change<Int64> = .keep, highWaterMark: Change<Date> = .keep, lastEventID: Change<String> = .keep
    ) {
        self.scope = scope
        self.cursor = cursor
        self.offset = offset
        self.passGeneration = passGeneration
        self.highWaterMark = highWaterMark
        self.lastEventID = lastEventID
    }
}

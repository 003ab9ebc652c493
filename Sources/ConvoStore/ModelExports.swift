// The replica's API speaks in the canonical models (conversations, turns, fragments, JSON
// values), so a module that imports ConvoStore (or ConvoSync, which imports it) names them
// without importing ConvoModel itself.
@_exported import ConvoModel

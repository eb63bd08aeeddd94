// Bayeux messages carry JSON: users of this module get the JSON value type with it.
@_exported import JSON

// Records and API payloads are JSON: users of this module get the JSON value type with it.
@_exported import JSON

// What one push covers, shared by the push controller (which decides) and the xDS server
// (which sends): the whole model, or only some clusters' endpoints.

/** Full: every stream recomputes every type it watches. EDS: only these clusters' endpoints. */
export type PushScope = { kind: 'full' } | { kind: 'eds'; clusters: ReadonlySet<string> };

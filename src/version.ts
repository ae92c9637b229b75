/** Version of bitbound, kept equal to the `version` field of package.json (a test checks it). */
export const TOOL_VERSION = '0.1.0';

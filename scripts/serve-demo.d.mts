// serve-demo.d.mts — types of serve-demo.mjs (used by the browser tests).
export interface StaticServer { url: string; port: number; close(): Promise<void> }
export function staticExampleMounts(root?: string): Record<string, string>;
export function startStaticServer(options: { mounts: Record<string, string>; port?: number; host?: string; log?: boolean }): Promise<StaticServer>;

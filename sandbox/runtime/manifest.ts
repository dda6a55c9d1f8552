/** Reads the parts of manifest.yml the sandbox runtime needs to wire functions to modules. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { EntityDefinition } from './kvs-store';

export interface ManifestFunction {
  key: string;
  handler: string;
  timeoutSeconds?: number;
}

export interface AppManifest {
  app: { id: string; runtime: { name: string }; storage?: { entities?: EntityDefinition[] }; licensing?: { enabled?: boolean } };
  modules: {
    function?: ManifestFunction[];
    trigger?: Array<{ key: string; function: string; events: string[]; filter?: { ignoreSelf?: boolean; expression?: string; onError?: string; appIsLicensed?: boolean }; payload?: { include?: { propertyPaths?: string[] } } }>;
    scheduledTrigger?: Array<{ key: string; function: string; interval: string; filter?: { appIsLicensed?: boolean } }>;
    consumer?: Array<{ key: string; queue: string; function: string }>;
    webtrigger?: Array<{ key: string; function: string }>;
    [module: string]: unknown;
  };
  permissions?: {
    scopes?: string[];
    external?: { fetch?: { backend?: Array<string | { address: string }> }; configurable?: { enabled?: boolean } };
  };
  resources?: Array<{ key: string; path: string }>;
}

export function readManifest(path: string): AppManifest {
  return parse(readFileSync(path, 'utf8')) as AppManifest;
}

/** UI modules with a resolver: module type, key and the function serving it. */
export function resolverModules(manifest: AppManifest): Array<{ type: string; key: string; functionKey: string; resource?: string }> {
  const found: Array<{ type: string; key: string; functionKey: string; resource?: string }> = [];
  for (const [type, entries] of Object.entries(manifest.modules)) {
    if (!type.includes(':') || !Array.isArray(entries)) continue;
    for (const entry of entries as Array<{ key: string; resolver?: { function?: string }; resource?: string }>) {
      if (entry.resolver?.function) found.push({ type, key: entry.key, functionKey: entry.resolver.function, resource: entry.resource });
    }
  }
  return found;
}

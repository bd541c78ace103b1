import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { renderServerConfig } from '../../stack/temporal-server.js';

// The shape of the release's own template (development-postgres12.yaml), reduced to the keys the renderer touches.
const TEMPLATE = `
log: { stdout: true, level: info }
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores: { postgres-default: { sql: { pluginName: postgres12 } }, postgres-visibility: { sql: { pluginName: postgres12 } } }
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: "127.0.0.1" }
  pprof: { port: 7936 }
  metrics: { prometheus: { listenAddress: "127.0.0.1:8000" } }
services: { frontend: {}, history: {}, matching: {}, worker: {} }
clusterMetadata:
  currentClusterName: active
  clusterInformation: { active: { enabled: true, rpcName: frontend, rpcAddress: "localhost:7233" } }
archival: { history: { state: enabled } }
dynamicConfigClient: { filepath: config/dynamicconfig/development-sql.yaml, pollInterval: 10s }
`;

const ports = {
  frontend: { grpc: 17233, http: 17243, membership: 16933 },
  history: { grpc: 17234, membership: 16934 },
  matching: { grpc: 17235, membership: 16935 },
  worker: { grpc: 17239, membership: 16939 },
};

function render() {
  return YAML.parse(
    renderServerConfig(TEMPLATE, {
      pg: { host: '127.0.0.1', port: 5433, user: 'postgres', password: 's3cret' },
      ports,
      shards: 16,
      databases: { main: 'temporal', visibility: 'temporal_visibility' },
      dynamicConfig: '/srv/chuky/config/temporal/dynamicconfig.yaml',
    }),
  ) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('the real server’s config, rendered from the release’s template', () => {
  it('points both stores at their own databases on the given PostgreSQL', () => {
    const c = render();
    expect(c.persistence.numHistoryShards).toBe(16);
    expect(c.persistence.datastores['postgres-default'].sql).toMatchObject({
      databaseName: 'temporal',
      connectAddr: '127.0.0.1:5433',
      user: 'postgres',
      password: 's3cret',
    });
    expect(c.persistence.datastores['postgres-visibility'].sql).toMatchObject({
      databaseName: 'temporal_visibility',
      pluginName: 'postgres12',
    });
    expect(c.persistence.visibilityStore).toBe('postgres-visibility');
  });

  it('gives every service its own ports, and clients the frontend’s', () => {
    const c = render();
    expect(c.services.frontend.rpc).toEqual({ grpcPort: 17233, membershipPort: 16933, bindOnLocalHost: true, httpPort: 17243 });
    expect(c.services.history.rpc.grpcPort).toBe(17234);
    expect(c.services.matching.rpc.membershipPort).toBe(16935);
    expect(c.services.worker.rpc.grpcPort).toBe(17239);
    expect(c.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:17233');
  });

  it('opens no fixed listener of its own (metrics, pprof) and archives nothing', () => {
    const c = render();
    expect(c.global.pprof).toBeUndefined();
    expect(c.global.metrics).toBeUndefined();
    expect(c.archival.history.state).toBe('disabled');
    expect(c.log).toEqual({ stdout: true, level: 'warn' });
  });

  it('reads the dynamic config docker-compose.yml mounts', () => {
    expect(render().dynamicConfigClient.filepath).toBe('/srv/chuky/config/temporal/dynamicconfig.yaml');
    // And that file parses, with every key given as the server expects: a list of { value, constraints }.
    const file = YAML.parse(fs.readFileSync(path.join(import.meta.dirname, '../../config/temporal/dynamicconfig.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(file).length).toBeGreaterThan(0);
    for (const [key, v] of Object.entries(file)) {
      expect(Array.isArray(v), key).toBe(true);
      for (const entry of v as Array<Record<string, unknown>>) expect(entry, key).toHaveProperty('value');
    }
  });
});

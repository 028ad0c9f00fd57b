/**
 * Reaching Temporal by its environment conventions (config/temporal-connection.ts):
 * the dev server with nothing set, Temporal Cloud with an API key, a cluster with
 * mTLS from files, a TOML profile; and a real connection to a dev server made
 * from the settings alone.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { temporalConnectSettings } from '../../config/temporal-connection';
import { startTestEnv } from '../helpers/temporal';

const defaults = { TEMPORAL_ADDRESS: 'localhost:7233', TEMPORAL_NAMESPACE: 'default' };

test('nothing set: the dev server on localhost, plain text', () => {
  expect(temporalConnectSettings(defaults, {})).toEqual({ connection: { address: 'localhost:7233' }, namespace: 'default' });
});

test('Temporal Cloud with an API key: TLS on, the key sent', () => {
  const env = { TEMPORAL_ADDRESS: 'reviews.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'reviews.a1b2c', TEMPORAL_API_KEY: 'cloud-api-key' };
  expect(temporalConnectSettings(defaults, env)).toEqual({
    connection: { address: env.TEMPORAL_ADDRESS, apiKey: 'cloud-api-key', tls: true },
    namespace: 'reviews.a1b2c',
  });
});

test('a self-hosted cluster with mTLS: client certificate, key and CA read from files, server name overridden', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtls-'));
  for (const [file, text] of [
    ['client.pem', 'CLIENT CERT'],
    ['client.key', 'CLIENT KEY'],
    ['ca.pem', 'CA CERT'],
  ])
    writeFileSync(path.join(dir, file), text);
  const settings = temporalConnectSettings(defaults, {
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend',
  });
  const tls = settings.connection.tls as {
    serverNameOverride: string;
    serverRootCACertificate: Uint8Array;
    clientCertPair: { crt: Uint8Array; key: Uint8Array };
  };
  expect(settings.connection.address).toBe('temporal.internal:7233');
  expect(tls.serverNameOverride).toBe('temporal-frontend');
  expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe('CLIENT CERT');
  expect(Buffer.from(tls.clientCertPair.key).toString()).toBe('CLIENT KEY');
  expect(Buffer.from(tls.serverRootCACertificate).toString()).toBe('CA CERT');
});

test('a profile of a TOML file, with the environment overriding it', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'envconfig-')), 'temporal.toml');
  writeFileSync(file, '[profile.staging]\naddress = "staging.internal:7233"\nnamespace = "reviews-staging"\n');
  expect(temporalConnectSettings(defaults, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toEqual({
    connection: { address: 'staging.internal:7233' },
    namespace: 'reviews-staging',
  });
  expect(temporalConnectSettings(defaults, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging', TEMPORAL_NAMESPACE: 'other' }).namespace).toBe('other');
});

test('the settings alone connect the client and the worker connection to a real dev server', async () => {
  const env = await startTestEnv();
  try {
    const address = (env.connection.options as { address: string }).address;
    const settings = temporalConnectSettings(defaults, { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' });
    const connection = await Connection.connect(settings.connection);
    const native = await NativeConnection.connect(settings.connection);
    try {
      const client = new Client({ connection, namespace: settings.namespace });
      expect((await client.workflow.count()).count).toBe(0);
      await native.close();
    } finally {
      await connection.close();
    }
  } finally {
    await env.teardown();
  }
}, 120_000);

// How `serve`'s flags choose the API server: explicit kubeconfig, --in-cluster, or in-cluster
// automatically in a pod that was given no --kubeconfig and no --config-dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKubeConfig, parseNamespaces, resolveKubeMode } from '../../../src/sources/kube/kube-config.js';
import { KubeClient } from '../../../src/sources/kube/kube-client.js';
import { kubeconfigYaml } from '../../support/fake-apiserver.js';

const POD = { KUBERNETES_SERVICE_HOST: '10.96.0.1' };

describe('resolveKubeMode', () => {
  it('uses --kubeconfig (with its context) or --in-cluster when given', () => {
    expect(resolveKubeMode({ kubeconfig: '/k', kubeContext: 'c' }, {})).toEqual({ mode: 'kubeconfig', path: '/k', context: 'c' });
    expect(resolveKubeMode({ inCluster: true }, {})).toEqual({ mode: 'in-cluster' });
    expect(resolveKubeMode({ kubeconfig: '/k', configDir: 'd' }, POD)).toMatchObject({ mode: 'kubeconfig' });
  });

  it('is in-cluster in a pod without --kubeconfig or --config-dir, like istiod; files only otherwise', () => {
    expect(resolveKubeMode({}, POD)).toEqual({ mode: 'in-cluster' });
    expect(resolveKubeMode({ configDir: 'd' }, POD)).toBeUndefined();
    expect(resolveKubeMode({ configDir: 'd' }, {})).toBeUndefined();
    expect(resolveKubeMode({}, { KUBECONFIG: '/home/me/.kube/config' })).toBeUndefined();
  });

  it('rejects contradictory flags', () => {
    expect(() => resolveKubeMode({ kubeconfig: '/k', inCluster: true }, {})).toThrow('--kubeconfig and --in-cluster are exclusive');
    expect(() => resolveKubeMode({ kubeContext: 'c' }, {})).toThrow('--kube-context needs --kubeconfig');
    expect(() => resolveKubeMode({ namespaces: ['a'], configDir: 'd' }, {})).toThrow('--namespaces needs --kubeconfig or --in-cluster');
  });
});

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mini-istiod-kc-'));
  const file = join(dir, 'config');
  writeFileSync(file, kubeconfigYaml('http://127.0.0.1:1', 't', 'fake'));

  it('loads the file and switches to --kube-context; a missing context lists the known ones', () => {
    expect(loadKubeConfig({ mode: 'kubeconfig', path: file, context: 'fake' }).getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
    expect(() => loadKubeConfig({ mode: 'kubeconfig', path: file, context: 'prod' })).toThrow('--kube-context prod: not in');
    expect(() => loadKubeConfig({ mode: 'kubeconfig', path: join(dir, 'nope') })).toThrow('no such file');
    expect(() => loadKubeConfig({ mode: 'in-cluster' }, join(dir, 'no-token'))).toThrow('--in-cluster: not running in a pod');
  });

  it('client-node refuses plain http unless insecure-skip-tls-verify is set', async () => {
    const plain = join(dir, 'plain');
    writeFileSync(plain, kubeconfigYaml('http://127.0.0.1:1').replace(', insecure-skip-tls-verify: true', ''));
    const client = new KubeClient(loadKubeConfig({ mode: 'kubeconfig', path: plain }));
    await expect(client.checkConfig()).rejects.toThrow('HTTP protocol is not allowed when skipTLSVerify is not set');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('parseNamespaces', () => {
  it('splits, trims and dedupes; rejects what is not a namespace name', () => {
    expect(parseNamespaces('a, b,a')).toEqual(['a', 'b']);
    expect(() => parseNamespaces('')).toThrow();
    expect(() => parseNamespaces('Bad_NS')).toThrow('expected comma-separated namespace names');
  });
});

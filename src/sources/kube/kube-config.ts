// Which API server `serve` talks to, and with what credentials. Istio-like: istiod reads
// the cluster it runs in. mini-istiod also runs from files alone, so in-cluster config is
// used when asked (--in-cluster), or automatically when running in a pod
// (KUBERNETES_SERVICE_HOST set) with neither --kubeconfig nor --config-dir: a file-only
// run inside a pod (a CI job, say) never starts watching that cluster by surprise.
// $KUBECONFIG is not read for the same reason: the cluster is always named on purpose.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { InvalidArgumentError } from 'commander';

export interface KubeFlags {
  kubeconfig?: string;
  kubeContext?: string;
  inCluster?: boolean;
  namespaces?: string[];
  configDir?: string;
}

export type KubeMode = { mode: 'kubeconfig'; path: string; context?: string } | { mode: 'in-cluster' };

/** The mode the flags ask for, or undefined for files only; throws on contradictory flags. */
export function resolveKubeMode(flags: KubeFlags, env: NodeJS.ProcessEnv = process.env): KubeMode | undefined {
  if (flags.kubeconfig !== undefined && flags.inCluster) throw new Error('--kubeconfig and --in-cluster are exclusive: pick one');
  if (flags.kubeContext !== undefined && flags.kubeconfig === undefined) throw new Error('--kube-context needs --kubeconfig');
  if (flags.kubeconfig !== undefined) return { mode: 'kubeconfig', path: flags.kubeconfig, context: flags.kubeContext };
  if (flags.inCluster) return { mode: 'in-cluster' };
  if (env.KUBERNETES_SERVICE_HOST && flags.configDir === undefined) return { mode: 'in-cluster' };
  if (flags.namespaces !== undefined) throw new Error('--namespaces needs --kubeconfig or --in-cluster');
  return undefined;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** A KubeConfig for the mode; errors say which flag or file to fix. */
export function loadKubeConfig(mode: KubeMode, tokenPath = SA_TOKEN): KubeConfig {
  const kc = new KubeConfig();
  if (mode.mode === 'in-cluster') {
    if (!process.env.KUBERNETES_SERVICE_HOST || !existsSync(tokenPath)) {
      throw new Error(`--in-cluster: not running in a pod (KUBERNETES_SERVICE_HOST unset or no ${tokenPath}); use --kubeconfig`);
    }
    kc.loadFromCluster();
    return kc;
  }
  if (!existsSync(mode.path)) throw new Error(`--kubeconfig ${mode.path}: no such file`);
  kc.loadFromFile(mode.path);
  if (mode.context !== undefined) {
    if (!kc.getContextObject(mode.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new Error(`--kube-context ${mode.context}: not in ${mode.path} (contexts: ${known})`);
    }
    kc.setCurrentContext(mode.context);
  }
  if (!kc.getCurrentCluster()) throw new Error(`--kubeconfig ${mode.path}: the current context names no cluster; pass --kube-context`);
  return kc;
}

/** `--namespaces a,b`: DNS-1123 labels, at least one. */
export function parseNamespaces(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((n) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n));
  if (names.length === 0 || bad.length > 0) throw new InvalidArgumentError(`expected comma-separated namespace names, got "${value}"`);
  return [...new Set(names)];
}

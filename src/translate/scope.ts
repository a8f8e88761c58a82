// Which config changes matter to which proxy: the push engine asks before pushing, so that
// a change reaches only the proxies whose scope depends on it (Istio's
// SidecarScope.DependsOnConfig). Pure, like the rest of the translator.
import type { ConfigKey } from '../model/config.js';
import type { PushContext } from '../push/push-context.js';
import type { Proxy } from './proxy.js';

/**
 * True when any of `changed` can alter what `proxy` receives from `push` (the snapshot
 * after the change). Must never answer false for a change that does matter: a wrong
 * false leaves a proxy stale. Until Sidecar scoping lands every change matters.
 */
export function affectsProxy(_push: PushContext, _proxy: Proxy, _changed: readonly ConfigKey[]): boolean {
  return true;
}

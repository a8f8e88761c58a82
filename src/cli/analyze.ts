// `mini-istiod analyze --config-dir DIR`: istioctl analyze's messages for a directory of
// YAML, offline. Exits 79 (istioctl's code) when any Error is found; warnings and info
// alone exit 0.
import { analyzeDir, EXIT_ISSUES_FOUND, hasErrors } from '../analyze/analyze.js';
import { formatMessage, type Message } from '../analyze/messages.js';
import { loadMeshConfig } from '../model/mesh-config.js';

export interface AnalyzeFlags {
  configDir: string;
  meshConfig?: string;
  output: 'log' | 'json';
}

export function renderMessages(messages: readonly Message[], output: 'log' | 'json', dir: string): string {
  if (output === 'json') {
    const rows = messages.map((m) => ({
      code: m.type.code,
      name: m.type.name,
      level: m.type.level,
      message: m.text,
      resource: m.origin.kind === '' ? null : `${m.origin.kind} ${m.origin.namespace}/${m.origin.name}`,
      origin: m.origin.line > 0 ? `${m.origin.file}:${m.origin.line}` : m.origin.file,
      documentation_url: `https://istio.io/latest/docs/reference/config/analysis/${m.type.code.toLowerCase()}/`,
    }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  if (messages.length === 0) return `\u2714 No validation issues found when analyzing ${dir}.\n`;
  return messages.map((m) => `${formatMessage(m)}\n`).join('');
}

export async function runAnalyze(flags: AnalyzeFlags): Promise<void> {
  const { mesh } = await loadMeshConfig(flags.meshConfig);
  const messages = await analyzeDir(flags.configDir, mesh);
  process.stdout.write(renderMessages(messages, flags.output, flags.configDir));
  if (hasErrors(messages)) process.exitCode = EXIT_ISSUES_FOUND;
}

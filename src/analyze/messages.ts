// istioctl analyze's messages that mini-istiod reproduces, with Istio's codes, names,
// levels and templates (galley/pkg/config/analysis/msg/messages.yaml), so that a message
// here can be looked up at istio.io/latest/docs/reference/config/analysis/<code>/.

export type Level = 'Error' | 'Warning' | 'Info';

export interface MessageType {
  code: string;
  name: string;
  level: Level;
}

export const ReferencedResourceNotFound: MessageType = { code: 'IST0101', name: 'ReferencedResourceNotFound', level: 'Error' };
export const GatewayPortNotOnWorkload: MessageType = { code: 'IST0104', name: 'GatewayPortNotOnWorkload', level: 'Warning' };
export const SchemaValidationError: MessageType = { code: 'IST0106', name: 'SchemaValidationError', level: 'Error' };
export const ConflictingMeshGatewayVirtualServiceHosts: MessageType = { code: 'IST0109', name: 'ConflictingMeshGatewayVirtualServiceHosts', level: 'Error' };
export const PortNameIsNotUnderNamingConvention: MessageType = { code: 'IST0118', name: 'PortNameIsNotUnderNamingConvention', level: 'Info' };

/** The object a message is about, and where it is written. */
export interface MessageOrigin {
  /** '' when the document could not be read as an object (YAML syntax errors). */
  kind: string;
  namespace: string;
  name: string;
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
}

export interface Message {
  type: MessageType;
  text: string;
  origin: MessageOrigin;
}

/** Go's %q for the strings we quote: double quotes, backslash escapes. */
export function q(s: string): string {
  return JSON.stringify(s);
}

export const texts = {
  referencedNotFound: (refType: string, refValue: string) => `Referenced ${refType} not found: ${q(refValue)}`,
  gatewayPortNotOnWorkload: (selector: string, port: number) =>
    `The gateway refers to a port that is not exposed on the workload (pod selector ${selector}; port ${port})`,
  schemaValidation: (err: string) => `Schema validation error: ${err}`,
  conflictingMeshHosts: (virtualServices: string, host: string) =>
    `The VirtualServices ${virtualServices} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
  portNameConvention: (portName: string, port: number, targetPort: string) =>
    `Port name ${portName} (port: ${port}, targetPort: ${targetPort}) doesn't follow the naming convention of Istio port.`,
};

/** `Error [IST0101] (VirtualService default/reviews dir/x.yaml:12) Referenced ...`, as istioctl prints. */
export function formatMessage(m: Message): string {
  const o = m.origin;
  const where = o.line > 0 ? `${o.file}:${o.line}` : o.file;
  const what = o.kind === '' ? where : `${o.kind} ${o.namespace}/${o.name} ${where}`;
  return `${m.type.level} [${m.type.code}] (${what}) ${m.text}`;
}

const LEVEL_ORDER: Record<Level, number> = { Error: 0, Warning: 1, Info: 2 };

/** Errors first, then by file, line, code: stable whatever order the analyzers ran in. */
export function compareMessages(a: Message, b: Message): number {
  return (
    LEVEL_ORDER[a.type.level] - LEVEL_ORDER[b.type.level] ||
    (a.origin.file < b.origin.file ? -1 : a.origin.file > b.origin.file ? 1 : 0) ||
    a.origin.line - b.origin.line ||
    (a.type.code < b.type.code ? -1 : a.type.code > b.type.code ? 1 : 0) ||
    (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)
  );
}

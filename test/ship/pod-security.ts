/** The parts of a Kubernetes pod spec the Pod Security Standards look at. */
export interface PodSpec {
  securityContext?: SecurityContext & { fsGroup?: number };
  containers: Container[];
  initContainers?: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export interface Container {
  name: string;
  image: string;
  securityContext?: SecurityContext;
  ports?: { containerPort: number; hostPort?: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  env?: { name: string; value?: string }[];
}

/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/**
 * What keeps a pod from passing Pod Security "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards,
 * the baseline controls included), one sentence per failure; empty when it passes. Pod-level `runAsNonRoot`,
 * `runAsUser` and `seccompProfile` count for every container that does not set its own.
 */
export function restrictedViolations(pod: PodSpec): string[] {
  const out: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('pod: host namespaces');
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.has(type)) out.push(`volume ${v.name}: type ${type ?? 'none'} is not allowed`);
  }
  const podContext = pod.securityContext ?? {};
  if (podContext.runAsUser === 0) out.push('pod: runAsUser 0');
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) out.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
    if ((sc.runAsNonRoot ?? podContext.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podContext.runAsUser) === 0) out.push(`${where}: runAsUser 0`);
    const seccomp = (sc.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${where}: seccompProfile is ${seccomp ?? 'unset'}`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) out.push(`${where}: adds capabilities ${added.join(', ')}`);
    if ((c.ports ?? []).some((p) => p.hostPort)) out.push(`${where}: hostPort`);
  }
  return out;
}

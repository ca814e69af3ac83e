import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { imageUser, parseDockerfile, readRepoFile } from './dockerfile.js';
import { restrictedViolations, type PodSpec } from './pod-security.js';

interface Workload {
  kind: string;
  metadata: { name: string };
  spec: { template?: { spec: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } };
}

/** Every pod template in an example file, by `Kind/name`. */
function podTemplates(file: string): [string, PodSpec][] {
  const docs = parseAllDocuments(readRepoFile(file)).map((d) => d.toJS() as Workload);
  const out: [string, PodSpec][] = [];
  for (const d of docs) {
    const pod = d.spec.jobTemplate?.spec.template.spec ?? d.spec.template?.spec;
    if (pod) out.push([`${d.kind}/${d.metadata.name}`, pod]);
  }
  return out;
}

const image = imageUser(parseDockerfile(readRepoFile('Dockerfile')));
const examples = ['docs/cronjob.yaml', 'docs/indexed-job.yaml'];

describe('the Kubernetes examples under Pod Security "restricted"', () => {
  it.each(examples)('%s: every pod template passes the restricted profile', (file) => {
    const pods = podTemplates(file);
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.map(([name, pod]) => [name, restrictedViolations(pod)])).toEqual(pods.map(([name]) => [name, []]));
  });

  it.each(examples)('%s: Tidemark runs as the image user, on a read-only root with emptyDirs for /tmp, HOME and the cache', (file) => {
    for (const [, pod] of podTemplates(file)) {
      const tidemark = pod.containers.find((c) => c.name === 'tidemark');
      if (!tidemark) continue;
      expect({ uid: pod.securityContext?.runAsUser, gid: pod.securityContext?.runAsGroup }).toEqual(image);
      expect(tidemark.securityContext?.readOnlyRootFilesystem).toEqual(true);
      const emptyDirs = new Set((pod.volumes ?? []).filter((v) => 'emptyDir' in v).map((v) => v.name));
      const writable = (tidemark.volumeMounts ?? []).filter((m) => emptyDirs.has(m.name) && !m.readOnly).map((m) => m.mountPath);
      const cacheDir = tidemark.env?.find((e) => e.name === 'TIDEMARK_CACHE_DIR')?.value;
      expect(writable).toEqual(expect.arrayContaining(['/tmp', '/home/tidemark', ...(cacheDir ? [cacheDir] : [])]));
    }
  });
});

describe('restrictedViolations', () => {
  it('finds what a default pod spec lacks, so a pass above means something', () => {
    const pod: PodSpec = {
      securityContext: { runAsUser: 0 },
      containers: [{ name: 'app', image: 'x', securityContext: { capabilities: { add: ['NET_ADMIN'] } }, ports: [{ containerPort: 80, hostPort: 80 }] }],
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
    };
    expect(restrictedViolations(pod)).toEqual([
      'volume host: type hostPath is not allowed',
      'pod: runAsUser 0',
      'container app: allowPrivilegeEscalation is not false',
      'container app: runAsNonRoot is not true',
      'container app: runAsUser 0',
      'container app: seccompProfile is unset',
      'container app: capabilities do not drop ALL',
      'container app: adds capabilities NET_ADMIN',
      'container app: hostPort',
    ]);
  });

  it('lets a container override the pod: Unconfined seccomp in one container fails it', () => {
    const ok = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    const pod: PodSpec = {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        { name: 'a', image: 'x', securityContext: ok },
        { name: 'b', image: 'x', securityContext: { ...ok, seccompProfile: { type: 'Unconfined' } } },
      ],
    };
    expect(restrictedViolations(pod)).toEqual(['container b: seccompProfile is Unconfined']);
  });
});

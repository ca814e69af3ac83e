import { isMap } from 'yaml';
import { emitStringImage } from './emit-image.js';
import type { Scanner } from './scanner.js';
import { get } from './yaml.js';

// `compose.yaml`, `compose.yml`, `docker-compose.yml`, `docker-compose.prod.yaml`, `docker-compose-dev.yml`.
const COMPOSE_FILE = /^(?:compose|docker-compose(?:[-_.][^/]*)?)\.ya?ml$/;

/** Docker Compose files kept in GitOps repositories: `services: {web: {image: nginx:1.27.3}}`. */
export const dockerCompose: Scanner = {
  manager: 'docker-compose',
  matches: (doc) => COMPOSE_FILE.test(doc.base) && doc.apiVersion === undefined && isMap(get(doc.contents, 'services')),
  extract(doc, sink) {
    const services = get(doc.contents, 'services');
    if (!isMap(services)) return;
    for (const pair of services.items) {
      const image = get(pair.value, 'image');
      // `image: postgres` without a tag is unpinned; `build:` services with no image have nothing to update.
      if (image !== undefined) emitStringImage(sink, doc.text, image, 'docker-compose', true);
    }
  },
};

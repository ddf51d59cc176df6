import { pluralize } from '../../lib/derive/pluralize.js';

describe('pluralize', () => {
  it.each([
    ['Widget', 'widgets'],
    ['Ingress', 'ingresses'],
    ['Box', 'boxes'],
    ['Buzz', 'buzzes'],
    ['Batch', 'batches'],
    ['Mesh', 'meshes'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Gateway', 'gateways'],
    ['Key', 'keys'],
  ])('%s → %s', (kind, plural) => {
    expect(pluralize(kind)).toBe(plural);
  });
});

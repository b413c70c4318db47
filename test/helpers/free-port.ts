export { freePort } from '../../src/state/private-redis';

export { ConnectionHealth } from './connection-health';

/**
 * One provider simulator in a process of its own, for benchmarks that must not share their CPU
 * with it: `node --import tsx bench/simulator-process.ts stripe` prints `listening <url>`.
 */
import { startSimulator } from '../simulators/index.ts';

const key = process.argv[2] ?? 'stripe';
const simulator = await startSimulator(key);
console.log(`listening ${simulator.url}`);
process.once('SIGTERM', () => void simulator.close().then(() => process.exit(0)));

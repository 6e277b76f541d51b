export { RunsScreen } from './runs-screen';
export { RunScreen } from './run-screen';

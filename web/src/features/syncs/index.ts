export { RunsScreen } from './runs-screen';
export { RunScreen } from './run-screen';
export { MappingsScreen, MappingScreen } from './mappings';

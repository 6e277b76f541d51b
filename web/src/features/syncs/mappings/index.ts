export { MappingsScreen } from './mappings-screen';
export { MappingScreen } from './mapping-screen';

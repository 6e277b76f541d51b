export { RecordsScreen } from './records-screen';
export { RecordScreen } from './record-screen';
export { ConflictsScreen } from './conflicts-screen';

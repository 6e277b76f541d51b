export { publish, onEventPublished, type Event, type PublishInput, type PublishResult, type EventListener } from './publish.ts';
export { events } from './schema.ts';

/** `patchbay event-types list|show|create|update|archive`: the types events are published as. */
import { recordAudit, type Actor } from '../../auth/index.ts';
import { builtInViews, createEventType, eventTypeView as rowView, getEventType, listEventTypes, updateEventType } from '../../webhooks/outbound/index.ts';
import { CreateEventTypeBody, UpdateEventTypeBody } from '../../api/routes/outbound/event-types.ts';
import { eventTypeView } from '../../api/routes/outbound/views.ts';
import { bodyOf, limitOf, scopeOf } from './args.ts';
import { required, type Operation } from './index.ts';

const CLI: Actor = { type: 'cli', id: null };
type Fields = { description?: string; schema?: Record<string, unknown> | null; example?: Record<string, unknown> | null };

const list: Operation = async (context, args) => {
  const scope = await scopeOf(context, args);
  const rows = await listEventTypes(context.database.db, scope, { limit: limitOf(args, 250, 50), includeArchived: args.includeArchived === true });
  return { data: [...builtInViews(), ...rows.map(rowView)].map(eventTypeView) };
};

const show: Operation = async (context, args) => eventTypeView(await getEventType(context.database.db, await scopeOf(context, args), required(args, 'name')));

const create: Operation = async (context, args) => {
  const body = bodyOf<Fields & { name: string }>(args, CreateEventTypeBody);
  const scope = await scopeOf(context, args);
  const created = await context.database.db.transaction(async (tx) => {
    const view = await createEventType(tx, context.clock, scope, body);
    await recordAudit(tx, { ...scope, actor: CLI, action: 'event_type.created', targetType: 'event_type', targetId: view.name });
    return view;
  });
  return eventTypeView(created);
};

const update: Operation = async (context, args) => {
  const body = bodyOf<Fields & { archived?: boolean }>(args, UpdateEventTypeBody);
  const scope = await scopeOf(context, args);
  const updated = await context.database.db.transaction(async (tx) => {
    const view = await updateEventType(tx, context.clock, scope, required(args, 'name'), body);
    const action = body.archived === true && Object.keys(body).length === 1 ? 'event_type.archived' : 'event_type.updated';
    await recordAudit(tx, { ...scope, actor: CLI, action, targetType: 'event_type', targetId: view.name, details: { schemaVersion: view.schemaVersion } });
    return view;
  });
  return eventTypeView(updated);
};

export const eventTypeOperations = { 'event-types.list': list, 'event-types.show': show, 'event-types.create': create, 'event-types.update': update };

/**
 * Scopes and the role → scope table. Published in the README and the OpenAPI document; a route
 * names the one scope it needs, and an API key or a member's role grants a set of them.
 */
export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = {
  'organization:read': 'Read the organization and its environments',
  'organization:write': 'Change the organization and its environments',
  'members:read': 'List members',
  'members:write': 'Invite, change and remove members',
  'api-keys:read': 'List API keys',
  'api-keys:write': 'Create and revoke API keys',
  'audit-log:read': 'Read the audit log',
  'jobs:read': 'List jobs',
  'jobs:write': 'Retry failed jobs',
  'connectors:read': 'Read the connector catalog',
  'integrations:read': 'Read integrations',
  'integrations:write': 'Create, change and delete integrations',
  'connections:read': 'Read connections',
  'connections:write': 'Create, test and delete connections; erase end-customer data',
  'credentials:read': "Read a connection's decrypted credentials (audited)",
  'connect-sessions:write': 'Create Connect UI sessions for end customers',
  'events:read': 'Read events, event types and messages',
  'events:write': 'Publish events and manage event types',
  'endpoints:read': 'Read endpoints, attempts and statistics',
  'endpoints:write': 'Manage endpoints, secrets, resends and recoveries',
  'sources:read': 'Read sources and inbound events',
  'sources:write': 'Manage sources',
  'inbound:reprocess': 'Reprocess inbound events',
  'syncs:read': 'Read syncs, runs, records, metrics and mappings',
  'syncs:write': 'Trigger, cancel and roll back syncs; manage mappings and conflicts',
  'proxy:use': 'Call provider APIs through the proxy',
  'alerts:read': 'Read alerts, alert rules, notification channels and connection health',
  'alerts:write': 'Acknowledge, resolve and snooze alerts',
  'alerts:configure': 'Configure alert rules, notification channels and health-check settings',
} as const;
export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

const reads = ALL_SCOPES.filter((s) => s.endsWith(':read') && s !== 'credentials:read');
const developerWrites: Scope[] = [
  'api-keys:write',
  'jobs:write',
  'integrations:write',
  'connections:write',
  'connect-sessions:write',
  'events:write',
  'endpoints:write',
  'sources:write',
  'syncs:write',
  'proxy:use',
  'alerts:write',
];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  viewer: reads,
  developer: [...reads, ...developerWrites],
  admin: ALL_SCOPES.filter((s) => s !== 'organization:write'),
  owner: ALL_SCOPES,
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

export function scopesForRole(role: Role): Scope[] {
  return [...ROLE_SCOPES[role]];
}

/**
 * The role hierarchy on keys and members: whoever creates, changes or removes a key or member must
 * hold every scope that key or member holds (or is given), so a developer cannot revoke an admin's
 * key nor an admin demote an owner. Returns the scopes the actor lacks; empty means allowed.
 *
 * @example missingScopesOver(developerScopes, scopesForRole('owner')) // ['members:write', …]
 */
export function missingScopesOver(held: ReadonlySet<string>, target: readonly string[]): string[] {
  return target.filter((s) => !held.has(s));
}

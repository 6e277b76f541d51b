/** The organization and environment every outbound query is scoped by. */
export interface Scope {
  organizationId: string;
  environmentId: string;
}

export * from './vault/index.ts';
export { SECRET_OWNER_TYPES, type SecretOwnerType } from './schema.ts';

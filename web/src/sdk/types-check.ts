/** Compile-time check that the published types (public-types.d.ts) match the SDK. */
import * as sdk from './connect.ts';
import type * as published from './public-types';

export const openConnectMatches: typeof published.openConnect = sdk.openConnect;
export const implementationMatches: typeof sdk.openConnect = {} as typeof published.openConnect;
export const ignoredMatches: typeof published.ignoredMessages = sdk.ignoredMessages;
export const errorMatches: typeof published.ConnectError = sdk.ConnectError;
export const elementMatches: typeof published.defineConnectionsElement = sdk.defineConnectionsElement;

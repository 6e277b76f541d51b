/**
 * Simulators described with the toolkit (`defineSimulator`), by connector key. A new one is a file
 * in simulators/ and one line here.
 */
import type { DefinedSimulator } from './support/kit.ts';
import airtable from './airtable.ts';
import amplitude from './amplitude.ts';
import asana from './asana.ts';
import auth0 from './auth0.ts';
import datadog from './datadog.ts';
import dify from './dify.ts';
import discord from './discord.ts';
import dockerHub from './docker-hub.ts';
import entraId from './entra-id.ts';
import freshdesk from './freshdesk.ts';
import googleAnalytics from './google-analytics.ts';
import gumroad from './gumroad.ts';
import intercom from './intercom.ts';
import jira from './jira.ts';
import kubernetes from './kubernetes.ts';
import linear from './linear.ts';
import mailchimp from './mailchimp.ts';
import microsoftTeams from './microsoft-teams.ts';
import mixpanel from './mixpanel.ts';
import notion from './notion.ts';
import openai from './openai.ts';
import paddle from './paddle.ts';
import paypal from './paypal.ts';
import sendgrid from './sendgrid.ts';
import sentry from './sentry.ts';
import shopify from './shopify.ts';
import supabase from './supabase.ts';
import svix from './svix.ts';
import twilio from './twilio.ts';
import vercel from './vercel.ts';
import zendesk from './zendesk.ts';

export const DEFINED_SIMULATORS: Readonly<Record<string, DefinedSimulator>> = {
  airtable,
  amplitude,
  asana,
  auth0,
  datadog,
  dify,
  discord,
  'docker-hub': dockerHub,
  'entra-id': entraId,
  freshdesk,
  'google-analytics': googleAnalytics,
  gumroad,
  intercom,
  jira,
  kubernetes,
  linear,
  mailchimp,
  'microsoft-teams': microsoftTeams,
  mixpanel,
  notion,
  openai,
  paddle,
  paypal,
  sendgrid,
  sentry,
  shopify,
  supabase,
  svix,
  twilio,
  vercel,
  zendesk,
};

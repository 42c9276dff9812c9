// The Bot Framework adapter. With no MicrosoftAppId (local development only; config refuses it in
// production), incoming requests are not authenticated and replies go out without a token.
import { CallerIdConstants, ConfigurationBotFrameworkAuthentication, type CloudAdapter } from 'botbuilder';
import { MessageFactory } from 'botbuilder-core';
import { AuthenticationConstants, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Content } from '../content/content.js';
import { LockWaitTimeout } from '../core/locks.js';
import { EtagConflictError } from '../state/ports.js';
import type { Config } from './config.js';
import { EdgeCloudAdapter } from './edgeAdapter.js';
import type { Logger } from './logger.js';
import { TenantPolicy } from './tenantPolicy.js';

/** Where the Bot Framework's keys and tokens come from; tests point these at local stand-ins. */
export interface BotFrameworkEndpoints {
  channelOpenIdMetadataUrl?: string;
  emulatorOpenIdMetadataUrl?: string;
  /** Credentials for outgoing calls (replies, roster). */
  credentialsFactory?: ServiceClientCredentialsFactory;
}

export function createAdapter(config: Config, content: Content, logger: Logger, endpoints: BotFrameworkEndpoints = {}): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: config.MicrosoftAppId ?? '',
      MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
      // With no app id there is nothing to authenticate as; the SDK insists on MultiTenant for that case.
      MicrosoftAppType: config.MicrosoftAppId ? config.MicrosoftAppType : 'MultiTenant',
      MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
      ...(endpoints.channelOpenIdMetadataUrl || endpoints.emulatorOpenIdMetadataUrl ? publicCloud(endpoints) : {}),
    },
    endpoints.credentialsFactory,
  );
  const adapter = new EdgeCloudAdapter(auth, { tenants: TenantPolicy.fromConfig(config), channelTokensOnly: config.NODE_ENV === 'production', logger });
  adapter.onTurnError = async (context, error) => {
    const conflict = error instanceof EtagConflictError;
    const where = { err: error, activityType: context.activity.type, conversationId: context.activity.conversation?.id };
    if (error instanceof LockWaitTimeout) {
      logger.warn({ ...where, waitedMs: error.waitedMs }, `A turn waited ${(error.waitedMs / 1000).toFixed(1)} s for this conversation's previous turn (on another instance) and was dropped; the person was asked to send it again`);
    } else {
      logger[conflict ? 'warn' : 'error'](where, conflict ? 'A turn lost a state race and was refused' : 'Unhandled error in a turn');
    }
    try {
      await context.sendActivity(MessageFactory.text(content.t(conflict || error instanceof LockWaitTimeout ? 'guard.busy' : 'guard.error')));
    } catch (sendError) {
      logger.error({ err: sendError }, 'Could not tell the user about the error');
    }
  };
  return adapter;
}

// The SDK takes any one of these as a sign that all are given, so overriding a key set URL means naming
// the rest of the public cloud's values too.
function publicCloud(endpoints: BotFrameworkEndpoints): Record<string, string | boolean> {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: endpoints.channelOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: endpoints.emulatorOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

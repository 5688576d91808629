/**
 * The interactions the simulator has dispatched, with Discord's timing rules: the initial
 * response (`POST /interactions/:id/:token/callback`) must come within 3 seconds and only once;
 * the token then works for followups through the application's webhook for 15 minutes.
 */
import { randomBytes } from 'node:crypto';
import { alreadyAcknowledged, unknownInteraction, unknownWebhook } from './discord-errors.ts';
import { nextSnowflake } from './snowflake.ts';

export interface SimInteraction {
  id: string;
  token: string;
  applicationId: string;
  /** Discord's interaction type: 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT, ... */
  type: number;
  guildId: string | null;
  channelId: string;
  userId: string;
  data: Record<string, unknown>;
  createdAt: number;
  /** The callback type of the initial response, once there is one. */
  responseType: number | null;
  /** The reply message, once it exists (after a type 4 response or the first edit of a deferral). */
  originalMessageId: string | null;
}

export interface InteractionTimings {
  /** Discord: 3 seconds to respond. */
  responseWindowMs: number;
  /** Discord: interaction tokens are valid for 15 minutes. */
  tokenTtlMs: number;
}

export class InteractionRegistry {
  readonly #byId = new Map<string, SimInteraction>();
  readonly timings: InteractionTimings;

  constructor(timings: Partial<InteractionTimings> = {}) {
    this.timings = { responseWindowMs: timings.responseWindowMs ?? 3000, tokenTtlMs: timings.tokenTtlMs ?? 15 * 60_000 };
  }

  create(input: Omit<SimInteraction, 'id' | 'token' | 'createdAt' | 'responseType' | 'originalMessageId'>): SimInteraction {
    const interaction: SimInteraction = {
      ...input,
      id: nextSnowflake(),
      token: `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`,
      createdAt: Date.now(),
      responseType: null,
      originalMessageId: null,
    };
    this.#byId.set(interaction.id, interaction);
    return interaction;
  }

  get(id: string): SimInteraction | undefined {
    return this.#byId.get(id);
  }

  /** Takes the initial response: 10062 when unknown or late, 40060 when already answered. */
  acknowledge(id: string, token: string, responseType: number, now = Date.now()): SimInteraction {
    const interaction = this.#byId.get(id);
    if (!interaction || interaction.token !== token) throw unknownInteraction();
    if (interaction.responseType !== null) throw alreadyAcknowledged();
    if (now - interaction.createdAt > this.timings.responseWindowMs) throw unknownInteraction();
    interaction.responseType = responseType;
    return interaction;
  }

  /** The interaction behind a followup webhook call (`/webhooks/:applicationId/:token`). */
  forWebhook(applicationId: string, token: string, now = Date.now()): SimInteraction {
    for (const interaction of this.#byId.values()) {
      if (interaction.token !== token || interaction.applicationId !== applicationId) continue;
      if (interaction.responseType === null || now - interaction.createdAt > this.timings.tokenTtlMs) break;
      return interaction;
    }
    throw unknownWebhook();
  }
}

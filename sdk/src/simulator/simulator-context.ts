/**
 * What every route module and the gateway share: the state, the OAuth server, the bot's
 * credentials and the hooks through which REST changes become gateway events (a message the bot
 * sends is dispatched as MESSAGE_CREATE, as Discord does).
 */
import type { Logger } from 'pino';
import type { OAuthProvider } from './oauth-provider.ts';
import type { SimMember, SimMessage, SimulatorState } from './simulator-state.ts';

/** REST-side changes that Discord also announces on the gateway. */
export interface StateChangeListener {
  messageCreated(message: SimMessage): void;
  memberUpdated(member: SimMember): void;
}

export interface SimulatorContext {
  readonly state: SimulatorState;
  readonly oauth: OAuthProvider;
  readonly botToken: string;
  /** The simulator's one application; its id is the bot user's id, as for new Discord apps. */
  readonly applicationId: string;
  readonly logger: Logger;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  baseUrl(): string;
  /** Set by the gateway; a no-op until it exists. */
  changes: StateChangeListener;
}

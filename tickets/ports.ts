// What the tickets module needs from storage. The embedded defaults are storage/lowdbTicketStore.ts,
// storage/fileScreenshotStore.ts and storage/fileUploadStaging.ts; PostgreSQL (storage/postgres/) or a blob
// store can stand in behind the same interfaces.
import type { Screenshot, Ticket, TicketCategory, TicketStatus } from './types.js';

/** The stored ticket's version is not the one the caller read: someone else changed it. Nothing was stored. */
export class TicketConflictError extends Error {
  readonly ticketId: number;
  readonly expectedVersion: number;
  /** The stored version; 0 when there is no stored ticket. */
  readonly actualVersion: number;
  constructor(ticketId: number, expectedVersion: number, actualVersion: number) {
    super(`Ticket ${ticketId} is at version ${actualVersion}, not ${expectedVersion}: it changed since it was read`);
    this.name = 'TicketConflictError';
    this.ticketId = ticketId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

export interface TicketFilter {
  status?: TicketStatus | TicketStatus[];
  category?: TicketCategory | TicketCategory[];
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  /** The assignee's agent id. */
  holderId?: string;
  /** The requester's Teams user id. */
  requesterId?: string;
  /** `userConversation.conversation.id` */
  userConversationId?: string;
  /** `channelPost.threadConversationId` */
  threadConversationId?: string;
  live?: boolean;
  /** The ticket's organisation; tickets without one belong to `defaultOrganisationCode` when given. */
  organisationCode?: string;
  defaultOrganisationCode?: string;
}

/**
 * Tickets, by id. Every method returns copies: changing a returned ticket changes nothing stored.
 * `save` is a compare-and-set: the version check and the write happen in one step, so of two saves
 * based on the same version exactly one succeeds.
 */
export interface TicketStore {
  /** A new id, never handed out before (also across restarts): 1, 2, 3, … */
  nextId(): Promise<number>;
  /**
   * Stores the ticket as given (the store changes nothing, not even `version`). With `expectedVersion`,
   * the stored ticket must be at that version (0: there must be no stored ticket with this id), or
   * `TicketConflictError` is thrown and nothing is stored. Without it, the ticket is stored regardless.
   */
  save(ticket: Ticket, expectedVersion?: number): Promise<void>;
  get(id: number): Promise<Ticket | undefined>;
  /** Tickets matching every given field of the filter, newest (highest id) first. */
  list(filter?: TicketFilter): Promise<Ticket[]>;
}

/** Screenshot files of tickets. Files are named by the screenshot's id, never by the user's file name. */
export interface ScreenshotStore {
  /** Stores the bytes whole or not at all. `screenshot.id` must be file-name-safe ([A-Za-z0-9_-]). */
  put(ticketId: number, screenshot: Screenshot, bytes: Buffer): Promise<void>;
  get(ticketId: number, screenshotId: string): Promise<Buffer | undefined>;
  /** Deletes one screenshot; false when there was none. */
  delete(ticketId: number, screenshotId: string): Promise<boolean>;
  /** Deletes every screenshot of the ticket; returns how many there were. */
  deleteForTicket(ticketId: number): Promise<number>;
}

/** A screenshot kept aside while its report is being written. */
export interface StagedUpload {
  /** Random and file-name-safe ([A-Za-z0-9_-]). */
  id: string;
  /** The user's name for the file: for display only. */
  name: string;
  contentType: string;
  bytes: number;
}

/**
 * Screenshots kept aside between the message that brought them and the report that files them (or its
 * cancelling), so they never sit in dialog state. Each is at most MAX_SCREENSHOT_BYTES.
 */
export interface UploadStaging {
  /** Keeps the bytes whole under a new id. Refuses (RangeError) more than MAX_SCREENSHOT_BYTES. */
  keep(file: { name: string; contentType: string; bytes: Buffer }): Promise<StagedUpload>;
  /** The bytes kept under `id`; undefined for an unknown id or one that is not file-name-safe. */
  read(id: string): Promise<Buffer | undefined>;
  /** Drops these uploads; unknown ids are ignored. */
  discard(ids: string[]): Promise<void>;
  /** Drops every upload kept before `cutoff` (reports never sent); returns how many. */
  purgeBefore(cutoff: Date): Promise<number>;
}

/** `userConversation.conversation.id`, the only thing the module reads inside a conversation reference. */
export function conversationIdOf(userConversation: Record<string, unknown>): string | undefined {
  const conversation = userConversation.conversation;
  if (typeof conversation !== 'object' || conversation === null) return undefined;
  const id = (conversation as Record<string, unknown>).id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

const oneOf = <T>(wanted: T | T[] | undefined, value: T) =>
  wanted === undefined || (Array.isArray(wanted) ? wanted.includes(value) : wanted === value);

/** Whether a ticket matches a filter; for store implementations. */
export function ticketMatches(ticket: Ticket, filter: TicketFilter): boolean {
  if (!oneOf(filter.status, ticket.status)) return false;
  if (!oneOf(filter.category, ticket.category)) return false;
  if (filter.from && ticket.createdAt < filter.from.toISOString()) return false;
  if (filter.to && ticket.createdAt >= filter.to.toISOString()) return false;
  if (filter.holderId !== undefined && ticket.assignee?.id !== filter.holderId) return false;
  if (filter.requesterId !== undefined && ticket.requester.teamsUserId !== filter.requesterId) return false;
  if (filter.userConversationId !== undefined && conversationIdOf(ticket.userConversation) !== filter.userConversationId) return false;
  if (filter.threadConversationId !== undefined && ticket.channelPost?.threadConversationId !== filter.threadConversationId) return false;
  if (filter.live !== undefined && ticket.live !== filter.live) return false;
  if (filter.organisationCode !== undefined && (ticket.organisationCode ?? filter.defaultOrganisationCode) !== filter.organisationCode) return false;
  return true;
}

// The shapes of ticketd's HTTP API (DESIGN.md, "HTTP API").

export type ConcertStatus = 'published' | 'cancelled';

/**
 * A concert as fans see it. The box-office fields (time zone, sales window,
 * status) are optional so the app still works against an older server.
 */
export interface Concert {
  id: string;
  name: string;
  venue: string;
  /** ISO 8601, UTC: the same instant as startsAt. */
  eventDate: string;
  createdAt: string;
  /** The venue's IANA time zone ("America/New_York"). */
  timeZone?: string;
  /** The start, written in the venue's offset ("2027-06-15T20:00:00-04:00"). */
  startsAt?: string;
  doorsAt?: string | null;
  description?: string;
  /** When booking opens and closes (instants in the venue's offset). */
  salesStart?: string;
  salesEnd?: string;
  status?: ConcertStatus;
  /** GET /api/concerts/:id only: the server's clock when it answered (UTC, ms). */
  serverTime?: string;
  /**
   * Not from the server: added by getConcert, the server's clock minus this
   * browser's (lib/serverClock.ts), or null when serverTime was missing.
   */
  clockOffsetMs?: number | null;
}

/** A listing item; the summary fields are optional so an older server still works. */
export interface ConcertSummary extends Concert {
  minPrice?: number;
  totalQuantity?: number;
  availableQuantity?: number;
}

export interface Tier {
  id: string;
  tierName: string;
  price: number;
  totalQuantity: number;
  availableQuantity: number;
}

export interface Availability {
  concertId: string;
  tiers: Tier[];
}

export type BookingStatus = 'confirmed' | 'cancelled' | 'payment_failed' | 'rejected';

export interface BookingItem {
  tierId: string;
  tierName: string;
  quantity: number;
  pricePerTicket: number;
}

export interface Booking {
  id: string;
  concertId: string;
  userId: string;
  status: BookingStatus;
  totalAmount: number;
  items: BookingItem[];
  createdAt: string;
  updatedAt?: string;
}

export type PaymentMethod = 'card' | 'test_decline';

export interface TicketLine {
  tierId: string;
  quantity: number;
}

/**
 * What the page sends to book. There is no userId: the server books for
 * the signed-in fan (the session cookie).
 */
export interface BookingRequest {
  concertId: string;
  tickets: TicketLine[];
  idempotencyKey: string;
  /** Integer cents; sent on the wire as a decimal with two places. */
  totalCents: number;
  paymentMethod?: PaymentMethod;
}

export interface ApiMeta {
  duplicate?: boolean;
  [key: string]: unknown;
}

/** staff check tickets in at the door; admins may too, and run the box office. */
export type Role = 'fan' | 'staff' | 'admin';

/** The signed-in fan (GET /api/me). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The fan followed the link emailed after sign-up (absent from an older server: not asked). */
  emailVerified?: boolean;
}

/** One ticket of a confirmed booking (GET /api/bookings/:id/tickets), by index. */
export interface Ticket {
  index: number;
  tierId: string;
  tierName: string;
  /** The signed code the QR carries ("T1." and base64url). */
  code: string;
}

/** POST /api/checkin's answer: a ticket admitted for the first time. */
export interface Admission {
  ticket: { bookingId: string; index: number; tierName: string };
  fan: { name: string };
  concertId: string;
  door: string;
  admittedAt: string;
}

/** GET /api/config: what this deployment offers. */
export interface AppConfig {
  /** Whether the "test_decline" payment method may be offered. */
  testPayments: boolean;
}

/** One page of GET /api/concerts, by start. */
export interface ConcertPage {
  concerts: ConcertSummary[];
  /** Pass back as ?cursor= for the next page; null on the last page. */
  nextCursor: string | null;
}

/** One page of GET /api/me/bookings, newest first. */
export interface BookingPage {
  bookings: Booking[];
  /** Pass back as ?cursor= for the next page; null on the last page. */
  nextCursor: string | null;
}

// --- the box office (/api/admin/*) ------------------------------------------

export type AdminConcertStatus = 'draft' | 'published' | 'cancelled';

export interface AdminTier {
  id: string;
  tierName: string;
  price: number;
  capacity: number;
  sold: number;
  available: number;
}

export interface AdminConcert {
  id: string;
  name: string;
  venue: string;
  /** The start in UTC (the same instant as startsAt). */
  eventDate?: string;
  description: string;
  timeZone: string;
  startsAt: string;
  doorsAt: string | null;
  salesStart: string;
  salesEnd: string;
  maxTicketsPerFan: number;
  status: AdminConcertStatus;
  createdAt: string;
  updatedAt: string;
  tiers: AdminTier[];
}

/** A tier line of POST /api/admin/concerts, or of a PATCH (with id: a change; without: a new tier). */
export interface TierInput {
  id?: string;
  tierName?: string;
  /** Exact decimal text on the wire ("85.00"): see api/endpoints.ts. */
  priceCents?: number;
  capacity?: number;
}

/** The body of POST (all required fields) or PATCH (any subset) /api/admin/concerts. */
export interface ConcertInput {
  name?: string;
  venue?: string;
  timeZone?: string;
  /** Local to timeZone, no offset: "2027-06-15T20:00". */
  startsAt?: string;
  doorsAt?: string | null;
  description?: string;
  /** Instants with an offset or Z. */
  salesStart?: string;
  salesEnd?: string;
  maxTicketsPerFan?: number;
  status?: AdminConcertStatus;
  cancelReason?: string;
  tiers?: TierInput[];
}

export interface SalesTier {
  tierId: string;
  tierName: string;
  price: number;
  capacity: number;
  sold: number;
  available: number;
  grossAmount: number;
  refundedAmount: number;
}

export interface SalesMinute {
  /** The minute's start, UTC ("2026-12-01T18:04:00Z"). */
  minute: string;
  confirmed: number;
}

export interface ConcertSales {
  concertId: string;
  generatedAt: string;
  tiers: SalesTier[];
  totals: { capacity: number; sold: number; available: number; grossAmount: number; refundedAmount: number };
  outcomes: { confirmed: number; declined: number; rejected: number; cancelled: number };
  /** 60 entries, oldest first, up to the current minute. */
  perMinute: SalesMinute[];
}

export interface Person {
  id: string;
  email: string;
  name: string;
}

export interface AdminBooking {
  id: string;
  concertId: string;
  userId: string;
  concertName: string;
  status: BookingStatus;
  totalAmount: number;
  createdAt: string;
  updatedAt: string;
  fan: Person;
  guestName: string | null;
  items: BookingItem[];
}

export interface BookingEvent {
  at: string;
  fromStatus: BookingStatus | null;
  toStatus: BookingStatus;
  actor: Person | null;
  reason: string | null;
}

export interface AdminBookingDetail extends AdminBooking {
  events: BookingEvent[];
}

export interface AdminBookingQuery {
  concertId?: string;
  q?: string;
  status?: BookingStatus | '';
  cursor?: string | null;
  limit?: number;
}

export interface AdminBookingPage {
  bookings: AdminBooking[];
  nextCursor: string | null;
}

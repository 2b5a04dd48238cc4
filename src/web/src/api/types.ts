// The shapes of ticketd's HTTP API (DESIGN.md, "HTTP API").

export interface Concert {
  id: string;
  name: string;
  venue: string;
  /** ISO 8601, UTC. */
  eventDate: string;
  createdAt: string;
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

export type BookingStatus = 'confirmed' | 'cancelled' | 'payment_failed';

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

export type Role = 'fan' | 'admin';

/** The signed-in fan (GET /api/me). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** GET /api/config: what this deployment offers. */
export interface AppConfig {
  /** Whether the "test_decline" payment method may be offered. */
  testPayments: boolean;
}

/** One page of GET /api/me/bookings, newest first. */
export interface BookingPage {
  bookings: Booking[];
  /** Pass back as ?cursor= for the next page; null on the last page. */
  nextCursor: string | null;
}

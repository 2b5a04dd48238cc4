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

export interface BookingRequest {
  concertId: string;
  userId: string;
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

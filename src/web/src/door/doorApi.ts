// The door's endpoints. Only the door page imports this file, so it travels
// in that lazily loaded chunk.
import { request } from '../api/client';
import type { Admission, AdminConcert } from '../api/types';

type Signal = AbortSignal | undefined;

export interface CheckinRequest {
  code: string;
  concertId: string;
  door: string;
}

/** Admits a ticket; a refusal (ALREADY_ADMITTED, WRONG_CONCERT, …) is an ApiError. */
export async function checkIn(req: CheckinRequest): Promise<Admission> {
  const body = JSON.stringify({ code: req.code, concertId: req.concertId, door: req.door });
  // A door waits on the answer with a fan in front of it: give up sooner than a booking does.
  return (await request<Admission>('/api/checkin', { method: 'POST', body, timeoutMs: 8_000 })).data;
}

/** Every concert, drafts and cancelled ones too: admins only (staff get 403). */
export async function getAllConcerts(signal?: Signal): Promise<AdminConcert[]> {
  return (await request<AdminConcert[]>('/api/admin/concerts', { signal })).data;
}

import type { ReactNode } from 'react';
import { Link } from '../lib/router';
import { AccountNav } from './AccountNav';
import { EmailBanner } from './EmailBanner';
import { PendingBookingNotice } from './PendingBookingNotice';
import { ServerBanner } from './ServerBanner';
import { TicketIcon } from './icons';

export function Layout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only print:hidden focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-lg focus:bg-white focus:px-4 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="bg-indigo-950 text-white print:hidden">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-3 px-4 py-4">
          <Link to="/" className="flex items-center gap-2 rounded text-lg font-bold tracking-tight">
            <span className="grid h-9 w-9 place-items-center rounded-lg bg-indigo-500 text-white">
              <TicketIcon className="h-5 w-5" />
            </span>
            ticketd
          </Link>
          <nav aria-label="Main" className="flex items-center gap-1 sm:gap-2">
            <Link to="/" className="hidden rounded px-2 py-1 text-sm font-medium text-indigo-100 hover:text-white sm:inline">
              All concerts
            </Link>
            <AccountNav />
          </nav>
        </div>
      </header>
      <div className="print:hidden">
        <ServerBanner />
        <PendingBookingNotice />
        <EmailBanner />
      </div>
      <main
        id="main"
        tabIndex={-1}
        className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 outline-none sm:py-10 print:max-w-none print:p-0"
      >
        {children}
      </main>
      <footer className="border-t border-slate-200 bg-white print:hidden">
        <div className="mx-auto max-w-6xl px-4 py-6 text-sm text-slate-600">
          Prices include all fees. Tickets are held for you the moment your booking is confirmed.
        </div>
      </footer>
    </div>
  );
}

import { Link } from '../lib/router';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export function NotFoundPage({ what = 'page' }: { what?: 'page' | 'concert' | 'booking' }) {
  useDocumentTitle('Not found');
  const text = {
    page: 'There is nothing at this address.',
    concert: 'We couldn’t find this concert. It may have been removed, or the link is wrong.',
    booking: 'We couldn’t find this booking. Check the link you were given.',
  }[what];
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-bold uppercase tracking-widest text-indigo-700">404</p>
      <h1 className="mt-2 text-3xl font-extrabold text-slate-900">
        {what === 'page' ? 'Page not found' : what === 'concert' ? 'Concert not found' : 'Booking not found'}
      </h1>
      <p className="mt-3 text-slate-600">{text}</p>
      <Link
        to="/"
        className="mt-6 inline-block rounded-lg bg-indigo-700 px-5 py-2.5 font-semibold text-white hover:bg-indigo-800"
      >
        See all concerts
      </Link>
    </div>
  );
}

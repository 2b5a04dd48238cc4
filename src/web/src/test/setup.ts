import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import { setCheckout } from '../lib/useBooking';

// CI machines are busy (a database, nginx and a browser run beside us).
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.sessionStorage.clear();
  // The app's one Checkout remembers attempts and replays: a fresh one per test.
  setCheckout(null);
  window.history.replaceState(null, '', '/');
});

// jsdom has no modal dialogs: open/close is enough for the tests.
HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
  this.setAttribute('open', '');
};
HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
  this.removeAttribute('open');
  this.dispatchEvent(new Event('close'));
};

// jsdom does not scroll.
window.scrollTo = () => undefined;

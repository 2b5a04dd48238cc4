import { Component, type ReactNode } from 'react';
import { ErrorState } from './States';

/**
 * Catches a lazily loaded part of the app that failed to load (offline, or
 * a new release removed the old file): says so and offers a reload,
 * instead of a blank page.
 */
export class ChunkBoundary extends Component<{ children: ReactNode; what: string }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render() {
    if (this.state.failed) {
      return (
        <ErrorState
          title={`We couldn’t load ${this.props.what}`}
          error={null}
          onRetry={() => {
            window.location.reload();
          }}
        />
      );
    }
    return this.props.children;
  }
}

import { Component, type ReactNode } from 'react';
import { ErrorAlert } from './states.tsx';

/**
 * Catches a page that throws while rendering, most often a lazy page whose chunk a newer deploy replaced:
 * the rest of the portal stays usable and the page says what happened, with a reload to fetch the new build.
 * `resetKey` (the location) clears the error when the user moves to another page.
 */
export class PageErrorBoundary extends Component<
  { children: ReactNode; resetKey: string },
  { error: unknown; key: string }
> {
  override state = { error: undefined as unknown, key: this.props.resetKey };

  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: unknown; key: string }) {
    return props.resetKey === state.key ? null : { error: undefined, key: props.resetKey };
  }

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <ErrorAlert
        size="page"
        title="This page could not be shown"
        error={this.state.error}
        onRetry={() => window.location.reload()}
      />
    );
  }
}

/**
 * First page / Next page for a list read by cursor: nothing while there is one page, First page once past the
 * first, Next page while the API gave a next cursor. `what` names the pages for screen readers ("runs").
 */
export const Pager = ({
  what,
  cursor,
  nextCursor,
  goTo,
}: {
  what: string;
  cursor: string | null | undefined;
  nextCursor: string | null | undefined;
  goTo: (cursor: string | null) => void;
}) =>
  cursor || nextCursor ? (
    <nav className="pager" aria-label={`Pages of ${what}`}>
      {cursor ? (
        <button type="button" className="secondary" onClick={() => goTo(null)}>
          First page
        </button>
      ) : null}
      {nextCursor ? (
        <button type="button" className="secondary" onClick={() => goTo(nextCursor)}>
          Next page
        </button>
      ) : null}
    </nav>
  ) : null;

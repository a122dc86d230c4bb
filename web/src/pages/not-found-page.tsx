import { Link, useLocation } from 'react-router';

/** Any path the portal does not know. */
export const NotFoundPage = () => {
  const { pathname } = useLocation();
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{pathname}</code>.
      </p>
      <p>
        <Link to="/">Go to your servers</Link>
      </p>
    </>
  );
};

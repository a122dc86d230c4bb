/** Placeholder while the page is written. */
export const HomePage = () => <h1>Your servers</h1>;

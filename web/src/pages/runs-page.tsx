/** Placeholder while the page is written. */
export const RunsPage = () => <h1>Runs</h1>;

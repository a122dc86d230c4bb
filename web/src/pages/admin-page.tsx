/** Placeholder while the page is written. */
export const AdminPage = () => <h1>Admin</h1>;

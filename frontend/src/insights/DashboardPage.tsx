/** Placeholder while the page is built; replaced by the page itself. */
export function DashboardPage() {
  return <h1>DashboardPage</h1>;
}

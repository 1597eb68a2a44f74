/** Placeholder while the page is built; replaced by the page itself. */
export function OrderDetailPage(_props: { id: number }) {
  return <h1>OrderDetailPage</h1>;
}

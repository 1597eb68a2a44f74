/** Placeholder while the page is built; replaced by the page itself. */
export function CreateOrderPage() {
  return <h1>CreateOrderPage</h1>;
}

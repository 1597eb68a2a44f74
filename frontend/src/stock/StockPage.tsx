/** Placeholder while the page is built; replaced by the page itself. */
export function StockPage() {
  return <h1>StockPage</h1>;
}

/** Placeholder while the page is built; replaced by the page itself. */
export function OrderBoardPage() {
  return <h1>OrderBoardPage</h1>;
}

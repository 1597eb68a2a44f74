/** Placeholder while the page is built; replaced by the page itself. */
export function TaskMonitorPage() {
  return <h1>TaskMonitorPage</h1>;
}

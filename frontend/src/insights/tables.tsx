/** The accessible HTML tables the charts can be read as (same figures, from the same dataset). */
import type { DataTable, TextTable } from "./charts";

/** A chart's figures: one row per category (its header cell), one number column per measure. */
export function DataTableView({ table }: { table: DataTable }) {
  return (
    <div className="dash-table">
      <table className="table compact">
        <caption className="visually-hidden">{table.caption}</caption>
        <thead>
          <tr>
            {table.head.map((label, index) => (
              <th key={label} scope="col" className={index > 0 ? "num" : undefined}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              {row.texts.map((text, index) => (
                <td key={table.head[index + 1]} className="num">
                  {text}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A table of texts whose first cell names the row. */
export function TextTableView({ table }: { table: TextTable }) {
  return (
    <div className="dash-table">
      <table className="table compact">
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.head.map((label) => (
              <th key={label} scope="col">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.key}>
              {row.cells.map((cell, index) =>
                index === 0 ? (
                  <th key={index} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={index}>{cell}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

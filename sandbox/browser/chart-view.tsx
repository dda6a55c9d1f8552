/**
 * UI Kit's StackBarChart, drawn in the browser host with recharts: the rows are objects; the
 * x accessor names the category, the colour accessor the series, the y accessor the value
 * (docs "ui-kit/components/stack-bar-chart", data as an array of objects).
 */
import React from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';

/** The design system's chart colours for success, danger and warning. */
const COLOURS = ['#22A06B', '#C9372C', '#E2B203', '#1D7AFC', '#8F7EE7'];

export function StackBarChartView(props: { data: Array<Record<string, unknown>>; xAccessor: string; yAccessor: string; colorAccessor: string; title?: string; height?: number }) {
  const { data, xAccessor, yAccessor, colorAccessor } = props;
  const series = [...new Set(data.map((row) => String(row[colorAccessor])))];
  const byX = new Map<string, Record<string, unknown>>();
  for (const row of data) {
    const x = String(row[xAccessor]);
    const entry = byX.get(x) ?? { [xAccessor]: x };
    entry[String(row[colorAccessor])] = row[yAccessor];
    byX.set(x, entry);
  }
  return (
    <figure className="sbx-chart" aria-label={props.title ?? 'chart'}>
      {props.title ? <figcaption>{props.title}</figcaption> : null}
      <BarChart width={720} height={props.height ?? 260} data={[...byX.values()]}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey={xAccessor} fontSize={11} />
        <YAxis allowDecimals={false} fontSize={11} />
        <Tooltip />
        <Legend />
        {series.map((name, i) => (
          <Bar key={name} dataKey={name} stackId="stack" fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </figure>
  );
}

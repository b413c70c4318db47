import { humanDuration } from '../../alerts/human-duration';
import { formatCount, formatDateTime, formatDays } from '../format-value';
import type { Trend } from '../status-types';

/** The words of a forecast: "≈ 3.5 d to zero", "not falling", "forecast after more history". */
export function runwayText(t: Trend): string {
  if (t.runway.status === 'falling') return t.runway.daysToZero === 0 ? 'at zero' : `≈ ${formatDays(t.runway.daysToZero ?? 0)} to zero`;
  if (t.runway.status === 'not_falling') return 'not falling';
  return 'no forecast yet';
}

function valueWords(v: number): string {
  return formatCount(v);
}

/** What a chart shows, for screen readers and tooltips. */
export function trendDescription(t: Trend, windowMs: number): string {
  if (t.points.length === 0) return `${t.label}: no history yet`;
  const first = t.points[0][1];
  const last = t.points[t.points.length - 1][1];
  return `${t.label} over the last ${humanDuration(windowMs)}: from ${valueWords(first)} to ${valueWords(last)}, ${t.points.length} points; ${runwayText(t)}`;
}

function cssClass(field: string): string {
  return `s-${field.replace(/[^a-z0-9]+/gi, '_')}`;
}

function path(points: readonly [number, number][], x: (t: number) => number, y: (v: number) => number): string {
  return points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}

/** A small trend line for the overview (120×28, from the oldest kept point to now, no axes); nothing without history. */
export function Sparkline({ trend, now, windowMs }: { trend: Trend; now: number; windowMs: number }) {
  const pts = trend.points;
  if (pts.length === 0) return null;
  const W = 120;
  const H = 28;
  // The kept history spread over the width: a series younger than the window still reads as a line.
  const t0 = Math.max(now - windowMs, pts[0][0]);
  const span = Math.max(1, now - t0);
  const values = pts.map((p) => p[1]);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) { hi += 1; lo -= 1; }
  const x = (t: number) => 1 + ((Math.max(t0, t) - t0) / span) * (W - 2);
  const y = (v: number) => 2 + (1 - (v - lo) / (hi - lo)) * (H - 4);
  const desc = trendDescription(trend, windowMs);
  const [lx, ly] = pts[pts.length - 1];
  return (
    <svg class="spark" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={desc}>
      <title>{desc}</title>
      {pts.length > 1 && <path class={`line ${cssClass(trend.field)}`} d={path(pts, x, y)} />}
      <circle class="dot" cx={x(lx).toFixed(1)} cy={y(ly).toFixed(1)} r="2" />
    </svg>
  );
}

/**
 * A larger chart for the account page: the series over the runway window with its lowest and highest
 * values and times on the axes, and, when it is falling, the forecast as a dashed line towards zero
 * (up to half a window ahead).
 */
export function TrendChart({ trend, now, windowMs }: { trend: Trend; now: number; windowMs: number }) {
  const pts = trend.points;
  const desc = trendDescription(trend, windowMs);
  if (pts.length === 0) return <p class="muted">No history yet: points are kept after each good poll.</p>;
  const W = 640;
  const H = 200;
  const L = 64;
  const R = 12;
  const T = 10;
  const B = 24;
  const t0 = now - windowMs;
  const [lastT, lastV] = pts[pts.length - 1];
  const falling = trend.runway.status === 'falling' && trend.runway.daysToZero !== null && lastV > 0;
  const zeroAt = falling ? lastT + (trend.runway.daysToZero as number) * 86_400_000 : null;
  const t1 = zeroAt === null ? now : Math.max(now, Math.min(zeroAt, now + windowMs / 2));
  const values = pts.map((p) => p[1]);
  let lo = Math.min(...values, ...(falling ? [0] : []));
  let hi = Math.max(...values);
  if (hi === lo) { hi += Math.abs(hi) * 0.1 || 1; lo -= Math.abs(lo) * 0.1 || 1; }
  const x = (t: number) => L + ((Math.max(t0, t) - t0) / (t1 - t0)) * (W - L - R);
  const y = (v: number) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  let forecast: [number, number][] = [];
  if (zeroAt !== null) {
    const end = Math.min(zeroAt, t1);
    forecast = [[lastT, lastV], [end, lastV * (1 - (end - lastT) / (zeroAt - lastT))]];
  }
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={desc}>
      <title>{desc}</title>
      <line class="grid" x1={L} x2={W - R} y1={y(hi)} y2={y(hi)} />
      <line class="axis" x1={L} x2={W - R} y1={H - B} y2={H - B} />
      <line class="axis" x1={L} x2={L} y1={T} y2={H - B} />
      {lo < 0 || (lo === 0 && falling) ? <line class="zero" x1={L} x2={W - R} y1={y(0)} y2={y(0)} /> : null}
      <text x={L - 6} y={y(hi) + 4} text-anchor="end">{formatCount(hi)}</text>
      <text x={L - 6} y={y(lo) + 4} text-anchor="end">{formatCount(lo)}</text>
      <text x={L} y={H - 6}>{formatDateTime(t0)}</text>
      <text x={x(now)} y={H - 6} text-anchor={t1 > now ? 'middle' : 'end'}>now</text>
      {t1 > now ? <text x={W - R} y={H - 6} text-anchor="end">{formatDateTime(t1)}</text> : null}
      {pts.length > 1 && <path class={`line ${cssClass(trend.field)}`} d={path(pts, x, y)} />}
      {forecast.length > 0 && <path class="forecast" d={path(forecast, x, y)} />}
      <circle class="dot" cx={x(lastT).toFixed(1)} cy={y(lastV).toFixed(1)} r="3" />
    </svg>
  );
}

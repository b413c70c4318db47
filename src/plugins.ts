import { alertsPlugin } from './alerts/alerts-plugin';
import type { MonitorConfig } from './config/types';
import type { MonitorPlugin } from './monitor-plugin';

/** The plugins a monitor runs unless told otherwise: the built-in alerts. Adding one is a line here. */
export function defaultPlugins(config: MonitorConfig): MonitorPlugin[] {
  return [alertsPlugin(config)];
}

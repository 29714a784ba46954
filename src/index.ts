// index.ts — nicteam's public surface: one factory, its types, one error class.
// Everything else is internal; test/api-surface.test.ts pins this list.

export { createScheduler, Scheduler, Status, STATUS_NAMES } from './api/scheduler.js';
export type { PollResult, EnqueueResult, RawBuffers, RemovedVm, CreateOptions, StatusCode } from './api/scheduler.js';
export type { SchedulerEvents, EventName, VmMove } from './api/events.js';
export type { StatsSnapshot, VmStats, NicStats, TeamStats } from './api/stats.js';
export type {
  SchedulerConfigInput as SchedulerConfig, VmConfigInput as VmConfig, VmUpdateInput as VmUpdate,
  NicConfigInput as NicConfig, TeamingConfig, CapacityConfig, TeamingPolicy, HashMode,
} from './api/config.js';
export { NicteamError } from './errors.js';
export type { NicteamErrorCode } from './errors.js';
export { parseRate, parseSize, formatRate } from './units.js';
